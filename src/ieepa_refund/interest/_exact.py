"""The exact growth of one dollar, in fractions: the reference the fast engine is tested against."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from ..errors import InvalidFormat, InvalidPeriod
from ._conventions import (
    DEFAULT_CONVENTIONS,
    Accrual,
    Compounding,
    InterestConventions,
    rate_column,
)
from ._table import RateTable, default_rate_table, segments

__all__ = ["accrual_days", "check_dates", "growth_factor"]

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def _period_factor(rate: Decimal, year_days: int, days: int, compounding: Compounding) -> Fraction:
    daily = Fraction(rate) / (100 * year_days)
    return (1 + daily) ** days if compounding == "daily" else 1 + daily * days


def check_dates(deposited: date, until: date) -> None:
    if not isinstance(deposited, date) or not isinstance(until, date):
        raise InvalidFormat("deposited and until are dates", field="until", value=until)
    if until < deposited:
        raise InvalidPeriod(
            f"until {until.isoformat()} is before the deposit date {deposited.isoformat()}",
            field="until",
            value=until.isoformat(),
        )


def accrual_days(deposited: date, until: date, accrual: Accrual) -> tuple[date, date]:
    if accrual == "after_deposit":
        return deposited + _ONE_DAY, until
    return deposited, until - _ONE_DAY


def growth_factor(
    deposited: date,
    until: date,
    *,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    conventions: InterestConventions = DEFAULT_CONVENTIONS,
) -> Fraction:
    """The exact growth of one dollar from ``deposited`` to ``until`` (1 on the deposit day)."""
    check_dates(deposited, until)
    table = rates or default_rate_table()
    first, last = accrual_days(deposited, until, conventions.accrual)
    column = rate_column(corporate, conventions)
    factor = Fraction(1)
    for start, end, rate, year_days, _, _ in segments(
        first, last, table, column, project, conventions.day_count
    ):
        if conventions.compounding == "daily":
            factor *= _period_factor(rate, year_days, (end - start).days + 1, "daily")
        else:
            factor += _period_factor(rate, year_days, (end - start).days + 1, "simple") - 1
    return factor
