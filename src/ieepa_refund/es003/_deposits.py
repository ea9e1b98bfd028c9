"""A deposits file: every deposit and pre-liquidation refund of each entry, keyed by entry number.

ES-003 carries at most one supplemental deposit and one pre-liquidation refund per entry (when
its layout has the columns at all). An entry with more, or a file of payments kept apart (a
broker's statement ledger), comes as a deposits file: one row per movement of money,

    Entry Number,Kind,Date,Amount
    B76-0324527-8,deposit,06/12/2025,"4,500.00"
    B76-0324527-8,supplemental,09/02/2025,"1,000.00"

read as the ES-003 reader reads (CSV, tab-delimited, semicolons, UTF-16, ``.xlsx``,
DataFrames; ``="..."`` wrappers, ``$1,234.50``, MM/DD/YYYY dates). Without a kind column
the sign of the amount says which way the money moved (negative: a refund). Every row ends
in an event or a :class:`Problem`, and ``rows_read == rows_used + rows_rejected``.
:func:`with_deposits` attaches the events to entries and reports those whose entry is not
among them (19 CFR 24.36(a)(1): interest is then computed per segment).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..entry import DutyMismatch, Entry, duty_mismatch
from ..errors import InputFileError, ValidationError
from ..interest import DepositEvent
from ..interest._segments import check_events
from ._cells import (
    BadCell,
    cell_text,
    parse_amount,
    parse_date,
    parse_entry_number,
    split_amount,
)
from ._columns import COLUMNS, norm
from ._header import SourceFile, header_candidates
from ._open import open_rows
from ._raw import HEADER_SEARCH_ROWS
from ._rows import data_rows
from .report import Problem

__all__ = [
    "DEPOSIT_COLUMNS",
    "DepositsAttached",
    "DepositsImport",
    "read_deposits",
    "with_deposits",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Field -> headers seen for it. ``deposit_date`` is the movement's date, whatever its kind.
DEPOSIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": COLUMNS["entry_number"],
    "kind": ("Kind", "Deposit Kind", "Event", "Event Type", "Transaction Type", "Type"),
    "deposit_date": (
        "Date",
        "Deposit Date",
        "Payment Date",
        "Refund Date",
        "Event Date",
        "Transaction Date",
    ),
    "amount": ("Amount", "Deposit Amount", "Payment Amount", "Refund Amount"),
}
_REQUIRED = ("entry_number", "deposit_date", "amount")
_ALIASES = {norm(alias): name for name, aliases in DEPOSIT_COLUMNS.items() for alias in aliases}
_KINDS = {
    **dict.fromkeys(
        ("deposit", "original", "originaldeposit", "supplemental", "supplementaldeposit",
         "payment", "tender", "additional"),
        "deposit",
    ),
    **dict.fromkeys(("refund", "preliquidationrefund", "pscrefund"), "refund"),
}  # fmt: skip


class DepositsImport(BaseModel):
    """The events of a deposits file by entry number, with the problems and counts."""

    model_config = _FROZEN

    deposits: dict[str, tuple[DepositEvent, ...]]
    """Entry number (11 characters, no dashes) -> its events in date order."""
    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_blank: int


class DepositsAttached(BaseModel):
    """Entries with their deposits attached, and what could not be attached."""

    model_config = _FROZEN

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]


def _header(rows: Any, name: str, overrides: Mapping[str, str]) -> SourceFile:
    wanted = {norm(header): field for field, header in overrides.items()}
    for number, headers in header_candidates(rows):
        columns: dict[str, int] = {}
        ignored = []
        for index, header in enumerate(headers):
            field = wanted.get(norm(header)) or _ALIASES.get(norm(header))
            if field is None or field in columns:
                if header:
                    ignored.append(header)
                continue
            columns[field] = index
        if all(field in columns for field in _REQUIRED):
            return SourceFile(
                name=name,
                kind="",
                encoding=None,
                sheet=None,
                header_row=number,
                headers=headers,
                columns=columns,
                ignored=ignored,
                rows=lambda: iter(()),
            )
    raise InputFileError(
        f"{name}: no deposits header found in the first {HEADER_SEARCH_ROWS} rows (a row naming "
        "the entry number, date and amount columns; name others with mapping={field: header})",
        field="file",
        value=name,
    )


def read_deposits(
    *sources: Any, mapping: Mapping[str, str] | None = None, delimiter: str | None = None
) -> DepositsImport:
    """Read deposits files (one row per deposit or pre-liquidation refund) into events per entry.

    ``mapping`` maps a field of :data:`DEPOSIT_COLUMNS` to the header a file uses for it.
    An entry whose events cannot be a deposit history (a refund first, more refunded than
    deposited) is a problem (``BAD_DEPOSITS``); its rows are rejected. So is an entry with a
    row that could not be read (``DEPOSITS_INCOMPLETE``): a history is used whole or not at all.
    """
    if not sources:
        raise InputFileError("no deposits file given", field="sources")
    overrides = dict(mapping or {})
    unknown = sorted(set(overrides) - set(DEPOSIT_COLUMNS))
    if unknown:
        raise InputFileError(
            f"mapping names unknown fields {unknown}; known fields: {sorted(DEPOSIT_COLUMNS)}",
            field="mapping",
        )
    problems: list[Problem] = []
    found: dict[str, dict[tuple[str, date, Any], int]] = {}
    read = rejected = blank = 0
    names = []
    for item in sources:
        opened = open_rows(item, delimiter=delimiter)
        name, rows = opened.name, opened.rows
        source = _header(rows(), name, overrides)
        source.rows, source.delimiter, source.raw_line = rows, opened.delimiter, opened.raw_line
        names.append(name)
        dates: dict[str, date | None] = {}
        for number, row in _rows(source):
            if not row:
                blank += 1
                continue
            read += 1
            try:
                entry, event = _event(row, source.columns, dates)
            except BadCell as exc:
                rejected += 1
                problems.append(_problem(source, number, row, str(exc.args[0])))
                continue
            key = (event.kind, event.date, event.amount)
            events = found.setdefault(entry, {})
            if key in events:
                rejected += 1
                problems.append(
                    Problem(
                        code="DUPLICATE_ROW",
                        message=f"repeats row {events[key]} (same kind, date and amount): "
                        "counted once",
                        file=name,
                        row=number,
                        entry_number=entry,
                    )
                )
                continue
            events[key] = number
        read += source.rejected
        rejected += source.rejected
        problems.extend(source.problems)
        # The file's warnings (NO_LINE_END: its last amount may be cut short) keep no row out.
        problems.extend(source.warnings)
    # An entry with a row that could not be read has a history with a hole in it: a missing
    # refund row would leave interest on too much, a missing deposit on too little. The whole
    # history is withheld (the entry keeps its own deposit date), never used in part.
    unread = Counter(
        p.entry_number
        for p in problems
        if p.entry_number is not None
        and p.code not in ("DUPLICATE_ROW", "NO_LINE_END")
        and p.entry_number in found
    )
    deposits: dict[str, tuple[DepositEvent, ...]] = {}
    for entry, events in found.items():
        if entry in unread:
            rejected += len(events)
            problems.append(
                Problem(
                    code="DEPOSITS_INCOMPLETE",
                    message=f"{unread[entry]:,} row{'' if unread[entry] == 1 else 's'} of this entry's history "
                    "could not be read (see its problems): the history is not used, the entry "
                    "keeps its own deposit date; fix the rows and run again",
                    file=", ".join(names),
                    row=min(events.values()),
                    entry_number=entry,
                    rows=len(events),
                )
            )
            continue
        try:
            deposits[entry] = check_events(
                DepositEvent(kind=kind, date=day, amount=amount) for kind, day, amount in events
            )
        except ValidationError as exc:
            rejected += len(events)
            problems.append(
                Problem(
                    code="BAD_DEPOSITS",
                    message=str(exc),
                    file=", ".join(names),
                    row=min(events.values()),
                    entry_number=entry,
                    rows=len(events),
                )
            )
    return DepositsImport(
        deposits=deposits,
        problems=tuple(problems),
        files=tuple(names),
        rows_read=read,
        rows_used=read - rejected,
        rows_rejected=rejected,
        rows_blank=blank,
    )


def _rows(source: SourceFile) -> list[tuple[int, list[Any]]]:
    """The data rows of a deposits file, with every row :func:`._rows.data_rows` rejects
    rejected, as the ES-003 reader rejects them.

    A text row wider than the file's usual width (an unquoted comma in an amount on a row
    whose last cell is blank: ``31600000017,09/22/2025,1,234.56,`` is a deposit of $1) is
    known only once the whole file was seen, and ``data_rows`` rejects it from its second
    pass on. A history is a few rows per entry, so the first pass's rows are kept, and the
    file is read again only when that pass found such rows: the second pass's rows and
    problems then stand, each too-wide row a ``CELL_COUNT`` problem as in an ES-003.
    """
    rows = list(data_rows(source))
    if "deposit_date" not in source.columns:  # refused as day-first on the full pass
        raise InputFileError(
            f"{source.name}: " + "; ".join(w.message for w in source.warnings),
            field="file",
            value=source.name,
        )
    if source.late:
        rows = list(data_rows(source))
    return rows


def _event(
    row: Sequence[Any], columns: Mapping[str, int], dates: dict[str, date | None]
) -> tuple[str, DepositEvent]:
    entry = parse_entry_number(row[columns["entry_number"]])
    day = parse_date(row[columns["deposit_date"]], dates)
    if day is None:
        raise BadCell("no date")
    at = columns["amount"]
    amount = parse_amount(row[at])
    if (
        at + 1 < len(row)
        and (row[at].__class__ is str or row[at + 1].__class__ is str)
        and (whole := split_amount(row[at], row[at + 1])) is not None
    ):
        # A file whose rows are narrower than its header (an unfilled note column) takes a
        # shifted row's tail under the header: no width shows it, the cells do.
        raise BadCell(
            f"the amount and the next cell look like one amount ({whole!r}) split on an "
            "unquoted comma: quote the amount or remove its thousands separator"
        )
    if not amount:
        raise BadCell("no amount (a deposit or refund moves some money)")
    if "kind" in columns and (text := cell_text(row[columns["kind"]])):
        kind = _KINDS.get(norm(text))
        if kind is None:
            raise BadCell(f"not a kind of movement ({', '.join(sorted(set(_KINDS.values())))})")
        if amount < 0:
            raise BadCell("a negative amount with a kind: the kind already says which way")
    else:
        kind = "refund" if amount < 0 else "deposit"
    return entry, DepositEvent(kind=kind, date=day, amount=abs(amount))


def _problem(source: SourceFile, number: int, row: Sequence[Any], message: str) -> Problem:
    try:
        entry: str | None = parse_entry_number(row[source.columns["entry_number"]])
    except BadCell:
        entry = None
    return Problem(
        code="BAD_VALUE", message=message, file=source.name, row=number, entry_number=entry
    )


def with_deposits(
    entries: Iterable[Entry],
    deposits: DepositsImport | Mapping[str, Sequence[DepositEvent]],
) -> DepositsAttached:
    """``entries`` with the deposit histories of ``deposits`` (a :func:`read_deposits` result).

    Every history ends on its entry or in a problem: ``DEPOSITS_WITHOUT_ENTRY`` (no such
    entry among ``entries``), ``DEPOSIT_DATE_MISMATCH`` (the entry's deposit date is not the
    first deposit's: the entry is left as it was), ``DEPOSITS_REPLACED`` (the entry already
    had a history, from ES-003 columns: the file's replaces it), ``DEPOSITS_NOT_DUTY_PAID``
    (the history, attached, nets to other than the entry's duty amounts: its refund then
    withholds the interest; see :func:`ieepa_refund.entry.duty_mismatch`).
    """
    by_entry = deposits.deposits if isinstance(deposits, DepositsImport) else dict(deposits)
    where = ", ".join(deposits.files) if isinstance(deposits, DepositsImport) else "deposits"
    problems: list[Problem] = []
    out: list[Entry] = []
    seen: set[str] = set()
    for entry in entries:
        events = by_entry.get(entry.entry_number)
        if events is None:
            out.append(entry)
            continue
        seen.add(entry.entry_number)
        ordered = check_events(events)
        if entry.deposit_date is not None and entry.deposit_date != ordered[0].date:
            problems.append(
                _note(
                    "DEPOSIT_DATE_MISMATCH",
                    f"the entry's deposit date {entry.deposit_date.isoformat()} is not the first "
                    f"deposit's {ordered[0].date.isoformat()}: the deposits are not attached",
                    where,
                    entry.entry_number,
                )
            )
            out.append(entry)
            continue
        if entry.deposits:
            problems.append(
                _note(
                    "DEPOSITS_REPLACED",
                    f"the entry's {len(entry.deposits)} events (from ES-003 columns) are "
                    f"replaced by the {len(ordered)} of the deposits file",
                    where,
                    entry.entry_number,
                )
            )
        attached = Entry.model_validate({**entry.model_dump(), "deposits": ordered})
        mismatch = duty_mismatch(attached)
        if mismatch is not None:
            # Attached all the same: its refund withholds the interest (DEPOSITS_NOT_DUTY_PAID),
            # where the entry's own deposit date alone would accrue on the wrong money.
            problems.append(_not_duty_paid(attached, mismatch, where))
        out.append(attached)
    for number in by_entry:
        if number not in seen:
            problems.append(
                _note(
                    "DEPOSITS_WITHOUT_ENTRY",
                    f"{len(by_entry[number])} deposit event(s) for an entry that is not among "
                    "the entries: not used",
                    where,
                    number,
                )
            )
    return DepositsAttached(entries=tuple(out), problems=tuple(problems))


def _not_duty_paid(entry: Entry, mismatch: DutyMismatch, where: str) -> Problem:
    moved = f"deposits {mismatch.deposited}" + (
        f" less pre-liquidation refunds {mismatch.refunded}" if mismatch.refunded else ""
    )
    duty = f"add to {mismatch.duty}"
    if not mismatch.whole:
        duty = f"add to at least {mismatch.duty} (some amounts not reported or rows rejected)"
    return _note(
        "DEPOSITS_NOT_DUTY_PAID",
        f"the deposit history of entry {entry.display_number} nets to {mismatch.net} ({moved}) "
        f"but the entry's ES-003 duties {duty}, the duty paid after any correction: the "
        "interest is withheld; correct this entry's rows in the deposits file (a typo, a row "
        "missing or too many) or the ES-003, and run again",
        where,
        entry.entry_number,
    )


def _note(code: str, message: str, where: str, entry: str) -> Problem:
    return Problem(code=code, message=message, file=where, entry_number=entry, rows=0)
