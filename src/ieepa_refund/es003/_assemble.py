"""Streaming ES-003 rows into entries: each entry is built and handed over as its last row arrives."""

from __future__ import annotations

import functools
import gc
import operator
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pydantic
from pydantic import ConfigDict

from .. import entry_number as _entry_number
from .. import hts as _hts
from .._trusted import builder
from ..entry import _ENTRY_TYPE, PARTY_NUMBER, Entry, EntryLine, Tariff
from ..errors import InputFileError, InvalidChecksum, ValidationError
from ..interest import DepositEvent
from ..interest._segments import check_events
from ..rates import parse_rate
from ._cells import (
    COUNTRY,
    DATE_FIELDS,
    ENTRY_PARSERS,
    FLAG_FIELDS,
    LINE_MAX,
    BadCell,
    cell_text,
    parse_amount,
    parse_date,
    parse_entry_number,
    parse_line_number,
    parse_ordinal,
    parse_quantity,
)
from ._columns import COLUMNS, DEPOSIT_FIELDS, ENTRY_FIELDS, norm
from ._sources import SourceFile, data_rows, open_source
from .report import Es003Import, Es003Report, FileReport, Problem, summarise

_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: What an ES-003 source may be: a path, an open file (text or binary) or a pandas DataFrame.
Es003Source = str | Path | IO[str] | IO[bytes] | Any
#: How often, in rows, the progress callback is called.
PROGRESS_EVERY = 100_000
#: Distinct amount cells whose parse is kept for the rest of a file.
_AMOUNTS_KEPT = 4096


@dataclass(slots=True)
class _Acc:
    """What one entry has gathered so far."""

    number: str
    file: str
    first_row: int
    fields: dict[str, Any] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    """Field -> the row its value was first read on, when not the entry's first row."""
    countries: dict[int, str] = field(default_factory=dict)
    tariffs: dict[tuple[int, str], dict[int | None, list[Any]]] = field(default_factory=dict)
    """(line, HTS number) -> tariff ordinal -> [value, quantity, unit, rate, duty]."""
    rows: int = 0
    duplicates: list[Problem] = field(default_factory=list)
    """Repeats of a row already read: reported once the entry is known to be kept."""
    conflicts: list[Problem] = field(default_factory=list)
    raw: tuple[Any, ...] | None = None
    """The raw cells of the entry's own fields last parsed: a row repeating them needs no parse."""


class Es003Stream:
    """Entries from ES-003 files, each yielded as soon as all of its rows have been read.

    Reading takes two passes over the files: the first counts each entry's rows
    (memory grows with the number of entries), the second builds entries and
    hands each one over the moment its last row arrives, so a caller that keeps
    only what it needs from each entry runs in memory that grows with entries,
    not with the file. Rows of one entry may be anywhere in any of the files.
    Entries come in the order they complete. :attr:`report` gives the problems
    and counts once the iteration has finished.
    """

    def __init__(
        self,
        sources: tuple[Any, ...],
        mapping: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
        delimiter: str | None = None,
    ) -> None:
        if not sources:
            raise InputFileError("no ES-003 file given", field="sources")
        self._overrides = _overrides(mapping or {})
        self._files = [
            open_source(source, self._overrides, delimiter=delimiter) for source in sources
        ]
        self._progress = progress
        self._report: Es003Report | None = None
        self._started = False

    @property
    def report(self) -> Es003Report:
        if self._report is None:
            raise RuntimeError("the report is ready once every entry has been read")
        return self._report

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("an Es003Stream is read once; call stream_es003 again")
        self._started = True
        entries = self._entries()
        while True:
            # Raised only while the reader works, put back before each entry is handed over:
            # the caller's own code, and a stream it abandons, never run with it raised.
            with _fewer_collections:
                entry = next(entries, None)
            if entry is None:
                return
            yield entry

    def _entries(self) -> Iterator[Entry]:
        remaining: dict[str, int] = {}
        unread: dict[str, int] = {}
        state = _State(remaining=remaining, bad_rows=unread)
        for source in self._files:
            _count_rows(source, remaining, unread, state.numbers)
        for source in self._files:
            before = state.read
            yield from _read_rows(source, state, self._progress)
            # Rows the source could not read as rows (a stray quote, an oversized cell).
            state.read += source.rejected
            state.rejected += source.rejected
            state.problems.extend(source.problems)
            state.reports.append(
                FileReport(
                    file=source.name,
                    format=source.kind,
                    encoding=source.encoding,
                    sheet=source.sheet,
                    header_row=source.header_row,
                    recognised={
                        name: source.headers[index]
                        for name, index in sorted(source.columns.items())
                    },
                    ignored=tuple(source.ignored),
                    rows_read=state.read - before,
                    delimiter=source.delimiter,
                    mapped=dict(source.mapped),
                    ambiguous=tuple(source.ambiguous),
                    warnings=tuple(source.warnings),
                )
            )
        for acc in list(state.accs.values()):  # entries whose rows never all arrived (bad rows)
            entry = _finish(acc, state)
            if entry is not None:
                yield entry
        self._report = Es003Report(
            problems=tuple(summarise(state.problems)),
            files=tuple(state.reports),
            rows_read=state.read,
            rows_used=state.read - state.rejected,
            rows_rejected=state.rejected,
            rows_duplicate=state.duplicate,
            rows_blank=state.blank,
            entry_count=state.entries,
            entries_incomplete=state.incomplete,
            # Entries none of whose rows could be used never reached an accumulator.
            entries_rejected=state.entries_rejected + len(state.bad_rows),
        )


@dataclass
class _State:
    remaining: dict[str, int]
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
    bad_rows: dict[str, int] = field(default_factory=dict)
    """Entry number -> rows of it rejected so far (the entry will be flagged incomplete)."""
    dates: dict[str, date | None] = field(default_factory=dict)
    fields_sets: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # Most cells repeat: an entry's own fields on each of its rows, a few thousand HTS numbers
    # and countries across the files. Each distinct text cell is parsed once, and every entry
    # holding its value holds one shared object (an entry held in memory is the smaller).
    numbers: _Parsed = field(default_factory=lambda: _Parsed(parse_entry_number, keep=None))
    """Entry-number cell -> entry number, filled by the counting pass and reused by the reading
    pass, which forgets an entry's cell once its last row is read."""
    lines: _Parsed = field(default_factory=lambda: _Parsed(parse_line_number, keep=None))
    countries: _Parsed = field(default_factory=lambda: _Parsed(_country, keep=None))
    codes: _Parsed = field(default_factory=lambda: _Parsed(_hts_number, keep=None))
    ordinals: _Parsed = field(default_factory=lambda: _Parsed(parse_ordinal, keep=None))
    # Amounts are mostly distinct: only the first few thousand are kept, enough for the common
    # ones ("0.00"), without holding a file's worth of them. The same bound for the rest.
    amounts: _Parsed = field(default_factory=lambda: _Parsed(parse_amount))
    quantities: _Parsed = field(default_factory=lambda: _Parsed(parse_quantity))
    units: _Parsed = field(default_factory=lambda: _Parsed(_unit))
    rates: _Parsed = field(default_factory=lambda: _Parsed(_rate))
    kept: dict[str, _Kept] = field(
        default_factory=lambda: {name: _Kept(check) for name, check in _AS_KEPT.items()}
    )
    """Field -> whether a value is as the Entry model keeps it (see :func:`_checked_entry`)."""
    entry_fields: dict[str, _Parsed] = field(default_factory=dict)
    """Field name -> its cells parsed (an entry's own fields: type, parties, dates, flags)."""

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


#: The youngest generation's collection threshold while entries stream (Python's default: 700).
#: Reading makes millions of objects and frees them entry by entry, with no reference cycles to
#: find; collecting every 700 allocations cost about 4% of a streamed job.
GC_THRESHOLD_STREAMING = 100_000
_GC_LOCK = threading.Lock()
_gc_saved: list[tuple[int, int, int]] = []
"""The threshold to restore, while any stream is open (one entry per open stream)."""


class _FewerCollections:
    """The garbage collector's youngest threshold raised while streaming, then put back.

    Streams may be open at once (nested, in threads): the first one in saves the threshold and
    the last one out restores it, unless the caller has set another in the meantime. A class,
    not a generator-based context manager: it is entered for every entry a stream hands over.
    """

    __slots__ = ()

    def __enter__(self) -> None:
        with _GC_LOCK:
            if not _gc_saved:
                saved = gc.get_threshold()
                _gc_saved.append(saved)
                if 0 < saved[0] < GC_THRESHOLD_STREAMING:  # 0: collection is off; left so
                    gc.set_threshold(GC_THRESHOLD_STREAMING, *saved[1:])
            else:
                _gc_saved.append(_gc_saved[0])

    def __exit__(self, *_: object) -> None:
        with _GC_LOCK:
            saved = _gc_saved.pop()
            if not _gc_saved and gc.get_threshold()[0] == GC_THRESHOLD_STREAMING:
                gc.set_threshold(*saved)


_fewer_collections = _FewerCollections()


def sample_es003() -> Path:
    """The bundled synthetic ES-003 sample (not real trade data), for trying the library."""
    from .._resources import shipped

    return Path(str(shipped("examples", "sample_es003.csv")))


def stream_es003(
    *sources: Es003Source,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    delimiter: str | None = None,
) -> Es003Stream:
    """Iterate the entries of ES-003 exports in memory that grows with entries; see :class:`Es003Stream`.

    Fails at once with :class:`InputFileError` for a missing file or header.
    """
    return Es003Stream(sources, mapping, progress, delimiter)


def read_es003(
    *sources: Es003Source,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    delimiter: str | None = None,
) -> Es003Import:
    """Read ES-003 exports (CSV, tab-delimited or .xlsx) into entries, problems and counts.

    ``mapping`` maps a canonical field (a key of :data:`COLUMNS`, such as
    ``"entry_number"``) to the header a file uses for it, overriding the
    built-in names. ``progress`` is called with the number of rows read so far,
    every :data:`PROGRESS_EVERY` rows. Entries come in the order they complete;
    for a file sorted by entry, the file's order.

    A source is a path, an open file (text or binary; read whole into memory, since
    reading takes two passes) or a pandas DataFrame. ``delimiter`` names a text file's
    delimiter; by default comma, tab or semicolon is detected.
    """
    stream = stream_es003(*sources, mapping=mapping, progress=progress, delimiter=delimiter)
    entries = tuple(stream)
    return Es003Import(entries=entries, **dict(stream.report))


def _overrides(mapping: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise InputFileError(
            "mapping is a dict of field -> header, both text, e.g. {'duty': 'Duty Amt'}",
            field="mapping",
            value=repr(mapping)[:80],
        )
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        raise InputFileError(
            f"mapping names unknown fields {unknown}; known fields: {sorted(COLUMNS)}",
            field="mapping",
        )
    overrides = {norm(header): name for name, header in mapping.items()}
    if len(overrides) < len(mapping):  # two fields mapped to one header: neither is sure
        raise InputFileError("mapping names one header for two fields", field="mapping")
    return overrides


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


def _unit(cell: Any) -> str | None:
    return cell_text(cell).upper() or None


def _country(cell: Any) -> str:
    country = cell_text(cell).upper()
    if not COUNTRY.fullmatch(country):
        raise BadCell("a country of origin is a 2-letter ISO code")
    return country


def _hts_number(cell: Any) -> str:
    return _hts.validate(cell_text(cell))


def _rate(cell: Any) -> str | None:
    text = cell_text(cell)
    return parse_rate(text).text if text else None


def _count_rows(
    source: SourceFile, remaining: dict[str, int], unread: dict[str, int], numbers: _Parsed
) -> None:
    """Count each entry's rows; note, per entry, the rows the source could not read as rows
    (a stray quote, an oversized cell), so that the entry is flagged incomplete."""
    index = source.columns["entry_number"]
    for _, row in data_rows(source):
        if row:
            try:
                number = numbers[row[index]]
            except BadCell:
                continue
            remaining[number] = remaining.get(number, 0) + 1
    for problem in source.problems:
        if problem.entry_number is not None:
            unread[problem.entry_number] = unread.get(problem.entry_number, 0) + 1


def _read_rows(
    source: SourceFile, state: _State, progress: Callable[[int], None] | None
) -> Iterator[Entry]:
    file, headers, columns = source.name, source.headers, source.columns
    entry_fields = [(name, columns[name]) for name in ENTRY_FIELDS if name in columns]
    parsers = [(name, index, state.parser(name)) for name, index in entry_fields]
    at = columns.get
    i_entry, i_line, i_country, i_hts = (
        columns[n] for n in ("entry_number", "line_number", "country_of_origin", "hts")
    )
    i_ord, i_value, i_duty, i_qty, i_unit, i_rate = (
        at(n) for n in ("tariff_ordinal", "value", "duty", "quantity", "unit", "rate")
    )
    accs, remaining = state.accs, state.remaining
    own_cells = _getter([index for _, index in entry_fields])
    numbers, lines, countries, codes = state.numbers, state.lines, state.countries, state.codes
    ordinals, amounts, quantities = state.ordinals, state.amounts, state.quantities
    units, rates = state.units, state.rates
    read = state.read
    try:
        for number, row in data_rows(source):
            if not row:
                state.blank += 1
                continue
            read += 1
            if progress is not None and read % PROGRESS_EVERY == 0:
                progress(read)
            entry_no: str | None = None
            column = "entry_number"
            try:
                entry_no = numbers[row[i_entry]]
                column = "line_number"
                line_no = lines[row[i_line]]
                column = "country_of_origin"
                country = countries[row[i_country]]
                column = "hts"
                hts = codes[row[i_hts]]
                column = "tariff_ordinal"
                ordinal = None if i_ord is None else ordinals[row[i_ord]]
                column = "value"
                value = None if i_value is None else amounts[row[i_value]]
                column = "duty"
                duty = None if i_duty is None else amounts[row[i_duty]]
                column = "quantity"
                quantity = None if i_qty is None else quantities[row[i_qty]]
                if value is not None and value < _ZERO:
                    column = "value"
                    raise BadCell(_NEGATIVE)
                if duty is not None and duty < _ZERO:
                    column = "duty"
                    raise BadCell(_NEGATIVE)
                if quantity is not None and quantity < _ZERO:
                    column = "quantity"
                    raise BadCell(_NEGATIVE)
                column = "unit"
                unit = None if i_unit is None else units[row[i_unit]]
                column = "rate"
                rate = None if i_rate is None else rates[row[i_rate]]
                raw = own_cells(row)
                acc = accs.get(entry_no)
                fields: dict[str, Any] | None = None
                if acc is None or acc.raw != raw:
                    fields = {}
                    for name, index, parse in parsers:
                        column = name
                        fields[name] = parse[row[index]]
            except (BadCell, ValidationError, ArithmeticError) as exc:
                # ArithmeticError: a number cell no parser should let through ('Infinity' as a
                # line number): still that row's problem, never a traceback.
                state.rejected += 1
                if entry_no is not None:
                    state.bad_rows[entry_no] = state.bad_rows.get(entry_no, 0) + 1
                message = (
                    str(exc.args[0])
                    if isinstance(exc, BadCell)
                    else _bare(exc)
                    if isinstance(exc, ValidationError)
                    else "not a usable number"
                )
                state.problems.append(
                    Problem(
                        code="BAD_VALUE",
                        message=message,
                        file=file,
                        row=number,
                        column=str(headers[columns[column]]) if column in columns else column,
                        value=cell_text(row[columns[column]]) if column in columns else None,
                        entry_number=entry_no,
                    )
                )
            else:
                first = acc is None
                if acc is None:
                    acc = accs[entry_no] = _Acc(number=entry_no, file=file, first_row=number)
                if fields is not None:
                    acc.raw = raw
                tariff = [value, quantity, unit, rate, duty]
                key = (line_no, hts)
                slot = acc.tariffs.get(key)
                if slot is None:  # the common case: a tariff not seen before on this entry
                    acc.tariffs[key] = {ordinal: tariff}
                    acc.rows += 1
                else:
                    _add_repeat(acc, file, number, line_no, ordinal, hts, tariff, slot)
                # The origin and the entry's own fields are checked on every row, repeats
                # included, so that a disagreement is found whichever row comes first.
                known = acc.countries.setdefault(line_no, country)
                if known != country:
                    acc.conflicts.append(
                        Problem(
                            code="CONFLICTING_ROWS",
                            message=f"line {line_no} has two countries of origin",
                            file=file,
                            row=number,
                            column=str(headers[i_country]),
                            value=" / ".join(sorted((known, country))),
                            entry_number=acc.number,
                        )
                    )
                if fields is None:
                    pass
                elif first:
                    # Nothing to agree with yet; each field's row is the first row, which
                    # acc.where leaves implicit.
                    acc.fields = {
                        name: value for name, value in fields.items() if value is not None
                    }
                else:
                    _merge(acc, fields, file, number, headers, columns)
            if entry_no is not None:
                left = remaining.get(entry_no, 0) - 1
                if left > 0:
                    remaining[entry_no] = left
                    continue
                # The entry's last row: no row of it is left in any file (the counting pass saw
                # them all), so its count and its number's cell are forgotten, and memory
                # follows the entries still open, not every entry of the file.
                remaining.pop(entry_no, None)
                numbers.pop(row[i_entry], None)
                if entry_no in accs:
                    entry = _finish(accs[entry_no], state)
                    if entry is not None:
                        yield entry
    finally:
        state.read = read


_NEGATIVE = "a negative amount (a correction?) cannot be used"
_ZERO = Decimal(0)  # a Decimal compares with a Decimal twice as fast as with an int


def _getter(indexes: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """The cells at ``indexes`` of a row, as a tuple (itemgetter returns a bare cell for one)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda row: tuple([row[index] for index in indexes])


def _add_repeat(
    acc: _Acc,
    file: str,
    number: int,
    line_no: int,
    ordinal: int | None,
    hts: str,
    tariff: list[Any],
    ordinals: dict[int | None, list[Any]],
) -> None:
    """A row for a line and HTS number the entry has already: a new tariff ordinal, a repeat
    merged into the first, or a conflict.

    Whether rows repeat or conflict never depends on their order: a repeat is a row whose
    every cell equals the earlier one's or is blank on one side (the values of both are
    kept), and a conflict is two different values for one cell, whichever comes first.
    """
    seen = ordinals.get(ordinal)
    repeat = False
    if seen is None and ordinals and (ordinal is None or None in ordinals):
        # A blank ordinal against a present one: the same tariff or a second one? Never a guess.
        other = next(o for o in ordinals if o != ordinal)
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no}, {_hts.format(hts)} has a tariff ordinal on one row "
                f"({other if ordinal is None else ordinal}) and none on another",
                file=file,
                row=number,
                column="tariff_ordinal",
                entry_number=acc.number,
            )
        )
    elif seen is None:
        ordinals[ordinal] = tariff
    elif _compatible(seen, tariff):
        repeat = True
        _fill(seen, tariff)
        acc.duplicates.append(
            Problem(
                code="DUPLICATE_ROW",
                message=f"repeats an earlier row of line {line_no}, {_hts.format(hts)} "
                "(blank cells filled from either); counted once",
                file=file,
                row=number,
                entry_number=acc.number,
            )
        )
    else:
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no}, {_hts.format(hts)} appears twice with different values",
                file=file,
                row=number,
                entry_number=acc.number,
            )
        )
    if not repeat:
        acc.rows += 1


def _compatible(seen: Sequence[Any], tariff: Sequence[Any]) -> bool:
    return all(a is None or b is None or a == b for a, b in zip(seen, tariff, strict=True))


def _fill(seen: list[Any], tariff: Sequence[Any]) -> None:
    for index, value in enumerate(tariff):
        if seen[index] is None:
            seen[index] = value


#: Free-text fields in which case, spacing and accents are cosmetic, not a second value.
_TEXT_FIELDS = frozenset({"importer_name", "port_of_entry", "liquidation_status", "summary_status"})


def _fold(text: str) -> str:
    """The form two spellings share when they differ only in case, spacing or accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _agree(name: str, known: Any, value: Any) -> bool:
    if known == value:
        return True
    return name in _TEXT_FIELDS and _fold(str(known)) == _fold(str(value))


def _merge(
    acc: _Acc,
    fields: Mapping[str, Any],
    file: str,
    number: int,
    headers: list[Any],
    columns: Mapping[str, int],
) -> None:
    for name, value in fields.items():
        if value is None:
            continue
        known = acc.fields.get(name)
        if known is None:
            acc.fields[name] = value
            acc.where[name] = number
        elif _agree(name, known, value):
            if known != value:
                # One spelling is kept, the same whatever the order of the rows.
                acc.fields[name] = min(known, value)
        else:
            acc.conflicts.append(
                Problem(
                    code="CONFLICTING_ENTRY_VALUES",
                    message=f"two values for {name} on one entry "
                    f"(first at row {acc.where.get(name, acc.first_row)})",
                    file=file,
                    row=number,
                    column=str(headers[columns[name]]),
                    value=" / ".join(sorted((str(known), str(value)))),
                    entry_number=acc.number,
                )
            )


def _bare(exc: Exception) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _finish(acc: _Acc, state: _State) -> Entry | None:
    """Turn a complete entry's rows into an Entry, or into problems; forget the rows.

    An entry some of whose rows were rejected is still built from the rest, flagged with
    ``incomplete_rows``; one whose number has a wrong check digit is built, flagged with
    ``bad_check_digit``: their money is seen, and refunds and screening say what is wrong.
    """
    del state.accs[acc.number]
    missing = state.bad_rows.pop(acc.number, 0)
    if acc.conflicts:
        # Every row of the entry is kept out, repeats included: they are folded into the
        # conflict, so that what is reported does not depend on the order of the rows.
        first, *rest = acc.conflicts
        state.problems.append(first.model_copy(update={"rows": acc.rows + len(acc.duplicates)}))
        state.problems.extend(p.model_copy(update={"rows": 0}) for p in rest)
        state.rejected += acc.rows + len(acc.duplicates)
        state.entries_rejected += 1
        return None
    flags: dict[str, Any] = {}
    notes: list[Problem] = []
    # The check digit is computed once here: an entry built below is not validated again.
    shaped = _entry_number.shaped(acc.number)
    if (
        not _entry_number.check_digit_matches(acc.number)
        if shaped
        else _bad_check_digit(acc.number)
    ):
        flags["bad_check_digit"] = True
        notes.append(
            Problem(
                code="BAD_CHECK_DIGIT",
                message="the entry number's check digit does not match: the entry is kept, "
                "flagged, and CAPE declarations treat it as check_digits says",
                file=acc.file,
                row=acc.first_row,
                column="entry_number",
                value=acc.number,
                entry_number=acc.number,
                rows=0,
            )
        )
    if missing:
        flags["incomplete_rows"] = missing
        notes.append(
            Problem(
                code="INCOMPLETE_ENTRY",
                message=f"{missing} of this entry's rows were rejected (see them above): the "
                f"entry is built from its other {acc.rows} row(s) and flagged incomplete",
                file=acc.file,
                row=acc.first_row,
                entry_number=acc.number,
                rows=0,
            )
        )
    deposits = _deposits(acc, notes)
    if deposits:
        flags["deposits"] = deposits
    own = {
        name: value
        for name, value in acc.fields.items()
        if value is not None and name not in DEPOSIT_FIELDS
    }
    given = {"entry_number": acc.number, **own, "lines": _lines(acc), **flags}
    # The rows' values were checked one by one above, and so were the entry's own fields
    # when they are as the Entry model keeps them: such an entry is built as it stands. Any
    # other goes to the model, which says what is wrong in its own words.
    entry = _checked_entry(given, own, state) if shaped else None
    if entry is not None:
        return _kept(entry, acc, state, notes, missing)
    try:
        entry = Entry.model_validate(given)
    except pydantic.ValidationError as exc:
        state.rejected += acc.rows + len(acc.duplicates)
        state.entries_rejected += 1
        for index, error in enumerate(exc.errors(include_url=False)):
            location = ".".join(str(part) for part in error["loc"])
            # The validator's own exception says what is wrong (pydantic's msg wraps it).
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, ValidationError):
                text = cause.reason
            elif isinstance(cause, Exception):
                text = str(cause)
            else:
                text = error["msg"]
            message = text if text.startswith(f"{location}:") else f"{location}: {text}"
            state.problems.append(
                Problem(
                    code="BAD_ENTRY",
                    message=message,
                    file=acc.file,
                    row=acc.where.get(location, acc.first_row),
                    column=location,
                    value=None if error.get("input") is None else cell_text(error["input"])[:80],
                    entry_number=acc.number,
                    rows=acc.rows + len(acc.duplicates) if index == 0 else 0,
                )
            )
        return None
    # Entries of one file set the same few combinations of fields: one shared set of names for
    # each, not a set per entry (a set of 20 names is 1-2 KB, a quarter of an entry).
    names = entry.__pydantic_fields_set__
    shared = state.fields_sets.setdefault(tuple(sorted(names)), names)
    object.__setattr__(entry, "__pydantic_fields_set__", shared)
    return _kept(entry, acc, state, notes, missing)


def _kept(entry: Entry, acc: _Acc, state: _State, notes: list[Problem], missing: int) -> Entry:
    state.problems.extend(acc.duplicates)
    state.duplicate += len(acc.duplicates)
    state.rejected += len(acc.duplicates)
    state.problems.extend(notes)
    state.entries += 1
    state.incomplete += bool(missing)
    return entry


def _deposits(acc: _Acc, notes: list[Problem]) -> tuple[DepositEvent, ...]:
    """The entry's deposit history from the supplemental deposit and pre-liquidation refund columns.

    The duty amounts of an ES-003 are the entry summary as it stands, after any post-summary
    correction, so the original deposit is their sum less the supplemental deposit plus the
    refund. Anything that keeps the history from being whole (a date without an amount, no
    deposit date, a duty not reported) leaves the entry on its single deposit, with a note.
    """
    if acc.fields.keys().isdisjoint(DEPOSIT_FIELDS):
        return ()  # blank: nothing moved
    found = {name: acc.fields.get(name) for name in DEPOSIT_FIELDS}
    moves = [
        ("deposit", found["supplemental_deposit_amount"], found["supplemental_deposit_date"]),
        ("refund", found["pre_liquidation_refund_amount"], found["pre_liquidation_refund_date"]),
    ]
    if not any(amount or day for _, amount, day in moves):
        return ()  # blank or zero: nothing moved

    def unused(why: str) -> tuple[DepositEvent, ...]:
        notes.append(
            Problem(
                code="DEPOSITS_NOT_USED",
                message=f"{why}: interest runs from the single deposit date",
                file=acc.file,
                row=acc.first_row,
                entry_number=acc.number,
                rows=0,
            )
        )
        return ()

    for kind, amount, day in moves:
        if bool(amount) != (day is not None):
            what = "supplemental deposit" if kind == "deposit" else "pre-liquidation refund"
            return unused(
                f"the {what} has {'an amount' if amount else 'a date'} but no "
                f"{'date' if amount else 'amount'}"
            )
    first = acc.fields.get("deposit_date")
    if first is None:
        return unused(
            "a supplemental deposit or pre-liquidation refund needs the date of the "
            "original deposit (the deposit_date column)"
        )
    duties = [t[4] for slot in acc.tariffs.values() for t in slot.values()]
    if any(duty is None for duty in duties):
        return unused("a duty amount is not reported, so the original deposit is not known")
    net = sum(duties, Decimal(0))
    added = sum((amount or 0 for kind, amount, _ in moves if kind == "deposit"), Decimal(0))
    taken = sum((amount or 0 for kind, amount, _ in moves if kind == "refund"), Decimal(0))
    original = net - added + taken
    if original <= 0:
        return unused(
            f"the duties ({net}) less the supplemental deposit ({added}) plus the "
            f"refund ({taken}) leave no original deposit"
        )
    events = [DepositEvent(kind="deposit", date=first, amount=original)]
    for kind, amount, day in moves:
        if amount and day is not None:
            if day < first:
                return unused(
                    f"a {kind} on {day.isoformat()} is before the deposit date {first.isoformat()}"
                )
            events.append(DepositEvent(kind=kind, date=day, amount=amount))
    try:
        return check_events(events)
    except ValidationError as exc:
        return unused(str(exc))


def _bad_check_digit(number: str) -> bool:
    """The right shape for an entry number, but a check digit that does not match."""
    try:
        _entry_number.validate(number)
    except InvalidChecksum:
        return True
    except ValidationError:
        return False
    return False


_make_tariff = builder(Tariff)
_make_line = builder(EntryLine)
_make_entry = builder(Entry)
#: Every field of an Entry with its default, in field order (None for the required ones,
#: which :func:`_checked_entry` makes sure are given).
_ENTRY_DEFAULTS = {
    name: None if info.is_required() else info.default for name, info in Entry.model_fields.items()
}
_ENTRY_REQUIRED = frozenset(name for name, info in Entry.model_fields.items() if info.is_required())


def _lines(acc: _Acc) -> tuple[EntryLine, ...]:
    # Sorted on every key, so the tariffs' order never depends on the order of the rows.
    # Without ordinals, ACE's own order: Chapter 99 numbers before the Chapter 1-97 number.
    # (line, ordinal, HTS number) is unique, so the sort never compares the tariffs themselves.
    # A blank ordinal sorts after every ordinal (LINE_MAX is the largest).
    found = sorted(
        (line_no, _NO_ORDINAL if ordinal is None else ordinal, hts[:2] != "99", hts, tariff)
        for (line_no, hts), slot in acc.tariffs.items()
        for ordinal, tariff in slot.items()
    )
    lines: list[EntryLine] = []
    countries = acc.countries
    current = found[0][0]
    tariffs: list[Tariff] = []
    for line_no, _, _, hts, (value, quantity, unit, rate, duty) in found:
        if line_no != current:
            lines.append(_make_line(current, countries[current], tuple(tariffs)))
            current, tariffs = line_no, []
        tariffs.append(_make_tariff(hts, value, quantity, unit, rate, duty))
    lines.append(_make_line(current, countries[current], tuple(tariffs)))
    return tuple(lines)


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


def _checked_entry(given: dict[str, Any], own: dict[str, Any], state: _State) -> Entry | None:
    """The Entry the model would make of ``given``, built without validating it again; None
    when any of the entry's own fields (``own``) is not as the model keeps it (the model
    then decides).

    The rest of ``given`` is made by :func:`_finish`: an entry number of the compact shape
    whose check digit was computed there (``bad_check_digit`` says how it came out), lines
    built from checked rows, a count of rejected rows, and deposits from :func:`check_events`.
    """
    kept = state.kept
    for name, value in own.items():
        check = kept.get(name)
        if check is None or not check[value]:
            return None
    if not given.keys() >= _ENTRY_REQUIRED or not given["lines"]:
        return None
    liquidated = given.get("liquidation_date")
    if liquidated is not None and liquidated < given["entry_date"]:
        return None
    deposits = given.get("deposits")
    if deposits and given.get("deposit_date") not in (None, deposits[0].date):
        return None
    values = _ENTRY_DEFAULTS.copy()
    values.update(given)  # every name given is a field: the order stays the fields' order
    entry = _make_entry(*values.values())
    # Set as validation sets it, to the fields given; one shared set for each combination.
    key = tuple(given)
    names = state.fields_sets.get(key)
    if names is None:
        names = state.fields_sets[key] = set(key)
    object.__setattr__(entry, "__pydantic_fields_set__", names)
    return entry


_NO_ORDINAL = LINE_MAX + 1
