"""A Consolidation whose fields are built on first read (the bulk engine's) against one
given its values: the same payments, lists and behaviour to every reader."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import threading
from decimal import Decimal

import pytest
from hypothesis import given, settings

from ieepa_refund import EntryRefund, consolidate
from ieepa_refund.payments import Consolidation, Payment
from tests.strategies import distinct_refunds

pl = pytest.importorskip("polars")

from ieepa_refund.bulk._tables import consolidate_table  # noqa: E402


def _table(refunds: list[EntryRefund]) -> pl.DataFrame:
    """The entry table's columns consolidate_table reads, in entry-number order."""
    return pl.DataFrame(
        {
            "payee": [r.payee for r in refunds],
            "liquidation_date": [r.liquidation_date for r in refunds],
            "entry_number": [r.entry_number for r in refunds],
            "principal": [r.principal for r in refunds],
            "interest": [r.interest for r in refunds],
        },
        schema={
            "payee": pl.String,
            "liquidation_date": pl.Date,
            "entry_number": pl.String,
            "principal": pl.Decimal(38, 2),
            "interest": pl.Decimal(38, 2),
        },
    )


def _deferred(eager: Consolidation) -> Consolidation:
    return Consolidation._deferred(
        payments=lambda: eager.payments,
        unliquidated=lambda: eager.unliquidated,
        nothing_to_pay=lambda: eager.nothing_to_pay,
        unused_offsets=eager.unused_offsets,
    )


@given(distinct_refunds())
@settings(max_examples=60, deadline=None)
def test_consolidate_table_is_consolidate(refunds: list[EntryRefund]) -> None:
    refunds.sort(key=lambda r: r.entry_number)
    got, want = consolidate_table(_table(refunds)), consolidate(refunds)
    # Read in an order unlike the constructor's, field by field, then whole.
    assert got.nothing_to_pay == want.nothing_to_pay
    assert len(got) == len(want)
    assert list(got) == list(want.payments)
    assert got.unliquidated == want.unliquidated
    assert got == want
    assert repr(got) == repr(want)
    assert got.net == want.net
    assert got.interest_complete == want.interest_complete
    assert got.to_records(level="allocation") == want.to_records(level="allocation")


@given(distinct_refunds())
@settings(max_examples=40, deadline=None)
def test_deferred_behaves_as_given(refunds: list[EntryRefund]) -> None:
    want = consolidate(refunds)
    # Each reading below on a fresh one: whichever is first builds the fields.
    assert _deferred(want) == want
    assert want == _deferred(want)
    assert pickle.loads(pickle.dumps(_deferred(want))) == want
    assert copy.deepcopy(_deferred(want)) == want
    assert copy.copy(_deferred(want)) == want
    assert dataclasses.asdict(_deferred(want)) == dataclasses.asdict(want)
    assert dataclasses.astuple(_deferred(want)) == dataclasses.astuple(want)
    assert dataclasses.replace(_deferred(want), unused_offsets={"x": Decimal(1)}) == (
        dataclasses.replace(want, unused_offsets={"x": Decimal(1)})
    )
    assert _deferred(want)[:2] == want[:2]
    assert _deferred(want).summary_html() == want.summary_html()
    assert _deferred(want).payee_warnings == want.payee_warnings
    with pytest.raises(dataclasses.FrozenInstanceError):
        _deferred(want).payments = ()  # type: ignore[misc]
    with pytest.raises(TypeError, match="unhashable"):
        hash(_deferred(want))


def test_each_field_built_once_and_let_go() -> None:
    calls: list[str] = []
    built = (Payment.__new__(Payment),)  # an object whose identity is checked, never read

    def payments() -> tuple[Payment, ...]:
        calls.append("payments")
        return built

    deferred = Consolidation._deferred(
        payments=payments,
        unliquidated=lambda: ("31600000017",),
        nothing_to_pay=lambda: (),
        unused_offsets={},
    )
    seen: list[object] = []
    readers = [threading.Thread(target=lambda: seen.append(deferred.payments)) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert calls == ["payments"]
    assert all(s is built for s in seen)
    assert deferred.payments is built
    assert deferred.unliquidated == ("31600000017",)
    assert calls == ["payments"]
