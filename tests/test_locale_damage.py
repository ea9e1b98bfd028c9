"""Locale damage that used to be read silently wrong (t64): each is now read right or refused
loudly, naming the file, the row, the column and what to do; both engines alike."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given

from ieepa_refund import read_bank_deposits, read_deposits, read_es003
from ieepa_refund.cli import main
from ieepa_refund.es003._cells import BadCell, parse_amount

from .strategies import three_decimal_amount_cells

AS_OF = "2026-11-28"
HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Entry Summary Date,Liquidation Date,Liquidation Status,Country of Origin Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Goods Value Amount,"
    "Line Tariff Duty Amount,Deposit Date"
)


def es003(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def both_engines(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The estimate's (status, stdout, stderr) by the per-entry engine, after checking that the
    bulk engine says the same (its Engine line aside)."""
    runs = []
    for engine in ("entry", "bulk"):
        status = main(["estimate", *args, "--as-of", AS_OF, "--engine", engine])
        out, err = capsys.readouterr()
        out = "\n".join(line for line in out.splitlines() if "Engine:" not in line)
        runs.append((status, out, err))
    assert runs[0] == runs[1]
    return runs[0]


# --- amounts with three decimals (t64/02) ----------------------------------------------------


@given(three_decimal_amount_cells)
def test_an_amount_with_three_decimals_is_refused_by_both_engines(text: str) -> None:
    from ieepa_refund.bulk._cells import amount_cents, amounts, amounts_ok

    with pytest.raises(BadCell, match="three decimals is ambiguous"):
        parse_amount(text)
    with pytest.raises(BadCell):
        amount_cents(text)
    series = pl.Series("s", [text, "2.50"])
    assert amounts(series).to_list() == [None, 250]
    assert amounts_ok(series).to_list() == [None, True]


@pytest.mark.parametrize(
    ("text", "readings"),
    [("2.500", "2.500 with a decimal point, or 2,500 with a dot for thousands"),
     ("(1.234)", "-1.234 with a decimal point, or -1,234 with a dot for thousands"),
     ("$10.005", "10.005 with a decimal point, or 10,005 with a dot for thousands"),
     ("1,234.500", "1234.500 with a decimal point, or an amount whose dot groups thousands")],
)  # fmt: skip
def test_the_refusal_gives_both_readings(text: str, readings: str) -> None:
    with pytest.raises(BadCell, match="three decimals") as caught:
        parse_amount(text)
    assert readings in str(caught.value)
    assert "two decimals" in str(caught.value)


def test_other_places_and_number_cells_are_read_as_before() -> None:
    assert str(parse_amount("2.50")) == "2.50"
    assert str(parse_amount("2.5000")) == "2.50"  # four places: not a thousands group
    assert str(parse_amount("0.000")) == "0.00"  # zero either way
    assert str(parse_amount(2.5)) == "2.5"  # a number cell holds no separators
    with pytest.raises(BadCell, match="finer than a cent"):
        parse_amount("2.5005")


def test_a_dot_thousands_duty_is_a_row_problem_in_every_money_file(tmp_path: Path) -> None:
    path = es003(
        tmp_path / "es003.csv",
        [
            "31600001015,1,01,12-3456789AB,06/02/2025,06/11/2025,04/10/2026,LIQUIDATED,CN,1,"
            "8471300100,10.000,0.00,06/12/2025",
            "31600001015,1,01,12-3456789AB,06/02/2025,06/11/2025,04/10/2026,LIQUIDATED,CN,2,"
            "99030125,,2.500,06/12/2025",
        ],
    )
    result = read_es003(path)
    assert [(p.code, p.row, p.column) for p in result.problems] == [
        ("BAD_VALUE", 2, "Line Tariff Goods Value Amount"),
        ("BAD_VALUE", 3, "Line Tariff Duty Amount"),
    ]
    assert "'2.500': 2.500 with a decimal point, or 2,500" in result.problems[1].message
    assert not result.entries
    deposits = tmp_path / "deposits.csv"
    deposits.write_text(
        "Entry Number,Kind,Date,Amount\n31600001015,deposit,06/12/2025,2.500\n", encoding="utf-8"
    )
    (problem,) = read_deposits(deposits).problems
    assert (problem.code, problem.row) == ("BAD_VALUE", 2)
    assert "three decimals" in problem.message
    bank = read_bank_deposits(io.StringIO("Date,Amount\n11/24/2026,4.125\n"))
    assert not bank.rows
    assert "three decimals" in bank.problems[0].message


def test_cli_refuses_a_dot_thousands_duty_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = es003(
        tmp_path / "es003.csv",
        [
            "31600001015,1,01,12-3456789AB,06/02/2025,06/11/2025,04/10/2026,LIQUIDATED,CN,1,"
            "99030125,,2.500,06/12/2025"
        ],
    )
    status, out, err = both_engines(capsys, str(path))
    assert status == 1
    assert "es003.csv:2: BAD_VALUE: an amount with three decimals is ambiguous" in err
    assert "[Line Tariff Duty Amount]" in err
    assert "2.50 " not in out
