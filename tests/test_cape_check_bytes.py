"""``check`` reads a declaration's bytes as ACE's upload does (t67/02, 04, 05): lines end at
CRLF or LF only; a control character, a stray quote, a malformed number or another filer's
number is a file-level fault naming its row, as the writer keeps each out of its files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund.cape import check_declaration, write_declarations
from ieepa_refund.cli import main
from ieepa_refund.errors import InvalidFormat

from .strategies import damaged_declarations

A, B = "31600000017", "31600000025"


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "declaration.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "code", "row"),
    [
        (b'Entry Number\r\n"31600000017\r\n31600000025"\r\n', "QUOTE", 2),
        (b"Entry Number\r\n31600000017\x0b31600000025\r\n", "CONTROL", 2),
        (b"Entry Number\r\n31600000017\x0c31600000025\r\n", "CONTROL", 2),
        (b"Entry Number\r\n31600000017\x1c31600000025\r\n", "CONTROL", 2),
        (b"Entry Number\x0b31600000017\r\n31600000025\r\n", "CONTROL", 1),
        (b'Entry Number\r\n""31600000017""\r\n', "QUOTE", 2),
        (b"Entry Number\r\n31600000017\r31600000025\r\n", "CONTROL", 2),
    ],
)
def test_a_cell_ace_reads_as_one_bad_cell_is_a_file_fault(
    tmp_path: Path, data: bytes, code: str, row: int
) -> None:
    found = check_declaration(_file(tmp_path, data))
    assert not found.file_ok
    assert (found.problems[0].level, found.problems[0].code, found.problems[0].row) == (
        "file",
        code,
        row,
    )


@pytest.mark.parametrize("number", ["316000O0017", "3160000001A", "31_00000017"])
def test_a_malformed_number_is_a_file_fault_not_a_check_digit(tmp_path: Path, number: str) -> None:
    found = check_declaration(_file(tmp_path, f"Entry Number\r\n{A}\r\n{number}\r\n".encode()))
    ((level, code, row),) = [(p.level, p.code, p.row) for p in found.problems]
    assert (level, code, row) == ("file", "MALFORMED", 3)
    assert not found.file_ok
    # The writer skips the same numbers as MALFORMED.
    batch = write_declarations([number], tmp_path / "out")
    assert [s.code for s in batch.skipped] == ["MALFORMED"]


def test_another_filer_code_is_a_file_fault(tmp_path: Path) -> None:
    found = check_declaration(
        _file(tmp_path, b"Entry Number\r\n31600000017\r\nB7600000015\r\n"), filer_code="316"
    )
    ((level, code, row),) = [(p.level, p.code, p.row) for p in found.problems]
    assert (level, code, row) == ("file", "FILER_CODE", 3)
    assert not found.file_ok


@pytest.mark.parametrize("code", ["31", "3 1", "3166", "31-"])
def test_a_filer_code_no_entry_can_start_with_is_refused_as_the_writer_does(
    tmp_path: Path, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, f"Entry Number\r\n{A}\r\n".encode())
    with pytest.raises(InvalidFormat, match="a filer code has 3 characters"):
        check_declaration(path, filer_code=code)
    with pytest.raises(InvalidFormat, match="a filer code has 3 characters"):
        write_declarations([A], tmp_path / "out", filer_code=code)
    assert main(["check", str(path), "--filer-code", code]) == 2
    assert "a filer code has 3 characters" in capsys.readouterr().err


@given(damaged_declarations())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_what_the_writer_writes_passes_and_one_damaging_character_fails(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[list[str], str, int]
) -> None:
    numbers, bad, where = case
    out = tmp_path_factory.mktemp("out")
    batch = write_declarations(numbers, out)
    for written in batch.files:
        assert check_declaration(out / written.name).ok
    path = out / batch.files[where % len(batch.files)].name
    data = path.read_bytes().decode("ascii")
    at = where % len(data)
    for damaged in (data[:at] + bad + data[at:], data[:at] + bad + data[at + 1 :]):
        if damaged == data:
            continue  # a CR replaced by a CR: no damage
        broken = out / "damaged.csv"
        broken.write_bytes(damaged.encode("latin-1"))
        assert not check_declaration(broken).file_ok, repr(damaged)


def test_a_file_mixing_filer_codes_is_a_file_fault(tmp_path: Path) -> None:
    found = check_declaration(_file(tmp_path, b"Entry Number\r\n31600000017\r\nB7600000015\r\n"))
    ((level, code, row),) = [(p.level, p.code, p.row) for p in found.problems]
    assert (level, code, row) == ("file", "MIXED_FILER_CODES", 3)
