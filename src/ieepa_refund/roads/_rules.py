"""What the roads ask of a rule set, found once per rule set, and the later-date screening
that finds the first date a rule admits an entry CAPE refuses today (the CAPE-later road)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from datetime import date

from ..cape._ledger import cape_opens
from ..cape.rules import CapeRules
from ..cape.screen import Screening, is_plaintiff, screen
from ..entry import Entry
from ..registry import Registry


class _RuleFacts:
    """What the roads ask of a rule set for every entry: found once, kept with the rule set
    (a :class:`CapeRules` is never changed once made)."""

    __slots__ = ("_changed", "_codes", "_names", "changes", "opens", "rules")

    def __init__(self, rules: CapeRules) -> None:
        self.rules = rules
        rows = rules.rows
        found = {r.effective_from for r in rows} | {
            r.effective_to for r in rows if r.effective_to is not None
        }
        self.changes: tuple[date, ...] = tuple(sorted(found))
        """Every date a rule starts or ends on, in order."""
        self.opens = cape_opens(rules)
        """The day CAPE first took declarations (None: the rules have no ``cape_open``)."""
        self._codes: dict[str, frozenset[str]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._changed: dict[tuple[date, date], frozenset[str]] = {}

    def codes(self, name: str) -> frozenset[str]:
        """The reason codes of the rule ``name`` on any date."""
        found = self._codes.get(name)
        if found is None:
            found = self._codes[name] = frozenset(r.code for r in self.rules.rows if r.rule == name)
        return found

    def names(self, code: str) -> frozenset[str]:
        """The rules that give reason ``code`` on any date (none: a code of no rule)."""
        found = self._names.get(code)
        if found is None:
            found = self._names[code] = frozenset(r.rule for r in self.rules.rows if r.code == code)
        return found

    def changed(self, on: date, later: date) -> frozenset[str]:
        """The rules whose rows in force on ``later`` are not those in force on ``on``."""
        found = self._changed.get((on, later))
        if found is None:
            before, after = self.rules.in_force(on), self.rules.in_force(later)
            names = {r.rule for r in before.rules} | {r.rule for r in after.rules}
            found = frozenset(n for n in names if before.all(n) != after.all(n))
            if len(self._changed) >= 4096:  # a caller sweeping declaration dates: start again
                self._changed.clear()
            self._changed[(on, later)] = found
        return found


#: Keyed by the rule set's identity, holding it so the id is never reused.
_FACTS: dict[int, _RuleFacts] = {}


def _facts(rules: CapeRules) -> _RuleFacts:
    found = _FACTS.get(id(rules))
    if found is None or found.rules is not rules:
        if len(_FACTS) >= 64:  # a caller loading rule sets over and over: start again
            _FACTS.clear()
        found = _FACTS[id(rules)] = _RuleFacts(rules)
    return found


def _later(
    entry: Entry,
    now: Screening,
    rules: CapeRules,
    facts: _RuleFacts,
    registry: Registry | None,
    plaintiffs: Collection[str],
    fast: bool,
) -> Screening | None:
    """The screening on the first later date a rule starts or ends on that admits ``entry``.

    Fast: a date is screened only if the rules that changed since ``now`` can lift one of
    today's exclusions (see :func:`_holds`); the straightforward road screens every date.
    """
    changes = facts.changes
    for on in changes[bisect_right(changes, now.declared_on) :]:
        if fast and _holds(entry, now, facts.changed(now.declared_on, on), facts, plaintiffs):
            continue
        found = screen(entry, declared_on=on, rules=rules, registry=registry, plaintiffs=plaintiffs)
        if found.eligible:
            return found
    return None


#: The other rules an exclusion by a rule also rests on, as :func:`~ieepa_refund.cape.screen`
#: applies them: the look-back lets a CIT plaintiff's entry through where the finally
#: liquidated rule says so; a closed PSC window is told only of the faults a PSC fixes.
_RESTS_ON = {
    "lookback_days": ("finally_liquidated",),
    "psc_window": ("invalid_hts", "hts_relationship", "goods_value_ch1_97"),
}


def _holds(
    entry: Entry,
    now: Screening,
    changed: frozenset[str],
    facts: _RuleFacts,
    plaintiffs: Collection[str],
) -> bool:
    """Whether one of today's exclusions still holds on a later date where ``changed`` rules
    differ, with no need to screen the entry again.

    Each rule's exclusion depends on the entry's facts, the rules it rests on and the
    declaration date, and the date only ever adds exclusions, never lifts one: the days since
    liquidation only grow past the look-back, and a PSC window once closed stays closed. So
    an exclusion by rules all in force unchanged on the later date still excludes the entry
    there. A code no rule gives (or one a changed rule gives) proves nothing: screen again.
    """
    for reason in now.reasons:
        if reason.effect != "exclude":
            continue
        names = facts.names(reason.code)
        if not names:
            continue
        rests = set(names)
        for name in names:
            rests.update(_RESTS_ON.get(name, ()))
        if "finally_liquidated" in rests and not is_plaintiff(entry.importer_number, plaintiffs):
            rests.discard("finally_liquidated")  # it lets through only the plaintiffs' entries
        if not rests & changed:
            return True
    return False
