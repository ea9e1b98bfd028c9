"""Which liquidation statuses say the entry is open (t69/06): a status starting UN or NOT was
read as open whatever it said, so UNKNOWN with a future liquidation date dropped the date
(LIQUIDATION_SCHEDULED), and with a past one made the entry an input problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ieepa_refund.entry import Entry, EntryLine, Tariff


def _entry(status: str | None, liquidated: date | None) -> Entry:
    return Entry(
        entry_number="31600001023",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 9, 3),
        liquidation_date=liquidated,
        liquidation_status=status,
        deposit_date=date(2025, 9, 11),
        lines=[
            EntryLine(
                number=1,
                country_of_origin="CN",
                tariffs=[Tariff(hts="99030125", duty=Decimal("1000.00"))],
            )
        ],
    )


@pytest.mark.parametrize(
    "status", ["UNLIQUIDATED", "UNLIQ", "Un-Liquidated", "NOT LIQUIDATED", "Not Yet Liquidated",
               "NON-LIQUIDATED", "OPEN", "SUSPENDED", "EXTENDED"],
)  # fmt: skip
def test_open_words_keep_a_future_date_a_scheduled_one(status: str) -> None:
    entry = _entry(status, date(2026, 8, 1))
    assert entry.scheduled_liquidation(date(2026, 6, 30)) == date(2026, 8, 1)


@pytest.mark.parametrize("status", ["UNKNOWN", "UNDETERMINED", "NOTED", "N/A"])
def test_a_status_saying_neither_is_read_as_one_saying_neither(status: str) -> None:
    as_of = date(2026, 6, 30)
    for day in (date(2026, 8, 1), date(2026, 6, 1)):
        entry, neither = _entry(status, day), _entry(None, day)
        assert entry.scheduled_liquidation(as_of) is None
        assert entry.liquidation_conflict is None
        assert neither.liquidation_conflict is None
