"""HTSUS numbers, with or without dots.

An entry line reports 8-digit Chapter 99 numbers (``9903.01.25``) and
10-digit statistical numbers from Chapters 1-97 (``8471.30.0100``). ES-003
exports drop the dots; both forms are accepted:

    >>> compact("9903.01.25")
    '99030125'
    >>> format("99030125")
    '9903.01.25'
    >>> format("8471300100")
    '8471.30.0100'
    >>> is_chapter99("9903.88.03"), is_chapter99("8471.30.0100")
    (True, False)
    >>> validate("9903.1.25")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidFormat: hts: an HTS number has 8 or 10 digits (dots and spaces allowed), not 7 (got '9903.1.25')
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidFormat, ValidationError

__all__ = [
    "chapter",
    "compact",
    "format",
    "is_chapter99",
    "is_valid",
    "validate",
]

_STRIP = str.maketrans("", "", ". -")


def compact(number: str) -> str:
    """Remove dots, dashes and spaces."""
    return number.translate(_STRIP).strip()


def validate(number: str) -> str:
    """Return the compact digits (8 or 10) or raise :class:`InvalidFormat`."""
    if not isinstance(number, str):
        raise InvalidFormat("an HTS number must be a str", field="hts", value=number)
    clean = compact(number)
    if not clean.isascii() or not clean.isdigit() or len(clean) not in (8, 10):
        raise InvalidFormat(
            f"an HTS number has 8 or 10 digits (dots and spaces allowed), not {len(clean)}"
            if clean.isascii() and clean.isdigit()
            else "an HTS number has only digits, dots and spaces",
            field="hts",
            value=number,
        )
    if clean[:2] == "00":
        raise InvalidFormat("there is no HTSUS chapter 00", field="hts", value=number)
    return clean


def is_valid(number: Any) -> bool:
    """Whether ``number`` is a well-formed HTS number. Never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the python-stdnum name, kept on purpose
    """The dotted display form: ``9903.01.25`` or ``8471.30.0100``."""
    clean = validate(number)
    dotted = f"{clean[:4]}.{clean[4:6]}.{clean[6:8]}"
    return dotted + clean[8:] if len(clean) == 10 else dotted


def chapter(number: str) -> int:
    """The HTSUS chapter (1-99)."""
    return int(validate(number)[:2])


def is_chapter99(number: str) -> bool:
    """Whether the number is in Chapter 99 (temporary legislation and modifications)."""
    return chapter(number) == 99
