"""The lean engine's rules (:mod:`ieepa_refund.bulk.lean`): the bulk engine's columnar rules,
an entry at a time, on the accumulator the per-entry reader hands over, with their memos; and
the row they make."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ..cape import Screening
from ..cape.screen import _new_screening
from ..dates import pms_deposit_date
from ..entry import Entry
from ..errors import InputFileError
from ..es003._acc import _Acc
from ..interest import apply_growth
from ..money import round_interest
from ..refund import (
    DepositBasis,
    EntryRefund,
    RefundFigures,
    compute_figures,
    compute_refund,
)
from ..roads._interest import _growth as _road_growth
from ..roads._roads import _declared
from ..roads._rules import _facts
from ._columnar import _conflicts, _Job
from ._compute import _MAX_CENTS, _SCREEN_FIELDS, _growth, _probe_entry
from ._roads import new_way
from ._tables import ENTRY_COLUMNS

__all__: list[str] = []


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
            shot = job.screen(probe)
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
            job.roads.entry_roads[entry.entry_number] = job.road(entry, figures)
        shot = job.screen(entry)
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
