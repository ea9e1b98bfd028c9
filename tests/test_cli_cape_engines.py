"""``cape --engine``: the bulk engine and the per-entry path write the same files byte for byte.

Each case runs ``cape`` twice, ``--engine bulk`` and ``--engine entry``, into two folders,
and compares every file written (the declarations, their manifest, the screening report),
the ``--problems`` file, stdout (but its ``Engine:`` line and the folder's name), stderr and
the exit status. The files are those of ``estimate``'s differential tests
(test_cli_engines.py): the sample, the tester's damaged files, generated and fuzzed ones.
Then entries rejected whole, named on both engines, and the choice of engine.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main

pytest.importorskip("polars")

from .test_bulk import bench
from .test_cli_engines import damaged_files

DECLARED_ON = "2026-07-01"
DATA = Path(__file__).parent / "data"


def _cape(
    capsys: pytest.CaptureFixture[str], files: list[Path], out: Path, *flags: str
) -> tuple[int, str, str]:
    code = main(
        ["cape", *map(str, files), "--out", str(out), "--declared-on", DECLARED_ON,
         "--problems", str(out.parent / f"{out.name}.problems.csv"), *flags]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _written(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _without_engine(stdout: str, folder: Path) -> str:
    lines = stdout.splitlines(keepends=True)
    assert sum(line.startswith("Engine: ") for line in lines) == 1, "the engine is named once"
    kept = "".join(line for line in lines if not line.startswith("Engine: "))
    return kept.replace(str(folder), "OUT")


def same_outputs(
    files: list[Path], tmp: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[str, int, str]:
    """Assert both engines write the same bytes; return (the bulk Engine line, exit, stdout)."""
    runs = {}
    for engine in ("bulk", "entry"):
        folder = tmp / engine
        code, out, err = _cape(capsys, files, folder, "--engine", engine, *flags)
        problems = tmp / f"{engine}.problems.csv"
        runs[engine] = (
            code,
            _without_engine(out, folder),
            err.replace(str(folder), "OUT"),
            _written(folder),
            problems.read_bytes() if problems.exists() else None,
            out,
        )
    bulk, entry = runs["bulk"], runs["entry"]
    assert bulk[0] == entry[0]  # the exit status
    assert bulk[1] == entry[1]  # the summary's figures, every file named, every entry rejected
    assert bulk[2] == entry[2]  # the column report, every problem, the progress lines
    assert bulk[3].keys() == entry[3].keys()
    for name, data in entry[3].items():
        assert bulk[3][name] == data, name
    assert bulk[4] == entry[4]  # --problems
    assert "Engine: entry" in entry[5]
    line = next(x for x in bulk[5].splitlines() if x.startswith("Engine: "))
    return line, entry[0], entry[5]


def test_the_bundled_sample_is_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, code, out = same_outputs([sample_es003()], tmp_path, capsys)
    assert engine.startswith("Engine: bulk")
    assert "9 entries computed in columns, 6 by the per-entry path" in engine
    assert code == 1  # the sample's deliberate faults
    # Declarations, their manifest and the screening report, all compared above.
    names = sorted(_written(tmp_path / "bulk"))
    assert any(n.startswith("screening_") for n in names)
    assert any(n.endswith("_manifest.json") for n in names)
    # One filer code, three importers: a set of files each (t67/03), one of check-digit failures.
    assert sum(n.startswith("cape_") and n.endswith(".csv") for n in names) == 4
    assert "Screened 15 entries: 8 eligible" in out


@pytest.mark.parametrize(
    "flags",
    [
        ("--check-digits", "skip"),
        ("--check-digits", "keep", "--filer-code", "316"),
        ("--plaintiff", "11-0087109AB", "--declared-on", "2026-12-01"),
        # Before CAPE opened; past the interest table (the bulk engine's interest end, which
        # changes no principal, sends entries to its per-entry path); far past it.
        ("--declared-on", "2026-03-01"),
        ("--declared-on", "2027-09-01"),
        ("--declared-on", "2031-01-01"),
    ],
)
def test_the_declaration_options_are_honoured_identically(
    flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options that shape the declarations are the writer's on both engines."""
    same_outputs([sample_es003()], tmp_path, capsys, *flags)


def test_a_ledger_is_read_and_appended_to_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first run declares and appends to the ledger; a second one skips what it holds."""
    ledgers = {}
    for engine in ("bulk", "entry"):
        ledger = tmp_path / f"{engine}.ledger.csv"
        for run in ("first", "second"):
            code, _, err = _cape(
                capsys, [sample_es003()], tmp_path / run / engine, "--engine", engine,
                "--ledger", str(ledger), "--new-ledger",
            )  # fmt: skip
            assert code == 1
            if run == "second":
                assert "skipped" in err  # the ledger's entries are not declared again
        ledgers[engine] = ledger.read_bytes()
        for run in ("first", "second"):
            assert _written(tmp_path / run / engine)  # every run wrote its files
    assert ledgers["bulk"] == ledgers["entry"]
    for run in ("first", "second"):
        assert _written(tmp_path / run / "bulk") == _written(tmp_path / run / "entry")


@pytest.mark.parametrize("engine", ["bulk", "entry"])
def test_a_second_run_with_the_ledger_says_on_stdout_what_it_skipped(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run again with the same --ledger: "N eligible", then "Declarations: none written" and not a
    word on stdout that the eligible entries were already declared (t46)."""
    ledger = tmp_path / "ledger.csv"
    for run in ("first", "second"):
        _, out, _ = _cape(
            capsys, [sample_es003()], tmp_path / run, "--engine", engine, "--ledger", str(ledger),
            "--new-ledger",
        )  # fmt: skip
    eligible = re.search(r"Screened [\d,]+ entries: ([\d,]+) eligible, ([\d,]+) eligible but", out)
    assert eligible is not None
    n = int(eligible[1]) + int(eligible[2])
    assert n > 1
    assert "Declarations: none written: no entry to declare or review" in out
    held = [line for line in out.splitlines() if "ALREADY_DECLARED" in line]
    assert len(held) == 1
    # The one entry whose check digit fails is in a file for review, not declared (t67/07).
    review = [line for line in out.splitlines() if "not declared, IN_REVIEW" in line]
    assert len(review) == 1
    assert ": 1 entry: " in review[0]
    assert (
        f"ALREADY_DECLARED (in the ledger of entries already declared): {n - 1} entries: "
        in held[0]
    )
    number = ledger.read_text().splitlines()[1].split(",")[0]
    assert number in held[0]  # named, as the summary's other lists are


@pytest.mark.parametrize("engine", ["bulk", "entry"])
def test_a_ledger_entry_excluded_on_a_later_date_is_said_to_be_declared(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Declared in its look-back, excluded on a later run's date: it was counted excluded and
    left out of the ALREADY_DECLARED list, as if never declared (t63/05). Now named as
    declared per the ledger, and not declared again."""
    ledger = tmp_path / "ledger.csv"
    _cape(capsys, [sample_es003()], tmp_path / "first", "--engine", engine, "--ledger",
          str(ledger), "--new-ledger", "--declared-on", "2026-05-01")  # fmt: skip
    _, out, _ = _cape(capsys, [sample_es003()], tmp_path / "second", "--engine", engine,
                      "--ledger", str(ledger), "--declared-on", "2026-12-01")  # fmt: skip
    held = [line for line in out.splitlines() if "declared already per the ledger" in line]
    assert len(held) == 1
    declared = {row.split(",")[0] for row in ledger.read_text().splitlines()[1:]}
    named = held[0].rsplit(": ", 1)[1].split(", ")
    assert named
    assert set(named) <= declared


@pytest.mark.parametrize(
    "name",
    [
        "es003_trailing_zeros.csv",
        "es003_unquoted_comma.csv",
        "es003_unquoted_goods_value.csv",
        "es003_short_row.csv",
        "es003_payee_dashes.csv",
    ],
)
def test_the_testers_files_are_identical(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_outputs([DATA / name], tmp_path, capsys)


def test_entries_rejected_whole_are_named_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entries the reader rejects whole are in no declaration and not in the screening report:
    the summary names them and the problems file has a row naming each, on both engines."""
    _, code, out = same_outputs([DATA / "es003_rejected_whole.csv"], tmp_path, capsys)
    assert code == 1
    assert (
        "Not screened, not declared: 2 entries rejected whole by the reader (no entry was built "
        "from their rows; see the problems): 31600000017, 31600000033"
    ) in out
    with (tmp_path / "entry.problems.csv").open(newline="") as f:
        named = [
            r["entry_number"] for r in csv.DictReader(f) if r["code"] == "ENTRY_REJECTED_WHOLE"
        ]
    assert named == ["31600000017", "31600000033"]
    report = next((tmp_path / "entry").glob("screening_*.csv"))
    with report.open(newline="") as f:
        screened = [r["entry_number"] for r in csv.DictReader(f)]
    # Every entry number of the input is screened or named as rejected whole.
    assert sorted([*screened, *named]) == [
        "31600000017",
        "31600000025",
        "31600000033",
        "31600000041",
    ]


def test_many_entries_rejected_whole_are_named_then_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (DATA / "es003_rejected_whole.csv").read_text().splitlines()
    first, second = lines[1], lines[3]  # entry 31600000017's rows naming the importer two ways
    rows = [lines[0]]
    for i in range(27):
        number = f"316{i:08d}"
        rows += [r.replace("31600000017", number) for r in (first, second)]
    path = tmp_path / "conflicts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, _, out = same_outputs([path], tmp_path, capsys)
    numbers = [f"316{i:08d}" for i in range(27)]
    assert "27 entries rejected whole" in out
    assert ", ".join(numbers[:25]) + " and 2 more" in out


def test_no_entry_rejected_whole_says_nothing_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, out = same_outputs([DATA / "es003_trailing_zeros.csv"], tmp_path, capsys)
    assert "rejected whole" not in out


def test_a_generated_file_is_identical_and_mostly_columnar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=11)
    engine, _, _ = same_outputs([path], tmp_path, capsys)
    assert "computed in columns" in engine


@pytest.mark.parametrize("seed", range(12))
def test_damaged_files_are_identical(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader's fuzz rounds (junk cells, repeats, conflicts, check digits, blank rows),
    split over 1-3 files, some tab-separated or workbooks (read whole by the per-entry reader)."""
    paths, kind = damaged_files(seed, tmp_path / "in")
    engine, _, _ = same_outputs(paths, tmp_path, capsys)
    read_whole = kind != "csv"
    assert all(
        (f"{p.name} read whole by the per-entry reader: " in engine) == read_whole for p in paths
    )


@pytest.mark.parametrize("keep", [4, 1], ids=["header-only", "no-header"])
def test_an_empty_or_unreadable_file_ends_the_same(
    keep: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No data rows or no header: the same status, message and files either way."""
    path = tmp_path / "short.csv"
    lines = sample_es003().read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:keep]), encoding="utf-8")
    runs = [
        _cape(capsys, [path], tmp_path / engine, "--engine", engine) for engine in ("bulk", "entry")
    ]
    assert runs[0][0] == runs[1][0] == (1 if keep == 4 else 2)  # a header alone: t68/03
    assert runs[0][2] == runs[1][2]  # the same message on stderr
    assert _written(tmp_path / "bulk") == _written(tmp_path / "entry")


def test_two_files_with_one_name_are_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample twice under one name: the bulk engine has the reader read both whole."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    copies = [tmp_path / d / "es003.csv" for d in ("a", "b")]
    for copy in copies:
        copy.write_bytes(sample_es003().read_bytes())
    engine, _, _ = same_outputs(copies, tmp_path, capsys)
    assert "its name is another file's" in engine


def test_the_bulk_engine_keeps_what_screen_gives_each_entry(tmp_path: Path) -> None:
    """``estimate(screenings=True)``: one screening per entry, equal to :func:`screen`'s on the
    entry itself (its messages and deadlines too), whichever path computed it; none unasked."""
    from datetime import date

    from ieepa_refund.bulk import estimate
    from ieepa_refund.cape import screen
    from ieepa_refund.es003 import stream_es003

    path = tmp_path / "es003.csv"
    bench.generate(path, 600, 4, seed=5)
    on = date(2026, 7, 1)
    found = estimate([path, sample_es003()], as_of=on, screenings=True)
    assert found.report.entries_bulk > found.report.entries_entry > 0  # both paths ran
    kept = found.screenings
    assert kept is not None
    entries = list(stream_es003(path, sample_es003()))
    assert sorted(kept) == sorted(e.entry_number for e in entries)
    for entry in entries:
        assert kept[entry.entry_number] == screen(entry, declared_on=on), entry.entry_number
    assert estimate(path, as_of=on).screenings is None


# --- the choice ---------------------------------------------------------------------------------


def _engine_line(capsys: pytest.CaptureFixture[str], out: Path, *args: str) -> str:
    assert main(["cape", str(sample_es003()), "--out", str(out), *args]) in (0, 1)
    return next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Engine: "))


def test_auto_takes_bulk_unless_an_option_is_not_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _engine_line(capsys, tmp_path / "a").startswith("Engine: bulk, columnar on polars; auto")
    line = _engine_line(capsys, tmp_path / "b", "--delimiter", ",")
    assert line.startswith("Engine: entry, the per-entry path; auto: the bulk engine cannot")
    assert "--delimiter" in line
    line = _engine_line(capsys, tmp_path / "c", "--engine", "entry")
    assert line == "Engine: entry, the per-entry path; chosen with --engine entry"
    # The per-entry path with --delimiter writes what the bulk engine writes without it.
    assert _written(tmp_path / "a") == _written(tmp_path / "b")


def test_bulk_refuses_what_it_cannot_read_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["cape", str(sample_es003()), "--out", str(tmp_path), "--engine", "bulk",
         "--delimiter", ","]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "--engine bulk cannot produce --delimiter" in err
    assert not any(tmp_path.iterdir())  # refused before any file is written


def test_bulk_without_polars_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )
    code = main(["cape", str(sample_es003()), "--out", str(tmp_path / "x"), "--engine", "bulk"])
    assert code == 2
    assert "pip install 'ieepa-refund[bulk]'" in capsys.readouterr().err
    line = _engine_line(capsys, tmp_path / "y")
    # The lean engine needs no extra and gives what cape writes (test_cli_lean_engine.py).
    assert line.startswith("Engine: lean")
    assert "polars is not installed" in line
