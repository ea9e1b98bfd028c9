"""Objects built without validation (_trusted.trusted) are exactly what validation builds."""

from __future__ import annotations

import csv
import pickle
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    Entry,
    EntryRefund,
    Es003Import,
    RefundWarning,
    compute_refund,
    entry_number,
)
from ieepa_refund._trusted import trusted
from ieepa_refund.es003 import read_es003
from tests.strategies import china_entries, es003_files

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


def _read(header: list[str], rows: list[list[str]]) -> Es003Import:
    # A folder of its own for each example: hypothesis runs many in one test.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "es003.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
        return read_es003(path)


@given(es003_files())
def test_entries_the_reader_builds_are_what_validation_makes(
    file: tuple[list[str], list[list[str]]],
) -> None:
    """The reader builds entries without validating them again: each one, dumped and validated
    again, is equal to it, sets the same fields, dumps and pickles the same."""
    result = _read(*file)
    for entry in result.entries:
        again = Entry.model_validate(entry.model_dump())
        assert again == entry
        assert again.model_dump() == entry.model_dump()
        assert repr(again) == repr(entry)
        given = Entry.model_validate(entry.model_dump(exclude_unset=True))
        assert (given, given.model_fields_set) == (entry, entry.model_fields_set)
        for line, line_again in zip(entry.lines, again.lines, strict=True):
            assert line.model_fields_set == line_again.model_fields_set
            assert [t.model_fields_set for t in line.tariffs] == [
                t.model_fields_set for t in line_again.tariffs
            ]
        assert pickle.loads(pickle.dumps(entry)) == entry
        assert hash(entry.lines[0].tariffs[0]) == hash(again.lines[0].tariffs[0])


def test_the_reader_computes_each_check_digit_once_and_validates_no_clean_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Building an entry costs one check-digit sum and no model validation (the reader checked
    every value); the sample's entries all take that road."""
    sums: list[str] = []
    check_digit = entry_number._check_digit

    def counted(first_ten: str) -> str:
        sums.append(first_ten)
        return check_digit(first_ten)

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("a clean entry was validated again")

    monkeypatch.setattr(entry_number, "_check_digit", counted)
    monkeypatch.setattr(Entry, "model_validate", refused)
    entries = read_es003(SAMPLE).entries
    assert entries
    assert sorted(sums) == sorted(e.entry_number[:10] for e in entries)


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


def test_builder_instances_in_a_given_order_are_trusted_instances() -> None:
    """An instance built with names in a given order equals, dumps, prints, pickles, copies and hashes as the
    trusted one with the same values in the same order; copies never touch the others."""
    import copy
    import pickle

    from ieepa_refund._trusted import builder

    names = ("message", "code", "hts", "line")  # not the declared order: kept as given
    build = builder(RefundWarning, names)
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


def test_builder_names_every_field_once() -> None:
    from ieepa_refund._trusted import builder

    with pytest.raises(TypeError, match="every field must be named once"):
        builder(RefundWarning, ("code", "message", "line"))
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        builder(RefundWarning, ("code", "message", "line", "hts"))("X", "m", None)
