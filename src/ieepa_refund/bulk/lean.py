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
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from .. import entry_number as _entry_number
from .._model import check_instance
from ..cape import CapeRules, DeclarationBatch, Screening, screen
from ..cape.declarations import write_checked, write_declarations
from ..cape.screen import _new_screening
from ..dates import pms_deposit_date
from ..entry import Entry
from ..errors import InputFileError, InvalidFormat
from ..es003 import Es003Report, stream_es003
from ..es003._acc import _Acc
from ..es003._assemble import Es003Source, Es003Stream, fewer_collections
from ..interest import RateTable, apply_growth
from ..money import round_interest
from ..payments import Consolidation, consolidate
from ..refund import (
    DepositBasis,
    EntryRefund,
    RefundFigures,
    RefundOptions,
    compute_figures,
    compute_refund,
)
from ..registry import Registry
from ..roads import CapeTiming, EntryRoad, Roads, default_cape_timing, entry_road
from ..roads._interest import _growth as _road_growth
from ..roads._roads import _dates, _declared, _ledger
from ..roads._rules import _facts
from ._columnar import _conflicts, _Job, job_of
from ._compute import _MAX_CENTS, _SCREEN_FIELDS, _growth, _probe_entry
from ._roads import RoadJob, made_road, new_way
from ._tables import ENTRY_COLUMNS, _well_formed

__all__ = [
    "Declarable",
    "EntryRow",
    "LeanResult",
    "LeanStream",
    "declare_rows",
    "estimate",
    "stream",
]


class EntryRow(NamedTuple):
    """One entry's row: :data:`~ieepa_refund.bulk.ENTRY_COLUMNS`, money as ``Decimal``."""

    entry_number: str
    importer_number: str
    payee: str
    entry_type: str
    entry_date: date
    liquidation_date: date | None
    deposit_date: date | None
    deposit_basis: str | None
    interest_until: date | None
    method: str
    rounding: str
    paid: Decimal
    ieepa_duty_paid: Decimal
    owed: Decimal
    principal: Decimal
    principal_high: Decimal | None
    interest: Decimal | None
    warnings: str
    """The warning codes, space-separated, in the per-entry path's order."""
    status: str
    eligible: bool
    reasons: str
    """The CAPE screening's reason codes, space-separated."""
    data_version: str
    rates_version: str | None
    rules_version: str
    path: str
    """``lean`` (the rules here) or ``entry`` (the per-entry path)."""


assert EntryRow._fields == ENTRY_COLUMNS


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
    if roads:
        if timing is not None:
            check_instance(timing, CapeTiming, field="timing")
        job.roads = RoadJob(
            timing or default_cape_timing(), _ledger(ledger), _dates(declared_dates)
        )
    elif timing is not None or ledger is not None or declared_dates is not None:
        raise InvalidFormat(
            "timing, ledger and declared_dates only change the roads: pass roads=True",
            field="roads",
            value=roads,
        )
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
    def eligible(self) -> bool: ...
    @property
    def path(self) -> str: ...


def declare_rows(rows: Sequence[Declarable], out_dir: str | Path) -> DeclarationBatch:
    """:func:`~ieepa_refund.cape.write_declarations` of the eligible rows' entries, in the
    rows' order, byte for byte (as the bulk engine's ``declare_table``): the lean rules took
    only numbers of the compact shape with a right check digit, so only the per-entry
    path's are checked here, as the writer checks them."""
    eligible = [row.entry_number for row in rows if row.eligible]
    if len(set(eligible)) != len(eligible):
        return write_declarations(eligible, out_dir)
    bad: set[str] = set()
    for row in rows:
        if row.eligible and row.path != "lean":
            number = row.entry_number
            if not _well_formed(number):
                return write_declarations(eligible, out_dir)
            if not _entry_number.is_valid(number):
                bad.add(number)
    good = [number for number in eligible if number not in bad] if bad else eligible
    return write_checked(good, [n for n in eligible if n in bad], out_dir)


#: Per line, what the rules sum (:meth:`_Rules.row`), as the bulk engine's ``_line_sums``.
_HAS_CH1_97, _CH1_97_VALUED, _VALUED, _TOPUPS, _TOPUP, _PLAIN, _PAID, _RESTORES = range(8)


class _Rules:
    """The bulk engine's columnar rules, an entry at a time, with their memos."""

    def __init__(self, job: _Job, *, screenings: bool = False) -> None:
        self.job = job
        opts = job.options
        self.options = opts
        self.kinds: dict[tuple[str, date, str], tuple[int, bool]] = {}
        """Each (HTS number, entry date, origin): its category (``_Job._category``) and
        whether the number is in Chapters 1-97."""
        self.conflicts: dict[tuple[str | None, date | None], bool] = {}
        self.growths: dict[tuple[date, date], Decimal | None] = {}
        self.pms: dict[date, date] = {}
        self.shots: dict[tuple[Any, ...], tuple[str, bool, str, str]] = {}
        self.kept: dict[str, Screening] | None = {} if screenings else None
        """Each entry's whole screening by its number, when asked for."""
        self.whole: dict[tuple[Any, ...], Screening] = {}
        """The whole screening of each key of :attr:`shots`, when they are kept."""
        fields = _SCREEN_FIELDS if job.plaintiffs else _SCREEN_FIELDS[:-1]
        # Whether every IEEPA duty is 0.00 (rule no_ieepa_duty) opens each key (_screened).
        self.fields = tuple(name for name in fields if name != "_no_ieepa_duty")
        self.warnings: dict[tuple[int, bool, bool, bool], str] = {}
        self.ways: dict[tuple[Any, ...], int | None] = {}
        """Each distinct set of the facts a road reads: its way (``job.roads.ways``)."""
        self.marks: dict[str, tuple[int, int | None]] = {}
        """Entry number -> (way, interest cents to the expected date) until its road is made."""
        self.opens = _facts(job.rules).opens if job.roads is not None else None
        self.rounding = opts.interest_conventions.rounding
        if opts.interest_until is None:  # stream() sets it to the as-of date
            raise InputFileError("no interest end date", field="interest_until")
        self.until: date = opts.interest_until
        self.versions = (job.registry.data_version, job.rates.data_version)

    def _kind(self, key: tuple[str, date, str]) -> tuple[int, bool]:
        return self.job._category(*key), key[0][:2] != "99"

    def row(self, acc: _Acc) -> EntryRow | None:
        """The entry's row by the rules, or None when they do not cover it."""
        f = acc.fields
        entry_date: date = f["entry_date"]
        kinds, countries = self.kinds, acc.countries
        lines: dict[int, list[Any]] = {}
        ieepa_hts: str | None = None
        for (line_no, hts), slot in acc.tariffs.items():
            if len(slot) != 1:
                return None  # two tariffs of one number on a line: the per-entry path's
            for value, _quantity, _unit, rate, duty in slot.values():
                if rate is not None:
                    return None  # rate text: the per-entry path's
                key = (hts, entry_date, countries[line_no])
                kind = kinds.get(key)
                if kind is None:
                    kind = kinds[key] = self._kind(key)
                cat, ch1_97 = kind
                if cat < 0:
                    return None
                if duty is None:
                    if cat:
                        return None  # an IEEPA duty not reported: an estimate
                    cents = 0
                else:
                    scaled = duty.scaleb(2)
                    cents = int(scaled)
                    if cents != scaled:
                        return None  # a fraction of a cent
                sums = lines.get(line_no)
                if sums is None:
                    sums = lines[line_no] = [False, False, False, 0, 0, 0, 0, 0]
                # A goods value reported (not blank, not 0: the reader refuses a negative one).
                if value:
                    sums[_VALUED] = True
                    if ch1_97:
                        sums[_CH1_97_VALUED] = True
                if ch1_97:
                    sums[_HAS_CH1_97] = True
                sums[_PAID] += cents
                # One IEEPA number of the entry stands for all: screening reads only that
                # the entry has one (as the bulk engine's ``hts`` column).
                if cat == 1:
                    sums[_PLAIN] += cents
                    ieepa_hts = hts
                elif cat == 2:
                    sums[_TOPUPS] += 1
                    sums[_TOPUP] += cents
                    ieepa_hts = hts
                elif ch1_97 and not cents:
                    sums[_RESTORES] += 1
        if ieepa_hts is None:
            return None  # no IEEPA duty heading: the per-entry path says so
        paid = ieepa = owed = uncertain = 0
        has = valued_any = 0
        structure = True
        for sums in lines.values():
            restored = sums[_RESTORES] if sums[_TOPUPS] else 0
            if restored > 1:
                return None
            uncertain += restored
            line_paid = sums[_PAID]
            paid += line_paid
            ieepa += sums[_PLAIN] + sums[_TOPUP]
            owed += line_paid - sums[_PLAIN] - sums[_TOPUP] + restored * sums[_TOPUP]
            has += sums[_HAS_CH1_97]
            if sums[_VALUED]:
                valued_any = 1
            if sums[_HAS_CH1_97] and not sums[_CH1_97_VALUED]:
                structure = False  # a line whose Chapter 1-97 number has no goods value
        # The line structure CAPE screening reads: every line with a Chapter 1-97 number or
        # none; and where any goods value is reported, each such number has one.
        if has not in (0, len(lines)) or (valued_any and not structure):
            return None
        return self._entry(acc, f, entry_date, paid, ieepa, owed, uncertain, ieepa_hts)

    def _entry(
        self,
        acc: _Acc,
        f: dict[str, Any],
        entry_date: date,
        paid: int,
        ieepa: int,
        owed: int,
        uncertain: int,
        hts: str,
    ) -> EntryRow | None:
        status, liquidated = f.get("liquidation_status"), f.get("liquidation_date")
        key = (status, liquidated)
        conflict = self.conflicts.get(key)
        if conflict is None:
            conflict = self.conflicts[key] = _conflicts(status, liquidated)
        if conflict:
            return None
        reported, summary = f.get("deposit_date"), f.get("entry_summary_date")
        if (reported is not None and reported < entry_date) or (
            summary is not None and summary < entry_date
        ):
            return None  # the per-entry path decides whether interest is withheld
        opts = self.options
        if reported is not None:
            deposited, basis = reported, DepositBasis.REPORTED
        elif opts.deposit == "pms":
            pms = self.pms.get(entry_date)
            if pms is None:
                pms = self.pms[entry_date] = pms_deposit_date(
                    entry_date, closures=self.job.closures
                )
            deposited, basis = pms, DepositBasis.PMS
        elif summary is not None:
            deposited, basis = summary, DepositBasis.ENTRY_SUMMARY_DATE
        else:
            deposited, basis = entry_date, DepositBasis.ENTRY_DATE
        until = liquidated if liquidated is not None else self.until
        principal = paid - owed
        interest: int
        if principal > 0:
            span = (deposited, until)
            growth = self.growths.get(span, _UNSEEN)
            if growth is _UNSEEN:
                growth = self.growths[span] = _growth(self.job, deposited, until)
            if growth is None or principal > _MAX_CENTS:
                return None  # past the rate table, projected, or implausible
            amount = apply_growth(Decimal(principal).scaleb(-2), growth)
            interest = int(round_interest(amount, rounding=self.rounding).scaleb(2))
        else:
            interest = 0  # nothing to refund: 0.00 of interest, to an end date there always is
        flags = (
            uncertain,
            basis is not DepositBasis.REPORTED and opts.deposit != "pms",
            liquidated is not None and liquidated > self.until,
            principal > 0 and ieepa != principal,
        )
        warnings = self.warnings.get(flags)
        if warnings is None:
            warnings = self.warnings[flags] = _warnings(*flags)
        if self.job.roads is not None and not self._mark(
            acc.number, f, ieepa, hts, deposited, principal
        ):
            return None  # a road that reads the entry's lines: the per-entry path's
        status_, eligible, reasons, rules_version = self._screened(acc, f, ieepa == 0, hts)
        importer = f["importer_number"]
        data_version, rates_version = self.versions
        return EntryRow(
            acc.number,
            importer,
            f.get("notify_party") or importer,
            f["entry_type"],
            entry_date,
            liquidated,
            deposited,
            basis.value,
            until,
            opts.method,
            opts.rounding,
            *_amounts(paid, ieepa, owed, principal, interest),
            warnings,
            status_,
            eligible,
            reasons,
            data_version,
            rates_version,
            rules_version,
            "lean",
        )

    def _mark(
        self, number: str, f: dict[str, Any], ieepa: int, hts: str, deposited: date, principal: int
    ) -> bool:
        """Keep the entry's way and its interest to the expected date (:meth:`LeanStream.road`
        makes the road), as the bulk engine's ``_roads.with_roads``; False where its road
        reads more than the facts it is keyed on."""
        job = self.job
        roads = job.roads
        assert roads is not None
        listed = number in roads.ledger
        declared_in, when = (
            _declared(number, job.declared_on, roads.ledger, roads.declared_dates, self.opens)
            if listed
            else (None, None)
        )
        nothing = ieepa <= 0  # the refund's bound: the IEEPA duty paid
        key = (listed, declared_in, when, nothing, ieepa == 0, *map(f.get, self.fields))
        way = self.ways.get(key, _UNSEEN)
        if way is _UNSEEN:
            probe = {**f, "entry_number": number, "hts": hts, "_no_ieepa_duty": ieepa == 0}
            way = self.ways[key] = new_way(job, probe, nothing, declared_in, when)
        if way is None:
            return False
        expected = roads.ways[way][5]
        cents: int | None = None
        if expected is not None:
            if principal <= 0:
                cents = 0
            else:
                # Before the deposit the road has no figure (compute_refund's warning says why).
                growth = (
                    None
                    if expected < deposited
                    else _road_growth(deposited, expected, self.options, job.rates)
                )
                if growth is not None:
                    amount = apply_growth(Decimal(principal).scaleb(-2), growth)
                    cents = int(round_interest(amount, rounding=self.rounding).scaleb(2))
        self.marks[number] = (way, cents)
        return True

    def _screened(
        self, acc: _Acc, f: dict[str, Any], no_ieepa_duty: bool, hts: str
    ) -> tuple[str, bool, str, str]:
        """Screening's (status, eligible, reasons, rules version), once per distinct set of
        the facts it reads (the bulk engine's key, ``_compute.screened``)."""
        key = (no_ieepa_duty, *map(f.get, self.fields))
        found = self.shots.get(key)
        if found is None:
            job = self.job
            probe = _probe_entry(
                {**f, "entry_number": acc.number, "hts": hts, "_no_ieepa_duty": no_ieepa_duty}
            )
            shot = screen(
                probe,
                declared_on=job.declared_on,
                rules=job.rules,
                registry=job.registry,
                plaintiffs=job.plaintiffs,
            )
            found = self.shots[key] = (
                shot.status,
                shot.eligible,
                " ".join(shot.reason_codes),
                shot.rules_version,
            )
            if self.kept is not None:
                self.whole[key] = shot
        if self.kept is not None:
            # The key's screening under the entry's own number: all else it holds is read
            # from the key's facts (as the bulk engine's ``_keep_screenings``). Built as
            # screen() builds it (no dict per instance: 23 MB less at 200k rows than
            # model_copy), its parts shared.
            shot = self.whole[key]
            number = acc.number
            self.kept[number] = (
                shot
                if shot.entry_number == number
                else _new_screening(
                    number,
                    shot.declared_on,
                    shot.status,
                    shot.reasons,
                    shot.deadlines,
                    shot.rules_version,
                )
            )
        return found

    def entry_row(self, entry: Entry) -> EntryRow:
        """The per-entry path's row for an entry the rules do not cover."""
        job = self.job
        figures: RefundFigures | EntryRefund
        if job.roads is None:
            figures = compute_figures(
                entry, options=job.options, registry=job.registry, rates=job.rates
            )
        else:  # the road reads the whole refund, as the bulk engine's per-entry path gives it
            figures = compute_refund(
                entry, options=job.options, registry=job.registry, rates=job.rates
            )
            job.roads.entry_roads[entry.entry_number] = entry_road(
                entry,
                figures,
                declared_on=job.declared_on,
                options=job.options,
                registry=job.registry,
                rates=job.rates,
                rules=job.rules,
                timing=job.roads.timing,
                ledger=job.roads.ledger,
                declared_dates=job.roads.declared_dates,
                plaintiffs=job.plaintiffs,
            )
        shot = screen(
            entry,
            declared_on=job.declared_on,
            rules=job.rules,
            registry=job.registry,
            plaintiffs=job.plaintiffs,
        )
        if self.kept is not None:
            self.kept[entry.entry_number] = shot
        return EntryRow(
            entry.entry_number,
            figures.importer_number,
            figures.payee,
            entry.entry_type,
            entry.entry_date,
            figures.liquidation_date,
            figures.deposit_date,
            figures.deposit_basis.value if figures.deposit_basis else None,
            figures.interest_until,
            figures.method,
            figures.rounding,
            figures.paid,
            figures.ieepa_paid,
            figures.owed,
            figures.principal,
            figures.principal_high,
            figures.interest,
            " ".join(figures.warning_codes),
            shot.status,
            shot.eligible,
            " ".join(shot.reason_codes),
            figures.data_version,
            figures.rates_version,
            shot.rules_version,
            "entry",
        )


_UNSEEN: Any = object()


def _warnings(uncertain: int, assumed: bool, after: bool, established: bool) -> str:
    """The warning codes of a row by the rules, in the per-entry path's order (as the bulk
    engine's ``_compute._finish`` writes them): the lines', the deposit date's, then the
    interest's."""
    codes = ["UNCERTAIN"] * uncertain
    if assumed:
        codes.append("DEPOSIT_DATE_ASSUMED")
    if after:
        codes.append("LIQUIDATION_AFTER_AS_OF")
    if established:
        codes.append("INTEREST_ON_ESTABLISHED_PRINCIPAL")
    return " ".join(codes)


_ZERO = Decimal("0.00")


def _amounts(
    paid: int, ieepa: int, owed: int, principal: int, interest: int
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]:
    """(paid, IEEPA duty paid, owed, principal, its bound, interest) as dollars: equal sums as
    one object (the principal is mostly the IEEPA duty paid and its bound, owed mostly 0),
    about 100 bytes a figure saved where rows are kept."""
    high = _money(ieepa)
    return (
        high if paid == ieepa else _money(paid),
        high,
        _ZERO if not owed else _money(owed),
        high if principal == ieepa else _money(principal),
        high,
        _ZERO if not interest else _money(interest),
    )


def _money(cents: int) -> Decimal:
    """Whole cents as dollars, written with two places (exact: no rounding)."""
    return Decimal(cents).scaleb(-2)
