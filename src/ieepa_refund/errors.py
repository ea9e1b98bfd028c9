"""Every error ``ieepa_refund`` raises, in one small tree.

Bad input is a :class:`ValueError`; "not in the table" is a :class:`LookupError`
(a :class:`KeyError` where a heading is looked up by key, as ``zoneinfo`` does).
Catch :class:`IeepaRefundError` to catch them all.

Building a model (``Entry``, ``InterestConventions``, ``Assumptions``...) from
bad fields raises :class:`ModelValidationError`: one exception that is both our
:class:`ValidationError` (so ``except ieepa_refund.ValidationError`` catches it,
with ``field`` the dotted path of the first bad field) and a
``pydantic.ValidationError`` (so ``except pydantic.ValidationError`` and
``errors()`` keep working). pydantic builds its own error, which no ``except``
clause of ours could catch; the models' common base converts it once, at the
outermost model.

An entry that is *not refundable* is never an error: it is a result with a reason.

::

    IeepaRefundError
    ├── ValidationError (ValueError)          bad input, names the field and value
    │   ├── ModelValidationError               a model built from bad fields (also a
    │   │                                      pydantic.ValidationError: its errors())
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

import pydantic_core

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
    "ModelValidationError",
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
        self.reason = text = message or self.message
        """What is wrong, in words, without the field and value the full message adds."""
        if field is not None:
            text = f"{field}: {text}"
        said = isinstance(value, str) and (
            repr(value) in text or self.reason.startswith((f"{value}:", f"{value},"))
        )
        if value is not _UNSET and not said:
            # A message that already quotes the value ("... component 'about 4%'"), or starts
            # with it as the thing it is about ("broken.csv: no ES-003 header..."), is not
            # followed by the same value again.
            text = f"{text} (got {value!r})"
        super().__init__(text)


class ModelValidationError(ValidationError, pydantic_core.ValidationError):
    """A model built from bad fields: every bad field, each with its path and value.

    Made with :meth:`from_pydantic`; ``errors()``, ``error_count()`` and
    ``title`` are pydantic's, ``field`` and ``value`` the first bad field's.
    """

    message = "the model's fields are not valid"

    def __init__(self, *_: Any, **__: Any) -> None:
        # pydantic_core.ValidationError.__new__ has already taken the error list; its
        # arguments (title, line errors...) are not our (message, field, value).
        errors = self.errors(include_url=False)
        first = errors[0] if errors else None
        cause = (first.get("ctx") or {}).get("error") if first else None
        path = ".".join(str(p) for p in first["loc"]) if first else ""
        # A check over the whole model (loc ()) that raised one of ours knows its field.
        self.field = path or (cause.field if isinstance(cause, ValidationError) else None)
        self.value = cause.value if isinstance(cause, ValidationError) else first and first["input"]
        Exception.__init__(self, self.title)

    # pydantic's text: a count, then each bad field's path, message and value.
    __str__ = pydantic_core.ValidationError.__str__
    __repr__ = pydantic_core.ValidationError.__repr__

    @classmethod
    def from_pydantic(cls, error: pydantic_core.ValidationError) -> ModelValidationError:
        """The same errors, as an exception of both trees."""
        if isinstance(error, cls):
            return error
        converted: ModelValidationError = cls.from_exception_data(
            error.title,
            error.errors(include_url=False),  # type: ignore[arg-type]
        )
        return converted


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
