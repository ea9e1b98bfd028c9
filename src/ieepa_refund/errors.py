"""Every error ``ieepa_refund`` raises, in one small tree.

Bad input is a :class:`ValueError`; "not in the table" is a :class:`LookupError`
(a :class:`KeyError` where a heading is looked up by key, as ``zoneinfo`` does).
Catch :class:`IeepaRefundError` to catch them all.

An entry that is *not refundable* is never an error: it is a result with a reason.

::

    IeepaRefundError
    ├── ValidationError (ValueError)          bad input, names the field and value
    │   ├── InvalidFormat                      wrong characters or shape
    │   ├── InvalidLength                      wrong number of characters
    │   ├── InvalidChecksum                    the check digit does not match
    │   ├── InvalidRate                        HTSUS rate text that cannot be parsed
    │   ├── FloatRefused                       a float given where money is expected
    │   ├── InvalidPeriod                      dates in the wrong order
    │   └── InputFileError                     a file that cannot be read as asked
    ├── NotInTable (LookupError)               the data has no answer
    │   ├── HeadingNotFound (KeyError)         a Chapter 99 number not in the registry
    │   ├── HeadingNotInForce                  known heading, not in force on that date
    │   └── RateNotCovered                     a date past the interest-rate table
    └── DataError                              a shipped or injected data file is broken
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DataError",
    "FloatRefused",
    "HeadingNotFound",
    "HeadingNotInForce",
    "IeepaRefundError",
    "InputFileError",
    "InvalidChecksum",
    "InvalidFormat",
    "InvalidLength",
    "InvalidPeriod",
    "InvalidRate",
    "NotInTable",
    "RateNotCovered",
    "ValidationError",
]

_UNSET: Any = object()


class IeepaRefundError(Exception):
    """Root of every error raised by ``ieepa_refund``."""

    message = "ieepa_refund error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message


class ValidationError(IeepaRefundError, ValueError):
    """Bad input. ``field`` and ``value`` say what was wrong where they are known."""

    message = "the value is not valid"

    def __init__(
        self, message: str | None = None, *, field: str | None = None, value: Any = _UNSET
    ) -> None:
        self.field = field
        self.value = None if value is _UNSET else value
        text = message or self.message
        if field is not None:
            text = f"{field}: {text}"
        if value is not _UNSET:
            text = f"{text} (got {value!r})"
        super().__init__(text)


class InvalidFormat(ValidationError):
    """The value has the wrong characters or shape."""

    message = "the value has an invalid format"


class InvalidLength(ValidationError):
    """The value has the wrong number of characters."""

    message = "the value has an invalid length"


class InvalidChecksum(ValidationError):
    """The value's check digit does not match."""

    message = "the check digit does not match"


class InvalidRate(ValidationError):
    """HTSUS rate text that cannot be parsed, or used with the wrong inputs."""

    message = "the rate text cannot be used"


class FloatRefused(ValidationError):
    """A float was given where money or a quantity is expected."""

    message = "floats are refused for money and quantities: pass a str or Decimal"


class InvalidPeriod(ValidationError):
    """Two dates are in the wrong order."""

    message = "the dates are in the wrong order"


class InputFileError(ValidationError):
    """A file that cannot be read as asked: no header, a required column missing, bad bytes."""

    message = "the file cannot be read"


class NotInTable(IeepaRefundError, LookupError):
    """The data has no answer for the question asked."""

    message = "not in the table"


class HeadingNotFound(NotInTable, KeyError):
    """A Chapter 99 heading that the registry does not hold."""

    message = "the heading is not in the registry"

    def __str__(self) -> str:  # KeyError would repr() the message
        return IeepaRefundError.__str__(self)


class HeadingNotInForce(NotInTable):
    """A known heading looked up on a date outside all of its periods."""

    message = "the heading is not in force on that date"


class RateNotCovered(NotInTable):
    """A date that the interest-rate table does not cover."""

    message = "the interest-rate table does not cover that date"


class DataError(IeepaRefundError):
    """A data file (shipped or injected) that breaks the rules it must follow."""

    message = "the data file is not valid"
