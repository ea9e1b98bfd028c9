"""One entry while it is reconciled, and the constants every step shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..entry import Entry
from ..es003.report import Problem
from ..refund import EntryRefund
from .files import (
    CbpRefund,
    ClaimRow,
    TradeRefund,
)

ZERO = Decimal("0.00")
#: A deposit may post a few days before the refund date a report shows.
EARLY_DAYS = 5
#: The longest deposit window ``reconcile`` takes (ten years, as the command's other day
#: counts): longer finds no payment a shorter one misses, and overflows the calendar.
MAX_WINDOW_DAYS = 3650


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
    offsets: dict[str, Decimal] = field(default_factory=dict)
    """What REV-603 diverted, by refund number (an entry refunded twice is paid twice)."""
    notes: list[str] = field(default_factory=list)


def _problem(
    file: str, row: int, code: str, message: str, entry_number: str | None = None
) -> Problem:
    return Problem(
        code=code, message=message, file=file, row=row, rows=0, entry_number=entry_number
    )
