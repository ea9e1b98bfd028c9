"""Charts for notebooks and reports (the ``plot`` extra: matplotlib).

Each function returns a :class:`matplotlib.figure.Figure` built directly,
without pyplot: it never calls ``show()`` and touches no global state, so it
works the same in a notebook, a script or a headless server
(``figure.savefig("refunds.png")``). Amounts are drawn in dollars; the
figures behind them stay exact in the results.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..cape.deadlines import PROTEST_DAYS, RELIQUIDATION_DAYS
from ..money import to_float

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..payments import Consolidation
    from ..refund import EntryRefund
    from ..roads import Roads
    from .deadlines import DeadlineCalendar

__all__ = [
    "cash_timeline",
    "deadline_cliff",
    "money_by_road",
    "payments_chart",
    "refund_by_program",
    "road_deadlines",
]

ZERO = Decimal("0.00")
#: 19 U.S.C. 1505(c)-(d): CBP pays a refund within 30 days of (re)liquidation.
PAYMENT_DAYS = 30


def _figure(width: float = 9.0, height: float = 4.5) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'ieepa-refund[plot]'") from None

    class Chart(Figure):
        """A Figure that shows itself in a notebook without pyplot's inline backend."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return Chart(figsize=(width, height), layout="constrained")


def _days(days: Iterable[date]) -> Any:
    import numpy as np

    return np.array(list(days), dtype="datetime64[D]")


def _dollars(value: Decimal) -> float:
    return to_float(value)  # drawing only: the results keep the exact Decimal


def payments_chart(consolidation: Consolidation, *, top: int = 8) -> Figure:
    """Refund and interest by liquidation date, and by payee (the ``top`` largest, the rest together)."""
    figure = _figure(10, 4.5)
    by_date, by_payee = figure.subplots(1, 2, width_ratios=(3, 2))
    dates: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    payees: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for p in consolidation.payments:
        dates[p.liquidation_date][0] += p.principal
        dates[p.liquidation_date][1] += p.interest
        payees[p.payee][0] += p.principal
        payees[p.payee][1] += p.interest
    order = sorted(dates)
    principal = [_dollars(dates[d][0]) for d in order]
    interest = [_dollars(dates[d][1]) for d in order]
    by_date.bar(_days(order), principal, width=5, label="principal")
    by_date.bar(_days(order), interest, width=5, bottom=principal, label="interest")
    by_date.set_title("Refund by liquidation date")
    by_date.set_ylabel("US$")
    by_date.legend()
    by_date.tick_params(axis="x", labelrotation=45)
    ranked = sorted(payees.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
    shown, rest = ranked[:top], ranked[top:]
    if rest:
        shown.append(
            (
                f"{len(rest)} others",
                [sum((v[0] for _, v in rest), ZERO), sum((v[1] for _, v in rest), ZERO)],
            )
        )
    names = [name for name, _ in shown][::-1]
    p_values = [_dollars(v[0]) for _, v in shown][::-1]
    i_values = [_dollars(v[1]) for _, v in shown][::-1]
    by_payee.barh(names, p_values, label="principal")
    by_payee.barh(names, i_values, left=p_values, label="interest")
    by_payee.set_title("Refund by payee")
    by_payee.set_xlabel("US$")
    return figure


def cash_timeline(consolidation: Consolidation, *, payment_days: int = PAYMENT_DAYS) -> Figure:
    """Expected cash: each payment's net, cumulated, at liquidation plus ``payment_days``."""
    figure = _figure()
    axes = figure.subplots()
    arrivals: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for p in consolidation.payments:
        arrivals[p.liquidation_date + timedelta(days=payment_days)] += p.net
    order = sorted(arrivals)
    running, points = ZERO, []
    for day in order:
        running += arrivals[day]
        points.append(_dollars(running))
    axes.step(_days(order), points, where="post")
    axes.set_title(f"Expected cash (payment {payment_days} days after liquidation at the latest)")
    axes.set_ylabel("cumulative US$")
    axes.tick_params(axis="x", labelrotation=45)
    return figure


def deadline_cliff(calendar: DeadlineCalendar) -> Figure:
    """Money whose window closes, week by week: CAPE, reliquidation and protest windows."""
    figure = _figure()
    axes = figure.subplots()
    weeks = [w.week_start for w in calendar.weeks]
    series = (
        (calendar.cape_label, [_dollars(w.cape_at_stake) for w in calendar.weeks]),
        (
            f"reliquidation ({RELIQUIDATION_DAYS} days)",
            [_dollars(w.reliquidation_at_stake) for w in calendar.weeks],
        ),
        (f"protest ({PROTEST_DAYS} days)", [_dollars(w.protest_at_stake) for w in calendar.weeks]),
    )
    offsets = (-2, 0, 2)
    for (label, values), offset in zip(series, offsets, strict=True):
        axes.bar(_days(w + timedelta(days=offset) for w in weeks), values, width=2, label=label)
    axes.set_title("Money whose window closes, by week")
    axes.set_ylabel("US$")
    axes.legend()
    axes.tick_params(axis="x", labelrotation=45)
    return figure


def _by_program(refunds: Iterable[EntryRefund]) -> dict[str, Decimal]:
    """Each line's refund by program; the MFN restored on a 15% all-in line counts against its deal.

    The bars add up to the principal: what is left on a line after its IEEPA
    headings (the restored MFN duty on the Chapter 1-97 number) goes to the
    line's all-in heading, or to "not IEEPA" where the line has none. An
    incomplete entry establishes no principal, so its rows kept are left out.
    """
    programs: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for refund in refunds:
        if "INCOMPLETE_ENTRY" in refund.warning_codes:
            continue
        for line in refund.lines:
            topup = None
            assigned = ZERO
            for t in line.tariffs:
                if t.period is not None:
                    programs[t.period.program] += t.refund
                    assigned += t.refund
                    if t.period.rate_type == "inclusive_15_topup":
                        topup = t.period.program
            rest = line.refund - assigned
            if rest:
                programs[topup or "not IEEPA"] += rest
    return programs


def refund_by_program(refunds: Iterable[EntryRefund]) -> Figure:
    """Refund by IEEPA program (fentanyl, reciprocal, Brazil, India...), from each heading's period."""
    figure = _figure()
    axes = figure.subplots()
    programs = _by_program(refunds)
    ranked = sorted(((k, v) for k, v in programs.items() if v), key=lambda kv: kv[1])
    axes.barh([name for name, _ in ranked], [_dollars(v) for _, v in ranked])
    axes.set_title("Refund by IEEPA program")
    axes.set_xlabel("US$")
    return figure


def money_by_road(roads: Roads) -> Figure:
    """Principal and interest on each road (CAPE now, protest, window closed...), named in words."""
    figure = _figure()
    axes = figure.subplots()
    totals = roads.totals()[::-1]  # the first road on top
    names = [t.label for t in totals]
    principal = [_dollars(t.principal) for t in totals]
    interest = [_dollars(t.interest) for t in totals]
    axes.barh(names, principal, label="principal")
    axes.barh(names, interest, left=principal, label="interest")
    axes.set_title("Where each refund dollar stands")
    axes.set_xlabel("US$")
    axes.set_xlim(left=0)
    axes.legend()
    return figure


def road_deadlines(roads: Roads) -> Figure:
    """The money whose next deadline has passed, cumulated by date from zero, one line per road.

    Each step is the day a next action (declare, protest, fix the input) is
    due; the money drawn is the principal and known interest behind it.
    """
    figure = _figure()
    axes = figure.subplots()
    due: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in roads:
        if r.deadline is not None:
            due[r.label][r.deadline] += r.principal + (r.interest or ZERO)
    starts = [r.declared_on for r in roads]
    start = min(starts) if starts else None
    for label, by_day in due.items():
        order = sorted(by_day)
        running, points = ZERO, [0.0]
        for day in order:
            running += by_day[day]
            points.append(_dollars(running))
        first = min(start, order[0]) if start is not None else order[0]
        # A week past the last deadline, so the last step shows as a level, not a bare riser.
        tail = order[-1] + timedelta(days=7)
        axes.step(_days([first, *order, tail]), [*points, points[-1]], where="post", label=label)
    if start is not None:
        axes.axvline(_days([start])[0], color="grey", linestyle=":", label="declaration date")
    axes.set_ylim(bottom=0)
    axes.set_title("Money whose next deadline has passed, by date")
    axes.set_ylabel("cumulative US$")
    axes.set_xlabel("deadline of the next action")
    if due or start is not None:
        axes.legend()
    axes.tick_params(axis="x", labelrotation=45)
    return figure
