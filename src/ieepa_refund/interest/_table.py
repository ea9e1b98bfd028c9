"""The quarterly 26 U.S.C. 6621 rates: loaded from data, sorted, contiguous, looked up with bisect."""

from __future__ import annotations

import bisect
import calendar
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ConfigDict

from .._model import Model
from .._resources import as_dir, once, read_csv, read_manifest
from ..errors import DataError, InvalidFormat, RateNotCovered
from ._conventions import DayCount, RateColumn

__all__ = ["RATE_COLUMNS", "RatePeriod", "RateTable", "default_rate_table", "segments"]

RATE_COLUMNS = (
    "effective_from",
    "effective_to",
    "underpayment_pct",
    "overpayment_noncorporate_pct",
    "overpayment_corporate_pct",
    "overpayment_corporate_over_10k_pct",
    "status",
    "notes",
    "source",
)

_ONE_DAY = timedelta(days=1)
#: How far ``project=True`` carries the last known rate past the table. A refund of
#: 2025-26 deposits is paid within years, not centuries; a date far past the data is
#: a typo or a sentinel (9999-12-31), and projecting to it would build millions of days.
PROJECTION_YEARS = 10
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RatePeriod(Model):
    """One quarter's rates, percent per year."""

    model_config = _FROZEN

    effective_from: date
    effective_to: date
    noncorporate: Decimal
    corporate: Decimal
    corporate_over_10k: Decimal
    status: str
    notes: str
    source: str

    def rate(self, column: RateColumn) -> Decimal:
        value: Decimal = getattr(self, column)
        return value


class RateTable:
    """The quarterly rates, sorted and contiguous; looked up by day with bisect."""

    __slots__ = ("_starts", "data_version", "periods")

    def __init__(
        self, periods: list[RatePeriod] | tuple[RatePeriod, ...], *, data_version: str
    ) -> None:
        periods = tuple(periods)
        for period in periods:
            if not isinstance(period, RatePeriod):
                raise InvalidFormat("each period is a RatePeriod", field="periods", value=period)
        ordered = tuple(sorted(periods, key=lambda p: p.effective_from))
        if not ordered:
            raise DataError("an interest-rate table needs at least one period")
        for period in ordered:
            if period.effective_from >= period.effective_to:
                raise DataError(
                    f"rate period starting {period.effective_from} ends before it starts"
                )
        for before, after in itertools.pairwise(ordered):
            if before.effective_to != after.effective_from:
                raise DataError(
                    f"rate periods must be contiguous: one ends {before.effective_to}, "
                    f"the next starts {after.effective_from}"
                )
        self.periods = ordered
        self.data_version = data_version
        self._starts = [p.effective_from for p in ordered]

    def __repr__(self) -> str:
        return f"<RateTable {self.data_version}: {self.covers_from} to {self.covers_to}>"

    @classmethod
    def load(cls, where: str | Path | Traversable | None = None) -> RateTable:
        """Load a rate-table folder (the shipped ``data/interest_rates`` when None)."""
        folder = as_dir(where, "interest_rates")
        manifest = read_manifest(folder)
        periods = []
        for number, row in enumerate(
            read_csv(folder, "overpayment_rates.csv", RATE_COLUMNS), start=2
        ):
            where = f"overpayment_rates.csv row {number}"
            try:
                period = RatePeriod(
                    effective_from=date.fromisoformat(row["effective_from"]),
                    effective_to=date.fromisoformat(row["effective_to"]),
                    noncorporate=Decimal(row["overpayment_noncorporate_pct"]),
                    corporate=Decimal(row["overpayment_corporate_pct"]),
                    corporate_over_10k=Decimal(row["overpayment_corporate_over_10k_pct"]),
                    status=row["status"].strip(),
                    notes=row["notes"].strip(),
                    source=row["source"].strip(),
                )
            except (ValueError, ArithmeticError) as exc:
                raise DataError(f"{where}: {exc}") from None
            rates = (period.noncorporate, period.corporate, period.corporate_over_10k)
            # 26 U.S.C. 6621 rates are the federal short-term rate plus 0.5 to 3 points.
            if not all(r.is_finite() and 0 <= r <= 100 for r in rates):
                raise DataError(f"{where}: a rate outside 0-100 percent: {[str(r) for r in rates]}")
            if period.effective_from >= period.effective_to:
                raise DataError(f"{where}: effective_to is not after effective_from")
            periods.append(period)
        try:
            return cls(periods, data_version=str(manifest["data_version"]))
        except DataError as exc:
            raise DataError(f"overpayment_rates.csv: {exc}") from None

    @property
    def covers_from(self) -> date:
        return self.periods[0].effective_from

    @property
    def covers_to(self) -> date:
        """The first day *not* covered (exclusive end)."""
        return self.periods[-1].effective_to

    @property
    def projects_to(self) -> date:
        """The last day ``project=True`` reaches (``PROJECTION_YEARS`` past the table)."""
        return _projection_limit(self)

    def period_on(self, day: date) -> RatePeriod:
        """The quarter in force on ``day``; :class:`RateNotCovered` outside the table."""
        index = bisect.bisect_right(self._starts, day) - 1
        if index < 0 or day >= self.covers_to:
            raise RateNotCovered(
                f"no interest rate for {day.isoformat()}: the rate table (data "
                f"{self.data_version}) covers {self.covers_from.isoformat()} to "
                f"{(self.covers_to - _ONE_DAY).isoformat()}"
                + ("; pass project=True to carry the last known rate forward" if index >= 0 else "")
            )
        return self.periods[index]


@once
def default_rate_table() -> RateTable:
    """The shipped rate table, loaded once per process."""
    return RateTable.load()


def _projection_limit(table: RateTable) -> date:
    """The last day a projection reaches: the end of the year ``PROJECTION_YEARS`` on."""
    year = (table.covers_to - _ONE_DAY).year + PROJECTION_YEARS
    return date(min(year, date.max.year - 1), 12, 31)


def _year_days(day: date, day_count: DayCount) -> int:
    if day_count == "actual/360":
        return 360
    if day_count == "actual/365":
        return 365
    return 366 if calendar.isleap(day.year) else 365


def segments(
    first: date,
    last: date,
    table: RateTable,
    column: RateColumn,
    project: bool,
    day_count: DayCount,
) -> Iterator[tuple[date, date, Decimal, int, bool, str]]:
    """Runs of accrual days sharing one rate and one year length: (first, last, rate, year, projected, source)."""
    day = first
    while day <= last:
        try:
            period = table.period_on(day)
            rate, end, projected, source = (
                period.rate(column),
                period.effective_to,
                False,
                period.source,
            )
        except RateNotCovered:
            if not project or day < table.covers_from:
                raise
            limit = table.projects_to
            if last > limit:
                raise RateNotCovered(
                    f"no interest rate for {last.isoformat()}: project=True carries the last known "
                    f"rate at most {PROJECTION_YEARS} years past the rate table (data "
                    f"{table.data_version}), to {limit.isoformat()}"
                ) from None
            final = table.periods[-1]
            rate, end, projected = final.rate(column), date.max, True
            source = f"projected: the last known rate ({final.effective_from.isoformat()} quarter)"
        year_end = date(day.year + 1, 1, 1) if day.year < date.max.year else date.max
        stop = min(last + _ONE_DAY, end, year_end)
        yield day, stop - _ONE_DAY, rate, _year_days(day, day_count), projected, source
        day = stop
