"""Objects built without validation (_trusted.trusted) are exactly what validation builds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import Entry, EntryRefund, RefundWarning, compute_refund
from ieepa_refund._trusted import trusted
from ieepa_refund.es003 import read_es003
from tests.strategies import china_entries

SAMPLE = Path(__file__).parents[1] / "src" / "ieepa_refund" / "examples" / "sample_es003.csv"


@given(china_entries(rated=True), st.sampled_from(["paid", "recalculate"]), st.booleans())
def test_refund_results_revalidate_to_themselves(entry: Entry, method: str, dated: bool) -> None:
    """A refund result, dumped and validated again, equals the result the code built."""
    if dated:
        entry = entry.model_copy(
            update={"deposit_date": date(2025, 5, 20), "liquidation_date": date(2026, 5, 1)}
        )
    refund = compute_refund(entry, method=method)  # type: ignore[arg-type]
    assert EntryRefund.model_validate(refund.model_dump()) == refund
    if dated and refund.principal > 0:
        assert refund.interest_detail is not None  # the interest detail is covered too


def test_entries_read_from_an_es003_revalidate_to_themselves() -> None:
    result = read_es003(SAMPLE)
    assert result.entries
    for entry in result.entries:
        assert Entry.model_validate(entry.model_dump()) == entry


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError, match="missing \\['hts', 'line'\\]"):
        trusted(RefundWarning, code="X", message="m")


def test_a_copy_with_changes_leaves_the_shared_field_names_alone() -> None:
    """Trusted instances share one set of field names; copying one with changes never alters it."""
    first = trusted(RefundWarning, code="X", message="m", line=None, hts=None)
    second = trusted(RefundWarning, code="Y", message="n", line=1, hts=None)
    before = set(first.model_fields_set)
    changed = first.model_copy(update={"line": 2})
    assert (changed.line, changed.model_fields_set) == (2, before)
    assert (
        first.model_fields_set
        == second.model_fields_set
        == before
        == set(RefundWarning.model_fields)
    )
    assert RefundWarning.model_validate(first.model_dump()) == first


def test_compact_instances_are_trusted_instances() -> None:
    """A compact-built instance equals, dumps, prints, pickles, copies and hashes as the
    trusted one with the same values in the same order; copies never touch the others."""
    import copy
    import pickle

    from ieepa_refund._trusted import compact

    names = ("message", "code", "hts", "line")  # not the declared order: kept as given
    build = compact(RefundWarning, names)
    first, second = build("m", "X", None, 1), build("n", "Y", "99030125", None)
    plain = trusted(RefundWarning, message="m", code="X", hts=None, line=1)
    assert list(first.__dict__) == list(plain.__dict__) == list(names)
    assert first.model_dump_json() == plain.model_dump_json()
    assert repr(first) == repr(plain)
    assert (first == plain, hash(first) == hash(plain)) == (True, True)
    for other in (pickle.loads(pickle.dumps(first)), copy.copy(first), copy.deepcopy(first)):
        assert other == first
        assert other.model_dump_json() == first.model_dump_json()
    changed = first.model_copy(update={"line": 2})
    assert (changed.line, first.line, second.line, build("o", "Z", None, 3).line) == (2, 1, None, 3)
    assert RefundWarning.model_validate(first.model_dump()) == first


def test_compact_names_every_field_once() -> None:
    from ieepa_refund._trusted import compact

    with pytest.raises(TypeError, match="every field must be named once"):
        compact(RefundWarning, ("code", "message", "line"))
    with pytest.raises(TypeError, match="4 values expected, got 3"):
        compact(RefundWarning, ("code", "message", "line", "hts"))("X", "m", None)
