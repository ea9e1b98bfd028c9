"""Streaming ES-003 rows into entries: each entry is built and handed over as its last row arrives."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

from ..entry import Entry
from ..errors import InputFileError, ValidationError
from ._acc import _Acc, _add_repeat, _merge
from ._build import _finish, _finish_plain, build_plain
from ._cells import BadCell, cell_text, parse_entry_number, protest_placeholder
from ._columns import COLUMNS, ENTRY_FIELDS, norm
from ._header import SourceFile, open_source
from ._parsing import _bare, _getter, _Parsed, _State
from ._rows import data_rows
from .report import Es003Import, Es003Report, FileReport, Problem, summarise

#: What an ES-003 source may be: a path, an open file (text or binary) or a pandas DataFrame.
Es003Source = str | Path | IO[str] | IO[bytes] | Any
#: How often, in rows, the progress callback is called.
PROGRESS_EVERY = 100_000


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
            open_source(source, self._overrides, delimiter=delimiter, name=name)
            for source, name in zip(sources, _names(sources), strict=True)
        ]
        self._progress = progress
        self._report: Es003Report | None = None
        self._started = False
        self._hold = False
        self._plain = False
        """Set by the lean engine (``bulk.lean``): an entry that would be built as it stands,
        with nothing to report, is handed over as its accumulator (:func:`._build._finish_plain`),
        which the engine computes from or builds with :meth:`_build`."""
        self._state: _State | None = None
        """Whether the caller keeps every entry (set by read_es003): equal amounts are then
        held once across entries (see ``_State.held``)."""

    @property
    def report(self) -> Es003Report:
        if self._report is None:
            raise RuntimeError("the report is ready once every entry has been read")
        return self._report

    def _build(self, acc: _Acc) -> Entry:
        """The Entry of an accumulator this stream handed over (plain mode), as the stream
        would have built it; while the stream is being read."""
        if self._state is None:
            raise RuntimeError("an accumulator is built while its stream is read")
        return build_plain(acc, self._state)

    def _items(self) -> Iterator[Entry | _Acc]:
        """The reading pass itself, entries (and, in plain mode, accumulators) as they
        complete; the caller raises the collector's threshold around each step
        (:data:`fewer_collections`), as :meth:`__iter__` does."""
        if self._started:
            raise RuntimeError("an Es003Stream is read once; call stream_es003 again")
        self._started = True
        return self._entries()

    def __iter__(self) -> Iterator[Entry]:
        entries = self._items()
        while True:
            # Raised only while the reader works, put back before each entry is handed over:
            # the caller's own code, and a stream it abandons, never run with it raised.
            with _fewer_collections:
                entry = next(entries, None)
            if entry is None:
                return
            # An accumulator only in the lean engine's plain mode, which reads both.
            yield cast(Entry, entry)

    def _entries(self) -> Iterator[Entry | _Acc]:
        remaining: dict[Any, int] = {}
        unread: dict[str, int] = {}
        state = _State(remaining=remaining, bad_rows=unread)
        if self._hold:
            state.held, state.held_tariffs = {}, {}
        state.plain = self._plain
        self._state = state
        for source in self._files:
            _count_rows(source, remaining, unread)
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
        self._state = None  # a finished stream builds no more entries
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
            entries_rejected_numbers=tuple(sorted({*state.rejected_numbers, *state.bad_rows})),
        )


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


fewer_collections = _FewerCollections()
_fewer_collections = fewer_collections


def sample_es003() -> Path:
    """The bundled synthetic ES-003 sample (not real trade data), for trying the library."""
    from .._resources import shipped

    return Path(str(shipped("examples", "sample_es003.csv")))


def _names(sources: tuple[Any, ...]) -> list[str | None]:
    """How to name each source in the report: None, by its file name (the reader's way),
    except paths sharing a file name with another path, named as given (``sub/x.csv``,
    ``x.csv``) so that their problems can be told apart."""
    bases = [Path(s).name if isinstance(s, str | Path) else None for s in sources]
    return [
        str(s) if base is not None and bases.count(base) > 1 else None
        for s, base in zip(sources, bases, strict=True)
    ]


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
    stream._hold = True  # every entry is kept: share equal amounts across them
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


def _count_rows(source: SourceFile, remaining: dict[Any, int], unread: dict[str, int]) -> None:
    """Count each entry's rows, keyed by :func:`_entry_key`; note, per entry, the rows the source
    could not read as rows (a stray quote, an oversized cell), so that the entry is flagged
    incomplete.

    The entry numbers' cells are parsed through a bounded cache of their own and the row
    before's cell: the reading pass parses each one again as it meets it, so only the counts,
    not a cell and a number per entry, are held across the files.
    """
    index = source.columns["entry_number"]
    numbers = _Parsed(parse_entry_number)
    last_cell: Any = None
    key: Any = None
    for _, row in data_rows(source):
        if row:
            cell = row[index]
            # Rows of one entry mostly follow each other: their cell is the row before's.
            if cell.__class__ is not str or cell != last_cell:
                # A compact cell is its own entry number (see parse_entry_number): keyed as it is.
                if cell.__class__ is not str or (key := _entry_key(cell)).__class__ is not int:
                    try:
                        key = _entry_key(numbers[cell])
                    except BadCell:
                        last_cell = None
                        continue
                last_cell = cell if cell.__class__ is str else None
            remaining[key] = remaining.get(key, 0) + 1
    if source.late:
        _uncount_late(source, remaining)
    for problem in source.problems:
        if problem.entry_number is not None:
            unread[problem.entry_number] = unread.get(problem.entry_number, 0) + 1


def _uncount_late(source: SourceFile, remaining: dict[Any, int]) -> None:
    """Take out of the counts the rows wider than the file's usual width, which the counting
    pass let through before that width was known (:func:`._rows.data_rows`).

    Their entries are found by one more pass over the file, which rejects them as the reading
    pass will: only a file with such a row pays for it, and the counting pass itself keeps
    no more than a histogram of widths. The counts stay exact: each late row was counted
    under the entry number its problem names (both are parsed from the row's own cell).
    """
    counted = {problem.row for problem in source.problems}
    for _ in data_rows(source):
        pass
    for problem in source.problems:
        if problem.row in counted or problem.entry_number is None:
            continue
        key = _entry_key(problem.entry_number)
        left = remaining[key] - 1
        if left:
            remaining[key] = left
        else:  # none of its rows in this file is read: an entry rejected whole, if in no other
            del remaining[key]


def _entry_key(number: str) -> Any:
    """A compact key for an entry number: a number of 11 characters of ``[0-9A-Z]`` (the
    compact shape is one) as the int it spells in base 36, which is one-to-one over strings of one
    length; any other number as itself (an int key never equals a str one).

    An int of 11 base-36 digits takes 32 bytes, its string 60: the counts of every entry are
    held across the files, so this is most of what the reader holds that grows with the file.
    """
    # The compact shape without a regex (this runs twice per entry): ASCII letters and digits
    # (int() would also take '_', signs and spaces), none lower case (base 36 folds case).
    if (
        len(number) == 11
        and number.isascii()
        and number.isalnum()
        and (number.isdigit() or number.isupper())
    ):
        return int(number, 36)
    return number


def _read_rows(
    source: SourceFile, state: _State, progress: Callable[[int], None] | None
) -> Iterator[Entry | _Acc]:
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
    finish = _finish_plain if state.plain else _finish
    own_cells = _getter([index for _, index in entry_fields])
    numbers, lines, countries, codes = state.numbers, state.lines, state.countries, state.codes
    ordinals, amounts, quantities = state.ordinals, state.amounts, state.quantities
    units, rates = state.units, state.rates
    i_protest = columns.get("protest_number")
    read = state.read
    # Progress counts every row read, those data_rows rejects as rows too (source.rejected,
    # live during the pass: a CELL_COUNT row), as the report's rows_read and the bulk engine do.
    mark = (read // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    last_no: str | None = None
    last_key: Any = None
    try:
        for number, row in data_rows(source):
            if not row:
                state.blank += 1
                continue
            read += 1
            while progress is not None and read + source.rejected >= mark:
                progress(mark)
                mark += PROGRESS_EVERY
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
                    if i_protest is not None and fields["protest_number"] is None:
                        _placeholder(state, file, number, row, i_protest, headers, entry_no)
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
                if entry_no is not last_no:  # a new entry (its number's one shared string)
                    last_no, last_key = entry_no, _entry_key(entry_no)
                left = remaining.get(last_key, 0) - 1
                if left > 0:
                    remaining[last_key] = left
                    continue
                # The entry's last row: no row of it is left in any file (the counting pass saw
                # them all), so its count and its number's cell are forgotten, and memory
                # follows the entries still open, not every entry of the file.
                remaining.pop(last_key, None)
                numbers.pop(row[i_entry], None)
                if entry_no in accs:
                    entry = finish(accs[entry_no], state)
                    if entry is not None:
                        yield entry
        while progress is not None and read + source.rejected >= mark:  # rejected at the end
            progress(mark)
            mark += PROGRESS_EVERY
    finally:
        state.read = read


def _placeholder(
    state: _State,
    file: str,
    number: int,
    row: list[Any],
    index: int,
    headers: list[Any],
    entry_no: str,
) -> None:
    """A warning for a Protest Number cell read as "no protest" (a placeholder such as 'N/A'
    or '000000000000', see :func:`._cells.protest_placeholder`), not blank: the row is kept.
    Looked at where the entry's own cells are parsed (its first row, or one whose own cells
    differ from the row before's): one warning per entry and distinct cell, not per row."""
    cell = row[index]
    if not protest_placeholder(cell):
        return  # blank
    state.problems.append(
        Problem(
            code="PROTEST_PLACEHOLDER",
            message="read as no protest (a placeholder, not a protest number: CBP's are "
            "digits, port, year and serial); the row is kept; if the entry has a protest, "
            "write its number",
            file=file,
            row=number,
            column=str(headers[index]),
            value=cell_text(cell),
            entry_number=entry_no,
            rows=0,
        )
    )


_NEGATIVE = "a negative amount (a correction?) cannot be used"
_ZERO = Decimal(0)  # a Decimal compares with a Decimal twice as fast as with an int
