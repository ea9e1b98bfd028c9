"""What-if estimates over a portfolio, and a calendar of the deadlines that matter.

A finance analyst's questions are "how much comes back, when, and what changes
if...". :class:`Assumptions` names every choice an estimate rests on: the CAPE
filing date (which entries CAPE takes), an assumed liquidation for entries
not yet liquidated (CBP expects about 45 days after acceptance), the corporate
rate, a projection past the rate table, the refund method and the deposit-date
convention. :func:`compare` recomputes the portfolio under a scenario and sets
it beside the baseline, per entry and in total:

    >>> from datetime import date
    >>> from ieepa_refund import read_es003, sample_es003
    >>> entries = read_es003(sample_es003()).entries
    >>> base = Assumptions(declared_on=date(2026, 7, 1), liquidation_after_filing_days=45)
    >>> later = base.model_copy(update={"declared_on": date(2026, 8, 14)})
    >>> change = compare(entries, later, baseline=base)
    >>> change.total_change < 0  # filing six weeks later loses entries past the 80-day window
    True

An outcome whose refund has no interest figure (not yet liquidated with no
``interest_until``, or a date past the rate table) has no ``value``: its
difference and the totals are None, INTEREST_INCOMPLETE, rather than a smaller
number that reads as "no change". ``value_known`` and ``*_known`` totals give
the floor; ``Comparison.incomplete`` lists the entries behind the gap.

:func:`deadline_calendar` lists, for each coming week, the entries whose
80-day CAPE window, 90-day reliquidation window or 180-day protest window
closes, and the money at stake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from .._model import Model, check_instance, check_items
from .._tabular import Tabular
from ..cape.rules import CapeRules, default_cape_rules
from ..cape.screen import screen
from ..entry import Entry
from ..interest import DEFAULT_CONVENTIONS, InterestConventions, RateTable, default_rate_table
from ..money import total
from ..refund import Deposit, Method, RefundOptions, compute_refund
from ..registry import Registry, default_registry
from ..tables import Kind, Level, column, summary_html
from .collections import MISSING_INTEREST_CODES

__all__ = [
    "Assumptions",
    "Comparison",
    "Difference",
    "Outcome",
    "compare",
    "evaluate",
]

ZERO = Decimal("0.00")
#: What a difference sets side by side: (column suffix, Outcome field, kind).
_COMPARED: tuple[tuple[str, str, Kind], ...] = (
    ("counted", "counted", "bool"),
    ("status", "status", "str"),
    ("liquidation", "liquidation_date", "date"),
    ("principal", "principal", "money"),
    ("interest", "interest", "money"),
    ("value", "value", "money"),
)
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Assumptions(Model):
    """Everything an estimate assumes. The defaults are the library's defaults."""

    model_config = _FROZEN

    method: Method = "paid"
    corporate: bool = False
    deposit: Deposit = "reported"
    project: bool = False
    """Carry the last known interest rate past the rate table's end."""
    conventions: InterestConventions = DEFAULT_CONVENTIONS
    declared_on: date | None = None
    """The CAPE filing date: entries CAPE would exclude on it count for nothing. None: no screening."""
    liquidation_after_filing_days: int | None = Field(default=None, ge=0)
    """Unliquidated entries are assumed to liquidate this many days after ``declared_on``."""
    interest_until: date | None = None
    """Interest date for unliquidated entries without an assumed liquidation."""

    @property
    def refund_options(self) -> RefundOptions:
        """The refund choices among these assumptions (the others are about CAPE and dates)."""
        shared = type(self).model_fields.keys() & RefundOptions.model_fields.keys()
        return RefundOptions(
            **{name: getattr(self, name) for name in shared},
            interest_conventions=self.conventions,
        )


class Outcome(Model):
    """One entry under one set of assumptions."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"), column("payee", "str"), column("counted", "bool"),
            column("status", "str"), column("liquidation_date", "date"),
            column("liquidation_assumed", "bool"), column("principal", "money"),
            column("interest", "money"), column("interest_missing", "str"),
            column("value", "money"),
        ),
    )  # fmt: skip

    entry_number: str
    payee: str
    counted: bool
    """False when CAPE would exclude the entry on the filing date."""
    status: str | None
    liquidation_date: date | None
    liquidation_assumed: bool
    principal: Decimal
    interest: Decimal | None
    interest_missing: str | None = None
    """Why a refund principal has no interest figure (a warning code), else None."""
    interest_terms: str = ""
    """What the interest rests on (dates, rate column, conventions): equal terms, equal interest."""

    @property
    def value(self) -> Decimal | None:
        """What comes back for this entry; None (INTEREST_INCOMPLETE) when its interest is missing."""
        if not self.counted:
            return ZERO
        return None if self.interest_missing else self.principal + (self.interest or ZERO)

    @property
    def value_known(self) -> Decimal:
        """What is known to come back: ``value``, or principal alone when the interest is missing."""
        return (self.principal + (self.interest or ZERO)) if self.counted else ZERO


class Difference(Model):
    """One entry, baseline beside scenario."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"),
            column("payee", "str", "baseline.payee"),
            *(
                column(f"{side}_{name}", kind, f"{side}.{field}")
                for name, field, kind in _COMPARED
                for side in ("baseline", "scenario")
            ),
            column("change", "money"),
            column(
                "interest_missing", "str",
                lambda d: d.baseline.interest_missing or d.scenario.interest_missing,
            ),
        ),
    )  # fmt: skip

    baseline: Outcome
    scenario: Outcome

    @property
    def entry_number(self) -> str:
        return self.baseline.entry_number

    @property
    def change(self) -> Decimal | None:
        """Scenario minus baseline; None when a missing interest figure leaves it unknown.

        Two outcomes on the same terms (same principal, counted, dates, rate
        column and conventions) have the same interest even when it cannot be
        computed: their change is exactly zero.
        """
        after, before = self.scenario.value, self.baseline.value
        if after is not None and before is not None:
            return after - before
        return ZERO if self.scenario == self.baseline else None

    @property
    def interest_complete(self) -> bool:
        """Both sides' values are known (their change may be known without them)."""
        return self.baseline.value is not None and self.scenario.value is not None


class Comparison(Tabular, Model):
    """A scenario beside its baseline, per entry and in total."""

    model_config = _FROZEN

    baseline: Assumptions
    scenario: Assumptions
    differences: tuple[Difference, ...]

    def items_for_tables(self) -> tuple[Difference, ...]:
        return self.differences

    @property
    def interest_complete(self) -> bool:
        """Every entry's value is known on both sides (no INTEREST_INCOMPLETE)."""
        return not self.incomplete

    @property
    def incomplete(self) -> tuple[Difference, ...]:
        """Entries with a missing interest figure on either side."""
        return tuple(d for d in self.differences if not d.interest_complete)

    @property
    def baseline_total(self) -> Decimal | None:
        """The baseline's value; None (INTEREST_INCOMPLETE) when an interest figure is missing."""
        values = [d.baseline.value for d in self.differences]
        return None if None in values else total(v or ZERO for v in values)

    @property
    def scenario_total(self) -> Decimal | None:
        """The scenario's value; None (INTEREST_INCOMPLETE) when an interest figure is missing."""
        values = [d.scenario.value for d in self.differences]
        return None if None in values else total(v or ZERO for v in values)

    @property
    def baseline_known(self) -> Decimal:
        """The baseline's known value: principal where interest is missing (a floor)."""
        return total(d.baseline.value_known for d in self.differences)

    @property
    def scenario_known(self) -> Decimal:
        """The scenario's known value: principal where interest is missing (a floor)."""
        return total(d.scenario.value_known for d in self.differences)

    @property
    def total_change(self) -> Decimal | None:
        """The change in total; None (INTEREST_INCOMPLETE) when any entry's change is unknown."""
        changes = [d.change for d in self.differences]
        return None if None in changes else total(c or ZERO for c in changes)

    @property
    def changed(self) -> tuple[Difference, ...]:
        """Entries that change, or may (their change is unknown)."""
        return tuple(
            d
            for d in self.differences
            if d.change is None or d.change or d.baseline.counted != d.scenario.counted
        )

    def summary_html(self) -> str:
        changed = {
            name: (getattr(self.baseline, name), getattr(self.scenario, name))
            for name in Assumptions.model_fields
            if getattr(self.baseline, name) != getattr(self.scenario, name)
        }
        rows = [
            ("entries", len(self.differences)),
            ("assumptions changed", "; ".join(f"{k}: {a} -> {b}" for k, (a, b) in changed.items()) or "none"),
            ("baseline total", self._shown(self.baseline_total, self.baseline_known)),
            ("scenario total", self._shown(self.scenario_total, self.scenario_known)),
            ("change", "INTEREST_INCOMPLETE: unknown" if self.total_change is None else self.total_change),
            ("entries without an interest figure", len(self.incomplete)),
            ("entries that change", len(self.changed)),
            ("entries CAPE takes: baseline / scenario", f"{sum(d.baseline.counted for d in self.differences):,} / "
             f"{sum(d.scenario.counted for d in self.differences):,}"),
        ]  # fmt: skip
        return summary_html("What-if", rows)

    @staticmethod
    def _shown(total: Decimal | None, known: Decimal) -> Any:
        return total if total is not None else f"INTEREST_INCOMPLETE: at least {known:,}"


def _outcome(
    entry: Entry,
    assumptions: Assumptions,
    options: RefundOptions,
    registry: Registry,
    rates: RateTable,
    rules: CapeRules,
) -> Outcome:
    status = None
    counted = True
    if assumptions.declared_on is not None:
        screening = screen(
            entry, declared_on=assumptions.declared_on, rules=rules, registry=registry
        )
        status, counted = screening.status, screening.eligible
        # An open status with a date after the filing date is a scheduled liquidation
        # (LIQUIDATION_SCHEDULED): unliquidated on filing, so the assumed liquidation applies.
        entry = entry.unliquidated_as_of(assumptions.declared_on)
    assumed = (
        entry.liquidation_date is None
        and assumptions.declared_on is not None
        and assumptions.liquidation_after_filing_days is not None
    )
    if assumed:
        assert assumptions.declared_on is not None
        assert assumptions.liquidation_after_filing_days is not None
        liquidation = assumptions.declared_on + timedelta(
            days=assumptions.liquidation_after_filing_days
        )
        entry = entry.model_copy(update={"liquidation_date": max(liquidation, entry.entry_date)})
    refund = compute_refund(entry, options=options, registry=registry, rates=rates)
    return Outcome(
        entry_number=refund.entry_number,
        payee=refund.payee,
        counted=counted,
        status=status,
        liquidation_date=entry.liquidation_date,
        liquidation_assumed=assumed,
        principal=refund.principal,
        interest=refund.interest,
        interest_missing=(
            next((c for c in refund.warning_codes if c in MISSING_INTEREST_CODES), "NO_INTEREST")
            if refund.interest is None and refund.principal > 0
            else None
        ),
        interest_terms=(
            f"from {refund.deposit_date} to {refund.interest_until}; "
            f"{'corporate' if assumptions.corporate else 'non-corporate'}; "
            f"project={assumptions.project}; {assumptions.conventions!r}; rates {rates.data_version}"
        ),
    )


def evaluate(
    entries: Iterable[Entry],
    assumptions: Assumptions,
    *,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
) -> tuple[Outcome, ...]:
    """Each entry's outcome under ``assumptions``."""
    entries = check_items(entries, Entry, field="entries")
    check_instance(assumptions, Assumptions, field="assumptions")
    registry, rates, rules = (
        registry or default_registry(),
        rates or default_rate_table(),
        rules or default_cape_rules(),
    )
    options = assumptions.refund_options
    return tuple(_outcome(entry, assumptions, options, registry, rates, rules) for entry in entries)


def compare(
    entries: Sequence[Entry],
    scenario: Assumptions,
    *,
    baseline: Assumptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
) -> Comparison:
    """The portfolio under ``scenario`` beside ``baseline`` (default: the library's defaults)."""
    entries = check_items(entries, Entry, field="entries")
    check_instance(scenario, Assumptions, field="scenario")
    baseline = Assumptions() if baseline is None else baseline
    check_instance(baseline, Assumptions, field="baseline")
    before = evaluate(entries, baseline, registry=registry, rates=rates, rules=rules)
    after = evaluate(entries, scenario, registry=registry, rates=rates, rules=rules)
    return Comparison(
        baseline=baseline,
        scenario=scenario,
        differences=tuple(
            Difference(baseline=b, scenario=a) for b, a in zip(before, after, strict=True)
        ),
    )
