"""The short roads of the refund tied to the general one: same values, same text, same JSON.

``paid_line`` (the paid method's fast path) must give exactly what :class:`LineWork` gives
for every line it accepts; results share equal amounts, reasons and warnings between
objects, which must change no value, text, JSON, pickle or copy.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from ieepa_refund import EntryRefund, RefundOptions, compute_refund, default_registry
from ieepa_refund.entry import Entry, EntryLine, Tariff
from ieepa_refund.money import exact
from ieepa_refund.refund._compute import _compute
from ieepa_refund.refund._lines import LineWork, classifier
from ieepa_refund.refund._paid import (
    figures_of,
    paid_line,
    paid_line_figures,
    topup_line_figures,
)
from ieepa_refund.refund._shared import same, sum_of
from tests.strategies import china_entries, es003_entries, registry_entries, topup_entries

OPTIONS = st.builds(
    RefundOptions,
    method=st.sampled_from(["paid", "recalculate"]),
    rounding=st.sampled_from(["ROUND_HALF_UP", "ROUND_HALF_EVEN"]),
    interest_until=st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2026, 12, 31))),
    project=st.booleans(),
    deposit=st.sampled_from(["reported", "pms"]),
)

ENTRIES = st.one_of(
    es003_entries(),
    china_entries(),
    china_entries(rated=True),
    registry_entries().map(lambda drawn: drawn[0]),
    topup_entries(),
)


def _both(entry: Entry, options: RefundOptions) -> tuple[EntryRefund, EntryRefund]:
    registry = default_registry()
    with exact():
        return (
            _compute(entry, options, registry, None, fast=True),
            _compute(entry, options, registry, None, fast=False),
        )


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: sorted(item) if key in _SETS else _canonical(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


_SETS = frozenset({"countries", "countries_except"})


def _same_everywhere(a: EntryRefund, b: EntryRefund) -> None:
    # Equality compares Decimals by value (1.0 == 1.00): the JSON and repr compare their text.
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()
    assert repr(a) == repr(b)
    assert a.model_dump() == b.model_dump()
    assert TypeAdapter(EntryRefund).dump_json(a) == TypeAdapter(EntryRefund).dump_json(b)


@given(ENTRIES, OPTIONS)
def test_fast_path_gives_what_linework_gives(entry: Entry, options: RefundOptions) -> None:
    """For any entry and options, the fast road's refund is the general road's, to the text."""
    fast, general = _both(entry, options)
    _same_everywhere(fast, general)


@given(ENTRIES, OPTIONS)
def test_shared_objects_survive_every_copy(entry: Entry, options: RefundOptions) -> None:
    """A refund whose objects are shared pickles, copies and hashes as a plain equal one."""
    refund = _both(entry, options)[0]
    for other in (
        pickle.loads(pickle.dumps(refund)),
        copy.copy(refund),
        copy.deepcopy(refund),
        refund.model_copy(deep=True),
    ):
        assert other == refund
        assert hash(other) == hash(refund)
        assert other.model_dump() == refund.model_dump()
        # A rebuilt frozenset (a heading's countries) may iterate in another order.
        assert _canonical(json.loads(other.model_dump_json())) == _canonical(
            json.loads(refund.model_dump_json())
        )
    # Validation orders the fields as declared (the JSON's key order then differs): values only.
    assert EntryRefund.model_validate_json(refund.model_dump_json()) == refund


def test_the_common_line_takes_the_fast_road() -> None:
    """The fast path is taken (a test above cannot pass by the fast path always declining)."""
    line = EntryLine(
        number=1,
        country_of_origin="CN",
        tariffs=(
            Tariff(hts="9903.01.24", duty=Decimal("20.00")),
            Tariff(hts="8471.30.0100", value=Decimal("100.00"), duty=Decimal("0.00")),
        ),
    )
    entry = Entry(
        entry_number="B76-0324527-8",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 6, 2),
        lines=(line,),
    )
    with exact():
        done = paid_line(line, classifier(default_registry(), entry))
    assert done is not None
    result, others, ieepa = done
    assert (others, ieepa) == (True, True)
    assert result == compute_refund(entry).lines[0]


def test_a_line_with_a_warning_takes_the_general_road() -> None:
    line = EntryLine(number=1, country_of_origin="CN", tariffs=(Tariff(hts="9903.01.24"),))
    entry = Entry(
        entry_number="B76-0324527-8",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 6, 2),
        lines=(line,),
    )
    assert paid_line(line, classifier(default_registry(), entry)) is None


DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0"), Decimal("-0.00"), Decimal("0.00"), Decimal("0E+2")]),
)


@given(DECIMALS, DECIMALS)
def test_same_keeps_the_written_form(value: Decimal, known: Decimal) -> None:
    """``same`` returns a number written exactly as ``value`` (sign, digits, exponent)."""
    assert same(value, known).as_tuple() == value.as_tuple()
    assert str(same(value, known)) == str(value)


@given(st.lists(DECIMALS, max_size=5))
def test_sum_of_is_the_plain_sum_to_the_text(values: list[Decimal]) -> None:
    """``sum_of`` may hand back one of its addends, but only one written as the sum is."""
    with exact():
        plain = sum(values, Decimal("0.00"))
        found = sum_of(tuple(values))
    assert found.as_tuple() == plain.as_tuple()
    assert str(found) == str(plain)


def _plain_sum(values: Any) -> Decimal:
    return sum(values, Decimal("0.00"))


@given(ENTRIES, OPTIONS)
def test_shared_values_are_what_plain_arithmetic_gives(
    entry: Entry, options: RefundOptions
) -> None:
    """Every amount a refund shares with another object is, to the text, what the plain sums
    and differences give; and the refund dumps as one validated from scratch from its JSON
    (validation orders the keys as declared, so the dicts are compared)."""
    registry = default_registry()
    with exact():
        refund = _compute(entry, options, registry, None)
        for line in refund.lines:
            assert str(line.paid) == str(_plain_sum(t.paid for t in line.tariffs))
            assert str(line.refund) == str(_plain_sum(t.refund for t in line.tariffs))
            for tariff in line.tariffs:
                assert str(tariff.refund) == str(tariff.paid - tariff.owed)
        assert str(refund.paid) == str(_plain_sum(line.paid for line in refund.lines))
        if not entry.incomplete_rows:
            assert str(refund.principal) == str(refund.paid - refund.owed)
    scratch = EntryRefund.model_validate(json.loads(refund.model_dump_json()))
    assert scratch == refund
    # A rebuilt frozenset (a heading's countries) may iterate in another order.
    assert _canonical(json.loads(scratch.model_dump_json())) == _canonical(
        json.loads(refund.model_dump_json())
    )
    assert pickle.loads(pickle.dumps(refund)) == refund


def test_a_refund_is_the_same_whether_its_parts_were_shared_before_or_not() -> None:
    """The tables of shared results change no refund: one computed with them empty and one
    computed after they were filled by other entries dump byte for byte alike."""
    from ieepa_refund.refund import _lines, _shared

    entry = Entry(
        entry_number="B76-0324527-8",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 6, 2),
        liquidation_date=date(2026, 3, 2),
        lines=(
            EntryLine(
                number=1,
                country_of_origin="CN",
                tariffs=(
                    Tariff(hts="9903.01.24", duty=Decimal("20.00")),
                    Tariff(hts="8471.30.0100", value=Decimal("100.00"), duty=Decimal("0.00")),
                ),
            ),
        ),
    )
    _lines._NOTHING_PAID.clear()
    _shared._WARNINGS.clear()
    first = compute_refund(entry)
    assert _lines._NOTHING_PAID  # the tables were used
    assert _shared._WARNINGS
    again = compute_refund(entry)
    assert again.lines[0].tariffs[1] is first.lines[0].tariffs[1]  # shared, not rebuilt
    assert again.warnings is first.warnings
    assert again.model_dump_json() == first.model_dump_json()
    assert repr(again) == repr(first)
    assert pickle.loads(pickle.dumps([first, again])) == [first, again]


@given(ENTRIES)
def test_a_lines_figures_are_its_fast_results_sums(entry: Entry) -> None:
    """paid_line_figures answers as paid_line does, line by line: the same lines declined, and
    for the others the same sums, written alike and shared alike (the same objects where
    paid_line's sums are one of its numbers' objects)."""
    classify = classifier(default_registry(), entry)
    with exact():
        for line in entry.lines:
            full, lean = paid_line(line, classify), paid_line_figures(line, classify)
            if full is None or lean is None:
                assert full is lean is None
                continue
            result, others, ieepa = full
            expected = (figures_of(result), others, ieepa)
            assert lean == expected
            assert repr(lean) == repr(expected)
            figures = lean[0]
            assert [figures.paid is figures.refund, figures.refund is figures.refund_high] == [
                result.paid is result.refund,
                result.refund is result.refund_high,
            ]


@given(ENTRIES, OPTIONS)
def test_entry_sums_are_the_plain_sums_to_the_text(entry: Entry, options: RefundOptions) -> None:
    """The entry's owed and bound, which may be objects the refund already holds, are written
    as the plain sums of its lines' are."""
    with exact():
        refund = _compute(entry, options, default_registry(), None)
        assert str(refund.owed) == str(_plain_sum(line.owed for line in refund.lines))
        highs = [line.refund_high for line in refund.lines]
        if not entry.incomplete_rows and None not in highs:
            assert refund.principal_high is not None
            assert str(refund.principal_high) == str(_plain_sum(highs))


def test_an_entry_restoring_mfn_duty_holds_its_equal_sums_once() -> None:
    """A 15% all-in line reported on the Chapter 99 number owes what it paid: the entry's owed
    and bound are its paid's object and its principal the shared zero, and the refund prints,
    dumps, pickles and hashes as one holding a Decimal of its own for each."""
    from ieepa_refund.refund._shared import ZERO

    line = EntryLine(
        number=1,
        country_of_origin="DE",
        tariffs=(
            Tariff(hts="9903.02.20", duty=Decimal("150.00")),
            Tariff(hts="8708.99.8180", value=Decimal("1000.00"), duty=Decimal("0.00")),
        ),
    )
    entry = Entry(
        entry_number="B76-0324527-8",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 10, 15),
        liquidation_date=date(2026, 3, 2),
        lines=(line, line.model_copy(update={"number": 2})),
    )
    refund = compute_refund(entry)
    assert refund.owed is refund.paid
    assert refund.principal_high is refund.paid
    assert refund.principal is ZERO
    own = refund.model_copy(
        update={
            "owed": Decimal(str(refund.owed)),
            "principal": Decimal(str(refund.principal)),
            "principal_high": Decimal(str(refund.principal_high)),
        }
    )
    assert own.owed is not own.paid
    assert own == refund
    assert hash(own) == hash(refund)
    assert repr(own) == repr(refund)
    assert own.model_dump_json() == refund.model_dump_json()
    assert EntryRefund.model_validate_json(refund.model_dump_json()) == refund
    # Pickled back, a heading's countries are a rebuilt frozenset whose order may differ: values.
    again = pickle.loads(pickle.dumps(refund))
    assert (again, again.model_dump()) == (own, own.model_dump())
    assert (str(refund.paid), str(refund.principal)) == ("300.00", "0.00")


@given(st.one_of(topup_entries(), ENTRIES))
def test_a_topup_lines_figures_are_what_linework_gives(entry: Entry) -> None:
    """topup_line_figures answers as LineWork does with the paid method, for every line it
    accepts: the same sums written alike, the same recalculation delta and the same warnings
    (text, line, number, order); a line it declines adds no warning."""
    classify = classifier(default_registry(), entry)
    with exact():
        for line in entry.lines:
            warnings: list[Any] = []
            lean = topup_line_figures(line, classify, warnings)
            if lean is None:
                assert warnings == []
                continue
            expected: list[Any] = []
            work = LineWork(line, classify, "paid", "ROUND_HALF_UP", expected)
            result = work.result()
            figures, delta = lean
            assert figures == figures_of(result)
            assert repr(figures) == repr(figures_of(result))
            assert [figures.paid is figures.refund, figures.refund is figures.refund_high] == [
                result.paid is result.refund,
                result.refund is result.refund_high,
            ]
            assert repr(delta) == repr(work.recalc_delta)
            assert work.kept_without_rate == 0
            assert any(t.status.startswith("ieepa") for t in result.tariffs)
            assert [w.model_dump_json() for w in warnings] == [
                w.model_dump_json() for w in expected
            ]


def test_the_benchmarks_all_in_line_takes_the_topup_road() -> None:
    """A 15% all-in heading with its duty beside a duty-free Chapter 1-97 number without rate
    text (the benchmark's DE rows): the topup road takes it, and warns as LineWork does."""
    line = EntryLine(
        number=3,
        country_of_origin="DE",
        tariffs=(
            Tariff(hts="9903.02.20", duty=Decimal("1500.00")),
            Tariff(hts="8471.30.0100", value=Decimal("10000.00"), duty=Decimal("0.00")),
        ),
    )
    entry = Entry(
        entry_number="31600000017",
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=date(2025, 9, 15),
        lines=(line,),
    )
    warnings: list[Any] = []
    with exact():
        done = topup_line_figures(line, classifier(default_registry(), entry), warnings)
    assert done is not None
    figures, delta = done
    assert (str(figures.paid), str(figures.owed), str(figures.refund)) == (
        "1500.00",
        "1500.00",
        "0.00",
    )
    assert delta == 0
    assert [(w.code, w.line, w.hts) for w in warnings] == [("UNCERTAIN", 3, "8471300100")]
