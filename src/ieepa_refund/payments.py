"""Refunds grouped as CBP pays them, debts offset, and each payment booked back to entries.

CBP consolidates CAPE refunds by importer of record, or by the party named on
CBP Form 4811, and by liquidation date, and pays one ACH payment per group
(CSMS #68315804, #68340863). Before paying it applies the refund to the
payee's outstanding CBP debts (19 CFR 24.72; REV-603 then shows "Funds
Diverted"). Which debts exist is the caller's knowledge, passed as
``offsets``; Treasury Offset Program offsets are plausible but unconfirmed
(an open fact), so they are not assumed.

Finance teams must book a lump sum against entries: every payment carries an
allocation per entry, to the cent, whose parts add up exactly (largest
remainder, :func:`ieepa_refund.money.allocate`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Protocol, overload

from pydantic import BaseModel, ConfigDict

from ._tabular import Tabular
from ._trusted import builder
from .errors import InvalidFormat
from .money import allocate, exact, to_decimal
from .tables import Level, column, summary_html

__all__ = ["Allocation", "Consolidation", "Payable", "PayeeWarning", "Payment", "consolidate"]

ZERO = Decimal("0.00")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Payable(Protocol):
    """What consolidation needs of a refund: an :class:`EntryRefund`, or a slimmer record.

    Portfolio runs that keep only this much per entry stay in memory that grows
    with entries, not with the HTS rows behind them.
    """

    @property
    def entry_number(self) -> str: ...
    @property
    def payee(self) -> str: ...
    @property
    def liquidation_date(self) -> date | None: ...
    @property
    def principal(self) -> Decimal: ...
    @property
    def interest(self) -> Decimal | None: ...


_PAYABLE = ("entry_number", "payee", "liquidation_date", "principal", "interest")


class Allocation(BaseModel):
    """One entry's share of a payment."""

    model_config = _FROZEN

    entry_number: str
    principal: Decimal
    interest: Decimal
    offset: Decimal
    net: Decimal


class Payment(Tabular, BaseModel):
    """One ACH payment: a payee's refunds for entries liquidated on one date.

    ``gross = principal + interest``; ``net = gross - offset``.
    """

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "payment",
            column("payee", "str"), column("liquidation_date", "date"),
            column("principal", "money"), column("interest", "money"), column("offset", "money"),
            column("net", "money"), column("entries", "int", lambda p: len(p.entries)),
            column("interest_missing", "int"),
        ),
        Level(
            "allocation",
            column("entry_number", "str"), column("principal", "money"),
            column("interest", "money"), column("offset", "money"), column("net", "money"),
            each="allocations",
            outer=(column("payee", "str"), column("liquidation_date", "date")),
        ),
    )  # fmt: skip

    payee: str
    liquidation_date: date
    principal: Decimal
    interest: Decimal
    offset: Decimal
    net: Decimal
    entries: tuple[str, ...]
    allocations: tuple[Allocation, ...]
    interest_missing: int = 0
    """Entries in this payment with a refund but no interest figure (INTEREST_INCOMPLETE):
    ``interest`` and ``net`` are then floors, and CBP will pay more."""

    @property
    def gross(self) -> Decimal:
        return self.principal + self.interest

    @property
    def interest_complete(self) -> bool:
        return self.interest_missing == 0

    def summary_html(self) -> str:
        rows = [
            ("payee", self.payee),
            ("liquidated", self.liquidation_date),
            ("net", self.net),
            ("entries", len(self.entries)),
        ]
        return summary_html("Payment", rows)


#: The code of a :class:`PayeeWarning`.
PAYEES_MAY_BE_ONE = "PAYEES_MAY_BE_ONE"


class PayeeWarning(BaseModel):
    """Payees whose numbers are equal once dashes are removed but spelt differently.

    The dashes carry a number's kind (an EIN is NN-NNNNNNNXX, an SSN NNN-NN-NNNNXX, a
    CBP-assigned number YYDDPP-NNNNN), and two kinds can compact to the same characters, so
    the payees are not merged: they make separate payments here, where CBP, if they are one
    importer of record, pays one per liquidation date. The numbers are for a person to check.
    """

    model_config = _FROZEN

    code: str = PAYEES_MAY_BE_ONE
    payees: tuple[str, ...]
    """The spellings, sorted: two or more."""
    message: str


def payee_warnings(payees: Iterable[str]) -> tuple[PayeeWarning, ...]:
    """A :class:`PayeeWarning` for each set of ``payees`` spelt apart only by dashes."""
    compact: dict[str, set[str]] = {}
    for payee in payees:
        compact.setdefault(payee.replace("-", ""), set()).add(payee)
    return tuple(
        PayeeWarning(
            payees=spellings,
            message=f"{' and '.join(spellings)} may be one importer: CBP pays one importer of "
            "record once per liquidation date, and the payments here are grouped per spelling; "
            "check the numbers (dashes tell an EIN, an SSN and a CBP-assigned number apart, so "
            "they are not merged)",
        )
        for spellings in sorted(tuple(sorted(s)) for s in compact.values() if len(s) > 1)
    )


@dataclass(frozen=True, slots=True, repr=False)
class Consolidation(Tabular, Sequence[Payment]):
    """What :func:`consolidate` returns: the payments, and every entry that forms none.

    It is an immutable sequence of its payments (iterate, index, count); a
    slice is a tuple of payments. Not a pydantic model: a model iterates as its
    fields, which ``dict(model)`` and pydantic itself rely on.
    """

    payments: tuple[Payment, ...]
    unliquidated: tuple[str, ...]
    """Entries without a liquidation date: no payment yet."""
    nothing_to_pay: tuple[str, ...]
    """Liquidated entries whose principal is 0 or less: no refund."""
    unused_offsets: dict[str, Decimal]
    """Per payee, the part of the debts its payments could not absorb."""

    def __repr__(self) -> str:
        return f"<Consolidation: {len(self.payments)} payments, net {self.net}>"

    def __len__(self) -> int:
        return len(self.payments)

    @overload
    def __getitem__(self, index: int) -> Payment: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Payment, ...]: ...
    def __getitem__(self, index: int | slice) -> Payment | tuple[Payment, ...]:
        return self.payments[index]

    def __iter__(self) -> Iterator[Payment]:
        return iter(self.payments)

    @property
    def net(self) -> Decimal:
        """The payments' net; a floor when :attr:`interest_complete` is False."""
        return sum((p.net for p in self.payments), ZERO)

    @property
    def interest_complete(self) -> bool:
        """False (INTEREST_INCOMPLETE) when a payment holds a refund with no interest figure."""
        return all(p.interest_complete for p in self.payments)

    @property
    def payee_warnings(self) -> tuple[PayeeWarning, ...]:
        """PAYEES_MAY_BE_ONE: payees of these payments whose numbers differ only by dashes.

        Read from the payments, so every way of consolidating (``consolidate``, the bulk
        engine, the roads' payments) warns alike.
        """
        return payee_warnings({p.payee for p in self.payments})

    def items_for_tables(self) -> tuple[Payment, ...]:
        return self.payments

    def summary_html(self) -> str:
        payments = self.payments
        rows = [
            ("payments", len(payments)), ("principal", sum((p.principal for p in payments), ZERO)),
            ("interest", sum((p.interest for p in payments), ZERO)), ("offsets", sum((p.offset for p in payments), ZERO)),
            ("net", self.net if self.interest_complete else f"INTEREST_INCOMPLETE: at least {self.net}"),
            ("not yet liquidated", len(self.unliquidated)), ("nothing to refund", len(self.nothing_to_pay)),
            *((w.code, w.message) for w in self.payee_warnings),
        ]  # fmt: skip
        return summary_html("Payments as CBP consolidates them", rows)

    @classmethod
    def _deferred(
        cls,
        *,
        payments: Callable[[], tuple[Payment, ...]],
        unliquidated: Callable[[], tuple[str, ...]],
        nothing_to_pay: Callable[[], tuple[str, ...]],
        unused_offsets: dict[str, Decimal],
    ) -> Consolidation:
        """A consolidation whose payments and entry lists are built on first read, each once.

        For the bulk engine, which holds them in columns until then: at 1M rows the payment
        and allocation models are about 35 MB and 0.5 s, made at its peak of memory for a
        caller that may never read them. Read, each field is what the builder returns, and
        the consolidation compares, prints, pickles and copies as one given the values.
        """
        made = object.__new__(cls)
        for name, build in (
            ("payments", payments),
            ("unliquidated", unliquidated),
            ("nothing_to_pay", nothing_to_pay),
        ):
            object.__setattr__(made, name, _Deferred(build))
        object.__setattr__(made, "unused_offsets", unused_offsets)
        return made


class _Deferred:
    """A field's value not yet built: its builder, run once (under a lock: two threads
    reading at once get the same object) and then let go with whatever it held."""

    __slots__ = ("build", "lock", "value")

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build: Callable[[], Any] | None = build
        self.lock = threading.Lock()
        self.value: Any = None

    def get(self) -> Any:
        with self.lock:
            if self.build is not None:
                self.value, self.build = self.build(), None
            return self.value


class _Field:
    """A slot of :class:`Consolidation` that may hold a :class:`_Deferred`: read, the value
    is built and put in the slot in its place, so every later read is the slot's own."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self.slot
        value = self.slot.__get__(instance, owner)
        if value.__class__ is _Deferred:
            value = value.get()
            self.slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: object) -> None:
        self.slot.__set__(instance, value)

    def __delete__(self, instance: object) -> None:
        self.slot.__delete__(instance)


# Every field is read through the class's own slot: a deferred one is built there first.
for _f in fields(Consolidation):
    setattr(Consolidation, _f.name, _Field(Consolidation.__dict__[_f.name]))
del _f


def consolidate(
    refunds: Iterable[Payable], *, offsets: Mapping[str, Decimal | int | str] | None = None
) -> Consolidation:
    """Group refunds into payments by (payee, liquidation date) and apply ``offsets``.

    ``offsets`` maps a payee to the CBP debt to set against its refunds; each
    debt is applied to that payee's payments in liquidation-date order, never
    making a payment negative, and what is left is reported in
    ``unused_offsets``. A refund whose interest is unknown counts as principal
    only, and its payment says so (``interest_missing``; its own warning says
    why): a payment's interest and net are then floors, never passed off as
    the whole.
    """
    groups: dict[tuple[str, date], list[Payable]] = {}
    unliquidated: list[str] = []
    nothing: list[str] = []
    seen: set[str] = set()
    if isinstance(refunds, str | bytes) or not isinstance(refunds, Iterable):
        raise InvalidFormat("a sequence of refunds is expected", field="refunds", value=refunds)
    for position, refund in enumerate(refunds):
        if not all(hasattr(refund, name) for name in _PAYABLE):
            raise InvalidFormat(
                "a refund (EntryRefund) is expected", field=f"refunds[{position}]", value=refund
            )
        if refund.entry_number in seen:
            raise InvalidFormat(
                "an entry may be consolidated once", field="refunds", value=refund.entry_number
            )
        seen.add(refund.entry_number)
        if refund.liquidation_date is None:
            unliquidated.append(refund.entry_number)
        elif refund.principal <= 0:
            nothing.append(refund.entry_number)
        else:
            groups.setdefault((refund.payee, refund.liquidation_date), []).append(refund)
    # A set of every entry number is 8 to 16 MB at 1M rows: freed before the payments are
    # built, so that the two are never held at once.
    del seen

    if offsets is not None and not isinstance(offsets, Mapping):
        raise InvalidFormat(
            "a mapping of payee -> debt to offset", field="offsets", value=repr(offsets)[:80]
        )
    debts = {payee: _debt(payee, amount) for payee, amount in (offsets or {}).items()}
    payments: list[Payment] = []
    with exact():  # the same cents whatever decimal context the caller has set
        for payee, liquidated in sorted(groups, key=lambda key: (key[1], key[0])):
            members = groups[(payee, liquidated)]
            principal = sum((r.principal for r in members), ZERO)
            interest = sum((r.interest or ZERO for r in members), ZERO)
            gross = principal + interest
            offset = min(debts.get(payee, ZERO), gross)
            if payee in debts:
                debts[payee] -= offset
            payments.append(_payment(payee, liquidated, members, principal, interest, offset))
    return Consolidation(
        payments=tuple(payments),
        unliquidated=tuple(unliquidated),
        nothing_to_pay=tuple(nothing),
        unused_offsets=dict(debts),
    )


def _debt(payee: str, amount: Decimal | int | str) -> Decimal:
    debt = to_decimal(amount, field=f"offsets[{payee!r}]")
    if debt < 0:
        raise InvalidFormat(
            "a debt to offset is not negative", field=f"offsets[{payee!r}]", value=debt
        )
    return debt


def _payment(
    payee: str,
    liquidated: date,
    members: list[Payable],
    principal: Decimal,
    interest: Decimal,
    offset: Decimal,
) -> Payment:
    gross = [r.principal + (r.interest or ZERO) for r in members]
    # No debt (0.00, the default): every share is 0.00, as allocate gives it. A zero written
    # otherwise ("0" gives shares of "0") or an odd weight: allocate decides.
    no_debt = not offset.compare_total(ZERO) and min(gross) >= 0
    offsets = [ZERO] * len(gross) if no_debt else allocate(offset, gross)
    plain = [_plain(r) for r in members]
    allocations = tuple(
        _allocation(r, g, share, trust)
        for r, g, share, trust in zip(members, gross, offsets, plain, strict=True)
    )
    values = (
        payee,
        liquidated,
        principal,
        interest,
        offset,
        principal + interest - offset,
        tuple(r.entry_number for r in members),
        allocations,
        sum(1 for r in members if r.interest is None),
    )
    # Values this function computed from plain str/date/Decimal inputs need no validation, which
    # would also copy both tuples and give the payment a dict and a set of names of its own
    # (about 1.3 KB a payment). Anything else a slim record holds is validated.
    if payee.__class__ is str and liquidated.__class__ is date and all(plain):
        return _new_payment(*values)
    return Payment(**dict(zip(_PAYMENT_FIELDS, values, strict=True)))


_PAYMENT_FIELDS = (
    "payee",
    "liquidation_date",
    "principal",
    "interest",
    "offset",
    "net",
    "entries",
    "allocations",
    "interest_missing",
)
# Payments and allocations hold their values in CPython's shared-key layout, not a dict each:
# an allocation is kept per paid entry (110k at 1M rows), and a dict of five values costs
# about 130 bytes more.
_new_payment = builder(Payment, _PAYMENT_FIELDS)
_new_allocation = builder(Allocation, ("entry_number", "principal", "interest", "offset", "net"))


def _plain(refund: Payable) -> bool:
    """An EntryRefund's values (str and Decimal, already checked) need no validation: a
    million entries make a million allocations."""
    interest = refund.interest
    return (
        refund.entry_number.__class__ is str
        and refund.principal.__class__ is Decimal
        and (interest is None or interest.__class__ is Decimal)
    )


def _allocation(refund: Payable, gross: Decimal, share: Decimal, plain: bool) -> Allocation:
    entry_number, principal, interest = refund.entry_number, refund.principal, refund.interest
    net = gross - share
    if plain:
        return _new_allocation(entry_number, principal, interest or ZERO, share, net)
    # Anything else a slim record holds is validated.
    return Allocation(
        entry_number=entry_number,
        principal=principal,
        interest=interest or ZERO,
        offset=share,
        net=net,
    )
