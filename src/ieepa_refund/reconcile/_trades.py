"""Issued, diverted, returned: each refund's REV-603 history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ..es003.report import Problem
from ..money import allocate
from ._work import ZERO, _problem, _Work
from .files import (
    TradeRefund,
)
from .results import (
    EntryStatus,
)

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
        members = shared[refund_number]
        gross = [_refund_gross(w, refund_number) for w in members]
        total = sum(gross, ZERO)
        issued_rows = [
            t for t in rows if t.status in ("treasury_issued", "reissued") and t.amount is not None
        ]
        issued = _latest(issued_rows) if issued_rows else None
        if issued is not None:
            # Row order proves nothing: an issue on the same day for another amount differs
            # as much as the one taken, so it is checked too.
            last = (issued.refund_date, issued.status)
            issued_rows = [t for t in issued_rows if (t.refund_date, t.status) == last]
        # The report lists a refund's statuses over time: every diversion is an offset
        # (19 CFR 24.72), added up; an identical row repeated (overlapping reports) once.
        diversions = list(
            dict.fromkeys((t.refund_date, t.amount) for t in rows if t.status == "funds_diverted")
        )
        if not diversions:
            if issued is not None:
                _check_issued(issued, issued_rows, members, total, total, problems)
            continue
        whole = any(amount is None for _, amount in diversions)
        diverted = sum((a for _, a in diversions if a is not None), ZERO)
        offset = total if whole else min(diverted, total)
        if diverted > total:
            members[0].notes.append(
                f"refund {refund_number}: CBP reports {diverted} diverted, more than the "
                f"refund's {total}: the offset is capped at the refund"
            )
        for w, share in zip(members, allocate(offset, gross) if total else gross, strict=True):
            w.values["offset"] = w.values.get("offset", ZERO) + share
            w.offsets[refund_number] = w.offsets.get(refund_number, ZERO) + share
            w.notes.append(
                f"refund {refund_number}: {share} diverted to the payee's CBP debts (19 CFR 24.72)"
            )
        if issued is not None and offset < total:
            _check_issued(issued, issued_rows, members, total, total - offset, problems)


def _check_issued(
    issued: TradeRefund,
    same_day: list[TradeRefund],
    members: list[_Work],
    total: Decimal,
    due: Decimal,
    problems: list[Problem],
) -> None:
    """What Treasury issued (REV-603) against what the refund report says is due: the refund
    less its diversions, for all the entries sharing the refund number. A refund no REV-615 /
    ES-022 row splits is still money CBP issued: it is kept on the entry, and reported."""
    amount = issued.amount
    assert amount is not None
    number = issued.refund_number
    if not total:
        for w in members:
            # One entry (a refund number no refund row holds is linked by the row's entry).
            w.values["issued"] = w.values.get("issued", ZERO) + amount
            w.notes.append(f"refund {number}: CBP issued {amount} with no refund report row")
        problems.append(
            _problem(
                issued.file, issued.row, "NO_REFUND_ROW",
                f"refund {number} was issued for {amount} but no REV-615 / ES-022 row gives "
                "its principal and interest: counted as refunded, compared with no estimate; "
                "add the refund report (--refunds) that covers its refund date",
                members[0].number if len(members) == 1 else None,
            )
        )  # fmt: skip
        return
    differing = [t for t in same_day if t.amount != due]
    if not differing:
        return
    issued = differing[0]
    amount = issued.amount
    assert amount is not None
    after = " left after the diversions" if due != total else ""
    spans = f" (the {len(members)} entries sharing it)" if len(members) > 1 else ""
    members[0].notes.append(f"refund {number}: CBP issued {amount}, not the {due}{after}")
    problems.append(
        _problem(
            issued.file, issued.row, "ISSUED_DIFFERS",
            f"refund {number}: Treasury issued {amount}, the refund report{spans} gives "
            f"{due}{after} ({amount - due:+}): what is issued is what reaches the bank; "
            "check the refund in ACE",
            members[0].number if len(members) == 1 else None,
        )
    )  # fmt: skip


def _refund_gross(w: _Work, refund_number: str) -> Decimal:
    """The entry's part of one refund: its refund rows with that number, or all of them when
    none carries it (a report without refund numbers, the REV-603 row linked by entry)."""
    rows = [r for r in w.reported if r.refund_number == refund_number]
    if not rows:
        return _gross(w)
    return sum((r.total or ZERO for r in rows), ZERO)


def _gross(w: _Work) -> Decimal:
    return (w.values.get("principal_reported") or ZERO) + (
        w.values.get("interest_reported") or ZERO
    )
