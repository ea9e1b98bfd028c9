"""When CAPE money is expected: the timing data (``data/cape_timing``), loaded once.

Three expectations, each in days and each a parameter a caller can replace:

- ``liquidation_after_acceptance``: an unliquidated entry CAPE accepts is
  "generally scheduled for liquidation within 45 days of CAPE acceptance"
  (CBP CAPE fact sheet, CSMS #68340863, as reposted by brokers);
- ``reliquidation_after_liquidation``: a liquidated entry is reliquidated
  inside the 90-day window of 19 U.S.C. 1501 (the 80-day look-back leaves CBP
  10 days); its last day is the expected date;
- ``payment_after_acceptance``: brokers relay CBP's guidance that the money
  comes 60 to 90 days after acceptance; the default is 75, the range is kept.

    >>> timing = default_cape_timing()
    >>> timing.liquidation_after_acceptance_days, timing.payment_after_acceptance_range
    (45, (60, 90))
    >>> timing.model_copy(update={"liquidation_after_acceptance_days": 30}).liquidation_after_acceptance_days
    30
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ConfigDict, Field

from .._model import Model
from .._resources import as_dir, once, read_csv, read_manifest
from ..errors import DataError

__all__ = ["CapeTiming", "default_cape_timing"]

COLUMNS = ("parameter", "days", "range_low", "range_high", "basis", "confidence", "source")
_PARAMETERS = (
    "liquidation_after_acceptance",
    "reliquidation_after_liquidation",
    "payment_after_acceptance",
)


class CapeTiming(Model):
    """The days CAPE money is expected to take; build one, or copy the shipped one with changes."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    liquidation_after_acceptance_days: int = Field(ge=0)
    """Days from CAPE acceptance to the liquidation of an unliquidated entry."""
    reliquidation_after_liquidation_days: int = Field(ge=0)
    """Days from liquidation by which a liquidated entry is reliquidated (19 U.S.C. 1501)."""
    payment_after_acceptance_days: int = Field(ge=0)
    """Days from CAPE acceptance to the money, never before the (re)liquidation."""
    payment_after_acceptance_range: tuple[int, int]
    """The span reported for the money (brokers: 60 to 90 days)."""
    data_version: str

    @classmethod
    def load(cls, where: str | Path | Traversable | None = None) -> CapeTiming:
        """Load a timing folder (the shipped ``data/cape_timing`` when None)."""
        folder = as_dir(where, "cape_timing")
        manifest = read_manifest(folder)
        rows: dict[str, dict[str, str]] = {}
        for number, row in enumerate(read_csv(folder, "timing.csv", COLUMNS), start=2):
            name = row["parameter"].strip()
            if name not in _PARAMETERS:
                raise DataError(
                    f"timing.csv row {number}: unknown parameter {name!r}; known: {_PARAMETERS}"
                )
            if name in rows:
                raise DataError(f"timing.csv row {number}: {name} is given twice")
            for key in ("days", "range_low", "range_high"):
                value = row[key].strip()
                if value and not (value.isascii() and value.isdigit()):
                    raise DataError(
                        f"timing.csv row {number}: {key} {value!r} is not a whole number of days"
                    )
            rows[name] = row
        missing = [name for name in _PARAMETERS if name not in rows]
        if missing:
            raise DataError(f"timing.csv: no row for {missing}")

        def days(name: str, key: str = "days") -> int:
            value = rows[name][key].strip()
            if not value:
                raise DataError(f"timing.csv: {name} has no {key}")
            return int(value)

        payment = days("payment_after_acceptance")
        low, high = (
            days("payment_after_acceptance", "range_low"),
            days("payment_after_acceptance", "range_high"),
        )
        if not low <= payment <= high:
            raise DataError(
                f"timing.csv: payment_after_acceptance {payment} is outside its range {low}-{high}"
            )
        return cls(
            liquidation_after_acceptance_days=days("liquidation_after_acceptance"),
            reliquidation_after_liquidation_days=days("reliquidation_after_liquidation"),
            payment_after_acceptance_days=payment,
            payment_after_acceptance_range=(low, high),
            data_version=str(manifest["data_version"]),
        )


@once
def default_cape_timing() -> CapeTiming:
    """The shipped timing, loaded once per process."""
    return CapeTiming.load()
