from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import Allocation, Consolidation, EntryRefund, ValidationError, consolidate
from tests.strategies import PAYEES, distinct_refunds, entry_refunds, money

ZERO = Decimal("0.00")


def refund(
    number: str, principal: str, interest: str | None, liquidated: date | None, **kw: str
) -> EntryRefund:
    return EntryRefund(
        entry_number=number, importer_number=kw.get("importer", "12-3456789AB"),
        notify_party=kw.get("notify"), liquidation_date=liquidated, method="paid",
        paid=Decimal(principal), ieepa_paid=ZERO, owed=ZERO, principal=Decimal(principal), principal_high=Decimal(principal),
        lines=(), warnings=(), data_version="t", rounding="ROUND_HALF_UP",
        interest=Decimal(interest) if interest is not None else None,
    )  # fmt: skip


MAY1, MAY15 = date(2026, 5, 1), date(2026, 5, 15)


def test_grouping_by_payee_and_liquidation_date() -> None:
    result = consolidate(
        [
            refund("B7603245278", "1000.00", "50.00", MAY1),
            refund("31612345673", "500.00", "20.00", MAY1),
            refund("31676543213", "300.00", "10.00", MAY15),
            refund("31622222227", "200.00", "5.00", MAY1, notify="98-7654321CD"),
            refund("AB100001234", "700.00", None, None),
            refund("31600000012", "0.00", "0.00", MAY1),
        ]
    )
    assert [(p.payee, p.liquidation_date, p.net) for p in result] == [
        ("12-3456789AB", MAY1, Decimal("1570.00")),
        ("98-7654321CD", MAY1, Decimal("205.00")),
        ("12-3456789AB", MAY15, Decimal("310.00")),
    ]
    assert len(result) == 3
    assert result[0].entries == ("B7603245278", "31612345673")
    assert result.unliquidated == ("AB100001234",)
    assert result.nothing_to_pay == ("31600000012",)


def test_offsets_apply_in_liquidation_date_order_and_stop_at_zero() -> None:
    result = consolidate(
        [
            refund("31676543213", "300.00", "10.00", MAY15),
            refund("B7603245278", "1000.00", "50.00", MAY1),
        ],
        offsets={"12-3456789AB": "1200.00", "55-1122334AA": Decimal("40.00")},
    )
    first, second = result
    assert (first.liquidation_date, first.offset, first.net) == (MAY1, Decimal("1050.00"), ZERO)
    assert (second.offset, second.net) == (Decimal("150.00"), Decimal("160.00"))
    assert result.unused_offsets == {"12-3456789AB": ZERO, "55-1122334AA": Decimal("40.00")}


def test_allocation_splits_offset_by_largest_remainder() -> None:
    result = consolidate(
        [refund(n, "100.00", "0.00", MAY1) for n in ("B7603245278", "31612345673", "31676543213")],
        offsets={"12-3456789AB": "100.00"},
    )
    (payment,) = result
    assert [a.offset for a in payment.allocations] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert [a.net for a in payment.allocations] == [
        Decimal("66.66"),
        Decimal("66.67"),
        Decimal("66.67"),
    ]


def test_bad_input() -> None:
    with pytest.raises(ValidationError, match="offsets"):
        consolidate([], offsets={"12-3456789AB": -1})
    with pytest.raises(ValidationError, match="offsets"):
        consolidate([], offsets={"12-3456789AB": 1.5})  # type: ignore[dict-item]
    twice = refund("B7603245278", "1.00", "0.00", MAY1)
    with pytest.raises(ValidationError, match="once"):
        consolidate([twice, twice])


def test_consolidation_is_a_sequence_of_payments_not_a_model() -> None:
    """It iterates, indexes, slices and pickles as its payments; payments stay pydantic models."""
    import pickle
    from collections.abc import Sequence

    from pydantic import BaseModel

    result = consolidate(
        [
            refund("B7603245278", "1000.00", "50.00", MAY1),
            refund("31676543213", "300.00", "10.00", MAY15),
        ]
    )
    assert isinstance(result, Sequence)
    assert not isinstance(result, BaseModel)
    assert list(result) == list(result.payments)
    assert result[-1] is result.payments[-1]
    assert result[:1] == result.payments[:1]
    assert result.payments[0] in result
    assert dict(result[0])["payee"] == "12-3456789AB"  # a model still iterates as its fields
    assert pickle.loads(pickle.dumps(result)) == result
    assert repr(result) == "<Consolidation: 2 payments, net 1360.00>"
    with pytest.raises(AttributeError):
        result.payments = ()  # type: ignore[misc]


# --- properties -----------------------------------------------------------------------------

offset_maps = st.dictionaries(st.sampled_from(PAYEES), money(200_000), max_size=3)


@given(distinct_refunds())
def test_consolidation_is_a_partition(refunds: list[EntryRefund]) -> None:
    """Every entry lands in exactly one payment, or apart; money is neither made nor lost."""
    result = consolidate(refunds)
    placed = Counter(n for p in result for n in p.entries)
    placed.update(result.unliquidated)
    placed.update(result.nothing_to_pay)
    assert placed == Counter(r.entry_number for r in refunds)
    paying = [r for r in refunds if r.liquidation_date is not None and r.principal > 0]
    assert sum((p.principal for p in result), ZERO) == sum((r.principal for r in paying), ZERO)
    assert sum((p.interest for p in result), ZERO) == sum(
        (r.interest or ZERO for r in paying), ZERO
    )
    by_number = {r.entry_number: r for r in refunds}
    for payment in result:
        assert {(by_number[n].payee, by_number[n].liquidation_date) for n in payment.entries} == {
            (payment.payee, payment.liquidation_date)
        }


@given(distinct_refunds(), offset_maps)
def test_offsets_never_make_a_payment_negative(
    refunds: list[EntryRefund], offsets: dict[str, Decimal]
) -> None:
    """gross = net + offset, net >= 0, and applied plus unused offsets equal each debt."""
    result = consolidate(refunds, offsets=offsets)
    for payment in result:
        assert payment.net >= 0
        assert payment.offset >= 0
        assert payment.gross == payment.net + payment.offset
    for payee, debt in offsets.items():
        applied = sum((p.offset for p in result if p.payee == payee), ZERO)
        assert applied + result.unused_offsets[payee] == debt


@given(distinct_refunds(), offset_maps)
def test_allocations_sum_exactly_to_the_payment(
    refunds: list[EntryRefund], offsets: dict[str, Decimal]
) -> None:
    """Each payment's allocations add up to its net, offset, principal and interest to the cent."""
    for payment in consolidate(refunds, offsets=offsets):
        allocations = payment.allocations
        assert sum((a.net for a in allocations), ZERO) == payment.net
        assert sum((a.offset for a in allocations), ZERO) == payment.offset
        assert sum((a.principal for a in allocations), ZERO) == payment.principal
        assert sum((a.interest for a in allocations), ZERO) == payment.interest
        assert all(a.net >= 0 and a.offset >= 0 for a in allocations)


@given(entry_refunds())
def test_payee_is_the_4811_party_when_named(one: EntryRefund) -> None:
    assert one.payee == (one.notify_party or one.importer_number)


@given(distinct_refunds())
def test_allocations_built_unvalidated_equal_validated_ones(refunds: list[EntryRefund]) -> None:
    """Each allocation, dumped and validated again, equals the one consolidation built."""
    for payment in consolidate(refunds, offsets={PAYEES[0]: Decimal("10.00")}):
        for allocation in payment.allocations:
            assert Allocation.model_validate(allocation.model_dump()) == allocation


@given(distinct_refunds(), offset_maps)
def test_payments_built_unvalidated_equal_validated_ones(
    refunds: list[EntryRefund], offsets: dict[str, Decimal]
) -> None:
    """Each payment, dumped and validated again, equals the one built, in the same field order,
    and answers as a validated one does (its fields set, its JSON)."""
    from ieepa_refund import Payment

    for payment in consolidate(refunds, offsets=offsets):
        again = Payment.model_validate(payment.model_dump())
        assert again == payment
        assert list(vars(payment)) == list(vars(again))
        assert payment.model_fields_set == again.model_fields_set
        assert payment.model_dump_json() == again.model_dump_json()


def test_a_payment_of_slim_records_not_plain_is_validated() -> None:
    """A record holding a whole number is validated, and so is its payment: its values become
    Decimals as a plain record's are."""
    from types import SimpleNamespace

    slim = SimpleNamespace(
        entry_number="31600000012", payee="12-3456789AB", liquidation_date=date(2026, 5, 1),
        principal=5, interest=None,
    )  # fmt: skip
    (payment,) = consolidate([slim])
    assert (payment.principal, payment.net) == (Decimal(5), Decimal(5))
    assert isinstance(payment.net, Decimal)
    assert payment.interest_missing == 1


def test_a_slim_record_with_whole_numbers_is_still_validated_into_decimals() -> None:
    from types import SimpleNamespace

    slim = SimpleNamespace(
        entry_number="31600000012", payee="12-3456789AB", liquidation_date=date(2026, 5, 1),
        principal=5, interest=None,
    )  # fmt: skip
    (payment,) = consolidate([slim])
    (allocation,) = payment.allocations
    assert allocation.principal == Decimal(5)
    assert isinstance(allocation.principal, Decimal)


@given(distinct_refunds(), st.sampled_from([None, "0", "0.000", "-0", "0.00"]))
def test_no_debt_shares_are_what_allocate_gives(
    refunds: list[EntryRefund], debt: str | None
) -> None:
    """Without a debt to offset, each allocation's offset is allocate's share, to the text."""
    from ieepa_refund.money import allocate

    offsets = None if debt is None else dict.fromkeys(PAYEES, debt)
    for payment in consolidate(refunds, offsets=offsets):
        gross = [a.principal + a.interest for a in payment.allocations]
        expected = allocate(payment.offset, gross)
        assert [str(a.offset) for a in payment.allocations] == [str(e) for e in expected]


def test_payees_spelt_apart_only_by_dashes_are_warned_not_merged() -> None:
    """'11-0087109AB' and '110087109AB' may be one importer: the dashes carry a number's kind,
    so they stay two payees (two payments), and the result says so in a coded warning."""
    result = consolidate(
        [
            refund("31600000017", "100.00", "1.00", MAY1, importer="11-0087109AB"),
            refund("31600000025", "200.00", "2.00", MAY1, importer="110087109AB"),
            refund("31600000033", "300.00", "3.00", MAY1),  # 12-3456789AB: spelt one way
            refund("31600000041", "400.00", "4.00", MAY15, notify="1234-56789AB"),
        ]
    )
    assert [p.payee for p in result] == [
        "11-0087109AB", "110087109AB", "12-3456789AB", "1234-56789AB"
    ]  # fmt: skip
    # Two sets: a number with and without its dash, and one with its dash in two places.
    assert [(w.code, w.payees) for w in result.payee_warnings] == [
        ("PAYEES_MAY_BE_ONE", ("11-0087109AB", "110087109AB")),
        ("PAYEES_MAY_BE_ONE", ("12-3456789AB", "1234-56789AB")),
    ]
    assert result.payee_warnings[0].message.startswith(
        "11-0087109AB and 110087109AB may be one importer: CBP pays one importer of record "
        "once per liquidation date"
    )
    assert "PAYEES_MAY_BE_ONE" in result.summary_html()
    # Read from the payments: a Consolidation built another way (the bulk engine's) warns alike.
    again = Consolidation(
        payments=result.payments, unliquidated=(), nothing_to_pay=(), unused_offsets={}
    )
    assert again.payee_warnings == result.payee_warnings


def test_payees_spelt_one_way_give_no_warning() -> None:
    result = consolidate(
        [
            refund("31600000017", "100.00", "1.00", MAY1, importer="11-0087109AB"),
            refund("31600000025", "200.00", "2.00", MAY15, importer="11-0087109AB"),
            refund("31600000033", "300.00", "3.00", MAY1, importer="110087109AC"),
        ]
    )
    assert result.payee_warnings == ()
