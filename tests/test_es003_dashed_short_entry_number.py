"""An entry number written with dashes or spaces but short of 11 digits is refused, never
zero-filled (t64/04): only a number cell loses leading zeros (Excel drops them); a dashed
cell is text, so ``316-0000109`` lacks its check digit, and zero-filled it became
``03160000109``, another filer's entry number that may pass the check digit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.cli import main
from ieepa_refund.es003._cells import BadCell, parse_entry_number

from .test_cli_engines import same_outputs

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Importer Name,Entry Date,Entry Summary Date,Liquidation Date,Liquidation Status,"
    "Protest Number,Country of Origin Code,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Line Tariff Quantity (1),"
    "Line Tariff UOM (1) Code,Deposit Date"
)
ROWS = (
    "{n},1,01,12-3456789AB,ACME,09/03/2025,09/10/2025,,UNLIQUIDATED,,CN,1,8471300100,4000.00,"
    "0.00,5,NO,09/11/2025",
    "{n},1,01,12-3456789AB,ACME,09/03/2025,09/10/2025,,UNLIQUIDATED,,CN,2,99030125,,1234.56,,,"
    "09/11/2025",
)


@pytest.mark.parametrize(
    "cell", ["316-0000109", "316 0000109", "316-000010-9", " 316-0000109 ", '="316-0000109"']
)
def test_a_dashed_or_spaced_number_short_of_11_digits_is_refused(cell: str) -> None:
    with pytest.raises(BadCell, match="written with dashes or spaces has"):
        parse_entry_number(cell)


def test_the_message_says_the_check_digit_is_likely_missing() -> None:
    with pytest.raises(BadCell, match=r"10 digits, not 11.*most likely the check digit"):
        parse_entry_number("316-0000109")


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("3160000109", "03160000109"),  # a bare number: a spreadsheet may have dropped a zero
        (3160000109, "03160000109"),
        (3160000109.0, "03160000109"),
        ("316-0000109-8", "31600001098"),
        ("316 0000109 8", "31600001098"),
    ],
)
def test_bare_numbers_are_still_zero_filled_and_whole_ones_read(cell: object, number: str) -> None:
    assert parse_entry_number(cell) == number


def _file(tmp_path: Path, number: str) -> Path:
    path = tmp_path / "es003.csv"
    path.write_text("\n".join([HEADER, *(r.format(n=number) for r in ROWS)]) + "\n")
    return path


def test_the_cli_declares_no_zero_filled_number_and_both_engines_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "316-0000109")
    same_outputs([path], tmp_path, capsys)
    out = tmp_path / "out.csv"
    problems = tmp_path / "problems.csv"
    code = main(
        ["estimate", str(path), "--as-of", "2026-11-28", "--out", str(out),
         "--problems", str(problems)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0
    assert "03160000109" not in out.read_text() + problems.read_text() + err
    text = problems.read_text()
    assert text.count("written with dashes or spaces has 10 digits") == 2
    assert "es003.csv,2," in text
    assert "es003.csv,3," in text
    declared = tmp_path / "D"
    main(["cape", str(path), "--out", str(declared), "--declared-on", "2026-11-28"])
    capsys.readouterr()
    written = "".join(p.read_text() for p in declared.glob("*.csv"))
    assert "0316" not in written
