"""What ``estimate`` tells the user, on every path: payees that may be one importer, an
entry of the ledger the reader could not read, a folder given as the ledger, why a file
was read whole, and an .xlsx that is the same bytes for the same input."""

from __future__ import annotations

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


def test_the_roads_say_what_to_give_for_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a ledger file: give the ledger CSV itself"):
        entry_roads([], declared_on=date(2026, 7, 1), ledger=tmp_path)
