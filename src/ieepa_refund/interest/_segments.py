"""Interest on an entry with several deposits and pre-liquidation refunds (19 CFR 24.36(a)(1)).

Interest on excess moneys deposited accrues "from the date the duties ... were
deposited ... to the date of liquidation or reliquidation" (19 CFR 24.36(a)(1);
19 U.S.C. 1505(c)). When the money on deposit changes before liquidation (a
supplemental deposit, for example with a post-summary correction, or a refund
CBP pays before liquidation), the span from the first deposit to liquidation
splits into segments at each change. In each segment the balance on deposit is
compared with the amount finally due: a balance above it is an overpayment on
which the importer is owed interest for that segment; a balance below it is an
underpayment on which the Government is owed interest (19 U.S.C. 1505(c),
underpayment interest from the date the deposit was required). The two are
netted into one figure.

Our reading, marked as such: the regulation's own worked examples could not be
retrieved from the public record available to us (only the single-deposit
example of 24.36(a)(1) was); the segmentation above follows the regulation's
words and the brief of issue #10. Each segment is its own accrual with the
shipped conventions (daily compounding within the segment; interest earned in
one segment does not compound into the next), rounded to the cent per segment;
the net is the sum of the rounded segments. Underpayment interest uses the
26 U.S.C. 6621(a)(2) rate, which equals the non-corporate overpayment rate in
every row of the shipped table (CBP's notices publish them as equal), so a
Government segment is accrued at the non-corporate column whatever ``corporate``
says.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> events = (
    ...     DepositEvent(kind="deposit", date=date(2025, 1, 2), amount="1000"),
    ...     DepositEvent(kind="deposit", date=date(2025, 6, 2), amount="200"),
    ... )
    >>> result = segmented_interest(events, final_amount_due=Decimal("400"), until=date(2025, 12, 1))
    >>> [(s.owed_to, s.excess, s.days) for s in result.segments]
    [('importer', Decimal('600'), 151), ('importer', Decimal('800'), 182)]
    >>> result.refund, result.interest
    (Decimal('800'), Decimal('46.04'))
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, field_validator

from .._model import Model
from .._trusted import trusted
from ..errors import InvalidFormat, InvalidPeriod
from ..money import Amount, to_decimal
from ._conventions import DEFAULT_CONVENTIONS, InterestConventions, InterestDetail
from ._engine import interest_detail
from ._exact import check_dates, check_flag, check_rates
from ._table import RateTable

__all__ = [
    "DepositEvent",
    "DepositKind",
    "InterestSegment",
    "SegmentedInterest",
    "segmented_interest",
]

DepositKind = Literal["deposit", "refund"]
OwedTo = Literal["importer", "government"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DepositEvent(Model):
    """Money moving on an entry before liquidation: a deposit paid in, or a refund paid out.

    ``deposit`` is the original deposit of estimated duties or a supplemental one (a
    post-summary correction that raises the duty, a voluntary tender under 19 CFR
    141.105); ``refund`` is money CBP paid back before liquidation (a post-summary
    correction that lowers it). ``amount`` is positive either way; ``kind`` gives the
    direction.
    """

    model_config = _FROZEN

    kind: DepositKind
    date: _dt.date
    amount: Amount

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError(f"amount must be more than 0 (got {value}); kind gives the direction")
        return value

    @property
    def signed(self) -> Decimal:
        """The change in the balance on deposit: + for a deposit, - for a refund."""
        return self.amount if self.kind == "deposit" else -self.amount


class InterestSegment(Model):
    """One span between changes of the balance on deposit, and the interest it bears."""

    model_config = _FROZEN

    start: _dt.date
    end: _dt.date
    balance: Decimal
    """Money on deposit during the segment (deposits less pre-liquidation refunds)."""
    excess: Decimal
    """``balance`` less the amount finally due: + overpaid, - underpaid."""
    owed_to: OwedTo | None
    """Who is owed this segment's interest; None when nothing is over- or underpaid."""
    interest: Decimal
    """This segment's interest, to the cent, never negative (``owed_to`` gives the side)."""
    detail: InterestDetail | None
    """The accrual's working (quarters, rates, factors); None for an empty segment."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def signed_interest(self) -> Decimal:
        """+ owed to the importer, - owed to the Government."""
        return -self.interest if self.owed_to == "government" else self.interest


class SegmentedInterest(Model):
    """Interest on an entry's deposits, segment by segment, netted (19 CFR 24.36(a)(1))."""

    model_config = _FROZEN

    events: tuple[DepositEvent, ...]
    final_amount_due: Decimal
    until: _dt.date
    segments: tuple[InterestSegment, ...]
    importer_interest: Decimal
    """Sum of the segments on which the importer is owed interest."""
    government_interest: Decimal
    """Sum of the segments on which the Government is owed interest."""
    interest: Decimal
    """``importer_interest - government_interest``: + a refund of interest, - a bill."""
    projected: bool
    data_version: str

    @property
    def deposited(self) -> Decimal:
        """Net money on deposit at liquidation: deposits less pre-liquidation refunds."""
        return sum((event.signed for event in self.events), Decimal(0))

    @property
    def refund(self) -> Decimal:
        """Principal refunded at liquidation: + a refund, - a bill for the shortfall."""
        return self.deposited - self.final_amount_due


def check_events(events: Any, *, field: str = "deposits") -> tuple[DepositEvent, ...]:
    """``events`` in date order, refusing a list that starts with a refund or overdraws.

    Two events on one day keep their given order. A balance below zero would mean CBP
    refunded money it never held: an input error, reported by the event's position.
    """
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidFormat("a sequence of DepositEvent is expected", field=field, value=events)
    items = tuple(events)
    for i, event in enumerate(items):
        if not isinstance(event, DepositEvent):
            raise InvalidFormat("a DepositEvent is expected", field=f"{field}[{i}]", value=event)
    if not items:
        raise InvalidFormat("at least one deposit is expected", field=field, value=items)
    ordered = tuple(sorted(items, key=lambda e: e.date))
    if ordered[0].kind != "deposit":
        raise InvalidFormat(
            f"the first event ({ordered[0].date.isoformat()}) is a refund: money is refunded "
            "only after it was deposited",
            field=field,
            value=ordered[0].date.isoformat(),
        )
    balance = Decimal(0)
    for event in ordered:
        balance += event.signed
        if balance < 0:
            raise InvalidFormat(
                f"the refund of {event.amount} on {event.date.isoformat()} is more than the "
                f"{balance + event.amount} on deposit",
                field=field,
                value=event.date.isoformat(),
            )
    return ordered


def segmented_interest(
    events: Iterable[DepositEvent],
    *,
    final_amount_due: Decimal | int | str,
    until: _dt.date,
    corporate: bool = False,
    rates: RateTable | None = None,
    project: bool = False,
    conventions: InterestConventions = DEFAULT_CONVENTIONS,
) -> SegmentedInterest:
    """Interest on ``events`` to ``until`` (the date of liquidation or reliquidation).

    ``final_amount_due`` is what the entry owes once (re)liquidated, in the same terms as
    the events (all duties, or only the part the events count). A segment whose balance
    exceeds it earns the importer interest at the overpayment rate (corporate when
    ``corporate``); one below it owes the Government interest at the underpayment rate.
    Every event must fall on or before ``until``.
    """
    ordered = check_events(events)
    due = to_decimal(final_amount_due, field="final_amount_due")
    if due < 0:
        raise InvalidFormat("must not be negative", field="final_amount_due", value=due)
    check_dates(ordered[0].date, until, names=("deposits[0].date", "until"))
    check_flag(corporate, field="corporate")
    table = check_rates(rates)
    if ordered[-1].date > until:
        raise InvalidPeriod(
            f"a {ordered[-1].kind} on {ordered[-1].date.isoformat()} falls after the interest "
            f"end {until.isoformat()}",
            field="until",
            value=until.isoformat(),
        )
    segments: list[InterestSegment] = []
    balance = Decimal(0)
    for i, event in enumerate(ordered):
        balance += event.signed
        end = ordered[i + 1].date if i + 1 < len(ordered) else until
        if end == event.date:
            continue  # a later event on the same day: no day passes at this balance
        excess = balance - due
        owed_to: OwedTo | None = None
        detail = None
        if excess:
            owed_to = "importer" if excess > 0 else "government"
            detail = interest_detail(
                abs(excess),
                deposited=event.date,
                until=end,
                # 6621(a)(2) underpayment = the non-corporate column (see the module docstring).
                corporate=corporate and owed_to == "importer",
                rates=table,
                project=project,
                conventions=conventions,
            )
        segments.append(
            trusted(
                InterestSegment,
                start=event.date,
                end=end,
                balance=balance,
                excess=excess,
                owed_to=owed_to,
                interest=detail.interest if detail else Decimal("0.00"),
                detail=detail,
            )
        )
    to_importer = sum((s.interest for s in segments if s.owed_to == "importer"), Decimal("0.00"))
    to_government = sum(
        (s.interest for s in segments if s.owed_to == "government"), Decimal("0.00")
    )
    return trusted(
        SegmentedInterest,
        events=ordered,
        final_amount_due=due,
        until=until,
        segments=tuple(segments),
        importer_interest=to_importer,
        government_interest=to_government,
        interest=to_importer - to_government,
        projected=any(s.detail is not None and s.detail.projected for s in segments),
        data_version=table.data_version,
    )
