from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    Assumptions,
    Entry,
    compare,
    compute_refunds,
    deadline_calendar,
    read_es003,
    sample_es003,
)
from tests.strategies import china_entries

ENTRIES = read_es003(sample_es003()).entries

assumption_sets = st.builds(
    Assumptions,
    method=st.sampled_from(["paid", "recalculate"]),
    corporate=st.booleans(),
    deposit=st.sampled_from(["reported", "pms"]),
    project=st.booleans(),
    declared_on=st.one_of(st.none(), st.dates(date(2026, 4, 20), date(2026, 12, 31))),
    liquidation_after_filing_days=st.one_of(st.none(), st.integers(0, 120)),
    interest_until=st.one_of(st.none(), st.dates(date(2026, 3, 1), date(2026, 12, 31))),
)


@given(assumption_sets)
def test_unchanged_assumptions_give_zero_difference(assumptions: Assumptions) -> None:
    """A scenario equal to its baseline changes nothing, entry by entry and in total."""
    result = compare(ENTRIES, assumptions, baseline=assumptions)
    assert result.total_change == 0
    assert all(d.change == 0 for d in result.differences)
    assert result.changed == ()


@given(
    st.lists(china_entries(), min_size=1, max_size=5),
    st.lists(st.dates(date(2025, 12, 1), date(2026, 9, 30)), min_size=5, max_size=5),
    st.dates(date(2026, 4, 20), date(2026, 10, 5)),
    st.integers(1, 120),
)
def test_filing_later_never_makes_a_liquidated_entry_newly_eligible(
    entries: list[Entry], liquidations: list[date], declared: date, delay: int
) -> None:
    """Under the 80-day rule, moving the filing date later can only lose liquidated entries.

    Liquidated means liquidated by the first filing date: an entry liquidating between the
    two dates is unliquidated at the first and may rightly be counted only at the second
    (hypothesis found liquidation 2026-05-01, filed 2026-04-20 and 66 days later)."""
    liquidated = [
        e.model_copy(update={"liquidation_date": max(min(liq, declared), e.entry_date)})
        for e, liq in zip(entries, liquidations, strict=False)
        if e.entry_date <= declared
    ]
    base = Assumptions(declared_on=declared)
    later = Assumptions(declared_on=declared + timedelta(days=delay))
    for d in compare(liquidated, later, baseline=base).differences:
        assert not (d.scenario.counted and not d.baseline.counted)


def test_filing_date_and_assumed_liquidation() -> None:
    base = Assumptions(declared_on=date(2026, 7, 1), liquidation_after_filing_days=45)
    later = base.model_copy(update={"declared_on": date(2026, 8, 14)})
    result = compare(ENTRIES, later, baseline=base)
    lost = [d for d in result.differences if d.baseline.counted and not d.scenario.counted]
    assert [d.entry_number for d in lost] == [
        "31610000114"
    ]  # liquidated 2026-04-24: day 112 by then
    waiting = [d for d in result.differences if d.baseline.liquidation_assumed]
    assert waiting
    assert all(d.baseline.liquidation_date == date(2026, 8, 15) for d in waiting)
    assert result.total_change == sum((d.change for d in result.differences), Decimal(0))
    frame = result.to_dataframe()
    assert frame["change"].sum() == result.total_change
    assert "What-if" in result._repr_html_()


def test_corporate_rate_lowers_interest() -> None:
    base = Assumptions(interest_until=date(2026, 11, 28))
    result = compare(ENTRIES, base.model_copy(update={"corporate": True}), baseline=base)
    assert result.total_change < 0
    assert all(d.scenario.principal == d.baseline.principal for d in result.differences)


def test_deadline_calendar() -> None:
    refunds = compute_refunds(ENTRIES, interest_until=date(2026, 11, 28))
    calendar = deadline_calendar(refunds, start=date(2026, 9, 1), weeks=26)
    assert calendar.weeks[0].week_start == date(2026, 8, 31)  # the Monday of the start's week
    closing = {n: w.week_start for w in calendar.weeks for n in w.cape}
    # Liquidated 2026-08-14: the 80-day CAPE window closes 2026-11-02, a Monday.
    assert closing["31610001104"] == date(2026, 11, 2)
    stake = next(w for w in calendar.weeks if "31610001104" in w.cape).cape_at_stake
    refund = next(r for r in refunds if r.entry_number == "31610001104")
    assert stake >= refund.principal
    rows = calendar.to_records()
    assert sum(r["cape_closing"] for r in rows) == len(closing)
    assert "Deadlines" in calendar._repr_html_()


def test_a_calendar_before_cape_opened_has_no_cape_windows_and_says_so() -> None:
    refunds = compute_refunds(ENTRIES, interest_until=date(2026, 11, 28))
    calendar = deadline_calendar(refunds, start=date(2026, 3, 2), weeks=52)
    assert calendar.lookback_days is None
    assert not any(w.cape for w in calendar.weeks)
    assert any(w.protest for w in calendar.weeks)  # the statutory windows still close
    assert calendar.cape_label == "CAPE window (no look-back in force)"
    after = deadline_calendar(refunds, start=date(2026, 9, 1))
    assert after.cape_label == "CAPE window (80 days)"
