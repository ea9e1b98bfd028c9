"""The bulk engine against the per-entry path: every entry, payment and declaration byte.

The reference here is the per-entry job written out plainly (``stream_es003``,
``compute_refund``, ``screen``, ``consolidate``, ``write_declarations``); the bulk
engine must give the same row for every entry whichever path computed it, the same
payments, the same declaration files byte for byte, and the same reading problems.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from ieepa_refund import RefundOptions  # noqa: E402
from ieepa_refund.bulk import ENTRY_COLUMNS, estimate, explain  # noqa: E402
from ieepa_refund.cape import write_declarations  # noqa: E402
from ieepa_refund.entry_number import calc_check_digit  # noqa: E402
from ieepa_refund.es003 import read_es003  # noqa: E402
from ieepa_refund.es003._cells import LINE_MAX  # noqa: E402
from tests import strategies  # noqa: E402
from tests.reference_job import (  # noqa: E402
    AS_OF,
    MUTATIONS,
    _bench_rows,
    bench,
    damaged_file,
    fuzz,
    reference,
)


def check_same(
    paths: list[Path], tmp: Path, *, options: RefundOptions | None = None
) -> tuple[int, int]:
    """Assert bulk == per-entry on ``paths``; return (entries by bulk, by the per-entry path)."""
    opts = (options or RefundOptions()).model_copy(
        update={"interest_until": (options or RefundOptions()).interest_until or AS_OF}
    )
    want, payments, files, report = reference(paths, tmp / "ref", options=opts)
    got = estimate(paths, as_of=AS_OF, options=options, declarations_dir=tmp / "bulk")
    rows = got.entries.drop("path").to_dicts()
    assert [r["entry_number"] for r in rows] == [r["entry_number"] for r in want]
    for mine, theirs in zip(rows, want, strict=True):
        assert mine == theirs, mine["entry_number"]
    assert got.payments == payments
    bulk_files = {p.name: p.read_bytes() for p in sorted((tmp / "bulk").iterdir())}
    assert bulk_files == files
    # Every input row is in a result or a problem, and the reader's problems are its own.
    assert got.report.rows_read == report.rows_read
    fallback = got.report.fallback
    problems = sorted(
        (p.model_dump_json() for p in fallback.problems if p.row is not None) if fallback else []
    )
    assert problems == sorted(p.model_dump_json() for p in report.problems if p.row is not None)
    assert got.report.rows_rejected == report.rows_rejected
    if fallback is not None:
        assert fallback.rows_blank == report.rows_blank
    counts = got.entries["path"].value_counts()
    by = dict(zip(counts["path"].to_list(), counts["count"].to_list(), strict=True))
    return by.get("bulk", 0), by.get("entry", 0)


def test_generated_file_is_identical_and_mostly_columnar(tmp_path: Path) -> None:
    """The benchmark's own file: every entry the same, most of them computed in columns."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 3_000, 4, seed=7)
    columnar, per_entry = check_same([path], tmp_path)
    assert columnar > 4 * per_entry


@pytest.mark.parametrize("seed", range(40))
def test_damaged_files_are_identical(seed: int, tmp_path: Path) -> None:
    """The reader's fuzz rounds (junk cells, repeats, conflicts, check digits, blank rows),
    split over 1-3 CSV files: the per-entry path takes what the columnar rules do not."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    paths = fuzz.write_files(rows, tmp_path / "in", "csv", rng.randint(1, 3), "x")
    check_same(paths, tmp_path)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_kind_of_damage_is_identical(name: str, tmp_path: Path) -> None:
    """One kind of damage on a few rows of a generated file (extra columns added as needed)."""
    check_same([damaged_file(name, tmp_path, seed=11, rows_damaged=25)], tmp_path)


def _iso_dates_but(rows: list[list[str]], column: int) -> list[list[str]]:
    """``rows`` with each MM/DD/YYYY cell outside ``column`` written ISO: a day-first date put
    in ``column`` is then the file's only doubt (beside dates of other columns that read
    either way, it has the file refused whole: tests/test_locale_damage.py)."""
    iso = [list(r) for r in rows]
    for cells in iso:
        for i, cell in enumerate(cells):
            if i != column and (found := re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", cell)):
                cells[i] = f"{found[3]}-{found[1]}-{found[2]}"
    return iso


def test_file_shapes_the_columns_do_not_read_go_whole_to_the_reader(tmp_path: Path) -> None:
    """A quoted line break, a day-first date column, a TSV: read whole by the reader, same."""
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=3)
    rows = _bench_rows(source)
    quoted = [list(r) for r in rows]
    quoted[7][4] = "TWO\nLINES"
    day_first = _iso_dates_but(rows, 9)
    day_first[9][9] = "25/09/2026"  # the liquidation date column: dropped, with a warning
    written = []
    for name, table, delimiter in (("quoted", quoted, ","), ("day", day_first, ","),
                                   ("tab", rows, "\t")):  # fmt: skip
        path = tmp_path / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, delimiter=delimiter).writerows(table)
        written.append(path)
    for path in written:
        got = estimate(path, as_of=AS_OF)
        assert got.report.files_whole
        assert set(got.entries["path"].to_list()) == {"entry"}
        check_same([path], tmp_path / path.stem)


def test_blank_lines_and_short_rows_are_read_as_the_reader_reads_them(tmp_path: Path) -> None:
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=4)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[12] = lines[12].rsplit(",", 3)[0] + "\n"  # quantity, unit cut off
    path = tmp_path / "gaps.csv"
    path.write_text("".join([*lines[:10], "\n", ",,,\n", *lines[10:]]), encoding="utf-8")
    columnar, _ = check_same([path], tmp_path)
    assert columnar > 0


@pytest.mark.parametrize(
    "options",
    [
        RefundOptions(deposit="pms"),
        RefundOptions(corporate=True),
        RefundOptions(rounding="ROUND_HALF_EVEN"),
        RefundOptions(interest_until=date(2026, 3, 1)),
        RefundOptions(method="recalculate"),
    ],
    ids=["pms", "corporate", "half-even", "until", "recalculate"],
)
def test_options_are_honoured_identically(options: RefundOptions, tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 600, 4, seed=5)
    check_same([path], tmp_path, options=options)


def test_interest_near_half_a_cent_is_exact(tmp_path: Path) -> None:
    """Many principals over many spans: the float product never moves a cent."""
    header = bench.HEADER
    rows: list[list[str]] = [header]
    rng = random.Random(1)
    for n in range(600):
        first = f"31699{n:05d}"
        number = first + calc_check_digit(first)
        entered = date(2025, 4, 10) + timedelta(days=rng.randrange(150))
        liq = entered + timedelta(days=rng.randrange(150, 330))
        cents = rng.randrange(1, 10**9)
        rows.append(
            [number, "1", "01", "12-3456789AB", "X", "2704", entered.strftime("%m/%d/%Y"), "", "N",
             liq.strftime("%m/%d/%Y"), "LIQUIDATED", "", "CN", "", "1", "9903.01.24", "",
             f"{cents // 100}.{cents % 100:02d}", "", ""]
        )  # fmt: skip
    path = tmp_path / "spans.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    columnar, per_entry = check_same([path], tmp_path)
    assert columnar == 600
    assert per_entry == 0


def test_every_result_row_says_what_it_rests_on(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 300, 4, seed=2)
    got = estimate(path, as_of=AS_OF)
    assert got.entries.columns == list(ENTRY_COLUMNS)
    for column in ("data_version", "rates_version", "rules_version", "method", "rounding"):
        assert got.entries[column].null_count() == 0
    assert set(got.entries["path"].to_list()) <= {"bulk", "entry"}
    first = got.entries.row(0, named=True)
    trace = explain(first["entry_number"], path, as_of=AS_OF)
    assert trace.principal == first["principal"]
    assert trace.interest == first["interest"]


CELLS = [
    "", " ", "0", "0.00", "1", "1.5", "1.50", "1.505", "$1,234.50", "1,234", "1,23", "12,345,678.9",
    "$", "$.5", ".5", "(3.00)", "-3", "1e3", "9999999999999", "99999999999999", "999999999999.99",
    "1000000000000", "1,000,000,000,000.00", "٣", "²", " 12.00", "12.00 ", '="12.00"', "NaN",
    "31600000017", "31600000018", "3160000001", "316-0000001-7", "ABC00000017", "abc1234567",
    '="31600000017"', "00000000000", "6.05761E+10", "316 0000001 7", "3160000001७",
]  # fmt: skip


def test_columnar_cell_readers_agree_with_the_library_parsers() -> None:
    """The vectorised fast cases (amounts, entry numbers, check digits) give what the
    library's parsers give, and refuse what they refuse, cell by cell."""
    from ieepa_refund import entry_number
    from ieepa_refund.bulk._cells import amount_cents, amounts, amounts_ok, entry_numbers
    from ieepa_refund.es003._cells import BadCell, parse_entry_number

    def library(parse: Any, cell: str) -> Any:
        try:
            return parse(cell)
        except (BadCell, ArithmeticError, ValueError):
            return None

    series = pl.Series("s", CELLS * 3)
    assert amounts(series).to_list() == [library(amount_cents, c) for c in CELLS * 3]
    assert amounts_ok(series).to_list() == [
        None if library(amount_cents, c) is None else True for c in CELLS * 3
    ]
    numbers, valid = entry_numbers(series)
    assert numbers.to_list() == [library(parse_entry_number, c) for c in CELLS * 3]
    pairs = [(n, v) for n, v in zip(numbers.to_list(), valid.to_list(), strict=True) if n]
    assert [v for _, v in pairs] == [entry_number.is_valid(n) for n, _ in pairs]
    assert any(v for _, v in pairs)
    assert not all(v for _, v in pairs)


@given(st.lists(strategies.es003_amount_cells, max_size=40))
def test_vectorised_amounts_are_the_library_parser(cells: list[str]) -> None:
    """Drawn cells at the fast case's edges (grouping, places, the bound, junk): the columns
    give what parse_amount gives, cell by cell, and refuse what it refuses."""
    from ieepa_refund.bulk._cells import amount_cents, amounts

    assert amounts(pl.Series("s", cells, dtype=pl.String)).to_list() == [
        _library(amount_cents, c) for c in cells
    ]


@given(st.lists(strategies.es003_entry_cells, max_size=40))
def test_vectorised_entry_numbers_and_check_digits_are_the_library_parser(
    cells: list[str],
) -> None:
    from ieepa_refund import entry_number
    from ieepa_refund.bulk._cells import entry_numbers
    from ieepa_refund.es003._cells import parse_entry_number

    numbers, valid = entry_numbers(pl.Series("s", cells, dtype=pl.String))
    assert numbers.to_list() == [_library(parse_entry_number, c) for c in cells]
    pairs = [(n, v) for n, v in zip(numbers.to_list(), valid.to_list(), strict=True) if n]
    assert [v for _, v in pairs] == [entry_number.is_valid(n) for n, _ in pairs]


def _library(parse: Any, cell: str) -> Any:
    from ieepa_refund.errors import IeepaRefundError
    from ieepa_refund.es003._cells import BadCell

    try:
        return parse(cell)
    except (BadCell, ArithmeticError, ValueError, IeepaRefundError):
        return None


@given(st.lists(strategies.entry_numbers(), unique=True, max_size=30), st.integers(1, 7))
def test_declarations_from_checked_numbers_are_the_writers_bytes(
    numbers: list[str], max_entries: int
) -> None:
    """write_checked (the bulk engine's) writes what write_declarations writes, byte for
    byte, wrong check digits included, files cut at max_entries."""
    import tempfile

    from ieepa_refund import entry_number
    from ieepa_refund.cape.declarations import write_checked

    # Every third number with its check digit moved: a declaration of its own.
    numbers = [n if i % 3 else n[:10] + str((int(n[10]) + 1) % 10) for i, n in enumerate(numbers)]
    good = [n for n in numbers if entry_number.is_valid(n)]
    bad = [n for n in numbers if not entry_number.is_valid(n)]
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        mine = write_checked(good, bad, one, max_entries=max_entries)
        theirs = write_declarations(numbers, two, max_entries=max_entries)
        assert mine.model_dump(exclude={"out_dir", "manifest"}) == theirs.model_dump(
            exclude={"out_dir", "manifest"}
        )
        read = {p.name: p.read_bytes() for p in Path(one).iterdir()}
        assert read == {p.name: p.read_bytes() for p in Path(two).iterdir()}
        assert len(read) >= (1 if numbers else 0)  # nothing to write: no manifest (t68/11)


def test_partitioned_run_on_dask_is_the_single_process_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partitioned by importer after a shuffle, on Dask's synchronous scheduler: the same
    entries, payments and declaration bytes as one process; damaged rows included, input
    blocks cut every few rows."""
    pytest.importorskip("dask.dataframe")
    from ieepa_refund.bulk import dask as on_dask
    from ieepa_refund.bulk.dask import estimate_partitioned

    monkeypatch.setattr(on_dask, "BLOCK_BYTES", 4_000)

    clean = tmp_path / "a.csv"
    bench.generate(clean, 1_500, 4, seed=9)
    rng = random.Random(9)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, 30))
    damaged = fuzz.write_files(rows, tmp_path / "in", "csv", 2, "x")
    paths = [clean, *damaged]
    one = estimate(paths, as_of=AS_OF, declarations_dir=tmp_path / "one")
    many = estimate_partitioned(
        paths,
        as_of=AS_OF,
        partitions=3,
        scheduler="sync",
        workdir=tmp_path / "work",
        declarations_dir=tmp_path / "many",
    )
    assert many.entries.drop("path").to_dicts() == one.entries.drop("path").to_dicts()
    assert many.payments == one.payments
    read = {p.name: p.read_bytes() for p in sorted((tmp_path / "one").iterdir())}
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "many").iterdir())} == read
    assert many.rows_read == one.report.rows_read
    parts = sorted((tmp_path / "work").iterdir())
    assert len(parts) >= 2  # the work was split (an empty partition writes no file)
    importers = [set(pl.read_csv(p, infer_schema=False)["Importer Number"]) for p in parts]
    assert not set.intersection(*importers)  # no importer in two partitions


def test_a_partitioned_run_refuses_a_file_with_no_line_break_at_its_end(tmp_path: Path) -> None:
    """Its last amount may be cut short (`...,12` for `...,1234.56`): the single-process
    engines warn (NO_LINE_END), a partition file written whole would not; refused, loudly."""
    pytest.importorskip("dask.dataframe")
    from ieepa_refund.bulk.dask import estimate_partitioned
    from ieepa_refund.errors import InputFileError

    path = tmp_path / "cut.csv"
    bench.generate(path, 200, 4, seed=3)
    path.write_bytes(path.read_bytes().rstrip(b"\r\n")[:-3])
    with pytest.raises(InputFileError, match="no line break after its last row"):
        estimate_partitioned(
            [path], as_of=AS_OF, partitions=2, scheduler="sync", workdir=tmp_path / "work"
        )


def _inch_mark_file(folder: Path) -> Path:
    """A generated file whose one entry's last row ends ``,10,"N"O",x,"``: a quote left open
    beside stray inch marks, so the csv module reads the next entry's rows into that cell
    (the reader rejects them, STRAY_QUOTE) where polars sees the line closed (t72)."""
    source = folder / "clean.csv"
    bench.generate(source, 400, 4, seed=9)
    lines = source.read_bytes().split(b"\n")
    at = next(i for i in range(3, len(lines)) if lines[i][:11] != lines[i - 1][:11]) - 1
    lines[at] = lines[at].rsplit(b",", 1)[0] + b',"N"O",x,"'
    path = folder / "inch.csv"
    path.write_bytes(b"\n".join(lines))
    return path


def test_a_quote_left_open_beside_inch_marks_sends_the_file_to_the_reader(
    tmp_path: Path,
) -> None:
    """t72: the bulk engine computed (and declared) the entry whose rows the csv module
    swallows into the open cell; the file now goes whole to the reader, the same answers."""
    path = _inch_mark_file(tmp_path)
    columnar, per_entry = check_same([path], tmp_path)
    assert columnar == 0
    assert per_entry > 0
    got = estimate([path], as_of=AS_OF)
    assert [why for _, why in got.report.files_whole] == ["multi-line cells (a quoted line break)"]


def test_a_partitioned_run_refuses_a_quote_left_open_beside_inch_marks(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    from ieepa_refund.bulk.dask import estimate_partitioned
    from ieepa_refund.errors import InputFileError

    path = _inch_mark_file(tmp_path)
    with pytest.raises(InputFileError, match="a cell holds a line break"):
        estimate_partitioned(
            [path], as_of=AS_OF, partitions=2, scheduler="sync", workdir=tmp_path / "work"
        )


@pytest.mark.parametrize("block", [4_000, 1 << 20])
def test_a_partitioned_run_refuses_a_joined_file_naming_the_row_of_the_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Two exports joined with ``cat``: the repeated header, carried into a partition file,
    was named by that file's row (t63); refused up front, naming the input file's row, the
    one the single-process engines name in their REPEATED_HEADER warning."""
    pytest.importorskip("dask.dataframe")
    from ieepa_refund.bulk import dask as on_dask
    from ieepa_refund.bulk.dask import estimate_partitioned
    from ieepa_refund.errors import InputFileError

    monkeypatch.setattr(on_dask, "BLOCK_BYTES", block)
    one = tmp_path / "one.csv"
    bench.generate(one, 120, 4, seed=5)
    text = one.read_bytes()
    header = text.split(b"\n", 1)[0]
    path = tmp_path / "joined.csv"
    path.write_bytes(text + b"Report: ES-003\nFilter: all, ports\n" + header.upper() + b"\n" + text)
    (warning,) = [w for w in read_es003(path).files[0].warnings if w.code == "REPEATED_HEADER"]
    if block == 4_000:
        assert len(text) > 2 * block  # the repeat is in a later block than the first
    with pytest.raises(InputFileError, match=f"joined.csv: row {warning.row} repeats the header"):
        estimate_partitioned(
            [path], as_of=AS_OF, partitions=2, scheduler="sync", workdir=tmp_path / "work"
        )


def test_files_read_in_many_small_chunks_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks cut every few rows (entries spanning chunks, damage in every chunk)."""
    from ieepa_refund.bulk import _read

    monkeypatch.setattr(_read, "CHUNK_BYTES", 700)
    clean = tmp_path / "a.csv"
    bench.generate(clean, 800, 4, seed=13)
    rng = random.Random(13)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, 25))
    damaged = fuzz.write_files(rows, tmp_path / "in", "csv", 1, "x")
    columnar, _ = check_same([clean, *damaged], tmp_path)
    assert columnar > 100


@pytest.mark.parametrize("chunk", [700, 4 << 20])
def test_entries_whose_rows_are_apart_are_identical(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows shuffled, so an entry's rows are apart (the columnar rules key and keep an
    entry once per run of rows repeating its number): the same answers, in and across
    chunks, with some entries' rows in conflict (the run kept must not decide: the reader
    refuses those entries whole, CONFLICTING_ENTRY_VALUES, and so must the columns)."""
    from ieepa_refund.bulk import _read

    monkeypatch.setattr(_read, "CHUNK_BYTES", chunk)
    source = tmp_path / "clean.csv"
    bench.generate(source, 600, 4, seed=17)
    with source.open(newline="", encoding="utf-8") as f:
        title, header, *rows = list(csv.reader(f))
    rng = random.Random(17)
    rng.shuffle(rows)
    port = header.index("Port of Entry Code")
    for cells in rng.sample(rows, 5):  # an entry's own field differing on one of its rows
        cells[port] = "9999"
    path = tmp_path / "apart.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([title, header, *rows])
    columnar, _ = check_same([path], tmp_path)
    assert columnar > 100


def test_entries_summed_a_share_at_a_time_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shares of a few rows (each entry's rows and lines in one share, whichever chunk they
    were read in; damaged entries among them): the same as the per-entry path."""
    from ieepa_refund.bulk import _columnar, _read

    monkeypatch.setattr(_columnar, "PART_ROWS", 97)
    monkeypatch.setattr(_read, "CHUNK_BYTES", 5_000)
    clean = tmp_path / "a.csv"
    bench.generate(clean, 1_200, 4, seed=17)
    rng = random.Random(17)
    damaged = fuzz.write_files(
        fuzz.damage(rng, fuzz.clean_rows(rng, 25)), tmp_path / "in", "csv", 1, "x"
    )
    columnar, _ = check_same([clean, *damaged], tmp_path)
    assert columnar > 150


def test_without_polars_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"pip install 'ieepa-refund\[bulk\]'"):
        estimate("any.csv", as_of=AS_OF)


def test_line_numbers_up_to_the_readers_largest_are_read_in_columns(tmp_path: Path) -> None:
    """Lines are grouped by one integer (entry key, then line number, 2**17 slots): the
    reader's largest line numbers keep their own slots, every result the same."""
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=11)
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    first = rows[2][0]
    for row in rows[2:]:
        if row[0] == first:  # lines 1, 2, ... become 99,999, 99,998, ...
            row[1] = str(LINE_MAX + 1 - int(row[1]))
    path = tmp_path / "lines.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    check_same([path], tmp_path)
    got = estimate(path, as_of=AS_OF)
    assert dict(got.entries.select("entry_number", "path").iter_rows())[first] == "bulk"


@given(strategies.copy_cases())
def test_copy_of_the_rows_left_is_the_line_by_line_copy(
    case: tuple[bytes, int, set[int], bool],
) -> None:
    """The copy handed to the per-entry reader (lines between rows kept passed over in C;
    kept rows past the end, CRs within lines) is byte for byte the line-by-line copy."""
    import tempfile

    from ieepa_refund.bulk import _fallback

    data, header, keep, blank = case
    with tempfile.TemporaryDirectory() as tmp:
        source, fast, slow = (Path(tmp) / name for name in ("in.csv", "fast.csv", "slow.csv"))
        source.write_bytes(data)
        _fallback._copy(source, fast, header, keep, blank=blank)
        _fallback._copy_lines(source, slow, header, keep, blank=blank)
        assert fast.read_bytes() == slow.read_bytes()


@given(
    st.lists(st.text(st.sampled_from('ab,"\r'), max_size=30), max_size=12),
    st.booleans(),
    st.integers(1, 40),
)
def test_chunks_are_the_files_lines_in_order(lines: list[str], ended: bool, size: int) -> None:
    """The chunks, joined, are the file after its header; each holds whole lines (more bytes
    than a chunk only when its first line is), their count and first row number as the
    reader counts them."""
    import tempfile

    from ieepa_refund.bulk import _read

    body = "\n".join(lines) + ("\n" if ended and lines else "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(b"title\nheader\n" + body.encode())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_read, "CHUNK_BYTES", size)
            chunks = list(_read._chunks(path, 2))
    assert b"".join(data for data, _, _ in chunks) == body.encode()
    row = 3
    for data, first, count in chunks:
        assert first == row
        assert count == data.count(b"\n") + (not data.endswith(b"\n"))
        # Longer than a chunk only when its first line is (read on to that line's end).
        assert len(data) <= size or len(data.split(b"\n", 1)[0]) >= size
        assert data.endswith(b"\n") or data is chunks[-1][0]
        row += count


#: Lines of letters, commas and quotes in any order (a quote mid-cell, a quoted cell closed
#: before more text, one never closed), with or without a CR at the end; never empty, as a
#: chunk is not (_read._chunks).
_QUOTING = st.tuples(
    st.lists(st.text(st.sampled_from('a,"'), max_size=12), min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.integers(1, 5),
).map(lambda t: ((t[1].join(t[0]) + (t[1] if t[2] else "") or "\n").encode(), t[3]))


@given(strategies.csv_chunks() | _QUOTING)
def test_each_lines_cells_are_counted_as_the_line_patterns_count_them(
    chunk: tuple[bytes, int],
) -> None:
    """_whole, line by line in Python: a line is whole when its commas outside quoted cells
    number the header's width less one and no cell is quoted oddly, or blank when it is commas alone (a CR at its end
    or not, ^,*\\r?$); the usual-width tally counts the non-blank lines' cells."""
    import re

    from ieepa_refund.bulk._read import _ODD_QUOTE, _QUOTED, _whole

    data, width = chunk
    lines = data.decode().split("\n")
    if data.endswith(b"\n"):
        lines.pop()
    commas = [re.sub(_QUOTED, r"\1", line).count(",") for line in lines]
    odd = [re.search(_ODD_QUOTE, line) is not None for line in lines]
    blank = [re.fullmatch(",*\r?", line) is not None for line in lines]
    tally: dict[int, int] = {}
    for count, empty in zip(commas, blank, strict=True):
        if not empty:
            tally[count + 1] = tally.get(count + 1, 0) + 1
    widths: dict[int, int] = {}
    whole = _whole(data, width, widths, len(lines)).to_list()
    right = [c == width - 1 and not o for c, o in zip(commas, odd, strict=True)]
    every = all(right)
    assert whole == [r or (b and not every) for r, b in zip(right, blank, strict=True)]
    assert widths == tally


@given(strategies.csv_chunks() | _QUOTING)
# Quoted cells closed before more text (polars reads on, or refuses), a quote mid-cell.
@example((b'"b,c"d"x,y"\nab\n', 1))
@example((b',,""a""\na,b,c\n', 3))
@example((b'x"a,b",\na,b\n', 2))
@example((b"\na,", 1))  # a last line with no line break and a cell too many: polars takes it
# An inch mark beside a quote left open (t72): the module swallows the next line, polars not.
@example((b',a","""""\n\n', 1))
def test_lines_read_without_a_count_are_the_csv_modules_rows(chunk: tuple[bytes, int]) -> None:
    """_read_rows: a line it reads here (whole and not blank) is, as the csv module reads the
    whole chunk, a row of its own of the header's width of cells, and polars' cells are
    those cells (so no line a quote left open before it swallows is read here, t72); a
    line with no quote gets _whole's answer; the usual-width tally counts each non-blank
    line once. (None: the module's or polars' rows are not the lines, or polars refuses
    the chunk: the file goes whole to the reader.)"""
    import csv as _csv
    import io

    from hypothesis import assume

    from ieepa_refund.bulk._read import _read_rows, _whole

    data, width = chunk
    assume(re.search(rb"\r(?!\n)", data) is None)  # a lone CR: the file goes whole (_odd_bytes)
    lines = data.decode().split("\n")
    if data.endswith(b"\n"):
        lines.pop()
    widths: dict[int, int] = {}
    try:
        got = _read_rows(data, list(range(width)), width, widths, len(lines))
    except pl.exceptions.PolarsError:  # read_columns sends the file whole to the reader
        return
    if got is None:
        return
    frame, whole = got
    # The module's rows over the whole chunk, by the line each starts on: (lines, cells).
    rows: dict[int, tuple[int, list[str]]] = {}
    reader = _csv.reader(io.StringIO(data.decode(), newline=""))
    start = 0
    try:
        for cells in reader:
            rows[start] = (reader.line_num - start, cells)
            start = reader.line_num
    except _csv.Error:  # the chunk ends inside a quoted cell: no row from ``start`` on
        pass
    counted = _whole(data, width, {}, len(lines)).to_list()
    for i, (line, read) in enumerate(zip(lines, whole.to_list(), strict=True)):
        blank = re.fullmatch(",*\r?", line) is not None
        if '"' not in line and i not in rows:
            assert not read, line  # swallowed by a quoted cell opened before it
        elif '"' not in line:
            assert read == counted[i], line
        if read and not blank:
            assert rows.get(i, (0, []))[0] == 1, line
            assert rows[i][1] == list(frame.row(i)), line
            assert len(rows[i][1]) == width, line
    assert sum(widths.values()) == sum(re.fullmatch(",*\r?", line) is None for line in lines)


@pytest.mark.parametrize("shape", ["quoted", "day", "nul", "lone-cr"])
def test_a_shape_found_by_the_read_ahead_late_in_the_file_sends_it_whole(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of a few rows, read one ahead in a second thread: a shape the columns do not
    read, in a late chunk, is found there after the earlier chunks are parsed, and the file
    goes whole to the reader all the same (same entries, payments, declaration bytes)."""
    from ieepa_refund.bulk import _read

    monkeypatch.setattr(_read, "CHUNK_BYTES", 900)
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=3)
    rows = [list(r) for r in _bench_rows(source)]
    late = len(rows) - 5
    if shape == "quoted":
        rows[late][4] = "TWO\nLINES"
    elif shape == "day":
        rows = _iso_dates_but(rows, 9)
        rows[late][9] = "25/09/2026"
    elif shape == "nul":
        rows[late][4] = "NUL\x00NAME"
    else:
        rows[late][4] = "LONE\rCR"
    path = tmp_path / f"{shape}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    got = estimate(path, as_of=AS_OF)
    assert got.report.files_whole
    assert set(got.entries["path"].to_list()) == {"entry"}
    check_same([path], tmp_path / "same")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["09/22/2025", "2025-09-22", "13/01/2025", "", " x"]), st.integers(1, 4)
        ),
        max_size=20,
    )
)
def test_cells_parsed_once_per_run_are_parsed_per_cell(runs: list[tuple[str, int]]) -> None:
    """by_runs (an entry's own fields, parsed once per run of rows repeating them) gives
    each row what parsing its own cell gives, refusals included; runs may recur apart."""
    from ieepa_refund.bulk import _cells

    cells = [cell for cell, times in runs for _ in range(times)]
    series = pl.Series("s", cells, dtype=pl.String)
    parse = _cells.entry_field_parser("entry_date")
    got = _cells.by_runs(series, parse, pl.Date)
    assert got.to_list() == _cells.distinct(series, parse, pl.Date).to_list()
    assert got.to_list() == [_library(parse, cell) for cell in cells]


@given(strategies.recurring_cell_chunks(), st.integers(0, 4))
def test_cells_parsed_once_per_run_are_parsed_as_in_each_chunk(
    chunks: list[list[str]], bound: int
) -> None:
    """The run's memo of parsed cells (kept across chunks; at most MEMO_CELLS, drawn small
    here too): each chunk's column is what parsing its distinct cells afresh gives, for
    every column parser, the entry dates, the amounts and the entry numbers; HTS numbers and
    origins made codes from their parsed values are those values."""
    from unittest import mock

    from ieepa_refund.bulk import _cells

    dtypes = {
        "line_number": pl.Int32, "country_of_origin": pl.Categorical, "hts": pl.Categorical,
        "tariff_ordinal": pl.Int64, "quantity": pl.Boolean, "rate": pl.Boolean,
    }  # fmt: skip
    parsers: dict[str, Any] = {
        **_cells.PARSERS,
        "entry_date": _cells.entry_field_parser("entry_date"),
    }
    dtypes["entry_date"] = pl.Date
    full: dict[str, dict[Any, Any]] = {}
    small: dict[str, dict[Any, Any]] = {}
    for cells in chunks:
        series = pl.Series("s", cells, dtype=pl.String)
        for name, dtype in dtypes.items():
            fresh = _cells.distinct(series, parsers[name], dtype)
            if dtype == pl.Categorical:
                assert fresh.cast(pl.String).equals(
                    _cells.distinct(series, parsers[name], pl.String)
                )
            for memo, most in ((full, _cells.MEMO_CELLS), (small, bound)):
                with mock.patch.object(_cells, "MEMO_CELLS", most):
                    kept = memo.setdefault(name, {})
                    assert _cells.distinct(series, parsers[name], dtype, kept).equals(fresh)
                    assert len(kept) <= most
        for memo, most in ((full, _cells.MEMO_CELLS), (small, bound)):
            with mock.patch.object(_cells, "MEMO_CELLS", most):
                amounts = _cells.amounts(series, memo.setdefault("duty", {}))
                assert amounts.equals(_cells.amounts(series))
                numbers = _cells.parse_numbers(series, memo.setdefault("entry_number", {}))
                assert numbers.equals(_cells.parse_numbers(series))
    # Every distinct cell was kept once, and read back from the memo in later chunks.
    assert set(full["hts"]) == {cell for cells in chunks for cell in cells}


@given(strategies.unit_quantity_cells)
def test_units_the_reader_may_refuse_are_found_per_distinct_unit(
    cells: list[tuple[str, str]],
) -> None:
    """unit_odd, each distinct unit looked at once: a unit with an ASCII digit and no ASCII
    letter, or with neither beside a quantity that is not blank, row by row."""
    import re

    from ieepa_refund.bulk._read import unit_odd

    frame = pl.DataFrame(
        {"unit": [u for u, _ in cells], "quantity": [q for _, q in cells]},
        schema={"unit": pl.String, "quantity": pl.String},
    )
    expected = [
        (bool(re.search("[0-9]", u)) and not re.search("[A-Za-z]", u))
        or (not re.search("[0-9A-Za-z]", u) and q != "")
        for u, q in cells
    ]
    assert unit_odd(frame).to_list() == expected
