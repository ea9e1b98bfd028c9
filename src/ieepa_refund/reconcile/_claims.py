"""Declared -> accepted or failed: CBP's claim answers, their causes, fix paths and deadlines."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from ..cape.deadlines import PROTEST_DAYS
from ..cape.rules import Rule, default_cape_rules
from ..cape.screen import screen
from ..entry import Entry
from ._work import _Work
from .files import (
    ClaimRow,
)
from .messages import CapeMessages
from .messages import _key as _message_key


def _claim_path(
    w: _Work, table: CapeMessages, as_of: date | None, plaintiffs: Collection[str] = ()
) -> None:
    v = w.values
    v["declared"] = bool(w.files) or bool(w.claims)
    if w.claims and not w.files:
        w.notes.append("CBP answered a declaration the ledger does not hold")
    accepted = [c for c in w.claims if c.outcome == "accepted"]
    answers = _answers(w.claims)
    latest = answers[-1] if answers else None
    if accepted:
        chosen = accepted[-1]
        v["status"] = "accepted"
        for c in w.claims:
            if c.outcome == "failed":
                w.notes.append(
                    f"also failed ({c.message or c.status}): nothing to do, it is accepted"
                )
    elif latest is None:
        v["status"] = "declared" if w.files else "not_declared"
        return
    elif latest.outcome == "pending":
        # CBP is processing the latest declaration it answered: whatever an earlier one got,
        # the entry waits; declaring it again is what the ledger exists to prevent.
        chosen = latest
        v["status"] = "pending"
        for c in answers[:-1]:
            if c.outcome == "failed":
                w.notes.append(
                    f"an earlier declaration failed ({c.message or c.status}); CBP is "
                    f"processing a later one ({_claim_name(latest)}, {latest.status}): wait for "
                    "its answer"
                )
    elif len(w.files) > len(answers):
        # Declared again after CBP failed it (the ledger holds more declarations than CBP has
        # answered): the latest declaration awaits its answer.
        chosen = latest
        v["status"] = "declared"
        w.notes.append(
            f"declared again after failing ({chosen.message or chosen.status}): "
            "awaiting CBP's answer"
        )
    else:
        chosen = latest
        v["status"] = "failed"
        _explain_failure(w, chosen, table, as_of, plaintiffs)
    v["claim_number"] = chosen.claim_number
    v["claim_status"] = chosen.status


def _claim_name(claim: ClaimRow) -> str:
    return f"claim {claim.claim_number}" if claim.claim_number else "no claim number"


def _answers(claims: list[ClaimRow]) -> list[ClaimRow]:
    """CBP's answers, one per declaration it answered, the latest last.

    CAPE gives each declaration its own claim number, so rows with one claim number are one
    answer seen in downloads made at different times: its final outcome (accepted or failed)
    stands over a Pending row, since a claim CBP has answered is not processed again, and
    between final rows the one read last stands. A row without a claim number is an answer
    of its own (copies are counted once before this). The latest answer is the highest claim
    number when every answer has a numeric one (CAPE numbers claims in the order it receives
    them); otherwise the one read last, so downloads are given oldest first.
    """
    numbered: dict[str, int] = {}
    out: list[ClaimRow] = []
    for claim in claims:
        number = claim.claim_number
        if number is None:
            out.append(claim)
            continue
        at = numbered.get(number)
        if at is None:
            numbered[number] = len(out)
            out.append(claim)
        elif claim.outcome != "pending":
            out[at] = claim
    if out and all(c.claim_number and c.claim_number.isdigit() for c in out):
        out.sort(key=lambda c: int(c.claim_number or "0"))
    return out


def _explain_failure(
    w: _Work,
    claim: ClaimRow,
    table: CapeMessages,
    as_of: date | None,
    plaintiffs: Collection[str] = (),
) -> None:
    v = w.values
    v["message"] = claim.message
    found = table.explain(claim.message)
    if found is None:
        v["cause"] = "unknown_message"
        v["fix"] = (
            "CBP's message is not in the message data: ask CBP (IEEPARefunds@cbp.dhs.gov) "
            "or your broker what it means"
        )
        v["resubmit"] = "no"
        return
    v.update(cause=found.cause, fix_path=found.fix_path, fix=found.fix)
    if found.fix_path == "nothing":
        v["status"] = "accepted"  # already on an accepted declaration: nothing to do
        w.notes.append("CBP refused a repeat declaration: the entry is already accepted")
        return
    entry = w.entry
    lifted = (
        _lifted(entry, claim.message, as_of, plaintiffs) if entry is not None and as_of else None
    )
    if lifted is not None:
        # The rules data says CAPE no longer refuses the entry for this reason, and the entry
        # passes every rule today: the failure is cured by declaring it again.
        v.update(
            fix_path="resubmit",
            resubmit="ready",
            fix=(
                f"CAPE's rule behind this message ended on {lifted.isoformat()} (CAPE rules "
                "data) and the entry passes every rule today: declare it again"
            ),
        )
        w.notes.append(f"the rule behind CBP's message ended on {lifted.isoformat()}: resubmit")
        return
    deadline: date | None = None
    if found.deadline_rule == "psc_window" and entry is not None:
        deadline = _psc_deadline(entry, as_of)
    elif found.deadline_rule == "protest_180":
        liquidated = entry.liquidation_date if entry else None
        deadline = liquidated + timedelta(days=PROTEST_DAYS) if liquidated else None
    if found.deadline_rule != "none":
        v["deadline_rule"] = found.deadline_rule
        v["deadline"] = deadline
    resubmit = {"yes": "ready", "after_correction": "after_correction", "no": "no"}[found.resubmit]
    if deadline is not None and as_of is not None and as_of > deadline:
        if found.deadline_rule == "psc_window":
            resubmit = "no"
            w.notes.append(
                f"the PSC window closed on {deadline.isoformat()}: the entry waits for a later "
                "CAPE deployment"
            )
        else:
            w.notes.append(
                f"the protest window closed on {deadline.isoformat()}: the route is litigation "
                "(28 U.S.C. 1581(i))"
            )
    if (
        resubmit != "no"
        and entry is not None
        and as_of is not None
        and default_cape_rules().in_force(as_of).first("cape_open") is not None
    ):
        # A resubmission is a declaration made on as_of: CAPE screens it as any other (t67/01).
        # (Before CAPE opened, as_of only judges deadlines: no declaration is made on it.)
        excluded = excluded_on(entry, as_of, plaintiffs)
        if excluded:
            resubmit = "no"
            v["fix"] = (
                f"Not to declare again: on {as_of.isoformat()} CAPE excludes the entry "
                f"({excluded}). {_road_after(w, entry, as_of, excluded)}"
            )
            w.notes.append(f"{EXCLUDED_NOTE} {as_of.isoformat()}: {excluded}")
    v["resubmit"] = resubmit


#: The start of the note on a failed entry CAPE would exclude if declared again on as_of.
EXCLUDED_NOTE = "excluded by CAPE if declared again on"


def _road_after(w: _Work, entry: Entry, as_of: date, excluded: str) -> str:
    """The road of a failed entry CAPE now excludes: a liquidated one keeps its protest window
    (19 U.S.C. 1514(c)(3)), then litigation; an open protest is its own road."""
    v = w.values
    if entry.liquidation_date is not None:
        deadline = entry.liquidation_date + timedelta(days=PROTEST_DAYS)
        v.update(fix_path="protest_or_litigation", deadline_rule="protest_180", deadline=deadline)
        if as_of <= deadline:
            return f"File a protest by {deadline.isoformat()} (liquidation + {PROTEST_DAYS} days)."
        return (
            f"The protest window closed on {deadline.isoformat()}: the route is litigation "
            "(28 U.S.C. 1581(i))."
        )
    if "PROTEST_ON_ENTRY" in excluded:
        v["fix_path"] = "protest"
        return "Its open protest is its road: follow it."
    v["fix_path"] = "none"
    return "CAPE's message says what the entry lacks."


def excluded_on(entry: Entry, on: date, plaintiffs: Collection[str] = ()) -> str | None:
    """Why CAPE would exclude ``entry`` if declared on ``on`` (each rule's code and message,
    CBP's words where the rules data has them), or None when it would take it."""
    found = screen(entry, declared_on=on, plaintiffs=plaintiffs)
    if found.eligible:
        return None
    return "; ".join(f"{r.code}: {r.message}" for r in found.reasons if r.effect == "exclude")


def _psc_deadline(entry: Entry, as_of: date | None) -> date | None:
    """The last day a post-summary correction can be filed, from the CAPE rules data.

    ``psc_window`` days from the entry summary (the entry date without one), and
    ``psc_before_liquidation`` days before the scheduled liquidation: an ES-003 has no
    scheduled date, so the liquidation date stands for it where known.
    """
    on = as_of or entry.entry_summary_date or entry.entry_date
    window, before = _rule_on("psc_window", on), _rule_on("psc_before_liquidation", on)
    if window is None or window.days is None:
        return None
    deadline = (entry.entry_summary_date or entry.entry_date) + timedelta(days=window.days)
    if entry.liquidation_date is not None and before is not None and before.days is not None:
        deadline = min(deadline, entry.liquidation_date - timedelta(days=before.days))
    return deadline


def _rule_on(name: str, on: date) -> Rule | None:
    """The CAPE rule ``name`` in force on ``on``, or its first period when ``on`` is earlier:
    the PSC window is ACE's, older than CAPE, which the rules data starts with."""
    rows = sorted(
        (r for r in default_cape_rules().rows if r.rule == name), key=lambda r: r.effective_from
    )
    return next(
        (r for r in rows if r.in_force(on)),
        rows[0] if rows and on < rows[0].effective_from else None,
    )


def _lifted(
    entry: Entry, message: str | None, as_of: date, plaintiffs: Collection[str] = ()
) -> date | None:
    """The day the rule that gave CBP's ``message`` stopped excluding, when the entry passes
    every rule on ``as_of``; None when no such rule has ended or the entry is still refused."""
    if not message:
        return None
    key = _message_key(message)
    rules = default_cape_rules()
    now = rules.in_force(as_of)
    # A rule is lifted when it ended and what follows it is not the same exclusion under new
    # words: CSMS #69056483 only renamed HTS RELATIONSHIP/SEQUENCE MISMATCH (the fault, in
    # the entry's data, which our screening cannot see, still excludes), while the
    # reconciliation rule of 2026-06-29 changed what it excludes.
    ended = [
        r.effective_to
        for r in rules.rows
        if r.effective_to is not None
        and r.effective_to <= as_of
        and _message_key(r.message) == key
        and not any(n.rule == r.rule and n.value == r.value for n in now.all(r.rule))
    ]
    if not ended:
        return None
    if screen(entry, declared_on=as_of, rules=rules, plaintiffs=plaintiffs).status != "eligible":
        return None
    return max(ended)
