from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    Entry,
    Refunds,
    compute_refund,
    compute_refunds,
    consolidate,
    read_es003,
    sample_es003,
    screen_all,
)
from ieepa_refund.tables import Column, Level, column, html_for, records, to_dataframe
from tests.strategies import china_entries, distinct_refunds

ZERO = Decimal("0.00")
SAMPLE = read_es003(sample_es003())
REFUNDS = compute_refunds(SAMPLE.entries, interest_until=date(2026, 11, 28))


@given(
    st.lists(china_entries(rated=True), min_size=1, max_size=6),
    st.sampled_from(["entry", "line", "tariff"]),
)
def test_records_and_frames_carry_the_results_totals(entries: list[Entry], level: str) -> None:
    """At every level, records and DataFrames add up to exactly the principal of the results."""
    seen: set[str] = set()
    unique = [e for e in entries if not (e.entry_number in seen or seen.add(e.entry_number))]
    refunds = compute_refunds(unique)
    column = {"entry": "principal", "line": "refund", "tariff": "refund"}[level]
    rows = refunds.to_records(level=level)
    assert sum((r[column] for r in rows), ZERO) == refunds.principal
    frame = refunds.to_dataframe(level=level)
    assert frame[column].sum() == refunds.principal
    assert len(frame) == len(rows)


@given(distinct_refunds())
def test_payment_frames_carry_the_payment_totals(refunds: list[Any]) -> None:
    """Payment and allocation frames add up to the consolidation's net, to the cent."""
    result = consolidate(refunds)
    assert sum((r["net"] for r in result.to_records()), ZERO) == result.net
    if len(result):
        assert result.to_dataframe(level="allocation")["net"].sum() == result.net


def test_column_types() -> None:
    frame = REFUNDS.to_dataframe()
    assert str(frame["entry_number"].dtype) == "string"
    assert str(frame["liquidation_date"].dtype).startswith("datetime64")
    assert frame["principal"].dtype == object
    assert isinstance(frame["principal"].iloc[0], Decimal)
    floats = REFUNDS.to_dataframe(decimals="float")
    assert str(floats["principal"].dtype) == "float64"
    assert str(REFUNDS.to_dataframe(decimals="str")["principal"].dtype) == "string"
    lines = REFUNDS.to_dataframe(level="line")
    assert str(lines["line"].dtype) == "Int64"
    tariffs = REFUNDS.to_dataframe(level="tariff")
    assert str(tariffs["estimated"].dtype) == "boolean"


def test_every_result_type_has_records() -> None:
    screenings = screen_all(SAMPLE.entries, declared_on=date(2026, 7, 1))
    assert len(screenings.to_records()) == len(SAMPLE.entries)
    assert {r["code"] for r in screenings.to_records(level="reason")} >= {"ON_DRAWBACK"}
    assert [r["row"] for r in SAMPLE.to_records(level="problem")] == [10, 5, 14, 45]
    assert SAMPLE.to_records(level="file")[0]["rows_read"] == 41
    single = compute_refund(SAMPLE.entries[0])
    assert single.to_records()[0]["entry_number"] == single.entry_number
    assert records([]) == []
    assert to_dataframe([]).empty


def test_bad_level_and_mixed_types() -> None:
    with pytest.raises(ValueError, match="levels"):
        REFUNDS.to_records(level="payment")
    with pytest.raises(TypeError, match="one type"):
        records([REFUNDS[0], consolidate(REFUNDS)[0]])
    with pytest.raises(ValueError, match="decimals"):
        REFUNDS.to_dataframe(decimals="binary")  # type: ignore[arg-type]


def test_notebook_summaries() -> None:
    text = REFUNDS._repr_html_()
    assert "Refunds" in text
    assert "26,414.32" in text
    assert "not legal advice" in text
    assert "DEPOSIT_DATE_ASSUMED" in text
    for obj in (
        REFUNDS[0],
        consolidate(REFUNDS),
        SAMPLE,
        screen_all(SAMPLE.entries, declared_on=date(2026, 7, 1)),
    ):
        assert obj._repr_html_().startswith("<div>")


def test_summary_stays_short_at_100000_entries() -> None:
    many = Refunds([REFUNDS[0]] * 100_000)
    text = many._repr_html_()
    assert "100,000" in text
    assert len(text) < 3000


def test_tables_are_declared_by_the_result_classes() -> None:
    """Every result type declares its levels (unique names, unique columns) and a summary."""
    import sys

    from ieepa_refund._tabular import Tabular

    classes = {
        obj
        for name, module in list(sys.modules.items())
        if name.startswith("ieepa_refund")
        for obj in vars(module).values()
        if isinstance(obj, type) and obj.__module__.startswith("ieepa_refund")
    }
    declared = [cls for cls in classes if getattr(cls, "__tables__", ())]
    assert {cls.__name__ for cls in declared} >= {
        "EntryRefund", "Payment", "Screening", "Es003Report", "Es003Import", "DeclarationBatch",
        "Difference", "Outcome", "DeadlineWeek",
    }  # fmt: skip
    for cls in declared:
        names = [level.name for level in cls.__tables__]
        assert len(names) == len(set(names)), cls
        for level in cls.__tables__:
            columns = [c.name for c in level.schema]
            assert len(columns) == len(set(columns)), (cls, level)
    for cls in (
        c
        for c in classes
        if issubclass(c, Tabular) and c is not Tabular and not c.__name__.startswith("_")
    ):
        assert callable(getattr(cls, "summary_html", None)), cls


def test_column_paths_read_none_through_a_missing_step() -> None:
    """A dotted source reads None where any step is None; a function source is called."""
    from types import SimpleNamespace as NS

    class Box:
        __tables__ = (
            Level(
                "item",
                column("deep", "str", "a.b.c"),
                column("short", "str", "a.b"),
                each="items",
                outer=(column("count", "int", lambda box: len(box.items)),),
            ),
        )

        def __init__(self, *items: Any) -> None:
            self.items = items

    c = NS(c="x")
    box = Box(NS(a=None), NS(a=NS(b=None)), NS(a=NS(b=c)))
    assert records(box) == [
        {"count": 3, "deep": None, "short": None},
        {"count": 3, "deep": None, "short": None},
        {"count": 3, "deep": "x", "short": c},
    ]
    assert records(Box(), level="item") == []
    frame = to_dataframe([box])
    assert list(frame.columns) == ["count", "deep", "short"]
    assert str(frame["count"].dtype) == "Int64"


def test_column_sources_are_attribute_paths() -> None:
    """A source or ``each`` that is not a dotted name is refused: rows are compiled from them."""
    with pytest.raises(ValueError, match="source"):
        column("x", "str", "a;import os")
    with pytest.raises(ValueError, match="source"):
        Column("x", "str", "a or b")
    with pytest.raises(ValueError, match="each"):
        Level("x", column("x", "str"), each="items()")


def test_no_table_form() -> None:
    with pytest.raises(TypeError, match="no table form"):
        records([object()])
    with pytest.raises(TypeError, match="no notebook summary"):
        html_for(object())
