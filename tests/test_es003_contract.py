"""The ES-003 reader's contract: columns, values and encodings (issue 9); one test per case."""

from __future__ import annotations

import csv
import decimal
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ieepa_refund import Entry, InputFileError
from ieepa_refund import entry_number as en
from ieepa_refund.es003 import _cells, _xlsx, read_es003, stream_es003
from ieepa_refund.es003.report import PROBLEMS_SHOWN
from tests.strategies import es003_entries, ragged_rows

HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Entry Date", "Liquidation Status", "Liquidation Date", "Deposit Date",
    "Country of Origin Code", "Tariff Ordinal Number", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Line Tariff Quantity (1)",
]  # fmt: skip
DUTY = HEADER.index("Line Tariff Duty Amount")


def num(n: int) -> str:
    first = f"316{n:07d}"
    return first + en.calc_check_digit(first)


def row(n: int = 1, line: object = "1", duty: str = "100.00", **kw: str) -> list[str]:
    cells = {
        "Entry Summary Number": num(n), "Entry Summary Line Number": str(line),
        "Entry Type Code": "01", "Importer Number": "12-3456789AB", "Entry Date": "06/02/2025",
        "Liquidation Status": "UNLIQUIDATED", "Liquidation Date": "", "Deposit Date": "",
        "Country of Origin Code": "CN", "Tariff Ordinal Number": "1",
        "HTS Number - Full": "9903.01.24", "Line Tariff Goods Value Amount": "",
        "Line Tariff Duty Amount": duty, "Line Tariff Quantity (1)": "",
    }  # fmt: skip
    cells.update({HEADER[int(k[1:])]: v for k, v in kw.items()})  # c4="..." sets column 4
    return [cells[h] for h in HEADER]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kw: str) -> Path:
    with path.open("w", encoding=kw.get("encoding", "utf-8"), newline="") as f:
        csv.writer(f, delimiter=kw.get("delimiter", ",")).writerows([header, *rows])
    return path


def problems_at(result: object, column: str) -> list[tuple[int | None, str]]:
    return [(p.row, p.message) for p in result.problems if p.column == column]  # type: ignore[attr-defined]


# --- the column contract --------------------------------------------------------------------


def test_the_report_lists_recognised_mapped_ignored_and_ambiguous_columns(tmp_path: Path) -> None:
    header = [*HEADER, "Duty", "Broker Memo", "Made In"]
    header[HEADER.index("Country of Origin Code")] = "Origin Code Of Country"
    path = write(tmp_path / "a.csv", [[*row(), "5.00", "memo", "CN"]], header)
    result = read_es003(path, mapping={"country_of_origin": "Made In"})
    (report,) = result.files
    assert report.recognised["duty"] == "Line Tariff Duty Amount"
    assert report.mapped == {"country_of_origin": "Made In"}
    assert "Broker Memo" in report.ignored
    assert "Origin Code Of Country" in report.ignored
    (ambiguous,) = report.ambiguous
    assert (ambiguous.header, ambiguous.field, ambiguous.used) == (
        "Duty",
        "duty",
        "Line Tariff Duty Amount",
    )
    text = "\n".join(report.describe())
    assert "country_of_origin" in text
    assert "(mapped)" in text
    assert "'Broker Memo'" in text
    assert "ambiguous: 'Duty' also names duty" in text


def test_a_misspelt_duty_header_is_an_error_naming_the_nearest_header(tmp_path: Path) -> None:
    header = [*HEADER]
    header[DUTY] = "Line Tarrif Duty Amt"
    with pytest.raises(
        InputFileError, match=r"no duty column \(duty\); did you mean 'Line Tarrif Duty Amt'\?"
    ):
        read_es003(write(tmp_path / "a.csv", [row()], header))


@pytest.mark.parametrize(
    ("column", "misspelt", "field"),
    [("HTS Number - Full", "HTS Numbr - Full", "hts"),
     ("Entry Summary Number", "Entry Sumary Numbr", "entry_number")],
)  # fmt: skip
def test_a_misspelt_key_header_names_the_row_and_the_nearest_header(
    tmp_path: Path, column: str, misspelt: str, field: str
) -> None:
    """Without both key columns no row is the header; the row naming most ES-003 columns is
    named with what it lacks, not "no header found" (a tester's report)."""
    header = [misspelt if h == column else h for h in HEADER]
    with pytest.raises(InputFileError) as caught:
        read_es003(write(tmp_path / "a.csv", [row()], header))
    text = str(caught.value)
    assert f"row 1 looks like the ES-003 header but has no {field.replace('_', ' ')} column" in text
    assert f"did you mean {misspelt!r}?" in text
    assert "--map FIELD=HEADER" in text


def test_the_bundled_sample_and_broker_export_still_read() -> None:
    from ieepa_refund import sample_es003

    assert read_es003(sample_es003()).entry_count > 10
    broker = read_es003(Path(__file__).parent / "data" / "broker_export.csv")
    assert broker.rows_used == 8  # the entry with a wrong check digit is kept, flagged


def test_missing_answer_changing_columns_are_file_level_warnings(tmp_path: Path) -> None:
    keep = [h for h in HEADER if h not in ("Deposit Date", "Liquidation Date")]
    rows = [[c for h, c in zip(HEADER, row(c5="LIQUIDATED"), strict=True) if h in keep]]
    result = read_es003(write(tmp_path / "a.csv", rows, keep))
    warnings = {(w.code, w.column, w.row, w.rows) for w in result.warnings}
    assert warnings == {
        ("MISSING_COLUMN", "deposit_date", None, 0),
        ("MISSING_COLUMN", "liquidation_date", None, 0),
    }
    assert "row 2 says liquidated" in next(
        w.message for w in result.warnings if w.column == "liquidation_date"
    )
    assert result.rows_used == 1  # a warning keeps no row out
    keep = [h for h in keep if h != "Liquidation Status"]
    rows = [[c for h, c in zip(HEADER, row(), strict=True) if h in keep]]
    codes = {w.column for w in read_es003(write(tmp_path / "b.csv", rows, keep)).warnings}
    assert codes == {"deposit_date", "liquidation_status"}


def test_mapping_a_header_that_is_not_in_the_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [[*row(), "3.00"]], [*HEADER, "Duty Paid"])
    with pytest.raises(
        InputFileError, match=r"mapping names a header for duty.*did you mean 'Duty Paid'"
    ):
        read_es003(path, mapping={"duty": "Duty Pad"})
    assert read_es003(path, mapping={"duty": "Duty Paid"}).entries[0].lines[0].tariffs[0].duty == 3
    with pytest.raises(InputFileError, match="one header for two fields"):
        read_es003(path, mapping={"duty": "Duty Paid", "value": "duty paid"})


def test_two_headers_for_one_field_the_more_specific_wins_and_the_other_is_ambiguous(
    tmp_path: Path,
) -> None:
    # "Duty" is left of the ES-003 name; the leftmost no longer wins silently.
    header = ["Duty", *HEADER]
    path = write(tmp_path / "a.csv", [["999.00", *row(duty="100.00")]], header)
    result = read_es003(path)
    assert result.entries[0].lines[0].tariffs[0].duty == Decimal("100.00")
    (warning,) = [w for w in result.warnings if w.code == "AMBIGUOUS_COLUMN"]
    assert warning.column == "Duty"
    # Among broker names, the longer (more specific) one wins: Goods Value Amount over Value.
    header = [*HEADER, "Value", "Goods Value Amount"]
    header[HEADER.index("Line Tariff Goods Value Amount")] = "Memo"
    result = read_es003(write(tmp_path / "b.csv", [[*row(), "1.00", "2.00"]], header))
    assert result.files[0].recognised["value"] == "Goods Value Amount"


# --- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1.234,56", "1 234,56", "1,2,3,4", "12,34", "--5", "(-5)", "²", "١٢٣", "1_000", "1e5",
     "1E+3", "NaN", "Infinity", "-inf", "5-", "$", ".", "#VALUE!", "#N/A", "1" * 50],
)  # fmt: skip
def test_ambiguous_amounts_are_row_problems(tmp_path: Path, text: str) -> None:
    result = read_es003(write(tmp_path / "a.csv", [row(duty=text), row(2)]))
    assert [p.code for p in result.problems] == ["BAD_VALUE"]
    assert result.problems[0].column == "Line Tariff Duty Amount"
    assert result.rows_read == result.rows_used + result.rows_rejected == 2


@pytest.mark.parametrize(
    ("text", "amount"),
    [("$1,234.50", "1234.50"), ("(5.00)", "-5"), ("-$5", "-5"), ("$-5", "-5"), ("1234", "1234"),
     (".5", "0.5"), ("1.2300", "1.23"), ("  $ 12.00 ", "12")],
)  # fmt: skip
def test_plain_amounts_still_read(text: str, amount: str) -> None:
    assert _cells.parse_amount(text) == Decimal(amount)


def test_amounts_finer_than_a_cent_are_refused_but_quantities_may_have_decimals(
    tmp_path: Path,
) -> None:
    rows = [row(duty="10.0005"), row(2, c13="12.345")]
    result = read_es003(write(tmp_path / "a.csv", rows))
    assert problems_at(result, "Line Tariff Duty Amount") == [
        (2, "an amount finer than a cent (ES-003 amounts are in whole cents)")
    ]
    assert result.entries[0].lines[0].tariffs[0].quantity == Decimal("12.345")
    with pytest.raises(_cells.BadCell, match="more than 6 decimal"):
        _cells.parse_quantity("1.0000001")


def test_implausibly_large_amounts_are_row_problems(tmp_path: Path) -> None:
    result = read_es003(
        write(
            tmp_path / "a.csv", [row(duty="1,000,000,000,000.00"), row(2, duty="999999999999.99")]
        )
    )
    assert [p.message for p in result.problems] == [
        "implausibly large for one row (a trillion or more)"
    ]
    assert result.rows_used == 1


def test_amounts_are_exact_whatever_the_callers_decimal_context(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row(duty="123,456,789.01")])
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact])):
        result = read_es003(path)
    assert result.entries[0].lines[0].tariffs[0].duty == Decimal("123456789.01")


def test_xlsx_binary_floats_round_to_what_excel_shows_then_must_be_cents(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    cells = [(3000.2999999999997, "9903.01.24"), (0.1 + 0.2, "9903.01.25"), (10.005, "9903.02.20"),
             ("#VALUE!", "8471.30.0100"), ("#N/A", "8471.30.0100")]  # fmt: skip
    for n, (duty, hts) in enumerate(cells, start=1):
        sheet.append(
            [num(n), 1, "01", "12-3456789AB", date(2025, 6, 2), "", None, None, "CN", 1, hts, None,
             duty, None]
        )  # fmt: skip
    path = tmp_path / "a.xlsx"
    book.save(path)
    result = read_es003(path)
    assert [e.lines[0].tariffs[0].duty for e in result.entries] == [
        Decimal("3000.30"),
        Decimal("0.30"),
    ]
    assert [p.row for p in result.problems] == [4, 5, 6]
    assert "finer than a cent" in result.problems[0].message
    assert "Excel error value (#VALUE!)" in result.problems[1].message
    assert _cells.parse_amount(3000.2999999999997) == Decimal("3000.3")
    assert _cells.parse_amount(0.1 + 0.2) == Decimal("0.3")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(_cells.BadCell, match="NaN or infinity"):
            _cells.parse_amount(bad)


@pytest.mark.parametrize(
    "cell", ["1.9", "Infinity", "1e1000000", "²", "0", "100000", "-1", "1,000"]
)
def test_line_numbers_must_be_sane_whole_numbers(tmp_path: Path, cell: str) -> None:
    result = read_es003(write(tmp_path / "a.csv", [row(line=cell), row(2)]))
    assert [(p.code, p.column) for p in result.problems] == [
        ("BAD_VALUE", "Entry Summary Line Number")
    ]


def test_tariff_ordinals_are_numbers(tmp_path: Path) -> None:
    assert _cells.parse_ordinal("01") == _cells.parse_ordinal("1") == _cells.parse_ordinal(1.0) == 1
    assert _cells.parse_ordinal("") is None
    result = read_es003(write(tmp_path / "a.csv", [row(c9="A"), row(2, c9="1.5")]))
    assert [p.column for p in result.problems] == ["Tariff Ordinal Number"] * 2


@pytest.mark.parametrize(
    ("cell", "why"),
    [("06/02/25", "two-digit year"), ("45810", "Excel serial"), ("06/02/2025 garbage", "not a date"),
     ("2025-13-01", "not a date"), ("06/02/2025extra", "not a date")],
)  # fmt: skip
def test_dates_with_short_years_serials_or_trailing_garbage_are_refused(
    tmp_path: Path, cell: str, why: str
) -> None:
    result = read_es003(write(tmp_path / "a.csv", [row(c4=cell), row(2)]))
    ((_, message),) = problems_at(result, "Entry Date")
    assert why in message
    assert _cells.parse_date("06/02/2025 12:00:00 AM", {}) == date(2025, 6, 2)
    with pytest.raises(_cells.BadCell, match="serial"):
        _cells.parse_date(45810, {})


def test_a_day_first_date_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    # The entry dates ISO: no other column's dates read either way (else the file is refused
    # whole: tests/test_locale_damage.py).
    rows = [row(c4="2025-06-02", c6="03/04/2026"), row(2, c4="2025-06-02", c6="13/02/2026")]
    result = read_es003(write(tmp_path / "a.csv", rows))
    (warning,) = [w for w in result.warnings if w.code == "DAY_FIRST_DATES"]
    assert "'13/02/2026' at row 3" in warning.message
    assert all(e.liquidation_date is None for e in result.entries)  # 03/04 is not read as March 4
    assert result.problems == ()
    with pytest.raises(InputFileError, match="day-first dates"):
        read_es003(write(tmp_path / "b.csv", [row(), row(2, c4="13/02/2025")]))


def test_excel_scientific_notation_in_entry_numbers_gets_its_own_message(tmp_path: Path) -> None:
    bad = row()
    bad[0] = "6.05761E+10"
    result = read_es003(write(tmp_path / "a.csv", [bad, row(2)]))
    (problem,) = result.problems
    assert "scientific notation" in problem.message
    assert "re-export" in problem.message
    assert _cells.parse_entry_number("00E00000005") == "00E00000005"  # filer code 00E, no exponent
    with pytest.raises(_cells.BadCell, match="Excel error value"):
        _cells.parse_entry_number("#N/A")
    with pytest.raises(_cells.BadCell, match="Excel error value"):
        _cells.parse_date("#VALUE!", {})


# --- encodings and file shapes --------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_is_read(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "unicode.txt", [row()], encoding=encoding, delimiter="\t")
    result = read_es003(path)
    assert (result.files[0].format, result.rows_used) == ("tsv", 1)
    assert result.files[0].encoding == encoding


def test_a_semicolon_delimiter_is_detected_or_named(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row(duty="1.00")], delimiter=";")
    result = read_es003(path)
    assert (result.rows_used, result.files[0].delimiter) == (1, ";")
    assert "delimiter ';'" in result.files[0].describe()[0]
    piped = write(tmp_path / "b.csv", [row()], delimiter="|")
    with pytest.raises(InputFileError, match="no ES-003 header"):
        read_es003(piped)
    assert read_es003(piped, delimiter="|").rows_used == 1


def test_a_stray_quote_is_reported_at_the_row_where_it_opened(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row(1)])
    with path.open("a", encoding="utf-8") as f:
        f.write(",".join(row(2)).replace("9903.01.24", '"9903.01.24') + "\r\n")
        for n in range(3, 40):
            f.write(",".join(row(n)) + "\r\n")
    result = read_es003(path)
    problem, *swallowed = result.problems
    assert (problem.code, problem.row, problem.entry_number) == ("STRAY_QUOTE", 3, num(2))
    assert "runs over 38 lines" in problem.message
    # Each line the quote swallowed is a row read and rejected, naming the entry it held.
    # (after the first 20, identical problems are summarised in one, its rows counted)
    listed = [p for p in swallowed if p.entry_number is not None]
    assert [(p.code, p.row, p.entry_number) for p in listed] == [
        ("STRAY_QUOTE", n + 1, num(n)) for n in range(3, 3 + len(listed))
    ]
    assert sum(p.rows for p in swallowed) == 37
    assert result.rows_read == result.rows_used + result.rows_rejected == 39


def test_a_huge_cell_is_a_row_problem_with_its_row(tmp_path: Path) -> None:
    rows = [row(1), row(2, c12="x" * 10_000_000), row(3)]
    result = read_es003(write(tmp_path / "a.csv", rows))
    (problem,) = [p for p in result.problems if p.code != "INCOMPLETE_ENTRY"]
    assert (problem.code, problem.row, problem.entry_number) == ("UNREADABLE_ROW", 3, num(2))
    assert "field limit" in problem.message
    assert result.rows_used == 2
    assert result.rows_read == result.rows_used + result.rows_rejected


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    path = tmp_path / "bomb.xlsx"
    book.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/padding.xml", b" " * (20 << 20))  # 20 MiB of spaces: about 20 KB zipped
    with pytest.raises(InputFileError, match="zip bomb"):
        read_es003(path)
    monkeypatch.setattr(_xlsx, "XLSX_MAX_BYTES", 1000)
    with pytest.raises(InputFileError, match="inflates to"):
        read_es003(path)


def test_identical_problems_are_summarised_and_counts_still_add_up(tmp_path: Path) -> None:
    rows = [row(n, duty="junk") for n in range(1, 1001)] + [row(2000)]
    result = read_es003(write(tmp_path / "a.csv", rows))
    assert len(result.problems) == PROBLEMS_SHOWN + 1
    summary = result.problems[-1]
    assert summary.rows == 1000 - PROBLEMS_SHOWN
    assert "and 980 more rows with the same problem" in summary.message
    assert sum(p.rows for p in result.problems) == result.rows_rejected == 1000
    assert result.rows_read == result.rows_used + result.rows_rejected == 1001


def test_open_files_and_dataframes_are_read_like_paths(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row(1), row(2, duty="$1,250.00")])
    expected = read_es003(path).entries
    with path.open(encoding="utf-8", newline="") as text:
        assert read_es003(text).entries == expected
    with path.open("rb") as binary:
        assert read_es003(binary).entries == expected
    assert read_es003(io.StringIO(path.read_text(encoding="utf-8"))).entries == expected
    frame = pd.read_csv(path, dtype=str)
    assert read_es003(frame).entries == expected
    numeric = pd.read_csv(path)  # what a notebook gets: numbers as float64, blanks as NaN
    numeric["Line Tariff Duty Amount"] = [100.0, 1250.0]
    result = read_es003(numeric)
    assert result.entries == expected
    assert result.files[0].format == "dataframe"
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(row(1))
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_es003(io.BytesIO(buffer.getvalue())).entries == expected[:1]
    assert [e.entry_number for e in stream_es003(frame)] == [num(1), num(2)]


# --- round trip -----------------------------------------------------------------------------

ROUND_TRIP_HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Importer Name", "Port of Entry Code", "Entry Date", "Entry Summary Date", "Deposit Date",
    "Liquidation Date", "Liquidation Status", "Reconciliation Indicator", "Drawback Claim",
    "Notify Party", "Country of Origin Code", "Tariff Ordinal Number", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Line Tariff Quantity (1)",
    "Line Tariff UOM (1) Code", "HTS Rate",
]  # fmt: skip


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"${amount:,.2f}"


def _date(day: date | None) -> str:
    return "" if day is None else day.strftime("%m/%d/%Y")


def _flag(flag: bool | None) -> str:
    return "" if flag is None else "Y" if flag else "N"


def es003_rows(entry: Entry) -> list[list[str]]:
    rows = []
    for line in entry.lines:
        for ordinal, t in enumerate(line.tariffs, start=1):
            rows.append(
                [
                    entry.entry_number, str(line.number), entry.entry_type, entry.importer_number,
                    entry.importer_name or "", entry.port_of_entry or "", _date(entry.entry_date),
                    _date(entry.entry_summary_date), _date(entry.deposit_date),
                    _date(entry.liquidation_date), entry.liquidation_status or "",
                    _flag(entry.reconciliation_flag), _flag(entry.drawback_claim),
                    entry.notify_party or "", line.country_of_origin, str(ordinal),
                    _hts_text(t.hts), _money(t.value), _money(t.duty),
                    "" if t.quantity is None else format(t.quantity, "f"), t.unit or "",
                    t.rate or "",
                ]
            )  # fmt: skip
    return rows


def _hts_text(hts: str) -> str:
    return f"{hts[:4]}.{hts[4:6]}.{hts[6:]}"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(es003_entries(), min_size=1, max_size=4),
    form=st.sampled_from([(",", "utf-8-sig"), ("\t", "utf-16"), (";", "utf-8"), (",", "cp1252")]),
)
def test_entries_written_as_es003_read_back_equal(
    tmp_path: Path, entries: list[Entry], form: tuple[str, str]
) -> None:
    """Generated entries -> ES-003 text (CSV, Unicode Text, semicolons, cp1252) -> read_es003
    -> the same entries (no sign, digit or field drifts between the reader and Entry)."""
    unique = list({e.entry_number: e for e in entries}.values())
    rows = [r for entry in unique for r in es003_rows(entry)]
    delimiter, encoding = form
    path = tmp_path / "round.txt"
    result = read_es003(
        write(path, rows, ROUND_TRIP_HEADER, delimiter=delimiter, encoding=encoding)
    )
    assert result.problems == ()
    by_number = {e.entry_number: e for e in result.entries}
    assert by_number == {e.entry_number: e for e in unique}


# --- no cell crashes the reader -------------------------------------------------------------

cell_values = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.,-+$() eE_²٣", max_size=25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@settings(max_examples=400, deadline=None)
@given(cell=cell_values)
def test_every_cell_parser_returns_or_says_why(cell: object) -> None:
    """Any cell: each parser returns a value or raises BadCell, never InvalidOperation or worse."""
    for parse in (
        _cells.parse_amount,
        _cells.parse_quantity,
        _cells.parse_line_number,
        _cells.parse_ordinal,
        _cells.parse_entry_number,
        lambda c: _cells.parse_date(c, {}),
        _cells.parse_flag,
    ):
        try:
            result = parse(cell)
        except _cells.BadCell:
            continue
        if isinstance(result, Decimal):
            assert result.is_finite()
            assert -_cells.AMOUNT_BOUND < result < _cells.AMOUNT_BOUND
        if isinstance(result, int) and not isinstance(result, bool):
            assert 1 <= result <= _cells.LINE_MAX


def test_a_row_wider_than_the_header_is_rejected_naming_the_counts(tmp_path: Path) -> None:
    """An amount with an unquoted comma ("34,131.80") makes a row one cell too wide: read by
    position, it was a duty of 34 (the tester's repro, t37 F1)."""
    wide = [*row(2, duty="34"), "131.80"]
    path = write(tmp_path / "a.csv", [row(1), wide, row(2, line="2", duty="5.00")])
    result = read_es003(path)
    [problem] = [p for p in result.problems if p.code == "CELL_COUNT"]
    assert (problem.file, problem.row, problem.entry_number) == ("a.csv", 3, num(2))
    assert problem.message.startswith(f"row has {len(HEADER) + 1} cells, the header {len(HEADER)}")
    assert "unquoted comma" in problem.message
    assert (result.rows_used, result.rows_rejected) == (2, 1)
    [incomplete] = [e for e in result.entries if e.entry_number == num(2)]
    assert incomplete.incomplete_rows == 1


def test_blank_cells_beyond_the_header_are_let_be(tmp_path: Path) -> None:
    """Trailing commas some exports add: blank cells past the header's width are no shift
    (on every row: a lone row wider than the file's others is rejected, see below)."""
    path = write(tmp_path / "a.csv", [[*row(1), "", " "], [*row(2), "", ""]])
    result = read_es003(path)
    assert (result.rows_used, result.rows_rejected) == (2, 0)
    assert not [p for p in result.problems if p.code == "CELL_COUNT"]


def _wider(n: int, line: str, blanks: int = 1) -> list[str]:
    """Row ``n``'s line shifted by an unquoted comma in its duty ("34,131.80"): its quantity,
    the header's last cell, was blank, so the cell pushed past the header is blank too."""
    cells = row(n, line=line, duty="34")
    cells[DUTY + 1] = "131.80"
    return [*cells, *([""] * blanks)]


def test_a_row_wider_than_the_files_rows_by_a_blank_cell_is_rejected(tmp_path: Path) -> None:
    """An unquoted comma on a row whose last cell is blank gives one blank cell too many,
    which looked like a trailing comma: the row was read shifted, a duty of 34, silently.
    The file's rows are 14 cells wide: a row of 15 is rejected, in a multi-row entry (2)
    and in a single-row one (3), whose entry is then rejected whole."""
    rows = [row(1), _wider(2, "1"), row(2, line="2", duty="5.00"), _wider(3, "1"), row(4)]
    result = read_es003(write(tmp_path / "a.csv", rows))
    problems = [p for p in result.problems if p.code == "CELL_COUNT"]
    assert [(p.row, p.entry_number) for p in problems] == [(3, num(2)), (5, num(3))]
    n = len(HEADER)
    assert problems[0].message == (
        f"row has {n + 1} cells, this file's rows {n} (the header {n}): an amount with an "
        "unquoted comma? quote it or remove the thousands separator"
    )
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (5, 3, 2)
    assert [(e.entry_number, e.incomplete_rows) for e in result.entries] == [
        (num(1), 0), (num(2), 1), (num(4), 0),
    ]  # fmt: skip
    assert result.entries_incomplete == 1
    assert result.entries_rejected_numbers == (num(3),)
    assert "34" not in {str(t.duty) for e in result.entries for ln in e.lines for t in ln.tariffs}


def test_rows_all_ending_in_a_trailing_comma_are_read_and_one_wider_still_rejected(
    tmp_path: Path,
) -> None:
    """A file whose every row ends in a trailing comma is as wide as its rows: read. A row
    one blank cell wider still is the shifted one; rows without the comma are read too."""
    rows = [[*row(1), ""], [*row(2), ""], [*_wider(2, "2"), ""], row(3), [*row(4), ""]]
    result = read_es003(write(tmp_path / "a.csv", rows))
    [problem] = [p for p in result.problems if p.code == "CELL_COUNT"]
    n = len(HEADER)
    assert (problem.row, problem.entry_number) == (4, num(2))
    assert problem.message.startswith(f"row has {n + 2} cells, this file's rows {n + 1} (the")
    assert (result.rows_used, result.rows_rejected) == (4, 1)
    clean = read_es003(write(tmp_path / "b.csv", [[*row(1), ""], row(2), [*row(3), ""]]))
    assert (clean.rows_used, clean.rows_rejected, clean.problems) == (3, 0, ())


def test_a_shifted_row_on_a_tab_delimited_file_is_rejected(tmp_path: Path) -> None:
    """The rule is the text files', whatever their delimiter."""
    path = write(tmp_path / "a.tsv", [row(1), [*row(2), ""], row(3)], delimiter="\t")
    result = read_es003(path)
    assert [(p.code, p.row) for p in result.problems if p.row] == [("CELL_COUNT", 3)]


def test_a_workbook_row_wider_by_blank_cells_is_let_be(tmp_path: Path) -> None:
    """A workbook's cells are not split on commas: a row running to a blank cell further
    right than the others (a formatted cell) is no shift, and is read (its rows are read
    to the sheet's last used column, all alike, and the rule is the text files')."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in (HEADER, row(1), row(2), row(3)):
        sheet.append(cells)
    sheet.cell(row=3, column=len(HEADER) + 2).number_format = "0.00"  # styled, no value
    sheet.cell(row=4, column=len(HEADER) + 1, value="")
    path = tmp_path / "a.xlsx"
    book.save(path)
    result = read_es003(path)
    assert (result.rows_used, result.rows_rejected) == (3, 0)


@given(files=st.lists(ragged_rows, min_size=1, max_size=2))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_rows_wider_than_the_usual_width_are_counted_exactly(
    tmp_path: Path, files: list[list[tuple[int, int]]]
) -> None:
    """Rows rejected only once the file's usual width is known (after the counting pass):
    every count adds up, and each entry is built from exactly its rows read, as for the
    rows rejected at once. The rule is computed here on its own: the width most rows
    have, ties to the narrower; rows wider than it and the header are rejected."""
    n = len(HEADER)
    paths, rejected, used = [], [], []
    line = 0
    for k, rows in enumerate(files):
        counts: dict[int, int] = {}
        for _, blanks in rows:
            counts[n + blanks] = counts.get(n + blanks, 0) + 1
        usual = min(counts, key=lambda w: (-counts[w], w))
        cells = []
        for entry, blanks in rows:
            line += 1
            cells.append([*row(entry, line=str(line)), *([""] * blanks)])
            (rejected if n + blanks > max(usual, n) else used).append(entry)
        paths.append(write(tmp_path / f"f{k}.csv", cells))
    result = read_es003(*paths)
    assert result.rows_read == sum(map(len, files))
    assert (result.rows_used, result.rows_rejected) == (len(used), len(rejected))
    assert sum(p.code == "CELL_COUNT" for p in result.problems) == len(rejected)
    built = {e.entry_number: e for e in result.entries}
    for entry in {*used, *rejected}:
        if entry not in used:
            assert num(entry) in result.entries_rejected_numbers
            continue
        found = built[num(entry)]
        assert sum(len(ln.tariffs) for ln in found.lines) == used.count(entry)
        assert found.incomplete_rows == rejected.count(entry)
    assert len(built) == len(set(used))
    assert result.entries_incomplete == len({e for e in used if e in rejected})
    assert set(result.entries_rejected_numbers) == {num(e) for e in rejected if e not in used}


def test_a_row_cut_short_of_a_column_read_is_rejected_naming_the_counts(tmp_path: Path) -> None:
    """A row of 5 cells was reported only as a blank country of origin (t37 F3); a row
    lacking only columns no field reads is read as before."""
    header = [*HEADER, "Notes"]
    path = write(tmp_path / "a.csv", [row(1)[:5], row(2), [*row(3), "x"]], header=header)
    result = read_es003(path)
    [problem] = [p for p in result.problems if p.code == "CELL_COUNT"]
    assert (problem.row, problem.entry_number) == (2, num(1))
    assert problem.message.startswith(f"row has 5 cells, the header {len(header)}")
    assert "'Liquidation Status' and " in problem.message
    assert not [p for p in result.problems if p.code == "BAD_VALUE"]
    assert (result.rows_used, result.rows_rejected) == (2, 1)


def test_a_workbook_cell_beyond_the_header_rejects_its_row(tmp_path: Path) -> None:
    """A workbook's rows run to the sheet's last used column: a value right of the header's
    last named cell is a row wider than the header, as in a CSV."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in (HEADER, row(1), [*row(2), "131.80"]):
        sheet.append(cells)
    path = tmp_path / "a.xlsx"
    book.save(path)
    result = read_es003(path)
    [problem] = [p for p in result.problems if p.code == "CELL_COUNT"]
    assert (problem.row, problem.entry_number) == (3, num(2))
    assert (result.rows_used, result.rows_rejected) == (1, 1)


def test_a_blank_entry_date_shows_no_value_not_the_whole_entry(tmp_path: Path) -> None:
    """pydantic gives a missing field the whole entry as its input: the problem showed a
    dict's repr as the cell's value (t37 F4)."""
    result = read_es003(write(tmp_path / "a.csv", [row(1, c4="")]))
    [problem] = [p for p in result.problems if p.code == "BAD_ENTRY"]
    assert problem.column == "entry_date"
    assert problem.value is None
