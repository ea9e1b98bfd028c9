"""t66: an entry's state follows its latest declaration's answer, claim copies spelled apart
count once, a bank's CR/DR column is read, the deposit window is bounded, and CBP's payee
stands over ours and a difference is reported."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    InvalidFormat,
    read_bank_deposits,
    read_claims,
    read_refunds,
    reconcile,
    resubmit,
)
from ieepa_refund.cape import read_ledger
from ieepa_refund.cli import main

from .strategies import claim_histories, claim_rows
from .test_reconcile import csv_text, entry, refunds_file

AS_OF = date(2026, 11, 28)
D = Decimal
HEADER = ["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"]
CH197 = "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"
#: t66's entry 31600000017: $1,000 of IEEPA duty, liquidated 2026-06-01.
ES003 = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Importer Name,Port of Entry Code,Entry Date,Entry Summary Date,Reconciliation Indicator,"
    "Liquidation Date,Liquidation Status,Country of Origin Code,Tariff Ordinal Number,"
    "HTS Number - Full,Line Tariff Duty Amount,Deposit Date\n"
    "31600000017,1,01,12-3456789AB,ACME,2704,06/02/2025,06/12/2025,N,06/01/2026,LIQUIDATED,"
    "CN,1,99030125,1000.00,06/12/2025\n"
)


def _ledger(tmp_path: Path, declarations: int, number: str = "31600000017") -> Path:
    path = tmp_path / "ledger.csv"
    rows = "".join(f"{number},cape_{i}_001.csv,2026-0{i + 5}-01\n" for i in range(declarations))
    path.write_text("entry_number,declaration_file,declared_on\n" + rows, encoding="utf-8")
    return path


class _Named(io.StringIO):
    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name


def _claims(*downloads: list[list[str]]) -> object:
    return read_claims(
        *(_Named(f"dl{i}.csv", csv_text([HEADER, *rows])) for i, rows in enumerate(downloads))
    )


# --- 01: the latest declaration's answer ---------------------------------------------------------


def test_a_pending_answer_to_the_latest_declaration_is_pending_never_resubmitted(
    tmp_path: Path,
) -> None:
    # t66/01 A: claim 1 failed, the entry was declared again, claim 2 is Pending.
    ledger = _ledger(tmp_path, 2)
    claims = _claims(
        [["31600000017", '="100000000001"', "Failed", CH197],
         ["31600000017", '="100000000002"', "Pending", ""]]
    )  # fmt: skip
    rec = reconcile([], ledger=ledger, claims=claims, as_of=AS_OF)  # type: ignore[arg-type]
    (one,) = rec.entries
    assert (one.status, one.claim_number, one.resubmit) == ("pending", "100000000002", None)
    assert any("an earlier declaration failed" in n for n in one.notes)
    assert resubmit(rec, tmp_path / "again", ledger=ledger, declared_on=AS_OF).count == 0
    assert len(read_ledger(ledger)["31600000017"]) == 2


def test_a_claim_seen_pending_then_failed_is_one_answer(tmp_path: Path) -> None:
    # t66/01 B: claim 1 Pending in an older download, Failed in a newer; declared again since.
    ledger = _ledger(tmp_path, 2)
    claims = _claims(
        [["31600000017", '="100000000001"', "Pending", ""]],
        [["31600000017", '="100000000001"', "Failed", CH197]],
    )
    rec = reconcile([], ledger=ledger, claims=claims, as_of=AS_OF)  # type: ignore[arg-type]
    (one,) = rec.entries
    assert (one.status, one.claim_status, one.resubmit) == ("declared", "Failed", None)
    assert resubmit(rec, tmp_path / "again", ledger=ledger, declared_on=AS_OF).count == 0
    # Declared once, the same answers: the claim failed and is ready to resubmit.
    once = reconcile(
        [],
        ledger=_ledger(tmp_path, 1),
        claims=claims,  # type: ignore[arg-type]
        as_of=AS_OF,
    )
    assert (once.entries[0].status, once.entries[0].resubmit) == ("failed", "ready")


def test_the_command_does_not_declare_a_pending_entry_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = _ledger(tmp_path, 2)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        csv_text([HEADER, ["31600000017", '="100000000001"', "Failed", CH197],
                  ["31600000017", '="100000000002"', "Pending", ""]]),
        encoding="utf-8",
    )  # fmt: skip
    es = tmp_path / "es.csv"
    es.write_text(ES003, encoding="utf-8")
    argv = ["reconcile", str(es), "--ledger", str(ledger), "--claims", str(claims), "--as-of",
            "2026-11-28", "--resubmit", str(tmp_path / "again")]  # fmt: skip
    main(argv)
    out = capsys.readouterr().out
    assert "1 pending" in out
    assert "failed" not in out.split("Entries:")[1].split("\n")[0]
    assert "Resubmission in" in out
    assert "0 entries" in out
    assert len(read_ledger(ledger)["31600000017"]) == 2


@given(claim_histories())
def test_the_status_is_the_latest_declarations_answer(
    history: tuple[int, list[list[list[str]]], str],
) -> None:
    declared, downloads, expected = history
    ledger = {"31600000017": tuple(f"cape_{i}_001.csv" for i in range(declared))}
    rec = reconcile([], ledger=ledger, claims=_claims(*downloads), as_of=AS_OF)  # type: ignore[arg-type]
    (one,) = rec.entries
    assert one.status == expected
    assert (one.resubmit is not None) == (expected == "failed")


# --- 02: copies spelled apart --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [("FAILED", CH197), ("Failed", CH197 + "."), ("failed ", "  " + CH197.lower() + " ")],
)
def test_a_claim_copy_spelled_apart_is_one_answer_reported_naming_both_rows(
    tmp_path: Path, status: str, message: str
) -> None:
    # t66/02, without claim numbers so that only the copy check can tell the two apart.
    ledger = _ledger(tmp_path, 2)
    claims = _claims([["31600000017", "", "Failed", CH197]], [["31600000017", "", status, message]])
    rec = reconcile([], ledger=ledger, claims=claims, as_of=AS_OF)  # type: ignore[arg-type]
    assert (rec.entries[0].status, rec.entries[0].resubmit) == ("declared", None)
    (problem,) = rec.problems
    assert (problem.code, problem.file, problem.row) == ("DUPLICATE_ROW", "dl1.csv", 2)
    assert "dl0.csv row 2" in problem.message


def test_a_claim_copy_with_its_claim_number_is_reported(tmp_path: Path) -> None:
    claims = _claims(
        [["31600000017", '="100000000001"', "Failed", CH197]],
        [["31600000017", '="100000000001"', "FAILED", CH197 + "."]],
    )
    rec = reconcile([], ledger=_ledger(tmp_path, 2), claims=claims)  # type: ignore[arg-type]
    assert [p.code for p in rec.problems] == ["DUPLICATE_ROW"]


def test_claim_rows_differing_in_substance_stay_two_answers(tmp_path: Path) -> None:
    claims = _claims(
        [["31600000017", "", "Failed", CH197]],
        [["31600000017", "", "Failed", "STATEMENT PROCESSING NOT COMPLETE"]],
    )
    rec = reconcile([], ledger=_ledger(tmp_path, 2), claims=claims, as_of=AS_OF)  # type: ignore[arg-type]
    assert rec.problems == ()
    assert rec.entries[0].status == "failed"


def _respell(row: list[str], how: str) -> list[str]:
    entry_cell, claim, status, message = row
    if how == "case":
        return [entry_cell, claim, status.upper(), message.lower()]
    if how == "stop":
        return [entry_cell, claim, status, message + "." if message else message]
    return [entry_cell, claim, f" {status} ", message.replace(" ", "  ")]


@given(
    st.lists(claim_rows(), max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["case", "stop", "space"])), max_size=6),
)
def test_claim_copies_spelled_apart_change_nothing(
    rows: list[list[str]], again: list[tuple[int, str]]
) -> None:
    copies = [_respell(rows[i], how) for i, how in again if i < len(rows)]
    first = read_claims(io.StringIO(csv_text([HEADER, *rows])))
    both = read_claims(
        io.StringIO(csv_text([HEADER, *rows])), io.StringIO(csv_text([HEADER, *copies]))
    )
    once, twice = reconcile([], claims=first), reconcile([], claims=both)
    assert twice.entries == once.entries
    # Each copy is rejected again (as its original was) or reported as a copy.
    assert len(twice.problems) == len(once.problems) + both.rows_read - first.rows_read


# --- 03: a CR/DR column --------------------------------------------------------------------------


def _typed_bank(tmp_path: Path, header: str, credit: str, debit: str) -> Path:
    path = tmp_path / "bank.csv"
    path.write_text(
        f"Date,{header},Amount,Reference\n07/22/2026,{credit},10855.37,TREAS 310\n"
        f"07/29/2026,{debit},10855.37,ACH RETURN\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("header", "credit", "debit"),
    [("Type", "CR", "DR"), ("CR/DR", "cr", "dr"), ("Type", "Credit", "Debit"),
     ("Transaction Type", "C", "D"), ("Type", "Deposit", "Withdrawal"),
     ("Type", "ACH CREDIT", "ACH DEBIT")],
)  # fmt: skip
def test_a_debit_marked_in_a_type_column_is_set_aside_and_its_reversal_flagged(
    tmp_path: Path, header: str, credit: str, debit: str
) -> None:
    # t66/03: the DR row was read as a deposit and "paid" a second refund, exit 0.
    read = read_bank_deposits(_typed_bank(tmp_path, header, credit, debit))
    assert (read.rows_read, read.rows_used, read.problems) == (1, 1, ())
    ((aside,),) = (read.debits,)
    assert (aside.key, aside.amount) == ("bank.csv:3", D("10855.37"))
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    rec = reconcile([one], refunds=refunds, deposits=read)
    assert rec.payments[0].status == "paid"
    (problem,) = rec.problems
    assert (problem.code, problem.row) == ("REVERSED_DEPOSIT", 3)


def test_a_type_value_neither_credit_nor_debit_is_a_bad_row_naming_the_cell(
    tmp_path: Path,
) -> None:
    read = read_bank_deposits(_typed_bank(tmp_path, "Type", "CR", "XFER"))
    assert (read.rows_read, read.rows_used, read.rows_rejected) == (2, 1, 1)
    (problem,) = read.problems
    assert (problem.row, problem.column, problem.value) == (3, "Type", "XFER")
    assert "credit or a debit" in problem.message


def test_a_credit_with_a_negative_amount_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text("Date,Type,Amount\n07/22/2026,CR,-10.00\n", encoding="utf-8")
    (problem,) = read_bank_deposits(path).problems
    assert (problem.code, problem.row) == ("BAD_ROW", 2)


# --- 07: the deposit window ----------------------------------------------------------------------


def test_a_window_past_the_calendar_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    es = tmp_path / "es.csv"
    es.write_text(ES003, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["reconcile", str(es), "--window-days", "100000000"])
    assert exit_.value.code == 2
    assert "--window-days" in capsys.readouterr().err


def test_reconcile_bounds_the_window(tmp_path: Path) -> None:
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    path = tmp_path / "bank.csv"
    path.write_text("Date,Amount\n07/22/2026,10855.37\n", encoding="utf-8")
    deposits = read_bank_deposits(path)
    with pytest.raises(InvalidFormat, match="window_days"):
        reconcile([one], refunds=refunds, deposits=deposits, window_days=100_000_000)
    rec = reconcile([one], refunds=refunds, deposits=deposits, window_days=3650)
    assert rec.payments[0].status == "paid"


# --- 09: CBP's payee -----------------------------------------------------------------------------


def test_payments_are_grouped_by_cbps_payee_and_a_difference_is_reported(
    tmp_path: Path,
) -> None:
    # t66/09: both refunds paid to 77-5555555ZZ in one ACH; the ES-003 names another for one.
    ours, theirs = entry(1), entry(2)
    rows = [[e.entry_number, r, "77-5555555ZZ", "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]
            for e, r in ((ours, "R1"), (theirs, "R2"))]  # fmt: skip
    theirs = theirs.model_copy(update={"notify_party": "77-5555555ZZ"})
    path = tmp_path / "bank.csv"
    path.write_text("Date,Amount\n07/22/2026,21710.74\n", encoding="utf-8")
    rec = reconcile(
        [ours, theirs],
        refunds=read_refunds(refunds_file(tmp_path, rows)),
        deposits=read_bank_deposits(path),
    )
    (payment,) = rec.payments
    assert (payment.payee, payment.status) == ("77-5555555ZZ", "paid")
    assert {e.payee for e in rec.entries} == {"77-5555555ZZ"}
    (problem,) = rec.problems
    assert (problem.code, problem.entry_number, problem.row) == (
        "PAYEE_DIFFERS", ours.entry_number, 2,
    )  # fmt: skip
    assert "77-5555555ZZ" in problem.message
    assert "12-3456789AB" in problem.message
    assert any("77-5555555ZZ" in n for n in rec.entries[0].notes)


def test_a_payee_written_without_its_dash_is_the_same_payee(tmp_path: Path) -> None:
    one = entry()
    rows = [[one.entry_number, "R1", "123456789AB", "06/30/2026", "07/20/2026", "10000.00",
             "855.37", ""]]  # fmt: skip
    rec = reconcile([one], refunds=read_refunds(refunds_file(tmp_path, rows)))
    assert rec.problems == ()
    assert rec.entries[0].payee == "12-3456789AB"
