"""One-off federal closures as dated data (``data/federal_closures/``).

The legal public holidays follow fixed rules (:mod:`ieepa_refund.dates`); an
executive order's extra day off does not, so it is data: one row per closed
day with the order behind it. The PMS deposit-date rule skips these days;
:class:`~ieepa_refund.refund.RefundOptions` ``closures`` replaces them.

    >>> from datetime import date
    >>> date(2025, 1, 9) in default_federal_closures()
    True
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .._resources import as_dir, read_csv, read_manifest
from ..errors import DataError

__all__ = ["Closure", "default_federal_closures", "load_federal_closures"]

COLUMNS = ("date", "authority", "notes", "source")


class Closure(BaseModel):
    """One day the executive departments and agencies were closed by order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    authority: str
    notes: str
    source: str


def load_federal_closures(where: str | Path | Traversable | None = None) -> tuple[Closure, ...]:
    """The closures of a folder (the shipped ``data/federal_closures`` when None), by date."""
    folder = as_dir(where, "federal_closures")
    read_manifest(folder)
    closures: list[Closure] = []
    for number, row in enumerate(read_csv(folder, "closures.csv", COLUMNS), start=2):
        where_ = f"closures.csv row {number}"
        try:
            day = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise DataError(f"{where_}: date is not an ISO date: {row['date']!r}") from None
        if not row["authority"].strip() or not row["source"].strip():
            raise DataError(f"{where_}: every closure names its authority and source")
        if closures and day <= closures[-1].day:
            raise DataError(f"{where_}: dates must be sorted and unique ({day.isoformat()})")
        closures.append(
            Closure(
                day=day,
                authority=row["authority"].strip(),
                notes=row["notes"].strip(),
                source=row["source"].strip(),
            )
        )
    return tuple(closures)


@cache
def default_federal_closures() -> frozenset[date]:
    """The shipped closure days, loaded once per process."""
    return frozenset(c.day for c in load_federal_closures())
