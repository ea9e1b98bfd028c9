"""The windows that open when an entry liquidates: one home for their arithmetic.

Screening, the deadline calendar and the charts all count from the
liquidation date with these numbers:

- the CAPE look-back: the days after liquidation an entry can still be
  declared; a dated rule (``lookback_days`` in ``data/cape_rules``, 80 days from
  2026-04-20), never a constant here;
- 90 days: CBP may reliquidate on its own (19 U.S.C. 1501);
- 180 days: the protest deadline (19 U.S.C. 1514(c)(3)).

A window of ``days`` days is open on the ``days``-th day after liquidation and
closed on the next (:func:`within`): CAPE takes an entry declared 80 days after
it liquidated, not 81, and a protest filed on day 180 is in time:

    >>> within(date(2026, 5, 1), date(2026, 7, 20), 80), within(date(2026, 5, 1), date(2026, 7, 21), 80)
    (True, False)

Where CAPE money is expected (:func:`expected_liquidation`): an unliquidated
entry liquidates some days after CAPE accepts it; a liquidated one is
reliquidated by the end of its reliquidation window, never before acceptance:

    >>> expected_liquidation(None, accepted=date(2026, 5, 1), liquidate_within=45, reliquidate_within=90)
    datetime.date(2026, 6, 15)
    >>> expected_liquidation(date(2026, 3, 1), accepted=date(2026, 5, 1), liquidate_within=45, reliquidate_within=90)
    datetime.date(2026, 5, 30)

    >>> from datetime import date
    >>> deadlines(date(2026, 5, 1), lookback=80)
    Deadlines(cape_window_closes=datetime.date(2026, 7, 20), reliquidation_window_closes=datetime.date(2026, 7, 30), protest_window_closes=datetime.date(2026, 10, 28))
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Deadlines",
    "PROTEST_DAYS",
    "RELIQUIDATION_DAYS",
    "closes",
    "days_since",
    "deadlines",
    "expected_liquidation",
    "within",
]

#: 19 U.S.C. 1501: CBP may reliquidate on its own within 90 days of liquidation.
RELIQUIDATION_DAYS = 90
#: 19 U.S.C. 1514(c)(3): a protest is filed within 180 days of liquidation.
PROTEST_DAYS = 180
_RELIQUIDATION, _PROTEST = timedelta(days=RELIQUIDATION_DAYS), timedelta(days=PROTEST_DAYS)


class Deadlines(BaseModel):
    """The dates that matter once an entry has liquidated (None: not liquidated, or no rule)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cape_window_closes: date | None
    """The last day CAPE takes the entry: liquidation + the look-back in force."""
    reliquidation_window_closes: date | None
    protest_window_closes: date | None


def closes(liquidated: date, days: int) -> date:
    """The day a window of ``days`` days from liquidation closes."""
    return liquidated + timedelta(days=days)


def deadlines(liquidated: date | None, *, lookback: int | None) -> Deadlines:
    """Every window of an entry liquidated on ``liquidated``; ``lookback`` from the CAPE rules."""
    if liquidated is None:
        return Deadlines(
            cape_window_closes=None, reliquidation_window_closes=None, protest_window_closes=None
        )
    return Deadlines(
        cape_window_closes=liquidated + timedelta(days=lookback) if lookback is not None else None,
        reliquidation_window_closes=liquidated + _RELIQUIDATION,
        protest_window_closes=liquidated + _PROTEST,
    )


def days_since(liquidated: date, on: date) -> int:
    """Days from liquidation to ``on`` (negative when ``on`` comes first)."""
    return (on - liquidated).days


def within(liquidated: date, on: date, days: int) -> bool:
    """Whether a window of ``days`` days from ``liquidated`` is still open on ``on``."""
    return days_since(liquidated, on) <= days


def expected_liquidation(
    liquidated: date | None, *, accepted: date, liquidate_within: int, reliquidate_within: int
) -> date:
    """The (re)liquidation that refunds a CAPE entry accepted on ``accepted``.

    Unliquidated: ``liquidate_within`` days after acceptance (CBP's stated aim,
    45 days, CSMS #68340863). Liquidated: the last day of the reliquidation
    window, ``reliquidate_within`` days after liquidation (19 U.S.C. 1501), and
    not before acceptance, the earliest CBP can act on the declaration.
    """
    if liquidated is None:
        return accepted + timedelta(days=liquidate_within)
    return max(accepted, closes(liquidated, reliquidate_within))
