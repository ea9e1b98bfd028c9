"""ES-003 cell parsers: text, amounts, dates, flags, entry and line numbers.

Every parser either returns a value it is sure of or raises :class:`BadCell`
with a message that says why; none guesses. An amount that could be read two
ways (``1.234,56`` is 1234.56 in Europe and nonsense in an ES-003) is refused,
not read one way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .. import entry_number as _entry_number
from .. import hts as _hts
from ..dates import EARLIEST_DATE, LATEST_DATE
from ..money import in_cents

COUNTRY = re.compile(r"[A-Z]{2}")


class BadCell(Exception):
    """A cell that cannot be read; carries the message."""


def cell_text(value: Any) -> str:
    if value.__class__ is str:
        text: str = value.strip()
        if text[:1] in ('"', "="):
            return unwrap(text)
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unwrap(str(value).strip())


def unwrap(text: str) -> str:
    if text.startswith('="') and text.endswith('"'):  # Excel's keep-as-text wrapper
        text = text[2:-1].strip()
    elif len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


#: No single ES-003 row moves a trillion dollars; a larger figure is a mangled cell.
AMOUNT_BOUND = Decimal(10) ** 12
#: The longest amount text read (``$999,999,999,999.99`` is 19 characters); a longer cell is junk
#: and is refused before any arithmetic, so a megabyte of digits costs nothing.
_AMOUNT_CHARS = 40
#: Excel shows 15 significant digits of a number cell; its binary float is read as that.
_EXCEL_DIGITS = 15
# ASCII digits only: re.ASCII keeps \d from matching '²' or Arabic-Indic digits.
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?", re.ASCII)
_EXCEL_ERRORS = frozenset(
    {"#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
)


def _from_float(value: float) -> Decimal:
    if not math.isfinite(value):
        raise BadCell("not a number (NaN or infinity)")
    # A number cell holds a binary float (3000.3 is 3000.2999999999997); Excel shows it to
    # 15 significant digits, and that shown number is the one the user means.
    return Decimal(format(value, f".{_EXCEL_DIGITS}g"))


def _from_text(text: str) -> Decimal:
    if text.upper() in _EXCEL_ERRORS:
        raise BadCell(f"an Excel error value ({text.upper()}), not an amount")
    if len(text) > _AMOUNT_CHARS:
        raise BadCell(f"not an amount (over {_AMOUNT_CHARS} characters)")
    if not text.isascii():
        raise BadCell("not an amount (characters other than ASCII digits, $ , . - ( ))")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith("-"):
        if negative:
            raise BadCell("not an amount (both a minus sign and parentheses)")
        negative, text = True, text[1:].lstrip()
    if text.startswith("$"):
        text = text[1:].lstrip()
        if text.startswith("-") and not negative:  # $-5.00
            negative, text = True, text[1:]
    match = _NUMBER.fullmatch(text)
    if not text or match is None or (match.group(1) is None and match.group(2) is None):
        raise BadCell(
            "not an amount: expected digits with an optional $, comma thousands "
            "(3 digits a group), a decimal point and a leading minus or parentheses"
        )
    number = Decimal(text.replace(",", ""))  # exact: a Decimal from a str ignores the context
    return number.copy_negate() if negative else number


def parse_number(value: Any) -> Decimal | None:
    """A number from a cell (``None`` when blank), bounded; refuses anything ambiguous."""
    if isinstance(value, bool):
        raise BadCell("not an amount (a true/false cell)")
    if isinstance(value, float):
        number = _from_float(value)
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise BadCell("not a number (NaN or infinity)")
        number = value
    else:
        text = cell_text(value)
        if not text:
            return None
        number = _from_text(text)
    if not -AMOUNT_BOUND < number < AMOUNT_BOUND:  # comparisons are exact in any context
        raise BadCell("implausibly large for one row (a trillion or more)")
    return number


# The common case, read without the general parser: $1,234.50 or 1234.5, nothing else.
_PLAIN_MONEY = re.compile(r"\$?(?:\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.\d{1,2})?", re.ASCII)


# The commonest of all, digits and cents alone: the cell is the Decimal's own text, and 12
# digits stay under the bound.
_BARE_MONEY = re.compile(r"\d{1,12}(?:\.\d{1,2})?", re.ASCII)


def parse_amount(value: Any) -> Decimal | None:
    """A money amount (goods value, duty): a number in whole cents."""
    if value == "":
        return None
    if value.__class__ is str and _BARE_MONEY.fullmatch(value):
        return Decimal(value)
    if value.__class__ is str and _PLAIN_MONEY.fullmatch(value):
        plain = Decimal(value.lstrip("$").replace(",", ""))
        if plain < AMOUNT_BOUND:
            return plain
    number = parse_number(value)
    if number is None:
        return None
    # Zero reads as zero both ways; a number cell (float) holds no locale's separators.
    if (
        number.as_tuple().exponent == -3
        and number
        and not isinstance(value, float | int | Decimal)
        and _dot_thousands(text := cell_text(value))
    ):
        raise BadCell(_three_decimals(text, number))
    if not _whole(number, 2):
        raise BadCell("an amount finer than a cent (ES-003 amounts are in whole cents)")
    # 34131.8000 is held as 34131.80, as the Entry model holds it (the rows skip the model).
    return in_cents(number)


def _dot_thousands(text: str) -> bool:
    """Whether an amount written with three decimals also reads with a dot for thousands.

    Only with one to three digits before the dot, the first not 0 (``2.500``, ``12.500``,
    ``123.500``), or with commas as well (no one reading stands out): ``1234.500`` and
    ``.500`` or ``0.500`` are no dot-thousands number, so they have the decimal reading only
    (t69/07), and are read as 1234.50 and 0.50, or refused as finer than a cent.
    """
    head = text.rpartition(".")[0]
    if "," in head:
        return True
    digits = "".join(c for c in head if "0" <= c <= "9")
    return 1 <= len(digits) <= 3 and digits[0] != "0"


def _three_decimals(text: str, number: Decimal) -> str:
    """Why an amount written with exactly three decimal digits is refused, with its two readings.

    In a locale that writes a dot for thousands, 2,500 with its cents dropped by a "#.##0"
    number format is ``2.500``, which a decimal point reads as 2.50: a thousand times less,
    and no digit tells the two apart (``1.234`` is the same shape). Amounts are in whole
    cents, two decimals; three are refused whatever they are, never read one way.
    """
    if "," in text:  # "1,234.500" groups with commas too: no one reading of its dot stands out
        thousands = "an amount whose dot groups thousands, mangled"
    else:
        # The same digits with the exponent 0: exact, whatever the caller's decimal context.
        sign, digits, _ = number.as_tuple()
        thousands = f"{Decimal((sign, digits, 0)):,} with a dot for thousands"
    return (
        f"an amount with three decimals is ambiguous ({text!r}: {number} with a decimal "
        f"point, or {thousands}); write amounts with two decimals (2500.00, 2.50) and no "
        "thousands dots: re-export with US number formats"
    )


#: Decimal places a quantity may carry (ACE reports quantities to at most 2; 6 leaves room for
#: a broker's unit conversions without reading a mangled cell as a quantity).
QUANTITY_PLACES = 6


_PLAIN_QUANTITY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.\d{1,6})?", re.ASCII)


def parse_quantity(value: Any) -> Decimal | None:
    """A quantity (kilograms, dozens...): a number with at most :data:`QUANTITY_PLACES` decimals."""
    if value.__class__ is str:
        if not value:
            return None
        if _PLAIN_QUANTITY.fullmatch(value):  # the common case; 12 digits stay under the bound
            return Decimal(value.replace(",", ""))
    number = parse_number(value)
    if number is not None and not _whole(number, QUANTITY_PLACES):
        raise BadCell(f"a quantity with more than {QUANTITY_PLACES} decimal places")
    return number


def _whole(number: Decimal, places: int) -> bool:
    """Whether ``number`` has no non-zero digit past ``places`` decimals (exact, any context)."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the callers
    extra = -places - exponent
    return extra <= 0 or not any(digits[-extra:])


# ES-003 dates are MM/DD/YYYY; ISO and compact ISO are also taken. A year is always four
# digits: "06/02/25" could be 1925 or 2025, and a 5-digit number is an Excel serial date.
_DATE = re.compile(
    r"(?:(?P<m>\d{1,2})[/-](?P<d>\d{1,2})[/-](?P<y>\d{4})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<sy>\d{4})/(?P<sm>\d{1,2})/(?P<sd>\d{1,2})"
    r"|(?P<cy>\d{4})(?P<cm>\d{2})(?P<cd>\d{2}))"
    # a time of day, as spreadsheets add to dates; nothing else may follow
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?",
    re.ASCII,
)
_SHORT_YEAR = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{2}(?:\s.*)?", re.ASCII)
DATE_HELP = "expected MM/DD/YYYY or YYYY-MM-DD"


def month_first_day(text: str) -> tuple[int, int] | None:
    """(first, second) numbers of a ``NN/NN/YYYY`` date, for telling MM/DD from DD/MM files."""
    match = _DATE.fullmatch(text)
    if match is None or match.group("m") is None:
        return None
    return int(match.group("m")), int(match.group("d"))


# A date written as text with day and month first in either order, by any separator and with
# a year of two or four digits (06/10/25, 09.15.2025, 6-10-2025): what a day-first Excel left as
# text beside the dates it turned into date cells. Not ISO (2025-06-10): Excel reads that as
# the date it is, whatever its locale, so ISO text beside date cells is no mark of a swap.
_DATE_LIKE = re.compile(
    r"\d{1,2}([/.-])\d{1,2}\1(?:\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*[AaPp][Mm])?)?",
    re.ASCII,
)


def date_like(text: str) -> bool:
    """Whether ``text`` is written as a ``NN/NN/YY(YY)`` date (``/``, ``.`` or ``-``), readable
    or not: a text date a locale's Excel did not turn into a date cell."""
    return len(text) <= 40 and _DATE_LIKE.fullmatch(text) is not None


def _plausible(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise BadCell(
            f"{day.isoformat()} is outside {EARLIEST_DATE.year} to {LATEST_DATE.year}: a typo?"
        )
    return day


def parse_date(value: Any, cache: dict[str, date | None]) -> date | None:
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise BadCell(
            "a number where a date is expected (an Excel serial date?): format the column as a date"
        )
    text = cell_text(value)
    if not text:
        return None
    found = cache.get(text, False)
    if found is not False:
        return found  # type: ignore[return-value]
    match = _DATE.fullmatch(text) if len(text) <= 40 else None
    if match is None:
        if text.upper() in _EXCEL_ERRORS:
            raise BadCell(f"an Excel error value ({text.upper()}), not a date")
        if text.isdigit():
            raise BadCell(f"a number, not a date (an Excel serial date?); {DATE_HELP}")
        if _SHORT_YEAR.fullmatch(text):
            raise BadCell(f"a two-digit year is ambiguous; {DATE_HELP}")
        raise BadCell(f"not a date ({DATE_HELP})")
    groups = match.groupdict()
    for y, m, d in (("y", "m", "d"), ("iy", "im", "id"), ("sy", "sm", "sd"), ("cy", "cm", "cd")):
        if groups[y] is not None:
            try:
                parsed = date(int(groups[y]), int(groups[m]), int(groups[d]))
            except ValueError:
                raise BadCell(f"not a date ({DATE_HELP})") from None
            cache[text] = _plausible(parsed)
            return parsed
    raise BadCell(f"not a date ({DATE_HELP})")  # pragma: no cover - the pattern has no other branch


_TRUE = {"y", "yes", "true", "t", "1", "x"}
_FALSE = {"n", "no", "false", "f", "0"}


def parse_flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadCell("not a yes/no value (Y/N, yes/no, true/false, 1/0)")


_PROTEST = {"open": "open", "pending": "open", "suspended": "suspended", "closed": "closed"}
_PROTEST.update(dict.fromkeys(("denied", "approved", "allowed", "decided"), "closed"))


def parse_protest(value: Any) -> str | None:
    text = cell_text(value).lower()
    if not text:
        return None
    try:
        return _PROTEST[text]
    except KeyError:
        raise BadCell("not a protest status (open, suspended, closed)") from None


#: The fewest digits a protest number can have: its port code alone has four (the bundled
#: sample's 270425100123 is port 2704, year 25, serial 100123). CBP Form 19 says only that CBP
#: supplies the number (block 1); one filer's software checks "12 numerics" [3P]. Not confirmed
#: by CBP, so only what cannot be a protest number is refused.
_PROTEST_DIGITS = 4


#: What exports and spreadsheets put in an empty field. Only these: a word such as 'Y',
#: 'YES', 'FILED' or 'PENDING' says there is a protest, and is refused, never read as none.
_EMPTY_MARKERS = frozenset(
    {"N/A", "NA", "N.A.", "#N/A", "NONE", "NULL", "NIL", "-", "--", "\u2013", "\u2014", "."}
)


def protest_placeholder(value: Any) -> bool:
    """Whether a Protest Number cell is what an export or a spreadsheet puts in an empty
    field ('N/A', 'NONE', 'NULL', '-', '0', '000000000000'): one of those markers, or zeros
    with separators only. No CBP protest number is all zeros (its port code alone is four
    digits, none 0000)."""
    text = cell_text(value).strip()
    if not text:
        return False
    if text.upper() in _EMPTY_MARKERS:
        return True
    return "0" in text and not text.strip("0-. ")


def parse_protest_number(value: Any) -> str | None:
    """A protest number as written; blank is None, and so is a placeholder (see
    :func:`protest_placeholder`): it says "no protest", and the reader warns naming the row
    and cell (rejecting the row would throw its duty away and keep the entry out of CAPE).
    A cell that is neither (fewer than four digits, not all zeros) is refused."""
    text = cell_text(value)
    if not text or protest_placeholder(text):
        return None
    digits = "".join(c for c in text if "0" <= c <= "9")  # ASCII digits only
    if len(digits) < _PROTEST_DIGITS:
        raise BadCell(
            "not a protest number (CBP's are digits: port, year and serial, e.g. 270425100123); "
            "give the protest's number, or leave the cell blank when the entry has no protest"
        )
    return text


# What Excel makes of an 11-digit entry number typed into a General cell: 6.05761E+10. Excel
# always signs the exponent; "00E00000005" (filer code 00E) is a valid entry number.
_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]+)?[eE][+-][0-9]+")
#: What entry_number.compact takes out of an entry number written as text.
_SEPARATORS = " -"
#: Spaces and dashes a web page, a word processor or Excel puts in copied text (no-break and
#: narrow no-break, figure and thin spaces; hyphen to horizontal bar, minus sign), read as
#: the ASCII space and dash they stand for (t69/03): else the row is refused and its entry,
#: built from its other rows, said to have nothing to refund.
_UNICODE_SEPARATORS = str.maketrans(
    {**dict.fromkeys(map(ord, "\u00a0\u2007\u2009\u202f"), " "),
     **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")}
)  # fmt: skip


def parse_entry_number(value: Any) -> str:
    if (
        value.__class__ is str
        and len(value) == 11
        and value.isascii()
        and value.isalnum()
        and (value.isdigit() or value.isupper())
    ):
        # Already compact (most cells): nothing below would strip, unwrap or upper-case it, and
        # both passes of the reader parse every entry's number once.
        return value
    if isinstance(value, float) and not value.is_integer():
        raise BadCell("not an entry number (a fractional number)")
    text = cell_text(value)
    if text.upper() in _EXCEL_ERRORS:
        raise BadCell(f"an Excel error value ({text.upper()}), not an entry number")
    if _SCIENTIFIC.fullmatch(text):
        raise BadCell(
            "an entry number in scientific notation: Excel turned it into a number and lost "
            "digits; re-export with the column formatted as text"
        )
    if not text.isascii():
        text = text.translate(_UNICODE_SEPARATORS)
    written = text
    text = _entry_number.compact(text)
    if text.isdigit() and len(text) < 11:
        if any(c in written for c in _SEPARATORS):
            # Only a number cell loses leading zeros (Excel drops them); a cell written with
            # dashes or spaces is text and kept every digit, so a short one lacks a digit
            # (mostly the check digit, which some broker systems hold in a column of its
            # own): zero-filling it would make another filer's entry number (t64/04).
            raise BadCell(
                f"an entry number written with dashes or spaces has {len(text)} digits, not 11 "
                "(XXX-NNNNNNN-C): a digit is missing"
                + (", most likely the check digit" if len(text) == 10 else "")
                + "; write the whole number"
            )
        text = text.zfill(11)  # a numeric filer code whose leading zeros a spreadsheet dropped
    if not text:
        raise BadCell("no entry number")
    return text


#: The largest line or ordinal number read, far above the line count of any entry summary
#: (CBP Form 7501 numbers its lines with three digits); anything larger is a mangled cell.
LINE_MAX = 99_999
_WHOLE = re.compile(r"[0-9]{1,5}", re.ASCII)


def _small_whole(value: Any, what: str) -> int | None:
    if value.__class__ is str and 0 < len(value) <= 5 and value.isdigit() and value.isascii():
        number = int(value)  # the common case
    elif isinstance(value, bool):
        raise BadCell(f"not a {what}")
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise BadCell(f"not a {what} (a whole number is expected)")
        number = int(value)
    else:
        text = cell_text(value)
        if not text:
            return None
        if not _WHOLE.fullmatch(text):
            raise BadCell(f"not a {what} (a whole number from 1 to {LINE_MAX} is expected)")
        number = int(text)
    if not 1 <= number <= LINE_MAX:
        raise BadCell(f"a {what} runs from 1 to {LINE_MAX}")
    return number


def parse_line_number(value: Any) -> int:
    number = _small_whole(value, "line number")
    if number is None:
        raise BadCell("not a line number (blank)")
    return number


def parse_country(value: Any) -> str:
    """A country of origin: its 2-letter ISO code, upper-cased (both readers use this)."""
    country = cell_text(value).upper()
    if not COUNTRY.fullmatch(country):
        raise BadCell("a country of origin is a 2-letter ISO code")
    return country


def parse_hts(value: Any) -> str:
    """An HTS number, validated as :func:`ieepa_refund.hts.validate` validates it."""
    return _hts.validate(cell_text(value))


def parse_ordinal(value: Any) -> int | None:
    """A tariff ordinal as a number (``1`` and ``01`` are one ordinal), or ``None`` when blank."""
    return _small_whole(value, "tariff ordinal")


# A unit of quantity is a code, never a plain number: the HTSUS gives each statistical line its
# units as abbreviations ("No.", "kg", "doz.", "m2", "X" for none: USITC HTS JSON, field
# "units"), and ACE reports them as CBP's codes (NO, KG, DOZ, M2, M3, X, PCS, GRS, THS...),
# letters or a letter then a digit. A plain number there is a quantity (or an amount's
# thousands group) pushed one column right by an unquoted comma in an amount before it.
_PLAIN_NUMBER = re.compile(r"\(?[-+]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?\)?", re.ASCII)


def parse_unit(value: Any) -> str | None:
    """A unit of quantity code, upper-cased (``None`` when blank); a plain number is refused."""
    text = cell_text(value)
    if text and any(c.isdigit() for c in text) and _PLAIN_NUMBER.fullmatch(text):
        raise BadCell(
            f"a unit of quantity is a code such as NO or KG, not a number ({text!r}): the row "
            "is likely shifted by an unquoted comma in an amount before it; quote the amount "
            "or remove its thousands separator"
        )
    return text.upper() or None


# What an amount with one unquoted thousands comma becomes when split on it: a head of one to
# three digits not starting with 0 (no amount is written "0,400"), after a sign, a parenthesis
# or a dollar sign with or without spaces ("$ 1,250.00", Excel's accounting style), and a tail
# of three digits with the cents, if any.
_SPLIT_HEAD = re.compile(r"\(?\s*-?\s*\$?\s*-?\s*[1-9]\d{0,2}", re.ASCII)
_SPLIT_TAIL = re.compile(r"\d{3}(?:\.\d*)?\s*\)?", re.ASCII)


def split_amount(head: Any, tail: Any) -> str | None:
    """The amount ``head`` and ``tail`` were split from (``'$1,300.00'``), when the two cells
    look like an amount split on its thousands comma; else None."""
    first, second = cell_text(head), cell_text(tail)
    if _SPLIT_HEAD.fullmatch(first) and _SPLIT_TAIL.fullmatch(second):
        return f"{first},{second}"
    return None


def parse_entry_type(value: Any) -> str:
    text = cell_text(value)
    return text.zfill(2) if text.isdigit() else text


def parse_party(value: Any) -> str | None:
    return cell_text(value).upper().replace(" ", "") or None


def optional_text(value: Any) -> str | None:
    return cell_text(value) or None


DATE_FIELDS = {
    "entry_date",
    "entry_summary_date",
    "liquidation_date",
    "deposit_date",
    "supplemental_deposit_date",
    "pre_liquidation_refund_date",
}


def parse_money_moved(value: Any) -> Decimal | None:
    """A deposit or refund amount: whole cents, never negative (the column says which way)."""
    amount = parse_amount(value)
    if amount is not None and amount < 0:
        raise BadCell("a negative amount: the column already says which way the money moved")
    return amount


FLAG_FIELDS = {
    "reconciliation_flag",
    "type09_filed",
    "drawback_claim",
    "adcvd_instructions_pending",
    "surety_paid",
}
ENTRY_PARSERS: dict[str, Callable[[Any], Any]] = {
    "entry_type": parse_entry_type,
    "importer_number": parse_party,
    "notify_party": parse_party,
    "importer_name": optional_text,
    "port_of_entry": optional_text,
    "liquidation_status": optional_text,
    "protest_number": parse_protest_number,
    "summary_status": optional_text,
    "protest_status": parse_protest,
    **dict.fromkeys(FLAG_FIELDS, parse_flag),
    "supplemental_deposit_amount": parse_money_moved,
    "pre_liquidation_refund_amount": parse_money_moved,
}
