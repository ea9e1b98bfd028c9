"""Locale damage that used to be read silently wrong (t64): each is now read right or refused
loudly, naming the file, the row, the column and what to do; both engines alike."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
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


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1234.500", 123450), (".500", 50), ("0.500", 50), ("12345.120", 1234512),
     ("$1000.000", 100000)],
)  # fmt: skip
def test_three_decimals_with_no_dot_thousands_reading_are_read(text: str, cents: int) -> None:
    # t69/07: a dot groups thousands after 1 to 3 digits, the first not 0; 1234.500 and .500
    # have the decimal reading only, and were refused offering 1,234,500 and 500.
    from ieepa_refund.bulk._cells import amount_cents, amounts

    assert parse_amount(text) == Decimal(cents) / 100
    assert amount_cents(text) == cents
    assert amounts(pl.Series("s", [text, "2.50"])).to_list() == [cents, 250]


@pytest.mark.parametrize("text", ["1234.505", ".505", "0.001"])
def test_three_decimals_with_the_decimal_reading_only_are_finer_than_a_cent(text: str) -> None:
    from ieepa_refund.bulk._cells import amount_cents

    for parse in (parse_amount, amount_cents):
        with pytest.raises(BadCell, match="finer than a cent"):
            parse(text)


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


# --- a day-first column beside columns whose dates read either way (t64/01) ------------------


def dated_rows(deposit: str = "15/09/2025", other: str = "02/06/2025") -> list[str]:
    """Two entries; every date ``other`` (read either way) but the second's deposit date."""
    return [
        f"31600001015,1,01,12-3456789AB,{other},{other},{other},LIQUIDATED,CN,1,99030125,,"
        f"2500.00,{other}",
        f"31600001023,1,01,12-3456789AB,{other},{other},,UNLIQUIDATED,CN,1,99030125,,"
        f"1234.56,{deposit}",
    ]


def test_a_day_first_column_refuses_a_file_whose_other_dates_read_either_way(
    tmp_path: Path,
) -> None:
    """The same text in several columns, first seen in the proving column before its proof:
    each column is looked at for itself."""
    from ieepa_refund import InputFileError

    path = es003(tmp_path / "uk.csv", dated_rows())
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    message = str(caught.value)
    assert "uk.csv: the 'Deposit Date' column holds a day-first date ('15/09/2025' at row 3)" in (
        message
    )
    for header in ("Entry Date", "Entry Summary Date", "Liquidation Date"):
        assert f"'{header}' ('02/06/2025' at row 2)" in message
    assert "re-export with MM/DD/YYYY or YYYY-MM-DD dates" in message


def test_a_day_first_column_alone_in_doubt_is_dropped_as_before(tmp_path: Path) -> None:
    """Other date columns ISO, or only dates that read one way (05/05): no mix, the proving
    column is dropped with its warning, as the per-column rule says."""
    for other in ("2025-06-02", "05/05/2025"):
        result = read_es003(es003(tmp_path / "a.csv", dated_rows(other=other)))
        assert [w.code for w in result.warnings] == ["DAY_FIRST_DATES"]
        assert len(result.entries) == 2


def test_cli_exits_2_on_a_day_first_file_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = es003(tmp_path / "uk.csv", dated_rows())
    status, out, err = both_engines(capsys, str(path), "--project")
    assert status == 2
    assert "uk.csv: the 'Deposit Date' column holds a day-first date" in err
    assert "IEEPA duty paid" not in out


def month_first_rows(liquidated: str) -> list[str]:
    """Three entries dated month-first that only read one way (06/13, 06/14, 04/14/2026 in the
    Liquidation Date column): the third's liquidation date ``liquidated``."""
    return [
        "31600001015,1,01,12-3456789AB,06/13/2025,06/14/2025,04/14/2026,LIQUIDATED,CN,1,"
        "99030125,,2500.00,06/14/2025",
        "31600001023,1,01,12-3456789AB,06/13/2025,06/14/2025,,UNLIQUIDATED,CN,1,99030125,,"
        "1234.56,06/14/2025",
        f"31600001031,1,01,12-3456789AB,06/13/2025,06/14/2025,{liquidated},LIQUIDATED,CN,1,"
        "99030125,,1000.00,06/14/2025",
    ]


def test_a_day_first_cell_in_a_month_first_column_is_its_rows_problem(tmp_path: Path) -> None:
    """t64/06: one hand-typed day-first date in a column that holds a date only month-first
    can be (04/14/2026) is a bad cell of its row, not a day-first column: the column was
    dropped (every liquidated entry lost its date, interest ran to the as-of date, exit 0)."""
    result = read_es003(es003(tmp_path / "typo.csv", month_first_rows("29/07/2026")))
    assert not result.warnings
    assert [(p.code, p.row, p.value) for p in result.problems] == [("BAD_VALUE", 4, "29/07/2026")]
    kept = {e.entry_number: e.liquidation_date for e in result.entries}
    assert kept == {"31600001015": date(2026, 4, 14), "31600001023": None}
    # With the date typed month-first the entry is read, dated.
    clean = read_es003(es003(tmp_path / "clean.csv", month_first_rows("07/29/2026")))
    assert not clean.problems
    assert len(clean.entries) == 3


def test_cli_names_the_day_first_cell_and_exits_1_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = es003(tmp_path / "typo.csv", month_first_rows("29/07/2026"))
    status, _, err = both_engines(capsys, str(path), "--project")
    assert status == 1
    assert "typo.csv:4: BAD_VALUE: not a date" in err
    assert "DAY_FIRST_DATES" not in err


# --- .xlsx date cells beside text dates (t64/03) ----------------------------------------------


def workbook(path: Path, deposits: list[object], *, duty: object = 2500.0) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for n, deposit in enumerate(deposits):
        number = ["31600001015", "31600001023", "31600001031"][n]
        sheet.append(
            [number, 1, "01", "12-3456789AB", date(2025, 6, 2), date(2025, 6, 11), None,
             "UNLIQUIDATED", "CN", 1, "9903.01.25", None, duty, deposit]
        )  # fmt: skip
    book.save(path)
    return path


def test_an_xlsx_date_column_mixing_date_cells_and_text_dates_is_refused(tmp_path: Path) -> None:
    from ieepa_refund import InputFileError

    path = workbook(tmp_path / "uk.xlsx", [date(2025, 12, 6), "09/15/2025"])
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    message = str(caught.value)
    assert "uk.xlsx: the 'Deposit Date' column mixes date cells (row 2)" in message
    assert "('09/15/2025' at row 3)" in message
    assert "read the original CSV export instead" in message


@pytest.mark.parametrize(
    "text", ["09/15/25", "09.15.2025", "15.09.2025", "9-15-25", "09/15/25 0:00"]
)
def test_date_cells_beside_any_nn_nn_yy_text_date_are_refused(tmp_path: Path, text: str) -> None:
    # t69/02: MM/DD/YY or dotted text dates, which the reader cannot read, are as much the
    # mark of a day-first Excel beside date cells as 09/15/2025 is; they were rejected row by
    # row while the swapped date cells were read, interest 41% short.
    from ieepa_refund import InputFileError

    path = workbook(tmp_path / "uk.xlsx", [date(2025, 11, 6), text])
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    assert "the 'Deposit Date' column mixes date cells (row 2)" in str(caught.value)
    assert f"({text!r} at row 3)" in str(caught.value)


def test_words_or_iso_text_beside_date_cells_are_no_mark(tmp_path: Path) -> None:
    result = read_es003(workbook(tmp_path / "us.xlsx", [date(2025, 6, 12), "2025-09-15"]))
    assert result.problems == ()
    result = read_es003(workbook(tmp_path / "w.xlsx", [date(2025, 6, 12), "pending 15"]))
    assert [p.row for p in result.problems] == [3]


def test_an_xlsx_of_date_cells_or_iso_text_beside_them_is_read(tmp_path: Path) -> None:
    for deposits in ([date(2025, 6, 12), date(2025, 9, 15)], [date(2025, 6, 12), "2025-09-15"]):
        result = read_es003(workbook(tmp_path / "us.xlsx", deposits))
        assert [e.deposit_date for e in result.entries] == [date(2025, 6, 12), date(2025, 9, 15)]
        assert result.problems == ()


def test_cli_exits_2_on_a_mixed_xlsx_date_column_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "uk.xlsx", [date(2025, 12, 6), "09/15/2025", date(2025, 3, 10)])
    status, _, err = both_engines(capsys, str(path))
    assert status == 2
    assert "'Deposit Date' column mixes date cells (row 2)" in err


# --- .xlsx formulas with no saved value (t64/04) ----------------------------------------------


def rewrite_sheet(path: Path, old: str, new: str) -> Path:
    """``path`` with ``old`` replaced by ``new`` in its first sheet's XML (what Excel would
    have saved: openpyxl writes formulas and never their values)."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old in members[sheet].decode()
    members[sheet] = members[sheet].decode().replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as book:
        for member, data in members.items():
            book.writestr(member, data)
    return path


def test_a_formula_with_no_saved_value_refuses_the_workbook(tmp_path: Path) -> None:
    from ieepa_refund import InputFileError

    path = workbook(tmp_path / "f.xlsx", [date(2025, 6, 12)], duty="=2500*1")
    with pytest.raises(InputFileError) as caught:
        read_es003(path)
    assert str(caught.value) == (
        "file: f.xlsx: sheet 'Sheet', row 2, column M: a formula with no saved value "
        "(=2500*1), read as blank it would be a guess; the program that wrote the workbook "
        "did not calculate it: open and save the workbook in Excel, or export CSV"
    )


def test_formulas_with_saved_values_are_read_as_their_values(tmp_path: Path) -> None:
    path = workbook(tmp_path / "f.xlsx", [date(2025, 6, 12)], duty="=2500*1")
    rewrite_sheet(path, "<f>2500*1</f><v />", "<f>2500*1</f><v>2500</v>")
    (entry,) = read_es003(path).entries
    assert entry.lines[0].tariffs[0].duty == Decimal("2500")
    # Excel's empty text result (t="str", an empty value) is a blank cell, saved as such.
    path = workbook(tmp_path / "g.xlsx", [date(2025, 6, 12)], duty="=2500*1")
    rewrite_sheet(path, '<c r="M2"><f>2500*1</f><v /></c>', '<c r="M2" t="str"><f>""</f><v /></c>')
    (entry,) = read_es003(path).entries
    assert entry.lines[0].tariffs[0].duty is None


def test_cli_exits_2_on_an_uncalculated_workbook_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "f.xlsx", [date(2025, 6, 12), date(2025, 6, 12)], duty="=1250*2")
    status, out, err = both_engines(capsys, str(path), "--project")
    assert status == 2
    assert "f.xlsx: sheet 'Sheet', row 2, column M: a formula with no saved value" in err
    assert "IEEPA duty paid" not in out


def test_the_refusal_is_exact_whatever_the_callers_decimal_context() -> None:
    import decimal

    context = decimal.Context(prec=3, traps=[decimal.Inexact])
    with (
        decimal.localcontext(context),
        pytest.raises(BadCell, match="123,456 with a dot for thousands"),
    ):
        parse_amount("123.456")
