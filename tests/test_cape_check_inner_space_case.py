"""``check`` reports a space inside an entry number and a lower-case filer code, as it does a
space around it (t64/09): ACE strips dashes (its template), and whether it also strips spaces
or upper-cases letters is not documented, so such a file is not said to be OK."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.cape import check_declaration
from ieepa_refund.cli import main


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "declaration.csv"
    path.write_bytes(text.encode("ascii"))
    return path


@pytest.mark.parametrize(
    "cell", ["316 00001 023", "316 0000102 3", "3160000\t1023", '"316 00001023"']
)
def test_a_space_or_tab_inside_an_entry_number_is_a_length_fault(tmp_path: Path, cell: str) -> None:
    found = check_declaration(_file(tmp_path, f"Entry Number\r\n{cell}\r\n"))
    (problem,) = found.problems
    assert (problem.level, problem.code, problem.row, problem.value) == (
        "file",
        "LENGTH",
        2,
        cell,
    )
    assert "a space or tab inside the number" in problem.message
    assert not found.file_ok


@pytest.mark.parametrize("cell", ["b76-0324527-8", "B7a0324527-8", '"b7603245278"'])
def test_a_lower_case_filer_code_is_a_case_fault(tmp_path: Path, cell: str) -> None:
    found = check_declaration(_file(tmp_path, f"Entry Number\r\n{cell}\r\n"))
    (problem,) = found.problems
    assert (problem.level, problem.code, problem.row, problem.value) == ("file", "CASE", 2, cell)
    assert "lower-case" in problem.message
    assert "not documented" in problem.message


@pytest.mark.parametrize("cell", ["B76-0324527-8", "B7603245278", "316-0000102-3"])
def test_capitals_and_dashes_are_ok(tmp_path: Path, cell: str) -> None:
    assert check_declaration(_file(tmp_path, f"Entry Number\r\n{cell}\r\n")).ok


@pytest.mark.parametrize(("cell", "code"), [("316 00001 023", "LENGTH"), ("b76-0324527-8", "CASE")])
def test_the_cli_names_the_row_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, code: str
) -> None:
    path = _file(tmp_path, f"Entry Number\n{cell}\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert f"declaration.csv:2: file {code}:" in out.out + out.err
    assert "1 entry: OK" not in out.out + out.err
