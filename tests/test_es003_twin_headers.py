"""Two columns headed alike for one field refuse the file (t64/07): which one holds the field
cannot be told, and ``--map`` names a column by its header, so it cannot choose. The first was
read (a wrong refund, exit 0) with a warning naming the same header twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund import InputFileError
from ieepa_refund.cli import main
from ieepa_refund.es003 import read_es003

from .test_es003_dashed_short_entry_number import HEADER, ROWS


def refused_alike(
    path: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, pytest.CaptureResult[str]]:
    """Run ``estimate`` on both engines; assert they exit and print alike; the entry run's."""
    runs = []
    for engine in ("bulk", "entry"):
        code = main(["estimate", str(path), "--as-of", "2026-11-28", "--engine", engine, *flags])
        runs.append((code, capsys.readouterr()))
    assert runs[0] == runs[1]
    return runs[1]


def _twin_duty(tmp_path: Path, second: str = "Line Tariff Duty Amount") -> Path:
    """The repro's shape: a second duty column (9.99 on every row) before the real one."""
    head = HEADER.replace("Line Tariff Duty Amount,", f"{second},Line Tariff Duty Amount,", 1)
    rows = [r.format(n="31600001023").replace(",0.00,", ",9.99,0.00,", 1) for r in ROWS[:1]]
    rows.append(ROWS[1].format(n="31600001023").replace(",1234.56,", ",9.99,1234.56,", 1))
    path = tmp_path / "es003.csv"
    path.write_text("\n".join([head, *rows]) + "\n")
    return path


def test_the_reader_refuses_naming_both_columns_by_position(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        read_es003(_twin_duty(tmp_path))
    message = str(caught.value)
    assert message.startswith("file: es003.csv: columns 15 (O) and 16 (P) of the header (row 1)")
    assert "are both 'Line Tariff Duty Amount', read as duty" in message
    assert "rename or delete the one that is not the duty column" in message


def test_headers_that_differ_only_in_case_or_spacing_are_twins_too(tmp_path: Path) -> None:
    # --map matches a header normalised (case, spaces and punctuation dropped): no choice.
    with pytest.raises(InputFileError, match=r"'LINE TARIFF DUTY AMOUNT' and 'Line Tariff"):
        read_es003(_twin_duty(tmp_path, "LINE TARIFF DUTY AMOUNT"))


def test_a_mapping_naming_the_twin_header_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"columns 15 \(O\) and 16 \(P\)"):
        read_es003(_twin_duty(tmp_path), mapping={"duty": "Line Tariff Duty Amount"})


def test_two_different_headers_for_a_field_stay_a_warning(tmp_path: Path) -> None:
    result = read_es003(_twin_duty(tmp_path, "Duty"))
    assert [w.code for w in result.warnings if w.code == "AMBIGUOUS_COLUMN"] == ["AMBIGUOUS_COLUMN"]


@pytest.mark.parametrize("flags", [(), ("--map", "duty=Line Tariff Duty Amount")])
def test_the_cli_exits_2_identically_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    path = _twin_duty(tmp_path)
    code, captured = refused_alike(path, capsys, *flags)
    assert code == 2
    assert "columns 15 (O) and 16 (P)" in captured.err
    assert "IEEPA duty paid" not in captured.out
