"""``check`` reports a space or tab around an entry number or the header: whether ACE trims it
is not documented, so a file that is not exactly CBP's template is not said to be OK."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.cape import check_declaration, write_declarations
from ieepa_refund.cli import main

GOOD = "31610000114"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "declaration.csv"
    path.write_bytes(text.encode("ascii"))
    return path


@pytest.mark.parametrize(
    "cell", [f"{GOOD} ", f" {GOOD}", f"{GOOD}\t", f"\t{GOOD}", f'"{GOOD} "', f'" {GOOD}"']
)
def test_a_space_or_tab_around_an_entry_number_is_a_length_fault(tmp_path: Path, cell: str) -> None:
    found = check_declaration(_file(tmp_path, f"Entry Number\r\n{cell}\r\n"))
    (problem,) = found.problems
    assert (problem.level, problem.code, problem.row, problem.value) == (
        "file",
        "LENGTH",
        2,
        cell,
    )
    assert problem.message.startswith("12 characters, not 11: a space or tab")
    assert "not documented" in problem.message


@pytest.mark.parametrize("header", ["Entry Number ", " Entry Number", "Entry Number\t"])
def test_a_space_or_tab_around_the_header_is_a_header_fault(tmp_path: Path, header: str) -> None:
    found = check_declaration(_file(tmp_path, f"{header}\r\n{GOOD}\r\n"))
    (problem,) = found.problems
    assert (problem.code, problem.row, problem.value) == ("HEADER", 1, header)
    assert problem.message == (
        "the header must be exactly 'Entry Number' (a space or tab before or after it)"
    )


@pytest.mark.parametrize("text", [f"Entry Number\r\n{GOOD}\r\n", f'"Entry Number"\n"{GOOD}"\n'])
def test_the_template_as_written_or_quoted_is_ok(tmp_path: Path, text: str) -> None:
    assert check_declaration(_file(tmp_path, text)).ok


def test_our_own_declarations_have_no_whitespace_and_check_ok(tmp_path: Path) -> None:
    batch = write_declarations([f" {GOOD}\t", "B76-0324527-8 "], tmp_path / "out")
    # Two filer codes: a file each (t67/03), each as ACE takes it.
    assert [f.filer_code for f in batch.files] == ["316", "B76"]
    for written in batch.files:
        assert check_declaration(tmp_path / "out" / written.name).ok


def test_the_cli_says_which_row_and_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, f"Entry Number\r\n{GOOD} \r\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert "declaration.csv:2: file LENGTH: 12 characters, not 11" in out.out + out.err
