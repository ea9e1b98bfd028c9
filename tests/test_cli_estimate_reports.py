"""What ``estimate`` tells the user, on every path: payees that may be one importer, an
entry of the ledger the reader could not read, a folder given as the ledger, why a file
was read whole, and an .xlsx that is the same bytes for the same input."""

from __future__ import annotations

import csv
import re
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main
from ieepa_refund.errors import InputFileError
from ieepa_refund.roads import entry_roads

AS_OF = "2026-07-01"


def test_the_xlsx_is_the_same_bytes_run_to_run_and_money_is_formatted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs, the second with the clock three days on: the same bytes (every zip member
    and the document's created/modified at the as-of date). Money cells are numbers shown
    #,##0.00, their text the Decimal's own digits (openpyxl alone wrote 864.3200000000001)."""
    openpyxl = pytest.importorskip("openpyxl")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    args = ["estimate", str(sample_es003()), "--as-of", AS_OF, "--engine", "entry", "--out"]
    assert main([*args, str(first)]) in (0, 1)
    real = time.time
    with monkeypatch.context() as clock:
        clock.setattr(time, "time", lambda: real() + 3 * 86_400)
        assert main([*args, str(second)]) in (0, 1)
    capsys.readouterr()
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as book:
        assert {info.date_time for info in book.infolist()} == {(2026, 7, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert core.count("2026-07-01T00:00:00Z") == 2  # created and modified
    assert "<v>864.32</v>" in sheet
    assert "864.3200000000001" not in sheet
    rows = openpyxl.load_workbook(first)["refunds"].iter_rows()
    header = [c.value for c in next(rows)]
    money = ("paid", "ieepa_duty_paid", "owed", "principal", "interest", "total")
    seen = 0
    for row in rows:
        for name in money:
            c = row[header.index(name)]
            if c.value is not None:
                assert c.data_type == "n", (name, c.value)
                assert c.number_format == "#,##0.00", (name, c.value)
                seen += 1
    assert seen > 0


DASHES = Path(__file__).parent / "data" / "es003_payee_dashes.csv"


def _engine_and_totals(capsys: pytest.CaptureFixture[str], path: Path, engine: str) -> list[str]:
    assert main(["estimate", str(path), "--as-of", AS_OF, "--no-roads", "--engine", engine]) == 0
    out = capsys.readouterr().out.splitlines()
    return [line for line in out if line.startswith(("Engine:", "Input:", "  "))]


def test_carriage_return_line_ends_are_named_as_why_a_file_is_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file whose line ends are carriage returns alone (old Mac) was said to have "no rows"
    while the reader read all 8; one whose header and first rows end so, the rest LF, lost
    those rows unreported on the bulk engine (IEEPA duty 107,580.80 of 189,539.80)."""
    pytest.importorskip("polars")
    data = DASHES.read_bytes()
    cr_only, mixed = tmp_path / "cr_only.csv", tmp_path / "mixed.csv"
    cr_only.write_bytes(data.replace(b"\n", b"\r"))
    mixed.write_bytes(data.replace(b"\n", b"\r", 4))
    for path in (cr_only, mixed):
        bulk, entry = (_engine_and_totals(capsys, path, e) for e in ("bulk", "entry"))
        assert bulk[1:] == entry[1:]  # the same input line and totals
        assert "Input: 8 rows read, 8 used" in bulk[1]
        assert (
            f"{path.name} read whole by the per-entry reader: line ends the columnar reader "
            "does not read (a carriage return alone, as old Macs wrote)" in bulk[0]
        )


@pytest.mark.parametrize(
    "command",
    [
        ("estimate",),
        ("estimate", "--engine", "entry"),
        ("estimate", "--engine", "bulk"),
        ("demo",),
        ("reconcile",),
    ],
)
def test_a_folder_given_as_the_ledger_says_what_to_give_instead(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if "bulk" in command:
        pytest.importorskip("polars")
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "declared.csv").write_text("entry_number,declaration_file\n", encoding="utf-8")
    inputs = () if command == ("demo",) else (str(sample_es003()),)
    code = main([command[0], *inputs, *command[1:], "--as-of", AS_OF, "--ledger", str(folder)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{folder}: a folder, not a ledger file: give the ledger CSV itself" in err
    assert "CSV files in it: declared.csv" in err


def test_cape_says_what_to_give_for_a_folder_as_its_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "declared.csv").write_text("entry_number,declaration_file\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["cape", str(sample_es003()), "--declared-on", AS_OF, "--out", str(out),
                 "--ledger", str(folder), "--engine", "entry"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert f"{folder}: a folder, not a ledger file: give the ledger CSV itself" in err
    assert "CSV files in it: declared.csv" in err
    assert not out.exists()


def test_the_roads_say_what_to_give_for_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a ledger file: give the ledger CSV itself"):
        entry_roads([], declared_on=date(2026, 7, 1), ledger=tmp_path)


def _problems(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("--no-roads",),
        ("--engine", "entry"),
        ("--engine", "entry", "--no-roads"),
        ("--engine", "bulk"),
        ("--engine", "bulk", "--no-roads"),
    ],
)
def test_payees_spelt_apart_by_dashes_are_warned_on_every_path(
    flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once only under the payments CAPE is expected to make, and never in --problems: at
    2026-11-28 both entries are on the protest road (no CAPE payment) and it was not shown
    at all, nor with --no-roads. Now on screen and a warning row (rows 0) on every path."""
    if "bulk" in flags:
        pytest.importorskip("polars")
    problems = tmp_path / "problems.csv"
    args = ["estimate", str(DASHES), "--as-of", "2026-11-28", "--problems", str(problems)]
    assert main([*args, *flags]) == 0
    out = capsys.readouterr().out
    assert out.count("  PAYEES_MAY_BE_ONE: 11-0087109AB and 110087109AB may be one importer") == 1
    (row,) = (r for r in _problems(problems) if r["code"] == "PAYEES_MAY_BE_ONE")
    assert list(row) == [
        "file",
        "row",
        "code",
        "column",
        "value",
        "entry_number",
        "rows",
        "message",
    ]
    assert row["file"] == DASHES.name
    assert (row["row"], row["column"], row["entry_number"], row["rows"]) == ("", "payee", "", "0")
    assert row["value"] == "11-0087109AB and 110087109AB"
    assert row["message"].startswith("11-0087109AB and 110087109AB may be one importer")


def test_payees_are_warned_on_stderr_when_json_rows_take_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["estimate", str(DASHES), "--as-of", AS_OF, "--json"]) == 0
    captured = capsys.readouterr()
    assert "PAYEES_MAY_BE_ONE: 11-0087109AB and 110087109AB" in captured.err


@pytest.mark.parametrize("engine", ["entry", "bulk"])
def test_an_entry_of_the_ledger_rejected_whole_is_said_not_rechecked(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """31600000017 is rejected whole (every row unusable) and the ledger holds it: the user
    is told it is declared but was not read, so its ledger state was not rechecked; the
    other entry rejected whole (31600000033) is not in the ledger and is not named so."""
    if engine == "bulk":
        pytest.importorskip("polars")
    ledger, problems = tmp_path / "declared.csv", tmp_path / "problems.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n31600000017,CAPE_1.csv,2026-06-01\n",
        encoding="utf-8",
    )
    data = Path(__file__).parent / "data" / "es003_rejected_whole.csv"
    args = ["estimate", str(data), "--as-of", AS_OF, "--engine", engine, "--ledger", str(ledger)]
    assert main([*args, "--problems", str(problems)]) == 1
    out = capsys.readouterr().out
    (line,) = (x for x in out.splitlines() if "LEDGER_ENTRY_UNREAD" in x)
    assert f"in the ledger {ledger} (declared) but rejected whole this run" in line
    assert "not rechecked" in line
    assert line.endswith(": 31600000017")
    (row,) = (r for r in _problems(problems) if r["code"] == "LEDGER_ENTRY_UNREAD")
    assert (row["file"], row["entry_number"], row["rows"]) == (str(ledger), "31600000017", "0")
    assert "declared in CAPE_1.csv on 2026-06-01" in row["message"]
    assert "ledger state were not rechecked" in row["message"]


def test_an_entry_of_the_ledger_rejected_whole_is_said_on_stderr_under_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text("entry_number,declaration_file\n31600000017,CAPE_1.csv\n", encoding="utf-8")
    data = Path(__file__).parent / "data" / "es003_rejected_whole.csv"
    assert main(["estimate", str(data), "--as-of", AS_OF, "--json", "--ledger", str(ledger)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{ledger}: LEDGER_ENTRY_UNREAD: this entry is in the ledger (declared in CAPE_1.csv)"
        in err
    )


@pytest.mark.parametrize(("declared_on", "several"), [("2026-11-28", True), ("2026-04-20", False)])
def test_cape_says_when_its_reasons_count_an_entry_more_than_once(
    declared_on: str, several: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """t51 M3: '8 excluded' above reason lines adding to 11, with no word why."""
    main(["cape", str(sample_es003()), "--declared-on", declared_on, "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    excluded = int(re.search(r"(\d+) excluded\n", out)[1])  # type: ignore[index]
    by_reason = sum(int(n) for n in re.findall(r"  excluded [A-Z_0-9]+: (\d+)", out))
    assert (by_reason > excluded) == several
    assert ("counted under each" in out) == several


def test_a_deposit_history_without_its_entry_names_the_deposits_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """t51 M2: the problem's file column said "deposits", not the file's name."""
    deposits = tmp_path / "histories.csv"
    deposits.write_text(
        "Entry Number,Kind,Date,Amount\n999-0000000-1,deposit,06/12/2025,10.00\n", encoding="utf-8"
    )
    problems = tmp_path / "p.csv"
    main(["estimate", str(sample_es003()), "--as-of", AS_OF, "--duty-deposits", str(deposits),
          "--problems", str(problems), "--out", str(tmp_path / "r.csv")])  # fmt: skip
    capsys.readouterr()
    rows = [r for r in _problems(problems) if r["code"] == "DEPOSITS_WITHOUT_ENTRY"]
    assert [r["file"] for r in rows] == ["histories.csv"]
