"""The exact growth of one dollar, in fractions: the reference the fast engine is tested against."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .._model import check_date
from ..errors import InvalidFormat, InvalidPeriod
from ._conventions import (
    DEFAULT_CONVENTIONS,
    Accrual,
    Compounding,
    InterestConventions,
    rate_column,
)
from ._table import RateTable, default_rate_table, segments

__all__ = [
    "accrual_days",
    "check_dates",
    "check_flag",
    "check_rates",
    "check_span",
    "growth_factor",
]

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def _period_factor(rate: Decimal, year_days: int, days: int, compounding: Compounding) -> Fraction:
    daily = Fraction(rate) / (100 * year_days)
    return (1 + daily) ** days if compounding == "daily" else 1 + daily * days


def check_dates(
    deposited: Any, until: Any, *, names: tuple[str, str] = ("deposited", "until")
) -> None:
    """Both plain dates (not datetimes, not text), in order, short of ``date.max``."""
    for value, name in ((deposited, names[0]), (until, names[1])):
        check_date(value, field=name)
        if value == date.max:  # the day after it, which accrual needs, does not exist
            raise InvalidFormat(
                "no interest runs to the last date Python has", field=name, value=value
            )
    if until < deposited:
        raise InvalidPeriod(
            f"{names[1]} {until.isoformat()} is before {names[0]} {deposited.isoformat()}",
            field=names[1],
            value=until.isoformat(),
        )


def check_flag(value: Any, *, field: str) -> bool:
    """A yes/no option: ``"no"`` or ``0`` would be read as their truth value, so only a bool."""
    if not isinstance(value, bool):
        raise InvalidFormat("True or False is expected", field=field, value=value)
    return value


def check_rates(rates: Any) -> RateTable:
    """``rates`` if it is a :class:`RateTable`; the shipped table when None."""
    if rates is None:
        return default_rate_table()
    if not isinstance(rates, RateTable):
        raise InvalidFormat(
            "a RateTable is expected (RateTable.load(folder))", field="rates", value=rates
        )
    return rates


def check_span(
    deposited: Any,
    until: Any,
    corporate: Any,
    project: Any,
    rates: Any,
    conventions: Any,
) -> RateTable:
    """The arguments every interest function takes, checked by name; the rate table to use."""
    check_dates(deposited, until)
    check_flag(corporate, field="corporate")
    check_flag(project, field="project")
    if not isinstance(conventions, InterestConventions):
        raise InvalidFormat(
            "an InterestConventions is expected", field="conventions", value=conventions
        )
    return check_rates(rates)


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
    table = check_span(deposited, until, corporate, project, rates, conventions)
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
