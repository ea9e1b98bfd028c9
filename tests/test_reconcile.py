"""After filing: CBP's files read tolerantly, and each entry reconciled from estimate to deposit."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    Entry,
    InputFileError,
    compute_refund,
    default_cape_messages,
    interest_detail,
    read_bank_deposits,
    read_claims,
    read_es003,
    read_refunds,
    read_trade_refunds,
    reconcile,
    resubmit,
    sample_es003,
)
from ieepa_refund import entry_number as en
from ieepa_refund.cape import read_ledger, write_declarations
from ieepa_refund.cli import main
from ieepa_refund.reconcile import EntryReconciliation, Reconciliation

from .strategies import (
    cbp_amount_cells,
    claim_rows,
    deposit_rows,
    issued_rows,
    refund_report_rows,
)

EXAMPLES = Path(__file__).parents[1] / "src" / "ieepa_refund" / "examples"
AS_OF = date(2026, 11, 28)
D = Decimal


def number(i: int) -> str:
    first = f"316{i:07d}"
    return first + en.calc_check_digit(first)


def entry(i: int = 1, *, liquidated: str | None = "2026-06-30", lines: Any = None) -> Entry:
    """$10,000 of fentanyl-China duty deposited 2025-04-15 (the brief's worked figure)."""
    return Entry.model_validate(
        {
            "entry_number": number(i),
            "entry_type": "01",
            "importer_number": "12-3456789AB",
            "entry_date": "2025-04-10",
            "entry_summary_date": "2025-04-15",
            "deposit_date": "2025-04-15",
            "liquidation_date": liquidated,
            "lines": lines
            or [
                {
                    "number": 1,
                    "country_of_origin": "CN",
                    "tariffs": [{"hts": "9903.01.24", "duty": "10000.00"}],
                }
            ],
        }
    )


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def refunds_file(tmp_path: Path, rows: list[list[str]], name: str = "rev615.csv") -> Path:
    header = [
        "Entry Summary Number", "Refund Number", "Importer Number", "Liquidation Date",
        "Refund Date", "Refund Principal Amount", "Refund Interest Amount", "Other Duties Netted",
    ]  # fmt: skip
    path = tmp_path / name
    path.write_text(csv_text([header, *rows]), encoding="utf-8")
    return path


def sample_reconciliation(**kwargs: Any) -> Reconciliation:
    return reconcile(
        read_es003(sample_es003()).entries,
        ledger=EXAMPLES / "sample_ledger.csv",
        claims=read_claims(EXAMPLES / "sample_claims.csv"),
        refunds=read_refunds(EXAMPLES / "sample_rev615.csv"),
        trade_refunds=read_trade_refunds(EXAMPLES / "sample_rev603.csv"),
        deposits=read_bank_deposits(EXAMPLES / "sample_deposits.csv"),
        as_of=AS_OF,
        **kwargs,
    )


# --- readers ------------------------------------------------------------------------------------


def test_claim_details_as_ace_exports_them(tmp_path: Path) -> None:
    """Wrappers, a BOM, title rows, a cp1252 byte in CBP's text and a bad row, all accounted for."""
    body = (
        "CAPE Claim Details\r\nExported 11/28/2026\r\n\r\n"
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\r\n"
        '="60576069342",="100000241223",Failed,HTS RELATIONSHIP/SEQUENCE MISMATCH\r\n'
        '="31610000114",="100000241223",Entry Summary Updated,\r\n'
        "6.05761E+10,100000241223,Failed,INVALID HTS\r\n"
        ",,,\r\n"
        '="31610001369",="100000241224",Failed,UNABLE TO CALCULATE DUTY \u2013 see CSMS\r\n'
    )
    path = tmp_path / "claims.csv"
    path.write_bytes(body.encode("cp1252"))
    claims = read_claims(path)
    assert (claims.rows_read, claims.rows_used, claims.rows_rejected, claims.rows_blank) == (
        4, 3, 1, 1,
    )  # fmt: skip
    first = claims.rows[0]
    assert (first.entry_number, first.claim_number, first.outcome) == (
        "60576069342", "100000241223", "failed",
    )  # fmt: skip
    assert claims.rows[1].outcome == "accepted"
    assert claims.rows[1].message is None
    assert claims.rows[2].message == "UNABLE TO CALCULATE DUTY \u2013 see CSMS"
    (problem,) = claims.problems
    assert (problem.file, problem.row, problem.column) == ("claims.csv", 7, "ENTRY_NUMBER")
    assert "scientific notation" in problem.message
    assert claims.files[0].header_row == 4
    assert claims.files[0].encoding == "cp1252"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + body.replace("\u2013", "-").encode("utf-8"))
    assert read_claims(bom).files[0].encoding == "utf-8-sig"


def test_claim_details_renamed_by_other_tools_and_tab_delimited() -> None:
    text = (
        "Entry Summary Number\tCape Claim Number\tFiling Status\tError Detail\n"
        "316-1000011-4\t100000241223\tFailed\tINVALID HTS\n"
    )
    claims = read_claims(io.StringIO(text))
    assert claims.files[0].format == "tsv"
    assert set(claims.files[0].recognised) == {"entry_number", "claim_number", "status", "message"}
    assert claims.rows[0].entry_number == "31610000114"
    assert claims.rows[0].message == "INVALID HTS"


def test_claim_details_mapping_and_a_clear_refusal() -> None:
    text = "Entry,Claim Ref,Result,Why\n31610000114,100000241223,Failed,INVALID HTS\n"
    with pytest.raises(InputFileError, match="no status column"):
        read_claims(io.StringIO(text))
    claims = read_claims(io.StringIO(text), mapping={"status": "Result", "message": "Why"})
    assert claims.rows[0].outcome == "failed"
    assert claims.files[0].mapped["status"] == "Result"
    with pytest.raises(InputFileError, match="not a field"):
        read_claims(io.StringIO(text), mapping={"colour": "Result"})
    with pytest.raises(InputFileError, match="not in the header"):
        read_claims(io.StringIO(text), mapping={"status": "Result", "message": "Reason"})


def test_refund_report_nearest_headers_are_named() -> None:
    text = "Entry Summry Numbr,Refnd Principal Amt\n31610000114,1.00\n"
    with pytest.raises(InputFileError) as caught:
        read_refunds(io.StringIO(text))
    message = str(caught.value)
    assert "did you mean 'Entry Summry Numbr'" in message
    assert "principal" in message
    assert "mapping=" in message


def test_refund_report_reads_splits_totals_and_keeps_numbers_as_text() -> None:
    rows = [
        ["REV-615 CAPE Details Refunds Report"],
        [],
        [
            "Entry Number",
            "Refund No",
            "Reliquidation Date",
            "Total Refund Amount",
            "Interest Amount",
        ],
        ['="31610000114"', '="000123456789"', "04/24/2026", "$3,157.86", "157.86"],
        ["31610001369", "R2", "2026-10-30", "917.26", ""],
        ["31610001021", "R3", "2026-10-30", "1.234,56", "1.00"],
        ["31610000528", "R4", "31/10/2026", "10.00", "1.00"],
    ]
    refunds = read_refunds(io.StringIO(csv_text(rows)))
    assert (refunds.rows_read, refunds.rows_used, refunds.rows_rejected) == (4, 1, 3)
    (row,) = refunds.rows
    assert row.refund_number == "000123456789"  # leading zeros kept: a string
    assert (row.principal, row.interest, row.liquidation_date) == (
        D("3000.00"), D("157.86"), date(2026, 4, 24),
    )  # fmt: skip
    codes = [p.code for p in refunds.problems]
    assert codes == ["BAD_ROW", "BAD_VALUE", "BAD_VALUE"]
    assert "split" in refunds.problems[0].message


def test_trade_refund_statuses_and_a_bad_status() -> None:
    rows = [
        ["Refund Number", "Refund Date", "Refund Amount", "Status", "Secondary Status"],
        ["R1", "11/20/2026", "10.00", "Transmitted", "Sent to Treasury"],
        ["R2", "11/20/2026", "10.00", "Transmitted", "Treasury Issued"],
        ["R3", "11/20/2026", "10.00", "Transmitted", "Funds Diverted"],
        ["R4", "11/20/2026", "10.00", "Transmitted", "Check/ACH Returned"],
        ["R5", "11/20/2026", "10.00", "Transmitted", "Check/ACH Reissued"],
        ["R6", "11/20/2026", "10.00", "Transmitted", ""],
        ["R7", "11/20/2026", "10.00", "Transmitted", "Lost in the post"],
    ]
    trades = read_trade_refunds(io.StringIO(csv_text(rows)))
    assert [t.status for t in trades.rows] == [
        "sent_to_treasury", "treasury_issued", "funds_diverted", "returned", "reissued",
        "transmitted",
    ]  # fmt: skip
    (problem,) = trades.problems
    assert problem.row == 8
    assert problem.column == "Secondary Status"


def test_bank_deposits_from_a_bank_export_and_an_xlsx(tmp_path: Path) -> None:
    rows = [
        ["Posting Date", "Description", "Credit"],
        ["11/24/2026", "TREAS 310 CUS REFUND", "4,125.52"],
        ["11/25/2026", "CARD PAYMENT", "-12.00"],
        ["11/26/2026", "ZERO", "0.00"],
    ]
    deposits = read_bank_deposits(io.StringIO(csv_text(rows)))
    assert [d.amount for d in deposits.rows] == [D("4125.52")]
    assert [p.code for p in deposits.problems] == ["BAD_ROW", "BAD_ROW"]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Bank statement"])
    sheet.append(["Date", "Amount", "Reference"])
    sheet.append([date(2026, 11, 24), 4125.52, "TREAS 310"])
    path = tmp_path / "bank.xlsx"
    book.save(path)
    (deposit,) = read_bank_deposits(path).rows
    assert (deposit.date, deposit.amount, deposit.row) == (date(2026, 11, 24), D("4125.52"), 3)


@given(st.lists(claim_rows(), max_size=15))
def test_claim_reader_accounts_for_every_row(rows: list[list[str]]) -> None:
    """Every row after the header is used, rejected with a problem, or blank: none is lost."""
    text = csv_text([["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"], *rows])
    claims = read_claims(io.StringIO(text))
    assert claims.rows_read == claims.rows_used + claims.rows_rejected
    assert claims.rows_read + claims.rows_blank == len(rows)
    assert len(claims.problems) == claims.rows_rejected
    assert all(p.row is not None and p.file for p in claims.problems)


@given(st.lists(deposit_rows(), max_size=15))
def test_deposit_reader_accounts_for_every_row(rows: list[list[str]]) -> None:
    """Every deposit row is used, rejected with a problem, or blank."""
    deposits = read_bank_deposits(io.StringIO(csv_text([["Date", "Amount", "Reference"], *rows])))
    assert deposits.rows_read == deposits.rows_used + deposits.rows_rejected
    assert deposits.rows_read + deposits.rows_blank == len(rows)
    assert len(deposits.problems) == deposits.rows_rejected


@given(st.lists(st.tuples(deposit_rows(), claim_rows()), max_size=10))
def test_refund_readers_account_for_every_row(pairs: list[tuple[list[str], list[str]]]) -> None:
    """REV-615 and REV-603 rows: used + rejected == read, whatever the cells hold."""
    refunds = [[c[0], c[1], d[0], d[1], d[1]] for d, c in pairs]
    header = ["Entry Number", "Refund Number", "Refund Date", "Principal", "Interest"]
    read = read_refunds(io.StringIO(csv_text([header, *refunds])))
    assert read.rows_read == read.rows_used + read.rows_rejected
    assert read.rows_read + read.rows_blank == len(pairs)
    trades = [[c[1], d[0], d[1], c[2]] for d, c in pairs]
    header = ["Refund Number", "Refund Date", "Refund Amount", "Secondary Status"]
    read_t = read_trade_refunds(io.StringIO(csv_text([header, *trades])))
    assert read_t.rows_read == read_t.rows_used + read_t.rows_rejected
    assert read_t.rows_read + read_t.rows_blank == len(pairs)


# --- failed entries: messages, causes, fix paths, deadlines -------------------------------------


@pytest.mark.parametrize("message", default_cape_messages().messages, ids=lambda m: m.message)
def test_every_cbp_message_has_a_status_and_fix_path(message: Any, tmp_path: Path) -> None:
    text = message.message if message.match == "exact" else f"ENTRY {message.message} ACCEPTED"
    one = entry(1, liquidated="2026-01-15")
    claims = read_claims(
        io.StringIO(csv_text([["ENTRY_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
                              [one.entry_number, "Failed", text.lower()]]))
    )  # fmt: skip
    (result,) = reconcile([one], claims=claims, as_of=date(2025, 12, 1)).entries
    if message.fix_path == "nothing":
        assert result.status == "accepted"
        return
    assert result.status == "failed"
    assert (result.cause, result.fix_path, result.fix) == (
        message.cause, message.fix_path, message.fix,
    )  # fmt: skip
    expected = {"yes": "ready", "no": "no", "after_correction": "after_correction"}
    assert result.resubmit == expected[message.resubmit]
    if message.deadline_rule == "psc_window":
        # 300 days from the entry summary (2026-02-09), or 15 days before liquidation: earlier.
        assert result.deadline == date(2025, 12, 31)
    elif message.deadline_rule == "protest_180":
        assert result.deadline == date(2026, 7, 14)
    else:
        assert result.deadline is None


def test_the_message_data_covers_csmss_history() -> None:
    table = default_cape_messages()
    split = table.explain("HTS RELATIONSHIP/SEQUENCE MISMATCH")
    assert split is not None
    assert split.until == date(2026, 6, 24)
    assert table.explain("INVALID HTS").since == date(2026, 6, 25)  # type: ignore[union-attr]
    goods = table.explain("GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97")
    assert goods is not None
    assert goods.resubmit == "yes"
    assert table.explain("UNABLE TO CALCULATE DUTY").fix_path == "write_to_cbp"  # type: ignore[union-attr]
    assert table.explain("NEVER SEEN BEFORE") is None


def test_an_unknown_message_is_reported_not_guessed() -> None:
    one = entry(1)
    claims = read_claims(
        io.StringIO(f"ENTRY_NUMBER,STATUS,ERROR_DESCRIPTION\n{one.entry_number},Failed,ODD\n")
    )
    (result,) = reconcile([one], claims=claims).entries
    assert (result.status, result.cause, result.resubmit) == ("failed", "unknown_message", "no")


def test_a_closed_psc_window_says_so(tmp_path: Path) -> None:
    one = entry(1, liquidated=None)
    claims = read_claims(
        io.StringIO(
            f"ENTRY_NUMBER,STATUS,ERROR_DESCRIPTION\n{one.entry_number},Failed,INVALID HTS\n"
        )
    )
    (open_,) = reconcile([one], claims=claims, as_of=date(2026, 2, 9)).entries
    (closed,) = reconcile([one], claims=claims, as_of=date(2026, 2, 10)).entries
    assert open_.resubmit == "after_correction"
    assert open_.deadline == date(2026, 2, 9)
    assert closed.resubmit == "no"
    assert any("PSC window closed" in n for n in closed.notes)


# --- differences explained ----------------------------------------------------------------------


def _reported(tmp_path: Path, one: Entry, principal: str, interest: str, **more: str) -> Any:
    path = refunds_file(
        tmp_path,
        [[one.entry_number, "R1", "12-3456789AB", more.get("liquidated", "06/30/2026"),
          "07/20/2026", principal, interest, more.get("netted", "")]],
    )  # fmt: skip
    (result,) = reconcile([one], refunds=read_refunds(path)).entries
    return result


def test_interest_matching_our_figure_is_a_match(tmp_path: Path) -> None:
    result = _reported(tmp_path, entry(), "10000.00", "855.37")  # the brief's worked figure
    assert (result.status, result.principal_cause, result.interest_cause) == (
        "refunded", "match", "match",
    )  # fmt: skip
    assert result.interest_difference == 0
    assert result.unexplained == 0


def test_interest_difference_explained_by_the_reliquidation_date(tmp_path: Path) -> None:
    cbp = interest_detail(
        D("10000.00"), deposited=date(2025, 4, 15), until=date(2026, 8, 14)
    ).interest
    result = _reported(tmp_path, entry(), "10000.00", str(cbp), liquidated="08/14/2026")
    assert result.interest_cause == "end_date"
    assert result.interest_recomputed == cbp
    assert result.interest_difference == cbp - D("855.37") != 0
    assert result.liquidation_date == date(2026, 8, 14)


def test_interest_difference_explained_by_the_rate_column(tmp_path: Path) -> None:
    result = _reported(tmp_path, entry(), "10000.00", "725.02")  # the corporate figure
    assert result.interest_cause == "rate_column"
    assert result.interest_difference == D("725.02") - D("855.37")


def test_interest_a_day_off_is_day_count(tmp_path: Path) -> None:
    cbp = interest_detail(
        D("10000.00"), deposited=date(2025, 4, 15), until=date(2026, 7, 1)
    ).interest
    result = _reported(tmp_path, entry(), "10000.00", str(cbp))
    assert result.interest_cause == "day_count"


def test_an_unexplained_difference_is_reported_with_its_size(tmp_path: Path) -> None:
    result = _reported(tmp_path, entry(), "9999.00", "855.38")
    assert (result.principal_cause, result.interest_cause) == ("unexplained", "unexplained")
    assert result.unexplained == D("1.01")
    assert result.principal_difference == D("-1.00")
    assert any("unexplained" in note for note in result.notes)


def test_principal_difference_explained_by_netting(tmp_path: Path) -> None:
    netted_interest = interest_detail(
        D("9750.00"), deposited=date(2025, 4, 15), until=date(2026, 6, 30)
    ).interest
    result = _reported(tmp_path, entry(), "9750.00", str(netted_interest), netted="250.00")
    assert result.principal_cause == "netted_other_duties"
    assert result.interest_cause == "principal"  # interest on the principal CBP refunded


def test_principal_difference_explained_by_recalculation(tmp_path: Path) -> None:
    """A non-IEEPA line underpaid by $100 against its rate: CBP's reliquidation nets it."""
    lines = [
        {"number": 1, "country_of_origin": "CN",
         "tariffs": [{"hts": "9903.01.24", "duty": "10000.00"},
                     {"hts": "8471.30.01.00", "value": "50000.00", "duty": "0.00", "rate": "0.2%"}]},
    ]  # fmt: skip
    one = entry(lines=lines)
    recalc = compute_refund(one, method="recalculate").principal
    assert recalc == D("9900.00")
    result = _reported(tmp_path, one, str(recalc), "0.00")
    assert result.principal_cause == "netted_other_duties"


def test_principal_within_a_15_percent_bound_is_a_re_rating() -> None:
    rec = sample_reconciliation()
    assert rec.entries  # the sample's 15% all-in entry is not refunded in the sample files
    imported = read_es003(sample_es003()).entries
    uncertain = next(e for e in imported if e.entry_number == "31610000783")
    text = csv_text(
        [["Entry Number", "Liquidation Date", "Principal", "Interest"],
         ["31610000783", "09/25/2026", "2000.00", "0.00"]]
    )  # fmt: skip
    (result,) = reconcile([uncertain], refunds=read_refunds(io.StringIO(text))).entries
    assert result.principal_cause == "rerated_15_all_in"


# --- payments and deposits ----------------------------------------------------------------------


def test_the_sample_reconciles_end_to_end() -> None:
    rec = sample_reconciliation()
    by = {e.entry_number: e for e in rec.entries}
    assert by["31610001369"].status == "paid"
    assert by["B7655001231"].interest_cause == "end_date"
    assert by["31610000114"].interest_cause == "rate_column"
    assert by["31610001104"].principal_cause == "netted_other_duties"
    assert by["31610001286"].status == "accepted"
    assert by["31610000452"].status == "not_declared"
    assert rec.failed_by_cause()["finally_liquidated"] == 1
    assert not rec.unexplained
    totals = rec.totals()
    assert totals["diverted"] == D("1342.43")
    assert totals["paid"] == D("12318.52")


def test_a_deposit_covering_two_payments() -> None:
    rec = sample_reconciliation()
    (deposit,) = [d for d in rec.deposits if d.amount == D("4125.52")]
    assert deposit.part == "sum"
    assert deposit.payments == ("12-3456789AB@2026-09-10", "12-3456789AB@2026-10-30")
    paid = [p for p in rec.payments if deposit.key in p.deposits]
    assert [p.status for p in paid] == ["paid", "paid"]
    assert sum((p.deposited for p in paid), D(0)) == deposit.amount


def test_principal_and_interest_arriving_apart() -> None:
    rec = sample_reconciliation()
    (payment,) = [p for p in rec.payments if p.liquidation_date == date(2026, 4, 24)]
    assert payment.status == "paid"
    assert len(payment.deposits) == 2
    assert payment.how == "principal and interest apart"


def test_unmatched_deposits_and_refunds_are_listed() -> None:
    rec = sample_reconciliation()
    assert [d.amount for d in rec.unmatched_deposits] == [D("1500.00")]
    assert rec.unmatched_refunds == ()
    late = sample_reconciliation(window_days=0)
    assert {p.liquidation_date for p in late.unmatched_refunds} >= {date(2026, 8, 14)}


def test_a_diverted_refund() -> None:
    rec = sample_reconciliation()
    (diverted,) = [e for e in rec.entries if e.status == "diverted"]
    assert diverted.entry_number == "31610000379"
    assert diverted.offset == D("1342.43")
    assert "24.72" in diverted.notes[-1]
    (payment,) = [p for p in rec.payments if diverted.entry_number in p.entries]
    assert (payment.status, payment.net, payment.offset) == ("diverted", 0, D("1342.43"))


def test_a_returned_ach_payment(tmp_path: Path) -> None:
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    trades = read_trade_refunds(
        io.StringIO(csv_text([["Refund Number", "Refund Date", "Secondary Status"],
                              ["R1", "07/20/2026", "Treasury Issued"],
                              ["R1", "07/30/2026", "Check/ACH Returned"]]))
    )  # fmt: skip
    rec = reconcile([one], refunds=refunds, trade_refunds=trades)
    assert rec.entries[0].status == "returned"
    assert rec.payments[0].status == "returned"
    assert rec.unmatched_refunds == rec.payments


# --- resubmission -------------------------------------------------------------------------------


def test_resubmission_skips_accepted_entries(tmp_path: Path) -> None:
    # Unliquidated: liquidated 2026-06-30, CAPE would exclude them on AS_OF (past the 80-day
    # look-back), and a resubmission is screened as any declaration (t67/01).
    entries = [entry(i, liquidated=None) for i in range(1, 5)]
    ledger = tmp_path / "declared.csv"
    first = write_declarations([e.entry_number for e in entries], tmp_path / "d1", ledger=ledger)
    assert first.count == 4
    rows = [["ENTRY_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
            [entries[0].entry_number, "Entry Summary Updated", ""],
            [entries[1].entry_number, "Failed", "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"],
            [entries[2].entry_number, "Failed", "INVALID HTS"],
            [entries[3].entry_number, "Failed", "ENTRY ON DRAWBACK"],
            [entries[0].entry_number, "Failed", "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"]]  # fmt: skip
    rec = reconcile(
        entries, ledger=ledger, claims=read_claims(io.StringIO(csv_text(rows))), as_of=AS_OF
    )
    assert rec.entries[0].status == "accepted"  # failed again later, but it is accepted
    batch = resubmit(rec, tmp_path / "d2", ledger=ledger)
    assert batch.declared == (entries[1].entry_number,)
    # A PSC filed: the corrected entry goes too; an accepted one is never let through.
    again = resubmit(rec, tmp_path / "d3", ledger=ledger, corrected=[entries[2].entry_number])
    assert again.declared == ()  # the PSC window closed on 2026-02-09 (as of 2026-11-28)
    rec_open = reconcile(
        entries, ledger=ledger, claims=read_claims(io.StringIO(csv_text(rows))),
        as_of=date(2026, 1, 5),
    )  # fmt: skip
    again = resubmit(
        rec_open, tmp_path / "d4", ledger=ledger,
        corrected=[entries[2].entry_number, entries[0].entry_number],
    )  # fmt: skip
    assert again.declared == (entries[2].entry_number,)
    held = read_ledger(ledger)
    assert len(held[entries[1].entry_number]) == 2  # declared, then resubmitted
    assert len(held[entries[0].entry_number]) == 1  # accepted: declared once


def test_redeclare_lets_only_named_ledger_entries_through(tmp_path: Path) -> None:
    a, b = number(1), number(2)
    ledger = tmp_path / "old.csv"
    ledger.write_text(f"entry_number\n{a}\n{b}\n", encoding="utf-8")  # an old one-column ledger
    batch = write_declarations([a, b], tmp_path / "out", ledger=ledger, redeclare=[a])
    assert batch.declared == (a,)
    assert [s.code for s in batch.skipped] == ["ALREADY_DECLARED"]
    assert read_ledger(ledger)[a] == (batch.files[0].name,)


# --- surface ------------------------------------------------------------------------------------


def test_tables_and_notebook_summary() -> None:
    rec = sample_reconciliation()
    records = rec.to_records()
    assert len(records) == len(rec.entries)
    assert "interest_cause" in records[0]
    assert len(rec.to_records(level="payment")) == len(rec.payments)
    assert len(rec.to_records(level="deposit")) == 5
    frame = rec.to_dataframe(level="payment")
    assert frame["net"].sum() == sum((p.net for p in rec.payments), D(0))
    assert "Reconciliation with CBP" in rec._repr_html_()
    claims = read_claims(EXAMPLES / "sample_claims.csv")
    assert len(claims.to_records()) == 11
    assert "CAPE Claim Details" in claims._repr_html_()


def test_reconcile_refuses_bad_arguments() -> None:
    from ieepa_refund import InvalidFormat

    with pytest.raises(InvalidFormat):
        reconcile([entry()], window_days=-1)
    with pytest.raises(InvalidFormat):
        reconcile([entry(), entry()])
    with pytest.raises(InvalidFormat):
        reconcile("31610000114")  # type: ignore[arg-type]


def test_command_reconciles_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reconciled.csv"
    argv = [
        "reconcile", str(sample_es003()), "--ledger", str(EXAMPLES / "sample_ledger.csv"),
        "--claims", str(EXAMPLES / "sample_claims.csv"),
        "--refunds", str(EXAMPLES / "sample_rev615.csv"),
        "--trade-refunds", str(EXAMPLES / "sample_rev603.csv"),
        "--deposits", str(EXAMPLES / "sample_deposits.csv"),
        "--as-of", "2026-11-28", "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 1  # failed entries and an unmatched deposit
    printed = capsys.readouterr().out
    assert "diverted" in printed
    assert "1,342.43" in printed
    assert "finally_liquidated: 1" in printed
    assert "unmatched deposit: sample_deposits.csv:6" in printed
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15
    assert {r["entry_number"]: r["status"] for r in rows}["31610000379"] == "diverted"


def test_command_mapping_resubmission_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text(
        # 31610001369: cape would declare it on 2026-11-28 (31610000296, here before t67/01,
        # has a rejected row: INCOMPLETE_ENTRY, excluded, so not resubmitted).
        "Entry,Result,Why\n31610001369,Failed,GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes((EXAMPLES / "sample_ledger.csv").read_bytes())
    base = ["reconcile", str(sample_es003()), "--claims", str(claims), "--ledger", str(ledger)]
    assert main(base) == 2  # no status column found
    assert "no status column" in capsys.readouterr().err
    mapped = [*base, "--claims-map", "status=Result", "--claims-map", "message=Why"]
    assert main([*mapped, "--resubmit", str(tmp_path / "again"), "--as-of", "2026-11-28"]) == 1
    assert "Resubmission in" in capsys.readouterr().out
    assert read_ledger(ledger)["31610001369"][-1].startswith("cape_")
    assert len(read_ledger(ledger)["31610001369"]) == 2
    with pytest.raises(SystemExit):
        main([*base, "--claims-map", "colour=Result"])


def test_demo_reconcile_runs_on_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--reconcile", "--as-of", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    assert "Reconciliation demo" in out
    assert "Unexplained differences: 0 entries" in out


def test_a_payment_against_cbps_consolidated_refund_and_a_liquidated_entry() -> None:
    one, two, three = entry(1), entry(2), entry(3)
    text = csv_text(
        [["Entry Number", "Liquidation Date", "Refund Date", "Principal", "Interest",
          "Consolidated Refund Number", "Consolidated Refund Amount"],
         [one.entry_number, "06/30/2026", "07/20/2026", "10000.00", "855.37", "C1", "21710.73"],
         [two.entry_number, "06/30/2026", "07/20/2026", "10000.00", "855.37", "C1", "21710.73"],
         [three.entry_number, "06/30/2026", "", "", "", "", ""]]
    )  # fmt: skip
    rec = reconcile([one, two, three], refunds=read_refunds(io.StringIO(text)))
    (payment,) = rec.payments
    assert payment.entries == (one.entry_number, two.entry_number)
    assert payment.payment_numbers == ("C1",)
    assert payment.cbp_amount == D("21710.73")
    assert payment.cbp_difference == D("-0.01")  # CBP's payment is a cent short of its entries
    assert payment.estimate == D("21710.74")
    assert rec.entries[2].status == "liquidated"


def test_a_trade_refund_linked_to_no_entry_is_a_problem() -> None:
    trades = read_trade_refunds(
        io.StringIO(csv_text([["Refund Number", "Secondary Status"], ["R404", "Treasury Issued"]]))
    )
    rec = reconcile([entry()], trade_refunds=trades)
    (problem,) = rec.problems
    assert (problem.code, problem.row) == ("UNLINKED_REFUND", 2)
    assert rec.entries[0].status == "not_declared"


# --- found by a tester (issue #11) --------------------------------------------------------------


def test_unliquidated_entry_interest_is_estimated_to_cbps_date_and_a_gap_is_counted(
    tmp_path: Path,
) -> None:
    # The ES-003 shows it unliquidated: our interest runs to CBP's date (the end-date cause).
    same = _reported(tmp_path, entry(liquidated=None), "10000.00", "855.37")
    assert (same.interest_cause, same.interest_estimate) == ("end_date", D("855.37"))
    assert same.unexplained == 0
    off = _reported(tmp_path, entry(liquidated=None), "10000.00", "1434.96")
    assert off.interest_cause == "unexplained"
    assert off.interest_difference == D("579.59")
    assert off.unexplained == D("579.59")


def test_an_unexplained_difference_without_an_estimate_still_has_a_size() -> None:
    odd = EntryReconciliation(
        entry_number="31610000866",
        payee=None,
        status="refunded",
        declared=True,
        interest_reported=D("99.00"),
        interest_cause="unexplained",
    )
    assert odd.unexplained == D("99.00")
    rec = Reconciliation(entries=(odd,), payments=(), deposits=(), messages_version="t")
    assert rec.unexplained == (odd,)


def _one_refund_trades(tmp_path: Path, rows: list[list[str]]) -> Reconciliation:
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "1000.00", "342.43", ""]]))  # fmt: skip
    header = ["Refund Number", "Refund Date", "Refund Amount", "Refund Secondary Status"]
    trades = read_trade_refunds(io.StringIO(csv_text([header, *rows])))
    return reconcile([one], refunds=refunds, trade_refunds=trades)


@pytest.mark.parametrize("issued_on", ["07/29/2026", "07/30/2026"])
def test_a_partial_diversion_is_kept_through_later_statuses(tmp_path: Path, issued_on: str) -> None:
    rec = _one_refund_trades(
        tmp_path,
        [
            ["R1", "07/20/2026", "1342.43", "Sent to Treasury"],
            ["R1", "07/29/2026", "1000.00", "Funds Diverted"],
            ["R1", issued_on, "342.43", "Treasury Issued"],
        ],
    )
    (result,) = rec.entries
    assert (result.status, result.offset) == ("issued", D("1000.00"))
    (payment,) = rec.payments
    assert (payment.offset, payment.net) == (D("1000.00"), D("342.43"))
    ties = [p for p in rec.problems if p.code == "STATUS_TIE"]
    assert len(ties) == (issued_on == "07/29/2026")


def test_two_statuses_on_one_date_are_reported_and_the_later_in_life_stands(
    tmp_path: Path,
) -> None:
    rec = _one_refund_trades(
        tmp_path,
        [
            ["R1", "07/20/2026", "1342.43", "Check/ACH Reissued"],
            ["R1", "07/20/2026", "1342.43", "Check/ACH Returned"],
        ],
    )
    assert rec.entries[0].trade_status == "reissued"  # whatever the row order
    (tie,) = rec.problems
    assert tie.code == "STATUS_TIE"
    assert "returned" in tie.message
    assert "reissued" in tie.message


def test_reconcile_problems_reach_stderr_and_the_problems_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trades = tmp_path / "rev603.csv"
    trades.write_text(
        csv_text([["Refund Number", "Refund Date", "Refund Amount", "Refund Secondary Status"],
                  ["R12345678901", "10/09/2026", "77.00", "Treasury Issued"]]),
        encoding="utf-8",
    )  # fmt: skip
    claims = tmp_path / "claims.csv"
    claims.write_text("ENTRY_NUMBER,STATUS\nXYZ,Failed\n", encoding="utf-8")
    problems = tmp_path / "problems.csv"
    argv = ["reconcile", str(sample_es003()), "--trade-refunds", str(trades),
            "--claims", str(claims), "--as-of", "2026-11-28", "--problems", str(problems)]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "UNLINKED_REFUND" in err
    assert "R12345678901" in err
    assert "claims.csv:2: BAD_VALUE" in err
    with problems.open(encoding="utf-8", newline="") as f:
        codes = {(r["file"], r["code"]) for r in csv.DictReader(f)}
    assert ("rev603.csv", "UNLINKED_REFUND") in codes
    assert ("claims.csv", "BAD_VALUE") in codes


def test_identical_refund_rows_count_once_and_different_ones_conflict(tmp_path: Path) -> None:
    one = entry()
    row = [one.entry_number, "R1", "12-3456789AB", "06/30/2026", "07/20/2026", "10000.00",
           "855.37", ""]  # fmt: skip
    other = [*row[:5], "9000.00", *row[6:]]
    rec = reconcile([one], refunds=read_refunds(refunds_file(tmp_path, [row, row, other])))
    (result,) = rec.entries
    assert result.principal_reported == D("10000.00")  # not doubled, not 29,000
    assert [(p.code, p.row) for p in rec.problems] == [("DUPLICATE_ROW", 3), ("CONFLICTING_ROW", 4)]
    assert all(p.entry_number == one.entry_number for p in rec.problems)


def test_a_negative_refund_is_a_problem_not_no_principal(tmp_path: Path) -> None:
    one = entry()
    path = refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB", "06/30/2026",
                                    "07/20/2026", "($100.00)", "0.00", ""]])  # fmt: skip
    read = read_refunds(path)
    assert (read.rows_used, read.rows_rejected) == (0, 1)
    (problem,) = read.problems
    assert "negative principal" in problem.message
    assert "bill or a reversal" in problem.message
    rec = reconcile([one], refunds=read)
    assert not any("no principal" in n for e in rec.entries for n in e.notes)


def test_a_missing_ledger_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"typo\.csv"):
        reconcile([entry()], ledger=tmp_path / "typo.csv")


@pytest.mark.parametrize(
    "message",
    [
        "entry summary is in final liquidation status.",
        "Entry Summary Is In Final Liquidation Status ;",
    ],
)
def test_cbp_messages_match_whatever_the_case_and_closing_punctuation(message: str) -> None:
    found = default_cape_messages().explain(message)
    assert found is not None
    assert found.cause == "finally_liquidated"


def _recon_flagged() -> Entry:
    return entry(liquidated=None).model_copy(
        update={"reconciliation_flag": True, "type09_filed": False}
    )


@pytest.mark.parametrize(("as_of", "resubmit_"), [(date(2026, 6, 28), "no"), (AS_OF, "ready")])
def test_a_failure_whose_rule_was_lifted_is_resubmittable(as_of: date, resubmit_: str) -> None:
    flagged = _recon_flagged()
    claims = read_claims(io.StringIO(csv_text([
        ["ENTRY_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
        [flagged.entry_number, "Failed", "ENTRY SUMMARY FLAGGED FOR RECON"],
    ])))  # fmt: skip
    rec = reconcile([flagged], ledger={flagged.entry_number: ["a.csv"]}, claims=claims, as_of=as_of)
    (result,) = rec.entries
    assert (result.status, result.resubmit) == ("failed", resubmit_)
    if resubmit_ == "ready":
        assert result.fix_path == "resubmit"
        assert "2026-06-29" in (result.fix or "")


def test_claims_column_error_names_the_commands_option() -> None:
    text = "Entry,Claim Ref,Result,Why\n31610000114,100000241223,Failed,INVALID HTS\n"
    with pytest.raises(InputFileError, match="--claims-map") as caught:
        read_claims(io.StringIO(text))
    assert "--map " not in str(caught.value)
    with pytest.raises(InputFileError, match="--refunds-map"):
        read_refunds(io.StringIO("Entry Summry Numbr,Refnd Principal Amt\n31610000114,1.00\n"))


def test_wrong_argument_types_raise_our_errors(tmp_path: Path) -> None:
    from ieepa_refund import InvalidFormat

    rec = reconcile([entry()])
    ledger = tmp_path / "l.csv"
    for bad in (None, 1.5):
        with pytest.raises(InvalidFormat, match="out_dir"):
            resubmit(rec, bad, ledger=ledger)  # type: ignore[arg-type]
        with pytest.raises(InvalidFormat, match="corrected"):
            resubmit(rec, tmp_path / "o", ledger=ledger, corrected=bad)  # type: ignore[arg-type]
    with pytest.raises(InputFileError, match="mapping"):
        read_claims(io.StringIO("ENTRY_NUMBER,STATUS\n"), mapping=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="ledger"):
        reconcile([entry()], ledger={"a": 1})  # type: ignore[dict-item]


def test_ignored_corrections_are_reported_with_why(tmp_path: Path) -> None:
    entries = [entry(i) for i in range(1, 3)]
    ledger = tmp_path / "declared.csv"
    write_declarations([e.entry_number for e in entries], tmp_path / "d1", ledger=ledger)
    rows = [["ENTRY_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
            [entries[0].entry_number, "Entry Summary Updated", ""],
            [entries[1].entry_number, "Failed", "INVALID HTS"]]  # fmt: skip
    rec = reconcile(
        entries, ledger=ledger, claims=read_claims(io.StringIO(csv_text(rows))), as_of=AS_OF
    )
    unknown = number(9)
    batch = resubmit(
        rec, tmp_path / "d2", ledger=ledger,
        corrected=[entries[0].entry_number, entries[1].entry_number, unknown],
    )  # fmt: skip
    assert batch.declared == ()
    why = {s.value: s.code for s in batch.skipped}
    assert why == {
        entries[0].entry_number: "CORRECTED_NOT_FAILED",
        entries[1].entry_number: "CORRECTION_WINDOW_CLOSED",
        unknown: "CORRECTED_UNKNOWN",
    }


def test_a_renamed_message_is_not_a_lifted_rule() -> None:
    """CSMS #69056483 renamed HTS RELATIONSHIP/SEQUENCE MISMATCH on 2026-06-25; the fault, in the
    entry's data (which screening cannot see), still excludes: a correction first, not a plain
    resubmission, even when our screening finds nothing today."""
    one = entry(1, liquidated=None)  # unliquidated: today CAPE would take it, as far as we see
    claims = read_claims(io.StringIO(csv_text([
        ["ENTRY_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
        [one.entry_number, "Failed", "HTS RELATIONSHIP/SEQUENCE MISMATCH"],
    ])))  # fmt: skip
    rec = reconcile(
        [one], ledger={one.entry_number: ["a.csv"]}, claims=claims, as_of=date(2026, 11, 28)
    )
    (result,) = rec.entries
    assert result.status == "failed"
    assert result.resubmit != "ready"
    assert "ended on" not in (result.fix or "")


# --- found by a tester (t65) --------------------------------------------------------------------


def test_an_issued_amount_other_than_the_refund_is_reported(tmp_path: Path) -> None:
    # t65/04: REV-603 is what Treasury issued; without a diversion it was never compared.
    short = _one_refund_trades(tmp_path, [["R1", "07/20/2026", "1000.00", "Treasury Issued"]])
    (problem,) = short.problems
    assert (problem.code, problem.file, problem.row) == ("ISSUED_DIFFERS", "<stream>", 2)
    assert "1000.00" in problem.message
    assert "1342.43" in problem.message
    assert problem.entry_number == short.entries[0].entry_number
    same = _one_refund_trades(tmp_path, [["R1", "07/20/2026", "1342.43", "Treasury Issued"]])
    assert same.problems == ()


def test_an_issued_amount_is_compared_with_every_entry_sharing_the_refund(tmp_path: Path) -> None:
    one, two = entry(1), entry(2)
    rows = [[e.entry_number, "R1", "12-3456789AB", "06/30/2026", "07/20/2026", "1000.00",
             "342.43", ""] for e in (one, two)]  # fmt: skip
    refunds = read_refunds(refunds_file(tmp_path, rows))
    header = ["Refund Number", "Refund Date", "Refund Amount", "Refund Secondary Status"]

    def issued(amount: str) -> Reconciliation:
        trades = read_trade_refunds(
            io.StringIO(csv_text([header, ["R1", "07/20/2026", amount, "Treasury Issued"]]))
        )
        return reconcile([one, two], refunds=refunds, trade_refunds=trades)

    (problem,) = issued("1342.43").problems
    assert problem.code == "ISSUED_DIFFERS"
    assert "2684.86" in problem.message
    assert "2 entries" in problem.message
    assert issued("2684.86").problems == ()


def test_a_refund_known_only_from_rev603_is_counted_and_reported() -> None:
    # t65/04 rev603_only: the 4,331.34 issued was in no total and nothing was flagged.
    one = entry()
    trades = read_trade_refunds(
        io.StringIO(
            csv_text([["Refund Number", "Refund Secondary Status", "Entry Number", "Refund Amount"],
                      ["R9", "Treasury Issued", one.entry_number, "4331.34"]])
        )
    )  # fmt: skip
    rec = reconcile([one], ledger={one.entry_number: "cape_x_001.csv"}, trade_refunds=trades)
    (result,) = rec.entries
    assert (result.status, result.issued) == ("issued", D("4331.34"))
    assert rec.totals()["refunded"] == D("4331.34")
    (problem,) = rec.problems
    assert (problem.code, problem.row, problem.entry_number) == ("NO_REFUND_ROW", 2, number(1))
    assert rec.to_records(level="entry")[0]["issued"] == D("4331.34")


def test_a_refund_for_an_entry_with_no_estimate_is_unexplained(tmp_path: Path) -> None:
    # t65/05: an entry in neither the ES-003 nor the ledger, refunded: 0 unexplained, exit 0.
    stranger = number(5)
    path = refunds_file(tmp_path, [[stranger, "R5", "12-3456789AB", "06/30/2026", "07/20/2026",
                                    "500.00", "41.42", ""]])  # fmt: skip
    rec = reconcile([entry()], refunds=read_refunds(path))
    (odd,) = rec.unexplained
    assert odd.entry_number == stranger
    assert (odd.principal_cause, odd.interest_cause) == ("unexplained", "unexplained")
    assert odd.unexplained == D("541.42")
    assert rec.totals()["unexplained"] == D("541.42")


def test_a_refund_for_an_entry_with_no_estimate_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = refunds_file(tmp_path, [[number(5), "R5", "12-3456789AB", "06/30/2026", "07/20/2026",
                                    "500.00", "41.42", ""]])  # fmt: skip
    es = tmp_path / "es.csv"
    es.write_text(sample_es003().read_text(encoding="utf-8"), encoding="utf-8")
    argv = ["reconcile", str(es), "--refunds", str(path), "--as-of", "2026-11-28"]
    assert main(argv) == 1
    assert "541.42 in all" in capsys.readouterr().out


def _returned(tmp_path: Path, deposits: list[list[str]]) -> Reconciliation:
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    trades = read_trade_refunds(
        io.StringIO(csv_text([["Refund Number", "Refund Date", "Refund Amount", "Secondary Status"],
                              ["R1", "07/20/2026", "10855.37", "Treasury Issued"],
                              ["R1", "07/30/2026", "10855.37", "Check/ACH Returned"]]))
    )  # fmt: skip
    bank = tmp_path / "bank.csv"
    bank.write_text(csv_text([["Date", "Amount", "Reference"], *deposits]), encoding="utf-8")
    return reconcile(
        [one], refunds=refunds, trade_refunds=trades, deposits=read_bank_deposits(bank)
    )


def test_a_returned_payment_is_not_paid_and_its_deposit_is_flagged(tmp_path: Path) -> None:
    # t65/07: "Payments: 1 (1 paid)" and the returned 10,855.37 in "paid".
    rec = _returned(tmp_path, [["07/22/2026", "10855.37", "TREAS 310"]])
    (payment,) = rec.payments
    assert (payment.status, payment.deposited) == ("returned", 0)
    assert rec.totals()["paid"] == 0
    assert rec.entries[0].status == "returned"
    (problem,) = rec.problems
    assert (problem.code, problem.file, problem.row) == ("RETURNED_DEPOSIT", "bank.csv", 2)
    assert rec.unmatched_refunds == rec.payments
    quiet = _returned(tmp_path, [])
    assert (quiet.payments[0].status, quiet.problems) == ("returned", ())


def _claims_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(
        'ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n="31600000017",="100000000001",'
        "Failed,STATEMENT PROCESSING NOT COMPLETE\n",
        encoding="utf-8",
    )
    return path


def test_a_claim_row_read_twice_is_one_answer(tmp_path: Path) -> None:
    # t65/06: the same download twice made an entry declared again look failed, then resubmitted.
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n31600000017,cape_a_001.csv,2026-05-01\n"
        "31600000017,cape_b_001.csv,2026-11-20\n",
        encoding="utf-8",
    )
    once = reconcile([], ledger=ledger, claims=read_claims(_claims_file(tmp_path, "a.csv")))
    twice = reconcile(
        [],
        ledger=ledger,
        claims=read_claims(_claims_file(tmp_path, "a.csv"), _claims_file(tmp_path, "b.csv")),
    )
    assert once.entries[0].status == twice.entries[0].status == "declared"
    assert twice.entries[0].resubmit is None
    (problem,) = twice.problems
    assert (problem.code, problem.file, problem.row) == ("DUPLICATE_ROW", "b.csv", 2)
    assert "a.csv row 2" in problem.message
    batch = resubmit(twice, tmp_path / "again", ledger=ledger, declared_on=AS_OF)
    assert batch.count == 0


@given(st.lists(claim_rows(), max_size=8), st.lists(st.integers(0, 7), max_size=8))
def test_claim_rows_read_again_change_nothing_and_each_copy_is_reported(
    rows: list[list[str]], again: list[int]
) -> None:
    """Each row is an entry's answer, a rejected row, or a reported copy: a copy changes nothing."""
    header = ["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"]
    copies = [rows[i] for i in again if i < len(rows)]
    first = read_claims(io.StringIO(csv_text([header, *rows])))
    both = read_claims(
        io.StringIO(csv_text([header, *rows])), io.StringIO(csv_text([header, *copies]))
    )
    once, twice = reconcile([], claims=first), reconcile([], claims=both)
    assert twice.entries == once.entries
    duplicates = [p for p in twice.problems if p.code == "DUPLICATE_ROW"]
    # Each copy read is rejected again or reported as a copy: one problem each.
    assert len(twice.problems) == len(once.problems) + both.rows_read - first.rows_read
    # Every row used is one answer or a copy reported naming the row it repeats.
    answers = {tuple(r.model_dump(exclude={"file", "row"}).values()) for r in both.rows}
    assert both.rows_used == len(answers) + len(duplicates)
    assert all(p.file and p.row and " row " in p.message for p in duplicates)


def test_a_total_below_its_interest_is_rejected_not_a_negative_principal() -> None:
    # t65/09: total 100.00 with interest 248.50 gave a principal of -148.50, used.
    text = csv_text([["Entry Number", "Total Refund Amount", "Refund Interest Amount",
                      "Refund Number"], [number(3), "100.00", "248.50", "R3"]])  # fmt: skip
    read = read_refunds(io.StringIO(text))
    assert read.rows == ()
    (problem,) = read.problems
    assert (problem.code, problem.row, problem.entry_number) == ("BAD_ROW", 2, number(3))
    assert "negative principal (-148.50)" in problem.message
    fine = read_refunds(io.StringIO(text.replace("100.00", "348.50")))
    assert fine.rows[0].principal == D("100.00")


def test_identical_refund_rows_without_a_refund_number_count_once(tmp_path: Path) -> None:
    # t65/08: two overlapping downloads of a layout with no refund number doubled the refund.
    one = entry()
    header = ["Entry Summary Number", "Liquidation Date", "Refund Date",
              "Refund Principal Amount", "Refund Interest Amount"]  # fmt: skip
    row = [one.entry_number, "06/30/2026", "07/20/2026", "10000.00", "855.37"]
    for name in ("sep.csv", "overlap.csv"):
        (tmp_path / name).write_text(csv_text([header, row]), encoding="utf-8")
    rec = reconcile([one], refunds=read_refunds(tmp_path / "sep.csv", tmp_path / "overlap.csv"))
    (result,) = rec.entries
    assert (result.principal_reported, result.interest_reported) == (D("10000.00"), D("855.37"))
    assert not rec.unexplained
    (problem,) = rec.problems
    assert (problem.code, problem.file, problem.row) == ("DUPLICATE_ROW", "overlap.csv", 2)
    assert "sep.csv row 2" in problem.message
    other = [*row[:3], "500.00", "42.77"]  # a second refund, told apart by its figures
    (tmp_path / "overlap.csv").write_text(csv_text([header, other]), encoding="utf-8")
    added = reconcile([one], refunds=read_refunds(tmp_path / "sep.csv", tmp_path / "overlap.csv"))
    assert added.entries[0].principal_reported == D("10500.00")
    assert added.problems == ()


def _bank(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "bank.csv"
    header = ["Posting Date", "Description", "Debit", "Credit", "Balance"]
    path.write_text(csv_text([header, *rows]), encoding="utf-8")
    return path


def test_debits_in_a_debit_credit_export_are_set_aside_not_rejected(tmp_path: Path) -> None:
    # t65/11: every debit row of an operating account was "BAD_ROW: no amount", exit 1.
    path = _bank(tmp_path, [["07/22/2026", "TREAS 310", "", "10,855.37", "20,000.00"],
                            ["07/23/2026", "PAYROLL", "5,000.00", "", "15,000.00"]])  # fmt: skip
    read = read_bank_deposits(path)
    assert (read.rows_read, read.rows_used, read.rows_rejected, read.problems) == (1, 1, 0, ())
    ((debit,),) = (read.debits,)
    assert (debit.key, debit.amount) == ("bank.csv:3", D("5000.00"))
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    rec = reconcile([one], refunds=refunds, deposits=read)
    assert rec.payments[0].status == "paid"
    assert rec.problems == ()


def test_a_debit_reversing_a_matched_refund_is_flagged(tmp_path: Path) -> None:
    one = entry()
    refunds = read_refunds(refunds_file(tmp_path, [[one.entry_number, "R1", "12-3456789AB",
                                                    "06/30/2026", "07/20/2026", "10000.00", "855.37", ""]]))  # fmt: skip
    path = _bank(tmp_path, [["07/22/2026", "TREAS 310", "", "10,855.37", "20,000.00"],
                            ["07/29/2026", "ACH RETURN", "10,855.37", "", "9,144.63"]])  # fmt: skip
    rec = reconcile([one], refunds=refunds, deposits=read_bank_deposits(path))
    (problem,) = rec.problems
    assert (problem.code, problem.file, problem.row) == ("REVERSED_DEPOSIT", "bank.csv", 3)
    assert "bank.csv:2" in problem.message


def test_debits_are_named_in_the_command_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bank(tmp_path, [["07/23/2026", "PAYROLL", "5,000.00", "", "15,000.00"]])
    argv = ["reconcile", str(sample_es003()), "--deposits", str(path), "--as-of", "2026-11-28"]
    main(argv)  # the sample ES-003 holds rejected rows on purpose: exit 1 comes from those
    out, err = capsys.readouterr()
    assert "bank.csv:" not in err
    assert "0 rows read, 0 used, 0 rejected, 1 debit set aside" in out
    assert "debits (money out, not deposits): bank.csv:2" in out


def test_an_issued_amount_is_compared_with_its_own_refund_not_the_entrys_others(
    tmp_path: Path,
) -> None:
    one = entry()
    rows = [[one.entry_number, number, "12-3456789AB", "06/30/2026", "07/20/2026", principal,
             interest, ""] for number, principal, interest in
            (("R1", "1000.00", "342.43"), ("R2", "9000.00", "512.94"))]  # fmt: skip
    header = ["Refund Number", "Refund Date", "Refund Amount", "Refund Secondary Status"]
    trades = read_trade_refunds(
        io.StringIO(csv_text([header, ["R1", "07/20/2026", "1342.43", "Treasury Issued"]]))
    )
    rec = reconcile([one], refunds=read_refunds(refunds_file(tmp_path, rows)), trade_refunds=trades)
    assert rec.problems == ()
    assert rec.entries[0].principal_reported == D("10000.00")


class _Named(io.StringIO):
    """A text stream with a file name, as an open file has."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name


@given(refund_report_rows, refund_report_rows, issued_rows)
def test_every_refund_row_is_counted_once_or_reported_and_issued_amounts_are_checked(
    first: list[list[str]], second: list[list[str]], issued: list[list[str]]
) -> None:
    """Two REV-615 files (overlapping or not) and a REV-603: each row's money is in `refunded`
    or its row is a reported copy or conflict; each issued amount equals its refund or is
    reported."""
    header = ["Entry Summary Number", "Refund Number", "Liquidation Date", "Refund Date",
              "Refund Principal Amount", "Refund Interest Amount"]  # fmt: skip

    def rows(drawn: list[list[str]]) -> list[list[str]]:
        return [[e, r, "08/14/2026", "09/04/2026", p, i] for e, r, p, i in drawn]

    refunds = read_refunds(
        _Named("a.csv", csv_text([header, *rows(first)])),
        _Named("b.csv", csv_text([header, *rows(second)])),
    )
    trades = read_trade_refunds(
        io.StringIO(
            csv_text([["Refund Number", "Refund Date", "Refund Amount", "Refund Secondary Status"],
                      *[[r, "09/04/2026", a, "Treasury Issued"] for r, a in issued]])
        )
    )  # fmt: skip
    rec = reconcile([entry(1), entry(2)], refunds=refunds, trade_refunds=trades)
    by_row = {(r.file, r.row): r.total or D(0) for r in refunds.rows}
    set_aside = [p for p in rec.problems if p.code in ("DUPLICATE_ROW", "CONFLICTING_ROW")]
    assert rec.totals()["refunded"] + sum(
        (by_row[(p.file, p.row)] for p in set_aside), D(0)
    ) == sum(by_row.values(), D(0))
    aside = {(p.file, p.row) for p in set_aside}
    counted = [r for r in refunds.rows if (r.file, r.row) not in aside]
    for number in {r for r, _ in issued}:
        due = sum((r.total or D(0) for r in counted if r.refund_number == number), D(0))
        if not due:
            continue  # the refund is in no REV-615 row: linked to no entry (UNLINKED_REFUND)
        amounts = {D(a) for r, a in issued if r == number}  # all on one date
        flagged = any(p.code == "ISSUED_DIFFERS" and f"refund {number}:" in p.message
                      for p in rec.problems)  # fmt: skip
        assert flagged == (amounts != {due})


@given(st.lists(st.tuples(deposit_rows(), cbp_amount_cells), max_size=12))
def test_a_debit_credit_export_accounts_for_every_row(pairs: list[tuple[list[str], str]]) -> None:
    """Every row of a Debit/Credit export is a deposit, a debit set aside, rejected, or blank."""
    rows = [[d[0], d[2], debit, d[1]] for d, debit in pairs]
    read = read_bank_deposits(
        io.StringIO(csv_text([["Posting Date", "Description", "Debit", "Credit"], *rows]))
    )
    assert read.rows_read == read.rows_used + read.rows_rejected
    assert read.rows_rejected == len(read.problems)
    assert read.rows_read + read.rows_blank + len(read.debits) == len(rows)
    assert all(d.amount > 0 for d in (*read.rows, *read.debits))
