"""Each entry's road on a declaration date: the edges of every window, expected dates, the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    CapeTiming,
    Entry,
    InputFileError,
    InvalidFormat,
    RefundOptions,
    Road,
    ValidationError,
    compute_refund,
    default_cape_timing,
    entry_road,
    entry_roads,
    read_es003,
    sample_es003,
)
from ieepa_refund import entry_number as en
from ieepa_refund.cape.deadlines import expected_liquidation
from tests import strategies

LIQ = date(2026, 5, 1)
CAPE_OPENED = date(2026, 4, 20)


def number(serial: int) -> str:
    first = f"B76{serial:07d}"
    return first + en.calc_check_digit(first)


def entry(serial: int = 3245, **kw: Any) -> Entry:
    data: dict[str, Any] = {
        "entry_number": number(serial),
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": "2025-06-02",
        "lines": [
            {
                "number": 1,
                "country_of_origin": "CN",
                "tariffs": [{"hts": "9903.01.24", "duty": "1000.00"}],
            }
        ],
    }
    return Entry.model_validate({**data, **kw})


def days(n: int) -> timedelta:
    return timedelta(days=n)


# --- the edges of each window --------------------------------------------------------------------


def test_80_days_after_liquidation_is_cape_81_is_protest() -> None:
    liquidated = entry(liquidation_date=LIQ)
    inside = entry_road(liquidated, declared_on=LIQ + days(80))
    outside = entry_road(liquidated, declared_on=LIQ + days(81))
    assert inside.road is Road.CAPE_NOW
    assert inside.deadline == LIQ + days(80)  # the last day CAPE takes it
    # 19 U.S.C. 1501: reliquidated by liquidation + 90, with interest to that date.
    assert inside.expected_liquidation == inside.interest_until == LIQ + days(90)
    assert outside.road is Road.PROTEST
    assert outside.deadline == LIQ + days(180)
    assert outside.expected_liquidation is None
    assert outside.expected_payment is None
    assert "protest" in outside.next_action.lower()
    assert "1514" in outside.next_action


def test_180_days_after_liquidation_is_protest_181_is_closed() -> None:
    liquidated = entry(liquidation_date=LIQ)
    last = entry_road(liquidated, declared_on=LIQ + days(180))
    closed = entry_road(liquidated, declared_on=LIQ + days(181))
    assert last.road is Road.PROTEST
    assert last.deadline == LIQ + days(180)
    assert closed.road is Road.WINDOW_CLOSED
    assert closed.deadline is None
    assert closed.expected_payment is None
    assert "28 U.S.C. 1581(i)" in closed.next_action
    assert closed.principal == Decimal("1000.00")  # the money is shown, not paid


def test_no_payment_is_predicted_on_a_closed_road() -> None:
    roads = entry_roads(
        [entry(1, liquidation_date=LIQ), entry(2, liquidation_date=LIQ + days(100))],
        declared_on=LIQ + days(200),
    )
    assert [r.road for r in roads] == [Road.WINDOW_CLOSED, Road.PROTEST]
    payments = roads.payments()
    assert len(payments) == 0
    assert payments.unliquidated == ()
    assert all(r.expected_payment is None for r in roads)


def test_liquidated_before_cape_opened() -> None:
    # On CAPE's first day the look-back reaches back to 2026-01-30.
    old = entry_road(entry(liquidation_date=date(2026, 1, 15)), declared_on=CAPE_OPENED)
    assert old.road is Road.PROTEST
    assert old.deadline == date(2026, 7, 14)
    recent = entry_road(entry(liquidation_date=date(2026, 2, 1)), declared_on=CAPE_OPENED)
    assert recent.road is Road.CAPE_NOW
    # Reliquidated by 2026-05-02 (liquidation + 90), never on the stale liquidation date.
    assert recent.expected_liquidation == date(2026, 5, 2)
    assert recent.expected_payment is not None
    assert recent.expected_payment >= CAPE_OPENED


def test_declared_before_cape_opened_waits_for_the_first_rules() -> None:
    early = entry_road(entry(liquidation_date=date(2026, 3, 15)), declared_on=date(2026, 4, 1))
    assert early.road is Road.CAPE_LATER
    assert early.declare_from == CAPE_OPENED
    assert "CAPE_NOT_OPEN" in early.reason_codes
    assert early.expected_liquidation == date(2026, 6, 13)  # 2026-03-15 + 90


@pytest.mark.parametrize(
    ("declared_on", "road"),
    [(date(2026, 6, 28), Road.CAPE_LATER), (date(2026, 6, 29), Road.CAPE_NOW)],
)
def test_reconciliation_flagged_without_type_09_around_2026_06_29(
    declared_on: date, road: Road
) -> None:
    flagged = entry(reconciliation_flag=True, type09_filed=False)
    found = entry_road(flagged, declared_on=declared_on)
    assert found.road is road
    # CSMS #69035485: admitted from 2026-06-29; the date comes from the rules data.
    accepted = date(2026, 6, 29)
    assert found.expected_liquidation == accepted + days(45)
    if road is Road.CAPE_LATER:
        assert found.declare_from == accepted
        assert "ENTRY SUMMARY FLAGGED FOR RECON" in found.next_action
        assert found.deadline is None  # unliquidated: no look-back runs yet


def test_reconciliation_with_a_type_09_filed_is_excluded_on_both_sides() -> None:
    flagged = entry(reconciliation_flag=True, type09_filed=True)
    for declared_on in (date(2026, 6, 28), date(2026, 6, 29)):
        found = entry_road(flagged, declared_on=declared_on)
        assert found.road is Road.EXCLUDED
        assert "ENTRY SUMMARY FLAGGED FOR RECON" in found.next_action


# --- the other roads -------------------------------------------------------------------------------


def test_excluded_says_cbps_reason() -> None:
    found = entry_road(entry(drawback_claim=True), declared_on=date(2026, 7, 1))
    assert found.road is Road.EXCLUDED
    assert "ENTRY ON DRAWBACK" in found.next_action
    assert found.expected_payment is None


def test_input_problems_come_first() -> None:
    incomplete = entry_road(entry(incomplete_rows=1), declared_on=date(2026, 7, 1))
    assert incomplete.road is Road.INPUT_PROBLEM
    assert incomplete.next_action.startswith("Fix the input first")
    inconsistent = entry(liquidation_status="Liquidated")  # says liquidated, has no date
    assert entry_road(inconsistent, declared_on=date(2026, 7, 1)).road is Road.INPUT_PROBLEM


def test_nothing_to_refund() -> None:
    plain = entry(
        lines=[
            {
                "number": 1,
                "country_of_origin": "CN",
                "tariffs": [{"hts": "8471.30.0100", "duty": "0"}],
            }
        ]
    )
    found = entry_road(plain, declared_on=date(2026, 7, 1))
    assert found.road is Road.NOTHING_TO_REFUND
    assert found.principal == 0


def test_suspended_is_cape_at_liquidation_with_no_date_predicted() -> None:
    held = entry(liquidation_status="Liquidation Suspended")
    roads = entry_roads([held], declared_on=date(2026, 7, 1))
    assert roads[0].road is Road.CAPE_AT_LIQUIDATION
    assert roads[0].expected_liquidation is None
    assert roads[0].expected_payment is None
    assert roads.payments().unliquidated == (held.entry_number,)


# --- expected dates and payments -----------------------------------------------------------------


def test_expected_dates_and_grouping_by_them() -> None:
    declared = date(2026, 7, 1)
    a, b = entry(1), entry(2)  # unliquidated, one payee
    c = entry(3, liquidation_date=date(2026, 6, 1))  # liquidated 30 days before
    roads = entry_roads([a, b, c], declared_on=declared)
    assert [r.road for r in roads] == [Road.CAPE_NOW] * 3
    assert roads[0].expected_liquidation == declared + days(45)
    assert roads[2].expected_liquidation == date(2026, 8, 30)  # 2026-06-01 + 90
    # The money: 75 days after acceptance, never before the (re)liquidation.
    assert roads[0].expected_payment == declared + days(75)
    payments = roads.payments()
    assert [(p.liquidation_date, p.entries) for p in payments] == [
        (declared + days(45), (a.entry_number, b.entry_number)),
        (date(2026, 8, 30), (c.entry_number,)),
    ]
    assert date(2026, 6, 1) not in {p.liquidation_date for p in payments}


def test_interest_runs_to_the_expected_reliquidation() -> None:
    liquidated = entry(liquidation_date=date(2026, 6, 1))
    found = entry_road(liquidated, declared_on=date(2026, 7, 1))
    stale = compute_refund(liquidated)
    at_expected = compute_refund(
        liquidated.model_copy(update={"liquidation_date": date(2026, 8, 30)})
    )
    assert found.interest == at_expected.interest
    assert stale.interest is not None
    assert found.interest is not None
    assert found.interest > stale.interest


def test_timing_is_a_parameter() -> None:
    declared = date(2026, 7, 1)
    sooner = default_cape_timing().model_copy(
        update={"liquidation_after_acceptance_days": 30, "payment_after_acceptance_days": 20}
    )
    found = entry_road(entry(), declared_on=declared, timing=sooner)
    assert found.expected_liquidation == declared + days(30)
    # Paid no sooner than the liquidation it follows.
    assert found.expected_payment == declared + days(30)
    with pytest.raises(ValidationError):
        CapeTiming(
            liquidation_after_acceptance_days=-1,
            reliquidation_after_liquidation_days=90,
            payment_after_acceptance_days=75,
            payment_after_acceptance_range=(60, 90),
            data_version="x",
        )


def test_expected_liquidation_never_before_acceptance() -> None:
    assert expected_liquidation(
        date(2026, 1, 1), accepted=date(2026, 5, 1), liquidate_within=45, reliquidate_within=90
    ) == date(2026, 5, 1)


# --- the ledger ----------------------------------------------------------------------------------


def test_an_entry_already_declared_says_where(tmp_path: Path) -> None:
    declared, fresh = entry(1), entry(2)
    ledger = tmp_path / "declared.csv"
    ledger.write_text(
        f"entry_number,declaration_file\r\n{declared.entry_number},cape_ab_001.csv\r\n"
    )
    roads = entry_roads([declared, fresh], declared_on=date(2026, 7, 1), ledger=ledger)
    assert roads[0].declared_in == "cape_ab_001.csv"
    assert roads[0].next_action.startswith("Declared in cape_ab_001.csv")
    assert roads[1].declared_in is None
    assert roads[1].next_action.startswith("Declare in CAPE")
    # Declared inside the look-back (its date known), it stays on the CAPE road once the
    # look-back has passed.
    late = entry(1, liquidation_date=date(2026, 5, 1))
    found = entry_road(
        late,
        declared_on=date(2026, 9, 1),
        ledger={late.entry_number: "cape_ab_001.csv"},
        declared_dates={late.entry_number: date(2026, 7, 1)},
    )
    assert found.road is Road.CAPE_NOW
    assert found.declared_in == "cape_ab_001.csv"


# --- the sample as a whole -----------------------------------------------------------------------


SAMPLE = read_es003(sample_es003()).entries


def test_every_sample_entry_is_on_one_road_and_the_money_adds_up() -> None:
    declared = date(2026, 11, 28)
    roads = entry_roads(SAMPLE, declared_on=declared)
    assert len(roads) == len(SAMPLE)
    totals = roads.totals()
    assert sum(t.entries for t in totals) == len(SAMPLE)
    assert sum(t.principal for t in totals) == sum(r.principal for r in roads)
    payments = roads.payments()
    cape = [r for r in roads if r.road.through_cape]
    assert {e for p in payments for e in p.entries} | set(payments.unliquidated) | set(
        payments.nothing_to_pay
    ) == {r.entry_number for r in cape}
    for r in roads:
        if r.expected_payment is not None:
            assert r.road.through_cape
            assert r.expected_payment > declared
    # The sample's 2026-01-15 liquidation is long past every window: no payment on that date.
    assert date(2026, 1, 15) not in {p.liquidation_date for p in payments}


def test_records_dataframe_and_notebook_summary() -> None:
    roads = entry_roads(SAMPLE, declared_on=date(2026, 11, 28))
    records = roads.to_records()
    assert len(records) == len(SAMPLE)
    assert {"road", "label", "next_action", "deadline", "expected_payment"} <= set(records[0])
    frame = roads.to_dataframe()
    assert str(frame["deadline"].dtype).startswith("datetime64")
    html = roads._repr_html_()
    assert "Protest within 180 days of liquidation" in html
    assert "cape_now" not in html  # words, not internal ids


# --- charts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["money_by_road", "road_deadlines"])
def test_road_charts_render_in_words_from_zero(name: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from ieepa_refund.portfolio import plots

    roads = entry_roads(SAMPLE, declared_on=date(2026, 11, 28))
    figure = getattr(plots, name)(roads)
    path = tmp_path / "chart.png"
    figure.savefig(path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    (axes,) = figure.axes
    texts = [t.get_text() for t in axes.get_yticklabels()] + [
        t.get_text() for t in axes.get_legend().get_texts()
    ]
    assert not any(r.value in texts for r in Road)  # no internal ids
    if name == "money_by_road":
        assert "Protest within 180 days of liquidation" in texts
        assert axes.get_xlim()[0] == 0
    else:
        assert "Protest within 180 days of liquidation" in texts
        assert axes.get_ylim()[0] == 0
        assert all(line.get_ydata()[0] == 0 for line in axes.get_lines()[:-1])


# --- refunds given, bad arguments, and the windows as a property -----------------------------------


def test_refunds_already_computed_are_used_and_checked() -> None:
    entries = [entry(1, liquidation_date=LIQ), entry(2)]
    refunds = [compute_refund(e) for e in entries]
    declared = LIQ + days(30)
    assert entry_roads(entries, refunds, declared_on=declared) == entry_roads(
        entries, declared_on=declared
    )
    with pytest.raises(InvalidFormat, match="refund"):
        entry_road(entries[0], refunds[1], declared_on=declared)
    with pytest.raises(InvalidFormat, match="entries"):
        entry_roads("B7603245278", declared_on=declared)  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="ledger"):
        entry_roads(entries, declared_on=declared, ledger=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="declared_on"):
        entry_road(entries[0], declared_on="2026-07-01")  # type: ignore[arg-type]


@given(offset=st.integers(min_value=0, max_value=400))
def test_the_road_of_a_liquidated_entry_follows_its_windows(offset: int) -> None:
    """A clean liquidated entry is CAPE up to 80 days, protest up to 180, closed after."""
    found = entry_road(LIQUIDATED, declared_on=LIQ + days(offset))
    expected = (
        Road.CAPE_NOW if offset <= 80 else Road.PROTEST if offset <= 180 else Road.WINDOW_CLOSED
    )
    assert found.road is expected
    assert (found.expected_payment is not None) is (expected is Road.CAPE_NOW)


LIQUIDATED = entry(liquidation_date=LIQ)


def test_a_refund_given_is_the_money_off_the_cape_roads() -> None:
    held_back = entry(drawback_claim=True)  # unliquidated and excluded: no expected date
    floor = compute_refund(held_back, interest_until=date(2026, 7, 1))
    given_refund = entry_road(held_back, floor, declared_on=date(2026, 7, 1))
    computed = entry_road(held_back, declared_on=date(2026, 7, 1))
    assert given_refund.interest == floor.interest
    assert floor.interest is not None
    assert computed.interest is None  # no interest_until in the default options


def test_an_invalid_hts_entry_is_fixed_by_a_correction_while_the_psc_window_is_open() -> None:
    """INVALID HTS is the entry's data: a post-summary correction inside 300 days of the
    entry summary, then a declaration; past that window no CAPE phase yet refunds it."""
    late = entry(entry_date="2026-03-02", entry_summary_date="2026-03-05")  # past the heading's end
    road = entry_road(late, declared_on=date(2026, 7, 1))
    assert "INVALID_HTS" in road.reason_codes
    assert road.road is Road.EXCLUDED
    assert road.deadline == date(2026, 3, 5) + days(300)
    assert road.next_action.startswith("File a post-summary correction by 2026-12-30")
    closed = entry_road(late, declared_on=date(2026, 12, 31) + days(1))
    assert "PSC_WINDOW_CLOSED" in closed.reason_codes
    assert closed.next_action.startswith("Not refundable in this CAPE phase")
    assert closed.deadline is None


# --- found by a tester (issue #10) ---------------------------------------------------------------


def test_a_ledger_row_past_the_look_back_is_not_assumed_accepted() -> None:
    closed = entry(1, liquidation_date=date(2026, 1, 15))
    ledger = {closed.entry_number: "cape_ab_001.csv"}
    unknown = entry_road(closed, declared_on=date(2026, 11, 28), ledger=ledger)
    assert unknown.road is Road.DECLARED_UNCONFIRMED
    assert not unknown.road.through_cape
    assert "acceptance unknown" in unknown.next_action
    assert (unknown.expected_liquidation, unknown.expected_payment) == (None, None)
    # Declared on a date the look-back had already passed: not a CAPE refund either.
    late = entry_road(
        closed,
        declared_on=date(2026, 11, 28),
        ledger=ledger,
        declared_dates={closed.entry_number: date(2026, 5, 1)},
    )
    assert late.road is Road.WINDOW_CLOSED
    assert late.expected_payment is None
    # Declared inside the look-back (CAPE's first day: 95 days is past it; 2026-02-01 is not).
    inside = entry(2, liquidation_date=date(2026, 2, 1))
    kept = entry_road(
        inside,
        # Past the look-back on the road's date, before its reliquidation (05-02) is overdue.
        declared_on=date(2026, 5, 1),
        ledger={inside.entry_number: "cape_ab_001.csv"},
        declared_dates={inside.entry_number: CAPE_OPENED},
    )
    assert kept.road is Road.CAPE_NOW
    assert kept.expected_liquidation == date(2026, 5, 2)
    # An unconfirmed declaration whose protest window still runs keeps that deadline.
    recent = entry(3, liquidation_date=date(2026, 8, 1))
    found = entry_road(
        recent, declared_on=date(2026, 11, 28), ledger={recent.entry_number: "cape_ab_001.csv"}
    )
    assert found.road is Road.DECLARED_UNCONFIRMED
    assert found.deadline == date(2026, 8, 1) + days(180)


def test_ledger_roads_predict_no_payment_for_an_unconfirmed_declaration() -> None:
    closed = entry(1, liquidation_date=date(2026, 1, 15))
    roads = entry_roads(
        [closed], declared_on=date(2026, 11, 28), ledger={closed.entry_number: "a.csv"}
    )
    assert len(roads.payments()) == 0
    assert roads.payments().unliquidated == ()


@pytest.mark.parametrize(
    ("liquidated", "road", "deadline"),
    [
        (date(2026, 1, 15), Road.PROTEST, date(2026, 7, 14)),
        (date(2025, 9, 1), Road.WINDOW_CLOSED, None),
    ],
)
def test_declared_before_cape_opened_keeps_the_protest_deadline(
    liquidated: date, road: Road, deadline: date | None
) -> None:
    found = entry_road(entry(liquidation_date=liquidated), declared_on=date(2026, 4, 10))
    assert "CAPE_NOT_OPEN" in found.reason_codes
    assert (found.road, found.deadline) == (road, deadline)


def test_an_excluded_liquidated_entry_keeps_its_protest_deadline() -> None:
    # Reconciliation-flagged, liquidated 80 days before 2026-06-28: CAPE refuses it today and
    # it is past the look-back by 2026-06-29, when CAPE admits flagged entries.
    flagged = entry(reconciliation_flag=True, liquidation_date=date(2026, 4, 9))
    found = entry_road(flagged, declared_on=date(2026, 6, 28))
    assert found.road is Road.EXCLUDED
    assert found.deadline == date(2026, 10, 6)
    assert "protest" in found.next_action
    assert "2026-10-06" in found.next_action
    drawback = entry_road(
        entry(drawback_claim=True, liquidation_date=date(2026, 6, 1)), declared_on=date(2026, 7, 1)
    )
    assert drawback.deadline == date(2026, 11, 28)


def test_a_missing_ledger_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"typo\.csv"):
        entry_roads([entry()], declared_on=date(2026, 7, 1), ledger=tmp_path / "typo.csv")


@pytest.mark.parametrize(
    "bad", [{"timing": "x"}, {"declared_dates": 1.5}, {"declared_dates": {"x": "2026"}}]
)
def test_wrong_argument_types_are_our_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidFormat):
        entry_roads([entry()], declared_on=date(2026, 7, 1), **bad)


# --- found by a tester (t61, repro 04) ------------------------------------------------------------


def test_an_unliquidated_declared_entry_takes_its_dates_from_the_ledger_date() -> None:
    """Declared 2026-09-01 per the ledger, road and run on other dates: 45 days after the
    ledger date, not after --declared-on; passed on the as-of date, so overdue, not moved."""
    timing = default_cape_timing()
    declared = date(2026, 9, 1)
    waiting, liquidated = entry(1), entry(2, liquidation_date=date(2026, 8, 1))
    ledger = {e.entry_number: "x_001.csv" for e in (waiting, liquidated)}
    found = entry_roads(
        [waiting, liquidated],
        declared_on=date(2026, 12, 1),
        options=RefundOptions(interest_until=date(2026, 11, 28)),
        ledger=ledger,
        declared_dates=dict.fromkeys(ledger, declared),
    )
    late, paid = found.roads
    as_of = date(2026, 11, 28)
    assert late.road is Road.CAPE_NOW
    # Its liquidation expected 45 days after the ledger date (10-16) passed before the as-of
    # date unseen: overdue, with no date forecast (h71: not the passed one) and the interest
    # accrued to the as-of date, not less to the passed date.
    assert declared + days(timing.liquidation_after_acceptance_days) < as_of
    assert (late.expected_liquidation, late.expected_payment) == (None, None)
    assert late.interest_until == as_of
    assert late.overdue
    assert "overdue" in late.next_action
    assert "2026-11-28" in late.next_action
    assert "check the claim status" in late.next_action
    # Liquidated before it was declared: its reliquidation (08-01 + 90 = 10-30) passed unseen.
    assert (paid.expected_liquidation, paid.expected_payment) == (None, None)
    assert paid.overdue
    assert "reliquidated by 2026-10-30" in paid.next_action
    # Declared on 2026-11-01: expected 2026-12-16, after the as-of date: not overdue.
    recent = entry_road(
        waiting,
        declared_on=date(2026, 12, 1),
        options=RefundOptions(interest_until=date(2026, 11, 28)),
        ledger={waiting.entry_number: "x_002.csv"},
        declared_dates={waiting.entry_number: date(2026, 11, 1)},
    )
    assert recent.expected_liquidation == date(2026, 11, 1) + days(
        timing.liquidation_after_acceptance_days
    )
    assert "overdue" not in recent.next_action
    assert recent.next_action.startswith("Declared in x_002.csv: follow")


def test_an_undated_ledger_row_is_screened_on_the_road_date_as_before() -> None:
    waiting = entry(1)
    found = entry_road(
        waiting, declared_on=date(2026, 12, 1), ledger={waiting.entry_number: "x_001.csv"}
    )
    assert found.expected_liquidation == date(2026, 12, 1) + days(
        default_cape_timing().liquidation_after_acceptance_days
    )
    assert "overdue" not in found.next_action


@given(run=strategies.ledger_dated_runs())
def test_a_declared_entrys_expected_dates_do_not_depend_on_the_road_date(
    run: tuple[date, date | None, tuple[date, date], date, tuple[int, int, int]],
) -> None:
    declared, liquidated, (first, second), as_of, (liquidate, reliquidate, pay) = run
    timing = default_cape_timing().model_copy(
        update={
            "liquidation_after_acceptance_days": liquidate,
            "reliquidation_after_liquidation_days": reliquidate,
            "payment_after_acceptance_days": pay,
        }
    )
    one = entry(1, liquidation_date=liquidated)
    kw: dict[str, Any] = {
        "options": RefundOptions(interest_until=as_of),
        "timing": timing,
        "ledger": {one.entry_number: "x_001.csv"},
        "declared_dates": {one.entry_number: declared},
    }
    a = entry_road(one, declared_on=first, **kw)
    b = entry_road(one, declared_on=second, **kw)
    assert (a.expected_liquidation, a.expected_payment) == (
        b.expected_liquidation,
        b.expected_payment,
    )
    if a.road is Road.CAPE_NOW:
        if liquidated is not None and liquidated > declared:
            # Liquidated after it was declared: that liquidation is CAPE's, and refunds.
            assert a.expected_liquidation == liquidated
            assert a.interest_until == liquidated
            assert a.expected_payment == max(liquidated, declared + days(pay), as_of)
            assert not a.overdue
            return
        expected = expected_liquidation(
            liquidated,
            accepted=declared,
            liquidate_within=liquidate,
            reliquidate_within=reliquidate,
        )
        late = expected < as_of
        # Overdue: no date forecast, never a passed one; else the dates from the ledger date.
        assert a.overdue == late
        assert ("overdue" in a.next_action) == late
        if late:
            assert (a.expected_liquidation, a.expected_payment) == (None, None)
        else:
            assert a.expected_liquidation == expected
            assert a.expected_payment == max(expected, declared + days(pay))
        assert a.expected_payment is None or a.expected_payment >= as_of


# --- found by a tester (t62, repros 01 and 02) ----------------------------------------------------


def test_a_liquidation_after_the_declaration_is_capes_own() -> None:
    """Declared 2026-09-01 while unliquidated, liquidated 2026-10-01: that liquidation is
    CAPE's, which refunds, with interest to it; no reliquidation 90 days later is forecast.
    Liquidated before its declaration, the entry keeps the reliquidation road."""
    timing = default_cape_timing()
    declared, liquidated = date(2026, 9, 1), date(2026, 10, 1)
    options = RefundOptions(interest_until=date(2026, 11, 28))
    one = entry(1, liquidation_date=liquidated)
    kw: dict[str, Any] = {"options": options, "ledger": {one.entry_number: "x_001.csv"}}
    cape = entry_road(
        one, declared_on=date(2026, 12, 1), declared_dates={one.entry_number: declared}, **kw
    )
    assert cape.road is Road.CAPE_NOW
    assert (cape.expected_liquidation, cape.interest_until) == (liquidated, liquidated)
    assert cape.interest == compute_refund(one, options=options).interest
    assert "CAPE's liquidation" in cape.next_action
    # 75 days after acceptance (11-15) is before the as-of date: due then, not in the past.
    assert declared + days(timing.payment_after_acceptance_days) < date(2026, 11, 28)
    assert cape.expected_payment == date(2026, 11, 28)
    # Declared after it liquidated: CBP reliquidates it (10-01 + 90 = 12-30), not yet due.
    later = entry_road(
        one,
        declared_on=date(2026, 12, 1),
        declared_dates={one.entry_number: date(2026, 10, 15)},
        **kw,
    )
    assert later.expected_liquidation == liquidated + days(
        timing.reliquidation_after_liquidation_days
    )
    assert not later.overdue


def test_an_overdue_entry_has_no_forecast_date_and_the_interest_accrued() -> None:
    """Declared 2026-09-01, unliquidated as of 2026-11-28: the liquidation expected on 10-16
    passed unseen; no date is forecast and its interest is what accrued to the as-of date
    (more than to the passed date), in no payment."""
    options = RefundOptions(interest_until=date(2026, 11, 28))
    one = entry(1)
    found = entry_roads(
        [one],
        declared_on=date(2026, 12, 1),
        options=options,
        ledger={one.entry_number: "x_001.csv"},
        declared_dates={one.entry_number: date(2026, 9, 1)},
    )
    (late,) = found.roads
    assert (late.expected_liquidation, late.expected_payment) == (None, None)
    assert late.overdue
    accrued = compute_refund(one, options=options)
    assert (late.interest, late.interest_until) == (accrued.interest, date(2026, 11, 28))
    passed = compute_refund(one, options=options, interest_until=date(2026, 10, 16))
    assert accrued.interest is not None
    assert passed.interest is not None
    assert accrued.interest > passed.interest
    assert found.payments().payments == ()


def test_a_declaration_before_cape_opened_is_refused(tmp_path: Path) -> None:
    """The rules data's opening date, not a literal: a day before it is refused, as a
    declared_dates value and as a ledger row (named); the opening day itself is kept."""
    one = entry(1)
    ledger = {one.entry_number: "x_001.csv"}
    with pytest.raises(InvalidFormat, match="before CAPE opened on 2026-04-20"):
        entry_road(
            one, declared_on=date(2026, 11, 28), ledger=ledger,
            declared_dates={one.entry_number: CAPE_OPENED - days(1)},
        )  # fmt: skip
    path = tmp_path / "ledger.csv"
    path.write_text(
        f"entry_number,declaration_file,declared_on\n{one.entry_number},x_001.csv,2025-05-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match=r"row 2, column 3 .*before CAPE opened"):
        entry_roads([one], declared_on=date(2026, 11, 28), ledger=path)
    kept = entry_road(
        one, declared_on=date(2026, 11, 28), ledger=ledger,
        declared_dates={one.entry_number: CAPE_OPENED},
    )  # fmt: skip
    assert kept.road is Road.CAPE_NOW
