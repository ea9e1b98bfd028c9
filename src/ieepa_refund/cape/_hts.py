"""CBP's HTS rules, from the facts of an entry's numbers: invalid or unrelated Chapter 99
numbers, the goods value on the Chapter 1-97 line, no IEEPA duty to refund, and the
post-summary-correction window those faults need (split from ``screen``: one job a module)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from ..entry import Entry
from ..registry import IEEPA_STATUSES, Registry, carries_ieepa_duty, is_invalid_hts
from ._reasons import Reason, _reason
from .rules import RuleSet

__all__: list[str] = []


def _hts_rules(
    entry: Entry,
    ruleset: RuleSet,
    registry: Registry,
    memo: dict[tuple[object, ...], tuple[object, ...]],
) -> list[Reason]:
    """:func:`_hts_facts_rules`' reasons, made once per rule set, registry, entry date and
    distinct set of the facts it reads (each line's numbers, whether each shows a goods value
    and a duty other than 0): a portfolio's entries share a few hundred such sets, and each
    number was classified anew for every entry. ``memo`` is the rules' own
    (:attr:`CapeRules.screened`). ``tests/test_cape.py`` compares the two on drawn entries."""
    # Flat, with None opening each line: a number is a str, never None, and each tariff adds
    # three items, so the key spells the lines and their tariffs one way only.
    facts: list[object] = ["hts", id(ruleset), id(registry), entry.entry_date]
    add = facts.append
    for line in entry.lines:
        add(None)
        for tariff in line.tariffs:
            add(tariff.hts)
            add(not tariff.value)
            add(tariff.duty != 0)
    key = tuple(facts)
    known = memo.get(key)
    # The value holds the rule set and the registry: their ids are not reused while it is here.
    if known is None or known[0] is not ruleset or known[1] is not registry:
        if len(memo) >= 4096:  # a caller sweeping dates or registries: start again
            memo.clear()
        known = memo[key] = (ruleset, registry, tuple(_hts_facts_rules(entry, ruleset, registry)))
    return list(cast("tuple[Reason, ...]", known[2]))


def _hts_facts_rules(entry: Entry, ruleset: RuleSet, registry: Registry) -> list[Reason]:
    """The reasons CBP's HTS rules give, from the facts :func:`_hts_rules` keys its memo on
    and nothing else of the entry."""
    reasons = []
    carries_duty = invalid = False
    # Whether an IEEPA number that carries duty shows any (or does not say: None): an entry
    # whose every such number shows 0.00 has nothing to refund (the no_ieepa_duty rule).
    duty_shown = False
    # One pass over the tariffs answers every question below; _missing_companion and
    # _value_not_on_ch1_97 say what the answers mean (tests compare them with this pass).
    any_value = with_ch1_97 = without_ch1_97 = unvalued_ch1_97 = False
    classify, entered = registry.classify, entry.entry_date
    for line in entry.lines:
        has_ch1_97 = valued = False
        for tariff in line.tariffs:
            value = tariff.value
            if value:
                any_value = True
            if tariff.hts[:2] != "99":  # Tariff.is_chapter99
                has_ch1_97 = True
                if value:
                    valued = True
            cls = classify(tariff.hts, entered)
            if cls.status not in IEEPA_STATUSES:  # most numbers: skip the two questions below
                continue
            invalid = invalid or is_invalid_hts(cls.status)
            if carries_ieepa_duty(cls.status, cls.period):
                carries_duty = True
                duty_shown = duty_shown or tariff.duty != 0
        if has_ch1_97:
            with_ch1_97 = True
            unvalued_ch1_97 = unvalued_ch1_97 or not valued
        else:
            without_ch1_97 = True
    found = [
        ("invalid_hts", invalid),
        ("hts_relationship", with_ch1_97 and without_ch1_97),
        ("goods_value_ch1_97", any_value and unvalued_ch1_97),
    ]
    # Codes name the fault and stay put; the message is CBP's on the declaration date (until
    # 2026-06-24 the first two faults shared HTS RELATIONSHIP/SEQUENCE MISMATCH).
    for name, fault in found:
        if fault and (rule := ruleset.first(name)):
            reasons.append(_reason(rule, "exclude"))
    # No IEEPA number that carries duty, or every one of them shows 0.00: nothing to refund.
    money = "no_ieepa" if not carries_duty else None if duty_shown else "no_ieepa_duty"
    if money and (rule := ruleset.first(money)):
        reasons.append(_reason(rule, "exclude"))
    return reasons


def _codes(reasons: list[Reason]) -> set[str]:
    return {r.code for r in reasons}


def _missing_companion(entry: Entry) -> bool:
    """A line reports Chapter 99 numbers but no Chapter 1-97 number they belong to.

    Told only when the entry's data carries Chapter 1-97 numbers on other lines: a file of
    Chapter 99 rows alone says nothing about what ACE holds. The companion numbers a
    heading requires are not in our data, so this is the one relationship fault we can see.
    """
    has_ch1_97 = [any(not t.is_chapter99 for t in line.tariffs) for line in entry.lines]
    return any(has_ch1_97) and not all(has_ch1_97)


def _value_not_on_ch1_97(entry: Entry) -> bool:
    """A line's Chapter 1-97 number carries no goods value while the entry reports values.

    CBP's check from 2026-04-20 to 2026-06-24 (CSMS #69056483). Told only when the data
    reports a value somewhere on the entry: an export without the value column says nothing.
    """
    if not any(t.value for line in entry.lines for t in line.tariffs):
        return False
    return any(
        all(not t.value for t in line.tariffs if not t.is_chapter99)
        for line in entry.lines
        if any(not t.is_chapter99 for t in line.tariffs)
    )


#: Faults CBP tells filers to fix with a post-summary correction, then resubmit.
_PSC_FIXES = frozenset({"invalid_hts", "hts_relationship", "goods_value_ch1_97"})


def _psc_window(
    entry: Entry, ruleset: RuleSet, declared_on: date, reasons: list[Reason]
) -> list[Reason]:
    """An entry that needs a PSC it can no longer get: not refundable in this CAPE phase.

    The PSC window closes 300 days after the entry summary (the entry date when the data has
    no summary date) or once the entry is liquidated; CBP's other limit, 15 days before the
    scheduled liquidation, needs a date ES-003 does not carry.
    """
    rule = ruleset.first("psc_window")
    if rule is None or rule.days is None or not reasons:  # most entries: nothing to fix
        return []
    fixes = {r.code for name in _PSC_FIXES for r in ruleset.all(name)}
    if not fixes & _codes(reasons):
        return []
    summary = entry.entry_summary_date or entry.entry_date
    closes = summary + timedelta(days=rule.days)
    if entry.liquidation_date is not None and entry.liquidation_date <= declared_on:
        extra = f" (liquidated {entry.liquidation_date.isoformat()})"
    elif declared_on > closes:
        extra = f" (the window closed {closes.isoformat()})"
    else:
        return []
    return [_reason(rule, "exclude", extra)]
