"""Refund rows and payments in reconcile: each refund counted once, each payment its own
deposit (t66 04, 05, 06, 08)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given

from ieepa_refund import Entry, reconcile
from ieepa_refund import entry_number as en
from ieepa_refund.reconcile import BankDeposit, BankDeposits, CbpRefund, CbpRefunds

from .strategies import equal_deposit_days

D = Decimal
REFUNDED = date(2026, 9, 4)


def number(i: int) -> str:
    first = f"316{i:07d}"
    return first + en.calc_check_digit(first)


def entry(i: int = 4, *, duty: str = "4000.00") -> Entry:
    return Entry.model_validate(
        {
            "entry_number": number(i),
            "entry_type": "01",
            "importer_number": "77-5555555ZZ",
            "entry_date": "2025-06-10",
            "entry_summary_date": "2025-06-12",
            "deposit_date": "2025-06-12",
            "liquidation_date": None,
            "lines": [
                {
                    "number": 1,
                    "country_of_origin": "CN",
                    "tariffs": [{"hts": "9903.01.24", "duty": duty}],
                }
            ],
        }
    )


def refund_rows(*rows: CbpRefund) -> CbpRefunds:
    n = len(rows)
    return CbpRefunds(
        files=(), problems=(), rows_read=n, rows_used=n, rows_rejected=0, rows_blank=0, rows=rows
    )


def bank(*rows: tuple[date, str], debits: tuple[tuple[date, str], ...] = ()) -> BankDeposits:
    posted = tuple(
        BankDeposit(file="bank.csv", row=i + 2, date=d, amount=D(a), reference=f"r{i}")
        for i, (d, a) in enumerate(rows)
    )
    taken = tuple(
        BankDeposit(file="bank.csv", row=len(rows) + i + 2, date=d, amount=D(a))
        for i, (d, a) in enumerate(debits)
    )
    n = len(posted)
    return BankDeposits(
        files=(),
        problems=(),
        rows_read=n,
        rows_used=n,
        rows_rejected=0,
        rows_blank=0,
        rows=posted,
        debits=taken,
    )


def refund(
    *,
    file: str = "rev615.csv",
    row: int = 2,
    refund_number: str | None = "R003",
    principal: str = "4000.00",
    interest: str = "331.34",
    liquidated: date = date(2026, 8, 14),
    refunded: date = REFUNDED,
    payee: str = "77-5555555ZZ",
) -> CbpRefund:
    return CbpRefund(
        file=file,
        row=row,
        entry_number=number(4),
        refund_number=refund_number,
        principal=D(principal),
        interest=D(interest),
        liquidation_date=liquidated,
        refund_date=refunded,
        payee=payee,
    )


# --- 05: the nearest deposit pays ---------------------------------------------------------------


def test_the_nearest_deposit_pays_not_the_earliest() -> None:
    # t66/05: a customer wire 4 days before the refund date took the payment; CBP's credit the
    # day after was left unmatched.
    rec = reconcile(
        [entry()],
        refunds=refund_rows(refund()),
        deposits=bank((date(2026, 8, 31), "4331.34"), (date(2026, 9, 5), "4331.34")),
    )
    (payment,) = rec.payments
    assert (payment.status, payment.deposits) == ("paid", ("bank.csv:3",))
    assert [d.part for d in rec.deposits] == ["unmatched", "net"]


@given(equal_deposit_days())
def test_of_equal_deposits_in_the_window_the_nearest_is_chosen(days: list[int]) -> None:
    deposits = bank(*((REFUNDED + timedelta(days=n), "4331.34") for n in days))
    rec = reconcile([entry()], refunds=refund_rows(refund()), deposits=deposits)
    (payment,) = rec.payments
    (key,) = payment.deposits
    chosen = next(d for d in rec.deposits if d.key == key)
    offset = (chosen.date - REFUNDED).days
    nearest = min(abs(n) for n in days)
    assert abs(offset) == nearest
    # The documented tie rule: on or after the refund date before early, then the first row.
    assert offset == (nearest if nearest in days else -nearest)
    assert chosen.row == 2 + days.index(offset)
    # Money adds up: one deposit paid it, every other one is unmatched.
    assert sum(d.part == "net" for d in rec.deposits) == 1
    assert payment.deposited == D("4331.34")
