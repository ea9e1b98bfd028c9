"""The interest engine: cumulative daily growth indexes, cached per date span, applied to a principal."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from .._trusted import builder
from ..errors import InvalidFormat, RateNotCovered
from ..money import allocate, round_interest, to_decimal
from ._conventions import (
    DEFAULT_CONVENTIONS,
    Accrual,
    Compounding,
    DayCount,
    DelinquencyDetail,
    InterestConventions,
    InterestDetail,
    InterestPeriod,
    RateColumn,
    rate_column,
)
from ._exact import accrual_days, check_dates, check_flag, check_span
from ._table import RateTable, segments

__all__ = [
    "DELINQUENCY_PERIOD_DAYS",
    "InterestGrowth",
    "MAX_PRINCIPAL",
    "accrue_interest",
    "apply_growth",
    "delinquency_interest",
    "interest_detail",
    "interest_growth",
]

_ONE_DAY = timedelta(days=1)
#: 19 U.S.C. 1505(d): a refund unpaid 30 days after (re)liquidation is delinquent, and
#: the balance bears interest "by 30-day periods".
DELINQUENCY_PERIOD_DAYS = 30


#: More than any refund an importer is owed (a trillion dollars): past it a principal is a
#: typo or a unit slip, and its interest would outgrow the 60-digit working precision.
MAX_PRINCIPAL = Decimal(10) ** 12


def _principal(value: Any, field: str = "principal") -> Decimal:
    principal = to_decimal(value, field=field)
    if principal < 0:
        raise InvalidFormat("must not be negative", field=field, value=principal)
    if principal > MAX_PRINCIPAL:
        raise InvalidFormat(
            f"more than {MAX_PRINCIPAL:,} is not a plausible refund", field=field, value=principal
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
    later days are asked for, under a lock: two threads extending the list at
    once would interleave their days. Reads of days already built take no lock
    (a list only grows, and an element is appended once it is final).
    """

    __slots__ = (
        "_column",
        "_compounding",
        "_day_count",
        "_lock",
        "_project",
        "_start",
        "_table",
        "_values",
    )

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
        self._lock = threading.Lock()

    def at(self, day: date) -> Decimal:
        offset = (day - self._start).days
        if offset < 0:
            raise RateNotCovered(
                f"no interest rate for {(day + _ONE_DAY).isoformat()}: the rate table (data "
                f"{self._table.data_version}) starts {self._table.covers_from.isoformat()}"
            )
        values = self._values
        if offset >= len(values):
            with self._lock:
                if offset >= len(values):
                    self._extend(day)
        return values[offset]

    def _extend(self, last: date) -> None:
        values = self._values
        day = self._start + timedelta(days=len(values))
        value = values[-1]
        with localcontext() as ctx:
            ctx.prec = _DIGITS
            for first, end, rate, year_days, _, _ in segments(
                day, last, self._table, self._column, self._project, self._day_count
            ):
                daily = Decimal(rate) / (100 * year_days)
                step = 1 + daily
                for _ in range((end - first).days + 1):
                    value = value * step if self._compounding == "daily" else value + daily
                    values.append(value)


_INDEX_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def _new_index(
    table: RateTable,
    column: RateColumn,
    day_count: DayCount,
    compounding: Compounding,
    project: bool,
) -> _Index:
    return _Index(table, column, day_count, compounding, project)


def _index(
    table: RateTable,
    column: RateColumn,
    day_count: DayCount,
    compounding: Compounding,
    project: bool,
) -> _Index:
    # One index per key even when threads ask first together (lru_cache alone may build two).
    with _INDEX_LOCK:
        return _new_index(table, column, day_count, compounding, project)


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
    heads: tuple[tuple[date, date, int, Decimal, int, Decimal, bool, str], ...]
    """Each run's period as :class:`InterestPeriod` holds it, but its amount: first and last
    day, days, rate, year days, factor, projected, source (made once per span, not per entry)."""
    projected: bool
    """Some run lies past the rate table's end."""


# Built from values made above (segments' runs, Decimals at 60 digits), so not validated:
# validation copies every tuple and gives each growth a dict and a set of field names, about
# 1 KB a span held in the cache below (6 MB at 1M rows).
_new_growth = builder(_Growth)


# Sized for the data: a million-row ES-003 holds about 6,000 (deposit, liquidation) date pairs,
# and a cache smaller than that recomputes a third of them. A pair costs about 1 KB.
@lru_cache(maxsize=1 << 15)
def _growth(
    first: date,
    last: date,
    table: RateTable,
    column: RateColumn,
    project: bool,
    conventions: InterestConventions,
) -> _Growth:
    # Cached: a portfolio shares a few deposit and liquidation dates across many entries.
    runs = tuple(segments(first, last, table, column, project, conventions.day_count))
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
        factor = 1 + total  # inside the 60-digit context, not the caller's 28
    heads = tuple(
        (start, end, (end - start).days + 1, rate, year_days, run_factor, projected, source)
        for (start, end, rate, year_days, projected, source), run_factor in zip(
            runs, factors, strict=True
        )
    )
    return _new_growth(
        runs,
        tuple(factors),
        tuple(shares),
        total,
        factor,
        heads,
        any(run[4] for run in runs),
    )


def _span(
    deposited: date,
    until: date,
    corporate: bool,
    table: RateTable,
    project: bool,
    conventions: InterestConventions,
) -> tuple[RateColumn, _Growth]:
    first, last = accrual_days(deposited, until, conventions.accrual)
    column = rate_column(corporate, conventions)
    return column, _growth(first, last, table, column, project, conventions)


class InterestGrowth(NamedTuple):
    """The interest on one dollar over one span, as :func:`interest_detail` applies it."""

    total: Decimal
    """Interest per dollar of principal, at the engine's working precision (60 digits)."""
    projected: bool
    """Some of the span lies past the rate table's end and uses the last known rate."""


def apply_growth(principal: Decimal, total: Decimal) -> Decimal:
    """Unrounded interest: ``principal`` times a span's growth ``total``, at the engine's
    working precision (no loss for a principal under 10**20). Rounded once, by the caller,
    with :func:`~ieepa_refund.money.round_interest`; both engines call this."""
    with localcontext() as ctx:
        ctx.prec = _DIGITS + 20
        return principal * total


def _compact(value: Decimal) -> Decimal:
    """``value`` itself, as a new Decimal holding its digits inline when they fit (up to 76):
    ``copy_sign`` is exact in any context (no rounding, the sign of a zero kept)."""
    return value.copy_sign(value)


def interest_growth(
    deposited: date,
    until: date,
    *,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    conventions: InterestConventions = DEFAULT_CONVENTIONS,
) -> InterestGrowth:
    """The growth :func:`interest_detail` multiplies a principal by, for a columnar caller.

    ``interest_detail(p, ...).interest`` is ``round_interest(p * total)`` at 80 digits
    (no loss for a principal under 10**20), so a caller holding many principals over one
    span asks for the span once and applies it itself (the bulk engine does, in cents).
    Raises what :func:`interest_detail` raises for the same dates and options.
    """
    table = check_span(deposited, until, corporate, project, rates, conventions)
    first, last = accrual_days(deposited, until, conventions.accrual)
    if table.covers_from <= first <= last < table.covers_to:
        # Inside the table (contiguous: no day projected, none refused), the total alone is
        # _growth's: the index at the span's two ends, with no runs, shares or heads made
        # (a bulk run asks for about 6,000 spans at 1M rows; a third of the time they took).
        index = _index(
            table, rate_column(corporate, conventions), conventions.day_count,
            conventions.compounding, project,
        )  # fmt: skip
        with localcontext() as ctx:
            ctx.prec = _DIGITS
            base, final = index.at(first - _ONE_DAY), index.at(last)
            total = (final / base - 1) if conventions.compounding == "daily" else final - base
        return InterestGrowth(total, False)
    _, growth = _span(deposited, until, corporate, table, project, conventions)
    return InterestGrowth(growth.total, growth.projected)


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
    table = check_span(deposited, until, corporate, project, rates, conventions)
    column, growth = _span(deposited, until, corporate, table, project, conventions)
    with localcontext() as ctx:
        ctx.prec = _DIGITS + 20  # no loss for any principal under 10**20
        # The product is kept in the result: copied (exactly, sign and all) so that its digits
        # sit in the Decimal itself. The product's own digits are in a block allocated for the
        # multiplication's widest case (another 32 bytes an interest-bearing refund holds).
        unrounded = _compact(apply_growth(amount, growth.total))
        weights = [amount * share for share in growth.shares]
    interest = round_interest(unrounded, rounding=conventions.rounding)
    amounts = allocate(interest, weights) if weights else []
    periods = tuple(
        [
            _new_period(start, end, days, rate, year_days, factor, share, projected, source)
            for (start, end, days, rate, year_days, factor, projected, source), share in zip(
                growth.heads, amounts, strict=True
            )
        ]
    )
    return _new_detail(
        amount,
        deposited,
        until,
        column,
        conventions,
        periods,
        growth.factor,
        interest,
        unrounded,
        growth.projected,  # any period's projected flag
        table.data_version,
    )


# The field order of every InterestPeriod interest_detail has made (its JSON's key order).
_new_period = builder(
    InterestPeriod,
    (
        "first_day",
        "last_day",
        "days",
        "annual_rate_percent",
        "year_days",
        "factor",
        "amount",
        "projected",
        "source",
    ),
)
# The field order of every InterestDetail interest_detail has made (its JSON's key order).
_new_detail = builder(
    InterestDetail,
    (
        "principal",
        "deposited",
        "until",
        "rate_column",
        "conventions",
        "periods",
        "factor",
        "interest",
        "unrounded",
        "projected",
        "data_version",
    ),
)


def _conventions(
    base: InterestConventions | None, overrides: Mapping[str, Any]
) -> InterestConventions:
    """``base`` with the named options, validated as the model validates them.

    ``model_copy(update=...)`` would skip validation: ``compounding="Daily"``
    would then fall through to simple interest without a word.
    """
    if base is not None and not isinstance(base, InterestConventions):
        raise InvalidFormat("an InterestConventions is expected", field="conventions", value=base)
    chosen = {k: v for k, v in overrides.items() if v is not None}
    base = base or DEFAULT_CONVENTIONS
    if not chosen:
        return base
    # Raises what InterestConventions(...) raises, naming the option (its field).
    return InterestConventions.model_validate({**base.model_dump(), **chosen})


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
    amount = _principal(balance, "balance")
    check_dates(liquidated, paid_on, names=("liquidated", "paid_on"))
    check_flag(payment_period_accrues, field="payment_period_accrues")
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
