"""Federal working days, and the deposit date of duties paid on a monthly statement.

Duties on a periodic monthly statement (PMS) are paid on the 15th working day
of the month after the goods' release (19 CFR 24.25; CBP's PMS rules), so
interest on a refund of them starts then, not at the entry summary date.

Working days are Monday to Friday less the legal public holidays of
5 U.S.C. 6103(a), each observed on the Friday before when it falls on a
Saturday and the Monday after when on a Sunday (5 U.S.C. 6103(b); Executive
Order 11582). One-off closures (an executive order's extra day off) are not
rules but data (``data/federal_closures``, read by
:func:`ieepa_refund.refund.default_federal_closures`): pass them in ``closures``.
A refund does so by default; ``RefundOptions(closures=...)`` replaces them.

    >>> pms_deposit_date(date(2025, 6, 2))
    datetime.date(2025, 7, 22)
    >>> sorted(federal_holidays(2025))[:3]
    [datetime.date(2025, 1, 1), datetime.date(2025, 1, 20), datetime.date(2025, 2, 17)]
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import cache

from dateutil.relativedelta import MO, TH, relativedelta

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "federal_holidays",
    "is_working_day",
    "nth_working_day",
    "pms_deposit_date",
]

#: Dates this library's inputs can hold: IEEPA duty was collected from 2025, and a liquidation,
#: deposit or declaration date is years after entry at most. Outside these a date is a typo
#: (1925 or 2062 for 2025), not data.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)

#: PMS payment falls on this working day of the following month.
PMS_WORKING_DAY = 15


def _observed(day: date) -> date:
    # 5 U.S.C. 6103(b); E.O. 11582: Saturday -> Friday before, Sunday -> Monday after.
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """The legal public holidays of ``year`` as observed (5 U.S.C. 6103)."""
    jan1 = date(year, 1, 1)
    days = {
        _observed(jan1),  # New Year's Day
        jan1 + relativedelta(month=1, weekday=MO(+3)),  # Birthday of Martin Luther King, Jr.
        jan1 + relativedelta(month=2, weekday=MO(+3)),  # Washington's Birthday
        jan1 + relativedelta(month=5, day=31, weekday=MO(-1)),  # Memorial Day
        _observed(date(year, 7, 4)),  # Independence Day
        jan1 + relativedelta(month=9, weekday=MO(+1)),  # Labor Day
        jan1 + relativedelta(month=10, weekday=MO(+2)),  # Columbus Day
        _observed(date(year, 11, 11)),  # Veterans Day
        jan1 + relativedelta(month=11, weekday=TH(+4)),  # Thanksgiving Day
        _observed(date(year, 12, 25)),  # Christmas Day
    }
    if year >= 2021:  # Juneteenth National Independence Day Act, Pub. L. 117-17
        days.add(_observed(date(year, 6, 19)))
    # New Year's Day of the next year observed on 31 December of this one.
    following = _observed(date(year + 1, 1, 1))
    if following.year == year:
        days.add(following)
    return frozenset(d for d in days if d.year == year)


def is_working_day(day: date, *, closures: Collection[date] = ()) -> bool:
    """Monday to Friday, not a federal holiday, not one of ``closures``."""
    return day.weekday() < 5 and day not in federal_holidays(day.year) and day not in closures


def nth_working_day(year: int, month: int, n: int, *, closures: Collection[date] = ()) -> date:
    """The ``n``-th working day of a month (n >= 1)."""
    if n < 1:
        raise ValueError(f"n: the first working day is n=1 (got {n})")
    day = date(year, month, 1)
    count = 0
    while True:
        if day.month != month:
            raise ValueError(f"n: {year}-{month:02d} has fewer than {n} working days")
        if is_working_day(day, closures=closures):
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


def pms_deposit_date(released: date, *, closures: Collection[date] = ()) -> date:
    """When duties on goods released on ``released`` were paid on a monthly statement."""
    following = released + relativedelta(months=1)
    return nth_working_day(following.year, following.month, PMS_WORKING_DAY, closures=closures)
