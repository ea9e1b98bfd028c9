"""A calendar of the deadlines that matter: week by week, the money whose window closes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from .._model import check_date, check_items
from .._tabular import Tabular
from ..cape.deadlines import PROTEST_DAYS, RELIQUIDATION_DAYS, closes
from ..cape.rules import CapeRules, default_cape_rules
from ..errors import InvalidFormat
from ..money import total
from ..refund import EntryRefund
from ..tables import Level, column, summary_html

__all__ = ["DeadlineCalendar", "DeadlineWeek", "deadline_calendar"]

ZERO = Decimal("0.00")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DeadlineWeek(BaseModel):
    """One week (Monday to Sunday) and the windows that close in it."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "week",
            column("week_start", "date"), column("cape_closing", "int", lambda w: len(w.cape)),
            column("cape_at_stake", "money"),
            column("reliquidation_closing", "int", lambda w: len(w.reliquidation)),
            column("reliquidation_at_stake", "money"),
            column("protest_closing", "int", lambda w: len(w.protest)),
            column("protest_at_stake", "money"),
        ),
    )  # fmt: skip

    week_start: date
    cape: tuple[str, ...]
    cape_at_stake: Decimal
    reliquidation: tuple[str, ...]
    reliquidation_at_stake: Decimal
    protest: tuple[str, ...]
    protest_at_stake: Decimal

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


class DeadlineCalendar(Tabular, BaseModel):
    """Week by week, the money whose window closes."""

    model_config = _FROZEN

    start: date
    lookback_days: int | None
    """The CAPE look-back in force on ``start``; None where no rule is (before CAPE opened)."""
    weeks: tuple[DeadlineWeek, ...]

    @property
    def cape_label(self) -> str:
        """The CAPE window in words, for tables and charts."""
        if self.lookback_days is None:
            return "CAPE window (no look-back in force)"
        return f"CAPE window ({self.lookback_days} days)"

    def items_for_tables(self) -> tuple[DeadlineWeek, ...]:
        return self.weeks

    def summary_html(self) -> str:
        rows = [
            ("weeks from", self.start),
            (f"{self.cape_label}s closing", sum(len(w.cape) for w in self.weeks)),
            ("money at stake", total(w.cape_at_stake for w in self.weeks)),
            (
                f"reliquidation windows ({RELIQUIDATION_DAYS} days) closing",
                sum(len(w.reliquidation) for w in self.weeks),
            ),
            (
                f"protest windows ({PROTEST_DAYS} days) closing",
                sum(len(w.protest) for w in self.weeks),
            ),
        ]
        return summary_html("Deadlines", rows)


def deadline_calendar(
    refunds: Iterable[EntryRefund],
    *,
    start: date,
    weeks: int = 13,
    rules: CapeRules | None = None,
) -> DeadlineCalendar:
    """For each of ``weeks`` weeks from the Monday of ``start``'s week, the windows that close.

    The CAPE window is the look-back in force on ``start`` (80 days from
    2026-04-20); where no look-back is in force (before CAPE opened) the
    calendar says so (``lookback_days`` None) and lists no CAPE windows. Money
    at stake is each entry's principal and interest (principal alone where the
    interest is not known).
    """
    refunds = check_items(refunds, EntryRefund, field="refunds")
    start = check_date(start, field="start")
    # Ten years of weeks is far past any window; a bigger number is a typo, not a calendar.
    if type(weeks) is not int or not 1 <= weeks <= 520:
        raise InvalidFormat("a whole number of weeks from 1 to 520", field="weeks", value=weeks)
    lookback = (rules or default_cape_rules()).in_force(start).lookback_days
    monday = start - timedelta(days=start.weekday())
    if monday.year + weeks // 52 + 2 > date.max.year:  # the windows would run past year 9999
        raise InvalidFormat("too late for a calendar of weeks", field="start", value=start)
    end = monday + timedelta(days=7 * weeks)
    buckets: dict[str, list[list[tuple[str, Decimal]]]] = {
        name: [[] for _ in range(weeks)] for name in ("cape", "reliquidation", "protest")
    }
    for refund in refunds:
        if refund.liquidation_date is None or refund.principal <= 0:
            continue
        stake = refund.principal + (refund.interest or ZERO)
        windows = [("reliquidation", RELIQUIDATION_DAYS), ("protest", PROTEST_DAYS)]
        if lookback is not None:
            windows.append(("cape", lookback))
        for name, days in windows:
            day = closes(refund.liquidation_date, days)
            if start <= day < end:
                buckets[name][(day - monday).days // 7].append((refund.entry_number, stake))
    return DeadlineCalendar(
        start=start,
        lookback_days=lookback,
        weeks=tuple(
            DeadlineWeek(
                week_start=monday + timedelta(days=7 * i),
                cape=tuple(n for n, _ in buckets["cape"][i]),
                cape_at_stake=total(s for _, s in buckets["cape"][i]),
                reliquidation=tuple(n for n, _ in buckets["reliquidation"][i]),
                reliquidation_at_stake=total(s for _, s in buckets["reliquidation"][i]),
                protest=tuple(n for n, _ in buckets["protest"][i]),
                protest_at_stake=total(s for _, s in buckets["protest"][i]),
            )
            for i in range(weeks)
        ),
    )
