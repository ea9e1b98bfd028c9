"""The roads in ``ieepa-refund estimate``: the money-by-road table, the row columns, the what-if flags."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import InputFileError, entry_roads
from ieepa_refund.cli import main

SAMPLE = Path(__file__).parents[1] / "src" / "ieepa_refund" / "examples" / "sample_es003.csv"
ROAD_COLUMNS = (
    "road",
    "next_action",
    "deadline",
    "expected_liquidation",
    "expected_payment",
    "interest_to_expected",
)


def _rows(tmp_path: Path, *flags: str) -> dict[str, dict[str, str]]:
    out = tmp_path / "refunds.csv"
    main(["estimate", str(SAMPLE), "--as-of", "2026-11-28", "--out", str(out), *flags])
    with out.open(newline="") as f:
        return {r["entry_number"]: r for r in csv.DictReader(f)}


def test_demo_shows_money_by_road_and_cape_payments_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--as-of", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    assert "Where each dollar stands, for a CAPE declaration on 2026-11-28:" in out
    for label in (
        "CAPE now: refunded at (re)liquidation",
        "Protest within 180 days of liquidation",
        "Window closed: only litigation remains",
        "Excluded from CAPE",
        "Input problem: fix it first",
    ):
        assert label in out
    payments = out.split("Payments CAPE is expected to make")[1].split("Not in these payments")[0]
    # The stale liquidation dates of entries CAPE will not take are gone from the payments.
    assert "2026-01-15" not in payments
    assert "2026-04-24" not in payments
    assert "2026-08-14" not in payments  # on the protest road: beside, not in
    assert "first deadline 2027-02-10" in out


def test_rows_carry_road_action_deadline_and_expected_dates(tmp_path: Path) -> None:
    rows = _rows(tmp_path)
    assert all(c in next(iter(rows.values())) for c in ROAD_COLUMNS)
    closed = rows["31610001021"]  # liquidated 2026-01-15
    assert closed["road"] == "Window closed: only litigation remains"
    assert closed["expected_payment"] == ""
    assert closed["expected_liquidation"] == ""
    protest = rows["31610001104"]  # liquidated 2026-08-14, 106 days before
    assert protest["deadline"] == "2027-02-10"
    assert protest["expected_payment"] == ""
    fresh = rows["31610000528"]  # unliquidated: 45 days after acceptance
    assert fresh["road"] == "CAPE now: refunded at (re)liquidation"
    assert fresh["expected_liquidation"] == "2027-01-12"
    assert fresh["expected_payment"] == "2027-02-11"


def test_declared_on_and_liquidation_after_days_make_the_what_if(tmp_path: Path) -> None:
    rows = _rows(
        tmp_path, "--declared-on", "2026-11-01", "--liquidation-after-days", "30", "--project"
    )
    assert rows["31610000528"]["expected_liquidation"] == "2026-12-01"
    assert rows["31610000528"]["interest_to_expected"] not in ("", "0.00")
    # 79 days after its liquidation on 2026-11-01: CAPE still takes it.
    assert rows["31610001104"]["road"] == "CAPE now: refunded at (re)liquidation"
    assert rows["31610001104"]["expected_liquidation"] == "2026-11-12"


def test_ledger_marks_entries_already_declared(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text("entry_number,declaration_file\r\n31610000528,cape_abc_001.csv\r\n")
    rows = _rows(tmp_path, "--ledger", str(ledger))
    assert rows["31610000528"]["next_action"].startswith("Declared in cape_abc_001.csv")
    assert rows["31610000866"]["next_action"].startswith("Declare in CAPE")


@pytest.mark.parametrize("days", ["-1", "abc", "4000"])
def test_bad_liquidation_after_days_is_a_usage_error(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--liquidation-after-days", days])
    assert exc.value.code == 2
    assert "--liquidation-after-days" in capsys.readouterr().err


def test_a_missing_ledger_is_refused_not_read_as_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["demo", "--as-of", "2026-11-28", "--ledger", str(missing)]) == 2
    assert "no such ledger file" in capsys.readouterr().err


# --- found by a tester (issues #10, #11) ---------------------------------------------------------


def test_ledger_does_not_put_a_closed_entry_on_cape_with_a_payment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = SAMPLE.with_name("sample_ledger.csv")
    rows = _rows(tmp_path, "--ledger", str(ledger), "--project")
    closed = rows["31610001021"]  # liquidated 2026-01-15, in the ledger, declared date unknown
    assert closed["road"] == "Declared; acceptance unknown - check the claim status"
    assert closed["expected_payment"] == ""
    out = capsys.readouterr().out
    payments = out.split("Payments CAPE is expected to make")[1].split("Not in these payments")[0]
    assert "2026-11-28" not in payments  # no payment predicted on its road


def test_payments_table_says_interest_is_incomplete_and_lists_uncertain_principal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--as-of", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    payments = out.split("Payments CAPE is expected to make")[1].split("Not in these payments")[0]
    # Interest past the rate table is unknown without --project: the row says it is a floor.
    incomplete = [
        line for line in payments.splitlines() if " 0.00 " in line and "uncertain" not in line
    ]
    assert incomplete
    assert all("INTEREST_INCOMPLETE" in line for line in incomplete)
    assert "uncertain: 31610000783" in payments
    assert "up to 4,500.00" in payments


def test_a_missing_ledger_is_refused_by_estimate_and_reconcile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.csv"
    for command in ("estimate", "reconcile"):
        code = main([command, str(SAMPLE), "--as-of", "2026-11-28", "--ledger", str(typo)])
        assert code == 2
        assert "typo.csv" in capsys.readouterr().err


def test_a_folder_given_as_the_ledger_is_named_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ledger.csv"
    folder.mkdir()
    for command in ("estimate", "reconcile"):
        code = main([command, str(SAMPLE), "--as-of", "2026-11-28", "--ledger", str(folder)])
        assert code == 2
        assert "a folder, not a ledger file" in capsys.readouterr().err
    with pytest.raises(InputFileError, match="a folder, not a ledger file"):
        entry_roads([], declared_on=date(2026, 11, 28), ledger=folder)


def test_summary_says_which_uncertain_entries_have_no_upper_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The sample has one uncertain entry with no bound (an incomplete entry) and one bounded:
    "no upper bound" for both (as the summary once said) was wrong of the second."""
    main(["estimate", str(SAMPLE), "--as-of", "2026-11-28"])
    out = capsys.readouterr().out
    assert "2 entries uncertain: 1 with no upper bound; 1 up to 4,500.00 more" in out


def test_the_payments_cut_short_say_what_out_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out has a row per entry, not per payment: the hint said to write the payments with
    it (t37 F6); it now names the columns a payment is grouped by."""
    from .test_bulk import bench

    path = tmp_path / "many.csv"
    bench.generate(path, 400, 4)
    out = tmp_path / "refunds.csv"
    main(["estimate", str(path), "--as-of", "2026-07-01", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "more payments (--out writes every entry with its payee and expected_liquidation" in (
        printed
    )
    assert "write them all" not in printed
    header = out.read_text().splitlines()[0].split(",")
    assert {"payee", "expected_liquidation"} <= set(header)
