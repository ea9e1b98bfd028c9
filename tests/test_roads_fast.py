"""The fast road (interest from the engine's growth, rule facts found once, no re-validation)
equals the straightforward one: the refund recomputed whole at the expected date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    Entry,
    EntryRefund,
    EntryRoad,
    RefundOptions,
    Road,
    compute_figures,
    compute_refund,
    entry_road,
    entry_roads,
)
from ieepa_refund.cape import Screening, screen
from ieepa_refund.cape.rules import default_cape_rules
from ieepa_refund.errors import InvalidFormat
from ieepa_refund.roads import _decide, _roads, _rules, road_totals
from ieepa_refund.roads._roads import _entry_road, _facts, _RuleFacts
from tests.strategies import (
    china_entries,
    es003_entries,
    refund_options,
    road_declaration_dates,
    road_entries,
    road_ledgers,
)
from tests.test_roads import entry as make_entry


def both(
    entry: Entry,
    refund: EntryRefund | None,
    declared_on: date,
    options: RefundOptions,
    **kw: Any,
) -> tuple[EntryRoad, EntryRoad]:
    """The fast road and the straightforward one, with the same arguments."""
    args = {
        "declared_on": declared_on,
        "options": options,
        "registry": None,
        "rates": None,
        "rules": None,
        "timing": None,
        "ledger": None,
        "declared_dates": None,
        "plaintiffs": (),
        **kw,
    }
    return _entry_road(entry, refund, fast=True, **args), _entry_road(
        entry, refund, fast=False, **args
    )


@given(
    entry=road_entries(),
    declared_on=road_declaration_dates,
    options=refund_options,
    given_refund=st.booleans(),
    data=st.data(),
)
def test_the_fast_road_is_the_straightforward_road(
    entry: Entry, declared_on: date, options: RefundOptions, given_refund: bool, data: st.DataObject
) -> None:
    ledger, dated = data.draw(road_ledgers(entry, declared_on))
    plaintiffs = data.draw(st.sampled_from([(), (entry.importer_number,)]))
    refund = compute_refund(entry, options=options) if given_refund else None
    fast, slow = both(
        entry,
        refund,
        declared_on,
        options,
        ledger=ledger,
        declared_dates=dated,
        plaintiffs=plaintiffs,
    )
    assert fast == slow
    assert fast.model_dump_json() == slow.model_dump_json()  # the same cents, byte for byte
    # Built without validation, it is what validation makes of the same values.
    assert EntryRoad.model_validate(fast.model_dump()) == fast


@given(
    entry=road_entries(),
    declared_on=road_declaration_dates,
    options=refund_options,
    other=refund_options,
)
def test_a_refund_made_with_other_options_takes_the_straightforward_road(
    entry: Entry, declared_on: date, options: RefundOptions, other: RefundOptions
) -> None:
    """A refund not made with ``options`` is recomputed whole, as before: never mixed."""
    fast, slow = both(entry, compute_refund(entry, options=other), declared_on, options)
    assert fast == slow


@given(entry=road_entries(), declared_on=road_declaration_dates, options=refund_options)
def test_interest_on_a_cape_road_is_compute_refunds_at_the_expected_date(
    entry: Entry, declared_on: date, options: RefundOptions
) -> None:
    """The growth applied to the principal gives compute_refund's cents at the expected date."""
    road = entry_road(entry, declared_on=declared_on, options=options)
    if road.expected_liquidation is None:
        return
    expected = road.expected_liquidation
    paid_at = (
        entry
        if entry.liquidation_date is None
        else entry.model_copy(update={"liquidation_date": expected})
    )
    whole = compute_refund(paid_at, options=options, interest_until=expected)
    assert road.road.through_cape
    assert (road.interest, road.interest_until) == (whole.interest, whole.interest_until)
    assert (road.principal, road.principal_high) == (whole.principal, whole.principal_high)


def test_a_rule_sets_facts_are_found_once_and_are_the_straightforward_ones() -> None:
    rules = default_cape_rules()
    kept = _facts(rules)
    assert _facts(rules) is kept
    fresh = _RuleFacts(rules)
    assert kept.changes == fresh.changes
    assert list(kept.changes) == sorted(
        {r.effective_from for r in rules.rows}
        | {r.effective_to for r in rules.rows if r.effective_to is not None}
    )
    for name in ("lookback_days", "cape_open", "psc_window", "invalid_hts", "protest"):
        assert (
            kept.codes(name) == fresh.codes(name) == {r.code for r in rules.rows if r.rule == name}
        )
    assert kept.codes("lookback_days") == {"LIQUIDATED_OVER_80_DAYS"}


def test_the_cape_later_road_is_the_same_on_both_paths() -> None:
    """Before CAPE opened, the road is found by screening the later dates: both paths agree."""
    early = make_entry(liquidation_date=date(2026, 3, 2))
    fast, slow = both(early, None, date(2026, 3, 1), RefundOptions(interest_until=date(2026, 3, 1)))
    assert fast == slow
    assert fast.road is Road.CAPE_LATER
    assert fast.declare_from == date(2026, 4, 20)


def test_interest_at_the_edge_of_the_deposit_date_is_the_same_on_both_paths() -> None:
    """Deposited on the expected liquidation: no day of interest (0.00); a day after: none."""
    declared = date(2026, 7, 1)
    options = RefundOptions(interest_until=declared)
    for offset, interest in ((45, "0.00"), (46, None)):
        held = make_entry(deposit_date=declared + timedelta(days=offset))
        fast, slow = both(held, compute_refund(held, options=options), declared, options)
        assert fast == slow
        assert fast.road is Road.CAPE_NOW
        assert fast.expected_liquidation == declared + timedelta(days=45)
        assert fast.interest == (None if interest is None else Decimal(interest))


def straightforward_totals(roads: list[EntryRoad]) -> list[tuple[Any, ...]]:
    """Each road's entries, money and first deadline, a road at a time."""
    out = []
    for road in Road:
        members = [r for r in roads if r.road is road]
        if not members:
            continue
        deadlines = [r.deadline for r in members if r.deadline is not None]
        out.append(
            (
                road,
                len(members),
                sum((r.principal for r in members), Decimal("0.00")),
                sum((r.interest or Decimal("0.00") for r in members), Decimal("0.00")),
                sum(1 for r in members if r.interest is None and r.principal > 0),
                min(deadlines) if deadlines else None,
            )
        )
    return out


@given(
    entries=st.lists(road_entries(), max_size=8, unique_by=lambda e: e.entry_number),
    declared_on=road_declaration_dates,
)
def test_road_totals_in_one_pass_are_the_totals_road_by_road(
    entries: list[Entry], declared_on: date
) -> None:
    options = RefundOptions(interest_until=declared_on)
    roads = list(entry_roads(entries, declared_on=declared_on, options=options))
    totals = road_totals(roads)
    found = [
        (t.road, t.entries, t.principal, t.interest, t.interest_missing, t.next_deadline)
        for t in totals
    ]
    assert found == straightforward_totals(roads)
    assert [str(t.principal) for t in totals] == [str(row[2]) for row in found]  # same digits


def test_a_look_back_exclusion_is_lifted_later_only_for_a_cit_plaintiff() -> None:
    """Past the look-back on 2026-07-01: a CIT plaintiff's entry is taken from 2026-10-06
    (the finally liquidated rule), anyone else's stays on the protest road; the fast road
    skips the later screening only for the second."""
    old = make_entry(liquidation_date=date(2026, 1, 15))
    declared, options = date(2026, 7, 1), RefundOptions(interest_until=date(2026, 7, 1))
    fast, slow = both(old, None, declared, options, plaintiffs=(old.importer_number,))
    assert fast == slow
    assert (fast.road, fast.declare_from) == (Road.CAPE_LATER, date(2026, 10, 6))
    fast, slow = both(old, None, declared, options)
    assert fast == slow
    assert fast.road is Road.PROTEST


def test_a_closed_psc_window_is_lifted_when_the_fault_it_needs_fixing_ends() -> None:
    """GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97 was checked until 2026-06-24; past
    the PSC window it excluded the entry, and from 2026-06-25 nothing does."""
    unvalued = make_entry(
        lines=[
            {
                "number": 1,
                "country_of_origin": "CN",
                "tariffs": [
                    {"hts": "8471.30.0100"},
                    {"hts": "9903.01.24", "value": "5000.00", "duty": "1000.00"},
                ],
            }
        ]
    )
    declared = date(2026, 6, 1)
    fast, slow = both(unvalued, None, declared, RefundOptions(interest_until=declared))
    assert fast == slow
    assert fast.reason_codes == ("GOODS_VALUE_NOT_ON_CH1_97", "PSC_WINDOW_CLOSED")
    assert (fast.road, fast.declare_from) == (Road.CAPE_LATER, date(2026, 6, 25))


def test_a_later_date_whose_changes_cannot_lift_the_exclusion_is_not_screened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rule starting on 2026-10-06 concerns CIT plaintiffs only: for anyone else's entry
    past the look-back the fast road screens today alone, the straightforward one twice."""
    calls: list[date] = []

    def counted(entry: Entry, *, declared_on: date, **kw: Any) -> Screening:
        calls.append(declared_on)
        return screen(entry, declared_on=declared_on, **kw)

    for module in (_roads, _decide, _rules):  # every module of the roads that screens
        monkeypatch.setattr(module, "screen", counted)
    old = make_entry(liquidation_date=date(2026, 1, 15))
    declared = date(2026, 7, 1)
    both(old, None, declared, RefundOptions(interest_until=declared))
    assert calls == [declared, declared, date(2026, 10, 6)]  # fast, then straightforward


@given(
    entry=st.one_of(road_entries(), es003_entries(), china_entries()),
    declared_on=road_declaration_dates,
    options=refund_options,
    data=st.data(),
)
def test_a_road_from_the_figures_is_the_road_from_the_full_refund(
    entry: Entry, declared_on: date, options: RefundOptions, data: st.DataObject
) -> None:
    """entry_road reads only entry-level figures: RefundFigures give the very road, byte for
    byte, by the fast road's interest and by its fallback that recomputes (both taken here)."""
    ledger, dated = data.draw(road_ledgers(entry, declared_on))
    kw: dict[str, Any] = {"declared_on": declared_on, "options": options, "ledger": ledger}
    kw["declared_dates"] = dated
    from_figures = entry_road(entry, compute_figures(entry, options=options), **kw)
    from_refund = entry_road(entry, compute_refund(entry, options=options), **kw)
    assert from_figures == from_refund
    assert from_figures.model_dump_json() == from_refund.model_dump_json()
    # A refund computed under other choices than the road's: the interest to the expected
    # date is not taken from its figures but recomputed (the fallback), alike from both.
    other = data.draw(refund_options)
    lean = entry_road(entry, compute_figures(entry, options=other), **kw)
    full = entry_road(entry, compute_refund(entry, options=other), **kw)
    assert lean.model_dump_json() == full.model_dump_json()
    # And with no refund given (then computed as figures), as the straightforward road has it.
    fast, slow = both(entry, None, declared_on, options, ledger=ledger, declared_dates=dated)
    assert fast.model_dump_json() == slow.model_dump_json() == from_refund.model_dump_json()


def test_a_road_refuses_what_is_not_a_refund_and_another_entrys_figures() -> None:
    entry = make_entry()
    with pytest.raises(InvalidFormat, match="EntryRefund or RefundFigures"):
        entry_road(entry, "1000.00", declared_on=date(2026, 5, 1))  # type: ignore[arg-type]
    other = entry.model_copy(update={"entry_number": "31612345673"})
    with pytest.raises(InvalidFormat, match=f"refund of entry {entry.entry_number}"):
        entry_road(entry, compute_figures(other), declared_on=date(2026, 5, 1))
