"""The lean engine against the per-entry path (and the bulk engine where polars is installed):
every entry's row, the payments, the declaration bytes and the reader's report the same."""

from __future__ import annotations

import csv
import importlib.util
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund import RefundOptions
from ieepa_refund.bulk import ENTRY_COLUMNS, lean
from ieepa_refund.errors import InputFileError, InvalidFormat
from ieepa_refund.es003 import sample_es003
from tests import strategies
from tests.reference_job import (
    AS_OF,
    MUTATIONS,
    ROOT,
    bench,
    damaged_file,
    fuzz,
    reference,
    road_run_files,
    same_roads,
    zeroed_file,
)


def check_lean(
    paths: list[Path],
    tmp: Path,
    *,
    options: RefundOptions | None = None,
    plaintiffs: frozenset[str] = frozenset(),
    declared_on: date = AS_OF,
) -> tuple[int, int]:
    """Assert lean == per-entry on ``paths``; return (entries by the lean rules, by the
    per-entry path)."""
    given_opts = options or RefundOptions()
    opts = given_opts.model_copy(update={"interest_until": given_opts.interest_until or AS_OF})
    want, payments, files, report = reference(
        paths, tmp / "ref", options=opts, plaintiffs=plaintiffs, declared_on=declared_on
    )
    got = lean.estimate(
        paths,
        as_of=AS_OF,
        declared_on=declared_on,
        options=options,
        declarations_dir=tmp / "lean",
        plaintiffs=plaintiffs,
    )
    rows = [{k: v for k, v in row._asdict().items() if k != "path"} for row in got.entries]
    assert [r["entry_number"] for r in rows] == [r["entry_number"] for r in want]
    for mine, theirs in zip(rows, want, strict=True):
        assert mine == theirs, mine["entry_number"]
        # Money written with the same places as the per-entry path's where it has two.
        for name in ("paid", "principal", "interest"):
            if theirs[name] is not None and theirs[name].as_tuple().exponent == -2:
                assert str(mine[name]) == str(theirs[name]), (mine["entry_number"], name)
    assert got.payments == payments
    assert {p.name: p.read_bytes() for p in sorted((tmp / "lean").iterdir())} == files
    # The same reader: its report (problems, counts) is the per-entry path's own.
    assert got.report == report
    paths_used = [row.path for row in got.entries]
    assert paths_used.count("lean") == got.entries_lean
    assert paths_used.count("entry") == got.entries_entry
    assert got.entries_lean + got.entries_entry == report.entry_count
    return got.entries_lean, got.entries_entry


def test_generated_file_is_identical_and_computed_by_the_lean_rules(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 3_000, 4, seed=7)
    by_rules, per_entry = check_lean([path], tmp_path)
    assert by_rules > 4 * per_entry


@pytest.mark.parametrize("seed", range(40))
def test_damaged_files_are_identical(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    paths = fuzz.write_files(rows, tmp_path / "in", "csv", rng.randint(1, 3), "x")
    check_lean(paths, tmp_path)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_kind_of_damage_is_identical(name: str, tmp_path: Path) -> None:
    check_lean([damaged_file(name, tmp_path, seed=11, rows_damaged=25)], tmp_path)


#: Damage the lean rules must leave to the per-entry path (each sends some entries there).
LEFT_TO_THE_PER_ENTRY_PATH = (
    "rate text",
    "missing IEEPA duty",
    "exemption heading",
    "heading not in force",
    "negative duty",
    "deposit date",
    "huge duty",
    "liquidated past the rate table",
)


@pytest.mark.parametrize("name", LEFT_TO_THE_PER_ENTRY_PATH)
def test_what_the_rules_do_not_cover_goes_to_the_per_entry_path(name: str, tmp_path: Path) -> None:
    _, per_entry = check_lean([damaged_file(name, tmp_path, seed=11, rows_damaged=25)], tmp_path)
    assert per_entry > 0


@pytest.mark.parametrize(
    "options",
    [
        RefundOptions(deposit="pms"),
        RefundOptions(corporate=True),
        RefundOptions(method="recalculate"),
        RefundOptions(rounding="ROUND_HALF_EVEN"),
        RefundOptions(interest_until=date(2026, 3, 1)),
    ],
)
def test_options_are_honoured_identically(options: RefundOptions, tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 600, 4, seed=5)
    by_rules, _ = check_lean([path], tmp_path, options=options)
    # Recalculation reads rate text: the per-entry path's alone.
    assert (by_rules == 0) == (options.method == "recalculate")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.es003_files())
def test_drawn_files_are_identical(file: tuple[list[str], list[list[str]]]) -> None:
    """Messy drawn entries (padded, lower-case, disagreeing cells, wrong check digits, rows
    in any order): every entry either computed by the rules as the per-entry path does, or
    by the per-entry path."""
    header, rows = file
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path = tmp / "drawn.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
        check_lean([path], tmp)


def test_a_workbook_is_read_by_the_same_reader(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    source = tmp_path / "clean.csv"
    bench.generate(source, 300, 4, seed=9)
    rows = fuzz.clean_rows(random.Random(3), 6)
    paths = fuzz.write_files(rows, tmp_path / "in", "xlsx", 1, "x")
    check_lean(paths, tmp_path)


def test_rows_are_the_bulk_engines_rows(tmp_path: Path) -> None:
    """Where polars is installed: the bulk engine's table, row for row (path aside)."""
    pytest.importorskip("polars")
    from ieepa_refund.bulk import estimate

    path = damaged_file("15% all-in deal", tmp_path, seed=3, rows_damaged=20)
    bulk = estimate(path, as_of=AS_OF).entries.drop("path").to_dicts()
    mine = [
        {k: v for k, v in r._asdict().items() if k != "path"}
        for r in lean.estimate(path, as_of=AS_OF).entries
    ]
    assert mine == bulk


def test_entry_rows_have_the_bulk_columns() -> None:
    assert lean.EntryRow._fields == ENTRY_COLUMNS


def test_the_stream_hands_rows_over_as_the_reader_does() -> None:
    """In the reader's order (each entry at its last row), the report after the last."""
    from ieepa_refund.es003 import stream_es003

    order = [entry.entry_number for entry in stream_es003(sample_es003())]
    rows = lean.stream(sample_es003(), as_of=AS_OF)
    with pytest.raises(RuntimeError):
        rows.report  # noqa: B018 - not ready before the end
    assert [row.entry_number for row in rows] == order
    assert rows.report.entry_count == len(order)
    with pytest.raises(RuntimeError, match="read once"):
        list(rows)


def test_progress_is_called_as_the_reader_calls_it(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 100_500, 4, seed=1)
    seen: list[int] = []
    got = lean.estimate(path, as_of=AS_OF, progress=seen.append)
    assert got.report.rows_read == 100_500
    assert seen == [100_000]  # each PROGRESS_EVERY rows


def test_bad_input_is_our_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        lean.estimate([], as_of=AS_OF)
    with pytest.raises(InputFileError, match=r"missing\.csv"):
        lean.estimate(tmp_path / "missing.csv", as_of=AS_OF)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Entry Nmber,HTS Number - Full\n31612345678,9903.01.24\n", encoding="utf-8")
    with pytest.raises(InputFileError):
        lean.estimate(wrong, as_of=AS_OF)


def test_runs_without_polars(tmp_path: Path) -> None:
    """The lean engine needs no extra: polars made unimportable, the sample still runs and
    polars is never imported."""
    code = (
        "import sys; sys.modules['polars'] = None\n"
        "from datetime import date\n"
        "from ieepa_refund.bulk import lean\n"
        "from ieepa_refund.es003 import sample_es003\n"
        f"got = lean.estimate(sample_es003(), as_of=date(2026, 7, 1), declarations_dir={str(tmp_path)!r})\n"
        "assert got.entries and got.entries_lean > 0, got\n"
        "assert sys.modules['polars'] is None\n"
        "print(len(got.entries))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
    assert importlib.util.find_spec("ieepa_refund.bulk.lean") is not None


def test_entries_whose_ieepa_duty_is_all_zero_are_screened_as_such(tmp_path: Path) -> None:
    """Screening is computed once per distinct set of the facts it reads, and whether every
    IEEPA duty of the entry is 0.00 is one of them: every other entry's IEEPA rows set to
    0.00, beside entries with the same own fields and their duty."""
    path, zeroed = zeroed_file(tmp_path, 12, ieepa_only=True)
    numbers = {row.entry_number for row in lean.estimate(path, as_of=AS_OF).entries}
    by_rules, _ = check_lean([path], tmp_path)
    assert by_rules > len(numbers) // 2
    got = {r.entry_number: r for r in lean.estimate(path, as_of=AS_OF).entries}
    assert {got[n].eligible for n in zeroed} != {got[n].eligible for n in numbers - zeroed}


def test_cit_plaintiffs_are_screened_by_importer(tmp_path: Path) -> None:
    """With plaintiffs, the importer is one of the facts screening reads: entries of a
    plaintiff and of others, their other facts alike, each screened as its own (declared
    after most liquidations are past the look-back, where a plaintiff's entry is kept)."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 600, 4, seed=21)
    plaintiffs = frozenset(bench.IORS[::3])
    late = date(2026, 10, 15)  # the plaintiffs rule is in force from 2026-10-06
    by_rules, _ = check_lean([path], tmp_path, plaintiffs=plaintiffs, declared_on=late)
    assert by_rules > 0
    got = lean.estimate(path, as_of=AS_OF, declared_on=late, plaintiffs=plaintiffs).entries
    assert {r.reasons for r in got if r.importer_number in plaintiffs} != {
        r.reasons for r in got if r.importer_number not in plaintiffs
    }


def test_one_number_twice_on_a_line_goes_to_the_per_entry_path(tmp_path: Path) -> None:
    """Two tariffs of one HTS number on a line (two ordinals): the bulk engine's rules do not
    cover it, so the per-entry path computes the entry."""
    source = tmp_path / "clean.csv"
    bench.generate(source, 200, 4, seed=13)
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[1]
    ordinal = header.index("Tariff Ordinal Number")
    twice = list(rows[2])
    twice[ordinal] = "9"
    path = tmp_path / "twice.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([*rows[:3], twice, *rows[3:]])
    check_lean([path], tmp_path)
    number = rows[2][header.index("Entry Summary Number")]
    (row,) = [r for r in lean.estimate(path, as_of=AS_OF).entries if r.entry_number == number]
    assert row.path == "entry"


def test_sources_are_what_the_reader_reads(tmp_path: Path) -> None:
    """A path, a list of paths, an open file or a DataFrame: the same rows."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 300, 4, seed=2)
    want = lean.estimate(path, as_of=AS_OF).entries
    assert lean.estimate([path], as_of=AS_OF).entries == want
    assert lean.estimate(str(path), as_of=AS_OF).entries == want
    with path.open("rb") as f:
        assert lean.estimate(f, as_of=AS_OF).entries == want
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(path, skiprows=1, dtype=str, keep_default_na=False)
    assert lean.estimate(frame, as_of=AS_OF).entries == want


def _same_roads(
    path: Path, ledger: Path | None, declared_on: date, days: int, *, project: bool
) -> lean.LeanResult:
    """lean.estimate(roads=True)'s roads are entry_roads' on the same entries, field for field."""
    got: lean.LeanResult = same_roads(
        lean.estimate, path, ledger, declared_on, days, project=project
    )
    return got


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=strategies.road_runs())
def test_roads_are_entry_roads(run: tuple[int, date, int, float, bool], tmp_path: Path) -> None:
    """Declaration dates before CAPE opens, inside and past the look-back and the protest
    window; a ledger naming none, some or all entries, with and without dates; the expected
    liquidation moved; the rate table's end crossed (no interest figure, or --project's)."""
    seed, declared_on, days, share, dated = run
    path, ledger = road_run_files(tmp_path / str(seed), seed, declared_on, share, dated)
    project = declared_on > date(2026, 9, 30)  # past the table's end needs --project
    got = _same_roads(path, ledger, declared_on, days, project=project)
    assert got.entries_lean > 0  # the rules' roads were compared, not only the per-entry path's


@pytest.mark.parametrize("name", ["rate text", "deposit date", "exemption heading", "protest"])
def test_roads_of_damaged_files_are_entry_roads(name: str, tmp_path: Path) -> None:
    path = damaged_file(name, tmp_path, seed=5, rows_damaged=20)
    for project in (False, True):
        _same_roads(path, None, date(2026, 7, 1), 400, project=project)


def test_a_road_is_asked_for_once_and_only_with_roads(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 100, 4, seed=4)
    rows = lean.stream(path, as_of=AS_OF, roads=True)
    first = next(iter(rows))
    assert rows.road(first).entry_number == first.entry_number
    with pytest.raises(InvalidFormat, match="asked for already"):
        rows.road(first)
    plain = lean.stream(path, as_of=AS_OF)
    with pytest.raises(InvalidFormat, match="roads=True"):
        plain.road(next(iter(plain)))
    with pytest.raises(InvalidFormat, match="roads=True"):
        lean.estimate(path, as_of=AS_OF, ledger={})


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"as_of": "2026-07-01"}, "as_of"),
        ({"declared_on": 20260701}, "declared_on"),
        ({"options": {"method": "paid"}}, "options"),
        ({"registry": "registry.csv"}, "registry"),
        ({"rates": [1, 2]}, "rates"),
        ({"rules": None, "plaintiffs": "12-3456789AB"}, "plaintiffs"),
        ({"plaintiffs": None}, "plaintiffs"),
        ({"plaintiffs": [12345678901]}, "plaintiffs"),
    ],
)
def test_wrong_arguments_are_named(given: dict[str, object], field: str) -> None:
    """Both engines check their arguments where they come in (one function makes both
    engines' job), never a raw TypeError later."""
    from ieepa_refund.errors import IeepaRefundError

    arguments: dict[str, object] = {"as_of": AS_OF, **given}
    with pytest.raises(IeepaRefundError) as raised:
        lean.stream(sample_es003(), **arguments)  # type: ignore[arg-type]
    assert getattr(raised.value, "field", None) == field
    if importlib.util.find_spec("polars") is not None:
        from ieepa_refund.bulk import estimate

        with pytest.raises(IeepaRefundError) as raised:
            estimate(sample_es003(), **arguments)  # type: ignore[arg-type]
        assert getattr(raised.value, "field", None) == field


def test_declarations_are_one_set_per_importer_as_the_command_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One ACE account submits a file: the importer of record's, or its broker's under one
    filer code (t67/03). The engines' declarations_dir holds the files the cape command
    writes for the same entries, one set per filer code and importer (tester t71/02: they
    were one file mixing importers). The benchmark's file has 50 importers."""
    from ieepa_refund.cli import main

    path = tmp_path / "es003.csv"
    bench.generate(path, 400, 4, seed=6)
    lean.estimate(path, as_of=AS_OF, declarations_dir=tmp_path / "lean")
    code = main(["cape", str(path), "--declared-on", AS_OF.isoformat(), "--engine", "entry",
                 "--out", str(tmp_path / "cape")])  # fmt: skip
    capsys.readouterr()
    assert code in (0, 1)
    mine = {p.name: p.read_bytes() for p in (tmp_path / "lean").iterdir()}
    theirs = {
        p.name: p.read_bytes() for p in (tmp_path / "cape").iterdir() if p.name.startswith("cape_")
    }
    assert len([n for n in mine if n.endswith(".csv")]) > 1
    assert {n: b for n, b in mine.items() if n.endswith(".csv")} == {
        n: b for n, b in theirs.items() if n.endswith(".csv")
    }
    if importlib.util.find_spec("polars") is not None:
        from ieepa_refund.bulk import estimate

        estimate(path, as_of=AS_OF, declarations_dir=tmp_path / "bulk")
        assert {p.name: p.read_bytes() for p in (tmp_path / "bulk").iterdir()} == mine
