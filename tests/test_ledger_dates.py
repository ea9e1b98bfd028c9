"""The ledger's declared-on column: written with each declaration, read back, used by the roads.

A ledger row without a date (every ledger written before the column) stays valid and
keeps the old reading: the declaration date is unknown, so an entry past CAPE's
look-back today is "declared; acceptance unknown". A dated row lets the road screen
the entry on the day it was declared.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ieepa_refund import (
    InputFileError,
    InvalidFormat,
    Road,
    entry_roads,
    read_es003,
    read_ledger,
    sample_es003,
)
from ieepa_refund.cape import write_declarations
from ieepa_refund.cape.declarations import Ledger
from ieepa_refund.cli import main

from .strategies import entry_numbers

SAMPLE = sample_es003()
#: Liquidated 2026-08-14 (tests/test_cli_roads.py): past CAPE's look-back on 2026-11-28,
#: inside it on 2026-09-01.
LATE = "31610001104"


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with out.open(newline="") as f:
        return {r["entry_number"]: r for r in csv.DictReader(f)}


def test_an_old_two_column_ledger_reads_as_before_with_no_dates(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text(f"entry_number,declaration_file\r\n{LATE},cape_ab_001.csv\r\n31610000528\r\n")
    found = read_ledger(ledger)
    assert found == {LATE: ("cape_ab_001.csv",), "31610000528": ()}
    assert isinstance(found, dict)
    assert found.declared_on == {}
    # Its rows keep today's road: the date is unknown, so acceptance is unknown.
    roads = entry_roads(read_es003(SAMPLE).entries, declared_on=date(2026, 11, 28), ledger=ledger)
    late = next(r for r in roads if r.entry_number == LATE)
    assert late.road is Road.DECLARED_UNCONFIRMED
    assert "the ledger does not say when" in late.next_action


def test_new_rows_carry_the_date_and_an_old_ledger_takes_them(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    old = "entry_number,declaration_file\n31610000528,cape_old_001.csv\n"
    ledger.write_text(old)
    batch = write_declarations(
        [LATE], tmp_path / "out", ledger=ledger, declared_on=date(2026, 9, 1)
    )
    text = ledger.read_text()
    assert text.startswith(old)  # the old rows and header kept byte for byte
    assert text.endswith(f"{LATE},{batch.files[0].name},2026-09-01\n")
    found = read_ledger(ledger)
    assert found.declared_on == {LATE: date(2026, 9, 1)}
    assert found["31610000528"] == ("cape_old_001.csv",)
    # A new ledger gets the three-column header.
    fresh = tmp_path / "fresh.csv"
    write_declarations([LATE], tmp_path / "out2", ledger=fresh, declared_on=date(2026, 9, 1))
    assert fresh.read_text().splitlines()[0] == "entry_number,declaration_file,declared_on"


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_rows_added_to_a_crlf_ledger_end_crlf_too(
    tmp_path: Path, final_newline: bool, ending: str
) -> None:
    # A ledger saved by Excel on Windows ends its lines CRLF (an old Mac one, CR alone): the
    # new rows follow it, so the file never mixes two line endings.
    ledger = tmp_path / "declared.csv"
    end = ending.encode()
    old = (
        b"entry_number,declaration_file"
        + end
        + b"31610000528,cape_old_001.csv"
        + (end if final_newline else b"")
    )
    ledger.write_bytes(old)
    batch = write_declarations(
        [LATE], tmp_path / "out", ledger=ledger, declared_on=date(2026, 9, 1)
    )
    data = ledger.read_bytes()
    added = f"{LATE},{batch.files[0].name},2026-09-01{ending}".encode()
    assert data == old + (b"" if final_newline else end) + added
    assert data.count(ending.encode()) == data.count(b"\r") + data.count(b"\n") - data.count(
        b"\r\n"
    )  # every line ends alike
    assert read_ledger(ledger).declared_on == {LATE: date(2026, 9, 1)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.tuples(
            st.lists(entry_numbers(), min_size=1, max_size=6, unique=True),
            st.one_of(st.none(), st.dates(date(2026, 4, 20), date(2027, 12, 31))),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_round_trip_files_and_dates_latest_row_standing(
    tmp_path_factory: pytest.TempPathFactory, batches: list[tuple[list[str], date | None]]
) -> None:
    folder = tmp_path_factory.mktemp("ledger")
    ledger = folder / "declared.csv"
    want_files: dict[str, tuple[str, ...]] = {}
    want_dates: dict[str, date] = {}
    for index, (numbers, on) in enumerate(batches):
        # Each batch redeclares what it names (a resubmission), so every row is written.
        batch = write_declarations(
            numbers, folder / str(index), ledger=ledger, declared_on=on, redeclare=numbers
        )
        written = {
            n: f.name
            for f in batch.files
            for n in (folder / str(index) / f.name).read_text().split()[1:]
        }
        for n in batch.declared:
            want_files[n] = (*want_files.get(n, ()), written[n])
            if on is None:
                want_dates.pop(n, None)  # the latest row stands: its date unknown
            else:
                want_dates[n] = on
    found = read_ledger(ledger)
    assert isinstance(found, Ledger)
    assert dict(found) == want_files
    assert found.declared_on == want_dates


def test_roads_take_the_declaration_date_from_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    write_declarations([LATE], tmp_path / "out", ledger=ledger, declared_on=date(2026, 9, 1))
    entries = read_es003(SAMPLE).entries
    roads = entry_roads(entries, declared_on=date(2026, 11, 28), ledger=ledger)
    late = next(r for r in roads if r.entry_number == LATE)
    # Inside the look-back on the day it was declared: on the CAPE road. Liquidated 08-14, its
    # reliquidation (by 11-12) passed before 11-28 unseen: overdue, no date forecast (h71).
    assert late.road is Road.CAPE_NOW
    assert late.overdue
    assert late.expected_payment is None
    # Dates given in Python come first: declared that day, it was already past the look-back.
    roads = entry_roads(
        entries,
        declared_on=date(2026, 11, 28),
        ledger=ledger,
        declared_dates={LATE: date(2026, 11, 28)},
    )
    assert next(r for r in roads if r.entry_number == LATE).road is Road.PROTEST
    # The command reads the same ledger the same way.
    out = tmp_path / "refunds.csv"
    main(["estimate", str(SAMPLE), "--as-of", "2026-11-28", "--ledger", str(ledger),
          "--out", str(out), "--project"])  # fmt: skip
    assert _rows(out)[LATE]["road"] == Road.CAPE_NOW.label
    assert "overdue" in _rows(out)[LATE]["next_action"]


def test_cape_command_writes_its_declaration_date_into_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    main(["cape", str(SAMPLE), "--out", str(tmp_path / "decl"), "--declared-on", "2026-09-01",
          "--ledger", str(ledger), "--new-ledger"])  # fmt: skip
    found = read_ledger(ledger)
    assert found
    assert set(found.declared_on.values()) == {date(2026, 9, 1)}
    assert set(found.declared_on) == set(found)


@pytest.mark.parametrize(
    "cell", ["2026-13-01", "yesterday", "2026-9-1x", "45000", "1999-12-31", "2100-01-01"]
)
def test_a_corrupt_date_cell_is_an_error_naming_file_row_and_column(
    tmp_path: Path, cell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n"
        f"31610000528,a.csv,2026-09-01\n{LATE},a.csv,{cell}\n"
    )
    with pytest.raises(InputFileError) as exc:
        read_ledger(ledger)
    message = str(exc.value)
    assert "declared.csv" in message
    assert "row 3" in message
    assert "declared_on" in message
    assert cell in message
    # The command stops before any output.
    out = tmp_path / "refunds.csv"
    code = main(["estimate", str(SAMPLE), "--as-of", "2026-11-28", "--ledger", str(ledger),
                 "--out", str(out)])  # fmt: skip
    assert code == 2
    assert "row 3" in capsys.readouterr().err
    assert not out.exists()


def test_a_spreadsheet_resaved_date_reads_and_a_blank_cell_is_no_date(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text(
        f"entry_number,declaration_file,declared_on\n{LATE},a.csv,9/1/2026\n31610000528,a.csv,\n"
    )
    assert read_ledger(ledger).declared_on == {LATE: date(2026, 9, 1)}


def test_a_blank_date_cell_is_named_by_row_and_column_not_taken_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dated ledger row with its declared-on cell blank: the declaration date is unknown
    (as documented), and the road counts acceptance from --declared-on; said, naming the
    ledger, its row and column (t63), in both engines alike. Two-cell rows (a ledger
    written before the column) and rows of entries not in the input are not named."""
    ledger = tmp_path / "declared.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n"
        f"31610000528,a.csv,2026-09-01\n{LATE},a.csv,2026-09-01\n31610000528,b.csv,\n"
        "31610001005,a.csv\n99999999999,a.csv,\n"
    )
    found = read_ledger(ledger)
    assert found.blank_dates == {"31610000528": 4, "99999999999": 6}
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    same_outputs(
        [SAMPLE], tmp_path, capsys, "--declared-on", "2026-12-01", "--ledger", str(ledger),
        roads=True,
    )  # fmt: skip
    problems = (tmp_path / "entry" / "problems.csv").read_text(encoding="utf-8")
    named = [line for line in problems.splitlines() if "LEDGER_DATE_BLANK" in line]
    assert len(named) == 1
    assert named[0].startswith(f"{ledger},4,LEDGER_DATE_BLANK,declared_on,,31610000528,0,")
    assert "--declared-on 2026-12-01" in named[0]


def _declare(tmp_path: Path, ledger: Path) -> tuple[int, list[Path]]:
    out = tmp_path / "cape"
    code = main(["cape", str(SAMPLE), "--out", str(out), "--declared-on", "2026-07-01",
                 "--ledger", str(ledger), "--new-ledger"])  # fmt: skip
    return code, sorted(out.glob("cape_*")) if out.exists() else []


@pytest.mark.parametrize("text", ["", "\n", "  \r\n"])
def test_an_empty_ledger_file_is_refused_not_read_as_nothing_declared(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every ledger written here has a header: an empty file is one cut short or made by hand,
    and reading it as "nothing declared" would declare every entry again."""
    ledger = tmp_path / "declared.csv"
    ledger.write_bytes(text.encode())
    with pytest.raises(InputFileError, match="empty"):
        read_ledger(ledger)
    code, written = _declare(tmp_path, ledger)
    assert code == 2
    assert "empty" in capsys.readouterr().err
    assert written == []
    assert ledger.read_bytes() == text.encode()


def test_a_quote_left_open_in_the_ledger_is_refused_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unclosed quote swallows the rows after it into one cell: read quietly, the entries
    on them would look undeclared and be declared a second time."""
    ledger = tmp_path / "declared.csv"
    _declare(tmp_path / "first", ledger)
    lines = ledger.read_text().splitlines(keepends=True)
    assert len(lines) > 4
    lines[1] = lines[1].replace(",", ',"', 1)
    ledger.write_text("".join(lines))
    before = ledger.read_bytes()
    with pytest.raises(InputFileError, match=r"row 2: a quote is opened and not closed"):
        read_ledger(ledger)
    code, written = _declare(tmp_path, ledger)
    assert code == 2
    assert "row 2" in capsys.readouterr().err
    assert written == []
    assert ledger.read_bytes() == before


def test_a_declaration_dated_after_the_run_is_refused_by_the_roads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2062 for 2026 would move a declared entry to another road ("file a protest") unseen."""
    ledger = tmp_path / "declared.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n"
        f"31610000528,a.csv,2026-09-01\n{LATE},a.csv,2062-12-01\n"
    )
    assert read_ledger(ledger).declared_on[LATE] == date(2062, 12, 1)  # a date, read as one
    with pytest.raises(InputFileError, match=r"row 3, column 3 .*after this run's date"):
        read_ledger(ledger, declared_by=date(2026, 11, 28))
    assert read_ledger(ledger, declared_by=date(2062, 12, 1)).declared_on[LATE] == date(2062, 12, 1)
    out = tmp_path / "refunds.csv"
    code = main(["estimate", str(SAMPLE), "--as-of", "2026-11-28", "--ledger", str(ledger),
                 "--out", str(out)])  # fmt: skip
    assert code == 2
    assert "2062-12-01, after this run's date 2026-11-28" in capsys.readouterr().err
    assert not out.exists()


def test_entry_roads_refuse_a_declaration_dated_after_the_road(tmp_path: Path) -> None:
    ledger = tmp_path / "declared.csv"
    ledger.write_text(f"entry_number,declaration_file,declared_on\n{LATE},a.csv,2062-12-01\n")
    entries = read_es003(SAMPLE).entries
    with pytest.raises(InvalidFormat, match=rf"entry {LATE} was declared on 2062-12-01, after"):
        entry_roads(entries, declared_on=date(2026, 11, 28), ledger=ledger)
    with pytest.raises(InvalidFormat, match="after 2026-11-28, the date of this road"):
        entry_roads(
            entries,
            declared_on=date(2026, 11, 28),
            ledger={LATE: "a.csv"},
            declared_dates={LATE: date(2026, 12, 1)},
        )
    roads = entry_roads(entries, declared_on=date(2062, 12, 1), ledger=ledger)
    assert len(roads) == len(entries)


def test_a_declaration_after_the_declared_on_date_names_that_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run's --as-of is later than the row: the date at fault is --declared-on, and the
    message says so (it said "run as of a later date"), without repeating the cell."""
    ledger = tmp_path / "declared.csv"
    ledger.write_text(f"entry_number,declaration_file,declared_on\n{LATE},a.csv,2026-07-01\n")
    args = ["estimate", str(SAMPLE), "--as-of", "2026-09-01", "--ledger", str(ledger)]
    assert main([*args, "--declared-on", "2026-06-15"]) == 2
    err = capsys.readouterr().err
    assert "after this run's --declared-on 2026-06-15" in err
    assert "(or give a later --declared-on)" in err
    assert "(got " not in err
