"""The lean engine: the bulk engine's rules in pure Python, on the per-entry reader's own pass.

No extra is needed. :func:`stream` reads ES-003 files with the per-entry reader
(``stream_es003``: the same checks, problems, counts and order), and computes each entry
as the bulk engine's columnar rules do, from the rows the reader gathered, without
building its :class:`~ieepa_refund.entry.Entry` or any per-line result:

- each distinct (HTS number, entry date, origin) is classified once, by the rule the bulk
  engine uses (``_Job._category``);
- sums are kept in integer cents; each distinct (deposit date, interest end) gets its
  growth from the interest engine itself (:func:`~ieepa_refund.interest.interest_growth`),
  applied in Decimal and rounded once where the engine rounds;
- each distinct set of the facts CAPE screening reads is screened once by
  :func:`~ieepa_refund.cape.screen` itself.

Every entry the rules do not cover is built by the reader and computed by the per-entry
path itself (:func:`~ieepa_refund.compute_figures`, :func:`~ieepa_refund.cape.screen`):
anything the reader reports on (rejected, repeated or conflicting rows, a wrong check
digit, a deposit history), rate text, a missing IEEPA duty, exemptions or headings not in
force, a liquidation status at odds with its date, spans past the interest table, the
recalculation method. When in doubt, the per-entry path decides; the ``path`` column says
which computed a row (``lean`` or ``entry``), and :func:`~ieepa_refund.bulk.explain` gives
one entry's full working.

Each row is the bulk engine's row (:data:`~ieepa_refund.bulk.ENTRY_COLUMNS`), as an
:class:`EntryRow`; :func:`estimate` adds the payments and the declarations. The tests tie the
three paths: every row, payment and declaration byte the same.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from .. import entry_number as _entry_number
from ..cape import CapeRules, DeclarationBatch, Screening
from ..cape.declarations import write_checked, write_declarations
from ..errors import InputFileError, InvalidFormat
from ..es003 import Es003Report, stream_es003
from ..es003._acc import _Acc
from ..es003._assemble import Es003Source, Es003Stream, fewer_collections
from ..interest import RateTable
from ..payments import Consolidation, consolidate
from ..refund import RefundOptions
from ..registry import Registry
from ..roads import CapeTiming, EntryRoad, Roads
from ._columnar import _Job
from ._job import job_of
from ._lean_rules import EntryRow, _Rules
from ._roads import made_road, road_job
from ._tables import _importers, _well_formed

__all__ = [
    "Declarable",
    "EntryRow",
    "LeanResult",
    "LeanStream",
    "declare_rows",
    "estimate",
    "stream",
]


class LeanStream:
    """Each entry's :class:`EntryRow`, in the order the per-entry reader hands entries over
    (each at its last row); :attr:`report` once the iteration has finished."""

    def __init__(self, reader: Es003Stream, job: _Job, *, screenings: bool = False) -> None:
        self._reader = reader
        self._rules = _Rules(job, screenings=screenings)
        self.entries_lean = 0
        """Entries the lean rules computed (so far)."""
        self.entries_entry = 0
        """Entries the per-entry path computed (so far)."""
        self.screenings: dict[str, Screening] | None = self._rules.kept
        """Each entry's whole screening by its number (``screenings=True``), else None."""

    @property
    def report(self) -> Es003Report:
        """The per-entry reader's report: problems, counts, files."""
        return self._reader.report

    def road(self, row: EntryRow) -> EntryRoad:
        """The road of a row this stream handed over (``stream(..., roads=True)``), as
        :func:`~ieepa_refund.roads.entry_road` gives it; each row's road is asked for once
        (the stream then forgets what it kept for it)."""
        job = self._rules.job
        if job.roads is None:
            raise InvalidFormat("this stream computes no roads: pass roads=True", field="roads")
        number = row.entry_number
        if row.path == "lean":
            mark = self._rules.marks.pop(number, None)
            if mark is not None:
                way, cents = mark
                return made_road(
                    job, number, row.payee, row.liquidation_date, row.principal,
                    row.principal_high, row.interest, row.interest_until, way, cents,
                )  # fmt: skip
        elif (found := job.roads.entry_roads.pop(number, None)) is not None:
            return found
        raise InvalidFormat(
            "not a row of this stream, or its road was asked for already",
            field="row",
            value=number,
        )

    def __iter__(self) -> Iterator[EntryRow]:
        reader, rules = self._reader, self._rules
        lean, entry_row = rules.row, rules.entry_row
        items = reader._items()
        while True:
            # The collector's threshold raised while the entry is read and computed, as the
            # reader raises it (rows and their results make many objects and no cycles);
            # put back before the row is handed over.
            with fewer_collections:
                item = next(items, None)
                if item is None:
                    return
                # In plain mode the reader hands most entries over as their accumulators.
                row = lean(item) if isinstance(item, _Acc) else None
                if row is not None:
                    self.entries_lean += 1
                else:
                    entry = reader._build(item) if isinstance(item, _Acc) else item
                    row = entry_row(entry)
                    self.entries_entry += 1
            yield row


def stream(
    sources: Sequence[Es003Source] | Es003Source,
    *,
    as_of: date,
    declared_on: date | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    plaintiffs: Collection[str] = (),
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    roads: bool = False,
    timing: CapeTiming | None = None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None = None,
    declared_dates: Mapping[str, date] | None = None,
    delimiter: str | None = None,
    screenings: bool = False,
) -> LeanStream:
    """Each entry of ES-003 ``sources`` refunded and screened, as its last row is read.

    The same rows as the bulk engine (:func:`~ieepa_refund.bulk.estimate`) and the
    per-entry path give; see the module's text for how. ``sources`` are what
    :func:`~ieepa_refund.es003.stream_es003` reads (paths, open files, DataFrames), one or a
    list of them. ``as_of`` is where interest ends for an entry not yet liquidated, unless
    ``options.interest_until`` says otherwise; ``declared_on`` (default ``as_of``) is the
    CAPE declaration date. Memory grows with the entries open at once, as the reader's does.

    ``roads``: also each entry's road on ``declared_on`` (:meth:`LeanStream.road`), as
    :func:`~ieepa_refund.roads.entry_road` gives it with the same ``timing``, ``ledger``,
    ``declared_dates``, ``rules`` and ``plaintiffs``: for an entry of the rules, computed once
    per distinct set of the facts a road reads, by the roads' own code (as the bulk engine
    does); an entry whose road reads its lines goes to the per-entry path. What a row's road
    needs is kept until :meth:`LeanStream.road` is asked for it.

    ``delimiter`` is the reader's (a text file's delimiter, else detected). ``screenings``:
    also each entry's whole :class:`~ieepa_refund.cape.Screening`
    (:attr:`LeanStream.screenings`, what :func:`screen` gives the entry itself), one per
    distinct set of the facts screening reads, under each entry's number.
    """
    # One source (a path, an open file, a DataFrame) or a list or tuple of them.
    paths = list(sources) if isinstance(sources, list | tuple) else [sources]
    if not paths:
        raise InputFileError("no ES-003 file given", field="sources")
    job = job_of(
        as_of=as_of,
        declared_on=declared_on,
        options=options,
        registry=registry,
        rates=rates,
        rules=rules,
        plaintiffs=plaintiffs,
    )
    job.roads = road_job(roads, timing, ledger, declared_dates)
    reader = stream_es003(*paths, mapping=mapping, progress=progress, delimiter=delimiter)
    # Only the paid method's figures are the rules' (recalculation reads rate text).
    reader._plain = job.options.method == "paid"
    return LeanStream(reader, job, screenings=screenings)


@dataclass(frozen=True)
class LeanResult:
    """The whole job: one row per entry, the payments and (when asked) the declarations."""

    entries: tuple[EntryRow, ...]
    """In entry-number order, as the bulk engine's table."""
    payments: Consolidation
    declarations: DeclarationBatch | None
    report: Es003Report
    entries_lean: int
    entries_entry: int
    roads: Roads | None = None
    """Each entry's road, in the order of :attr:`entries` (``roads=True``)."""


def estimate(
    sources: Sequence[Es003Source] | Es003Source,
    *,
    as_of: date,
    declared_on: date | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    plaintiffs: Collection[str] = (),
    mapping: Mapping[str, str] | None = None,
    declarations_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    roads: bool = False,
    timing: CapeTiming | None = None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None = None,
    declared_dates: Mapping[str, date] | None = None,
    delimiter: str | None = None,
) -> LeanResult:
    """:func:`stream`'s rows in entry-number order, their payments (:func:`consolidate`) and,
    given ``declarations_dir``, the eligible entries declared there: what the bulk engine's
    :func:`~ieepa_refund.bulk.estimate` gives, with no extra. ``roads``, ``timing``,
    ``ledger`` and ``declared_dates`` as for :func:`stream`: :attr:`LeanResult.roads`."""
    rows_stream = stream(
        sources,
        as_of=as_of,
        declared_on=declared_on,
        options=options,
        registry=registry,
        rates=rates,
        rules=rules,
        plaintiffs=plaintiffs,
        mapping=mapping,
        progress=progress,
        roads=roads,
        timing=timing,
        ledger=ledger,
        declared_dates=declared_dates,
        delimiter=delimiter,
    )
    rows = sorted(rows_stream, key=_number)
    return LeanResult(
        entries=tuple(rows),
        payments=consolidate(rows),
        declarations=None if declarations_dir is None else declare_rows(rows, declarations_dir),
        report=rows_stream.report,
        entries_lean=rows_stream.entries_lean,
        entries_entry=rows_stream.entries_entry,
        roads=Roads(tuple(map(rows_stream.road, rows))) if roads else None,
    )


def _number(row: EntryRow) -> str:
    return row.entry_number


class Declarable(Protocol):
    """What :func:`declare_rows` reads of a row (an :class:`EntryRow` has it)."""

    @property
    def entry_number(self) -> str: ...
    @property
    def importer_number(self) -> str: ...
    @property
    def eligible(self) -> bool: ...
    @property
    def path(self) -> str: ...


def declare_rows(rows: Sequence[Declarable], out_dir: str | Path) -> DeclarationBatch:
    """:func:`~ieepa_refund.cape.write_declarations` of the eligible rows' entries, in the
    rows' order, one set of files per filer code and importer of record (the one ACE
    account that may submit each, as the ``cape`` command writes them), byte for byte (as
    the bulk engine's ``declare_table``): the lean rules took only numbers of the compact
    shape with a right check digit, so only the per-entry path's are checked here, as the
    writer checks them."""
    eligible = [row.entry_number for row in rows if row.eligible]
    importers = _importers(eligible, [row.importer_number for row in rows if row.eligible])
    if len(set(eligible)) != len(eligible):
        return write_declarations(eligible, out_dir, importers=importers)
    bad: set[str] = set()
    for row in rows:
        if row.eligible and row.path != "lean":
            number = row.entry_number
            if not _well_formed(number):
                return write_declarations(eligible, out_dir, importers=importers)
            if not _entry_number.is_valid(number):
                bad.add(number)
    good = [number for number in eligible if number not in bad] if bad else eligible
    return write_checked(good, [n for n in eligible if n in bad], out_dir, importers=importers)
