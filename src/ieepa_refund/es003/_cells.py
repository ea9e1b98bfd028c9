"""ES-003 cell parsers: text, amounts, dates, flags, entry and line numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import entry_number as _entry_number

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


def parse_amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        # An xlsx number cell: its shortest decimal form is the number Excel shows.
        return Decimal(repr(value))
    text = cell_text(value)
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    text = text.replace("$", "").replace(",", "").replace(" ", "")
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadCell("not an amount") from None
    if not number.is_finite():
        raise BadCell("not an amount")
    return -number if negative else number


DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d")


def parse_date(value: Any, cache: dict[str, date | None]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    found = cache.get(text, False)
    if found is not False:
        return found  # type: ignore[return-value]
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text.split(" ")[0], fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
        cache[text] = parsed
        return parsed
    raise BadCell("not a date (expected MM/DD/YYYY or YYYY-MM-DD)")


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


def parse_entry_number(value: Any) -> str:
    text = _entry_number.compact(cell_text(value))
    if text.isdigit() and len(text) < 11:
        text = text.zfill(11)  # a numeric filer code whose leading zeros a spreadsheet dropped
    if not text:
        raise BadCell("no entry number")
    return text


def parse_line_number(value: Any) -> int:
    text = cell_text(value)
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise BadCell("not a line number") from None
    if number < 1:
        raise BadCell("a line number is 1 or more")
    return number


def parse_entry_type(value: Any) -> str:
    text = cell_text(value)
    return text.zfill(2) if text.isdigit() else text


def parse_party(value: Any) -> str | None:
    return cell_text(value).upper().replace(" ", "") or None


def optional_text(value: Any) -> str | None:
    return cell_text(value) or None


DATE_FIELDS = {"entry_date", "entry_summary_date", "liquidation_date", "deposit_date"}
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
    "protest_number": optional_text,
    "summary_status": optional_text,
    "protest_status": parse_protest,
    **dict.fromkeys(FLAG_FIELDS, parse_flag),
}
