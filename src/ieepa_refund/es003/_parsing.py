"""A stream's state: its counts, its open entries, and its caches (each distinct cell of a row
parsed once, each distinct value of an entry field checked once against the Entry model)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..entry import _ENTRY_TYPE, PARTY_NUMBER, Tariff
from ..rates import parse_rate
from ._acc import _Acc
from ._cells import (
    _BARE_MONEY,
    DATE_FIELDS,
    ENTRY_PARSERS,
    FLAG_FIELDS,
    cell_text,
    parse_amount,
    parse_country,
    parse_date,
    parse_entry_number,
    parse_hts,
    parse_line_number,
    parse_ordinal,
    parse_quantity,
    parse_unit,
)
from ._columns import DEPOSIT_FIELDS
from .report import FileReport, Problem

#: Distinct amount cells whose parse is kept for the rest of a file.
_AMOUNTS_KEPT = 4096


@dataclass
class _State:
    remaining: dict[Any, int]
    """Entry key (see ``_assemble._entry_key``) -> its rows not read yet, counted by a first pass."""
    accs: dict[str, _Acc] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    duplicate: int = 0
    blank: int = 0
    entries: int = 0
    incomplete: int = 0
    entries_rejected: int = 0
    rejected_numbers: list[str] = field(default_factory=list)
    """Entry numbers of the entries rejected whole once built (conflicts, bad own fields)."""
    bad_rows: dict[str, int] = field(default_factory=dict)
    """Entry number -> rows of it rejected so far (the entry will be flagged incomplete)."""
    dates: dict[str, date | None] = field(default_factory=dict)
    fields_sets: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # Most cells repeat: an entry's own fields on each of its rows, a few thousand HTS numbers
    # and countries across the files. Each distinct text cell is parsed once, and every entry
    # holding its value holds one shared object (an entry held in memory is the smaller).
    numbers: _Parsed = field(default_factory=lambda: _Parsed(parse_entry_number, keep=None))
    """Entry-number cell -> entry number, for the entries open in the reading pass, which forgets
    an entry's cell once its last row is read."""
    lines: _Parsed = field(default_factory=lambda: _Parsed(parse_line_number, keep=None))
    countries: _Parsed = field(default_factory=lambda: _Parsed(parse_country, keep=None))
    codes: _Parsed = field(default_factory=lambda: _Parsed(parse_hts, keep=None))
    ordinals: _Parsed = field(default_factory=lambda: _Parsed(parse_ordinal, keep=None))
    # Amounts are mostly distinct: only the first few thousand are kept, enough for the common
    # ones ("0.00"), without holding a file's worth of them. The same bound for the rest.
    amounts: _Parsed = field(default_factory=lambda: _Amounts(parse_amount))
    quantities: _Parsed = field(default_factory=lambda: _Parsed(parse_quantity))
    units: _Parsed = field(default_factory=lambda: _Parsed(_unit))
    rates: _Parsed = field(default_factory=lambda: _Parsed(_rate))
    kept: dict[str, _Kept] = field(
        default_factory=lambda: {name: _Kept(check) for name, check in _AS_KEPT.items()}
    )
    """Field -> whether a value is as the Entry model keeps it (see :func:`_checked_entry`)."""
    entry_fields: dict[str, _Parsed] = field(default_factory=dict)
    """Field name -> its cells parsed (an entry's own fields: type, parties, dates, flags)."""
    held: dict[Decimal, Decimal] | None = None
    """When the caller keeps every entry (``read_es003``): each distinct amount of the entries
    built so far, so that equal amounts of different entries are one object (at a million rows
    a goods value or duty repeats about twice: 230 bytes an entry). None while streaming, where
    entries are dropped one by one and the table would only add to the peak; a table lives and
    dies with one read, so it holds no more than the entries it was read for."""
    held_tariffs: dict[tuple[Any, ...], Tariff] | None = None
    """With ``held``: each distinct tariff of the entries built so far (by its fields), so that
    equal tariffs of different entries are one object."""
    plain: bool = False
    """Hand an entry over as its accumulator when it would be built as it stands with
    nothing to report (the lean engine's mode, :func:`._build._finish_plain`)."""

    def parser(self, name: str) -> _Parsed:
        """The cache of an entry field's cells, made on first use."""
        found = self.entry_fields.get(name)
        if found is None:
            parse = (
                functools.partial(parse_date, cache=self.dates)
                if name in DATE_FIELDS
                else ENTRY_PARSERS[name]
            )
            found = self.entry_fields[name] = _Parsed(parse)
        return found


class _Parsed(dict[Any, Any]):
    """Each distinct text cell parsed once: a hit is a plain dict lookup, a miss parses.

    Only ``str`` cells are kept (as keys, 1, 1.0 and True are one), and at most ``keep`` of
    them: amounts are mostly distinct, so the first few thousand (the common ones) are enough.
    A cell that does not parse raises, as the parser does, and is not kept.
    """

    __slots__ = ("_keep", "_parse")

    def __init__(self, parse: Callable[[Any], Any], keep: int | None = _AMOUNTS_KEPT) -> None:
        super().__init__()
        self._parse, self._keep = parse, keep

    def __missing__(self, cell: Any) -> Any:
        value = self._parse(cell)
        if cell.__class__ is str and (self._keep is None or len(self) < self._keep):
            if value.__class__ is str and value == cell:
                value = cell  # one string for the cell, the key and every entry holding it
            self[cell] = value
        return value


class _Amounts(_Parsed):
    """Amount cells (goods value, duty), most of them distinct: the commonest shape, digits and
    cents, made a Decimal here as :func:`._cells.parse_amount` makes it, without a call to it
    (a call per row); any other cell goes to it."""

    __slots__ = ()

    def __missing__(self, cell: Any) -> Any:
        if cell.__class__ is str and _BARE_MONEY.fullmatch(cell):
            value: Any = Decimal(cell)
        else:
            value = self._parse(cell)
        if cell.__class__ is str and (self._keep is None or len(self) < self._keep):
            self[cell] = value
        return value


def _unit(cell: Any) -> str | None:
    return parse_unit(cell)


def _rate(cell: Any) -> str | None:
    text = cell_text(cell)
    return parse_rate(text).text if text else None


def _getter(indexes: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """The cells at ``indexes`` of a row, as a tuple (itemgetter returns a bare cell for one)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda row: tuple([row[index] for index in indexes])


def _bare(exc: Exception) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _plain_text(value: Any) -> bool:
    return value.__class__ is str and bool(value) and value.strip() == value


def _plain_party(value: Any) -> bool:
    return value.__class__ is str and PARTY_NUMBER.fullmatch(value) is not None


def _plain_date(value: Any) -> bool:
    # A datetime is refused by the model (its time would be dropped); the parsers make none.
    return isinstance(value, date) and not isinstance(value, datetime)


def _plain_flag(value: Any) -> bool:
    return value.__class__ is bool


#: For each entry field the reader sets, whether a value is one the Entry model keeps as it is:
#: what its validators would pass unchanged (they strip and upper-case; these values already are).
_AS_KEPT: dict[str, Callable[[Any], bool]] = {
    "entry_type": lambda value: value.__class__ is str and _ENTRY_TYPE.fullmatch(value) is not None,
    "importer_number": _plain_party,
    "notify_party": _plain_party,
    "importer_name": _plain_text,
    "port_of_entry": _plain_text,
    "liquidation_status": _plain_text,
    "protest_number": _plain_text,
    "summary_status": _plain_text,
    "protest_status": lambda value: value in ("open", "suspended", "closed"),
    **dict.fromkeys(FLAG_FIELDS, _plain_flag),
    **dict.fromkeys(DATE_FIELDS - set(DEPOSIT_FIELDS), _plain_date),
}


class _Kept(dict[Any, bool]):
    """Whether each distinct value of a field is one the Entry model keeps as it is.

    The parsers make exact ``str``, ``bool`` and ``date`` values; an equal value of another
    class (a ``date`` subclass) finds the same answer, and the model keeps it as it is too.
    """

    __slots__ = ("_check",)

    def __init__(self, check: Callable[[Any], bool]) -> None:
        super().__init__()
        self._check = check

    def __missing__(self, value: Any) -> bool:
        kept = self._check(value)
        if value.__class__ in (str, bool, date) and len(self) < _AMOUNTS_KEPT:
            self[value] = kept
        return kept
