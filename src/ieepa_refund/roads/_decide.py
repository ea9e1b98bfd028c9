"""The road decision: which :class:`Road` an entry is on, given its screenings and refund,
and the next action with its deadline on that road."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from ..cape.deadlines import PROTEST_DAYS, days_since, within
from ..cape.rules import CapeRules
from ..cape.screen import INPUT_SOURCE, Reason, Screening, screen
from ..entry import Entry
from ..registry import Registry
from ._results import Road
from ._rules import _later, _RuleFacts


def _road(
    entry: Entry,
    now: Screening,
    nothing: bool,
    declared_in: str | None,
    declared_when: date | None,
    rules: CapeRules,
    facts: _RuleFacts,
    registry: Registry | None,
    plaintiffs: Collection[str],
    fast: bool,
) -> tuple[Road, date | None, Screening | None]:
    """The road, the CAPE acceptance date it assumes, and the later screening that admits it.

    ``nothing``: the entry's refund is known to be zero (its upper bound is at most 0)."""
    # Every input fault, a bad check digit too: the number may be mistyped and ACE may not know it.
    if any(r.source == INPUT_SOURCE for r in now.reasons):
        return Road.INPUT_PROBLEM, None, None
    if nothing:
        return Road.NOTHING_TO_REFUND, None, None
    lookback = facts.codes("lookback_days")
    excludes = [r for r in now.reasons if r.effect == "exclude"]
    if declared_in is not None and any(r.code in lookback for r in excludes):
        # Declared, but past the look-back today: CAPE took it only if it was inside the
        # look-back on the day it was declared. Known date: screen on it; unknown: say so.
        if declared_when is None:
            if all(r.code in lookback for r in excludes):
                return Road.DECLARED_UNCONFIRMED, None, None
        else:
            then = screen(
                entry, declared_on=declared_when, rules=rules, registry=registry,
                plaintiffs=plaintiffs,
            )  # fmt: skip
            if not any(r.code in lookback for r in then.reasons if r.effect == "exclude"):
                excludes = [r for r in excludes if r.code not in lookback]
                if not excludes:
                    if now.status == "eligible_at_liquidation":
                        return Road.CAPE_AT_LIQUIDATION, declared_when, None
                    return Road.CAPE_NOW, declared_when, None
    if not excludes:
        # CAPE acceptance is the declaration date: for an entry the ledger dates, that date,
        # liquidated or not; the road's own date is a declaration still to be made.
        accepted = declared_when or now.declared_on
        if now.status == "eligible_at_liquidation":
            return Road.CAPE_AT_LIQUIDATION, accepted, None
        return Road.CAPE_NOW, accepted, None
    if (later := _later(entry, now, rules, facts, registry, plaintiffs, fast)) is not None:
        return Road.CAPE_LATER, later.declared_on, later
    # Refused for time alone (past the look-back, or CAPE not yet open and no later date
    # admits it): the protest window of 19 U.S.C. 1514 is the route left.
    timed = lookback | facts.codes("cape_open")
    if entry.liquidation_date is not None and all(r.code in timed for r in excludes):
        if within(entry.liquidation_date, now.declared_on, PROTEST_DAYS):
            return Road.PROTEST, None, None
        return Road.WINDOW_CLOSED, None, None
    return Road.EXCLUDED, None, None


def _why(reasons: Iterable[Reason]) -> str:
    return "; ".join(r.message for r in reasons if r.effect == "exclude")


def _next(
    road: Road,
    entry: Entry,
    screening: Screening,
    now: Screening,
    declared_in: str | None,
    expected: date | None,
    rules: CapeRules,
    facts: _RuleFacts,
    overdue: tuple[date, date, date] | None = None,
) -> tuple[str, date | None]:
    """The next action in words, and its deadline.

    ``overdue``: (declaration date, as-of date, the (re)liquidation that was expected) of a
    declared entry whose expected (re)liquidation passed before the as-of date while the data
    do not show it (still unliquidated, or no reliquidation); ``expected`` is then None."""
    window = screening.deadlines.cape_window_closes
    liquidated = entry.liquidation_date
    if road is Road.INPUT_PROBLEM:
        faults = "; ".join(r.message for r in now.reasons if r.source == INPUT_SOURCE)
        return f"Fix the input first: {faults}", window
    if road is Road.NOTHING_TO_REFUND:
        return "Nothing to do: no IEEPA duty to refund on this entry", None
    when = f" (expected {expected.isoformat()})" if expected else ""
    if road in (Road.CAPE_NOW, Road.CAPE_AT_LIQUIDATION) and declared_in is not None:
        where = f"in {declared_in}" if declared_in else "(in the ledger)"
        if overdue is not None:
            # No date is forecast: the one expected passed, so CBP is late or the claim failed.
            on, as_of, passed = overdue
            if liquidated is None:
                late, event = (
                    f"to liquidate by {passed.isoformat()}, still unliquidated",
                    "liquidates",
                )
            else:
                late = f"to be reliquidated by {passed.isoformat()}, no reliquidation shown"
                event = "is reliquidated"
            return (
                f"Declared {where} on {on.isoformat()} and overdue: expected {late} in the "
                f"data as of {as_of.isoformat()} - check the claim status in the ACE Portal's "
                "CAPE tab (failed: declare it again) and the entry's liquidation in a new "
                f"ES-003; CBP refunds it when it {event}, with interest to that day (date "
                "unknown)",
                None,
            )
        if liquidated is not None and expected == liquidated:
            # Declared while unliquidated, liquidated since: CAPE's own liquidation refunds it.
            return (
                f"Declared {where}: liquidated on {liquidated.isoformat()}, after the "
                "declaration: CAPE's liquidation, which refunds it with interest to that day; "
                "follow its claim status in the ACE Portal's CAPE tab",
                None,
            )
        return (
            f"Declared {where}: follow its claim status in the ACE Portal's CAPE tab; "
            f"CBP refunds it at (re)liquidation{when}",
            None,
        )
    if road is Road.CAPE_NOW:
        if liquidated is None:
            return f"Declare in CAPE; CBP refunds it when it liquidates{when}", window
        return (
            f"Declare in CAPE before the look-back ends; CBP refunds it at reliquidation{when}",
            window,
        )
    if road is Road.CAPE_AT_LIQUIDATION:
        held = "; ".join(r.message for r in screening.reasons if r.effect == "at_liquidation")
        return (
            f"Declare in CAPE; accepted, refunded only when the entry liquidates ({held})",
            window,
        )
    if road is Road.CAPE_LATER:
        return (
            f"Declare in CAPE on or after {screening.declared_on.isoformat()}; today: "
            f"{_why(now.reasons)}",
            window,
        )
    protest = _protest(entry, now)
    if road is Road.DECLARED_UNCONFIRMED:
        where = f"in {declared_in}" if declared_in else "(in the ledger)"
        text = (
            f"Declared {where}, but the ledger does not say when, and the entry is past CAPE's "
            "look-back today: acceptance unknown - check the claim status in the ACE Portal's "
            "CAPE tab. No payment is predicted"
        )
        if protest is not None:
            return f"{text}; if CBP failed it, {protest[0]}", protest[1]
        return text, None
    assert liquidated is not None or road is Road.EXCLUDED
    if road is Road.PROTEST:
        assert liquidated is not None
        due = now.deadlines.protest_window_closes
        days = days_since(liquidated, now.declared_on)
        return (
            f"File a protest (CBP Form 19 or the ACE protest module) by {due}: liquidated "
            f"{days} days before, past CAPE's look-back (19 U.S.C. 1514)",
            due,
        )
    if road is Road.WINDOW_CLOSED:
        return (
            "Finally liquidated over 180 days ago: no CAPE refund and no protest; only "
            "litigation remains (Court of International Trade, 28 U.S.C. 1581(i), two-year "
            "limit): ask counsel. No payment is predicted",
            None,
        )
    codes = set(now.reason_codes)
    psc = facts.codes("psc_window")
    fixable = codes & (facts.codes("invalid_hts") | facts.codes("hts_relationship"))
    if codes & psc:
        return (
            f"Not refundable in this CAPE phase: {_why(now.reasons)}. Keep the entry and watch "
            "for a later CAPE deployment",
            None,
        )
    if fixable and (rule := rules.in_force(now.declared_on).first("psc_window")) is not None:
        # The fault is in the entry's data: a post-summary correction fixes it while the PSC
        # window is open (rules data: days from the entry summary), then the entry is declared.
        summary = entry.entry_summary_date or entry.entry_date
        due = summary + timedelta(days=rule.days or 0)
        return (
            f"File a post-summary correction by {due.isoformat()} ({_why(now.reasons)}), then "
            "declare it in CAPE (CAPE blocks corrections once it accepts an entry)",
            due,
        )
    if codes & facts.codes("protest"):
        return (
            f"Follow the protest already on file: the refund comes through it ({_why(now.reasons)})",
            None,
        )
    if protest is not None:
        # Liquidated and excluded from CAPE: the protest window still runs (19 U.S.C. 1514).
        return f"CAPE does not take this entry ({_why(now.reasons)}); {protest[0]}", protest[1]
    return (
        f"CAPE does not take this entry ({_why(now.reasons)}); ask CBP (IEEPARefunds@cbp.dhs.gov) "
        "or counsel whether another route applies",
        None,
    )


def _protest(entry: Entry, now: Screening) -> tuple[str, date] | None:
    """The protest a liquidated entry still has (19 U.S.C. 1514: 180 days), None once closed."""
    liquidated = entry.liquidation_date
    if liquidated is None or not within(liquidated, now.declared_on, PROTEST_DAYS):
        return None
    due = now.deadlines.protest_window_closes or liquidated + timedelta(days=PROTEST_DAYS)
    return (
        f"file a protest (CBP Form 19 or the ACE protest module) by {due.isoformat()} "
        "(19 U.S.C. 1514)",
        due,
    )
