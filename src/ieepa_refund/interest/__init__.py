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
    >>> from decimal import Decimal
    >>> accrue_interest(Decimal("10000"), deposited=date(2025, 4, 15), until=date(2026, 6, 30))
    Decimal('855.37')
    >>> accrue_interest(Decimal("10000"), deposited=date(2025, 4, 15), until=date(2026, 6, 30), corporate=True)
    Decimal('725.02')

An entry whose money on deposit changed before liquidation (supplemental deposits,
pre-liquidation refunds) takes :func:`segmented_interest`: one running account from the
first deposit to liquidation (the excess over the amount finally due plus the interest
accrued so far, compounded daily at the rate of the side it is on), cut into spans at each
change and netted (``InterestConventions(segments="restart")``: each span its own accrual).

Past the rate table's coverage a computation is refused (:class:`RateNotCovered`)
unless ``project=True``, which carries the last known rate forward and says so.
"""

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
    Segments,
)
from ._engine import (
    DELINQUENCY_PERIOD_DAYS,
    MAX_PRINCIPAL,
    InterestGrowth,
    accrue_interest,
    apply_growth,
    delinquency_interest,
    interest_detail,
    interest_growth,
)
from ._exact import growth_factor
from ._segments import (
    DepositEvent,
    DepositKind,
    InterestSegment,
    SegmentedInterest,
    segmented_interest,
)
from ._table import RATE_COLUMNS, RatePeriod, RateTable, default_rate_table

__all__ = [
    "Accrual",
    "Compounding",
    "DEFAULT_CONVENTIONS",
    "DELINQUENCY_PERIOD_DAYS",
    "DayCount",
    "DelinquencyDetail",
    "DepositEvent",
    "DepositKind",
    "InterestConventions",
    "InterestDetail",
    "InterestGrowth",
    "InterestPeriod",
    "InterestSegment",
    "MAX_PRINCIPAL",
    "RATE_COLUMNS",
    "RateColumn",
    "RatePeriod",
    "RateTable",
    "SegmentedInterest",
    "Segments",
    "accrue_interest",
    "apply_growth",
    "default_rate_table",
    "delinquency_interest",
    "growth_factor",
    "interest_detail",
    "interest_growth",
    "segmented_interest",
]
