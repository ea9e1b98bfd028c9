from __future__ import annotations

from datetime import date

import pytest

from ieepa_refund.dates import federal_holidays, is_working_day, nth_working_day, pms_deposit_date


@pytest.mark.parametrize(
    "holiday",
    [
        date(2025, 1, 20),  # MLK Day, third Monday
        date(2025, 5, 26),  # Memorial Day, last Monday
        date(2025, 6, 19),  # Juneteenth
        date(2025, 11, 27),  # Thanksgiving, fourth Thursday
        date(2026, 7, 3),  # Independence Day on a Saturday, observed Friday
        date(2027, 12, 31),  # New Year's Day 2028 on a Saturday, observed the Friday before
    ],
)
def test_holidays(holiday: date) -> None:
    assert holiday in federal_holidays(holiday.year)
    assert not is_working_day(holiday)


def test_eleven_holidays_a_year() -> None:
    assert len(federal_holidays(2025)) == 11
    assert date(2020, 6, 19) not in federal_holidays(2020)  # before Pub. L. 117-17


@pytest.mark.parametrize(
    ("released", "paid"),
    [
        (date(2025, 6, 2), date(2025, 7, 22)),  # July 4 holiday pushes it a day
        (date(2025, 12, 15), date(2026, 1, 23)),  # Jan 1 and MLK Day
        (date(2025, 10, 31), date(2025, 11, 24)),  # Veterans Day
    ],
)
def test_pms_deposit_date(released: date, paid: date) -> None:
    assert pms_deposit_date(released) == paid


def test_closures_and_bad_n() -> None:
    assert nth_working_day(2025, 12, 1) == date(2025, 12, 1)
    assert nth_working_day(2025, 12, 1, closures={date(2025, 12, 1)}) == date(2025, 12, 2)
    with pytest.raises(ValueError, match="fewer than 30"):
        nth_working_day(2025, 12, 30)
    with pytest.raises(ValueError, match="n=1"):
        nth_working_day(2025, 12, 0)
