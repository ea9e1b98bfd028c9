"""The bulk engine's input report and order against the per-entry reader's own.

``estimate(...).report.input`` must be what ``stream_es003`` reports for the same files
(columns, warnings, every problem with its file, row and message in the reader's order,
every count), and ``estimate(...).order`` the order the reader yields the entries in:
the command writes both from the bulk engine alone. Then entry numbers whose filer code
has letters, which the bulk engine keys in columns.
"""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from ieepa_refund import entry_number, sample_es003  # noqa: E402
from ieepa_refund.bulk import estimate  # noqa: E402
from ieepa_refund.bulk._cells import check_digit_right, entry_key, key_number  # noqa: E402
from ieepa_refund.es003 import stream_es003  # noqa: E402
from tests import strategies  # noqa: E402

from .test_bulk import (  # noqa: E402
    AS_OF,
    MUTATIONS,
    _bench_rows,
    bench,
    check_same,
    damaged_file,
    fuzz,
)


def same_report(paths: list[Path], *, mapping: dict[str, str] | None = None) -> tuple[int, int]:
    """Assert the bulk engine's report and order are the reader's; return its (bulk, entry)."""
    stream = stream_es003(*paths, mapping=mapping)
    order = tuple(entry.entry_number for entry in stream)
    got = estimate(paths, as_of=AS_OF, mapping=mapping)
    assert got.report.input.model_dump() == stream.report.model_dump()
    assert got.report.input == stream.report
    assert got.order.to_list() == list(order)
    return got.report.entries_bulk, got.report.entries_entry


def test_the_bundled_sample() -> None:
    columnar, per_entry = same_report([sample_es003()])
    assert columnar == 9  # B7655001231 (letters in its filer code) among them
    assert per_entry == 6


def test_a_generated_file_read_mostly_in_columns(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=3)
    columnar, per_entry = same_report([path])
    assert columnar > 4 * per_entry


@pytest.mark.parametrize("seed", range(40))
def test_damaged_files(seed: int, tmp_path: Path) -> None:
    """The reader's fuzz rounds split over 1-3 files: CSV mostly, some TSV or workbooks
    (read whole by the reader), one round in four a CSV beside a TSV."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    kind = {3: "tsv", 2: "xlsx"}.get(seed % 8, "csv")
    if kind == "xlsx":
        pytest.importorskip("openpyxl")
    paths = fuzz.write_files(rows, tmp_path / "in", kind, rng.randint(1, 3), "x")
    if seed % 4 == 1:  # a file the reader reads whole beside those read in columns
        paths += fuzz.write_files(rows[:5], tmp_path / "tab", "tsv", 1, "t")
    same_report(paths)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_kind_of_damage(name: str, tmp_path: Path) -> None:
    same_report([damaged_file(name, tmp_path, seed=17, rows_damaged=30)])


def test_many_problems_are_summed_as_the_reader_sums_them(tmp_path: Path) -> None:
    """Over 20 rows with one problem: the reader lists 20 and sums the rest, naming rows."""
    source = tmp_path / "clean.csv"
    bench.generate(source, 600, 4, seed=19)
    rows = _bench_rows(source)
    at = rows[1].index("Line Tariff Duty Amount")
    for r in rows[2::7]:
        r[at] = "n/a"
    path = tmp_path / "many.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    same_report([path])


def test_entries_spanning_files_and_small_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ieepa_refund.bulk import _read

    monkeypatch.setattr(_read, "CHUNK_BYTES", 900)
    rng = random.Random(23)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, 30))
    rng.shuffle(rows)  # an entry's rows in several files, in any order
    paths = fuzz.write_files(rows, tmp_path / "in", "csv", 3, "x")
    clean = tmp_path / "clean.csv"
    bench.generate(clean, 300, 4, seed=23)
    same_report([clean, *paths])


def test_blank_lines_short_rows_and_a_mapping(tmp_path: Path) -> None:
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=29)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("Country of Origin Code", "Origin")
    lines[12] = lines[12].rsplit(",", 3)[0] + "\n"
    blanks = tmp_path / "gaps.csv"
    blanks.write_text("".join([*lines[:10], "\n", ",,,\n", *lines[10:]]), encoding="utf-8")
    short = tmp_path / "short.csv"
    short.write_text("".join(lines), encoding="utf-8")
    same_report([short], mapping={"country_of_origin": "Origin"})
    same_report([blanks], mapping={"country_of_origin": "Origin"})


def test_the_same_name_twice_is_read_whole(tmp_path: Path) -> None:
    rng = random.Random(31)
    rows = fuzz.clean_rows(rng, 8)
    one = fuzz.write_files(rows[:12], tmp_path / "a", "csv", 1, "x")
    two = fuzz.write_files(rows[12:], tmp_path / "b", "csv", 1, "x")
    assert one[0].name == two[0].name
    same_report([*one, *two])
    got = estimate([*one, *two], as_of=AS_OF)
    assert got.report.entries_bulk == 0
    assert got.report.files_whole


# --- entry numbers with letters in the filer code --------------------------------------------


@given(st.lists(strategies.es003_entry_cells | strategies.lettered_entry_numbers(), max_size=40))
def test_keys_keep_the_numbers_their_order_and_check_digits(cells: list[str]) -> None:
    """The integer key of every number of the compact shape gives the number back, sorts as
    the numbers do, and says its check digit right exactly when the library does."""
    shaped = [c for c in dict.fromkeys(cells) if entry_number.shaped(c)]
    frame = pl.DataFrame({"n": shaped}, schema={"n": pl.String}).with_columns(
        k=entry_key(pl.col("n"))
    )
    found = frame.select(back=key_number(pl.col("k")), right=check_digit_right(pl.col("k")))
    assert found["back"].to_list() == shaped
    assert found["right"].to_list() == [entry_number.check_digit_matches(n) for n in shaped]
    assert frame.sort("k")["n"].to_list() == sorted(shaped)


def _rename(path: Path, codes: list[str], out: Path) -> None:
    """``path`` with each entry's filer code replaced by one of ``codes`` (check digit
    recomputed), some wrong on purpose: the per-entry path's."""
    rows = _bench_rows(path)
    names: dict[str, str] = {}
    for k, r in enumerate(rows[2:]):
        old = r[0]
        if old not in names:
            first = codes[len(names) % len(codes)] + old[3:10]
            digit = entry_number.calc_check_digit(first)
            if len(names) % 11 == 5:
                digit = str((int(digit) + 1) % 10)
            names[old] = first + digit
        r[0] = names[old].lower() if k % 13 == 0 else names[old]
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@settings(max_examples=8)
@given(st.lists(strategies.lettered_filer_codes, min_size=1, max_size=4))
def test_lettered_filer_codes_are_computed_in_columns_identically(codes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = tmp / "clean.csv"
        bench.generate(source, 300, 4, seed=37)
        path = tmp / "lettered.csv"
        _rename(source, codes, path)
        columnar, per_entry = check_same([path], tmp)
        assert columnar > 2 * per_entry
        same_report([path])
