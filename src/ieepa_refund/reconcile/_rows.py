"""The rows of CBP's files after filing, and how a file of each kind was read.

Each row keeps the file and row it came from, so every figure in a reconciliation can be
traced to a cell; each ``*Read`` result holds the rows used and the problems, whose counts
add up (``rows_read == rows_used + rows_rejected``). The readers are in :mod:`.files`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .._tabular import Tabular
from ..es003.report import FileReport, Problem
from ..tables import Level, column, summary_html

__all__ = [
    "BankDeposit",
    "BankDeposits",
    "CbpFileRead",
    "CbpRefund",
    "CbpRefunds",
    "ClaimDetails",
    "ClaimOutcome",
    "ClaimRow",
    "TradeRefund",
    "TradeRefunds",
    "TradeStatus",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

ClaimOutcome = Literal["accepted", "failed", "pending"]
TradeStatus = Literal[
    "transmitted", "sent_to_treasury", "treasury_issued", "funds_diverted", "returned", "reissued"
]

# --- rows --------------------------------------------------------------------------------------


class ClaimRow(BaseModel):
    """One entry's line in a CAPE Claim Details download: CBP's answer to a declaration."""

    model_config = _FROZEN

    file: str
    row: int
    entry_number: str
    claim_number: str | None
    status: str
    """CBP's status text as written (``Entry Summary Updated``, ``Failed``)."""
    outcome: ClaimOutcome
    message: str | None
    """CBP's error text (``ERROR_DESCRIPTION``), spaces collapsed."""


class CbpRefund(BaseModel):
    """One entry's refund as REV-615 or ES-022 reports it.

    ``principal`` and ``interest`` are what the report splits; where it gives a total
    and one part, the other is the difference; where all three are given they must add up.
    """

    model_config = _FROZEN

    file: str
    row: int
    entry_number: str
    declaration_number: str | None = None
    claim_number: str | None = None
    refund_number: str | None = None
    payment_number: str | None = None
    """The consolidated refund (one ACH payment per payee and liquidation date)."""
    payment_amount: Decimal | None = None
    principal: Decimal | None = None
    interest: Decimal | None = None
    netted: Decimal | None = None
    """Other duties CBP netted against the refund at reliquidation (19 CFR 159.1), when shown."""
    liquidation_date: date | None = None
    """The (re)liquidation date the interest runs to (19 CFR 24.36(a)(1))."""
    refund_date: date | None = None
    status: str | None = None
    payee: str | None = None

    @property
    def total(self) -> Decimal | None:
        if self.principal is None and self.interest is None:
            return None
        return (self.principal or Decimal("0.00")) + (self.interest or Decimal("0.00"))


class TradeRefund(BaseModel):
    """One refund in a REV-603 Trade Refund Report, with its secondary status."""

    model_config = _FROZEN

    file: str
    row: int
    refund_number: str
    entry_number: str | None = None
    amount: Decimal | None = None
    refund_date: date | None = None
    status: TradeStatus
    """The secondary status (Transmitted when the report shows only the primary)."""
    status_text: str | None = None
    payee: str | None = None
    check_number: str | None = None


class BankDeposit(BaseModel):
    """One credit on a bank statement."""

    model_config = _FROZEN

    file: str
    row: int
    date: date
    amount: Decimal
    reference: str | None = None

    @property
    def key(self) -> str:
        """Where it came from, for a report: ``bank.csv:7``."""
        return f"{self.file}:{self.row}"


# --- results -----------------------------------------------------------------------------------

_PROBLEM_LEVEL = Level(
    "problem",
    column("file", "str"), column("row", "int"), column("code", "str"),
    column("column", "str"), column("value", "str"), column("entry_number", "str"),
    column("message", "str"),
    each="problems",
)  # fmt: skip


class CbpFileRead(Tabular, BaseModel):
    """How CBP files of one kind were read: problems and counts that add up.

    ``rows_read == rows_used + rows_rejected``; blank rows are counted apart.
    """

    model_config = _FROZEN
    kind: ClassVar[str] = ""

    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_blank: int

    def summary_html(self) -> str:
        rows = [
            ("files", len(self.files)), ("rows read", self.rows_read),
            ("rows used", self.rows_used), ("rows rejected", self.rows_rejected),
        ]  # fmt: skip
        return summary_html(self.kind, rows, Counter(p.code for p in self.problems))


class ClaimDetails(CbpFileRead):
    """CAPE Claim Details rows (ACE, CAPE tab, Claim Status -> Claim Details)."""

    kind: ClassVar[str] = "CAPE Claim Details"
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "row",
            column("file", "str"), column("row", "int"), column("entry_number", "str"),
            column("claim_number", "str"), column("status", "str"), column("outcome", "str"),
            column("message", "str"),
            each="rows",
        ),
        _PROBLEM_LEVEL,
    )  # fmt: skip
    rows: tuple[ClaimRow, ...]


class CbpRefunds(CbpFileRead):
    """Entry refunds from REV-615 (CAPE Details Refunds) or ES-022 (CAPE Entry Summary)."""

    kind: ClassVar[str] = "REV-615 / ES-022 refund report"
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "row",
            column("file", "str"), column("row", "int"), column("entry_number", "str"),
            column("declaration_number", "str"), column("claim_number", "str"),
            column("refund_number", "str"), column("payment_number", "str"),
            column("payment_amount", "money"), column("principal", "money"),
            column("interest", "money"), column("netted", "money"),
            column("liquidation_date", "date"), column("refund_date", "date"),
            column("status", "str"), column("payee", "str"),
            each="rows",
        ),
        _PROBLEM_LEVEL,
    )  # fmt: skip
    rows: tuple[CbpRefund, ...]


class TradeRefunds(CbpFileRead):
    """REV-603 Trade Refund Report rows."""

    kind: ClassVar[str] = "REV-603 Trade Refund Report"
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "row",
            column("file", "str"), column("row", "int"), column("refund_number", "str"),
            column("entry_number", "str"), column("amount", "money"),
            column("refund_date", "date"), column("status", "str"),
            column("status_text", "str"), column("payee", "str"), column("check_number", "str"),
            each="rows",
        ),
        _PROBLEM_LEVEL,
    )  # fmt: skip
    rows: tuple[TradeRefund, ...]


class BankDeposits(CbpFileRead):
    """Credits from a bank export (date, amount, reference)."""

    kind: ClassVar[str] = "bank deposits"
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "row",
            column("file", "str"), column("row", "int"), column("date", "date"),
            column("amount", "money"), column("reference", "str"),
            each="rows",
        ),
        _PROBLEM_LEVEL,
    )  # fmt: skip
    rows: tuple[BankDeposit, ...]
    debits: tuple[BankDeposit, ...] = ()
    """Rows with a debit and no credit (a ``Debit`` column beside ``Credit``): not deposits,
    counted apart from ``rows_read`` like blank rows, and kept to find a refund reversed."""
