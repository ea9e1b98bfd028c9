"""Several deposits and pre-liquidation refunds on one entry: 19 CFR 24.36(a)(1), per segment.

The regulation's single-deposit example could be read in its own text ($1,000 deposited
January 1, liquidated for $400 on December 1: a $600 refund with interest from deposit to
liquidation). Its further worked examples could not be retrieved from the public record we
have, so examples 2 to 5 are OUR READING of the regulation's rule ("interest ... from the
date ... deposited ... to the date of liquidation or reliquidation"), split at each change
of the balance on deposit, as issue #10 asks. The dates are moved to 2025.

Every figure below was worked before the code ran, with the independent day-by-day loop of
tests/golden/README.md over the shipped CSV (no library code): 2025 has 365 days and every
quarter of 2025 carries 7% non-corporate overpayment and underpayment (6621(a)(1)-(2)) and
6% corporate overpayment. Dates: 2025-01-02 to 2025-06-02 is 151 days; 2025-06-02 to
2025-12-01 is 182 days; 2025-01-02 to 2025-12-01 is 333 days. Each segment's interest is
principal x ((1 + 0.07/365) ** days - 1), rounded half-up to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ieepa_refund import (
    DepositEvent,
    Entry,
    InvalidFormat,
    InvalidPeriod,
    ValidationError,
    compute_refund,
    interest_detail,
    segmented_interest,
)

JAN2, JUN2, DEC1 = date(2025, 1, 2), date(2025, 6, 2), date(2025, 12, 1)


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
    600 x ((1 + 0.07/365) ** 333 - 1) = 39.56, owed to the importer.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [("importer", "600", 333, "39.56")]
    assert (result.refund, result.interest) == (Decimal("600"), Decimal("39.56"))
    # The same figure as the single-deposit engine: one segment is the ordinary case.
    assert result.interest == interest_detail(Decimal("600"), deposited=JAN2, until=DEC1).interest


def test_example_2_supplemental_deposit_overpaid_throughout() -> None:
    """$1,000 on 2025-01-02, a supplemental $200 on 2025-06-02; liquidated for $400 on 2025-12-01.

    Refund 1,200 - 400 = 800.
    Segment 1, 01-02 to 06-02, 151 days: 1,000 on deposit, 600 over: 600 x (g151 - 1) = 17.63.
    Segment 2, 06-02 to 12-01, 182 days: 1,200 on deposit, 800 over: 800 x (g182 - 1) = 28.41.
    Interest 17.63 + 28.41 = 46.04, owed to the importer.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000"), deposit(JUN2, "200")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [("importer", "600", 151, "17.63"), ("importer", "800", 182, "28.41")]
    assert (result.refund, result.interest) == (Decimal("800"), Decimal("46.04"))


def test_example_3_supplemental_deposit_government_then_importer_netted() -> None:
    """$1,000 on 2025-01-02, a supplemental $300 on 2025-06-02; liquidated for $1,100 on 12-01.

    Refund 1,300 - 1,100 = 200.
    Segment 1, 151 days: 1,000 on deposit, 100 short: the Government is owed
    100 x (g151 - 1) = 2.94 (underpayment rate, 7%).
    Segment 2, 182 days: 1,300 on deposit, 200 over: the importer is owed 200 x (g182 - 1) = 7.10.
    Net 7.10 - 2.94 = 4.16 to the importer.
    Corporate: segment 2 at 6% gives 6.07; segment 1 stays at the 7% underpayment rate, 2.94;
    net 3.13.
    """
    events = [deposit(JAN2, "1000"), deposit(JUN2, "300")]
    result = segmented_interest(events, final_amount_due=Decimal("1100"), until=DEC1)
    assert shape(result) == [
        ("government", "-100", 151, "2.94"),
        ("importer", "200", 182, "7.10"),
    ]
    assert (result.importer_interest, result.government_interest) == (
        Decimal("7.10"),
        Decimal("2.94"),
    )
    assert (result.refund, result.interest) == (Decimal("200"), Decimal("4.16"))
    assert [s.signed_interest for s in result.segments] == [Decimal("-2.94"), Decimal("7.10")]
    corporate = segmented_interest(
        events, final_amount_due=Decimal("1100"), until=DEC1, corporate=True
    )
    assert shape(corporate) == [
        ("government", "-100", 151, "2.94"),
        ("importer", "200", 182, "6.07"),
    ]
    assert corporate.interest == Decimal("3.13")


def test_example_4_pre_liquidation_refund_overpaid_throughout() -> None:
    """$1,000 on 2025-01-02; CBP refunds $500 on 2025-06-02; liquidated for $400 on 2025-12-01.

    Refund at liquidation 500 - 400 = 100.
    Segment 1, 151 days: 1,000 on deposit, 600 over: 17.63.
    Segment 2, 182 days: 500 on deposit, 100 over: 100 x (g182 - 1) = 3.55.
    Interest 21.18, owed to the importer.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000"), refund(JUN2, "500")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [("importer", "600", 151, "17.63"), ("importer", "100", 182, "3.55")]
    assert (result.refund, result.interest) == (Decimal("100"), Decimal("21.18"))


def test_example_5_pre_liquidation_refund_too_large_importer_then_government() -> None:
    """$1,000 on 2025-01-02; CBP refunds $700 on 2025-06-02; liquidated for $400 on 2025-12-01.

    At liquidation 300 is on deposit against 400 due: a bill of 100, not a refund.
    Segment 1, 151 days: 1,000 on deposit, 600 over: the importer is owed 17.63.
    Segment 2, 182 days: 300 on deposit, 100 short: the Government is owed 3.55.
    Net 17.63 - 3.55 = 14.08 to the importer, set against the 100 bill.
    """
    result = segmented_interest(
        [deposit(JAN2, "1000"), refund(JUN2, "700")], final_amount_due=Decimal("400"), until=DEC1
    )
    assert shape(result) == [
        ("importer", "600", 151, "17.63"),
        ("government", "-100", 182, "3.55"),
    ]
    assert (result.refund, result.interest) == (Decimal("-100"), Decimal("14.08"))


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

    Segment 1, 82 days at 7%: 2,000 over: 31.70. Segment 2, 234 days (to 2026-04-24; 2026 Q2
    at 6%): 3,000 over: 135.62. Interest 167.32 (one 5,500 deposit on 2025-06-12 gives 185.32).
    """
    result = compute_refund(_entry("4500.00", "1000.00"))
    assert result.principal == Decimal("3000.00")
    assert result.interest == Decimal("167.32")
    assert result.interest_detail is None
    assert result.interest_segments is not None
    assert [s.interest for s in result.interest_segments.segments] == [
        Decimal("31.70"),
        Decimal("135.62"),
    ]
    assert result.deposit_date == date(2025, 6, 12)
    assert not result.warnings


def test_compute_refund_nets_government_interest_and_says_so() -> None:
    """2,000 deposited 2025-06-12, 3,500 on 2025-09-02: 500 short of the 2,500 due for 82 days.

    Government 500 x (g82 - 1) = 7.92; importer 135.62; net 127.70.
    """
    result = compute_refund(_entry("2000.00", "3500.00"))
    assert result.interest == Decimal("127.70")
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
    carry the same 2,000 and 3,000 excess as above: 167.32, with the warning.
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
    assert result.interest == Decimal("167.32")
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
