"""The summary ``estimate`` prints: totals, uncertainty, roads and the payments CAPE is expected
to make, from the counts and sums the command keeps as each entry is written (and each road)."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from ..es003 import Es003Report
from ..interest import RateTable, default_rate_table
from ..payments import PayeeWarning
from ..refund.codes import INPUT_FAULTS
from ..registry import default_registry
from ..roads import EntryRoad, Road, Roads, road_totals
from ._inputs import input_line
from ._output import counted

if TYPE_CHECKING:
    from ._engines import _Job

ZERO = Decimal("0.00")
#: Entries rejected whole named one by one in the summary; the rest are counted (all are named
#: in the problems file, one ENTRY_REJECTED_WHOLE row each).
NAMED = 25
REJECTED_LABEL = "Input problem: rejected whole, no figure"
#: The code of the warning naming an entry rejected whole that the ledger holds.
LEDGER_ENTRY_UNREAD = "LEDGER_ENTRY_UNREAD"
#: A declared entry whose ledger row leaves the declared-on date blank (a warning).
LEDGER_DATE_BLANK = "LEDGER_DATE_BLANK"


def named(numbers: Sequence[str]) -> str:
    """The first NAMED of ``numbers``, the rest counted: "a, b and 3 more"."""
    more = f" and {len(numbers) - NAMED:,} more" if len(numbers) > NAMED else ""
    return ", ".join(numbers[:NAMED]) + more


@dataclass(frozen=True, slots=True)
class _Summary:
    """What the summary and the payments read of one entry, added to a :class:`_Tally` as its
    row is written, then let go."""

    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    principal_high: Decimal | None
    interest: Decimal | None
    ieepa_paid: Decimal
    codes: frozenset[str]
    road: EntryRoad | None
    """None with --no-roads."""


class _Tally:
    """What the summary needs of every entry, kept as counts and sums as the entries arrive.

    Nothing per entry but its road (with roads): the payments, the uncertain CAPE entries
    and the roads' totals read each one. A list of a row's summary per entry (its Decimals
    and its set of codes) held to the end was about 100 MB at 1M ES-003 rows. Each sum adds
    in the entries' order, as a sum over such a list did, so every figure is the same.
    """

    def __init__(self) -> None:
        self.entries = 0
        self.ieepa_paid = ZERO
        self.principal = ZERO
        self.interest = ZERO
        self.refunded = 0
        self.uncertain = 0
        self.unbounded = 0
        self.gaps = ZERO
        self.incomplete = 0
        self.at_stake = ZERO
        self.missing = 0
        self.missing_why: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.payees: set[str] = set()
        self.roads: list[EntryRoad] = []
        #: The entries whose interest a fault in the input withholds, by number, with the
        #: code: the exit status (1: faults found) and the roads' lines read them.
        self.faults: dict[str, str] = {}

    def add(self, r: _Summary) -> None:
        self.entries += 1
        self.ieepa_paid += r.ieepa_paid
        self.principal += r.principal
        self.interest += r.interest or ZERO
        if r.principal > 0:
            self.refunded += 1
            self.payees.add(r.payee)
        if r.principal_high != r.principal:
            self.uncertain += 1
            if r.principal_high is None:
                self.unbounded += 1
            else:
                self.gaps += r.principal_high - r.principal
        if "INCOMPLETE_ENTRY" in r.codes:
            self.incomplete += 1
            self.at_stake += r.ieepa_paid
        if r.interest is None and r.principal > 0:
            self.missing += 1
            self.missing_why.update(code for code in r.codes if code in _NO_INTEREST)
            if fault := min(r.codes & INPUT_FAULTS, default=None):
                self.faults[r.entry_number] = fault
        self.codes.update(r.codes)
        if r.road is not None:
            self.roads.append(r.road)


#: The warnings that say why an entry with a refund has no interest figure.
_NO_INTEREST = frozenset(
    (
        "RATE_NOT_COVERED",
        "INTEREST_BEFORE_DEPOSIT",
        "IMPLAUSIBLE_PRINCIPAL",
        "NO_INTEREST_UNLIQUIDATED",
        "DEPOSITS_BELOW_REFUND",
        "DEPOSITS_NOT_DUTY_PAID",
        "DEPOSIT_BEFORE_IEEPA",
        "DEPOSIT_BEFORE_ENTRY",
    )
)


def _carried(rates: RateTable, project: bool) -> str:
    """The assumption --project adds, said where the others are: interest past the rate
    table's end is not the law's rate but the last one carried forward (domain brief:
    project only when asked, and say so); each entry it touches is flagged RATE_PROJECTED."""
    if not project:
        return ""
    last = rates.covers_to - timedelta(days=1)
    return (
        f"; interest past {last.isoformat()} (the rate table's end) at the last known rate "
        "carried forward (--project; those entries flagged RATE_PROJECTED)"
    )


def _summary(
    report: Es003Report,
    tally: _Tally,
    args: argparse.Namespace,
    job: _Job,
    engine: str,
    out: TextIO,
    *,
    payees: Sequence[PayeeWarning] = (),
    in_ledger: Sequence[str] = (),
) -> None:
    """``payees``: PAYEES_MAY_BE_ONE of the entries with a refund; ``in_ledger``: the entries
    rejected whole that the --ledger holds."""
    registry, rates = default_registry(), default_rate_table()
    say: Callable[..., None] = lambda *parts: print(*parts, file=out)  # noqa: E731
    principal, interest = tally.principal, tally.interest
    say("ieepa-refund estimate: estimates, not legal advice")
    say(
        f"Data: Chapter 99 {registry.data_version}; interest rates {rates.data_version} "
        f"(to {rates.periods[-1].effective_to.isoformat()}, exclusive); method {args.method}; "
        f"{'corporate' if args.corporate else 'non-corporate'} overpayment rate"
    )
    say(
        "Assumptions: duty rounded half-up per HTS number; interest compounded daily, actual/actual, "
        "each day in (deposit, liquidation], half-up per entry (several deposits: one account "
        f"compounding through them); deposit date: {args.deposit}; "
        f"unliquidated entries accrue to {job.as_of.isoformat()}; the liquidation date in the data "
        f"is taken as the one that refunds the IEEPA duty{_carried(rates, job.options.project)}"
    )
    say(engine)
    say(input_line(report))
    say("")
    say(f"  IEEPA duty paid   {tally.ieepa_paid:>16,}")
    say(
        f"  Refund principal  {principal:>16,}  ({counted(tally.refunded, 'entry', 'entries')} with a refund)"
    )
    if tally.uncertain:
        bounded, unbounded = tally.uncertain - tally.unbounded, tally.unbounded
        # Said per kind: "no upper bound" of all of them was wrong where only some have none.
        upper = "; ".join(
            part
            for part in (
                f"{unbounded:,} with no upper bound" if unbounded else "",
                f"{bounded:,} up to {tally.gaps:,} more" if bounded else "",
            )
            if part
        )
        say(
            f"                    {counted(tally.uncertain, 'entry', 'entries')} uncertain: {upper}"
        )
    if tally.incomplete:
        say(
            f"                    {counted(tally.incomplete, 'entry', 'entries')} incomplete (rows rejected): IEEPA duty "
            f"{tally.at_stake:,} on their rows kept, not counted in the principal above until the "
            f"input is fixed; {counted(report.entries_rejected, 'entry', 'entries')} rejected whole"
        )
    elif report.entries_rejected:
        # No entry incomplete: "0 entries incomplete" said nothing, and read as a fault (t63).
        say(
            f"                    {counted(report.entries_rejected, 'entry', 'entries')} "
            "rejected whole"
        )
    rejected = report.entries_rejected_numbers
    if rejected:
        # Named, not only counted: an entry rejected whole has no row in --out and no road.
        say(
            f"                    rejected whole by the reader, no figure (IEEPA duty paid unknown: "
            f"no entry was built from their rows; see the problems): {named(rejected)}"
        )
    if in_ledger:
        # Declared before: this run could not read them, so nothing of theirs was rechecked.
        say(
            f"                    {LEDGER_ENTRY_UNREAD}: in the ledger {args.ledger} (declared) but "
            f"rejected whole this run, so their road and ledger state were not rechecked; fix "
            f"their rows and run again: {named(in_ledger)}"
        )
    # An interest figure never drops silently out of a total: entries with a refund but no
    # interest figure (a liquidation date past the rate table, dates out of order) make the
    # totals floors, said so in words.
    missing = tally.missing
    floor = "at least " if missing else ""
    say(f"  Interest          {interest:>16,}  {floor.strip()}".rstrip())
    say(f"  Total             {principal + interest:>16,}  {floor.strip()}".rstrip())
    if missing:
        why = tally.missing_why
        reasons = ", ".join(f"{code} {n:,}" for code, n in sorted(why.items())) or "see warnings"
        say(
            f"  INTEREST_INCOMPLETE: {counted(missing, 'entry', 'entries')} with a refund "
            f"{'has' if missing == 1 else 'have'} no interest "
            f"figure ({reasons}); the interest and total above leave them out"
        )
    for warning in payees:  # on every path: read from the entries, not the payments
        say(f"  {warning.code}: {warning.message}")
    if args.roads:
        _roads(tally.roads, job, say, rejected=report.entries_rejected, faults=tally.faults)
    else:
        say("")
        say("Roads, payments CAPE is expected to make and deadlines: not computed (--no-roads)")
    codes = tally.codes
    if codes:
        say("")
        say(
            "Warnings (entries): " + ", ".join(f"{code} {n:,}" for code, n in sorted(codes.items()))
        )


def _roads(
    entries: Sequence[EntryRoad],
    job: _Job,
    say: Callable[..., None],
    *,
    rejected: int = 0,
    faults: Mapping[str, str] | None = None,
) -> None:
    """Money by road, then only what CAPE is expected to pay, the other roads beside it.

    ``faults``: the entries whose interest a fault in the input withholds, with its code."""
    faults = faults or {}
    roads = Roads(tuple(entries))
    declared_on, timing = job.declared_on, job.timing
    say("")
    say(f"Where each dollar stands, for a CAPE declaration on {declared_on.isoformat()}:")
    totals = road_totals(roads)
    width = max([42, len(REJECTED_LABEL) if rejected else 0, *(len(t.label) for t in totals)])
    say(f"  {'road':{width}} {'entries':>7} {'principal':>14} {'interest':>12}  next deadline")
    for t in totals:
        deadline = t.next_deadline.isoformat() if t.next_deadline else "-"
        say(f"  {t.label:{width}} {t.entries:>7,} {t.principal:>14,} {t.interest:>12,}  {deadline}")
    if rejected:
        # Beside the roads, so every entry of the input is counted here: these have no figure.
        say(f"  {REJECTED_LABEL:{width}} {rejected:>7,} {'unknown':>14} {'unknown':>12}  -")
    overdue = [r for r in roads if r.overdue]
    if overdue:
        # Said here, not only in --out: CBP is late on these or their claim failed.
        late = sum((r.principal for r in overdue), ZERO)
        say(
            f"  OVERDUE: {counted(len(overdue), 'declared entry', 'declared entries')} (principal "
            f"{late:,}) of the CAPE roads above: the (re)liquidation expected from the ledger's "
            f"declaration date passed before {job.as_of.isoformat()} and the data do not show it; "
            "no date is forecast and their interest above runs only to that date or their "
            "liquidation (a floor); check their claim status (next_action in --out)"
        )
    say(
        "  On the CAPE roads interest runs to the expected (re)liquidation: "
        f"{timing.liquidation_after_acceptance_days} days after acceptance if unliquidated, "
        f"liquidation + {timing.reliquidation_after_liquidation_days} days if liquidated "
        f"(data/cape_timing {timing.data_version}); acceptance is taken as the declaration date"
    )
    missing = [r for r in roads if r.road.through_cape and r.interest is None and r.principal > 0]
    # An input fault is named as the cause, with its fix: --project changes nothing for it.
    faulty = Counter(faults[r.entry_number] for r in missing if r.entry_number in faults)
    if faulty:
        n = faulty.total()
        say(
            f"  INTEREST_INCOMPLETE: {counted(n, 'CAPE entry', 'CAPE entries')} "
            f"{'has' if n == 1 else 'have'} no interest figure for a fault in the input ("
            + ", ".join(f"{code} {k:,}" for code, k in sorted(faulty.items()))
            + "): fix the input as each entry's warning says"
        )
    rest = len(missing) - faulty.total()
    if rest:
        why = (
            # --project already carries the rate past the table, for ten years at most.
            "(an expected date past the years --project carries the last rate, or no date yet)"
            if job.options.project
            else "(an expected date past the interest-rate table, or no date yet); pass "
            "--project to carry the last known rate forward"
        )
        say(
            f"  INTEREST_INCOMPLETE: {counted(rest, 'CAPE entry', 'CAPE entries')} "
            f"{'has' if rest == 1 else 'have'} no interest figure {why}"
        )
    result = roads.payments()
    money_on = {r.entry_number: r.expected_payment for r in roads}
    say("")
    say(
        f"Payments CAPE is expected to make, by payee and expected (re)liquidation date "
        f"({len(result):,}), as CBP consolidates them:"
    )
    say(
        f"  {'payee':16} {'(re)liquidation':15} {'principal':>14} {'interest':>12} {'net':>14} "
        f"{'entries':>7}  money expected"
    )
    shown = result.payments[:25]
    for p in shown:
        expected = max(d for e in p.entries if (d := money_on[e]) is not None)
        # A payment with entries lacking an interest figure: its interest and net are floors.
        floor = (
            ""
            if p.interest_complete
            else "  INTEREST_INCOMPLETE: interest and net at least these "
            f"({counted(p.interest_missing, 'entry', 'entries')} without an interest figure)"
        )
        say(
            f"  {p.payee:16} {p.liquidation_date.isoformat():15} {p.principal:>14,} "
            f"{p.interest:>12,} {p.net:>14,} {len(p.entries):>7,}  {expected.isoformat()}{floor}"
        )
    if len(result) > len(shown):
        more = counted(len(result) - len(shown), "more payment", "more payments")
        # --out has a row per entry, not per payment: each row names its payment's keys.
        say(
            f"  ... and {more} (--out writes every entry with its payee and "
            "expected_liquidation: a payment is the entries sharing both)"
        )
    # An uncertain principal is paid at what is established; what it may reach is said beside.
    uncertain = [
        r
        for r in roads
        if r.road.through_cape and r.principal_high is not None and r.principal_high > r.principal
    ]
    for r in uncertain:
        where = "in no payment above" if r.principal <= 0 else "in the payments above at that"
        say(
            f"  uncertain: {r.entry_number} ({r.payee}): principal {r.principal:,} established "
            f"({where}), up to {r.principal_high:,}"
        )
    unbounded = [r for r in roads if r.road.through_cape and r.principal_high is None]
    for r in unbounded:
        say(
            f"  uncertain: {r.entry_number} ({r.payee}): principal {r.principal:,} established, "
            "no upper bound"
        )
    low, high = timing.payment_after_acceptance_range
    say(
        f"  Money expected {timing.payment_after_acceptance_days} days after acceptance (brokers "
        f"relay {low} to {high}), never before the (re)liquidation nor the as-of date"
    )
    beside = [
        t
        for t in road_totals(roads)
        if not t.road.through_cape and t.road is not Road.NOTHING_TO_REFUND
    ]
    waiting = [
        r for r in roads if r.road.through_cape and r.expected_liquidation is None and not r.overdue
    ]
    if waiting or beside or overdue:
        say("  Not in these payments (no payment predicted):")
    if waiting:
        held = sum((r.principal for r in waiting), ZERO)
        say(
            f"    {counted(len(waiting), 'CAPE entry', 'CAPE entries')} refunded only when CBP "
            "liquidates them (date unknown): "
            f"principal {held:,}"
        )
    if overdue:
        held = sum((r.principal for r in overdue), ZERO)
        say(
            f"    {counted(len(overdue), 'CAPE entry', 'CAPE entries')} overdue (see above), "
            f"date unknown: principal {held:,}"
        )
    for t in beside:
        deadline = f"; first deadline {t.next_deadline.isoformat()}" if t.next_deadline else ""
        say(
            f"    {t.label}: {counted(t.entries, 'entry', 'entries')}, principal {t.principal:,}, "
            f"interest {t.interest:,}{deadline}"
        )
