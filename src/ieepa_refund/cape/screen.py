"""CAPE eligibility of an entry on a declaration date, with reasons in CBP's words.

:func:`screen` applies the rules in force on ``declared_on`` (see
:mod:`ieepa_refund.cape.rules`) and returns a :class:`Screening`: a status
(``eligible``; ``eligible_at_liquidation``, accepted but refunded only when
the entry liquidates; ``excluded``), every reason with a stable code and
CBP's own message where one exists, and the dates that matter
(:mod:`ieepa_refund.cape.deadlines`): the CAPE look-back in force (80 days),
CBP's 90-day reliquidation window and the 180-day protest deadline.
Statuses are matched as whole words (:func:`~ieepa_refund.cape.rules.has_term`).

An ineligible entry is a result with reasons, never an exception. Entries the
ES-003 reader flagged are screened too: an incomplete entry (rows rejected)
or one whose liquidation status and date disagree is excluded until the input
is fixed (``INCOMPLETE_ENTRY``, ``LIQUIDATION_INCONSISTENT``); a wrong check
digit is a note (``BAD_CHECK_DIGIT``), left to :func:`write_declarations`. A
liquidation date after ``declared_on`` is a note (``LIQUIDATION_AFTER_AS_OF``, as
``compute_refund`` flags one after its as-of date): a scheduled date or a typo, from which
the windows are counted all the same. With a status that says the entry is open, such a date
is read as a scheduled liquidation (``LIQUIDATION_SCHEDULED``, a note naming the date): the
entry is screened as unliquidated; a date on or before ``declared_on`` with an open status is
``LIQUIDATION_INCONSISTENT``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date
from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .._model import check_date, check_instance
from .._tabular import Tabular
from .._trusted import builder
from ..entry import Entry
from ..errors import InvalidFormat
from ..registry import (
    Registry,
    default_registry,
)
from ..tables import Level, column, summary_html
from ._hts import (
    _hts_rules,
    _psc_window,
)
from ._reasons import Reason, _made, _reason
from .deadlines import Deadlines, deadlines
from .rules import CapeRules, Rule, RuleSet, default_cape_rules, words

__all__ = ["Deadlines", "Reason", "Screening", "compact_party", "is_plaintiff", "screen"]

Status = Literal["eligible", "eligible_at_liquidation", "excluded"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Screening(Tabular, BaseModel):
    """The CAPE eligibility of one entry on one declaration date."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"), column("declared_on", "date"), column("status", "str"),
            column("eligible", "bool"), column("reasons", "str", lambda s: " ".join(s.reason_codes)),
            column("cape_window_closes", "date", "deadlines.cape_window_closes"),
            column("reliquidation_window_closes", "date", "deadlines.reliquidation_window_closes"),
            column("protest_window_closes", "date", "deadlines.protest_window_closes"),
            column("rules_version", "str"),
        ),
        Level(
            "reason",
            column("code", "str"), column("effect", "str"), column("message", "str"),
            column("cbp_message", "bool"),
            each="reasons", outer=(column("entry_number", "str"),),
        ),
    )  # fmt: skip

    entry_number: str
    declared_on: date
    status: Status
    reasons: tuple[Reason, ...]
    deadlines: Deadlines
    rules_version: str

    @property
    def eligible(self) -> bool:
        return self.status != "excluded"

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def summary_html(self) -> str:
        rows = [
            ("entry", self.entry_number),
            ("declared on", self.declared_on),
            ("status", self.status),
        ]
        return summary_html("CAPE screening", rows, Counter(self.reason_codes))


def screen(
    entry: Entry,
    *,
    declared_on: date,
    rules: CapeRules | None = None,
    registry: Registry | None = None,
    plaintiffs: Collection[str] = (),
) -> Screening:
    """Screen ``entry`` for a CAPE declaration made on ``declared_on``.

    ``plaintiffs``: importer numbers of CIT plaintiffs, for the rule (where in
    force) that lets their finally liquidated entries through.
    """
    check_instance(entry, Entry, field="entry")
    declared_on = check_date(declared_on, field="declared_on")
    if rules is not None:
        check_instance(rules, CapeRules, field="rules")
    if registry is not None:
        check_instance(registry, Registry, field="registry")
    if isinstance(plaintiffs, str):  # one number, not a collection of its characters
        raise InvalidFormat(
            "a collection of importer numbers", field="plaintiffs", value=plaintiffs
        )
    cape = rules or default_cape_rules()
    ruleset = cape.in_force(declared_on)
    reasons: list[Reason] = []
    lookback = ruleset.lookback_days

    opened = ruleset.first("cape_open")
    if opened is None:
        reasons.append(_NOT_OPEN)
    if (scheduled := entry.scheduled_liquidation(declared_on)) is not None:
        # An open status and a date not reached: a schedule, screened as unliquidated.
        reasons.append(_scheduled(scheduled, declared_on))
        entry = entry.unliquidated_as_of(declared_on)
    reasons.extend(_input_flags(entry))
    if (future := _future_liquidation(entry, declared_on)) is not None:
        reasons.append(future)
    reasons.extend(_entry_rules(entry, ruleset))
    reasons.extend(_liquidation_rules(entry, ruleset, declared_on, lookback, plaintiffs))
    reasons.extend(_hts_rules(entry, ruleset, registry or default_registry(), cape.screened))
    reasons.extend(_psc_window(entry, ruleset, declared_on, reasons))

    effects = {r.effect for r in reasons}
    status: Status = (
        "excluded"
        if "exclude" in effects
        else "eligible_at_liquidation"
        if "at_liquidation" in effects
        else "eligible"
    )
    # Every value is checked above or made here from checked data: no validation again.
    return _new_screening(
        entry.entry_number,
        declared_on,
        status,
        tuple(reasons),
        _deadlines(entry.liquidation_date, lookback),
        ruleset.data_version,
    )


# The field order of every Screening screen has made (its JSON's key order).
_new_screening = builder(
    Screening,
    ("entry_number", "declared_on", "status", "reasons", "deadlines", "rules_version"),
)


@lru_cache(maxsize=4096)
def _deadlines(liquidated: date | None, lookback: int | None) -> Deadlines:
    # A portfolio has a few hundred liquidation dates: each date's windows are made once and
    # shared (frozen), not validated again for every entry.
    return deadlines(liquidated, lookback=lookback)


#: Where the reasons about the input itself (not CBP's rules) come from.
INPUT_SOURCE = "ieepa_refund input check"

_NOT_OPEN = _made(
    code="CAPE_NOT_OPEN",
    message="No CAPE rules are in force on this date (CAPE opened 2026-04-20)",
    effect="exclude",
    cbp_message=False,
    source="data/cape_rules",
)
_BAD_CHECK_DIGIT = _made(
    code="BAD_CHECK_DIGIT",
    message="The entry number's check digit does not match (CATAIR Appendix E): "
    "declared apart, declared or left out as check_digits says",
    effect="note",
    cbp_message=False,
    source=INPUT_SOURCE,
)


def _input_flags(entry: Entry) -> list[Reason]:
    """What is wrong with the entry's data: fix it before declaring, whatever CBP's rules say."""
    reasons = []
    if entry.incomplete_rows:
        reasons.append(
            _made(
                code="INCOMPLETE_ENTRY",
                message=f"{entry.incomplete_rows} row(s) of this entry were rejected on reading: "
                "fix the input and screen it again before declaring",
                effect="exclude",
                cbp_message=False,
                source=INPUT_SOURCE,
            )
        )
    if (conflict := entry.liquidation_conflict) is not None:
        reasons.append(
            _made(
                code="LIQUIDATION_INCONSISTENT",
                message=f"The {conflict}: the CAPE window depends on which is right; check the "
                "entry in ACE and correct the input before declaring",
                effect="exclude",
                cbp_message=False,
                source=INPUT_SOURCE,
            )
        )
    if entry.bad_check_digit:
        # Not an exclusion here: write_declarations(check_digits=...) decides what happens.
        reasons.append(_BAD_CHECK_DIGIT)
    return reasons


def _future_liquidation(entry: Entry, declared_on: date) -> Reason | None:
    """A note on a liquidation date after the declaration date (t62/08): the export cannot
    show a liquidation that has not happened. The screening stands: an entry not yet
    liquidated is as eligible as one liquidated on or before the declaration date, but the
    windows counted from the date are a schedule's or a typo's. A date the status contradicts
    is LIQUIDATION_INCONSISTENT already: not said twice."""
    liquidated = entry.liquidation_date
    if liquidated is None or liquidated <= declared_on or entry.liquidation_conflict is not None:
        return None
    return _after_declaration(liquidated, declared_on)


@lru_cache(maxsize=4096)
def _after_declaration(liquidated: date, declared_on: date) -> Reason:
    # Made once per pair of dates and shared (frozen): a portfolio has few.
    return _made(
        code="LIQUIDATION_AFTER_AS_OF",
        message=f"The liquidation date {liquidated.isoformat()} is after the declaration date "
        f"{declared_on.isoformat()}: a scheduled liquidation or a typo, not one that has "
        "happened; the CAPE, reliquidation and protest windows are counted from it all the "
        "same. Check the entry in ACE",
        effect="note",
        cbp_message=False,
        source=DATE_SOURCE,
    )


@lru_cache(maxsize=4096)
def _scheduled(liquidated: date, declared_on: date) -> Reason:
    # Made once per pair of dates and shared (frozen), as _after_declaration's.
    return _made(
        code="LIQUIDATION_SCHEDULED",
        message=f"The liquidation date {liquidated.isoformat()} is after the declaration date "
        f"{declared_on.isoformat()} and the status says the entry is open: read as a "
        "scheduled liquidation date, so the entry is screened as unliquidated (no windows "
        "counted from the date). What the ES-003 column holds for an open entry is not "
        "published; check the entry in ACE",
        effect="note",
        cbp_message=False,
        source=DATE_SOURCE,
    )


#: Where a note on the input's dates comes from: not INPUT_SOURCE, whose faults put an entry on
#: the input-problem road (roads/_decide.py); this note leaves the entry where it was.
DATE_SOURCE = "ieepa_refund date check"


def _entry_rules(entry: Entry, ruleset: RuleSet) -> list[Reason]:
    """:func:`_entry_facts_rules`' reasons, made once per rule set and distinct set of the facts
    it reads: a portfolio's entries share a handful of combinations, and the rules were looked
    up a dozen times an entry. ``tests/test_cape.py`` compares the two on drawn entries."""
    key = (
        id(ruleset),
        entry.entry_type,
        entry.summary_status,
        entry.reconciliation_flag,
        entry.type09_filed,
        entry.drawback_claim,
        entry.adcvd_instructions_pending,
        entry.surety_paid,
        entry.not_in_ace,
        entry.protest_status,
        entry.protest_number,
    )
    known = _BY_FACTS.get(key)
    # The value holds the rule set, so its id is not reused while the key is here.
    if known is None or known[0] is not ruleset:
        if len(_BY_FACTS) >= 4096:  # protest numbers are many: start again
            _BY_FACTS.clear()
        known = _BY_FACTS[key] = (ruleset, tuple(_entry_facts_rules(entry, ruleset)))
    return list(known[1])


_BY_FACTS: dict[tuple[object, ...], tuple[RuleSet, tuple[Reason, ...]]] = {}


def _entry_facts_rules(entry: Entry, ruleset: RuleSet) -> list[Reason]:
    """The reasons CBP's entry-level rules give (type, status, flags, protest), from the facts
    :func:`_entry_rules` keys its cache on and nothing else of the entry."""
    reasons = [
        _reason(r, "exclude")
        for r in ruleset.all("exclude_entry_type")
        if entry.entry_type in r.entry_types
    ]
    summary_rules = ruleset.all("summary_cancelled")
    cancelled = [r for r in summary_rules if r.matches_status(entry.summary_status)]
    reasons.extend(_reason(rule, "exclude") for rule in cancelled)
    if summary_rules and not cancelled and (unknown := _unknown_summary(entry.summary_status)):
        reasons.append(unknown)
    if entry.reconciliation_flag and (recon := ruleset.first("recon_flag")):
        reasons.append(_recon(entry, recon))
    checks = (
        ("drawback_claim", entry.drawback_claim),
        ("adcvd_pending", entry.adcvd_instructions_pending),
        ("surety_paid", entry.surety_paid),
        ("not_in_ace", entry.not_in_ace),
    )
    for name, fact in checks:
        if fact and (found := ruleset.first(name)):
            reasons.append(_reason(found, "exclude"))
    if (rule := ruleset.first("protest")) is not None:
        if entry.protest_status in ("open", "suspended"):
            reasons.append(_reason(rule, "exclude"))
        elif entry.protest_number and entry.protest_status is None:
            reasons.append(
                _reason(
                    rule,
                    "exclude",
                    f" (protest {entry.protest_number}; its status is not in the data)",
                )
            )
    for rule in ruleset.all("at_liquidation_entry_type"):
        if entry.entry_type in rule.entry_types:
            reasons.append(_reason(rule, "at_liquidation"))
    return reasons


#: Words of an entry summary status that say it stands (not cancelled, not rejected). Any other
#: status the summary_cancelled rule does not match is named (t67/06: "Canceled" and "DELETED"
#: were read as standing, and declared); ACE's list of summary statuses is not published.
_STANDING_SUMMARY = frozenset(
    {"ACCEPTED", "ACCEPT", "ACTIVE", "OPEN", "FILED", "TRANSMITTED", "REVIEW", "PAID"}
)
#: Not INPUT_SOURCE (the input-problem road): the entry is screened as its other facts say.
STATUS_SOURCE = "ieepa_refund status check"


def _unknown_summary(status: str | None) -> Reason | None:
    """A note on a summary status that no rule reads and no word of which says it stands."""
    if not status or not status.strip() or _STANDING_SUMMARY.intersection(words(status)):
        return None
    return _made(
        code="SUMMARY_STATUS_UNKNOWN",
        message=f"Entry Summary Status {status!r} is neither cancelled/rejected nor accepted as "
        "this library reads it: screened as standing; check the entry in ACE (a cancelled "
        "summary is rejected: ENTRY SUMMARY IS CANCELLED/REJECTED)",
        effect="note",
        cbp_message=False,
        source=STATUS_SOURCE,
    )


def _recon(entry: Entry, rule: Rule) -> Reason:
    # From 2026-06-29 (CSMS #69035485) flagged types 01, 02 and 06 pass if no type 09 was filed.
    # An allow-list rule (its entry types); an 'exclude' rule has none.
    if entry.entry_type in rule.entry_types and entry.type09_filed is not True:
        unknown = entry.type09_filed is None
        return _made(
            code="RECON_FLAGGED_ALLOWED",
            message=f"Flagged for reconciliation; type {entry.entry_type} is accepted when no type 09 "
            "has been filed" + (" (the data does not say whether one was)" if unknown else ""),
            effect="note",
            cbp_message=False,
            source=rule.source,
        )
    return _reason(rule, "exclude")


def compact_party(number: str) -> str:
    """An importer number as compared with a plaintiff's: dashes and spaces removed, upper case.

    ES-003 exports and a user's list spell one importer number with or without dashes
    (``12-3456789AB``, ``123456789AB``; brief section 7), and a plaintiff missed for a dash is
    an entry left out silently (t67/10).
    """
    return number.replace("-", "").replace(" ", "").upper()


def is_plaintiff(importer: str, plaintiffs: Collection[str]) -> bool:
    """Whether ``importer`` is one of ``plaintiffs``, compared in the compact form."""
    if importer in plaintiffs:
        return True
    compact = compact_party(importer)
    return any(compact_party(p) == compact for p in plaintiffs)


def _liquidation_rules(
    entry: Entry,
    ruleset: RuleSet,
    declared_on: date,
    lookback: int | None,
    plaintiffs: Collection[str],
) -> list[Reason]:
    if entry.liquidation_date is not None:
        if lookback is None or (declared_on - entry.liquidation_date).days <= lookback:
            return []
        final = ruleset.first("finally_liquidated")
        if (
            final is not None
            and final.value == "cit_plaintiffs"
            and is_plaintiff(entry.importer_number, plaintiffs)
        ):
            return [_reason(final, "note")]
        rule = ruleset.first("lookback_days")
        assert rule is not None
        days = (declared_on - entry.liquidation_date).days
        return [
            _reason(
                rule,
                "exclude",
                f" (liquidated {days} days before the declaration; the limit is {lookback})",
            )
        ]
    # Not liquidated: the reasons follow the rule set and the status text alone, and a
    # portfolio has a handful of status texts (each one's rules matched once, not per entry).
    status = entry.liquidation_status
    key = (id(ruleset), status)
    known = _BY_STATUS.get(key)
    if known is None or known[0] is not ruleset:  # the value holds the set: its id stays its own
        if len(_BY_STATUS) >= 4096:
            _BY_STATUS.clear()
        known = _BY_STATUS[key] = (ruleset, tuple(_status_rules(status, ruleset)))
    return list(known[1])


_BY_STATUS: dict[tuple[int, str | None], tuple[RuleSet, tuple[Reason, ...]]] = {}


def _status_rules(status: str | None, ruleset: RuleSet) -> list[Reason]:
    """The reasons an entry not liquidated gets from its liquidation status text."""
    return [
        _reason(r, "at_liquidation")
        for r in ruleset.all("at_liquidation_status")
        if r.matches_status(status)
    ]
