from __future__ import annotations

import csv
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ieepa_refund import InputFileError, compute_refund
from ieepa_refund import entry_number as en
from ieepa_refund.es003 import Problem, read_es003

DATA = Path(__file__).parent / "data"
HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Entry Date", "Liquidation Date", "Country of Origin Code", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount",
]  # fmt: skip


def num(n: int, filer: str = "316") -> str:
    first = f"{filer}{n:07d}"
    return first + en.calc_check_digit(first)


def row(entry: str, line: int, hts: str, duty: str = "", value: str = "", **kw: str) -> list[str]:
    return [
        entry, str(line), kw.get("type", "01"), kw.get("ior", "12-3456789AB"), kw.get("entry_date", "06/02/2025"),
        kw.get("liq", ""), kw.get("coo", "CN"), hts, value, duty,
    ]  # fmt: skip


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kw: str) -> Path:
    with path.open("w", encoding=kw.get("encoding", "utf-8"), newline="") as f:
        csv.writer(f, delimiter=kw.get("delimiter", ",")).writerows([header, *rows])
    return path


def test_a_realistic_broker_export() -> None:
    """Renamed columns, title rows, dollar signs, Excel wrappers, rows out of order, bad rows."""
    result = read_es003(DATA / "broker_export.csv")
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (11, 8, 3)
    assert result.rows_duplicate == 1
    assert result.rows_blank == 2
    (report,) = result.files
    assert report.header_row == 3
    assert report.recognised["entry_number"] == "Entry No"
    assert report.recognised["hts"] == "HTS"
    bad = {(p.row, p.code) for p in result.problems}
    assert bad == {
        (10, "BAD_VALUE"),
        (11, "BAD_VALUE"),
        (6, "INCOMPLETE_ENTRY"),
        (13, "DUPLICATE_ROW"),
        (15, "BAD_CHECK_DIGIT"),
    }
    hts_problem = next(p for p in result.problems if p.row == 11)
    assert (hts_problem.column, hts_problem.value) == ("HTS", "9903.02.20X")
    china = next(e for e in result.entries if e.entry_number == "B7603245278")
    assert china.liquidation_date == date(2026, 4, 24)
    assert [t.hts for t in china.lines[0].tariffs] == [
        "99038803",
        "99030124",
        "99030125",
        "8471300100",
    ]
    assert compute_refund(china).principal == Decimal("3000.00")


def test_counts_add_up_and_problems_name_the_row(tmp_path: Path) -> None:
    rows = [
        row(num(1), 1, "9903.01.24", "$2,000.00"),
        row(num(1), 1, "8471.30.0100", "0", "$10,000.00"),
        row(num(1), 2, "9903.01.25", "not money"),
        row(num(2), 1, "9903.01.24", "(5.00)"),
    ]
    result = read_es003(write(tmp_path / "a.csv", rows))
    assert result.rows_read == result.rows_used + result.rows_rejected == 4
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (4, "Line Tariff Duty Amount", "not money"),
        (2, None, None),  # INCOMPLETE_ENTRY: entry 1 lost its row 4
        (5, "Line Tariff Duty Amount", "(5.00)"),
    ]
    assert len(result.entries) == 1


def test_rows_of_an_entry_merge_across_files_and_duplicates_count_once(tmp_path: Path) -> None:
    a = write(
        tmp_path / "broker_a.csv",
        [row(num(1), 1, "9903.01.24", "100"), row(num(2), 1, "9903.01.24", "5")],
    )
    b = write(
        tmp_path / "broker_b.csv",
        [row(num(1), 1, "9903.01.24", "100"), row(num(1), 2, "9903.01.25", "50")],
    )
    result = read_es003(a, b)
    assert result.rows_read == 4
    assert result.rows_duplicate == 1
    (first,) = [e for e in result.entries if e.entry_number == num(1)]
    assert len(first.lines) == 2
    assert compute_refund(first).principal == Decimal(150)
    (dup,) = [p for p in result.problems if p.code == "DUPLICATE_ROW"]
    assert (dup.file, dup.row) == ("broker_b.csv", 2)


def test_conflicting_entry_values_are_a_problem_on_the_entry(tmp_path: Path) -> None:
    rows = [
        row(num(1), 1, "9903.01.24", "100", liq="05/01/2026"),
        row(num(1), 2, "9903.01.24", "100", liq="05/08/2026"),
        row(num(2), 1, "9903.01.24", "100"),
    ]
    result = read_es003(write(tmp_path / "a.csv", rows))
    assert [e.entry_number for e in result.entries] == [num(2)]
    (problem,) = result.problems
    assert problem.code == "CONFLICTING_ENTRY_VALUES"
    assert problem.rows == 2
    assert "liquidation_date" in problem.message
    assert result.rows_rejected == 2


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_party_number_with_and_without_its_dashes_is_one_number(
    tmp_path: Path, order: tuple[int, int]
) -> None:
    """11-0087109AB and 110087109AB on one entry: the same characters, one dashed, agree
    (the dashed form kept, in either order); two dashed forms of the same characters are
    two numbers (an EIN and a CBP-assigned number can compact alike) and still conflict."""
    spellings = ("11-0087109AB", "110087109AB")
    rows = [row(num(1), n + 1, "9903.01.24", "100", ior=spellings[i]) for n, i in enumerate(order)]
    result = read_es003(write(tmp_path / "a.csv", rows))
    assert result.problems == ()
    (entry,) = result.entries
    assert entry.importer_number == "11-0087109AB"
    assert compute_refund(entry).principal == Decimal(200)
    two_kinds = [
        row(num(1), 1, "9903.01.24", "100", ior="11-0087109AB"),
        row(num(1), 2, "9903.01.24", "100", ior="110087109AB"),
        row(num(1), 3, "9903.01.24", "100", ior="110087-109AB"),
    ]
    result = read_es003(write(tmp_path / "b.csv", two_kinds))
    assert result.entries == ()
    assert [p.code for p in result.problems] == ["CONFLICTING_ENTRY_VALUES"]


def test_a_problem_line_says_its_value_once_and_no_empty_slot(tmp_path: Path) -> None:
    """A check across fields had an empty column (": liquidation_date ..."), a message that
    quotes the value showed it again in brackets, and a summed line showed "=None"."""
    rows = [row(num(1), 1, "9903.01.24", "100", liq="05/01/2025", entry_date="06/02/2025")]
    (problem,) = read_es003(write(tmp_path / "a.csv", rows)).problems
    assert problem.code == "BAD_ENTRY"
    assert problem.column is None
    assert str(problem).startswith("a.csv:2: BAD_ENTRY: liquidation_date ")
    quoted = Problem(code="BAD_ENTRY", message="got 'X1'", file="f", row=2, column="c", value="X1")
    assert str(quoted) == "f:2: BAD_ENTRY: got 'X1' [c]"
    summed = Problem(code="BAD_VALUE", message="and 3 more", file="f", row=2, column="c")
    assert str(summed) == "f:2: BAD_VALUE: and 3 more [c]"
    plain = Problem(code="BAD_VALUE", message="not a date", file="f", row=2, column="c", value="x")
    assert str(plain) == "f:2: BAD_VALUE: not a date [c='x']"


def test_tab_delimited_cp1252_with_bom_and_wrappers(tmp_path: Path) -> None:
    tsv = write(
        tmp_path / "es003.txt",
        [row(f'="{num(1)}"', 1, "99030124", "1.00", coo="cn")],
        delimiter="\t",
    )
    assert read_es003(tsv).files[0].format == "tsv"
    latin = tmp_path / "latin.csv"
    write(
        latin,
        [[*row(num(1), 1, "99030124", "1.00"), "Société Générale"]],
        [*HEADER, "Importer Name"],
        encoding="cp1252",
    )
    result = read_es003(latin)
    assert result.files[0].encoding == "cp1252"
    assert result.entries[0].importer_name == "Société Générale"
    bom = tmp_path / "bom.csv"
    write(bom, [row(num(1), 1, "99030124", "1.00")], encoding="utf-8-sig")
    assert read_es003(bom).files[0].encoding == "utf-8-sig"
    assert read_es003(bom).entries[0].lines[0].country_of_origin == "CN"


def test_headers_with_dashes_case_and_spacing(tmp_path: Path) -> None:
    header = [h.upper().replace(" ", "_") for h in HEADER]
    header[7] = "HTS Number — Full"
    assert (
        read_es003(write(tmp_path / "a.csv", [row(num(1), 1, "99030124", "1")], header)).rows_used
        == 1
    )


def test_xlsx_main_report_sheet_with_title_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Criteria"
    sheet = book.create_sheet("Main Report")
    sheet.append(["ES-003 Entry Summary Line Tariff Details"])
    sheet.append([])
    sheet.append([*HEADER, "Importer Name"])
    common = [num(1), 1, "01", "12-3456789AB", date(2025, 6, 2), None, "CN"]
    first = [*common, "9903.01.24", None, 2000.1, "=HYPERLINK()"]
    second = [*common, "8471300100", 10000.5, 0, None]
    sheet.append(first)
    sheet.append(second)
    path = tmp_path / "es003.xlsx"
    book.save(path)
    # openpyxl saves the formula without a value, which the reader refuses (t64/04): saved as
    # Excel saves it, with its text result, it is read as that.
    with zipfile.ZipFile(path) as saved:
        members = {info.filename: saved.read(info) for info in saved.infolist()}
    sheet_xml = "xl/worksheets/sheet2.xml"
    members[sheet_xml] = members[sheet_xml].replace(
        b'<c r="K4"><f>HYPERLINK()</f><v /></c>',
        b'<c r="K4" t="str"><f>HYPERLINK()</f><v>x</v></c>',
    )
    with zipfile.ZipFile(path, "w") as saved:
        for member, data in members.items():
            saved.writestr(member, data)
    result = read_es003(path)
    assert result.files[0].sheet == "Main Report"
    assert result.files[0].header_row == 3
    (entry,) = result.entries
    assert entry.lines[0].tariffs[0].duty == Decimal(
        "2000.1"
    )  # the number Excel shows, never a binary float
    assert entry.lines[0].tariffs[1].value == Decimal("10000.5")


def test_missing_required_column_fails_clearly(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "Country of Origin Code"]
    path = write(
        tmp_path / "a.csv",
        [row(num(1), 1, "99030124")[:6] + row(num(1), 1, "99030124")[7:]],
        header,
    )
    with pytest.raises(InputFileError, match="country_of_origin"):
        read_es003(path)
    with pytest.raises(InputFileError, match="no ES-003 header"):
        read_es003(write(tmp_path / "b.csv", [["x", "y"]], ["foo", "bar"]))
    with pytest.raises(InputFileError, match="no such file"):
        read_es003(tmp_path / "missing.csv")


def test_mapping_names_a_renamed_column(tmp_path: Path) -> None:
    header = [*HEADER]
    header[6] = "Made In"
    path = write(tmp_path / "a.csv", [row(num(1), 1, "99030124", "1")], header)
    with pytest.raises(InputFileError):
        read_es003(path)
    result = read_es003(path, mapping={"country_of_origin": "made in"})
    assert result.files[0].recognised["country_of_origin"] == "Made In"
    with pytest.raises(InputFileError, match="unknown fields"):
        read_es003(path, mapping={"origin": "Made In"})


def test_ignored_columns_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv", [[*row(num(1), 1, "99030124", "1"), "x"]], [*HEADER, "Broker Memo"]
    )
    assert read_es003(path).files[0].ignored == ("Broker Memo",)


# --- row conservation -------------------------------------------------------------------------

cells = st.sampled_from(["9903.01.24", "99030125", "8471.30.0100", "9903.1", "", "=junk"])
amounts = st.sampled_from(["$1,000.00", "12", "", "(3.00)", "abc", "0.50"])
dates = st.sampled_from(["06/02/2025", "2025-06-03", "13/45/2025", ""])


@st.composite
def es003_rows(draw: st.DrawFn) -> list[str]:
    entry = draw(st.sampled_from([num(1), num(2), num(3), "31600000019", "bad"]))
    return row(
        entry,
        draw(st.integers(0, 3)),
        draw(cells),
        draw(amounts),
        draw(amounts),
        entry_date=draw(dates),
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(es003_rows(), st.just([""] * len(HEADER))), max_size=40))
def test_every_row_is_used_or_reported(tmp_path: Path, rows: list[list[str]]) -> None:
    """For any file: rows read = rows used + rows rejected, and no data row goes uncounted."""
    result = read_es003(write(tmp_path / "gen.csv", rows))
    data_rows = sum(1 for r in rows if any(r))
    assert result.rows_read == data_rows
    assert result.rows_read == result.rows_used + result.rows_rejected
    assert result.rows_blank == len(rows) - data_rows
    used = sum(len(t.tariffs) for e in result.entries for t in e.lines)
    assert used == result.rows_used
    assert sum(p.rows for p in result.problems) == result.rows_rejected


def test_stream_yields_entries_as_they_complete_and_reports_after(tmp_path: Path) -> None:
    from ieepa_refund.es003 import stream_es003

    rows = [
        row(num(1), 1, "9903.01.24", "1"),
        row(num(2), 1, "9903.01.24", "2"),
        row(num(1), 2, "9903.01.25", "3"),  # entry 1 completes here, after entry 2
        row(num(3), 1, "9903.01.2", "4"),  # a bad row: entry 3 never gets a good one
    ]
    stream = stream_es003(write(tmp_path / "a.csv", rows))
    with pytest.raises(RuntimeError, match="once every entry"):
        _ = stream.report
    assert [e.entry_number for e in stream] == [num(2), num(1)]
    assert (stream.report.rows_read, stream.report.rows_rejected, stream.report.entry_count) == (
        4,
        1,
        2,
    )
    with pytest.raises(RuntimeError, match="read once"):
        list(stream)


def test_the_collector_threshold_is_raised_while_reading_and_never_while_the_caller_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from ieepa_refund.es003 import _assemble, stream_es003

    rows = [row(num(1), 1, "9903.01.24", "1"), row(num(2), 1, "9903.01.24", "2")]
    before = gc.get_threshold()
    reading: list[int] = []
    finish = _assemble._finish

    def watched(acc: object, state: object) -> object:
        reading.append(gc.get_threshold()[0])
        return finish(acc, state)  # type: ignore[arg-type]

    monkeypatch.setattr(_assemble, "_finish", watched)
    caller: list[tuple[int, int, int]] = []
    for _ in stream_es003(write(tmp_path / "a.csv", rows)):
        caller.append(gc.get_threshold())
        # A second stream read inside the first's loop leaves the caller's setting as it was.
        assert len(list(stream_es003(write(tmp_path / "b.csv", rows)))) == 2
        caller.append(gc.get_threshold())
    assert reading == [_assemble.GC_THRESHOLD_STREAMING] * 6
    assert caller == [before] * 4
    abandoned = iter(stream_es003(write(tmp_path / "c.csv", rows)))
    next(abandoned)  # a caller that stops early: nothing is left raised
    assert gc.get_threshold() == before


def test_a_row_of_zeros_is_read_and_reported_not_blank(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [num(1), 1, "01", "12-3456789AB", date(2025, 6, 2), None, "CN", "9903.01.24", None, 1]
    )
    sheet.append([0] * len(HEADER))
    path = tmp_path / "zeros.xlsx"
    book.save(path)
    result = read_es003(path)
    assert (result.rows_read, result.rows_blank, result.rows_rejected) == (2, 0, 1)
