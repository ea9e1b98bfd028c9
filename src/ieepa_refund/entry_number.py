"""CBP entry numbers (``XXX-NNNNNNN-C``).

An entry number has 11 characters: a 3-character filer code (digits or
capital letters), a 7-digit transaction number and a check digit (CATAIR
Appendix E; CBP Form 7501 instructions).

The check digit: map filer-code letters A-I to 1-9, J-R to 1-9 and S-Z to
2-9; take the ten digits (filer code and transaction number); from the right,
double the rightmost digit and every second one leftwards, subtract 9 from
products over 9, add everything; the check digit is ``(10 - sum % 10) % 10``.

Appendix E's worked example:

    >>> calc_check_digit("B760324527")
    '8'
    >>> validate("b76-0324527-8")
    'B7603245278'
    >>> format("B7603245278")
    'B76-0324527-8'
    >>> is_valid("B76-0324527-9")
    False
    >>> validate("B76-0324527-9")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidChecksum: entry_number: the check digit does not match, expected 8 (got 'B76-0324527-9')
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

__all__ = [
    "calc_check_digit",
    "compact",
    "format",
    "is_valid",
    "validate",
]

_LETTER_DIGITS = {
    **{c: str(i + 1) for i, c in enumerate("ABCDEFGHI")},
    **{c: str(i + 1) for i, c in enumerate("JKLMNOPQR")},
    **{c: str(i + 2) for i, c in enumerate("STUVWXYZ")},
}
_SHAPE = re.compile(r"[0-9A-Z]{3}[0-9]{8}")
_FIRST_TEN = re.compile(r"[0-9A-Z]{3}[0-9]{7}")
_STRIP = str.maketrans("", "", " -")


def compact(number: str) -> str:
    """Remove dashes and spaces and upper-case: ``'b76-0324527-8'`` -> ``'B7603245278'``."""
    return number.translate(_STRIP).strip().upper()


def calc_check_digit(first_ten: str) -> str:
    """The check digit of the filer code and transaction number (10 characters)."""
    clean = compact(first_ten)
    if not _FIRST_TEN.fullmatch(clean):
        raise InvalidFormat(
            "expected a 3-character filer code and a 7-digit transaction number",
            field="entry_number",
            value=clean,
        )
    return _check_digit(clean)


#: Filer-code letters and digits as the digits the sum adds up (A-I 1-9, J-R 1-9, S-Z 2-9).
_AS_DIGITS = str.maketrans(_LETTER_DIGITS)
#: A digit's share of the sum in a doubled position (products over 9 less 9), and in the others.
_DOUBLED = {str(d): 2 * d - 9 * (d > 4) for d in range(10)}
_PLAIN = {str(d): d for d in range(10)}


def _share(digits: str, doubled: bool) -> int:
    """The share of the sum of ``digits``, doubled from the first one when ``doubled``, every
    second one after it doubled in turn."""
    total = 0
    for digit in digits:
        total += _DOUBLED[digit] if doubled else _PLAIN[digit]
        doubled = not doubled
    return total


#: Shares of the sum by slices of the first ten (positions 0-2, 3-5, 6-8, 9; from the right,
#: position 9 and every second one leftwards are doubled). Filer codes are few in a file and
#: met again and again, so theirs are kept as met (at most 36**3); the digit slices are all
#: made here (1,000 each).
_HEADS: dict[str, int] = {}
_FROM_3 = {f"{n:03d}": _share(f"{n:03d}", True) for n in range(1000)}
_FROM_6 = {f"{n:03d}": _share(f"{n:03d}", False) for n in range(1000)}
_CHECK = "0987654321"
"""The check digit ``(10 - sum % 10) % 10`` of each ``sum % 10``."""


def _check_digit(first_ten: str) -> str:
    """The check digit of ten characters of the right shape (checked by the caller)."""
    code = first_ten[:3]
    head = _HEADS.get(code)
    if head is None:
        head = _HEADS[code] = _share(code.translate(_AS_DIGITS), False)
    total = head + _FROM_3[first_ten[3:6]] + _FROM_6[first_ten[6:9]] + _DOUBLED[first_ten[9]]
    return _CHECK[total % 10]


def check_digit_matches(number: str) -> bool:
    """Whether a number already in compact form (``shaped``) ends in its own check digit."""
    return number[10] == _check_digit(number[:10])


def shaped(number: str) -> bool:
    """Whether ``number`` is 11 characters of the compact form: filer code and 8 digits.

    Such a number is its own :func:`compact` form, so only its check digit is left to check.
    """
    return _SHAPE.fullmatch(number) is not None


def validate(number: str) -> str:
    """Return the compact 11 characters, or raise a :class:`ValidationError` subclass."""
    if not isinstance(number, str):
        raise InvalidFormat("an entry number must be a str", field="entry_number", value=number)
    clean = compact(number)
    if len(clean) != 11:
        raise InvalidLength(
            f"an entry number has 11 characters, not {len(clean)}",
            field="entry_number",
            value=number,
        )
    if not _SHAPE.fullmatch(clean):
        raise InvalidFormat(
            "expected a 3-character filer code (digits or letters) and 8 digits",
            field="entry_number",
            value=number,
        )
    expected = _check_digit(clean[:10])  # the shape is checked: no second compact or match
    if clean[10] != expected:
        raise InvalidChecksum(
            f"the check digit does not match, expected {expected}",
            field="entry_number",
            value=number,
        )
    return clean


def is_valid(number: Any) -> bool:
    """Whether ``number`` is a valid entry number. Never raises, whatever it is given."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the python-stdnum name, kept on purpose
    """The display form ``XXX-NNNNNNN-C`` of a valid entry number."""
    clean = validate(number)
    return f"{clean[:3]}-{clean[3:10]}-{clean[10]}"
