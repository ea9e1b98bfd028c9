"""The bulk engine's leaner layouts give what the layouts they replaced gave."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from ieepa_refund.bulk import _columnar, _fallback  # noqa: E402
from ieepa_refund.bulk._cells import distinct, entry_field_parser  # noqa: E402
from tests import strategies  # noqa: E402


@given(strategies.entry_field_cells())
def test_fields_parsed_by_code_as_by_text(field: tuple[str, list[str | None]]) -> None:
    """Each entry field parsed from its categorical codes is what ``distinct`` made of the
    same cells as text (the layout it replaced): the value, and whether the model takes it."""
    name, cells = field
    parse = entry_field_parser(name)
    column = pl.Series(name, cells, dtype=pl.String)
    for then, dtype in (
        (_columnar._probe, pl.Boolean),
        (_columnar._normal, _columnar._dtype(name)),
    ):
        fn = partial(_columnar._checked, then, name, parse)
        by_text = distinct(column, fn, dtype)
        by_code = _columnar._by_code(column.cast(pl.Categorical), fn, dtype)
        assert by_code.dtype == by_text.dtype
        assert by_code.to_list() == by_text.to_list()


@dataclass(frozen=True)
class _Numbered:
    entry_number: str


@given(
    st.lists(st.sampled_from(["A", "B", "C", "D", "E", "F"]), max_size=30),
    st.lists(st.sampled_from(["A", "C", "E", "G"]), max_size=4, unique=True),
    st.integers(min_value=1, max_value=7),
)
def test_entries_not_done_as_by_a_set(numbers: list[str], done: list[str], batch: int) -> None:
    """The per-entry path's entries not already computed, looked up in batches against the
    column, are those a set of the numbers left, in their order (the check it replaced)."""
    entries = [_Numbered(n) for n in numbers]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fallback, "_BATCH", batch)
        got = list(_fallback._not_done(entries, pl.Series(done, dtype=pl.String)))  # type: ignore[arg-type]
    computed = frozenset(done)
    assert got == [e for e in entries if e.entry_number not in computed]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["INTEREST_ON_ESTABLISHED_PRINCIPAL", "UNCERTAIN UNCERTAIN", "", "A"]),
            st.one_of(st.none(), st.sampled_from(["reported", "entry_date_assumed"])),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_shared_text_is_the_same_table(rows: list[tuple[str, str | None]]) -> None:
    """The entry table with its text columns of few values held leaner (one value alone, or
    gathered from the distinct values) is the same table: values, nulls, dtypes, CSV bytes."""
    from ieepa_refund.bulk._tables import ENTRY_COLUMNS, _empty_table, share_text

    empty = _empty_table()
    n = len(rows)
    table = empty.vstack(
        pl.DataFrame(
            {
                "warnings": [w for w, _ in rows],
                "deposit_basis": [d for _, d in rows],
                "method": ["paid"] * n,
                "path": ["bulk"] * (n - 1) + ["entry"],
                "rates_version": [None] * n,
                "entry_number": [f"31600{i:06d}" for i in range(n)],
            },
            schema_overrides={"rates_version": pl.String},
        ).select(
            pl.col(c)
            if c in {"warnings", "deposit_basis", "method", "path", "rates_version", "entry_number"}
            else pl.lit(None, dtype=empty.schema[c]).alias(c)
            for c in ENTRY_COLUMNS
        )
    )
    shared = share_text(table)
    assert shared.schema == table.schema
    assert shared.equals(table)
    assert shared.write_csv() == table.write_csv()
