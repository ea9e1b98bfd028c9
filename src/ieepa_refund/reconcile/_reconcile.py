"""Estimate -> declaration -> claim -> refund -> deposit, entry by entry, and why figures differ.

Money is compared exactly: a difference is ``match`` only at 0. A difference becomes explained
only when our figure, recomputed under a named cause, equals CBP's to the cent:

* interest (19 CFR 24.36(a)(1): from deposit to the date of liquidation or reliquidation):
  ``end_date`` (recomputed to CBP's (re)liquidation date), ``rate_column`` (the other 6621
  column: corporate or not), ``day_count`` (the other accrual convention, or the end a day
  either side), ``principal`` (interest on the principal CBP refunded), or several joined by ``+``;
* principal: ``netted_other_duties`` (CBP's reliquidation re-rates the whole entry and nets
  other duties, 19 CFR 159.1: the report's netted amount, or our full recalculation, gives
  CBP's figure), ``rerated_15_all_in`` (within our bounds on an entry with a 15% all-in line
  whose MFN restoration is uncertain), ``within_bounds`` (within our bounds otherwise).

Anything else is ``unexplained``, with its size. Payments are CBP's grouping
(:func:`ieepa_refund.consolidate`: payee and (re)liquidation date), matched to deposits by
exact amount within a date window; see :func:`reconcile`.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from .._model import check_instance, check_optional_date
from ..cape import DeclarationBatch, read_ledger, write_declarations
from ..cape._format import MAX_ENTRIES
from ..cape.deadlines import PROTEST_DAYS
from ..cape.declarations import Skipped
from ..cape.rules import Rule, default_cape_rules
from ..cape.screen import screen
from ..entry import Entry
from ..errors import InputFileError, InvalidFormat, RateNotCovered, ValidationError
from ..es003.report import Problem
from ..interest import InterestConventions, RateTable, interest_detail
from ..money import allocate
from ..payments import consolidate
from ..refund import EntryRefund, RefundOptions, compute_refund
from ..registry import Registry, default_registry
from .files import (
    BankDeposit,
    BankDeposits,
    CbpRefund,
    CbpRefunds,
    ClaimDetails,
    ClaimRow,
    TradeRefund,
    TradeRefunds,
)
from .messages import CapeMessages, default_cape_messages
from .messages import _key as _message_key
from .results import (
    DepositMatch,
    EntryReconciliation,
    EntryStatus,
    PaymentReconciliation,
    PaymentStatus,
    Reconciliation,
)

__all__ = ["reconcile", "resubmit"]

ZERO = Decimal("0.00")
#: A deposit may post a few days before the refund date a report shows.
EARLY_DAYS = 5


@dataclass
class _Work:
    """One entry while it is reconciled."""

    number: str
    entry: Entry | None = None
    refund: EntryRefund | None = None
    files: tuple[str, ...] = ()
    claims: list[ClaimRow] = field(default_factory=list)
    reported: list[CbpRefund] = field(default_factory=list)
    trades: list[TradeRefund] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def reconcile(
    entries: Iterable[Entry],
    *,
    ledger: str | Path | Mapping[str, Sequence[str]] | None = None,
    claims: ClaimDetails | None = None,
    refunds: CbpRefunds | None = None,
    trade_refunds: TradeRefunds | None = None,
    deposits: BankDeposits | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    messages: CapeMessages | None = None,
    as_of: date | None = None,
    window_days: int = 45,
) -> Reconciliation:
    """Reconcile ``entries`` (read from the ES-003) with the ledger and CBP's files.

    Each entry is estimated with ``options`` (:func:`compute_refund`), placed on its path
    (declared in ``ledger`` -> CAPE Claim Details -> REV-615/ES-022 -> REV-603 -> deposits), its
    CBP message mapped to a cause and fix path (``messages``, default the shipped table) and its
    reported figures compared with the estimate. ``as_of`` (never the clock) tells which fix
    deadlines have passed. A deposit matches a payment when its amount is exactly the payment's
    net (or principal, or interest, or the sum of payments refunded on one date) and its date is
    from :data:`EARLY_DAYS` before to ``window_days`` after the refund date (the (re)liquidation
    date when no refund date is reported).
    """
    as_of = check_optional_date(as_of, field="as_of")
    if not isinstance(window_days, int) or isinstance(window_days, bool) or window_days < 0:
        raise InvalidFormat("a number of days, 0 or more", field="window_days", value=window_days)
    for name, value, kind in (
        ("claims", claims, ClaimDetails),
        ("refunds", refunds, CbpRefunds),
        ("trade_refunds", trade_refunds, TradeRefunds),
        ("deposits", deposits, BankDeposits),
    ):
        if value is not None:
            check_instance(value, kind, field=name)
    opts = options or RefundOptions()
    check_instance(opts, RefundOptions, field="options")
    registry = registry or default_registry()
    table = messages or default_cape_messages()
    works: dict[str, _Work] = {}
    if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
        raise InvalidFormat("a sequence of entries is expected", field="entries", value=entries)
    for position, entry in enumerate(entries):
        check_instance(entry, Entry, field=f"entries[{position}]")
        if entry.entry_number in works:
            raise InvalidFormat(
                "an entry may be reconciled once", field="entries", value=entry.entry_number
            )
        works[entry.entry_number] = _Work(
            entry.entry_number,
            entry,
            compute_refund(entry, options=opts, registry=registry, rates=rates),
        )

    def work(number: str) -> _Work:
        if number not in works:
            works[number] = _Work(number)
            works[number].notes.append("not in the ES-003 input: no estimate")
        return works[number]

    held = _ledger(ledger)
    for number, files in held.items():
        work(number).files = tuple(files)
    for row in claims.rows if claims else ():
        work(row.entry_number).claims.append(row)
    problems = [
        p for read in (claims, refunds, trade_refunds, deposits) if read for p in read.problems
    ]
    for cbp in _distinct(refunds.rows if refunds else (), problems):
        work(cbp.entry_number).reported.append(cbp)
    trades = trade_refunds.rows if trade_refunds else ()
    by_refund: dict[str, list[_Work]] = {}
    for w in works.values():
        for cbp in w.reported:
            if cbp.refund_number and w not in by_refund.setdefault(cbp.refund_number, []):
                by_refund[cbp.refund_number].append(w)
    for trade in trades:
        linked = by_refund.get(trade.refund_number) or (
            [work(trade.entry_number)] if trade.entry_number else []
        )
        for w in linked:
            w.trades.append(trade)
    unlinked = [t for t in trades if not by_refund.get(t.refund_number) and not t.entry_number]
    for trade in unlinked:
        problems.append(
            _problem(
                trade.file, trade.row, "UNLINKED_REFUND",
                f"refund {trade.refund_number} is in no refund report row and names no entry",
            )
        )  # fmt: skip

    for w in works.values():
        _claim_path(w, table, as_of)
        _refund_path(w, opts, registry, rates)
    _trade_path(works.values(), problems)
    payments, deposit_matches = _payments(works.values(), deposits, window_days)
    results = tuple(_result(w) for w in works.values())
    return Reconciliation(
        entries=results,
        payments=payments,
        deposits=deposit_matches,
        problems=tuple(problems),
        messages_version=table.data_version,
    )


def _problem(
    file: str, row: int, code: str, message: str, entry_number: str | None = None
) -> Problem:
    return Problem(
        code=code, message=message, file=file, row=row, rows=0, entry_number=entry_number
    )


def _distinct(rows: Iterable[CbpRefund], problems: list[Problem]) -> list[CbpRefund]:
    """The refund rows once each: an identical row again (report date ranges that overlap) is
    a ``DUPLICATE_ROW``; a different row for the same refund number and entry is a
    ``CONFLICTING_ROW``, set aside (the first stands), never added to it."""
    kept: dict[tuple[str, str], CbpRefund] = {}
    out: list[CbpRefund] = []
    for row in rows:
        if row.refund_number is None:
            out.append(row)
            continue
        key = (row.entry_number, row.refund_number)
        first = kept.get(key)
        if first is None:
            kept[key] = row
            out.append(row)
            continue
        same = first.model_dump(exclude={"file", "row"}) == row.model_dump(exclude={"file", "row"})
        where = f"{first.file} row {first.row}"
        problems.append(
            _problem(
                row.file, row.row, "DUPLICATE_ROW", f"repeats {where} (refund "
                f"{row.refund_number}): counted once", row.entry_number,
            )
            if same
            else _problem(
                row.file, row.row, "CONFLICTING_ROW", f"refund {row.refund_number} of this "
                f"entry is also on {where} with other figures: that row is used, this one is "
                "set aside; check the refund in ACE", row.entry_number,
            )
        )  # fmt: skip
    return out


def _ledger(ledger: str | Path | Mapping[str, Sequence[str]] | None) -> dict[str, Sequence[str]]:
    if ledger is None:
        return {}
    if isinstance(ledger, str | Path):
        path = Path(ledger)
        if not path.is_file():
            # Read as empty, a mistyped path would show every declared entry as not declared.
            raise InputFileError(f"{path}: no such ledger file", field="ledger", value=str(path))
        return dict(read_ledger(path))
    if isinstance(ledger, Mapping):
        found: dict[str, Sequence[str]] = {}
        for number, files in ledger.items():
            if isinstance(files, str):
                files = (files,)
            if not isinstance(number, str) or not (
                isinstance(files, Sequence) and all(isinstance(f, str) for f in files)
            ):
                raise InvalidFormat(
                    "a mapping of entry number to its declaration files (text)",
                    field="ledger",
                    value=number,
                )
            found[number] = tuple(files)
        return found
    raise InvalidFormat("a ledger path or a mapping of entries", field="ledger", value=ledger)


# --- declared -> accepted or failed -------------------------------------------------------------


def _claim_path(w: _Work, table: CapeMessages, as_of: date | None) -> None:
    v = w.values
    v["declared"] = bool(w.files) or bool(w.claims)
    if w.claims and not w.files:
        w.notes.append("CBP answered a declaration the ledger does not hold")
    accepted = [c for c in w.claims if c.outcome == "accepted"]
    failed = [c for c in w.claims if c.outcome == "failed"]
    if accepted:
        chosen = accepted[-1]
        v["status"] = "accepted"
        for c in failed:
            w.notes.append(f"also failed ({c.message or c.status}): nothing to do, it is accepted")
    elif failed and len(w.files) > len(w.claims):
        # Declared again after CBP failed it (the ledger holds more declarations than CBP's
        # files answer): the new declaration awaits its answer.
        chosen = failed[-1]
        v["status"] = "declared"
        w.notes.append(
            f"declared again after failing ({chosen.message or chosen.status}): "
            "awaiting CBP's answer"
        )
    elif failed:
        chosen = failed[-1]
        v["status"] = "failed"
        _explain_failure(w, chosen, table, as_of)
    elif w.claims:
        chosen = w.claims[-1]
        v["status"] = "pending"
    else:
        v["status"] = "declared" if w.files else "not_declared"
        return
    v["claim_number"] = chosen.claim_number
    v["claim_status"] = chosen.status


def _explain_failure(w: _Work, claim: ClaimRow, table: CapeMessages, as_of: date | None) -> None:
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
    lifted = _lifted(entry, claim.message, as_of) if entry is not None and as_of else None
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
    v["resubmit"] = resubmit


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


def _lifted(entry: Entry, message: str | None, as_of: date) -> date | None:
    """The day the rule that gave CBP's ``message`` stopped excluding, when the entry passes
    every rule on ``as_of``; None when no such rule has ended or the entry is still refused."""
    if not message:
        return None
    key = _message_key(message)
    rules = default_cape_rules()
    ended = [
        r.effective_to
        for r in rules.rows
        if r.effective_to is not None and r.effective_to <= as_of and _message_key(r.message) == key
    ]
    if not ended:
        return None
    if screen(entry, declared_on=as_of, rules=rules).status != "eligible":
        return None
    return max(ended)


# --- refunded: figures against the estimate ----------------------------------------------------


def _combined(rows: list[CbpRefund], w: _Work) -> CbpRefund:
    if len(rows) == 1:
        return rows[0]
    w.notes.append(f"{len(rows)} refund rows: their amounts are added")
    last = rows[-1]

    def add(name: str) -> Decimal | None:
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        return sum(values, ZERO) if values else None

    return last.model_copy(
        update={"principal": add("principal"), "interest": add("interest"), "netted": add("netted")}
    )


def _refund_path(
    w: _Work, opts: RefundOptions, registry: Registry, rates: RateTable | None
) -> None:
    v = w.values
    est = w.refund
    entry = w.entry
    if est is not None:
        v.update(
            payee=est.payee,
            principal_estimate=est.principal,
            principal_high=est.principal_high,
            interest_estimate=est.interest,
            liquidation_date=est.liquidation_date,
        )
    if not w.reported:
        return
    cbp = _combined(w.reported, w)
    v.update(
        refund_number=cbp.refund_number,
        refund_date=cbp.refund_date,
        refund_status=cbp.status,
        principal_reported=cbp.principal,
        interest_reported=cbp.interest,
    )
    if cbp.liquidation_date is not None:
        v["liquidation_date"] = cbp.liquidation_date
    if v.get("payee") is None:
        v["payee"] = cbp.payee
    if v["status"] in ("declared", "not_declared", "pending", "failed"):
        if v["status"] == "failed":
            w.notes.append("CBP reports a refund for an entry whose claim failed")
        elif not w.claims:
            w.notes.append("no claim result read: the refund report shows the entry accepted")
    v["status"] = "refunded" if cbp.total is not None else "liquidated"
    if est is None or entry is None:
        return
    if cbp.principal is not None:
        v["principal_difference"] = cbp.principal - est.principal
        v["principal_cause"] = _principal_cause(est, cbp, entry, opts, registry, rates)
        if v["principal_cause"] == "unexplained":
            w.notes.append(f"principal differs by {cbp.principal - est.principal}: unexplained")
    if cbp.interest is not None:
        moved = False
        if est.interest is None and cbp.liquidation_date is not None:
            # The ES-003 shows the entry unliquidated, so our estimate has no end date; CBP's
            # (re)liquidation date is where its interest ends (19 CFR 24.36(a)(1)): the
            # estimate to that date is the end-date cause, and gives any difference its size.
            try:
                to_cbp = compute_refund(
                    entry,
                    options=opts,
                    registry=registry,
                    rates=rates,
                    interest_until=cbp.liquidation_date,
                )
            except (RateNotCovered, ValidationError):
                to_cbp = est
            if to_cbp.interest is not None:
                est, moved = to_cbp, True
                v["interest_estimate"] = est.interest
                w.notes.append(
                    "interest estimated to CBP's (re)liquidation date "
                    f"{cbp.liquidation_date.isoformat()}: the ES-003 shows the entry unliquidated"
                )
        if est.interest is not None:
            v["interest_difference"] = cbp.interest - est.interest
        cause, figure = _interest_cause(est, cbp, opts, rates)
        if moved and cause != "unexplained":
            cause = "end_date" if cause == "match" else "+".join(("end_date", cause))
        v["interest_cause"], v["interest_recomputed"] = cause, figure
        if cause == "unexplained":
            size = "" if est.interest is None else f" by {cbp.interest - est.interest}"
            w.notes.append(f"interest differs{size}: unexplained by end date, rate or day count")


def _principal_cause(
    est: EntryRefund,
    cbp: CbpRefund,
    entry: Entry,
    opts: RefundOptions,
    registry: Registry,
    rates: RateTable | None,
) -> str:
    reported = cbp.principal
    assert reported is not None
    if reported == est.principal:
        return "match"
    if cbp.netted is not None and est.principal - cbp.netted == reported:
        return "netted_other_duties"
    if opts.method == "paid":
        # CBP recalculates the whole entry at reliquidation; our full recalculation nets the
        # other lines' over- and under-payments as it does (19 CFR 159.1).
        recalc = compute_refund(
            entry, options=opts, method="recalculate", registry=registry, rates=rates
        )
        if recalc.principal == reported:
            return "netted_other_duties"
    high = est.principal_high
    if est.principal < reported and (high is None or reported <= high):
        restored = any(t.uncertain and "15% all-in" in t.reason for t in est.tariffs)
        return "rerated_15_all_in" if restored else "within_bounds"
    return "unexplained"


def _interest_cause(
    est: EntryRefund, cbp: CbpRefund, opts: RefundOptions, rates: RateTable | None
) -> tuple[str, Decimal | None]:
    reported = cbp.interest
    assert reported is not None
    if est.interest is not None and est.interest == reported:
        return "match", reported
    deposited = est.deposit_date
    if deposited is None:  # pragma: no cover - every refund has a deposit date
        return "unexplained", None
    conventions = opts.interest_conventions
    other_accrual = "from_deposit" if conventions.accrual == "after_deposit" else "after_deposit"
    principals: list[tuple[Decimal, str | None]] = [(est.principal, None)]
    if cbp.principal is not None and cbp.principal != est.principal and cbp.principal > 0:
        principals.append((cbp.principal, "principal"))
    ends: list[tuple[date, str | None]] = []
    if est.interest_until is not None:
        ends.append((est.interest_until, None))
    if cbp.liquidation_date is not None and cbp.liquidation_date != est.interest_until:
        ends.append((cbp.liquidation_date, "end_date"))
    shifted: list[tuple[date, tuple[str, ...]]] = []
    for end, why in ends:
        base = (why,) if why else ()
        shifted.append((end, base))
        shifted += [(end + timedelta(days=d), (*base, "day_count")) for d in (-1, 1)]
    candidates = []
    for (principal, p_why), (end, e_why), corporate, accrual in itertools.product(
        principals,
        shifted,
        (opts.corporate, not opts.corporate),
        (conventions.accrual, other_accrual),
    ):
        causes = [c for c in (p_why, *e_why) if c]
        if corporate != opts.corporate:
            causes.append("rate_column")
        if accrual != conventions.accrual:
            causes.append("day_count")
        unique = tuple(dict.fromkeys(causes))
        if not unique and est.interest is not None:
            continue  # the estimate itself, already compared
        candidates.append((len(unique), unique, principal, end, corporate, accrual))
    candidates.sort(key=lambda c: c[0])
    for _, named, principal, end, corporate, accrual in candidates:
        if end < deposited:
            continue
        try:
            detail = interest_detail(
                principal,
                deposited=deposited,
                until=end,
                corporate=corporate,
                rates=rates,
                project=opts.project,
                conventions=InterestConventions.model_validate(
                    {**conventions.model_dump(), "accrual": accrual}
                ),
            )
        except (RateNotCovered, ValidationError):
            continue
        if detail.interest == reported:
            return "+".join(named) or "match", detail.interest
    return "unexplained", None


# --- issued, diverted, returned ----------------------------------------------------------------

_TRADE_STATUS: dict[str, EntryStatus] = {
    "transmitted": "refunded",
    "sent_to_treasury": "refunded",
    "treasury_issued": "issued",
    "reissued": "issued",
    "funds_diverted": "diverted",
    "returned": "returned",
}


#: When two REV-603 statuses of one refund carry the same date, the one later in a refund's life
#: stands (a reissue follows a return, which follows the issue; an issue of the rest follows a
#: partial diversion), and the tie is reported: the row order of a report proves nothing.
STATUS_PRECEDENCE: tuple[str, ...] = (
    "transmitted",
    "sent_to_treasury",
    "funds_diverted",
    "treasury_issued",
    "returned",
    "reissued",
)


def _latest(trades: list[TradeRefund]) -> TradeRefund:
    """The status that stands: the latest dated, a tie on one date by :data:`STATUS_PRECEDENCE`."""
    return max(
        trades,
        key=lambda t: (t.refund_date or date.min, STATUS_PRECEDENCE.index(t.status)),
    )


def _ties(trades: list[TradeRefund]) -> list[Problem]:
    """A problem for each date on which one refund shows more than one status."""
    by_day: dict[date | None, list[TradeRefund]] = {}
    for t in trades:
        by_day.setdefault(t.refund_date, []).append(t)
    found = []
    for day, rows in by_day.items():
        statuses = dict.fromkeys(t.status for t in rows)
        if len(statuses) < 2 or day is None:
            continue
        chosen = max(statuses, key=STATUS_PRECEDENCE.index)
        last = max(rows, key=lambda t: (t.file, t.row))
        found.append(
            _problem(
                last.file, last.row, "STATUS_TIE",
                f"refund {last.refund_number} has {len(statuses)} statuses on "
                f"{day.isoformat()} ({', '.join(statuses)}): {chosen} taken, as the later "
                "one in a refund's life (documented precedence); check it in ACE",
            )
        )  # fmt: skip
    return found


def _trade_path(works: Iterable[_Work], problems: list[Problem]) -> None:
    shared: dict[str, list[_Work]] = {}
    history: dict[str, list[TradeRefund]] = {}
    for w in works:
        if not w.trades:
            continue
        latest = _latest(w.trades)
        w.values["trade_status"] = latest.status
        w.values["status"] = _TRADE_STATUS[latest.status]
        if latest.status == "returned":
            w.notes.append("the ACH payment came back: check the payee's ACH enrolment (REV-613)")
        for number in dict.fromkeys(t.refund_number for t in w.trades):
            shared.setdefault(number, []).append(w)
            history.setdefault(number, [t for t in w.trades if t.refund_number == number])
    for refund_number, rows in history.items():
        problems.extend(_ties(rows))
        # The report lists a refund's statuses over time: every diversion is an offset
        # (19 CFR 24.72), added up; an identical row repeated (overlapping reports) once.
        diversions = list(
            dict.fromkeys((t.refund_date, t.amount) for t in rows if t.status == "funds_diverted")
        )
        if not diversions:
            continue
        members = shared[refund_number]
        gross = [_gross(w) for w in members]
        total = sum(gross, ZERO)
        whole = any(amount is None for _, amount in diversions)
        diverted = sum((a for _, a in diversions if a is not None), ZERO)
        offset = total if whole else min(diverted, total)
        if diverted > total:
            members[0].notes.append(
                f"refund {refund_number}: CBP reports {diverted} diverted, more than the "
                f"refund's {total}: the offset is capped at the refund"
            )
        issued = [
            t.amount
            for t in rows
            if t.status in ("treasury_issued", "reissued") and t.amount is not None
        ]
        for w, share in zip(members, allocate(offset, gross) if total else gross, strict=True):
            w.values["offset"] = w.values.get("offset", ZERO) + share
            w.notes.append(
                f"refund {refund_number}: {share} diverted to the payee's CBP debts (19 CFR 24.72)"
            )
        if issued and offset < total and issued[-1] != total - offset:
            members[0].notes.append(
                f"refund {refund_number}: CBP issued {issued[-1]}, not the {total - offset} "
                "left after the diversions"
            )


def _gross(w: _Work) -> Decimal:
    return (w.values.get("principal_reported") or ZERO) + (
        w.values.get("interest_reported") or ZERO
    )


# --- paid: payments against deposits ----------------------------------------------------------


@dataclass
class _Payable:
    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    interest: Decimal | None


@dataclass
class _Pay:
    key: str
    anchor: date
    net: Decimal
    principal: Decimal
    interest: Decimal
    split: bool
    parts: set[str] = field(default_factory=set)
    deposits: list[BankDeposit] = field(default_factory=list)
    deposited: Decimal = ZERO
    how: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.parts


def _payments(
    works: Iterable[_Work], deposits: BankDeposits | None, window_days: int
) -> tuple[tuple[PaymentReconciliation, ...], tuple[DepositMatch, ...]]:
    by_number: dict[str, _Work] = {}
    payables: list[_Payable] = []
    for w in works:
        v = w.values
        if v.get("status") not in ("refunded", "issued", "diverted", "returned") or not _gross(w):
            continue
        when = v.get("liquidation_date") or v.get("refund_date")
        if when is None:
            w.notes.append("no (re)liquidation or refund date reported: in no payment")
            continue
        by_number[w.number] = w
        payables.append(
            _Payable(
                w.number,
                v.get("payee") or "unknown",
                when,
                v.get("principal_reported") or ZERO,
                v.get("interest_reported") or ZERO,
            )
        )
    grouped = consolidate(payables)
    for number in grouped.nothing_to_pay:
        by_number[number].notes.append("CBP reports no principal: in no payment")
    pays: list[_Pay] = []
    for p in grouped:
        members = [by_number[n] for n in p.entries]
        offset = sum((m.values.get("offset", ZERO) for m in members), ZERO)
        dates = [m.values["refund_date"] for m in members if m.values.get("refund_date")]
        anchor = max(dates) if dates else p.liquidation_date
        pays.append(
            _Pay(
                key=f"{p.payee}@{p.liquidation_date.isoformat()}",
                anchor=anchor,
                net=p.principal + p.interest - offset,
                principal=p.principal,
                interest=p.interest,
                split=offset == 0 and p.principal > 0 and p.interest > 0,
            )
        )
    rows = sorted(deposits.rows if deposits else (), key=lambda d: (d.date, d.file, d.row))
    matched = _match(pays, rows, window_days)
    results = []
    for p, pay in zip(grouped, pays, strict=True):
        members = [by_number[n] for n in p.entries]
        offset = p.principal + p.interest - pay.net
        status: PaymentStatus
        paid = "net" in pay.parts or {"principal", "interest"} <= pay.parts
        if paid:
            status = "paid"
        elif pay.parts:
            status = "part_paid"
        elif offset and pay.net == 0:
            status = "diverted"
        elif any(m.values.get("status") == "returned" for m in members):
            status = "returned"
        else:
            status = "unpaid"
        amounts = {m.reported[-1].payment_amount for m in members if m.reported}
        numbers = tuple(
            dict.fromkeys(r.payment_number for m in members for r in m.reported if r.payment_number)
        )
        cbp_amount = amounts.pop() if len(amounts) == 1 else None
        keys = tuple(d.key for d in pay.deposits)
        for m in members:
            m.values["deposits"] = keys
            if paid and m.values["status"] in ("refunded", "issued"):
                m.values["status"] = "paid"
        results.append(
            PaymentReconciliation(
                payee=p.payee,
                liquidation_date=p.liquidation_date,
                entries=p.entries,
                estimate=sum(
                    (
                        (m.values.get("principal_estimate") or ZERO)
                        + (m.values.get("interest_estimate") or ZERO)
                        for m in members
                    ),
                    ZERO,
                ),
                principal=p.principal,
                interest=p.interest,
                offset=offset,
                net=pay.net,
                payment_numbers=numbers,
                cbp_amount=cbp_amount,
                cbp_difference=None if cbp_amount is None else cbp_amount - p.gross,
                deposited=pay.deposited,
                deposits=keys,
                status=status,
                how=", ".join(dict.fromkeys(pay.how)),
            )
        )
    return tuple(results), tuple(_deposit_results(rows, matched))


def _match(
    pays: list[_Pay], deposits: list[BankDeposit], window: int
) -> dict[int, tuple[str, list[_Pay]]]:
    """Deposit index -> (part, payments). Exact amounts only; the nearest date wins a tie."""
    found: dict[int, tuple[str, list[_Pay]]] = {}

    def near(d: BankDeposit, p: _Pay) -> bool:
        return p.anchor - timedelta(days=EARLY_DAYS) <= d.date <= p.anchor + timedelta(days=window)

    def closest(d: BankDeposit, candidates: list[_Pay]) -> _Pay | None:
        if not candidates:
            return None
        return min(candidates, key=lambda p: (abs((d.date - p.anchor).days), p.key))

    def take(i: int, d: BankDeposit, part: str, members: list[_Pay], how: str) -> None:
        found[i] = (part, members)
        for p in members:
            p.parts.add("net" if part in ("net", "sum") else part)
            p.deposits.append(d)
            p.deposited += p.net if part in ("net", "sum") else getattr(p, part)
            p.how.append(how)

    # 1. one payment, whole.
    for i, d in enumerate(deposits):
        hit = closest(d, [p for p in pays if p.open and p.net == d.amount and near(d, p)])
        if hit is not None:
            take(i, d, "net", [hit], "net")
    # 2. several payments refunded on one date, in one deposit.
    for i, d in enumerate(deposits):
        if i in found:
            continue
        by_day: dict[date, list[_Pay]] = {}
        for p in pays:
            if p.open and near(d, p):
                by_day.setdefault(p.anchor, []).append(p)
        for day in sorted(by_day, key=lambda day: abs((d.date - day).days)):
            group = by_day[day]
            if len(group) > 1 and sum((p.net for p in group), ZERO) == d.amount:
                take(i, d, "sum", group, "with others")
                break
    # 3. principal and interest apart, for payments with no offset.
    for part in ("principal", "interest"):
        for i, d in enumerate(deposits):
            if i in found:
                continue
            candidates = [
                p
                for p in pays
                if p.split
                and "net" not in p.parts
                and part not in p.parts
                and near(d, p)
                and getattr(p, part) == d.amount
            ]
            hit = closest(d, candidates)
            if hit is not None:
                take(i, d, part, [hit], "principal and interest apart")
    # 4. the principals (or interests) of payments refunded on one date, in one deposit.
    for part in ("principal", "interest"):
        for i, d in enumerate(deposits):
            if i in found:
                continue
            by_day = {}
            for p in pays:
                if p.split and "net" not in p.parts and part not in p.parts and near(d, p):
                    by_day.setdefault(p.anchor, []).append(p)
            for day in sorted(by_day, key=lambda day: abs((d.date - day).days)):
                group = by_day[day]
                if len(group) > 1 and sum((getattr(p, part) for p in group), ZERO) == d.amount:
                    found[i] = ("sum", group)
                    for p in group:
                        p.parts.add(part)
                        p.deposits.append(d)
                        p.deposited += getattr(p, part)
                        p.how.append(f"{part} with others")
                    break
    return found


def _deposit_results(
    deposits: list[BankDeposit], matched: dict[int, tuple[str, list[_Pay]]]
) -> list[DepositMatch]:
    out = []
    for i, d in enumerate(deposits):
        part, members = matched.get(i, ("unmatched", []))
        out.append(
            DepositMatch(
                file=d.file,
                row=d.row,
                date=d.date,
                amount=d.amount,
                reference=d.reference,
                payments=tuple(p.key for p in members),
                part=part,
            )
        )
    return out


def _result(w: _Work) -> EntryReconciliation:
    v = dict(w.values)
    v.setdefault("payee", None)
    return EntryReconciliation(
        entry_number=w.number,
        declaration_files=tuple(w.files),
        notes=tuple(w.notes),
        **v,
    )


# --- resubmission ------------------------------------------------------------------------------


def resubmit(
    reconciliation: Reconciliation,
    out_dir: str | Path,
    *,
    ledger: str | Path,
    corrected: Collection[str] = (),
    filer_code: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> DeclarationBatch:
    """Declare again, through the ledger, the failed entries that are ready.

    Ready: failed with a cause resubmission fixes (``resubmit == "ready"``: the goods-value
    check CBP removed, a statement not yet processed), or failed on a data error fixed by a
    post-summary correction and named in ``corrected``. Accepted entries are never declared
    again: they are neither listed nor let past the ledger, which blocks them; nor is an entry
    the ledger shows declared again since ``reconciliation`` was made.
    """
    check_instance(reconciliation, Reconciliation, field="reconciliation")
    if not isinstance(out_dir, str | Path):
        raise InvalidFormat("a folder path", field="out_dir", value=out_dir)
    if isinstance(corrected, str | bytes) or not isinstance(corrected, Collection):
        raise InvalidFormat(
            "a collection of entry numbers (a correction filed for each)",
            field="corrected",
            value=corrected,
        )
    if not all(isinstance(n, str) for n in corrected):
        raise InvalidFormat("entry numbers as text", field="corrected", value=list(corrected))
    fixed = {n.replace("-", "").strip() for n in corrected}
    # An entry the ledger shows declared since this reconciliation was made is resubmitted already.
    now = read_ledger(ledger)
    ready = [
        e.entry_number
        for e in reconciliation.entries
        if e.status == "failed"
        and (
            e.resubmit == "ready" or (e.resubmit == "after_correction" and e.entry_number in fixed)
        )
        and len(now.get(e.entry_number, ())) <= len(e.declaration_files)
    ]
    batch = write_declarations(
        ready,
        out_dir,
        ledger=ledger,
        filer_code=filer_code,
        max_entries=max_entries,
        redeclare=ready,
    )
    ignored = _ignored_corrections(reconciliation, corrected, set(ready))
    if ignored:
        batch = batch.model_copy(update={"skipped": (*batch.skipped, *ignored)})
    return batch


def _ignored_corrections(
    reconciliation: Reconciliation, corrected: Collection[str], ready: set[str]
) -> list[Skipped]:
    """Each entry named as corrected that is not declared again, and why (never silently)."""
    by_number = {e.entry_number: e for e in reconciliation.entries}
    out = []
    for position, value in enumerate(corrected):
        number = value.replace("-", "").strip()
        if number in ready:
            continue
        e = by_number.get(number)
        if e is None:
            code, why = "CORRECTED_UNKNOWN", "not in the reconciliation"
        elif e.status != "failed":
            code, why = "CORRECTED_NOT_FAILED", f"its status is {e.status}: nothing to resubmit"
        elif e.resubmit == "no":
            closed = [n for n in e.notes if "window closed" in n]
            code = "CORRECTION_WINDOW_CLOSED" if closed else "CORRECTED_NOT_RESUBMITTABLE"
            why = closed[0] if closed else f"CBP's message ({e.cause}) is not cured by resubmitting"
        else:
            code, why = "CORRECTED_ALREADY_DECLARED", "the ledger shows it declared again already"
        out.append(Skipped(position=position, value=value, code=code, message=why))
    return out
