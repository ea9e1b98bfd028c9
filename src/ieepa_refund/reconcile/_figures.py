"""Refunded: CBP's principal and interest against the estimate, each difference by its cause."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from ..entry import Entry
from ..errors import RateNotCovered, ValidationError
from ..interest import InterestConventions, RateTable, interest_detail
from ..refund import EntryRefund, RefundOptions, compute_refund
from ..registry import Registry
from ._work import ZERO, _Work
from .files import (
    CbpRefund,
)


def _add(rows: list[CbpRefund]) -> CbpRefund:
    """Rows of one refund (or of refunds CBP pays together) as one: figures added, the dates
    and numbers of the latest refund date (row order proves nothing)."""
    if len(rows) == 1:
        return rows[0]
    last = max(rows, key=lambda r: r.refund_date or date.min)

    def add(name: str) -> Decimal | None:
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        return sum(values, ZERO) if values else None

    return last.model_copy(
        update={"principal": add("principal"), "interest": add("interest"), "netted": add("netted")}
    )


def _parts(rows: list[CbpRefund]) -> list[tuple[CbpRefund, list[CbpRefund]]]:
    """An entry's refunds, one per (re)liquidation date, in date order (t66/08): CBP refunds an
    entry at liquidation and again at reliquidation, each refund with interest to its own date
    (19 CFR 24.36(a)(1)) and paid apart (one payment per payee and (re)liquidation date).
    Rows of one date are added (one refund split over rows, or refunds paid together). Each
    part with the rows it adds."""
    if any(r.liquidation_date is None for r in rows):
        # A row with no (re)liquidation date cannot be told to be another refund: the rows
        # are added, as one refund.
        return [(_add(rows), rows)]
    by_date: dict[date | None, list[CbpRefund]] = {}
    for r in rows:
        by_date.setdefault(r.liquidation_date, []).append(r)
    ordered = sorted(by_date, key=lambda d: (d is not None, d or date.min))
    return [(_add(by_date[d]), by_date[d]) for d in ordered]


def _combined(rows: list[CbpRefund], w: _Work) -> CbpRefund:
    if len(rows) == 1:
        return rows[0]
    parts = _parts(rows)
    if len(parts) == 1:
        w.notes.append(f"{len(rows)} refund rows: their amounts are added")
        return parts[0][0]
    w.notes.append(
        f"refunded {len(parts)} times, each its own payment: "
        + "; ".join(
            f"{p.refund_number or 'no refund number'} (re)liquidated "
            f"{p.liquidation_date.isoformat() if p.liquidation_date else 'on no date given'}: "
            f"{p.principal or ZERO} + {p.interest or ZERO}"
            for p, _ in parts
        )
        + "; the entry's figures are their sums, its dates the latest refund's"
    )
    latest = parts[-1][0]
    return _add([p for p, _ in parts]).model_copy(
        update={
            "liquidation_date": latest.liquidation_date,
            "refund_date": latest.refund_date,
            "refund_number": latest.refund_number,
            "status": latest.status,
        }
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
        # No estimate could be made (the entry is not in the ES-003): nothing explains CBP's
        # figures, so each counts as unexplained at its whole size (results.unexplained).
        for name in ("principal", "interest"):
            if getattr(cbp, name) is not None:
                v[f"{name}_cause"] = "unexplained"
        w.notes.append(
            f"CBP refunded {cbp.total} for an entry with no estimate: unexplained at its whole "
            "figure; add the entry to the ES-003 input, or ask CBP why it was refunded"
        )
        return
    if cbp.principal is not None:
        v["principal_difference"] = cbp.principal - est.principal
        v["principal_cause"] = _principal_cause(est, cbp, entry, opts, registry, rates)
        if v["principal_cause"] == "unexplained":
            w.notes.append(f"principal differs by {cbp.principal - est.principal}: unexplained")
    parts = _parts(w.reported)
    if cbp.interest is not None and len(parts) > 1:
        _parts_interest(w, est, [p for p, _ in parts], cbp, opts, rates)
    elif cbp.interest is not None:
        moved = False
        uncovered: str | None = None
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
            except RateNotCovered as exc:
                to_cbp, uncovered = est, str(exc)
            except ValidationError:
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
        cause, figure, past = _interest_cause(est, cbp, opts, rates)
        uncovered = uncovered or past
        if moved and cause != "unexplained":
            cause = "end_date" if cause == "match" else "+".join(("end_date", cause))
        v["interest_cause"], v["interest_recomputed"] = cause, figure
        if cause == "unexplained":
            size = "" if est.interest is None else f" by {cbp.interest - est.interest}"
            w.notes.append(f"interest differs{size}: unexplained by end date, rate or day count")
            if uncovered is not None:
                # Not a difference found but one that could not be looked for: say why and
                # what to do, rather than leave "unexplained" to speak for a missing rate.
                w.notes.append(
                    f"interest to CBP's date could not be recomputed ({uncovered.split(';')[0]}): "
                    "update the interest-rate data, or pass --project to carry the last known "
                    "rate forward"
                )


def _parts_interest(
    w: _Work,
    est: EntryRefund,
    parts: list[CbpRefund],
    cbp: CbpRefund,
    opts: RefundOptions,
    rates: RateTable | None,
) -> None:
    """The interest of an entry refunded more than once: each refund's interest runs on its own
    principal to its own (re)liquidation date (19 CFR 24.36(a)(1)), so each is explained
    against that estimate (``end_date`` when that reproduces it), and the entry's interest is
    explained only when every refund's is."""
    v = w.values
    assert cbp.interest is not None
    if est.interest is not None:
        v["interest_difference"] = cbp.interest - est.interest
    causes: list[str] = []
    figures: list[Decimal] = []
    for part in parts:
        if part.interest is None:
            continue
        if part.principal is None or part.principal <= 0:
            causes.append("unexplained")
            continue
        # Our estimate for this refund alone: its principal, to its date (no end of our own).
        alone = est.model_copy(
            update={"principal": part.principal, "interest": None, "interest_until": None}
        )
        cause, figure, _ = _interest_cause(alone, part, opts, rates)
        causes.append(cause)
        if figure is not None:
            figures.append(figure)
        if cause == "unexplained":
            w.notes.append(
                f"interest of refund {part.refund_number or '(no number)'} "
                f"({part.interest}) is not reproduced to its (re)liquidation date: unexplained"
            )
    if "unexplained" in causes or not causes:
        v["interest_cause"], v["interest_recomputed"] = "unexplained", None
        return
    joined = dict.fromkeys(c for cause in causes for c in cause.split("+") if c != "match")
    v["interest_cause"] = "+".join(joined) or "match"
    v["interest_recomputed"] = sum(figures, ZERO)


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
) -> tuple[str, Decimal | None, str | None]:
    """(the cause, the figure it reproduces, why a candidate end date could not be tried:
    the rate table's refusal of the first date past it, None when every one was tried)."""
    reported = cbp.interest
    assert reported is not None
    if est.interest is not None and est.interest == reported:
        return "match", reported, None
    deposited = est.deposit_date
    if deposited is None:  # pragma: no cover - every refund has a deposit date
        return "unexplained", None, None
    uncovered: str | None = None
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
        except RateNotCovered as exc:
            uncovered = uncovered or str(exc)
            continue
        except ValidationError:
            continue
        if detail.interest == reported:
            return "+".join(named) or "match", detail.interest, None
    return "unexplained", None, uncovered
