"""CBP's files after filing, read tolerantly: CAPE Claim Details, REV-615 / ES-022, REV-603, and
a bank's deposits.

Only the CAPE Claim Details header is known from a real export
(``ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION``; brief section 9). CBP has not
published the column headers of ES-022, REV-603 or REV-615: the aliases below are **our
reading** of the fields those reports are described as holding (CBP's FAQ and a law firm's
description, brief section 9), matched by meaning. A file that names a field otherwise is read
with ``mapping={field: header}`` (``--claims-map`` and the like on the command line); a file
whose required fields cannot be found is refused with an :class:`InputFileError` naming the
missing fields and the file's nearest headers.

Claim, refund, declaration and payment numbers are kept as text: a 12-digit claim number read as
a number loses nothing today, but one read through a spreadsheet's float loses digits, and
``="100000241223"`` is how ACE keeps it text.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from ..es003._cells import BadCell, cell_text, parse_amount, parse_date, parse_entry_number
from ._read import Aside, Layout, Read, read_files
from ._rows import (
    BankDeposit,
    BankDeposits,
    CbpFileRead,
    CbpRefund,
    CbpRefunds,
    ClaimDetails,
    ClaimOutcome,
    ClaimRow,
    TradeRefund,
    TradeRefunds,
    TradeStatus,
)

__all__ = [
    "BankDeposit",
    "BankDeposits",
    "CLAIM_COLUMNS",
    "CbpFileRead",
    "CbpRefund",
    "CbpRefunds",
    "ClaimDetails",
    "ClaimOutcome",
    "ClaimRow",
    "DEPOSIT_COLUMNS",
    "REFUND_COLUMNS",
    "TRADE_REFUND_COLUMNS",
    "TradeRefund",
    "TradeRefunds",
    "TradeStatus",
    "read_bank_deposits",
    "read_claims",
    "read_refunds",
    "read_trade_refunds",
]

# --- cells -------------------------------------------------------------------------------------


def _entry(value: Any) -> str | None:
    if cell_text(value) == "":
        return None
    number = parse_entry_number(value)
    if len(number) != 11 or not number[3:].isdigit() or not number.isascii():
        raise BadCell("not an entry number (3-character filer code and 8 digits)")
    return number


_SCIENTIFIC = re.compile(r"[0-9.]+[eE][+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")


def _number_text(value: Any) -> str | None:
    """A claim, refund or payment number as text, as ACE shows it (never a float's digits)."""
    if isinstance(value, float) and not value.is_integer():
        raise BadCell("a fractional number, not a reference number")
    text = cell_text(value)
    if not text:
        return None
    if _SCIENTIFIC.fullmatch(text):
        raise BadCell(
            "a number in scientific notation: a spreadsheet turned it into a number and lost "
            "digits; re-export with the column formatted as text"
        )
    if len(text) > 40 or not _NUMBER_TEXT.fullmatch(text):
        raise BadCell("not a reference number (letters, digits and dashes)")
    return text


def _date(value: Any) -> date | None:
    return parse_date(value, {})


def _text(value: Any) -> str | None:
    return " ".join(cell_text(value).split()) or None


_CREDIT_WORDS = {"CR", "C", "CREDIT", "DEPOSIT", "CRDT"}
_DEBIT_WORDS = {"DR", "D", "DEBIT", "WITHDRAWAL", "DBIT", "DBT"}


def _direction(value: Any) -> str | None:
    """``credit`` or ``debit`` from a type column, by meaning and whatever the case (CR/DR,
    Credit/Debit, C/D, Deposit/Withdrawal, ACH CREDIT); None when blank."""
    words = set(re.findall(r"[A-Z]+", cell_text(value).upper()))
    if not words:
        return None
    credit, debit = bool(words & _CREDIT_WORDS), bool(words & _DEBIT_WORDS)
    if credit != debit:
        return "credit" if credit else "debit"
    raise BadCell(
        "not a credit or a debit (CR/DR, Credit/Debit, C/D, Deposit/Withdrawal): which way the "
        "amount went is unknown; map the amount's direction column (--deposits-map "
        "direction=HEADER) or fix the row"
    )


_ACCEPTED = {"ENTRY SUMMARY UPDATED", "ACCEPTED", "UPDATED", "SUCCESS", "SUCCESSFUL"}
_FAILED = {"FAILED", "REJECTED", "ERROR", "REJECTED BY BATCH VALIDATION"}
_PENDING = {"PENDING", "IN PROCESS", "PROCESSING", "SUBMITTED", "RECEIVED", "IN PROGRESS"}


def _claim_status(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise BadCell("no status")
    upper = text.upper()
    if upper in _ACCEPTED or upper in _FAILED or upper in _PENDING:
        return text
    if upper.startswith("ACCEPTED WITH ERROR"):
        return text  # a claim-level status on an entry row: its message says which entries failed
    raise BadCell(
        "not a CAPE entry status we know (Entry Summary Updated, Failed, Rejected, Accepted, "
        "Pending)"
    )


def _outcome(status: str, message: str | None) -> ClaimOutcome:
    upper = status.upper()
    if upper in _ACCEPTED:
        return "accepted"
    if upper in _PENDING:
        return "pending"
    if upper in _FAILED:
        return "failed"
    return "failed" if message else "accepted"  # ACCEPTED WITH ERROR(S)


_TRADE = {
    "transmitted": "transmitted",
    "senttotreasury": "sent_to_treasury",
    "treasuryissued": "treasury_issued",
    "issued": "treasury_issued",
    "fundsdiverted": "funds_diverted",
    "diverted": "funds_diverted",
    "checkachreturned": "returned",
    "achreturned": "returned",
    "checkreturned": "returned",
    "returned": "returned",
    "checkachreissued": "reissued",
    "achreissued": "reissued",
    "checkreissued": "reissued",
    "reissued": "reissued",
}


def _trade_status(value: Any) -> str | None:
    text = re.sub(r"[^a-z]", "", cell_text(value).lower())
    if not text:
        return None
    try:
        return _TRADE[text]
    except KeyError:
        raise BadCell(
            "not a REV-603 refund status (Sent to Treasury, Treasury Issued, Funds Diverted, "
            "Check/ACH Returned, Check/ACH Reissued)"
        ) from None


# --- layouts (the headers beyond the Claim Details' are our reading) ---------------------------

_ENTRY_ALIASES = (
    "Entry Summary Number",
    "ENTRY_NUMBER",
    "Entry Number",
    "Entry No",
    "Entry #",
    "Entry Nbr",
)
_PAYEE_ALIASES = (
    "Importer Number",
    "Importer of Record Number",
    "IOR Number",
    "Payee",
    "Payee Number",
    "Refund Payee",
)

#: CAPE Claim Details: the header of a real export first (brief section 9), then other tools'.
CLAIM_COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": _ENTRY_ALIASES,
    "claim_number": ("CLAIM_NUMBER", "Cape Claim Number", "Claim Number", "Claim No", "Claim #"),
    "status": ("STATUS", "Filing Status", "Entry Status", "Claim Status", "Status"),
    "message": (
        "ERROR_DESCRIPTION",
        "Error Detail",
        "Error Description",
        "Error Message",
        "Errors",
        "Error",
        "Message",
    ),
}
#: REV-615 / ES-022: our reading. "Refund Amount" is read as the principal, since both
#: reports show the interest beside it; map a total that includes interest to ``total``.
REFUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": _ENTRY_ALIASES,
    "declaration_number": (
        "CAPE Declaration Number",
        "Declaration Number",
        "Declaration No",
        "Declaration ID",
    ),
    "claim_number": ("CAPE Claim Number", "CLAIM_NUMBER", "Claim Number", "Claim No"),
    "refund_number": (
        "Refund Number",
        "Entry Refund Number",
        "Refund No",
        "Refund Nbr",
        "Refund #",
        "Refund ID",
    ),
    "payment_number": (
        "Consolidated Refund Number",
        "Consolidated Refund No",
        "Payment Number",
        "ACH Payment Number",
    ),
    "payment_amount": (
        "Consolidated Refund Amount",
        "Consolidated Amount",
        "Payment Amount",
    ),
    "principal": (
        "Refund Principal Amount",
        "Principal Refund Amount",
        "Refund Principal",
        "Principal Amount",
        "Principal",
        "Refund Amount",
        "Duty Refund Amount",
    ),
    "interest": (
        "Refund Interest Amount",
        "Interest Refund Amount",
        "Interest Amount",
        "Refund Interest",
        "Interest",
    ),
    "total": ("Total Refund Amount", "Refund Total Amount", "Refund Total", "Total Amount"),
    "netted": (
        "Other Duties Netted",
        "Netted Amount",
        "Net Duty Adjustment",
        "Duty Adjustment Amount",
        "Bill Amount",
    ),
    "liquidation_date": (
        "Liquidation Date",
        "Reliquidation Date",
        "Liquidation/Reliquidation Date",
        "Liq Date",
        "Reliq Date",
    ),
    "refund_date": ("Refund Date", "Refund Issue Date", "Refund Processed Date", "Date Refunded"),
    "status": ("Refund Status", "Status"),
    "payee": _PAYEE_ALIASES,
}
#: REV-603: our reading of "refund number, refund date, secondary status" (CBP, brief 9).
TRADE_REFUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "refund_number": ("Refund Number", "Refund No", "Refund Nbr", "Refund #", "Refund ID"),
    "entry_number": _ENTRY_ALIASES,
    "amount": ("Refund Amount", "Refund Total Amount", "Amount", "Total Amount"),
    "refund_date": ("Refund Date", "Refund Issue Date", "Date"),
    "status": ("Refund Primary Status", "Primary Status", "Refund Status", "Status"),
    "secondary_status": (
        "Refund Secondary Status",
        "Secondary Refund Status",
        "Secondary Status",
    ),
    "payee": _PAYEE_ALIASES,
    "check_number": ("Check/ACH Number", "Check Number", "ACH Trace Number", "Trace Number"),
}
#: A bank export: date, amount, reference, under any of the usual names.
DEPOSIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "Date",
        "Posting Date",
        "Post Date",
        "Transaction Date",
        "Value Date",
        "Booking Date",
        "Deposit Date",
    ),
    "amount": ("Amount", "Credit Amount", "Credit", "Deposit Amount", "Deposit"),
    "debit": ("Debit Amount", "Debit", "Withdrawal Amount", "Withdrawal", "Withdrawals"),
    # Exports with one unsigned Amount say which way it went in a column of its own (BAI2-
    # derived CSVs, corporate portals): read, money out is never taken for a deposit.
    "direction": (
        "Type",
        "Transaction Type",
        "CR/DR",
        "DR/CR",
        "Credit/Debit",
        "Debit/Credit",
        "Credit Debit Indicator",
        "Debit Credit Indicator",
        "DC Indicator",
        "Direction",
    ),
    "reference": (
        "Reference",
        "Ref",
        "Description",
        "Transaction Description",
        "Memo",
        "Details",
        "Narrative",
    ),
}

_CLAIMS = Layout(
    "CAPE Claim Details",
    CLAIM_COLUMNS,
    required=("entry_number", "status"),
    option="--claims-map",
    parsers={
        "entry_number": _entry,
        "claim_number": _number_text,
        "status": _claim_status,
        "message": _text,
    },
)
_REFUNDS = Layout(
    "REV-615 / ES-022 refund report",
    REFUND_COLUMNS,
    required=("entry_number",),
    one_of=("principal", "interest", "total"),
    option="--refunds-map",
    parsers={
        "entry_number": _entry,
        "declaration_number": _number_text,
        "claim_number": _number_text,
        "refund_number": _number_text,
        "payment_number": _number_text,
        "payment_amount": parse_amount,
        "principal": parse_amount,
        "interest": parse_amount,
        "total": parse_amount,
        "netted": parse_amount,
        "liquidation_date": _date,
        "refund_date": _date,
        "status": _text,
        "payee": lambda v: cell_text(v).upper().replace(" ", "") or None,
    },
)
_TRADE_REFUNDS = Layout(
    "REV-603 Trade Refund Report",
    TRADE_REFUND_COLUMNS,
    required=("refund_number", "secondary_status"),
    option="--trade-refunds-map",
    parsers={
        "refund_number": _number_text,
        "entry_number": _entry,
        "amount": parse_amount,
        "refund_date": _date,
        "status": _text,
        "secondary_status": _trade_status,
        "payee": lambda v: cell_text(v).upper().replace(" ", "") or None,
        "check_number": _number_text,
    },
)
_DEPOSITS = Layout(
    "bank deposits",
    DEPOSIT_COLUMNS,
    required=("date", "amount"),
    option="--deposits-map",
    parsers={
        "date": _date,
        "amount": parse_amount,
        "debit": parse_amount,
        "direction": _direction,
        "reference": _text,
    },
)

# --- builders ----------------------------------------------------------------------------------


def _aside(file: str, row: int, parsed: dict[str, Any], amount: Decimal) -> Aside:
    """A bank row of money out (a debit), set aside as a deposit of its size: not one CBP paid,
    but kept to find a debit that reverses a matched refund."""
    return Aside(
        BankDeposit(
            file=file,
            row=row,
            date=_need(parsed, "date", "date"),
            amount=abs(amount),
            reference=parsed.get("reference"),
        )
    )


def _need(parsed: dict[str, Any], name: str, what: str) -> Any:
    value = parsed.get(name)
    if value is None:
        raise BadCell(f"no {what}")
    return value


def _claim(file: str, row: int, p: dict[str, Any]) -> ClaimRow:
    status = _need(p, "status", "status")
    message = p.get("message")
    return ClaimRow(
        file=file,
        row=row,
        entry_number=_need(p, "entry_number", "entry number"),
        claim_number=p.get("claim_number"),
        status=status,
        outcome=_outcome(status, message),
        message=message,
    )


def _refund(file: str, row: int, p: dict[str, Any]) -> CbpRefund:
    principal, interest, total = p.get("principal"), p.get("interest"), p.get("total")
    for name, value in (("principal", principal), ("interest", interest), ("total", total)):
        if value is not None and value < 0:
            # A negative amount is a bill or the reversal of an earlier refund: never a refund
            # of nothing, and never added to one.
            raise BadCell(
                f"a negative {name} ({value}): a bill or a reversal, not a refund; check the "
                "entry's refund history in ACE"
            )
    if total is not None:
        if principal is None and interest is not None:
            principal = total - interest
        elif interest is None and principal is not None:
            interest = total - principal
        elif principal is None and interest is None:
            raise BadCell(
                "a total without its split into principal and interest: map the principal "
                "or interest column (the reconciliation compares each)"
            )
        elif principal is not None and interest is not None and principal + interest != total:
            raise BadCell(f"principal {principal} + interest {interest} is not the total {total}")
        for name, other, value, given in (
            ("principal", "interest", principal, p.get("principal")),
            ("interest", "principal", interest, p.get("interest")),
        ):
            if given is None and value is not None and value < 0:
                # The total is below the part it holds: a keying error or swapped columns, and
                # a negative part is no refund (the same reason as a negative cell above).
                raise BadCell(
                    f"the total {total} is less than the {other} it includes, giving a negative "
                    f"{name} ({value}): not a refund; check the row against the entry's refund "
                    "in ACE (total and a part swapped?)"
                )
    fields = {k: v for k, v in p.items() if k != "total"}
    fields.update(principal=principal, interest=interest)
    _need(p, "entry_number", "entry number")
    return CbpRefund(file=file, row=row, **fields)


def _trade(file: str, row: int, p: dict[str, Any]) -> TradeRefund:
    status = p.get("secondary_status")
    if status is None:
        # No secondary status yet: the primary one alone (Transmitted), or nothing at all.
        if p.get("status") is None:
            raise BadCell("no refund status")
        status = _trade_status(p["status"])
        if status is None:  # pragma: no cover - a non-blank status parses or raises
            raise BadCell("no refund status")
    return TradeRefund(
        file=file,
        row=row,
        refund_number=_need(p, "refund_number", "refund number"),
        entry_number=p.get("entry_number"),
        amount=p.get("amount"),
        refund_date=p.get("refund_date"),
        status=status,
        status_text=p.get("status"),
        payee=p.get("payee"),
        check_number=p.get("check_number"),
    )


def _deposit(file: str, row: int, p: dict[str, Any]) -> BankDeposit:
    debit = p.get("debit")
    direction, amount = p.get("direction"), p.get("amount")
    if direction == "debit" and amount is not None:
        # An unsigned amount marked DR (or a signed one): money out, set aside like a Debit
        # column's row, to find a debit that reverses a matched refund.
        if amount == 0:
            raise BadCell("a zero amount, not a deposit")
        raise _aside(file, row, p, amount)
    if direction == "credit" and amount is not None and amount < 0:
        raise BadCell(f"marked a credit but the amount is negative ({amount}): which is it?")
    if p.get("amount") is None and debit:
        # A Debit/Credit export: money out is no deposit and no error (an operating account
        # has many); kept apart, to find a debit that reverses a matched refund.
        raise _aside(file, row, p, debit)
    amount = _need(p, "amount", "amount")
    if amount <= 0:
        raise BadCell(f"a debit or a zero ({amount}), not a deposit")
    return BankDeposit(
        file=file,
        row=row,
        date=_need(p, "date", "date"),
        amount=amount,
        reference=p.get("reference"),
    )


def _counts(read: Read[Any]) -> dict[str, Any]:
    return {
        "files": tuple(read.files),
        "problems": tuple(read.problems),
        "rows_read": read.rows_read,
        "rows_used": len(read.rows),
        "rows_rejected": read.rows_rejected,
        "rows_blank": read.rows_blank,
    }


def read_claims(
    *sources: Any, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> ClaimDetails:
    """Read CAPE Claim Details downloads (paths, open files or DataFrames).

    >>> import io
    >>> text = 'ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\\n'
    >>> text += '="60576069342",="100000241223",Failed,HTS RELATIONSHIP/SEQUENCE MISMATCH\\n'
    >>> claims = read_claims(io.StringIO(text))
    >>> claims.rows[0].claim_number, claims.rows[0].outcome
    ('100000241223', 'failed')
    """
    read = read_files(sources, _CLAIMS, _claim, mapping=mapping, delimiter=delimiter)
    return ClaimDetails(rows=tuple(read.rows), **_counts(read))


def read_refunds(
    *sources: Any, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> CbpRefunds:
    """Read REV-615 CAPE Details Refunds or ES-022 CAPE Entry Summary reports (our reading of
    their headers: :data:`REFUND_COLUMNS`)."""
    read = read_files(sources, _REFUNDS, _refund, mapping=mapping, delimiter=delimiter)
    return CbpRefunds(rows=tuple(read.rows), **_counts(read))


def read_trade_refunds(
    *sources: Any, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> TradeRefunds:
    """Read REV-603 Trade Refund Reports (our reading: :data:`TRADE_REFUND_COLUMNS`)."""
    read = read_files(sources, _TRADE_REFUNDS, _trade, mapping=mapping, delimiter=delimiter)
    return TradeRefunds(rows=tuple(read.rows), **_counts(read))


def read_bank_deposits(
    *sources: Any, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> BankDeposits:
    """Read a bank's deposits: a CSV (or .xlsx) of date, amount and reference."""
    read = read_files(sources, _DEPOSITS, _deposit, mapping=mapping, delimiter=delimiter)
    return BankDeposits(rows=tuple(read.rows), debits=tuple(read.aside), **_counts(read))
