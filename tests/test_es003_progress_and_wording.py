"""Progress counts the rows rejected as rows (t62/09): the per-entry reader skipped a CELL_COUNT
row, so at 100,000 rows with one rejected it never said "... 100,000 rows read", where the
bulk engine (and the report's rows_read) did. PROGRESS_EVERY is lowered to see it on a small
file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.entry_number import calc_check_digit
from ieepa_refund.es003 import _assemble, read_es003

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Country of Origin Code,HTS Number - Full,Line Tariff Duty Amount,Line Tariff UOM (1) Code"
)


def _file(tmp: Path, short: int, rows: int = 10) -> Path:
    lines = [HEADER]
    for n in range(1, rows + 1):
        first = f"316{n:07d}"
        cells = [first + calc_check_digit(first), "1", "01", "12-3456789AB", "06/02/2025", "CN",
                 "99030125", "1000.00", "NO"]  # fmt: skip
        lines.append(",".join(cells[:-1] if n == short else cells))  # cut short: no unit
    path = tmp / "es003.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("short", [3, 10])  # a row in the middle, the last row
def test_progress_counts_a_row_rejected_as_a_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short: int
) -> None:
    monkeypatch.setattr(_assemble, "PROGRESS_EVERY", 5)
    calls: list[int] = []
    got = read_es003(_file(tmp_path, short), progress=calls.append)
    assert got.rows_read == 10
    assert got.rows_rejected == 1
    assert calls == [5, 10]


def test_both_engines_print_the_same_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from ieepa_refund.bulk import _engine

    from .test_cli_engines import _run, same_outputs

    monkeypatch.setattr(_assemble, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(_engine, "PROGRESS_EVERY", 5)
    path = _file(tmp_path, 7)
    same_outputs([path], tmp_path, capsys)
    _, _, err = _run(capsys, [path], "entry", tmp_path / "again")
    assert err.count(" rows read") == 2
    assert "... 10 rows read" in err


def test_a_row_cut_short_names_what_it_lacks_in_a_sentence(tmp_path: Path) -> None:
    path = _file(tmp_path, 4)
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = ",".join(text[2].split(",")[:5])  # row 3: four columns read are past its end
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    by_row = {p.row: p.message for p in read_es003(path).problems if p.code == "CELL_COUNT"}
    assert "cut short, the column 'Line Tariff UOM (1) Code' read is past its end;" in by_row[5]
    assert (
        "cut short, the columns 'Country of Origin Code' and 3 more read are past its end;"
        in (by_row[3])
    )


def test_an_incomplete_entry_does_not_point_above_a_row_printed_below(tmp_path: Path) -> None:
    path = _file(tmp_path, 0)
    text = path.read_text(encoding="utf-8").splitlines()
    # The first entry's second line, cut short: its problem sorts after the entry's note.
    text.insert(2, ",".join(text[1].replace(",1,01,", ",2,01,").split(",")[:-1]))
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    note, cut = read_es003(path).problems
    assert (note.code, cut.code, note.row, cut.row) == ("INCOMPLETE_ENTRY", "CELL_COUNT", 2, 3)
    assert "above" not in note.message
    assert "each named in a problem of its own" in note.message
