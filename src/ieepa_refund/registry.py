"""The IEEPA Chapter 99 registry: which numbers are IEEPA, at what rate, when.

The data lives in ``data/htsus_ch99/`` (shipped in the wheel): one row per
heading per rate period, ``effective_from`` inclusive and ``effective_to``
exclusive, both dates of entry (or withdrawal) for consumption, every row
with its source. A second file maps whole Chapter 99 blocks to their authority
so that Section 301, 232 and 122 numbers are recognised as *not* IEEPA; a bare
``9903.`` prefix test would be wrong.

    >>> reg = default_registry()
    >>> p = reg.lookup("9903.01.24", date(2025, 12, 1))
    >>> p.program, p.rate_percent, p.effective_from
    ('fentanyl_china', Decimal('10'), datetime.date(2025, 11, 10))
    >>> reg.classify("99038803", date(2025, 6, 1)).status
    'not_ieepa'
    >>> reg.lookup("9903.01.24", date(2026, 3, 1))
    Traceback (most recent call last):
    ...
    ieepa_refund.HeadingNotInForce: 9903.01.24 is not in force on 2026-03-01; its periods: 2025-03-04 to 2025-11-10, 2025-11-10 to 2026-02-24

The period in force is found with :func:`bisect.bisect_right` over each
heading's sorted start dates, as ``zoneinfo`` finds a transition.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_serializer

from . import hts as _hts
from ._model import Model
from ._resources import as_dir, once, read_csv, read_manifest
from .errors import DataError, HeadingNotFound, HeadingNotInForce, ValidationError

__all__ = [
    "Ch99Range",
    "Classification",
    "EXEMPT_KINDS",
    "HeadingPeriod",
    "IEEPA_STATUSES",
    "INVALID_HTS_STATUS",
    "Registry",
    "carries_ieepa_duty",
    "default_registry",
    "is_ieepa_status",
    "is_invalid_hts",
]

Kind = Literal["duty", "exemption", "exception", "informational"]
Status = Literal["ieepa", "ieepa_not_in_force", "ieepa_unknown", "not_ieepa", "not_chapter99"]

# The one definition of "is this IEEPA": refunds, CAPE screening, the command and the
# charts all ask these, so a new status or kind is decided here once.
#: An IEEPA number in force, one used outside its period (CAPE: 'INVALID HTS'), and an
#: unknown number inside a Chapter 99 block the data assigns to IEEPA.
IEEPA_STATUSES: frozenset[Status] = frozenset({"ieepa", "ieepa_not_in_force", "ieepa_unknown"})
#: An IEEPA number used outside its period: CAPE answers 'INVALID HTS'.
INVALID_HTS_STATUS: Status = "ieepa_not_in_force"
#: Heading kinds that relieve goods of IEEPA duty instead of imposing it: CAPE does not
#: count them as IEEPA duty on the entry ('NO IEEPA HTS ON ENTRY').
EXEMPT_KINDS: frozenset[Kind] = frozenset({"exemption", "exception"})


def is_ieepa_status(status: str) -> bool:
    """Whether a classification status names an IEEPA number (in force or not, or unknown)."""
    return status in IEEPA_STATUSES


def is_invalid_hts(status: str) -> bool:
    """An IEEPA number used outside its period: CAPE answers 'INVALID HTS'."""
    return status == INVALID_HTS_STATUS


def carries_ieepa_duty(status: str, period: HeadingPeriod | None) -> bool:
    """Whether a number of this status and period may carry IEEPA duty (not an exemption).

    An unknown number in an IEEPA block has no period and counts as carrying duty:
    nothing says it is an exemption.
    """
    return status in IEEPA_STATUSES and (period is None or period.kind not in EXEMPT_KINDS)


ALL_COUNTRIES = "*"

HEADING_COLUMNS = (
    "heading",
    "program",
    "kind",
    "rate_type",
    "rate_percent",
    "countries",
    "countries_except",
    "effective_from",
    "effective_to",
    "dual_purpose",
    "confidence",
    "notes",
    "source",
)
RANGE_COLUMNS = ("first", "last", "authority", "ieepa", "notes", "source")
GROUP_COLUMNS = ("group", "country", "source")


class HeadingPeriod(Model):
    """One IEEPA heading over one rate period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    heading: str
    """Compact 8 digits (``'99030125'``)."""
    program: str
    kind: Kind
    rate_type: str | None
    rate_percent: Decimal | None
    """For ``inclusive_15_topup`` headings: the all-in total (15), not the IEEPA part."""
    countries: frozenset[str]
    """ISO codes, or ``{'*'}`` for every country; empty where the data does not say."""
    countries_except: frozenset[str] = frozenset()
    effective_from: date | None
    effective_to: date | None
    dual_purpose: bool = False
    confidence: str
    notes: str
    source: str

    @property
    def display_heading(self) -> str:
        return _hts.format(self.heading)

    @property
    def period_text(self) -> str:
        if self.effective_from is None:
            return "never in force"
        return f"{self.effective_from.isoformat()} to {self.effective_to.isoformat() if self.effective_to else 'open'}"

    @field_serializer("countries", "countries_except")
    def _sorted(self, codes: frozenset[str]) -> list[str]:
        # A set's order follows the string hash, which changes from run to run: sorted, the
        # same data gives the same JSON bytes.
        return sorted(codes)

    def in_force(self, on: date) -> bool:
        if self.effective_from is None:
            return False
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def applies_to(self, country: str) -> bool | None:
        """Whether goods of ``country`` may use this heading (None: the data does not say)."""
        if not self.countries:
            return None
        if country in self.countries_except:
            return False
        return ALL_COUNTRIES in self.countries or country in self.countries


class Ch99Range(BaseModel):
    """A block of Chapter 99 numbers and the authority behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: str
    last: str
    authority: str
    ieepa: bool
    notes: str
    source: str


class Classification(BaseModel):
    """What one HTS number is on one date of entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hts: str
    status: Status
    authority: str | None = None
    period: HeadingPeriod | None = None
    """The period in force; for ``ieepa_not_in_force``, the period nearest the date."""

    @property
    def is_ieepa(self) -> bool:
        return self.status in IEEPA_STATUSES

    @property
    def carries_ieepa_duty(self) -> bool:
        """An IEEPA number that may carry duty (not an exemption or exception heading)."""
        return carries_ieepa_duty(self.status, self.period)

    @property
    def invalid_hts(self) -> bool:
        """An IEEPA number used outside its period (CAPE: 'INVALID HTS')."""
        return self.status == INVALID_HTS_STATUS


class Registry:
    """Chapter 99 periods indexed by heading; immutable once built.

    Build one from rows (what-if runs, tests) or load the shipped data with
    :func:`default_registry` / :meth:`Registry.load`.
    """

    __slots__ = ("_by_heading", "_classify", "_range_firsts", "_ranges", "_starts", "data_version")

    def __init__(
        self,
        periods: Iterable[HeadingPeriod],
        ranges: Iterable[Ch99Range] = (),
        *,
        data_version: str,
    ) -> None:
        self.data_version = data_version
        by_heading: dict[str, list[HeadingPeriod]] = {}
        for position, period in enumerate(periods):
            if not isinstance(period, HeadingPeriod):
                raise DataError(
                    f"periods[{position}]: a HeadingPeriod is expected, not {type(period).__name__}"
                )
            by_heading.setdefault(period.heading, []).append(period)
        self._by_heading: dict[str, tuple[HeadingPeriod, ...]] = {}
        self._starts: dict[str, list[date]] = {}
        for heading, items in by_heading.items():
            dated = sorted((p for p in items if p.effective_from), key=_start)
            undated = [p for p in items if not p.effective_from]
            for before, after in itertools.pairwise(dated):
                if before.effective_to is None or before.effective_to > _start(after):
                    raise DataError(
                        f"{_hts.format(heading)}: periods overlap "
                        f"({before.period_text} and {after.period_text})"
                    )
            self._by_heading[heading] = (*dated, *undated)
            self._starts[heading] = [_start(p) for p in dated]
        self._ranges = tuple(sorted(ranges, key=lambda r: r.first))
        for low, high in itertools.pairwise(self._ranges):
            if low.last >= high.first:
                raise DataError(
                    f"Chapter 99 ranges overlap: {low.first}-{low.last} and {high.first}"
                )
        self._range_firsts = [r.first for r in self._ranges]
        # Memoised per registry: an ES-003 repeats a few thousand (number, date) pairs millions of times.
        self._classify = lru_cache(maxsize=1 << 18)(self._classify_uncached)

    def __repr__(self) -> str:
        return f"<Registry {self.data_version}: {len(self._by_heading)} headings>"

    @classmethod
    def load(cls, where: str | Path | Traversable | None = None) -> Registry:
        """Load a registry folder (the shipped ``data/htsus_ch99`` when None)."""
        folder = as_dir(where, "htsus_ch99")
        manifest = read_manifest(folder)
        groups: dict[str, set[str]] = {}
        for row in read_csv(folder, "country_groups.csv", GROUP_COLUMNS):
            groups.setdefault(row["group"].strip(), set()).add(row["country"].strip())
        periods = [
            _period_from_row(row, number, groups)
            for number, row in enumerate(
                read_csv(folder, "ieepa_headings.csv", HEADING_COLUMNS), start=2
            )
        ]
        ranges = [
            _range_from_row(row, number)
            for number, row in enumerate(
                read_csv(folder, "ch99_ranges.csv", RANGE_COLUMNS), start=2
            )
        ]
        return cls(periods, ranges, data_version=str(manifest["data_version"]))

    @property
    def headings(self) -> tuple[str, ...]:
        """Every heading the registry holds, compact and sorted."""
        return tuple(sorted(self._by_heading))

    @property
    def ranges(self) -> tuple[Ch99Range, ...]:
        return self._ranges

    def periods_of(self, number: str) -> tuple[HeadingPeriod, ...]:
        """All periods of a heading, oldest first. Raises :class:`HeadingNotFound`."""
        heading = _heading_key(number)
        try:
            return self._by_heading[heading]
        except KeyError:
            raise HeadingNotFound(f"{_hts.format(heading)} is not in the IEEPA registry") from None

    def lookup(self, number: str, on: date) -> HeadingPeriod:
        """The period of ``number`` in force on ``on`` (a date of entry).

        Raises :class:`HeadingNotFound` for a number the registry does not hold
        and :class:`HeadingNotInForce` for a date outside all of its periods.
        """
        period = self._in_force(_heading_key(number), on)
        if period is None:
            periods = self.periods_of(number)
            spans = ", ".join(p.period_text for p in periods)
            raise HeadingNotInForce(
                f"{_hts.format(_heading_key(number))} is not in force on {on.isoformat()}; its periods: {spans}"
            )
        return period

    def authority(self, number: str) -> Ch99Range | None:
        """The Chapter 99 block a number falls in, if the data names one."""
        heading = _heading_key(number)
        index = bisect.bisect_right(self._range_firsts, heading) - 1
        if index >= 0 and heading <= self._ranges[index].last:
            return self._ranges[index]
        return None

    def classify(self, number: str, on: date) -> Classification:
        """Classify one HTS number on a date of entry; never raises for a valid number."""
        return self._classify(number, on)

    def _classify_uncached(self, number: str, on: date) -> Classification:
        clean = _hts.validate(number)
        if clean[:2] != "99":
            return Classification(hts=clean, status="not_chapter99")
        heading = clean[:8]
        periods = self._by_heading.get(heading)
        block = self.authority(heading)
        if periods is None:
            if block is None:
                return Classification(hts=clean, status="not_ieepa", authority=None)
            if block.ieepa:
                return Classification(hts=clean, status="ieepa_unknown", authority=block.authority)
            return Classification(hts=clean, status="not_ieepa", authority=block.authority)
        period = self._in_force(heading, on)
        if period is not None:
            return Classification(hts=clean, status="ieepa", authority="IEEPA", period=period)
        return Classification(
            hts=clean,
            status="ieepa_not_in_force",
            authority="IEEPA",
            period=_nearest(periods, on),
        )

    def _in_force(self, heading: str, on: date) -> HeadingPeriod | None:
        starts = self._starts.get(heading)
        if not starts:
            return None
        index = bisect.bisect_right(starts, on) - 1
        if index < 0:
            return None
        period = self._by_heading[heading][index]
        return period if period.in_force(on) else None


@once
def default_registry() -> Registry:
    """The shipped registry, loaded once per process."""
    return Registry.load()


def _start(period: HeadingPeriod) -> date:
    assert period.effective_from is not None
    return period.effective_from


def _nearest(periods: tuple[HeadingPeriod, ...], on: date) -> HeadingPeriod:
    dated = [p for p in periods if p.effective_from]
    if not dated:
        return periods[0]

    def distance(p: HeadingPeriod) -> int:
        assert p.effective_from is not None
        if on < p.effective_from:
            return (p.effective_from - on).days
        end = p.effective_to or on
        return max((on - end).days, 0)

    return min(dated, key=distance)


def _heading_key(number: str) -> str:
    return _hts.validate(number)[:8]


def _date(row: Mapping[str, str], column: str, where: str) -> date | None:
    text = row[column].strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}: {column} is not an ISO date: {text!r}") from None


def _codes(text: str, groups: Mapping[str, set[str]]) -> frozenset[str]:
    codes: set[str] = set()
    for item in filter(None, (part.strip() for part in text.split(";"))):
        codes |= groups.get(item, {item})
    return frozenset(codes)


def _period_from_row(
    row: Mapping[str, str], number: int, groups: Mapping[str, set[str]]
) -> HeadingPeriod:
    where = f"ieepa_headings.csv row {number}"
    try:
        heading = _hts.validate(row["heading"])
    except ValidationError as exc:
        raise DataError(f"{where}: {exc}") from None
    if len(heading) != 8 or heading[:2] != "99":
        raise DataError(f"{where}: not an 8-digit Chapter 99 heading: {row['heading']!r}")
    rate_text = row["rate_percent"].strip()
    try:
        return HeadingPeriod(
            heading=heading,
            program=row["program"].strip(),
            kind=row["kind"].strip(),  # checked by pydantic
            rate_type=row["rate_type"].strip() or None,
            rate_percent=Decimal(rate_text) if rate_text else None,
            countries=_codes(row["countries"], groups),
            countries_except=_codes(row["countries_except"], groups),
            effective_from=_date(row, "effective_from", where),
            effective_to=_date(row, "effective_to", where),
            dual_purpose=row["dual_purpose"].strip() == "1",
            confidence=row["confidence"].strip(),
            notes=row["notes"].strip(),
            source=row["source"].strip(),
        )
    except (ValueError, ArithmeticError) as exc:
        raise DataError(f"{where}: {exc}") from None


def _range_from_row(row: Mapping[str, str], number: int) -> Ch99Range:
    where = f"ch99_ranges.csv row {number}"
    try:
        return Ch99Range(
            first=_hts.validate(row["first"]),
            last=_hts.validate(row["last"]),
            authority=row["authority"].strip(),
            ieepa=row["ieepa"].strip() == "1",
            notes=row["notes"].strip(),
            source=row["source"].strip(),
        )
    except ValueError as exc:
        raise DataError(f"{where}: {exc}") from None
