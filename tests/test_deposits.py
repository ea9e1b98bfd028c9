"""Several deposits and pre-liquidation refunds on one entry: 19 CFR 24.36(a)(1), one account.

The regulation's single-deposit example could be read in its own text ($1,000 deposited
January 1, liquidated for $400 on December 1: a $600 refund with interest from deposit to
liquidation). Its further worked examples could not be retrieved from the public record we
have, so examples 2 to 5 are OUR READING of the regulation's rule ("interest ... from the
date ... deposited ... to the date of liquidation or reliquidation"), with the interest
compounded daily (26 U.S.C. 6622) on one running account from the first deposit to
liquidation: the excess over the amount finally due plus the interest accrued so far. The
dates are moved to 2025.

Every figure below is checked against ``_account_loop``, the independent day-by-day loop of
tests/golden/README.md (no library code; the shipped CSV read directly) run on the account:
each day the account grows by its rate for the day (overpayment while in the importer's
favour, the CSV's underpayment column while in the Government's), then the day's events
change it. 2025 has 365 days and every quarter of 2025 carries 7% non-corporate overpayment
and underpayment (6621(a)(1)-(2)) and 6% corporate overpayment. Dates: 2025-01-02 to
2025-06-02 is 151 days; 2025-06-02 to 2025-12-01 is 182 days; 2025-01-02 to 2025-12-01 is 333
days; g(n) = (1 + 0.07/365) ** n. Each side's interest is its unrounded sum rounded half-up
once; the segments' shares of it (largest remainder) add up to it.
"""

from __future__ import annotations

import calendar
import csv
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    DepositEvent,
    Entry,
    InterestConventions,
    InvalidFormat,
    InvalidPeriod,
    ValidationError,
    accrue_interest,
    compute_refund,
    interest_detail,
    segmented_interest,
)
from ieepa_refund.interest import interest_growth

from .strategies import deposit_histories, interest_conventions

JAN2, JUN2, DEC1 = date(2025, 1, 2), date(2025, 6, 2), date(2025, 12, 1)
RESTART = InterestConventions(segments="restart")
CENT = Decimal("0.01")

_RATES = Path(__file__).parents[1] / "src/ieepa_refund/data/interest_rates/overpayment_rates.csv"
with _RATES.open(newline="", encoding="utf-8") as _f:
    _ROWS = list(csv.DictReader(_f))


def _rate(day: date, column: str) -> Decimal:
    for row in _ROWS:
        if (
            date.fromisoformat(row["effective_from"])
            <= day
            < date.fromisoformat(row["effective_to"])
        ):
            return Decimal(row[column])
    raise AssertionError(f"no rate for {day}")


def _account_loop(
    events: list[tuple[date, str]], due: str, until: date, *, corporate: bool = False
) -> tuple[Decimal, Decimal]:
    """(importer's, Government's) interest, each rounded half-up once: the golden loop on the
    running account. ``events`` are (date, signed amount); a day accrues at the balance held
    through it, then that day's events apply (interest runs on each day in (deposit, until])."""
    with localcontext() as ctx:
        ctx.prec = 50
        ordered = sorted(events, key=lambda e: e[0])
        day, account, earned = ordered[0][0], -Decimal(due), [Decimal(0), Decimal(0)]
        for when, amount in ordered:
            if when == day:
                account += Decimal(amount)
        while day < until:
            day += timedelta(days=1)
            over = "overpayment_corporate_pct" if corporate else "overpayment_noncorporate_pct"
            column = over if account > 0 else "underpayment_pct"
            year = 366 if calendar.isleap(day.year) else 365
            step = account * _rate(day, column) / 100 / year
            account += step
            earned[step < 0] += abs(step)
            account += sum((Decimal(a) for when, a in ordered if when == day), Decimal(0))
        return tuple(e.quantize(CENT, ROUND_HALF_UP) for e in earned)  # type: ignore[return-value]


def deposit(day: date, amount: str) -> DepositEvent:
    return DepositEvent(kind="deposit", date=day, amount=amount)


def refund(day: date, amount: str) -> DepositEvent:
    return DepositEvent(kind="refund", date=day, amount=amount)


def shape(result: object) -> list[tuple[str | None, str, int, str]]:
    segments = result.segments  # type: ignore[attr-defined]
    return [(s.owed_to, str(s.excess), s.days, str(s.interest)) for s in segments]


def test_example_1_single_deposit_liquidates_for_a_refund() -> None:
    """$1,000 deposited 2025-01-02; liquidated for $400 on 2025-12-01 (the regulation's example).

    Refund 1,000 - 400 = 600. One segment of 333 days with 600 over-deposited:
    600 x (g(333) - 1) = 39.5639 -> 39.56, owed to the importer.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [("importer", "600", 333, "39.56")]
    assert (result.refund, result.interest) == (Decimal("600"), Decimal("39.56"))
    assert _account_loop([(JAN2, "1000")], "400", DEC1) == (Decimal("39.56"), Decimal("0.00"))
    # The same figure as the single-deposit engine: one segment is the ordinary case.
    assert result.interest == interest_detail(Decimal("600"), deposited=JAN2, until=DEC1).interest


def test_example_2_supplemental_deposit_overpaid_throughout() -> None:
    """$1,000 on 2025-01-02, a supplemental $200 on 2025-06-02; liquidated for $400 on 2025-12-01.

    Refund 1,200 - 400 = 800.
    Segment 1, 151 days: 600 over: 600 x (g(151) - 1) = 17.6277 accrued.
    Segment 2, 182 days: the account is 600 + 17.6277 + 200 = 817.6277:
    817.6277 x (g(182) - 1) = 29.0396 accrued.
    Interest 17.6277 + 29.0396 = 46.6673 -> 46.67, split 17.63 + 29.04 (largest remainder).
    Restarting each segment from its excess (the old rule) gave 17.63 + 28.41 = 46.04: it
    dropped the interest on segment 1's interest.
    """
    events = [deposit(JAN2, "1000"), deposit(JUN2, "200")]
    result = segmented_interest(events, final_amount_due=Decimal("400"), until=DEC1)
    assert shape(result) == [("importer", "600", 151, "17.63"), ("importer", "800", 182, "29.04")]
    assert (result.refund, result.interest) == (Decimal("800"), Decimal("46.67"))
    assert str(result.segments[1].account)[:8] == "817.6276"
    assert _account_loop([(JAN2, "1000"), (JUN2, "200")], "400", DEC1)[0] == Decimal("46.67")
    old = segmented_interest(
        events, final_amount_due=Decimal("400"), until=DEC1, conventions=RESTART
    )
    assert shape(old) == [("importer", "600", 151, "17.63"), ("importer", "800", 182, "28.41")]
    assert old.interest == Decimal("46.04")


def test_example_3_supplemental_deposit_government_then_importer_netted() -> None:
    """$1,000 on 2025-01-02, a supplemental $300 on 2025-06-02; liquidated for $1,100 on 12-01.

    Refund 1,300 - 1,100 = 200.
    Segment 1, 151 days: 100 short: the account is -100 and accrues for the Government
    100 x (g(151) - 1) = 2.9379 -> 2.94 (underpayment rate, 7%).
    Segment 2, 182 days: the supplemental deposit moves the account to -102.9379 + 300 =
    197.0621 (our reading: the Government's accrued interest is carried across the sign
    change), which accrues for the importer 197.0621 x (g(182) - 1) = 6.9990 -> 7.00.
    Net 7.00 - 2.94 = 4.06 to the importer.
    Corporate: segment 2 at 6%, 197.0621 x ((1 + 0.06/365) ** 182 - 1) = 5.9842 -> 5.98;
    segment 1 stays at the 7% underpayment rate, 2.94; net 3.04.
    """
    events = [deposit(JAN2, "1000"), deposit(JUN2, "300")]
    result = segmented_interest(events, final_amount_due=Decimal("1100"), until=DEC1)
    assert shape(result) == [
        ("government", "-100", 151, "2.94"),
        ("importer", "200", 182, "7.00"),
    ]
    assert (result.importer_interest, result.government_interest) == (
        Decimal("7.00"),
        Decimal("2.94"),
    )
    assert (result.refund, result.interest) == (Decimal("200"), Decimal("4.06"))
    assert [s.signed_interest for s in result.segments] == [Decimal("-2.94"), Decimal("7.00")]
    loop = [(JAN2, "1000"), (JUN2, "300")]
    assert _account_loop(loop, "1100", DEC1) == (Decimal("7.00"), Decimal("2.94"))
    corporate = segmented_interest(
        events, final_amount_due=Decimal("1100"), until=DEC1, corporate=True
    )
    assert shape(corporate) == [
        ("government", "-100", 151, "2.94"),
        ("importer", "200", 182, "5.98"),
    ]
    assert corporate.interest == Decimal("3.04")
    assert _account_loop(loop, "1100", DEC1, corporate=True) == (Decimal("5.98"), Decimal("2.94"))


def test_example_4_pre_liquidation_refund_overpaid_throughout() -> None:
    """$1,000 on 2025-01-02; CBP refunds $500 on 2025-06-02; liquidated for $400 on 2025-12-01.

    Refund at liquidation 500 - 400 = 100.
    Segment 1, 151 days: 600 over: 17.6277 accrued.
    Segment 2, 182 days: the account is 617.6277 - 500 = 117.6277:
    117.6277 x (g(182) - 1) = 4.1778 accrued.
    Interest 21.8054 -> 21.81, split 17.63 + 4.18, owed to the importer.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000"), refund(JUN2, "500")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [("importer", "600", 151, "17.63"), ("importer", "100", 182, "4.18")]
    assert (result.refund, result.interest) == (Decimal("100"), Decimal("21.81"))
    assert _account_loop([(JAN2, "1000"), (JUN2, "-500")], "400", DEC1) == (
        Decimal("21.81"),
        Decimal("0.00"),
    )


def test_example_5_pre_liquidation_refund_too_large_importer_then_government() -> None:
    """$1,000 on 2025-01-02; CBP refunds $700 on 2025-06-02; liquidated for $400 on 2025-12-01.

    At liquidation 300 is on deposit against 400 due: a bill of 100, not a refund.
    Segment 1, 151 days: 600 over: the importer is owed 17.6277 -> 17.63.
    Segment 2, 182 days: the account is 617.6277 - 700 = -82.3723 (the importer's interest
    carried across the sign change): the Government is owed 82.3723 x (g(182) - 1) = 2.9256
    -> 2.93 at the underpayment rate.
    Net 17.63 - 2.93 = 14.70 to the importer, set against the 100 bill.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000"), refund(JUN2, "700")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [
        ("importer", "600", 151, "17.63"),
        ("government", "-100", 182, "2.93"),
    ]
    assert (result.refund, result.interest) == (Decimal("-100"), Decimal("14.70"))
    assert _account_loop([(JAN2, "1000"), (JUN2, "-700")], "400", DEC1) == (
        Decimal("17.63"),
        Decimal("2.93"),
    )


def test_a_segment_with_nothing_over_or_under_bears_no_interest() -> None:
    result = segmented_interest(
        [deposit(JAN2, "400"), deposit(JUN2, "100")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result)[0] == (None, "0", 151, "0.00")
    assert result.segments[0].detail is None


def test_events_are_ordered_and_same_day_events_make_no_empty_segment() -> None:
    result = segmented_interest(
        [deposit(JUN2, "200"), deposit(JAN2, "1000"), refund(JUN2, "100")],
        final_amount_due=Decimal("400"),
        until=DEC1,
    )
    assert [(s.start, s.end, s.balance) for s in result.segments] == [
        (JAN2, JUN2, Decimal("1000")),
        (JUN2, DEC1, Decimal("1100")),
    ]


@pytest.mark.parametrize(
    ("events", "words"),
    [
        ([refund(JAN2, "1")], "refund"),
        ([deposit(JAN2, "100"), refund(JUN2, "101")], "more than the 100 on deposit"),
        ([], "at least one deposit"),
    ],
)
def test_bad_event_lists_are_refused(events: list[DepositEvent], words: str) -> None:
    with pytest.raises(InvalidFormat, match=words):
        segmented_interest(events, final_amount_due=Decimal("0"), until=DEC1)


def test_an_event_after_the_interest_end_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="after the interest end"):
        segmented_interest(
            [deposit(JAN2, "1000"), deposit(DEC1, "1")], final_amount_due=Decimal(0), until=JUN2
        )


def test_a_deposit_event_refuses_floats_and_non_positive_amounts() -> None:
    with pytest.raises(ValidationError, match="floats are refused"):
        DepositEvent(kind="deposit", date=JAN2, amount=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="more than 0"):
        DepositEvent(kind="refund", date=JAN2, amount="0")


# An entry with a supplemental deposit: the China stacking entry of tests/golden (paid 5,500,
# owed 2,500 once 9903.01.24 and .25 are removed: principal 3,000), liquidated 2026-04-24.
_ENTRY = {
    "entry_number": "B76-0324527-8",
    "entry_type": "01",
    "importer_number": "12-3456789AB",
    "entry_date": "2025-06-02",
    "liquidation_date": "2026-04-24",
    "lines": [
        {
            "number": 1,
            "country_of_origin": "CN",
            "tariffs": [
                {"hts": "9903.88.03", "rate": "25%", "duty": "2500.00"},
                {"hts": "9903.01.24", "duty": "2000.00"},
                {"hts": "9903.01.25", "duty": "1000.00"},
                {"hts": "8471.30.0100", "value": "10000.00", "rate": "Free", "duty": "0.00"},
            ],
        }
    ],
}


def _entry(first: str, supplemental: str) -> Entry:
    return Entry.model_validate(
        {
            **_ENTRY,
            "deposits": [
                {"kind": "deposit", "date": "2025-06-12", "amount": first},
                {"kind": "deposit", "date": "2025-09-02", "amount": supplemental},
            ],
        }
    )


def test_compute_refund_segments_an_entry_with_a_supplemental_deposit() -> None:
    """4,500 deposited 2025-06-12, 1,000 more on 2025-09-02 (a PSC); final duty 2,500.

    Segment 1, 82 days at 7%: 2,000 over: 31.6976 accrued. Segment 2, 234 days (to 2026-04-24;
    2026 Q2 at 6%): the account is 3,031.6976: 137.0541 accrued. Interest 168.7517 -> 168.75,
    split 31.70 + 137.05 (one 5,500 deposit on 2025-06-12 gives 185.32; restarting the
    compounding at the supplemental deposit gave 31.70 + 135.62 = 167.32).
    """
    result = compute_refund(_entry("4500.00", "1000.00"))
    assert result.principal == Decimal("3000.00")
    assert result.interest == Decimal("168.75")
    loop = [(date(2025, 6, 12), "4500"), (date(2025, 9, 2), "1000")]
    assert _account_loop(loop, "2500", date(2026, 4, 24))[0] == Decimal("168.75")
    assert result.interest_detail is None
    assert result.interest_segments is not None
    assert [s.interest for s in result.interest_segments.segments] == [
        Decimal("31.70"),
        Decimal("137.05"),
    ]
    assert result.deposit_date == date(2025, 6, 12)
    assert not result.warnings


def test_compute_refund_nets_government_interest_and_says_so() -> None:
    """2,000 deposited 2025-06-12, 3,500 on 2025-09-02: 500 short of the 2,500 due for 82 days.

    Government 500 x (g(82) - 1) = 7.9244 -> 7.92; the account is then -507.9244 + 3,500 =
    2,992.0756, the importer's 135.2629 -> 135.26 to 2026-04-24; net 127.34.
    """
    result = compute_refund(_entry("2000.00", "3500.00"))
    assert result.interest == Decimal("127.34")
    loop = [(date(2025, 6, 12), "2000"), (date(2025, 9, 2), "3500")]
    assert _account_loop(loop, "2500", date(2026, 4, 24)) == (Decimal("135.26"), Decimal("7.92"))
    assert [w.code for w in result.warnings] == ["INTEREST_NETTED"]


def test_compute_refund_refuses_deposits_below_the_refund() -> None:
    result = compute_refund(_entry("1000.00", "1000.00"))
    assert result.interest is None
    assert [w.code for w in result.warnings] == ["DEPOSITS_BELOW_REFUND"]


def test_entry_deposit_date_must_match_the_first_deposit() -> None:
    with pytest.raises(ValidationError, match="first deposit"):
        Entry.model_validate(
            {**_entry("4500", "1000").model_dump(), "deposit_date": date(2025, 6, 13)}
        )
    same = Entry.model_validate(
        {**_entry("4500", "1000").model_dump(), "deposit_date": date(2025, 6, 12)}
    )
    assert same.deposits[0].date == same.deposit_date


def test_entry_refuses_an_overdrawn_deposit_history() -> None:
    with pytest.raises(ValidationError) as caught:
        Entry.model_validate(
            {
                **_ENTRY,
                "deposits": [
                    {"kind": "deposit", "date": "2025-06-12", "amount": "10"},
                    {"kind": "refund", "date": "2025-06-13", "amount": "11"},
                ],
            }
        )
    assert caught.value.field == "deposits"


def test_one_deposit_event_is_the_single_deposit_case() -> None:
    one = Entry.model_validate(
        {**_ENTRY, "deposits": [{"kind": "deposit", "date": "2025-06-12", "amount": "5500"}]}
    )
    plain = Entry.model_validate({**_ENTRY, "deposit_date": "2025-06-12"})
    assert compute_refund(one).interest == compute_refund(plain).interest == Decimal("185.32")


def test_segmented_interest_on_an_uncertain_principal_says_so() -> None:
    """An unknown IEEPA-block number (9903.01.06, 100.00) bounds the principal at 3,000-3,100.

    Deposits 4,600 then 1,000; on the established 3,000 the final duty is 2,600, so the segments
    carry the same 2,000 and 3,000 excess as above: 168.75, with the warning.
    """
    line = _ENTRY["lines"][0]  # type: ignore[index]
    data = {
        **_ENTRY,
        "lines": [{**line, "tariffs": [*line["tariffs"], {"hts": "9903.01.06", "duty": "100.00"}]}],
        "deposits": [
            {"kind": "deposit", "date": "2025-06-12", "amount": "4600.00"},
            {"kind": "deposit", "date": "2025-09-02", "amount": "1000.00"},
        ],
    }
    result = compute_refund(Entry.model_validate(data))
    assert (result.principal, result.principal_high) == (Decimal("3000.00"), Decimal("3100.00"))
    assert result.interest == Decimal("168.75")
    assert "INTEREST_ON_ESTABLISHED_PRINCIPAL" in [w.code for w in result.warnings]


def test_every_money_input_holds_whole_cents_in_two_places() -> None:
    """A deposit, a pre-liquidation refund, a claim, a refund paid or a bank deposit of
    1000.0000 is 1000.00 (the figures built from it print in cents, as the bulk engine's do);
    a cell finer than a cent is still refused by the reader, as before."""
    from ieepa_refund.es003._cells import BadCell, parse_amount
    from ieepa_refund.interest import DepositEvent

    event = DepositEvent(kind="refund", date=date(2025, 6, 2), amount="1000.0000")
    assert str(event.amount) == "1000.00"
    assert str(parse_amount("1000.0000")) == "1000.00"
    assert str(parse_amount("$1,000.5000")) == "1000.50"
    assert str(parse_amount("1000.5")) == "1000.5"  # fewer places: kept, as before
    with pytest.raises(BadCell):
        parse_amount("1000.005")


def test_a_cent_deposited_late_changes_the_interest_by_about_a_cents_worth() -> None:
    """t65: one entry liquidated 2026-06-01 owing 0.01, with 1,000,000.01 deposited 2025-06-12,
    or the same money with the cent deposited 2025-09-01. The account is 999,999.99 from
    2025-06-12 either way (plus 0.01 from 2025-09-01 in the second): 68,424.97 both (the
    tester's own daily loop gave 999,999.99 x (2025-06-12..2026-06-01) + 0.01 x
    (2025-09-01..2026-06-01) = 68,424.97). Restarting the compounding at the cent dropped
    the interest on the first 81 days' interest: 67,611.63, 813.34 less."""
    jun12, sep1, liquidated = date(2025, 6, 12), date(2025, 9, 1), date(2026, 6, 1)
    one = [deposit(jun12, "1000000.01")]
    cent = [deposit(jun12, "1000000.00"), deposit(sep1, "0.01")]
    due = Decimal("0.01")
    figures = [
        segmented_interest(events, final_amount_due=due, until=liquidated, conventions=c).interest
        for events in (one, cent)
        for c in (InterestConventions(), RESTART)
    ]
    assert figures == [
        Decimal("68424.97"),
        Decimal("68424.97"),
        Decimal("68424.97"),
        Decimal("67611.63"),
    ]
    loop = [(jun12, "1000000.00"), (sep1, "0.01")]
    assert _account_loop(loop, "0.01", liquidated)[0] == Decimal("68424.97")


def _superposed(events: list[DepositEvent], due: Decimal, until: date, corporate: bool) -> Decimal:
    """Each event's change of the excess compounded from its date to ``until`` (the first
    carries the amount due), summed, rounded half-up once."""
    with localcontext() as ctx:
        ctx.prec = 80
        unrounded = Decimal(0)
        for i, event in enumerate(sorted(events, key=lambda e: e.date)):
            change = event.signed - (due if i == 0 else 0)
            growth = interest_growth(event.date, until, corporate=corporate).total
            unrounded += change * growth
        return unrounded.quantize(CENT, ROUND_HALF_UP)


@given(history=deposit_histories(positive=True), corporate=st.booleans())
def test_in_the_importers_favour_throughout_the_account_is_the_sum_of_each_event_compounded(
    history: tuple[list[DepositEvent], Decimal, date], corporate: bool
) -> None:
    events, due, until = history
    result = segmented_interest(events, final_amount_due=due, until=until, corporate=corporate)
    assert result.government_interest == 0
    assert abs(result.interest - _superposed(events, due, until, corporate)) <= CENT
    assert result.interest == sum((s.interest for s in result.segments), Decimal(0))


@given(
    amount=st.integers(1, 10**9).map(lambda c: Decimal(c) / 100),
    due=st.integers(0, 2 * 10**9).map(lambda c: Decimal(c) / 100),
    days=st.tuples(
        st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
        st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    ).map(sorted),
    corporate=st.booleans(),
    conventions=interest_conventions,
)
def test_a_single_deposit_event_is_exactly_the_single_accrual(
    amount: Decimal,
    due: Decimal,
    days: list[date],
    corporate: bool,
    conventions: InterestConventions,
) -> None:
    """On either side: the Government's side at the underpayment (non-corporate) column."""
    first, until = days
    result = segmented_interest(
        [deposit(first, str(amount))],
        final_amount_due=due,
        until=until,
        corporate=corporate,
        conventions=conventions,
    )
    excess = amount - due
    single = accrue_interest(
        abs(excess),
        deposited=first,
        until=until,
        corporate=corporate and excess > 0,
        conventions=conventions,
    )
    assert result.interest == (single if excess >= 0 else -single)


@given(history=deposit_histories(), data=st.data(), conventions=interest_conventions)
def test_cutting_a_history_differently_changes_the_interest_by_rounding_at_most(
    history: tuple[list[DepositEvent], Decimal, date],
    data: st.DataObject,
    conventions: InterestConventions,
) -> None:
    """A deposit split in two on its date, or a deposit and a refund of one amount on any day of
    the span (an event with no effect on the money), leaves the interest as it was, to a cent."""
    events, due, until = history
    base = segmented_interest(events, final_amount_due=due, until=until, conventions=conventions)
    i = data.draw(st.integers(0, len(events) - 1))
    event = events[i]
    if event.kind == "deposit" and event.amount >= Decimal("0.02"):
        part = data.draw(
            st.integers(1, int(event.amount * 100) - 1).map(lambda c: Decimal(c) / 100)
        )
        split = [
            *events[:i],
            deposit(event.date, str(part)),
            deposit(event.date, str(event.amount - part)),
            *events[i + 1 :],
        ]
        again = segmented_interest(
            split, final_amount_due=due, until=until, conventions=conventions
        )
        assert abs(again.interest - base.interest) <= CENT
    day = data.draw(st.dates(min_value=events[0].date, max_value=until))
    nothing = data.draw(st.integers(1, 10**8).map(lambda c: Decimal(c) / 100))
    cut = [*events, deposit(day, str(nothing)), refund(day, str(nothing))]
    again = segmented_interest(cut, final_amount_due=due, until=until, conventions=conventions)
    assert abs(again.interest - base.interest) <= CENT


@given(history=deposit_histories(), corporate=st.booleans())
def test_the_rounded_segments_add_up_to_each_side_and_the_net(
    history: tuple[list[DepositEvent], Decimal, date], corporate: bool
) -> None:
    events, due, until = history
    result = segmented_interest(events, final_amount_due=due, until=until, corporate=corporate)
    for side, figure in (
        ("importer", result.importer_interest),
        ("government", result.government_interest),
    ):
        mine = [s for s in result.segments if s.owed_to == side]
        assert sum((s.interest for s in mine), Decimal("0.00")) == figure
        assert all(s.interest >= 0 and s.interest.as_tuple().exponent == -2 for s in mine)
    assert result.interest == result.importer_interest - result.government_interest


def test_the_result_states_the_conventions_it_rests_on() -> None:
    events = [deposit(JAN2, "1000"), deposit(JUN2, "200")]
    default = segmented_interest(events, final_amount_due=Decimal("400"), until=DEC1)
    old = segmented_interest(
        events, final_amount_due=Decimal("400"), until=DEC1, conventions=RESTART
    )
    assert (default.conventions.segments, old.conventions.segments) == (
        "compound_through",
        "restart",
    )
    assert default.model_dump(mode="json")["conventions"]["segments"] == "compound_through"
    # Restarted, each segment's account is its excess; compounded through, it carries interest.
    assert [s.account for s in old.segments] == [Decimal("600"), Decimal("800")]
    assert default.segments[1].account > Decimal("817.62")
