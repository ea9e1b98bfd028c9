"""Rows shifted by an unquoted thousands comma that the width rules cannot see.

``$1,300.00`` written without quotes is two cells, ``$1`` and ``300.00``, and every cell after
it moves one column right. The width rules (``_rows.data_rows``) catch a row wider than the
header or the file's usual width; these files hide it (the tester's t46 repros F1-F4): rows
padded to the widest (a re-save), most rows ending in a trailing comma (a joined file), a
header one column wider than its rows, a file of one row. What gives the shift away is the
content: the unit of quantity receives a number, or, where the quantity was blank (Chapter 99
rows), the quantity receives the amount's tail and the unit is blank. Both engines alike.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund.es003 import read_es003
from ieepa_refund.es003._cells import BadCell, parse_unit, split_amount

from .strategies import shifted_rows

#: The sample's ES-003 columns, the unit of quantity followed by two more (as in the sample).
HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Importer Name,Port of Entry Code,Entry Date,Entry Summary Date,Reconciliation Indicator,"
    "Liquidation Date,Liquidation Status,Protest Number,Country of Origin Code,Line SPI Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Goods Value Amount,"
    "Line Tariff Duty Amount,Line Tariff Quantity (1),Line Tariff UOM (1) Code,Notify Party,"
    "Deposit Date"
)
#: The same columns ending at the unit (the layout of the measured 200,000-row file).
SHORT_HEADER = HEADER.rsplit(",", 2)[0]


def number(n: int) -> str:
    from ieepa_refund.entry_number import calc_check_digit

    first = f"316{n:07d}"
    return first + calc_check_digit(first)


def row(
    n: int, ordinal: int, value: str, duty: str, qty: str, unit: str, *, short: bool = False
) -> str:
    """A row of entry ``n``, line 1 (ordinal 1: the Chapter 99 number, 2: the goods'); its
    amounts written as given (unquoted: a comma in one splits it)."""
    hts = "9903.01.24" if ordinal == 1 else "8471300100"
    text = (
        f"{number(n)},1,01,11-0087109AB,SYNTHETIC IMPORTER,2704,06/20/2025,06/30/2025,N,,"
        f"UNLIQUIDATED,,CN,,{ordinal},{hts},{value},{duty},{qty},{unit}"
    )
    return text if short else text + ",,"


def entry(n: int, duty: str = "500.00", *, short: bool = False) -> list[str]:
    """Entry ``n``: its Chapter 99 row (no value, quantity or unit, as in ES-003) and its goods row."""
    return [
        row(n, 1, "", duty, "", "", short=short),
        row(n, 2, '"$5,000.00"', "0.00", "10", "NO", short=short),
    ]


def write(folder: Path, lines: list[str], name: str = "shifted.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("ES-003 (synthetic)\n" + "\n".join(lines) + "\n")
    return path


# -- the unit of quantity: a code, never a plain number -------------------------------------


@pytest.mark.parametrize("cell", ["NO", "KG", "M2", "M3", "X", "DOZ", "PCS", "No.", "kg", " doz "])
def test_a_unit_of_quantity_code_is_read(cell: str) -> None:
    assert parse_unit(cell) == cell.strip().upper()


@pytest.mark.parametrize("cell", ["", "  ", None])
def test_a_blank_unit_is_none(cell: str | None) -> None:
    assert parse_unit(cell) is None


@pytest.mark.parametrize(
    "cell", ["10", "300.00", "300", "1,234", "1,234.5", "$5", "-3", "(12)", ".5", "0", 10, 300.0]
)
def test_a_unit_of_quantity_that_is_a_number_is_refused(cell: object) -> None:
    with pytest.raises(BadCell, match=r"a unit of quantity is a code such as NO or KG"):
        parse_unit(cell)


@pytest.mark.parametrize(
    ("head", "tail", "whole"),
    [
        ("$1", "300.00", "$1,300.00"),
        ("1", "300", "1,300"),
        (1, 300, "1,300"),
        ("27", "905", "27,905"),
    ],
)
def test_a_split_amount_is_seen(head: object, tail: object, whole: str) -> None:
    assert split_amount(head, tail) == whole


@pytest.mark.parametrize(
    ("head", "tail"), [("1.00", "300.00"), ("1", "30.00"), ("1234", "300"), ("", "300"), ("1", "")]
)
def test_amounts_in_cents_are_not_a_split(head: str, tail: str) -> None:
    assert split_amount(head, tail) is None


# -- the tester's files (t46 F1-F4), per-entry reader and both engines ----------------------


#: Entry 2's one row, its $1,300.00 duty unquoted: read as a duty of $1.00 (entry 2 single-row,
#: as 31610001444 in the repros: rejected, it is rejected whole).
SHIFTED = row(2, 1, "", "$1,300.00", "", "")


def _f1_padded(tmp: Path) -> Path:
    """F1: the shifted file re-saved by a tool that pads every row to the widest."""
    rows = [*entry(1), SHIFTED, *entry(3)]
    width = max(r.count(",") for r in rows)
    return write(tmp, [HEADER + ",", *(r + "," * (width - r.count(",")) for r in rows)])


def _f2_wider_header(tmp: Path) -> Path:
    """F2: the header has one (ignored) column more than its rows carry."""
    return write(tmp, [HEADER + ",Broker Notes", *entry(1), SHIFTED, *entry(3)])


def _f3_trailing_majority(tmp: Path) -> Path:
    """F3: a joined file, most rows ending in a trailing comma; the shifted one without."""
    rows = [r + "," for r in [*entry(1), *entry(3), *entry(4)]]
    return write(tmp, [HEADER, *rows, SHIFTED])


def _f4_one_row(tmp: Path) -> Path:
    """F4: a file of one entry of one row, shifted."""
    return write(tmp, [HEADER, SHIFTED])


FILES = {"F1": _f1_padded, "F2": _f2_wider_header, "F3": _f3_trailing_majority, "F4": _f4_one_row}


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_testers_shifted_files_are_rejected_by_the_reader(name: str, tmp_path: Path) -> None:
    """Each read 31600000024's $1,300.00 duty as $1.00, with no problem."""
    result = read_es003(FILES[name](tmp_path))
    shifted = [p for p in result.problems if p.entry_number == number(2) and p.row is not None]
    assert [p.code for p in shifted] == ["CELL_COUNT"]
    assert all(e.entry_number != number(2) for e in result.entries)
    assert (number(1) in {e.entry_number for e in result.entries}) == (name != "F4")
    assert result.rows_read == result.rows_used + result.rows_rejected


def _as_excel(cell: str) -> object:
    """A CSV cell as Excel reads it: a plain number (a $ sign dropped) becomes a number cell."""
    text = cell.strip('"')
    if re.fullmatch(r"\$?[0-9]{1,7}(?:\.[0-9]+)?", text):
        number = float(text.lstrip("$"))
        return int(number) if number.is_integer() else number
    return text or None


def test_an_xlsx_re_saved_from_the_shifted_file_is_rejected(tmp_path: Path) -> None:
    """F1 as a workbook: Excel made the split cells numbers ($1 -> 1, 300.00 -> 300)."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ES-003 (synthetic)"])
    sheet.append(HEADER.split(","))
    for line in [*entry(1), SHIFTED, *entry(3)]:
        sheet.append([_as_excel(c) for c in line.replace('"$5,000.00"', "5000").split(",")])
    path = tmp_path / "resaved.xlsx"
    book.save(path)
    result = read_es003(path)
    shifted = [p for p in result.problems if p.entry_number == number(2)]
    assert [p.code for p in shifted] == ["CELL_COUNT"]
    assert "one amount ('1,300') split" in shifted[0].message
    assert {e.entry_number for e in result.entries} == {number(1), number(3)}


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_testers_shifted_files_are_identical_in_both_engines(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    same_outputs([FILES[name](tmp_path / "in")], tmp_path, capsys)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert f",CELL_COUNT,,,{number(2)}," in problems
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert number(2) not in written


def _f2_goods_value(tmp: Path) -> Path:
    """F2 with a goods value split on a row with no duty, quantity or unit: no content rule
    sees it (the duty reads the value's tail, 905.00), only the width: 23 cells where the
    rows have 22, the 23rd blank, under a header of 23."""
    shifted = row(2, 2, "27,905.00", "", "", "")
    return write(tmp, [HEADER + ",Broker Notes", *entry(1), shifted, *entry(3)])


def test_a_row_wider_than_its_file_but_not_its_header_is_rejected(tmp_path: Path) -> None:
    result = read_es003(_f2_goods_value(tmp_path))
    (problem,) = [p for p in result.problems if p.entry_number == number(2)]
    assert problem.code == "CELL_COUNT"
    assert problem.message.startswith("row has 23 cells, this file's rows 22 (the header 23)")
    assert {e.entry_number for e in result.entries} == {number(1), number(3)}


def test_a_row_wider_than_its_file_but_not_its_header_is_identical_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    engine = same_outputs([_f2_goods_value(tmp_path / "in")], tmp_path, capsys)
    assert "rows not as wide as the header, 22 cells to its 23" in engine
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert f",CELL_COUNT,,,{number(2)}," in problems


def test_rows_of_the_headers_width_the_reader_refuses_are_identical_in_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows as wide as the header and the file, read in columns by the bulk engine unless it
    sends them per entry: a unit of quantity that is a number, and a quantity with no unit
    beside a goods value and duty that look like one amount split (27 then 905.00)."""
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    rows = [*entry(1), *entry(2), *entry(3), *entry(4), *entry(5)]
    rows[3] = row(2, 2, "5000.00", "0.00", "10", "12")
    rows[5] = row(3, 2, "27", "905.00", "10", "")
    engine = same_outputs([write(tmp_path / "in", [HEADER, *rows])], tmp_path, capsys)
    assert "computed in columns" in engine
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert f",BAD_VALUE,Line Tariff UOM (1) Code,12,{number(2)}," in problems
    assert (
        f",CELL_COUNT,,,{number(3)},1,\"the 'Line Tariff Goods Value Amount' cell '27'" in problems
    )
    assert problems.count(",INCOMPLETE_ENTRY,") == 2


@pytest.mark.parametrize("where", ["duty", "value"])
def test_a_unit_of_quantity_receiving_a_number_is_identical_in_both_engines(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows ending at the unit, most with a trailing comma, so a shifted row whose last cell
    was blank is as wide as the rest. A duty split on a row with a quantity and no unit puts
    the quantity (10) in the unit; a goods value split puts the quantity there too, the duty
    reading the value's tail (905.00). Both: BAD_VALUE on the unit, the entry incomplete."""
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    if where == "duty":
        shifted = row(2, 1, "", "1,300.00", "10", "", short=True)
    else:
        shifted = row(2, 2, "27,905.00", "0.00", "10", "", short=True)
    rows = [r + "," for r in [*entry(1, short=True), *entry(3, short=True), *entry(4, short=True)]]
    other = entry(2, short=True)[1 if where == "duty" else 0] + ","
    path = write(tmp_path / "in", [SHORT_HEADER, *rows, other, shifted])
    same_outputs([path], tmp_path, capsys)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert f",BAD_VALUE,Line Tariff UOM (1) Code,10,{number(2)}," in problems
    assert "not a number ('10'): the row is likely shifted by an unquoted comma" in problems
    assert f",INCOMPLETE_ENTRY,,,{number(2)}," in problems


def test_a_goods_row_with_a_quantity_and_no_unit_is_read(tmp_path: Path) -> None:
    """The split rule asks for a split amount too: a quantity without its unit, amounts in
    cents, is read (a broker file that leaves the unit out)."""
    lines = [HEADER, row(1, 1, "", "500.00", "", ""), row(1, 2, "5000.00", "0.00", "300", "")]
    result = read_es003(write(tmp_path, lines))
    assert not result.problems
    (read,) = result.entries
    assert [t.quantity for t in read.lines[0].tariffs] == [None, Decimal(300)]


# -- the property -----------------------------------------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=shifted_rows())
def test_a_row_shifted_by_a_split_amount_is_never_read_silently(
    case: tuple[list[tuple[int, int, str, str, str, str]], int, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Any row whose goods value or duty (1,000.00 or more) is split on its unquoted thousands
    comma, in a file with a unit column right of it, every row padded to the widest so that
    no width rule can see it: the row is rejected by name, and its entry is
    not read or is read flagged incomplete."""
    cells, shifted, layout = case
    short = layout == "short"
    rows = [
        row(n, o, value, duty, qty, unit, short=short) for n, o, value, duty, qty, unit in cells
    ]
    header = SHORT_HEADER if short else HEADER
    width = max(r.count(",") for r in [header, *rows])
    lines = [r + "," * (width - r.count(",")) for r in [header, *rows]]
    result = read_es003(write(tmp_path_factory.mktemp("shift"), lines))
    named = [p for p in result.problems if p.entry_number == number(shifted)]
    assert any(p.code in ("CELL_COUNT", "BAD_VALUE") and p.row is not None for p in named)
    if any(e.entry_number == number(shifted) for e in result.entries):
        assert any(p.code == "INCOMPLETE_ENTRY" for p in named)
    assert result.rows_read == result.rows_used + result.rows_rejected


# -- the second tester's files (t51): a space after the dollar sign, amounts that are no split --


@pytest.mark.parametrize(
    ("head", "tail", "whole"),
    [
        ("$ 1", "250.00", "$ 1,250.00"),
        ("- $ 12", "345", "- $ 12,345"),
        ("( $1", "300.00)", "( $1,300.00)"),
    ],
)
def test_a_split_amount_written_with_spaces_is_seen(head: str, tail: str, whole: str) -> None:
    """Excel's accounting style puts a space after the dollar sign; the amount reader reads
    '$ 1' as $1, so the split check must read it too."""
    assert split_amount(head, tail) == whole


@pytest.mark.parametrize(("head", "tail"), [("0", "400"), ("$0", "125.00"), (0, 400)])
def test_no_amount_split_on_a_comma_starts_with_zero(head: object, tail: object) -> None:
    assert split_amount(head, tail) is None


def test_a_duty_split_after_a_spaced_dollar_sign_is_rejected(tmp_path: Path) -> None:
    """t51 S1: '$ 1,250.00' unquoted on a file's one row was read as a duty of $1.00."""
    path = write(tmp_path, [HEADER, row(2, 1, "", "$ 1,250.00", "", "")])
    result = read_es003(path)
    assert [p.code for p in result.problems if p.row is not None] == ["CELL_COUNT"]
    assert "('$ 1,250.00')" in result.problems[0].message
    assert result.entries == ()


def test_number_cells_of_a_goods_row_with_no_unit_are_two_amounts(tmp_path: Path) -> None:
    """t51 P1/P2: a workbook's goods value 500 and duty 125 (numbers: no cents shown), and a
    duty of 0 before a quantity of 400, with a quantity and no unit, are read, not a split."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ES-003 (synthetic)"])
    sheet.append(HEADER.split(","))
    goods = [_as_excel(c) for c in row(1, 2, "500", "125", "10", "").split(",")]
    zero = [_as_excel(c) for c in row(3, 2, "900", "0", "400", "").split(",")]
    for line in (goods, zero):
        sheet.append(line)
    path = tmp_path / "typed.xlsx"
    book.save(path)
    result = read_es003(path)
    assert [p.code for p in result.problems if p.row is not None] == []
    assert {e.entry_number for e in result.entries} == {number(1), number(3)}
    assert all(e.incomplete_rows == 0 for e in result.entries)
