"""How interest is counted (the open conventions) and the results that show the working."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, field_validator

from .._model import Model
from ..money import INTEREST_ROUNDING, check_rounding

__all__ = [
    "Accrual",
    "Compounding",
    "DEFAULT_CONVENTIONS",
    "DayCount",
    "DelinquencyDetail",
    "InterestConventions",
    "InterestDetail",
    "InterestPeriod",
    "RateColumn",
    "Segments",
    "rate_column",
]

DayCount = Literal["actual/actual", "actual/365", "actual/360"]
Compounding = Literal["daily", "simple"]
Accrual = Literal["after_deposit", "from_deposit"]
RateColumn = Literal["noncorporate", "corporate", "corporate_over_10k"]
Segments = Literal["compound_through", "restart"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class InterestConventions(Model):
    """How interest is counted. CBP has not published its method: these are choices.

    ``accrual``: ``after_deposit`` accrues each day in ``(deposited, until]``;
    ``from_deposit`` each day in ``[deposited, until)``. Both count
    ``(until - deposited).days`` days; they differ in which quarter's rate the
    boundary days take. ``compounding="simple"`` is a diagnostic, to compare
    with a figure CBP reports (ES-022), not the law's method.

    ``segments`` (an entry with several deposits or pre-liquidation refunds, see
    :func:`~ieepa_refund.interest.segmented_interest`): ``compound_through`` keeps one
    running account from the first deposit to liquidation, so interest accrued before a
    deposit keeps compounding after it (26 U.S.C. 6622: compounded daily);
    ``restart`` makes each span between changes its own accrual, rounded alone (the
    rule before 2026-11, kept for comparison: the figure then depends on how a history
    is cut).
    """

    model_config = _FROZEN

    day_count: DayCount = "actual/actual"
    compounding: Compounding = "daily"
    accrual: Accrual = "after_deposit"
    rounding: str = INTEREST_ROUNDING
    large_corporate_rate: bool = False
    segments: Segments = "compound_through"

    @field_validator("rounding")
    @classmethod
    def _rounding(cls, value: str) -> str:
        return check_rounding(value)

    """Use the corporate rate on overpayments over $10,000 (6621(a)(1)); CBP's notices do not."""


DEFAULT_CONVENTIONS = InterestConventions()


class InterestPeriod(Model):
    """The part of an accrual that falls in one quarter (one rate)."""

    model_config = _FROZEN

    first_day: date
    last_day: date
    days: int
    annual_rate_percent: Decimal
    year_days: int
    factor: Decimal
    """Growth over this period alone (60 significant digits; :func:`growth_factor` is exact)."""
    amount: Decimal
    """This period's share of the rounded interest; the shares add up to it exactly."""
    projected: bool
    source: str


class InterestDetail(Model):
    """Interest with its working: per-quarter days, rates, factors and amounts."""

    model_config = _FROZEN

    principal: Decimal
    deposited: date
    until: date
    rate_column: RateColumn
    conventions: InterestConventions
    periods: tuple[InterestPeriod, ...]
    factor: Decimal
    interest: Decimal
    unrounded: Decimal
    projected: bool
    data_version: str

    @property
    def days(self) -> int:
        return (self.until - self.deposited).days


class DelinquencyDetail(Model):
    """Extra interest on a refund paid late (19 U.S.C. 1505(d); 19 CFR 24.36(a)(2)-(3))."""

    model_config = _FROZEN

    balance: Decimal
    liquidated: date
    paid_on: date
    periods: int
    """Whole 30-day periods that bear interest."""
    accrues_until: date
    interest: Decimal
    detail: InterestDetail | None


def rate_column(corporate: bool, conventions: InterestConventions) -> RateColumn:
    if not corporate:
        return "noncorporate"
    return "corporate_over_10k" if conventions.large_corporate_rate else "corporate"
