"""What a reconciliation finds: per entry, per payment and per deposit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .._tabular import Tabular
from ..es003.report import Problem
from ..tables import Level, column, detail_html, summary_html
from .messages import FixPath

__all__ = [
    "DepositMatch",
    "EntryReconciliation",
    "EntryStatus",
    "PaymentReconciliation",
    "PaymentStatus",
    "Reconciliation",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
ZERO = Decimal("0.00")

EntryStatus = Literal[
    "not_declared",
    "declared",
    "pending",
    "failed",
    "accepted",
    "liquidated",
    "refunded",
    "issued",
    "paid",
    "diverted",
    "returned",
]
"""Where an entry stands on the path declared -> accepted or failed -> (re)liquidated ->
refunded -> issued -> paid (a deposit matched), diverted (an offset, 19 CFR 24.72) or returned
(ACH)."""
PaymentStatus = Literal["paid", "part_paid", "unpaid", "diverted", "returned"]


class EntryReconciliation(BaseModel):
    """One entry from estimate to deposit, with the estimate beside each figure CBP reported.

    ``*_difference`` is CBP's figure minus ours, exact; ``*_cause`` says what explains it
    (``match``; interest: ``end_date``, ``rate_column``, ``day_count``, ``principal``, joined
    by ``+`` when several; principal: ``netted_other_duties``, ``rerated_15_all_in``,
    ``within_bounds``) or ``unexplained``: a difference no cause the data shows accounts for.
    """

    model_config = _FROZEN

    entry_number: str
    payee: str | None
    status: EntryStatus
    declared: bool
    declaration_files: tuple[str, ...] = ()
    claim_number: str | None = None
    claim_status: str | None = None
    message: str | None = None
    """CBP's error text for a failed entry."""
    cause: str | None = None
    """The message's cause from the data (``unknown_message`` when the data does not hold it)."""
    fix_path: FixPath | None = None
    fix: str | None = None
    deadline: date | None = None
    deadline_rule: str | None = None
    resubmit: Literal["ready", "after_correction", "no"] | None = None
    liquidation_date: date | None = None
    """CBP's (re)liquidation date where reported, else the ES-003's."""
    refund_number: str | None = None
    refund_date: date | None = None
    refund_status: str | None = None
    trade_status: str | None = None
    principal_estimate: Decimal | None = None
    principal_high: Decimal | None = None
    principal_reported: Decimal | None = None
    principal_difference: Decimal | None = None
    principal_cause: str | None = None
    interest_estimate: Decimal | None = None
    interest_reported: Decimal | None = None
    interest_difference: Decimal | None = None
    interest_cause: str | None = None
    interest_recomputed: Decimal | None = None
    """Our interest under the assumptions that explain CBP's figure (equal to it), when found."""
    offset: Decimal = ZERO
    """What CBP diverted to the payee's debts (REV-603 Funds Diverted)."""
    issued: Decimal | None = None
    """What REV-603 says Treasury issued for a refund no REV-615 / ES-022 row splits into
    principal and interest (None when a refund row gives the figures)."""
    deposits: tuple[str, ...] = ()
    """The bank deposits (``file:row``) its payment was matched to."""
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> Decimal | None:
        if self.principal_estimate is None:
            return None
        return self.principal_estimate + (self.interest_estimate or ZERO)

    @property
    def reported(self) -> Decimal | None:
        if self.principal_reported is None and self.interest_reported is None:
            return None
        return (self.principal_reported or ZERO) + (self.interest_reported or ZERO)

    @property
    def unexplained(self) -> Decimal:
        """The size of the differences no cause explains (0 when all are explained).

        A difference with no estimate beside it (none could be made) counts at CBP's whole
        figure: an unexplained difference always has a size.
        """
        total = ZERO
        for cause, difference, reported in (
            (self.principal_cause, self.principal_difference, self.principal_reported),
            (self.interest_cause, self.interest_difference, self.interest_reported),
        ):
            if cause == "unexplained":
                total += abs(difference if difference is not None else reported or ZERO)
        return total

    @property
    def has_unexplained(self) -> bool:
        """Whether a figure CBP reported is unexplained (whatever its size)."""
        return "unexplained" in (self.principal_cause, self.interest_cause)


class PaymentReconciliation(BaseModel):
    """One CBP payment (payee and (re)liquidation date): its entries against CBP and the bank."""

    model_config = _FROZEN

    payee: str
    liquidation_date: date
    entries: tuple[str, ...]
    estimate: Decimal
    """Our principal + interest for its entries (interest where known)."""
    principal: Decimal
    interest: Decimal
    offset: Decimal
    net: Decimal
    """What should reach the bank: principal + interest - offset."""
    payment_numbers: tuple[str, ...] = ()
    cbp_amount: Decimal | None = None
    """CBP's consolidated refund amount where the report shows it."""
    cbp_difference: Decimal | None = None
    """CBP's consolidated amount minus the sum of its entries' refunds."""
    deposited: Decimal = ZERO
    deposits: tuple[str, ...] = ()
    status: PaymentStatus
    how: str = ""
    """How the deposits matched (``net``, ``principal + interest apart``, ``with others``)."""


class DepositMatch(BaseModel):
    """One bank deposit and the payments it was matched to (none: unmatched)."""

    model_config = _FROZEN

    file: str
    row: int
    date: date
    amount: Decimal
    reference: str | None
    payments: tuple[str, ...]
    """``payee@liquidation date`` of each payment it pays."""
    part: Literal["net", "principal", "interest", "sum", "returned", "unmatched"]
    """``returned``: the first issue of a payment CBP reports returned and reissued, which a
    debit of its amount took back: it pays nothing."""

    @property
    def key(self) -> str:
        return f"{self.file}:{self.row}"


class Reconciliation(Tabular, BaseModel):
    """What :func:`reconcile` found, entry by entry, payment by payment, deposit by deposit."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"), column("payee", "str"), column("status", "str"),
            column("declared", "bool"),
            column("declaration_files", "str", lambda e: " ".join(e.declaration_files)),
            column("claim_number", "str"), column("claim_status", "str"), column("message", "str"),
            column("cause", "str"), column("fix_path", "str"), column("deadline", "date"),
            column("deadline_rule", "str"), column("resubmit", "str"),
            column("liquidation_date", "date"), column("refund_number", "str"),
            column("refund_date", "date"), column("refund_status", "str"),
            column("trade_status", "str"),
            column("principal_estimate", "money"), column("principal_high", "money"),
            column("principal_reported", "money"), column("principal_difference", "money"),
            column("principal_cause", "str"),
            column("interest_estimate", "money"), column("interest_reported", "money"),
            column("interest_difference", "money"), column("interest_cause", "str"),
            column("interest_recomputed", "money"), column("offset", "money"),
            column("issued", "money"),
            column("deposits", "str", lambda e: " ".join(e.deposits)),
            column("fix", "str"), column("notes", "str", lambda e: " | ".join(e.notes)),
            each="entries",
        ),
        Level(
            "payment",
            column("payee", "str"), column("liquidation_date", "date"),
            column("entries", "int", lambda p: len(p.entries)), column("estimate", "money"),
            column("principal", "money"), column("interest", "money"), column("offset", "money"),
            column("net", "money"),
            column("payment_numbers", "str", lambda p: " ".join(p.payment_numbers)),
            column("cbp_amount", "money"), column("cbp_difference", "money"),
            column("deposited", "money"), column("deposits", "str", lambda p: " ".join(p.deposits)),
            column("status", "str"), column("how", "str"),
            each="payments",
        ),
        Level(
            "deposit",
            column("file", "str"), column("row", "int"), column("date", "date"),
            column("amount", "money"), column("reference", "str"),
            column("payments", "str", lambda d: " ".join(d.payments)), column("part", "str"),
            each="deposits",
        ),
        Level(
            "problem",
            column("file", "str"), column("row", "int"), column("code", "str"),
            column("column", "str"), column("value", "str"), column("entry_number", "str"),
            column("message", "str"),
            each="problems",
        ),
    )  # fmt: skip

    entries: tuple[EntryReconciliation, ...]
    payments: tuple[PaymentReconciliation, ...]
    deposits: tuple[DepositMatch, ...]
    problems: tuple[Problem, ...] = ()
    """Rows of CBP's files that could not be read, and REV-603 refunds linked to no entry."""
    messages_version: str

    @property
    def unmatched_deposits(self) -> tuple[DepositMatch, ...]:
        return tuple(d for d in self.deposits if d.part == "unmatched")

    @property
    def unmatched_refunds(self) -> tuple[PaymentReconciliation, ...]:
        """Payments CBP reported that no deposit matched (and were not wholly diverted)."""
        return tuple(p for p in self.payments if p.status in ("unpaid", "part_paid", "returned"))

    @property
    def unexplained(self) -> tuple[EntryReconciliation, ...]:
        return tuple(e for e in self.entries if e.has_unexplained)

    def totals(self) -> dict[str, Decimal]:
        """Money by stage: estimated, declared, accepted (our figures), refunded, paid, diverted
        (CBP's), and the size of the unexplained differences."""
        after = {"accepted", "liquidated", "refunded", "issued", "paid", "diverted", "returned"}
        refunded = {"refunded", "issued", "paid", "diverted", "returned"}

        def total(values: list[Decimal | None]) -> Decimal:
            return sum((v for v in values if v is not None), ZERO)

        return {
            "estimated": total([e.estimate for e in self.entries]),
            "declared": total([e.estimate for e in self.entries if e.declared]),
            "accepted": total([e.estimate for e in self.entries if e.status in after]),
            # A refund known only from REV-603 is counted at what Treasury issued.
            "refunded": total(
                [
                    e.reported if e.reported is not None else e.issued
                    for e in self.entries
                    if e.status in refunded
                ]
            ),
            "paid": total([p.deposited for p in self.payments]),
            "diverted": total([e.offset for e in self.entries]),
            "unexplained": total([e.unexplained for e in self.entries]),
        }

    def failed_by_cause(self) -> Counter[str]:
        return Counter(e.cause or "unknown_message" for e in self.entries if e.status == "failed")

    def summary_html(self) -> str:
        totals = self.totals()
        statuses = Counter(e.status for e in self.entries)
        rows: list[tuple[str, object]] = [(k, v) for k, v in totals.items()]
        rows += [(f"entries {status}", n) for status, n in sorted(statuses.items())]
        rows += [
            ("unmatched deposits", len(self.unmatched_deposits)),
            ("unmatched refunds", len(self.unmatched_refunds)),
        ]
        unexplained = (
            (e.entry_number, e.principal_difference or "", e.interest_difference or "")
            for e in self.unexplained[:50]
        )
        return summary_html(
            "Reconciliation with CBP",
            rows,
            self.failed_by_cause(),
            detail=detail_html(("unexplained", "principal", "interest"), unexplained)
            if self.unexplained
            else "",
        )
