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

The segments are cut from one running account (the default,
``InterestConventions(segments="compound_through")``): from the first deposit to
liquidation, the account holds the excess over the amount finally due plus the
interest accrued so far, and each day it grows at that day's rate (the rate of the
day's calendar quarter, compounded daily: 26 U.S.C. 6622; 26 CFR 301.6622-1). While
the account is in the importer's favour it grows at the overpayment rate (corporate
when ``corporate``); while in the Government's favour, at the underpayment rate of
26 U.S.C. 6621(a)(2), which equals the non-corporate overpayment rate in every row of
the shipped table (CBP's notices publish them as equal), so it is accrued at the
non-corporate column whatever ``corporate`` says. Each event changes the excess on its
date. A segment's interest is what the account accrued during it. With the account
in the importer's favour throughout, this is the sum over the events of each one's
change of the excess compounded from its date to liquidation: a cent deposited late
changes the interest by about a cent's worth, and a single deposit gives exactly the
single accrual of :func:`~ieepa_refund.interest.interest_detail`.

Our reading, marked as such, where the law is silent: (1) when an event moves the
account across zero, the interest accrued so far is carried across with it (netted
against the new excess), and the whole account compounds at the rate of the side it
is then on; (2) under ``compounding="simple"`` (a diagnostic) accrued interest does
not join the account, so each segment accrues on its excess alone. Rounding: the
importer's and the Government's interest are each rounded once, to the cent, from
their unrounded sums (half-up by default, ``conventions.rounding``), and each side's
figure is split over its segments in proportion to what they accrued
(largest remainder), so the rounded segments add up to the net exactly. The
regulation's own worked examples could not be retrieved from the public record
available to us (only the single-deposit example of 24.36(a)(1) was).

``InterestConventions(segments="restart")`` keeps the rule before 2026-11 for
comparison: each segment its own accrual on its excess, compounding within it only,
rounded alone; the net is the sum of the rounded segments. The figure then depends on
how a history is cut (a cent deposited 81 days late cut the interest on $1,000,000 by
$813.34), which is why it is not the default.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> events = (
    ...     DepositEvent(kind="deposit", date=date(2025, 1, 2), amount="1000"),
    ...     DepositEvent(kind="deposit", date=date(2025, 6, 2), amount="200"),
    ... )
    >>> result = segmented_interest(events, final_amount_due=Decimal("400"), until=date(2025, 12, 1))
    >>> [(s.owed_to, s.excess, s.days) for s in result.segments]
    [('importer', Decimal('600'), 151), ('importer', Decimal('800'), 182)]
    >>> result.refund, result.interest, [s.interest for s in result.segments]
    (Decimal('800'), Decimal('46.67'), [Decimal('17.63'), Decimal('29.04')])

The 17.63 of the first segment keeps compounding in the second (600 + 17.63 + 200 over for
182 days). Each segment restarting from its excess gives less (17.63 + 28.41):

    >>> restart = InterestConventions(segments="restart")
    >>> segmented_interest(
    ...     events, final_amount_due=Decimal("400"), until=date(2025, 12, 1), conventions=restart
    ... ).interest
    Decimal('46.04')
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
from ..money import Amount, allocate, exact, round_interest, to_decimal, total
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
    account: Decimal
    """The running account at the segment's start, unrounded: ``excess`` plus the interest
    accrued before it (+ the importer's favour, - the Government's). ``segments="restart"``
    and ``compounding="simple"`` carry no interest: it is then ``excess``."""
    owed_to: OwedTo | None
    """Who is owed this segment's interest (the side ``account`` is on); None when it is 0."""
    interest: Decimal
    """This segment's interest, to the cent, never negative (``owed_to`` gives the side): its
    share of its side's rounded interest (``restart``: its own accrual rounded)."""
    detail: InterestDetail | None
    """The accrual's working on ``abs(account)`` (quarters, rates, factors; its ``interest``
    is that accrual rounded alone); None for an empty segment."""

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
    conventions: InterestConventions
    """The conventions the figure rests on (``segments``: compounded through, or restarted)."""

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
    # Interest joins the account only when it compounds (see the module docstring).
    carry = conventions.segments == "compound_through" and conventions.compounding == "daily"
    spans: list[tuple[_dt.date, _dt.date, Decimal, Decimal, Decimal, InterestDetail | None]] = []
    balance = carried = Decimal(0)
    with exact():
        for i, event in enumerate(ordered):
            balance += event.signed
            end = ordered[i + 1].date if i + 1 < len(ordered) else until
            if end == event.date:
                continue  # a later event on the same day: no day passes at this balance
            excess = balance - due
            account = excess + carried if carry else excess
            detail = None
            if account:
                detail = interest_detail(
                    abs(account),
                    deposited=event.date,
                    until=end,
                    # 6621(a)(2) underpayment = the non-corporate column (the module docstring).
                    corporate=corporate and account > 0,
                    rates=table,
                    project=project,
                    conventions=conventions,
                )
                carried += detail.unrounded if account > 0 else -detail.unrounded
            spans.append((event.date, end, balance, excess, account, detail))
    if conventions.segments == "compound_through":  # simple interest too: one rounding a side
        shares = _rounded_shares([(span[4], span[5]) for span in spans], conventions.rounding)
    else:  # each segment rounded alone, the rule before 2026-11
        shares = [span[5].interest if span[5] else Decimal("0.00") for span in spans]
    segments = [
        trusted(
            InterestSegment,
            start=start,
            end=end,
            balance=balance,
            excess=excess,
            account=account,
            owed_to=_side(account),
            interest=share,
            detail=detail,
        )
        for (start, end, balance, excess, account, detail), share in zip(spans, shares, strict=True)
    ]
    to_importer = total(s.interest for s in segments if s.owed_to == "importer")
    to_government = total(s.interest for s in segments if s.owed_to == "government")
    return trusted(
        SegmentedInterest,
        events=ordered,
        final_amount_due=due,
        until=until,
        segments=tuple(segments),
        importer_interest=to_importer,
        government_interest=to_government,
        interest=total((to_importer, -to_government)),
        projected=any(s.detail is not None and s.detail.projected for s in segments),
        data_version=table.data_version,
        conventions=conventions,
    )


def _side(account: Decimal) -> OwedTo | None:
    if not account:
        return None
    return "importer" if account > 0 else "government"


def _rounded_shares(
    spans: list[tuple[Decimal, InterestDetail | None]], rounding: str
) -> list[Decimal]:
    """Each segment's interest to the cent: each side's unrounded sum rounded once, then split
    over that side's segments by what each accrued, so the parts add up to it exactly."""
    shares = [Decimal("0.00")] * len(spans)
    for side in ("importer", "government"):
        mine = [
            (i, detail.unrounded)
            for i, (account, detail) in enumerate(spans)
            if detail is not None and _side(account) == side
        ]
        if not mine:
            continue
        figure = round_interest(total(u for _, u in mine), rounding=rounding)
        for (i, _), share in zip(mine, allocate(figure, [u for _, u in mine]), strict=True):
            shares[i] = total((share,))  # in two places: allocate may give 7E+0 for 7.00
    return shares
