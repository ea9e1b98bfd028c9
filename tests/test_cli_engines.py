"""``estimate --engine``: the bulk engine and the per-entry path give the command's outputs byte for byte.

Each case runs the command twice, ``--engine bulk`` and ``--engine entry`` (with
``--no-roads``, or with the roads where ``roads=True``: test_cli_engines_roads.py), and compares stdout (but its
``Engine:`` line, which names the engine), stderr, the exit status, the ``--out`` CSV and
the ``--problems`` file byte for byte, and the ``.xlsx`` member by member (but its
creation time). Then the choice itself: what ``auto`` takes, and what ``bulk`` refuses.
"""

from __future__ import annotations

import csv
import importlib.util
import random
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main

pytest.importorskip("polars")

from .test_bulk import bench, fuzz

AS_OF = "2026-07-01"


def _run(
    capsys: pytest.CaptureFixture[str],
    files: list[Path],
    engine: str,
    out: Path,
    *flags: str,
    roads: bool = False,
) -> tuple[int, str, str]:
    out.mkdir(parents=True, exist_ok=True)
    code = main(
        ["estimate", *map(str, files), "--as-of", AS_OF, "--engine", engine,
         *(() if roads else ("--no-roads",)), "--problems", str(out / "problems.csv"), *flags]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _without_engine(stdout: str) -> str:
    lines = stdout.splitlines(keepends=True)
    engine = [line for line in lines if line.startswith("Engine: ")]
    assert len(engine) == 1, "the summary names the engine once"
    return "".join(line for line in lines if not line.startswith("Engine: "))


def _xlsx_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        # docProps/core.xml holds the time the workbook was written: not the engine's doing.
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def same_outputs(
    files: list[Path],
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    *flags: str,
    roads: bool = False,
) -> str:
    """Assert both engines write the same bytes; return the bulk run's Engine line."""
    results = {}
    for engine in ("bulk", "entry"):
        folder = tmp / engine
        csv_out = folder / "refunds.csv"
        results[engine] = (
            _run(capsys, files, engine, folder, "--out", str(csv_out), *flags, roads=roads),
            csv_out.read_bytes() if csv_out.exists() else None,
            (folder / "problems.csv").read_bytes() if (folder / "problems.csv").exists() else None,
        )
    (bulk_run, bulk_csv, bulk_problems), (entry_run, entry_csv, entry_problems) = (
        results["bulk"],
        results["entry"],
    )
    assert bulk_run[0] == entry_run[0]  # the exit status
    assert _without_engine(bulk_run[1]) == _without_engine(entry_run[1])
    assert bulk_run[2] == entry_run[2]  # the column report, every problem, the progress lines
    assert bulk_csv == entry_csv
    assert bulk_problems == entry_problems
    assert "Engine: entry" in entry_run[1]
    return next(line for line in bulk_run[1].splitlines() if line.startswith("Engine: "))


def test_the_bundled_sample_is_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = same_outputs([sample_es003()], tmp_path, capsys)
    assert engine.startswith("Engine: bulk")
    # Both paths ran: some entries in columns, the faulty ones by the per-entry path.
    # B7655001231 has letters in its filer code: keyed by its filer code in base 36, it is
    # computed in columns like the all-digit numbers.
    assert "9 entries computed in columns, 6 by the per-entry path" in engine


@pytest.mark.parametrize("roads", [False, True])
def test_an_amount_with_zeros_past_the_cent_is_identical(
    roads: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A duty cell of 34131.8000: the per-entry engine printed 39712.8000 where the bulk
    engine printed 39712.80 (the tester's repro, F1)."""
    path = Path(__file__).parent / "data" / "es003_trailing_zeros.csv"
    same_outputs([path], tmp_path, capsys, roads=roads)
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert "39712.80," in written
    assert "39712.8000" not in written


@pytest.mark.parametrize("roads", [False, True])
@pytest.mark.parametrize(
    ("name", "rejected"),
    [
        ("es003_unquoted_comma.csv", 1),
        ("es003_unquoted_goods_value.csv", 2),
        ("es003_short_row.csv", 1),
    ],
)
def test_a_row_not_as_wide_as_the_header_is_rejected_identically(
    name: str, rejected: int, roads: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An amount with an unquoted comma (34,131.80) made a row 21 cells wide: both engines
    read it by position, a duty of 34 (the tester's repro, t37 F1; F3 a row cut short)."""
    path = Path(__file__).parent / "data" / name
    same_outputs([path], tmp_path, capsys, roads=roads)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert problems.count(",CELL_COUNT,") == rejected
    assert ",INCOMPLETE_ENTRY," in problems
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert "5615.00" not in written
    assert "1564.00" not in written


def test_a_value_under_a_blank_header_cell_is_rejected_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header exported with a trailing comma is 21 cells wide, its last blank: a row of
    21 cells is then as wide as the header, and still shifted by an unquoted comma."""
    lines = (Path(__file__).parent / "data" / "es003_unquoted_comma.csv").read_text().splitlines()
    lines[1] += ","
    path = tmp_path / "trailing.csv"
    path.write_text("\n".join(lines) + "\n")
    engine = same_outputs([path], tmp_path, capsys)
    assert "blank header cells at its end" in engine
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert problems.count(",CELL_COUNT,") == 1


_HEADER = (Path(__file__).parent / "data" / "es003_unquoted_comma.csv").read_text().splitlines()[1]


def _number(n: int) -> str:
    from ieepa_refund.entry_number import calc_check_digit

    first = f"316{n:07d}"
    return first + calc_check_digit(first)


def _line(n: int, line: int, ordinal: int, value: str, duty: str, uom: str = "NO") -> str:
    """A row of entry ``n`` in the 20 columns of _HEADER (its last, the unit, may be blank)."""
    hts = "9903.02.69" if ordinal == 1 else "8471300100"
    return (
        f"{_number(n)},{line},01,11-0087109AB,SYNTHETIC IMPORTER,2704,09/22/2025,10/01/2025,N,"
        f"06/14/2026,LIQUIDATED,,VN,,{ordinal},{hts},{value},{duty},10,{uom}"
    )


def _entry(n: int, duty: str = "5581.00", uom: str = "NO") -> list[str]:
    """Entry ``n``: a Chapter 99 row of ``duty`` (unquoted, it may hold a comma) and its goods
    row."""
    return [_line(n, 1, 1, "", duty, uom), _line(n, 1, 2, '"$27,905.00"', "0.00")]


def _ragged(tmp: Path, lines: list[str]) -> Path:
    path = tmp / "ragged.csv"
    path.write_text("ES-003 (synthetic)\n" + "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("roads", [False, True])
@pytest.mark.parametrize("where", ["multi", "single", "both"])
def test_a_row_wider_than_the_file_by_a_blank_cell_is_rejected_identically(
    where: str, roads: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unquoted comma in a duty ("5,615.00") on a row whose unit, its last cell, is blank:
    one blank cell too many, once read as a trailing comma, a duty of 5 (exit 0, no problem).
    In a multi-row entry (it is built incomplete) or single-row entries (rejected whole): the
    bulk engine reads the rows left in a copy, mostly those rows, and must judge them by the
    whole file's width (20), not the copy's (21)."""
    lines = [_HEADER, *_entry(1), *_entry(2), *_entry(3)]
    shifted = 0
    if where in ("multi", "both"):
        lines += [*_entry(4, "5,615.00", uom=""), _line(4, 2, 1, "", "20.00")]
        shifted += 1
    if where in ("single", "both"):
        lines += [_line(5, 1, 1, "", "1,564.00", uom=""), _line(6, 1, 1, "", "1,564.00", uom="")]
        shifted += 2
    same_outputs([_ragged(tmp_path, lines)], tmp_path, capsys, roads=roads)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert problems.count(",CELL_COUNT,") == shifted
    assert "row has 21 cells, this file's rows 20 (the header 20)" in problems
    assert (",INCOMPLETE_ENTRY," in problems) == (where != "single")
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert _number(5) not in written
    assert _number(6) not in written


@pytest.mark.parametrize("header_comma", [False, True])
def test_rows_all_with_a_trailing_comma_and_one_wider_still_are_identical(
    header_comma: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row ends in a trailing comma (21 cells, the file's width): read. The rows with
    one unquoted comma (22 cells, blank last) and with two (23) are rejected; with the
    header's own trailing comma too (an Excel-saved file), the same."""
    rows = [*_entry(1), *_entry(2), *_entry(3, "5,615.00", uom="")]
    rows.append(_line(7, 1, 1, "$27,905.00", "5,581.00", uom="").replace(",10,", ",,"))
    lines = [_HEADER + ("," if header_comma else ""), *(row + "," for row in rows)]
    same_outputs([_ragged(tmp_path, lines)], tmp_path, capsys)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert problems.count(",CELL_COUNT,") == 2
    assert "row has 22 cells, this file's rows 21 (the header 20)" in problems
    assert "row has 23 cells, this file's rows 21 (the header 20)" in problems
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert _number(1) in written
    assert _number(7) not in written


def test_rows_mostly_with_a_trailing_comma_are_all_read_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files joined from two exports, one adding trailing commas: the rows are 21 cells
    wide mostly, 20 some. None is shifted, none rejected, in either engine; entries with
    rows of both widths too."""
    rows = [*_entry(1), *_entry(2), *_entry(3), *_entry(4), *_entry(5), *_entry(6)]
    lines = [_HEADER, *(r if k % 3 == 0 else r + "," for k, r in enumerate(rows))]
    same_outputs([_ragged(tmp_path, lines)], tmp_path, capsys)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert ",CELL_COUNT," not in problems
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert all(_number(n) in written for n in range(1, 7))


def test_the_sample_with_an_unquoted_comma_before_a_blank_last_cell_is_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample's $1,000.00 duty unquoted on a row whose drawback claim is blank: both
    engines computed 31610001104 from a duty of $1 (4001.00, not 5000.00) with no problem."""
    row = (
        "31610001104,1,01,55-1122334AA,GAMMA LUMBER CO,3004,09/22/2025,10/01/2025,N,"
        '08/14/2026,LIQUIDATED,,BR,,2,99030209,,"$1,000.00",,,,,N'
    )
    text = sample_es003().read_text()
    assert text.count(row) == 1
    path = tmp_path / "sample.csv"
    path.write_text(text.replace(row, row.replace('"$1,000.00"', "$1,000.00")[:-1]))
    same_outputs([path], tmp_path, capsys)
    problems = (tmp_path / "entry" / "problems.csv").read_text()
    assert (
        "sample.csv,7,CELL_COUNT,,,31610001104,1,\"row has 24 cells, this file's rows 23"
        in problems
    )
    written = (tmp_path / "entry" / "refunds.csv").read_text()
    assert "4001.00" not in written


@pytest.mark.parametrize("seed", range(12))
def test_ragged_files_are_identical(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows with 0-2 blank cells past the header, mostly none, mostly one or evenly (by
    seed), an entry's rows together or apart, over one or two files: both engines reject
    the same rows, those the rule names (wider than the file's usual width and the header)."""
    rng = random.Random(seed)
    weights = [(8, 1, 1), (1, 8, 1), (1, 1, 1), (3, 3, 1)][seed % 4]
    rows: list[str] = []
    for n in range(1, rng.randint(3, 8)):
        rows += _entry(n)
        if rng.random() < 0.5:
            rows.append(_line(n, 2, 1, "", "7.00"))
    if seed % 3:
        rng.shuffle(rows)
    expected, paths = 0, []
    for k, part in enumerate([rows] if seed % 2 else [rows[::2], rows[1::2]]):
        blanks = rng.choices([0, 1, 2], weights, k=len(part))
        counts = {w: blanks.count(w) for w in set(blanks)}
        usual = min(counts, key=lambda w: (-counts[w], w))
        expected += sum(b > max(usual, 0) for b in blanks)
        folder = tmp_path / "in" / str(k)
        folder.mkdir(parents=True)
        lines = [_HEADER, *(r + "," * b for r, b in zip(part, blanks, strict=True))]
        paths.append(_ragged(folder, lines))
    same_outputs(paths, tmp_path, capsys)
    problems = tmp_path / "entry" / "problems.csv"
    text = problems.read_text() if problems.exists() else ""
    assert text.count(",CELL_COUNT,") == expected


@pytest.mark.parametrize("roads", [False, True])
def test_entries_rejected_whole_are_named_and_identical(
    roads: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entries the reader rejects whole (importer names that differ on two rows; a duty cell
    in full-width digits on every row) have no row in --out and no road: the summary counts
    them beside the roads and names them, the problems file has a row naming each; the two
    engines say it byte for byte (the tester's repro, F3)."""
    path = Path(__file__).parent / "data" / "es003_rejected_whole.csv"
    same_outputs([path], tmp_path, capsys, roads=roads)
    code, out, _ = _run(capsys, [path], "entry", tmp_path / "again", roads=roads)
    assert code == 1
    assert "2 entries rejected whole" in out
    assert (
        "rejected whole by the reader, no figure (IEEPA duty paid unknown: no entry was built "
        "from their rows; see the problems): 31600000017, 31600000033"
    ) in out
    table_row = re.compile(
        r"^  Input problem: rejected whole, no figure +2 +unknown +unknown  -$", re.M
    )
    assert bool(table_row.search(out)) is roads
    with (tmp_path / "entry" / "refunds.csv").open(newline="") as f:
        written = [r["entry_number"] for r in csv.DictReader(f)]
    # --out stays a table of computed entries: the incomplete entry is there, the rejected are not.
    assert written == ["31600000025", "31600000041"]
    with (tmp_path / "entry" / "problems.csv").open(newline="") as f:
        named = [
            r["entry_number"] for r in csv.DictReader(f) if r["code"] == "ENTRY_REJECTED_WHOLE"
        ]
    assert named == ["31600000017", "31600000033"]
    # Every entry number of the input is in --out or named as rejected whole.
    assert sorted([*written, *named]) == [
        "31600000017",
        "31600000025",
        "31600000033",
        "31600000041",
    ]


def test_many_entries_rejected_whole_are_named_then_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """27 entries with conflicting importer names: the summary names 25 and counts the rest;
    the problems file names all 27."""
    lines = (Path(__file__).parent / "data" / "es003_rejected_whole.csv").read_text().splitlines()
    first, second = lines[1], lines[3]  # entry 31600000017's rows naming the importer two ways
    rows = [lines[0]]
    for i in range(27):
        number = f"316{i:08d}"
        rows += [r.replace("31600000017", number) for r in (first, second)]
    path = tmp_path / "conflicts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    same_outputs([path], tmp_path, capsys, roads=True)
    _, out, _ = _run(capsys, [path], "entry", tmp_path / "again", roads=True)
    numbers = [f"316{i:08d}" for i in range(27)]
    assert ", ".join(numbers[:25]) + " and 2 more" in out
    with (tmp_path / "entry" / "problems.csv").open(newline="") as f:
        named = [
            r["entry_number"] for r in csv.DictReader(f) if r["code"] == "ENTRY_REJECTED_WHOLE"
        ]
    assert named == numbers


def test_payees_spelt_apart_by_dashes_are_warned_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two entries liquidated the same day, the importer number with and without its dash:
    two payments (not merged), and a PAYEES_MAY_BE_ONE line under them, on both engines."""
    path = Path(__file__).parent / "data" / "es003_payee_dashes.csv"
    same_outputs([path], tmp_path, capsys, roads=True)
    _, out, _ = _run(capsys, [path], "entry", tmp_path / "again", roads=True)
    assert "(2), as CBP consolidates them" in out
    assert "  PAYEES_MAY_BE_ONE: 11-0087109AB and 110087109AB may be one importer" in out


@pytest.mark.parametrize(
    "flags",
    [
        ("--method", "recalculate"),
        ("--corporate", "--deposit", "pms"),
        ("--project", "--as-of", "2027-03-01"),
    ],
)
def test_the_options_the_bulk_engine_takes_are_identical(
    flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_outputs([sample_es003()], tmp_path, capsys, *flags)


def test_a_mapped_column_is_read_by_both_paths_of_the_bulk_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tester's file: the sample with a second duty column, named with --map. The bulk
    engine once gave its per-entry fallback no mapping: 5 of 15 rows were computed from the
    other duty column, and the total was 2,131.43 short, with the column report saying mapped."""
    with sample_es003().open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    at = next(i for i, r in enumerate(rows) if "Line Tariff Duty Amount" in r)
    duty = rows[at].index("Line Tariff Duty Amount")
    for i, row in enumerate(rows):
        if i == at:
            row.append("Duty Corrected")
        elif i > at and len(row) > duty:
            plain = re.fullmatch(r"\$?[\d,]+\.\d\d", row[duty])
            # One cent more than the original where it is a plain amount; odd cells kept as are.
            more = plain and Decimal(row[duty].strip("$").replace(",", "")) + Decimal("0.01")
            row.append(f"{more}" if more else row[duty])
    path = tmp_path / "mapped.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    engine = same_outputs([path], tmp_path, capsys, "--map", "duty=Duty Corrected")
    assert "by the per-entry path" in engine
    mapped = (tmp_path / "entry" / "refunds.csv").read_text()
    same_outputs([sample_es003()], tmp_path / "plain", capsys)
    assert mapped != (tmp_path / "plain" / "entry" / "refunds.csv").read_text()  # the map was read


def test_a_generated_file_is_identical_and_mostly_columnar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=11)
    engine = same_outputs([path], tmp_path, capsys)
    found = re.search(r"([\d,]+) entries computed in columns, ([\d,]+) by the per-entry", engine)
    assert found is not None
    columnar, per_entry = (int(n.replace(",", "")) for n in found.groups())
    assert columnar > 4 * per_entry


def damaged_files(seed: int, folder: Path) -> tuple[list[Path], str]:
    """The reader's fuzz rounds (junk cells, repeats, conflicts, check digits, blank rows) of
    ``seed``, split over 1-3 files: CSV, or for some seeds tab-separated or workbooks."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    kind = {3: "tsv", 2: "xlsx"}.get(seed % 4, "csv")
    if kind == "xlsx":
        pytest.importorskip("openpyxl")
    return fuzz.write_files(rows, folder, kind, rng.randint(1, 3), "x"), kind


@pytest.mark.parametrize("seed", range(16))
def test_damaged_files_are_identical(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader's fuzz rounds (junk cells, repeats, conflicts, check digits, blank rows),
    split over 1-3 files, some tab-separated or workbooks (read whole by the per-entry reader)."""
    paths, kind = damaged_files(seed, tmp_path / "in")
    engine = same_outputs(paths, tmp_path, capsys)
    # A file read whole runs at the per-entry path's speed: the Engine line says which and why.
    read_whole = kind != "csv"
    assert all(
        (f"{p.name} read whole by the per-entry reader: " in engine) == read_whole for p in paths
    )


def test_xlsx_output_is_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    books = {}
    for engine in ("bulk", "entry"):
        book = tmp_path / engine / "refunds.xlsx"
        _run(capsys, [sample_es003()], engine, tmp_path / engine, "--out", str(book))
        books[engine] = _xlsx_members(book)
    assert books["bulk"] == books["entry"]


# --- the choice ---------------------------------------------------------------------------------


def _engine_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["estimate", str(sample_es003()), "--as-of", AS_OF, *args]) in (0, 1)
    return next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Engine: "))


def test_auto_takes_bulk_only_when_it_gives_every_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _engine_line(capsys, "--no-roads").startswith("Engine: bulk")
    # Roads asked for (the default): the bulk engine gives them too.
    assert _engine_line(capsys).startswith("Engine: bulk")
    line = _engine_line(capsys, "--delimiter", ",")  # not the bulk engine's: said why
    assert line.startswith("Engine: entry")
    assert "--delimiter" in line
    assert _engine_line(capsys, "--engine", "entry").startswith("Engine: entry")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--json",), "--json"),
        (("--no-roads", "--json"), "--json"),
        (("--no-roads", "--delimiter", ","), "--delimiter"),
    ],
)
def test_bulk_refuses_what_it_cannot_produce_naming_it(
    flags: tuple[str, ...], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["estimate", str(sample_es003()), "--as-of", AS_OF, "--engine", "bulk", *flags])
    assert code == 2
    err = capsys.readouterr().err
    assert "--engine bulk cannot produce" in err
    assert named in err
    assert len(err.strip().splitlines()) == 1


def test_bulk_without_polars_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )
    code = main(
        ["estimate", str(sample_es003()), "--as-of", AS_OF, "--engine", "bulk", "--no-roads"]
    )
    assert code == 2
    assert "pip install 'ieepa-refund[bulk]'" in capsys.readouterr().err
    # auto, with the roads (the default): the lean engine gives them (test_cli_lean_engine.py).
    line = _engine_line(capsys)
    assert line.startswith("Engine: lean")
    assert "polars is not installed" in line


@pytest.mark.parametrize(
    "flags",
    [("--ledger", "x.csv"), ("--declared-on", "2026-07-01"), ("--liquidation-after-days", "30")],
)
def test_no_roads_refuses_options_that_only_change_roads(
    flags: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["estimate", str(sample_es003()), "--as-of", AS_OF, "--no-roads", *flags])
    assert code == 2
    assert f"{flags[0]} only changes the roads" in capsys.readouterr().err


def test_demo_takes_the_switch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--as-of", AS_OF, "--no-roads", "--engine", "bulk"]) == 0
    out = capsys.readouterr().out
    assert "Engine: bulk" in out
    assert "not computed (--no-roads)" in out
    assert date.fromisoformat(AS_OF).isoformat() in out


@pytest.mark.parametrize("keep", [4, 1], ids=["header-only", "no-header"])
def test_an_empty_or_unreadable_file_ends_the_same(
    keep: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No data rows (exit 1, said so) or no header (exit 2): the same either way."""
    path = tmp_path / "short.csv"
    lines = sample_es003().read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:keep]), encoding="utf-8")
    results = [_run(capsys, [path], engine, tmp_path / engine) for engine in ("bulk", "entry")]
    assert results[0][0] == results[1][0] == (1 if keep == 4 else 2)
    assert results[0][2] == results[1][2]  # the same message on stderr
    if keep == 4:
        assert _without_engine(results[0][1]) == _without_engine(results[1][1])


def test_a_file_of_rows_wider_than_its_header_says_why_its_entries_went_per_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row of a file ending in a trailing comma: no row is as wide as the header, so
    every entry went by the per-entry path, and the Engine line gave no reason (t46)."""
    lines = sample_es003().read_text().splitlines(keepends=True)
    head = next(i for i, line in enumerate(lines) if line.startswith("Entry Summary Number"))
    rows = [line.rstrip("\r\n") + ",\n" if line.strip() else line for line in lines[head + 1 :]]
    path = tmp_path / "trailing.csv"
    path.write_text("".join([*lines[: head + 1], *rows]))
    engine = same_outputs([path], tmp_path, capsys)
    assert "0 entries computed in columns, 15 by the per-entry path (15 of trailing.csv: " in engine
    assert (
        "rows not as wide as the header, 24 cells to its 23: a trailing comma on each row?)"
        in engine
    )


def test_the_engine_line_counts_the_entries_of_such_a_file_apart_from_the_rest() -> None:
    from ieepa_refund.cli._engines import _engine_line

    line = _engine_line("bulk", "chosen", (5, 12), narrow=[("a.csv", "why", 9), ("b.csv", "x", 0)])
    assert (
        "5 entries computed in columns, 12 by the per-entry path (9 of a.csv: why; 3 for " in line
    )
    assert "b.csv" not in line  # a file whose entries were all counted already
    assert "(" not in _engine_line("bulk", "chosen", (5, 12))


def test_an_entry_rejected_whole_is_named_with_its_own_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its ENTRY_REJECTED_WHOLE row named every input file, where its rows are in one (t46)."""
    rejected = tmp_path / "rejected.csv"
    rejected.write_bytes((Path(__file__).parent / "data" / "es003_rejected_whole.csv").read_bytes())
    other = tmp_path / "other.csv"
    other.write_bytes(sample_es003().read_bytes())
    same_outputs([other, rejected], tmp_path, capsys)
    with (tmp_path / "entry" / "problems.csv").open(newline="") as f:
        files = {
            r["entry_number"]: r["file"]
            for r in csv.DictReader(f)
            if r["code"] == "ENTRY_REJECTED_WHOLE"
        }
    assert files == {"31600000017": "rejected.csv", "31600000033": "rejected.csv"}
