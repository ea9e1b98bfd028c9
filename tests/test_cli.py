from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import default_registry
from ieepa_refund.cli import main

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "src" / "ieepa_refund" / "examples" / "sample_es003.csv"
BROKER = Path(__file__).parent / "data" / "broker_export.csv"


def test_demo_runs_on_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--as-of", "2026-11-28"]) == 0
    out, err = capsys.readouterr()
    assert "not legal advice" in out
    assert "41 rows read, 39 used, 2 rejected" in out
    assert "Refund principal" in out
    assert "Payments CAPE is expected to make, by payee and expected (re)liquidation date" in out
    assert "sample_es003.csv:10: BAD_VALUE" in err  # one line per problem, with file and row


def test_estimate_writes_csv_and_exits_1_on_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refunds.csv"
    assert main(["estimate", str(SAMPLE), "--as-of", "2026-11-28", "--out", str(out)]) == 1
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15
    china = next(r for r in rows if r["entry_number"] == "31610000114")
    assert (china["principal"], china["interest"]) == ("3000.00", "185.32")
    assert china["data_version"] == default_registry().data_version
    summary = capsys.readouterr().out
    assert "Interest" in summary


def test_estimate_clean_input_exits_0_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.csv"
    lines = SAMPLE.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Entry Summary Number"))
    keep = [lines[header]] + [line for line in lines[header + 1 :] if "31610000114" in line]
    clean.write_text("\n".join(keep) + "\n")
    assert main(["estimate", str(clean), "--as-of", "2026-11-28", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload[0]["principal"] == "3000.00"
    assert payload[0]["detail"]["lines"][0]["tariffs"][0]["hts"] == "99038803"
    assert (
        main(
            [
                "estimate",
                str(clean),
                "--as-of",
                "2026-11-28",
                "--method",
                "recalculate",
                "--corporate",
            ]
        )
        == 0
    )


def test_cape_writes_declarations_and_a_screening_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cape"
    ledger = tmp_path / "ledger.csv"
    args = [
        "cape",
        str(SAMPLE),
        "--out",
        str(out),
        "--declared-on",
        "2026-07-01",
        "--ledger",
        str(ledger),
        "--new-ledger",
        "--filer-code",
        "316",
    ]
    assert main(args) == 1  # excluded entries and rejected rows
    report = next(out.glob("screening_2026-07-01_*.csv"))
    with report.open(newline="") as f:
        screened = {r["entry_number"]: r for r in csv.DictReader(f)}
    assert screened["31610000940"]["status"] == "excluded"  # on a drawback claim
    assert "ENTRY ON DRAWBACK" in screened["31610000940"]["messages"]
    assert screened["31610001286"]["status"] == "eligible_at_liquidation"
    declarations = sorted(out.glob("cape_*_0*.csv"))
    assert declarations
    declared = [line for f in declarations for line in f.read_text().splitlines()[1:]]
    assert "31610000114" in declared
    assert "31610000940" not in declared
    text = capsys.readouterr().out
    assert "excluded ON_DRAWBACK: 1" in text
    # The same run again declares nothing new: the ledger remembers.
    assert main(args) == 1
    assert "Declarations: none written: no entry to declare" in capsys.readouterr().out


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(b"Entry Number\r\nB7603245278\r\n")
    assert main(["check", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Entry Number\r\nB7603245279\r\nB7603245279\r\n")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: file DUPLICATE" in err


def test_unreadable_input_and_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    assert main(["estimate", str(junk)]) == 2
    assert main([]) == 2
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(SAMPLE), "--as-of", "28/11/2026"])
    assert info.value.code == 2


def test_csv_outputs_neutralise_formulas(tmp_path: Path) -> None:
    source = tmp_path / "evil.csv"
    source.write_text(
        "Entry Number,Line,Entry Type,Importer Number,Entry Date,COO,HTS,Duty\n"
        'B7603245278,1,01,12-3456789AB,06/02/2025,CN,=HYPERLINK("x"),1.00\n'
    )
    problems = tmp_path / "problems.csv"
    assert (
        main(["estimate", str(source), "--as-of", "2026-11-28", "--problems", str(problems)]) == 1
    )
    with problems.open(newline="") as f:
        # Column rows and file-level warnings have no row number; the bad cell has one.
        (row,) = [r for r in csv.DictReader(f) if r["row"]]
    assert row["value"].startswith("'=")


def test_module_entry_point() -> None:
    import runpy

    with pytest.raises(SystemExit) as info:
        runpy.run_module("ieepa_refund", run_name="__main__", alter_sys=True)
    assert info.value.code == 2


def test_the_estimate_csv_and_the_records_share_columns_and_values(tmp_path: Path) -> None:
    """Every column of an EntryRefund's records is in the command's CSV, under the same name,
    with the same value, so that the two join on entry_number."""
    from ieepa_refund import compute_refunds, read_es003

    out = tmp_path / "refunds.csv"
    main(["estimate", str(SAMPLE), "--as-of", "2026-07-01", "--out", str(out)])
    with out.open(newline="") as f:
        rows = {r["entry_number"]: r for r in csv.DictReader(f)}
    refunds = compute_refunds(read_es003(SAMPLE).entries, interest_until=date(2026, 7, 1))
    for record in refunds.to_records():
        row = rows[record["entry_number"]]
        for name, value in record.items():
            shown = "" if value is None else str(value)
            assert row[name] == shown, (record["entry_number"], name)
