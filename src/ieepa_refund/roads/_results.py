"""The roads' results: :class:`Road`, one entry's :class:`EntryRoad`, the money per road
(:class:`RoadTotal`, :func:`road_totals`) and every entry's :class:`Roads`, with their table schemas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, overload

from pydantic import BaseModel, ConfigDict

from .._tabular import Tabular
from ..cape.screen import Reason
from ..payments import Consolidation, consolidate
from ..tables import Level, column, detail_html, summary_html

ZERO = Decimal("0.00")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Road(StrEnum):
    """The road an entry's refund is on; ``label`` says it in plain words."""

    CAPE_NOW = "cape_now"
    CAPE_AT_LIQUIDATION = "cape_at_liquidation"
    CAPE_LATER = "cape_later"
    PROTEST = "protest"
    WINDOW_CLOSED = "window_closed"
    EXCLUDED = "excluded"
    INPUT_PROBLEM = "input_problem"
    NOTHING_TO_REFUND = "nothing_to_refund"
    DECLARED_UNCONFIRMED = "declared_unconfirmed"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def through_cape(self) -> bool:
        """Whether CBP pays this money through CAPE (the only roads a payment is predicted on)."""
        return self in (Road.CAPE_NOW, Road.CAPE_AT_LIQUIDATION, Road.CAPE_LATER)


_LABELS = {
    Road.CAPE_NOW: "CAPE now: refunded at (re)liquidation",
    Road.CAPE_AT_LIQUIDATION: "CAPE, refunded when the entry liquidates",
    Road.CAPE_LATER: "CAPE later: a later phase admits it",
    Road.PROTEST: "Protest within 180 days of liquidation",
    Road.WINDOW_CLOSED: "Window closed: only litigation remains",
    Road.EXCLUDED: "Excluded from CAPE",
    Road.INPUT_PROBLEM: "Input problem: fix it first",
    Road.NOTHING_TO_REFUND: "Nothing to refund",
    Road.DECLARED_UNCONFIRMED: "Declared; acceptance unknown - check the claim status",
}


class EntryRoad(Tabular, BaseModel):
    """One entry's road on one declaration date: its money, next action, deadline and dates."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"), column("payee", "str"),
            column("road", "str", lambda r: r.road.value), column("label", "str"),
            column("declared_on", "date"), column("liquidation_date", "date"),
            column("principal", "money"), column("principal_high", "money"),
            column("interest", "money"), column("interest_until", "date"),
            column("next_action", "str"), column("deadline", "date"),
            column("declare_from", "date"), column("declared_in", "str"),
            column("expected_liquidation", "date"), column("expected_payment", "date"),
            column("reasons", "str", lambda r: " ".join(r.reason_codes)),
            column("rules_version", "str"), column("timing_version", "str"),
        ),
    )  # fmt: skip

    entry_number: str
    payee: str
    road: Road
    declared_on: date
    liquidation_date: date | None
    principal: Decimal
    principal_high: Decimal | None
    interest: Decimal | None
    """Interest to ``interest_until``: on a CAPE road the expected (re)liquidation."""
    interest_until: date | None
    next_action: str
    deadline: date | None
    """The last day of the next action (declare, protest, fix), None when none is known."""
    declare_from: date | None
    """CAPE later: the first declaration date a rule in the data admits the entry."""
    declared_in: str | None
    """The declaration file the ledger names ("" when it names none); None: not declared."""
    expected_liquidation: date | None
    """The (re)liquidation that pays a CAPE refund; None off the CAPE roads or when unknown."""
    expected_payment: date | None
    """When the money is expected; None off the CAPE roads: no payment is predicted there."""
    reasons: tuple[Reason, ...]
    rules_version: str
    timing_version: str

    @property
    def label(self) -> str:
        return self.road.label

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def overdue(self) -> bool:
        """Declared, and the (re)liquidation expected from the declaration passed before the
        date the data are as of without the data showing it: no date is forecast.

        Every CAPE road has an expected date but one refunded at a liquidation not yet
        scheduled (unliquidated, at liquidation); any other without one is overdue."""
        return (
            self.road.through_cape
            and self.expected_liquidation is None
            and not (self.road is Road.CAPE_AT_LIQUIDATION and self.liquidation_date is None)
        )

    def summary_html(self) -> str:
        rows = [
            ("entry", self.entry_number),
            ("road", self.label),
            ("next action", self.next_action),
            ("deadline", self.deadline),
            ("principal", self.principal),
            ("interest", self.interest),
            ("expected payment", self.expected_payment),
        ]
        return summary_html("Where this refund stands", rows, Counter(self.reason_codes))


class RoadTotal(Tabular, BaseModel):
    """The entries and money on one road, and the first deadline among them."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "road",
            column("road", "str", lambda t: t.road.value), column("label", "str"),
            column("entries", "int"), column("principal", "money"), column("interest", "money"),
            column("interest_missing", "int"), column("next_deadline", "date"),
        ),
    )  # fmt: skip

    road: Road
    entries: int
    principal: Decimal
    interest: Decimal
    """The interest known; ``interest_missing`` entries with a refund have no figure."""
    interest_missing: int
    next_deadline: date | None

    @property
    def label(self) -> str:
        return self.road.label

    def summary_html(self) -> str:
        rows = [
            ("road", self.label),
            ("entries", self.entries),
            ("principal", self.principal),
            ("interest", self.interest),
            ("next deadline", self.next_deadline),
        ]
        return summary_html("Money on one road", rows)


@dataclass(frozen=True, slots=True)
class _Due:
    """What :func:`consolidate` needs of a CAPE refund: its expected date as the liquidation date."""

    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    interest: Decimal | None


@dataclass(frozen=True, slots=True, repr=False)
class Roads(Tabular, Sequence[EntryRoad]):
    """Every entry's road, in input order: an immutable sequence with totals per road."""

    roads: tuple[EntryRoad, ...]

    def __repr__(self) -> str:
        counts = Counter(r.road.value for r in self.roads)
        return f"<Roads: {len(self.roads)} entries, {dict(sorted(counts.items()))}>"

    def __len__(self) -> int:
        return len(self.roads)

    @overload
    def __getitem__(self, index: int) -> EntryRoad: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[EntryRoad, ...]: ...
    def __getitem__(self, index: int | slice) -> EntryRoad | tuple[EntryRoad, ...]:
        return self.roads[index]

    def __iter__(self) -> Iterator[EntryRoad]:
        return iter(self.roads)

    def items_for_tables(self) -> tuple[EntryRoad, ...]:
        return self.roads

    def on(self, road: Road) -> tuple[EntryRoad, ...]:
        """The entries on ``road``."""
        return tuple(r for r in self.roads if r.road is road)

    def totals(self) -> tuple[RoadTotal, ...]:
        """Entries and money per road, in :class:`Road` order, roads with no entry left out."""
        return road_totals(self.roads)

    def payments(
        self, *, offsets: Mapping[str, Decimal | int | str] | None = None
    ) -> Consolidation:
        """The money CBP is expected to pay through CAPE, by payee and expected (re)liquidation date.

        Only the CAPE roads; an entry whose (re)liquidation date is unknown
        (suspended, extended...) is in ``unliquidated``.
        """
        return consolidate(
            (
                _Due(r.entry_number, r.payee, r.expected_liquidation, r.principal, r.interest)
                for r in self.roads
                if r.road.through_cape
            ),
            offsets=offsets,
        )

    def summary_html(self) -> str:
        totals = self.totals()
        rows = [(t.label, t.principal + t.interest) for t in totals]
        detail = detail_html(
            ("road", "entries", "principal", "interest", "next deadline"),
            ((t.label, t.entries, t.principal, t.interest, t.next_deadline or "") for t in totals),
        )
        return summary_html(
            "Where each refund dollar stands",
            [("entries", len(self.roads)), *rows],
            Counter(c for r in self.roads for c in r.reason_codes),
            detail=detail,
        )


def road_totals(roads: Iterable[EntryRoad]) -> tuple[RoadTotal, ...]:
    """Entries and money per road (also used by the command, which keeps no :class:`Roads`)."""
    # One pass, in input order (so each sum adds in the same order as a sum per road would).
    found: dict[Road, list[Any]] = {}  # entries, principal, interest, missing, first deadline
    for r in roads:
        into = found.get(r.road)
        if into is None:
            into = found[r.road] = [0, ZERO, ZERO, 0, None]
        into[0] += 1
        into[1] += r.principal
        into[2] += r.interest or ZERO
        if r.interest is None and r.principal > 0:
            into[3] += 1
        if r.deadline is not None and (into[4] is None or r.deadline < into[4]):
            into[4] = r.deadline
    return tuple(
        RoadTotal(
            road=road,
            entries=into[0],
            principal=into[1],
            interest=into[2],
            interest_missing=into[3],
            next_deadline=into[4],
        )
        for road in Road
        if (into := found.get(road)) is not None
    )
