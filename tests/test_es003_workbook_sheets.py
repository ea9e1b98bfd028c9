"""A workbook whose ES-003 continues on another sheet is refused, naming the sheets (t64/03):
one sheet was read and an entry whose Chapter 99 row was on the second became "nothing to
refund" without a word. A sheet with no header is named in the refusal, with the others."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from ieepa_refund import InputFileError
from ieepa_refund.cli import main
from ieepa_refund.es003 import read_es003

from .test_es003_dashed_short_entry_number import HEADER, ROWS
from .test_es003_twin_headers import refused_alike

ROW_CELLS = [r.format(n="31600001023").split(",") for r in ROWS]


def _book(tmp_path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
    path = tmp_path / "es003.xlsx"
    book.save(path)
    return path


def _split(tmp_path: Path, second: str = "Main Report (2)") -> Path:
    header = HEADER.split(",")
    return _book(
        tmp_path,
        {"Main Report": [header, ROW_CELLS[0]], second: [["Continued"], header, ROW_CELLS[1]]},
    )


def test_a_sheet_repeating_the_header_is_refused_naming_both_sheets(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        read_es003(_split(tmp_path))
    message = str(caught.value)
    assert message.startswith(
        "file: es003.xlsx: the ES-003 header of sheet 'Main Report' (row 1), the sheet read, "
        "is repeated on sheet 'Main Report (2)' (row 2)"
    )
    assert "save each sheet as CSV and give all the files" in message


def test_the_first_sheet_read_when_no_main_report_is_named_too(tmp_path: Path) -> None:
    header = HEADER.split(",")
    with pytest.raises(InputFileError, match=r"sheet 'Jan'.*repeated on sheet 'Feb'"):
        read_es003(_book(tmp_path, {"Jan": [header, ROW_CELLS[0]], "Feb": [header]}))


def test_other_sheets_without_the_header_are_no_bar(tmp_path: Path) -> None:
    header = HEADER.split(",")
    path = _book(
        tmp_path,
        {"Criteria": [["Run by", "me"]], "Main Report": [header, *ROW_CELLS], "Notes": []},
    )
    result = read_es003(path)
    assert result.rows_used == 2
    assert result.files[0].sheet == "Main Report"


def test_a_sheet_without_a_header_is_named_with_the_others(tmp_path: Path) -> None:
    header = HEADER.split(",")
    path = _book(tmp_path, {"Cover": [["Prepared for ACME"]], "Data": [header, *ROW_CELLS]})
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    message = str(caught.value)
    assert message.startswith("file: es003.xlsx, sheet 'Cover': no ES-003 header found")
    assert "the workbook's other sheets ('Data') are not read" in message
    assert "rename the ES-003's sheet 'Main Report', move it first, or save it as CSV" in message


def test_the_cli_exits_2_identically_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _split(tmp_path)
    code, captured = refused_alike(path, capsys)
    assert code == 2
    assert "repeated on sheet 'Main Report (2)'" in captured.err
    assert "IEEPA duty paid" not in captured.out
    assert (
        main(["cape", str(path), "--out", str(tmp_path / "D"), "--declared-on", "2026-11-28"]) == 2
    )
    assert "repeated on sheet 'Main Report (2)'" in capsys.readouterr().err


def test_a_damaged_other_sheet_is_a_file_error_not_a_crash(tmp_path: Path) -> None:
    # The other sheets' first rows are read to find a repeated header: a sheet cut short (its
    # XML ends mid-tag) is an unreadable workbook, as the sheet read would be.
    whole = _split(tmp_path)
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            target.writestr(member, data)
    with pytest.raises(InputFileError, match=r"cut\.xlsx: not a readable \.xlsx workbook"):
        read_es003(cut)


def test_a_sheet_carrying_the_rows_on_without_the_header_is_refused(tmp_path: Path) -> None:
    # t69/01: the second sheet's rows (no header) were left unread, exit 0, an entry lost.
    header = HEADER.split(",")
    path = _book(tmp_path, {"Sheet1": [header, ROW_CELLS[0]], "Sheet2": [ROW_CELLS[1]]})
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    message = str(caught.value)
    assert message.startswith(
        "file: es003.xlsx: sheet 'Sheet2' (row 1) holds rows shaped as the ES-003 rows of "
        "sheet 'Sheet1', the sheet read, without its header (row 1)"
    )
    assert "save each sheet as CSV with the header and give all the files" in message


def test_notes_sheets_with_numbers_and_words_are_no_bar(tmp_path: Path) -> None:
    # A notes sheet as wide as the header, or naming an entry number in the first column with
    # words beside it, is not a continuation: no valid entry and HTS number where the header
    # names them.
    header = HEADER.split(",")
    width = len(header)
    notes = [
        [ROW_CELLS[0][0], "asked the broker about this entry"],
        ["Note"] * width,
        [ROW_CELLS[0][0], *["see above"] * (width - 1)],
    ]
    path = _book(tmp_path, {"Main Report": [header, *ROW_CELLS], "Notes": notes})
    assert read_es003(path).rows_used == 2


def test_a_continuation_sheet_is_refused_alike_by_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = HEADER.split(",")
    path = _book(tmp_path, {"Main Report": [header, ROW_CELLS[0]], "Page 2": [ROW_CELLS[1]]})
    code, captured = refused_alike(path, capsys)
    assert code == 2
    assert "sheet 'Page 2' (row 1) holds rows shaped as the ES-003 rows" in captured.err
