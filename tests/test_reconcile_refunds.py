"""Refund rows and payments in reconcile: each refund counted once, each payment its own
deposit (t66 04, 05, 06, 08)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given

from ieepa_refund import Entry, reconcile
from ieepa_refund import entry_number as en
from ieepa_refund.reconcile import (
    BankDeposit,
    BankDeposits,
    CbpRefund,
    CbpRefunds,
    TradeRefund,
    TradeRefunds,
)

from .strategies import equal_deposit_days, refund_row_copies, refund_splits

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


# --- 04: one refund read from two reports counts once ---------------------------------------------


def test_a_refund_in_rev615_and_es022_counts_once_whichever_comes_first() -> None:
    # t66/04 A: REV-615 with its refund number, ES-022 the same row without the column.
    numbered = refund(principal="1000.00", interest="82.83")
    bare = refund(file="es022.csv", refund_number=None, principal="1000.00", interest="82.83")
    for rows in ((numbered, bare), (bare, numbered)):
        rec = reconcile([entry(duty="1000.00")], refunds=refund_rows(*rows))
        (result,) = rec.entries
        assert (result.principal_reported, result.interest_reported) == (D("1000.00"), D("82.83"))
        assert result.refund_number == "R003"  # the numbered copy is the one kept
        (problem,) = rec.problems
        assert problem.code == "DUPLICATE_ROW"
        dropped, kept = (bare, numbered)
        assert (problem.file, problem.row) == (dropped.file, dropped.row)
        assert f"{kept.file} row {kept.row}" in problem.message


def test_overlapping_reports_writing_the_payee_and_dates_differently_count_once() -> None:
    # t66/04 B: the payee dashed in one report and not in the other (dates are read to dates).
    oct_ = refund(file="oct.csv", refund_number=None, principal="1000.00", interest="82.83")
    nov = oct_.model_copy(update={"file": "nov.csv", "payee": "775555555zz"})
    rec = reconcile([entry(duty="1000.00")], refunds=refund_rows(oct_, nov))
    assert rec.entries[0].principal_reported == D("1000.00")
    ((code, file),) = [(p.code, p.file) for p in rec.problems]
    assert (code, file) == ("DUPLICATE_ROW", "nov.csv")
    # A copy dating the payment otherwise is still the refund (one (re)liquidation, one
    # payment), and the problem names both dates.
    later = nov.model_copy(update={"refund_date": date(2026, 9, 5)})
    rec = reconcile([entry(duty="1000.00")], refunds=refund_rows(oct_, later))
    assert rec.entries[0].principal_reported == D("1000.00")
    (problem,) = rec.problems
    assert "2026-09-05 here, 2026-09-04 there" in problem.message


def test_a_row_differing_in_a_figure_is_another_refund_or_a_conflict() -> None:
    one = refund(principal="1000.00", interest="82.83")
    other = refund(file="b.csv", refund_number=None, principal="1000.00", interest="82.84")
    rec = reconcile([entry()], refunds=refund_rows(one, other))
    assert rec.entries[0].principal_reported == D("2000.00")
    assert rec.problems == ()
    clash = other.model_copy(update={"refund_number": "R003"})
    rec = reconcile([entry()], refunds=refund_rows(one, clash))
    assert rec.entries[0].interest_reported == D("82.83")
    assert [p.code for p in rec.problems] == ["CONFLICTING_ROW"]


@given(refund_row_copies())
def test_every_refund_row_is_counted_once_or_reported(
    copies: list[tuple[int, bool, bool, bool]],
) -> None:
    figures = [("1000.00", "82.83"), ("250.00", "20.71"), ("1000.00", "82.84")]
    rows = []
    for n, (which, with_number, dashed, _) in enumerate(copies):
        principal, interest = figures[which]
        rows.append(
            refund(
                file=f"f{n}.csv",
                refund_number=f"R{which}" if with_number else None,
                principal=principal,
                interest=interest,
                payee="77-5555555ZZ" if dashed else "775555555ZZ",
            )
        )
    rec = reconcile([entry()], refunds=refund_rows(*rows))
    reported = [p for p in rec.problems if p.code in ("DUPLICATE_ROW", "CONFLICTING_ROW")]
    distinct = {which for which, *_ in copies}
    # Every row is counted or reported, never both, never neither; and the money adds up to
    # each distinct refund once.
    assert len(reported) == len(rows) - len(distinct)
    assert {p.file for p in reported} < {r.file for r in rows}
    (result,) = rec.entries
    total = sum((D(p) + D(i) for p, i in (figures[w] for w in distinct)), D("0.00"))
    assert (result.principal_reported or 0) + (result.interest_reported or 0) == total


# --- 08: an entry refunded at liquidation and again at reliquidation ---------------------------

AT_LIQUIDATION = refund(principal="3000.00", interest="248.50")
AT_RELIQUIDATION = refund(
    row=3,
    refund_number="R004",
    principal="1000.00",
    interest="95.78",
    liquidated=date(2026, 10, 15),
    refunded=date(2026, 11, 5),
)


def test_an_entry_refunded_twice_is_two_payments_each_with_its_own_interest() -> None:
    # t66/08: one payment dated by the file's last row, the right interest "unexplained".
    deposits = bank((date(2026, 9, 8), "3248.50"), (date(2026, 11, 9), "1095.78"))
    for rows in ((AT_LIQUIDATION, AT_RELIQUIDATION), (AT_RELIQUIDATION, AT_LIQUIDATION)):
        rec = reconcile([entry()], refunds=refund_rows(*rows), deposits=deposits)
        (result,) = rec.entries
        assert (result.principal_reported, result.interest_reported) == (D("4000.00"), D("344.28"))
        # Each refund's interest is the estimate to its own (re)liquidation date.
        assert (result.interest_cause, result.interest_recomputed) == ("end_date", D("344.28"))
        assert (result.liquidation_date, result.refund_number) == (date(2026, 10, 15), "R004")
        assert any("refunded 2 times" in n for n in result.notes)
        assert [(p.liquidation_date, p.net, p.status, p.deposits) for p in rec.payments] == [
            (date(2026, 8, 14), D("3248.50"), "paid", ("bank.csv:2",)),
            (date(2026, 10, 15), D("1095.78"), "paid", ("bank.csv:3",)),
        ]
        assert result.status == "paid"
        assert result.deposits == ("bank.csv:2", "bank.csv:3")
        assert not rec.unmatched_deposits


def test_an_entry_refunded_twice_is_paid_only_when_both_refunds_are() -> None:
    deposits = bank((date(2026, 9, 8), "3248.50"))
    rec = reconcile(
        [entry()], refunds=refund_rows(AT_LIQUIDATION, AT_RELIQUIDATION), deposits=deposits
    )
    assert [p.status for p in rec.payments] == ["paid", "unpaid"]
    assert rec.entries[0].status == "refunded"
    # Money adds up: what the payments should bring is what CBP refunded.
    assert sum((p.net for p in rec.payments), D("0.00")) == D("4344.28")


# --- 06: returned and reissued ------------------------------------------------------------------


def trades(*rows: tuple[str, date], number: str = "R003", amount: str = "4331.34") -> TradeRefunds:
    made = tuple(
        TradeRefund(
            file="rev603.csv", row=i + 2, refund_number=number, amount=D(amount),
            refund_date=when, status=status,  # type: ignore[arg-type]
        )
        for i, (status, when) in enumerate(rows)
    )  # fmt: skip
    n = len(made)
    return TradeRefunds(
        files=(), problems=(), rows_read=n, rows_used=n, rows_rejected=0, rows_blank=0, rows=made
    )


def test_a_reissued_payment_is_paid_by_the_reissue_not_the_reversed_deposit() -> None:
    # t66/06: the credit the bank took back paid it, and the reissue stayed unmatched.
    history = trades(
        ("treasury_issued", date(2026, 9, 4)),
        ("returned", date(2026, 9, 20)),
        ("reissued", date(2026, 10, 1)),
    )
    deposits = bank(
        (date(2026, 9, 8), "4331.34"),
        (date(2026, 10, 3), "4331.34"),
        debits=((date(2026, 9, 20), "4331.34"),),
    )
    rec = reconcile(
        [entry()], refunds=refund_rows(refund()), trade_refunds=history, deposits=deposits
    )
    (payment,) = rec.payments
    assert (payment.status, payment.deposits, payment.deposited) == (
        "paid", ("bank.csv:3",), D("4331.34"),
    )  # fmt: skip
    assert [d.part for d in rec.deposits] == ["returned", "net"]
    assert rec.problems == ()  # the debit is the return CBP reports: accounted for
    assert rec.entries[0].status == "paid"


def test_the_window_of_a_reissued_payment_counts_from_the_reissue() -> None:
    # t66/06 variant: reissued 67 days after the refund date, only the reissue posted.
    history = trades(
        ("treasury_issued", date(2026, 9, 4)),
        ("returned", date(2026, 9, 20)),
        ("reissued", date(2026, 11, 10)),
    )
    deposits = bank((date(2026, 11, 12), "4331.34"))
    rec = reconcile(
        [entry()], refunds=refund_rows(refund()), trade_refunds=history, deposits=deposits
    )
    assert [(p.status, p.deposits) for p in rec.payments] == [("paid", ("bank.csv:2",))]
    # Without a reissue, a deposit posted before the return still cannot pay a returned payment.
    back = trades(("treasury_issued", date(2026, 9, 4)), ("returned", date(2026, 9, 20)))
    early = bank((date(2026, 9, 8), "4331.34"))
    rec = reconcile([entry()], refunds=refund_rows(refund()), trade_refunds=back, deposits=early)
    assert rec.payments[0].status == "returned"


def test_a_diversion_lowers_the_payment_of_the_refund_it_names() -> None:
    # An entry refunded twice: REV-603 diverts part of R003, the refund at liquidation only.
    history = trades(("funds_diverted", date(2026, 9, 4)), number="R003", amount="248.50")
    deposits = bank((date(2026, 9, 8), "3000.00"), (date(2026, 11, 9), "1095.78"))
    rec = reconcile(
        [entry()],
        refunds=refund_rows(AT_LIQUIDATION, AT_RELIQUIDATION),
        trade_refunds=history,
        deposits=deposits,
    )
    assert [(p.offset, p.net, p.status) for p in rec.payments] == [
        (D("248.50"), D("3000.00"), "paid"),
        (D("0.00"), D("1095.78"), "paid"),
    ]
    assert rec.entries[0].offset == D("248.50")


@given(refund_splits())
def test_each_refund_of_an_entry_is_one_payment_and_the_money_adds_up(
    splits: list[tuple[int, int, int]],
) -> None:
    first = date(2026, 8, 14)
    rows = []
    posted = []
    for k, (days, principal, interest) in enumerate(splits):
        liquidated = first + timedelta(days=days)
        p, i = D(principal).scaleb(-2), D(interest).scaleb(-2)
        rows.append(
            refund(
                row=k + 2, refund_number=f"R{k}", principal=str(p), interest=str(i),
                liquidated=liquidated, refunded=liquidated + timedelta(days=21),
            )
        )  # fmt: skip
        posted.append((liquidated + timedelta(days=24), str(p + i)))
    rec = reconcile([entry()], refunds=refund_rows(*reversed(rows)), deposits=bank(*posted))
    (result,) = rec.entries
    assert len(rec.payments) == len(splits)
    refunded = (result.principal_reported or 0) + (result.interest_reported or 0)
    assert sum((p.principal + p.interest for p in rec.payments), D("0.00")) == refunded
    assert sum((p.deposited for p in rec.payments), D("0.00")) == refunded
    assert [p.status for p in rec.payments] == ["paid"] * len(splits)
    assert result.status == "paid"
    assert result.liquidation_date == first + timedelta(days=splits[-1][0])
    assert not rec.unmatched_deposits
