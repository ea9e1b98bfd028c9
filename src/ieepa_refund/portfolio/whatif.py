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

:func:`deadline_calendar` lists, for each coming week, the entries whose
80-day CAPE window, 90-day reliquidation window or 180-day protest window
closes, and the money at stake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from .._tabular import Tabular
from ..cape.rules import CapeRules, default_cape_rules
from ..cape.screen import screen
from ..entry import Entry
from ..interest import DEFAULT_CONVENTIONS, InterestConventions, RateTable, default_rate_table
from ..refund import Deposit, Method, RefundOptions, compute_refund
from ..registry import Registry, default_registry
from ..tables import summary_html

__all__ = [
    "Assumptions",
    "Comparison",
    "Difference",
    "Outcome",
    "compare",
    "evaluate",
]

ZERO = Decimal("0.00")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Assumptions(BaseModel):
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


class Outcome(BaseModel):
    """One entry under one set of assumptions."""

    model_config = _FROZEN

    entry_number: str
    payee: str
    counted: bool
    """False when CAPE would exclude the entry on the filing date."""
    status: str | None
    liquidation_date: date | None
    liquidation_assumed: bool
    principal: Decimal
    interest: Decimal | None

    @property
    def value(self) -> Decimal:
        """What comes back for this entry under these assumptions."""
        return (self.principal + (self.interest or ZERO)) if self.counted else ZERO


class Difference(BaseModel):
    """One entry, baseline beside scenario."""

    model_config = _FROZEN

    baseline: Outcome
    scenario: Outcome

    @property
    def entry_number(self) -> str:
        return self.baseline.entry_number

    @property
    def change(self) -> Decimal:
        return self.scenario.value - self.baseline.value


class Comparison(Tabular, BaseModel):
    """A scenario beside its baseline, per entry and in total."""

    model_config = _FROZEN

    baseline: Assumptions
    scenario: Assumptions
    differences: tuple[Difference, ...]

    def items_for_tables(self) -> tuple[Difference, ...]:
        return self.differences

    @property
    def baseline_total(self) -> Decimal:
        return sum((d.baseline.value for d in self.differences), ZERO)

    @property
    def scenario_total(self) -> Decimal:
        return sum((d.scenario.value for d in self.differences), ZERO)

    @property
    def total_change(self) -> Decimal:
        return self.scenario_total - self.baseline_total

    @property
    def changed(self) -> tuple[Difference, ...]:
        return tuple(
            d for d in self.differences if d.change or d.baseline.counted != d.scenario.counted
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
            ("baseline total", self.baseline_total),
            ("scenario total", self.scenario_total),
            ("change", self.total_change),
            ("entries that change", len(self.changed)),
            ("entries CAPE takes: baseline / scenario", f"{sum(d.baseline.counted for d in self.differences):,} / "
             f"{sum(d.scenario.counted for d in self.differences):,}"),
        ]  # fmt: skip
        return summary_html("What-if", rows)


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
    baseline = baseline or Assumptions()
    before = evaluate(entries, baseline, registry=registry, rates=rates, rules=rules)
    after = evaluate(entries, scenario, registry=registry, rates=rates, rules=rules)
    return Comparison(
        baseline=baseline,
        scenario=scenario,
        differences=tuple(
            Difference(baseline=b, scenario=a) for b, a in zip(before, after, strict=True)
        ),
    )
