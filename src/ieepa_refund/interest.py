"""Interest on refunded duty: 19 CFR 24.36 and 19 U.S.C. 1505(c), at 26 U.S.C. 6621 rates.

The refund carries interest on the excess deposit "from the date the duties
... were deposited ... to the date of liquidation or reliquidation" (19 CFR
24.36(a)(1)), at the quarterly overpayment rates of 26 U.S.C. 6621 (19 CFR
24.3a(c)(1)), compounded daily (26 U.S.C. 6622; 26 CFR 301.6622-1): each day
accrues at the rate of its own calendar quarter, the daily rate being the
annual rate / 365 (366 in a leap year).

CBP has not published exactly how ACE applies this (an open fact), so every
convention is a named parameter (:class:`InterestConventions`). The defaults:
daily compounding, actual/actual days, accrual for each day in
``(deposited, until]`` (that is ``(until - deposited).days`` days), rounded once
per entry, half-up to the cent. The brief's worked figure:

    >>> from datetime import date
    >>> accrue_interest(Decimal("10000"), deposited=date(2025, 4, 15), until=date(2026, 6, 30))
    Decimal('855.37')
    >>> accrue_interest(Decimal("10000"), deposited=date(2025, 4, 15), until=date(2026, 6, 30), corporate=True)
    Decimal('725.02')

Past the rate table's coverage a computation is refused (:class:`RateNotCovered`)
unless ``project=True``, which carries the last known rate forward and says so.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache, lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ._resources import as_dir, read_csv, read_manifest
from ._trusted import trusted
from .errors import DataError, InvalidFormat, InvalidPeriod, RateNotCovered
from .money import INTEREST_ROUNDING, allocate, check_rounding, round_interest, to_decimal

__all__ = [
    "DelinquencyDetail",
    "InterestConventions",
    "InterestDetail",
    "InterestPeriod",
    "RatePeriod",
    "RateTable",
    "accrue_interest",
    "default_rate_table",
    "delinquency_interest",
    "growth_factor",
    "interest_detail",
]

DayCount = Literal["actual/actual", "actual/365", "actual/360"]
Compounding = Literal["daily", "simple"]
Accrual = Literal["after_deposit", "from_deposit"]
RateColumn = Literal["noncorporate", "corporate", "corporate_over_10k"]

RATE_COLUMNS = (
    "effective_from",
    "effective_to",
    "underpayment_pct",
    "overpayment_noncorporate_pct",
    "overpayment_corporate_pct",
    "overpayment_corporate_over_10k_pct",
    "status",
    "notes",
    "source",
)
_ONE_DAY = timedelta(days=1)
_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: 19 U.S.C. 1505(d): a refund unpaid 30 days after (re)liquidation is delinquent, and
#: the balance bears interest "by 30-day periods".
DELINQUENCY_PERIOD_DAYS = 30


class RatePeriod(BaseModel):
    """One quarter's rates, percent per year."""

    model_config = _FROZEN

    effective_from: date
    effective_to: date
    underpayment: Decimal
    noncorporate: Decimal
    corporate: Decimal
    corporate_over_10k: Decimal
    status: str
    notes: str
    source: str

    def rate(self, column: RateColumn) -> Decimal:
        value: Decimal = getattr(self, column)
        return value


class RateTable:
    """The quarterly rates, sorted and contiguous; looked up by day with bisect."""

    __slots__ = ("_starts", "data_version", "periods")

    def __init__(
        self, periods: list[RatePeriod] | tuple[RatePeriod, ...], *, data_version: str
    ) -> None:
        ordered = tuple(sorted(periods, key=lambda p: p.effective_from))
        if not ordered:
            raise DataError("an interest-rate table needs at least one period")
        for period in ordered:
            if period.effective_from >= period.effective_to:
                raise DataError(
                    f"rate period starting {period.effective_from} ends before it starts"
                )
        for before, after in itertools.pairwise(ordered):
            if before.effective_to != after.effective_from:
                raise DataError(
                    f"rate periods must be contiguous: one ends {before.effective_to}, "
                    f"the next starts {after.effective_from}"
                )
        self.periods = ordered
        self.data_version = data_version
        self._starts = [p.effective_from for p in ordered]

    def __repr__(self) -> str:
        return f"<RateTable {self.data_version}: {self.covers_from} to {self.covers_to}>"

    @classmethod
    def load(cls, where: str | Path | Traversable | None = None) -> RateTable:
        """Load a rate-table folder (the shipped ``data/interest_rates`` when None)."""
        folder = as_dir(where, "interest_rates")
        manifest = read_manifest(folder)
        periods = []
        for number, row in enumerate(
            read_csv(folder, "overpayment_rates.csv", RATE_COLUMNS), start=2
        ):
            try:
                periods.append(
                    RatePeriod(
                        effective_from=date.fromisoformat(row["effective_from"]),
                        effective_to=date.fromisoformat(row["effective_to"]),
                        underpayment=Decimal(row["underpayment_pct"]),
                        noncorporate=Decimal(row["overpayment_noncorporate_pct"]),
                        corporate=Decimal(row["overpayment_corporate_pct"]),
                        corporate_over_10k=Decimal(row["overpayment_corporate_over_10k_pct"]),
                        status=row["status"].strip(),
                        notes=row["notes"].strip(),
                        source=row["source"].strip(),
                    )
                )
            except (ValueError, ArithmeticError) as exc:
                raise DataError(f"overpayment_rates.csv row {number}: {exc}") from None
        return cls(periods, data_version=str(manifest["data_version"]))

    @property
    def covers_from(self) -> date:
        return self.periods[0].effective_from

    @property
    def covers_to(self) -> date:
        """The first day *not* covered (exclusive end)."""
        return self.periods[-1].effective_to

    def period_on(self, day: date) -> RatePeriod:
        """The quarter in force on ``day``; :class:`RateNotCovered` outside the table."""
        index = bisect.bisect_right(self._starts, day) - 1
        if index < 0 or day >= self.covers_to:
            raise RateNotCovered(
                f"no interest rate for {day.isoformat()}: the rate table (data "
                f"{self.data_version}) covers {self.covers_from.isoformat()} to "
                f"{(self.covers_to - _ONE_DAY).isoformat()}"
                + ("; pass project=True to carry the last known rate forward" if index >= 0 else "")
            )
        return self.periods[index]


@cache
def default_rate_table() -> RateTable:
    """The shipped rate table, loaded once per process."""
    return RateTable.load()


class InterestConventions(BaseModel):
    """How interest is counted. CBP has not published its method: these are choices.

    ``accrual``: ``after_deposit`` accrues each day in ``(deposited, until]``;
    ``from_deposit`` each day in ``[deposited, until)``. Both count
    ``(until - deposited).days`` days; they differ in which quarter's rate the
    boundary days take. ``compounding="simple"`` is a diagnostic, to compare
    with a figure CBP reports (ES-022), not the law's method.
    """

    model_config = _FROZEN

    day_count: DayCount = "actual/actual"
    compounding: Compounding = "daily"
    accrual: Accrual = "after_deposit"
    rounding: str = INTEREST_ROUNDING
    large_corporate_rate: bool = False

    @field_validator("rounding")
    @classmethod
    def _rounding(cls, value: str) -> str:
        return check_rounding(value)

    """Use the corporate rate on overpayments over $10,000 (6621(a)(1)); CBP's notices do not."""


DEFAULT_CONVENTIONS = InterestConventions()


class InterestPeriod(BaseModel):
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


class InterestDetail(BaseModel):
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


class DelinquencyDetail(BaseModel):
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


def _column(corporate: bool, conventions: InterestConventions) -> RateColumn:
    if not corporate:
        return "noncorporate"
    return "corporate_over_10k" if conventions.large_corporate_rate else "corporate"


def _year_days(day: date, day_count: DayCount) -> int:
    if day_count == "actual/360":
        return 360
    if day_count == "actual/365":
        return 365
    return 366 if calendar.isleap(day.year) else 365


def _segments(
    first: date,
    last: date,
    table: RateTable,
    column: RateColumn,
    project: bool,
    day_count: DayCount,
) -> Iterator[tuple[date, date, Decimal, int, bool, str]]:
    """Runs of accrual days sharing one rate and one year length: (first, last, rate, year, projected, source)."""
    day = first
    while day <= last:
        try:
            period = table.period_on(day)
            rate, end, projected, source = (
                period.rate(column),
                period.effective_to,
                False,
                period.source,
            )
        except RateNotCovered:
            if not project or day < table.covers_from:
                raise
            final = table.periods[-1]
            rate, end, projected = final.rate(column), date.max, True
            source = f"projected: the last known rate ({final.effective_from.isoformat()} quarter)"
        year_end = date(day.year + 1, 1, 1) if day.year < date.max.year else date.max
        stop = min(last + _ONE_DAY, end, year_end)
        yield day, stop - _ONE_DAY, rate, _year_days(day, day_count), projected, source
        day = stop


@lru_cache(maxsize=4096)
def _period_factor(rate: Decimal, year_days: int, days: int, compounding: Compounding) -> Fraction:
    daily = Fraction(rate) / (100 * year_days)
    return (1 + daily) ** days if compounding == "daily" else 1 + daily * days


def _check_dates(deposited: date, until: date) -> None:
    if not isinstance(deposited, date) or not isinstance(until, date):
        raise InvalidFormat("deposited and until are dates", field="until", value=until)
    if until < deposited:
        raise InvalidPeriod(
            f"until {until.isoformat()} is before the deposit date {deposited.isoformat()}",
            field="until",
            value=until.isoformat(),
        )


def _accrual_days(deposited: date, until: date, accrual: Accrual) -> tuple[date, date]:
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
    _check_dates(deposited, until)
    table = rates or default_rate_table()
    first, last = _accrual_days(deposited, until, conventions.accrual)
    column = _column(corporate, conventions)
    factor = Fraction(1)
    for start, end, rate, year_days, _, _ in _segments(
        first, last, table, column, project, conventions.day_count
    ):
        if conventions.compounding == "daily":
            factor *= _period_factor(rate, year_days, (end - start).days + 1, "daily")
        else:
            factor += _period_factor(rate, year_days, (end - start).days + 1, "simple") - 1
    return factor


def _decimal(value: Fraction, digits: int = 40) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = digits
        return Decimal(value.numerator) / Decimal(value.denominator)


def _principal(value: Any) -> Decimal:
    principal = to_decimal(value, field="principal")
    if principal < 0:
        raise InvalidFormat(
            "the principal must not be negative", field="principal", value=principal
        )
    return principal


_DIGITS = 60


class _Index:
    """Cumulative growth of one dollar, day by day, for one rate column and convention.

    ``at(d)`` is the product of ``1 + rate/year`` over every day from the table's
    first day to ``d`` (daily compounding), or ``1 +`` their sum (simple), at
    60 significant digits. Growth over the accrual days ``first..last`` is then
    ``at(last) / at(first - 1)``: one division per entry however long the span.
    Built once per (table, column, conventions, projection) and extended as
    later days are asked for.
    """

    __slots__ = ("_column", "_compounding", "_day_count", "_project", "_start", "_table", "_values")

    def __init__(
        self,
        table: RateTable,
        column: RateColumn,
        day_count: DayCount,
        compounding: Compounding,
        project: bool,
    ) -> None:
        self._table, self._column, self._project = table, column, project
        self._day_count, self._compounding = day_count, compounding
        self._start = table.covers_from - _ONE_DAY
        self._values = [Decimal(1) if compounding == "daily" else Decimal(0)]

    def at(self, day: date) -> Decimal:
        offset = (day - self._start).days
        if offset < 0:
            raise RateNotCovered(
                f"no interest rate for {(day + _ONE_DAY).isoformat()}: the rate table (data "
                f"{self._table.data_version}) starts {self._table.covers_from.isoformat()}"
            )
        values = self._values
        if offset >= len(values):
            self._extend(day)
        return values[offset]

    def _extend(self, last: date) -> None:
        values = self._values
        day = self._start + timedelta(days=len(values))
        value = values[-1]
        with localcontext() as ctx:
            ctx.prec = _DIGITS
            for first, end, rate, year_days, _, _ in _segments(
                day, last, self._table, self._column, self._project, self._day_count
            ):
                daily = Decimal(rate) / (100 * year_days)
                step = 1 + daily
                for _ in range((end - first).days + 1):
                    value = value * step if self._compounding == "daily" else value + daily
                    values.append(value)


@lru_cache(maxsize=256)
def _index(
    table: RateTable,
    column: RateColumn,
    day_count: DayCount,
    compounding: Compounding,
    project: bool,
) -> _Index:
    return _Index(table, column, day_count, compounding, project)


class _Growth(BaseModel):
    """The dates-only part of an interest computation, shared by every principal."""

    model_config = ConfigDict(frozen=True)

    runs: tuple[tuple[date, date, Decimal, int, bool, str], ...]
    factors: tuple[Decimal, ...]
    shares: tuple[Decimal, ...]
    """Each run's interest per dollar of principal."""
    total: Decimal
    """Interest per dollar over the whole span."""
    factor: Decimal


@lru_cache(maxsize=4096)
def _growth(
    first: date,
    last: date,
    table: RateTable,
    column: RateColumn,
    project: bool,
    conventions: InterestConventions,
) -> _Growth:
    # Cached: a portfolio shares a few deposit and liquidation dates across many entries.
    runs = tuple(_segments(first, last, table, column, project, conventions.day_count))
    index = _index(table, column, conventions.day_count, conventions.compounding, project)
    daily = conventions.compounding == "daily"
    with localcontext() as ctx:
        ctx.prec = _DIGITS
        base = index.at(first - _ONE_DAY)
        factors, shares = [], []
        for start, end, _, _, _, _ in runs:
            before, after = index.at(start - _ONE_DAY), index.at(end)
            factors.append(after / before if daily else 1 + after - before)
            shares.append((after - before) / base if daily else after - before)
        final = index.at(last) if runs else base
        total = (final / base - 1) if daily else final - base
    return _Growth(
        runs=runs,
        factors=tuple(factors),
        shares=tuple(shares),
        total=total,
        factor=1 + total,
    )


def interest_detail(
    principal: Decimal | int | str,
    *,
    deposited: date,
    until: date,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    conventions: InterestConventions = DEFAULT_CONVENTIONS,
) -> InterestDetail:
    """Interest on ``principal`` with the per-quarter working a user can show."""
    amount = _principal(principal)
    _check_dates(deposited, until)
    table = rates or default_rate_table()
    first, last = _accrual_days(deposited, until, conventions.accrual)
    column = _column(corporate, conventions)
    growth = _growth(first, last, table, column, project, conventions)
    with localcontext() as ctx:
        ctx.prec = _DIGITS + 20  # no loss for any principal under 10**20
        unrounded = amount * growth.total
        weights = [amount * share for share in growth.shares]
    interest = round_interest(unrounded, rounding=conventions.rounding)
    amounts = allocate(interest, weights) if weights else []
    periods = tuple(
        trusted(
            InterestPeriod,
            first_day=start,
            last_day=end,
            days=(end - start).days + 1,
            annual_rate_percent=rate,
            year_days=year_days,
            factor=factor,
            amount=share,
            projected=projected,
            source=source,
        )
        for (start, end, rate, year_days, projected, source), factor, share in zip(
            growth.runs, growth.factors, amounts, strict=True
        )
    )
    return trusted(
        InterestDetail,
        principal=amount,
        deposited=deposited,
        until=until,
        rate_column=column,
        conventions=conventions,
        periods=periods,
        factor=growth.factor,
        interest=interest,
        unrounded=unrounded,
        projected=any(p.projected for p in periods),
        data_version=table.data_version,
    )


def _conventions(
    base: InterestConventions | None, overrides: Mapping[str, Any]
) -> InterestConventions:
    chosen = {k: v for k, v in overrides.items() if v is not None}
    base = base or DEFAULT_CONVENTIONS
    return base.model_copy(update=chosen) if chosen else base


def accrue_interest(
    principal: Decimal | int | str,
    *,
    deposited: date,
    until: date,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    day_count: DayCount | None = None,
    compounding: Compounding | None = None,
    accrual: Accrual | None = None,
    rounding: str | None = None,
    large_corporate_rate: bool | None = None,
    conventions: InterestConventions | None = None,
) -> Decimal:
    """Interest on ``principal`` deposited on ``deposited`` until ``until``, to the cent.

    The named conventions override ``conventions`` (default
    :class:`InterestConventions`); see the module docstring.
    """
    chosen = _conventions(
        conventions,
        {
            "day_count": day_count,
            "compounding": compounding,
            "accrual": accrual,
            "rounding": rounding,
            "large_corporate_rate": large_corporate_rate,
        },
    )
    return interest_detail(
        principal,
        deposited=deposited,
        until=until,
        corporate=corporate,
        rates=rates,
        project=project,
        conventions=chosen,
    ).interest


def delinquency_interest(
    balance: Decimal | int | str,
    *,
    liquidated: date,
    paid_on: date,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    conventions: InterestConventions = DEFAULT_CONVENTIONS,
    payment_period_accrues: bool = False,
) -> DelinquencyDetail:
    """Extra interest on a refund paid more than 30 days after (re)liquidation.

    19 U.S.C. 1505(d): an amount not paid within 30 days of (re)liquidation is
    delinquent and bears interest by 30-day periods from the (re)liquidation
    date until paid, and "no interest shall accrue during the 30-day period in
    which payment is actually made". ``balance`` is what was due (principal and
    interest). ``payment_period_accrues=True`` counts the period of payment too,
    for comparison with a figure CBP reports.
    """
    amount = _principal(balance)
    _check_dates(liquidated, paid_on)
    days = (paid_on - liquidated).days
    if days <= DELINQUENCY_PERIOD_DAYS:
        periods = 0
    elif payment_period_accrues:
        periods = -(-days // DELINQUENCY_PERIOD_DAYS)
    else:
        periods = (days - 1) // DELINQUENCY_PERIOD_DAYS
    accrues_until = liquidated + timedelta(days=periods * DELINQUENCY_PERIOD_DAYS)
    detail = (
        interest_detail(
            amount,
            deposited=liquidated,
            until=accrues_until,
            corporate=corporate,
            rates=rates,
            project=project,
            conventions=conventions,
        )
        if periods
        else None
    )
    return DelinquencyDetail(
        balance=amount,
        liquidated=liquidated,
        paid_on=paid_on,
        periods=periods,
        accrues_until=accrues_until,
        interest=detail.interest if detail else Decimal("0.00"),
        detail=detail,
    )
