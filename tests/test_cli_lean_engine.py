"""``--engine lean``: the lean engine and the per-entry path give the command's outputs byte for byte.

Each case runs ``estimate --no-roads``, ``estimate`` with the roads (or ``cape``) twice,
``--engine lean`` and ``--engine entry``, and compares stdout (but its ``Engine:`` line, which names the engine, and the
folder's name), stderr, the exit status, the ``--out`` file (or every file of the ``cape``
folder: declarations, manifest, screening report) and the ``--problems`` file byte for
byte. The files: the sample, generated ones (bench.generate), each kind of damage the lean
rules must leave to the per-entry path (MUTATIONS), the reader's fuzz rounds. Then the
choice: what ``auto`` takes without polars, and what ``lean`` refuses. No polars needed.
"""

from __future__ import annotations

import csv
import importlib.util
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main
from tests.reference_job import MUTATIONS, ROOT, bench, damaged_file, fuzz, zeroed_file

AS_OF = "2026-07-01"

Run = tuple[int, str, str, dict[str, bytes]]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _estimate(
    capsys: pytest.CaptureFixture[str], files: list[Path], folder: Path, *flags: str
) -> Run:
    code = main(
        ["estimate", *map(str, files), "--as-of", AS_OF, "--out", str(folder / "refunds.csv"),
         "--problems", str(folder / "problems.csv"), *flags]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err, _files(folder)


def _cape(capsys: pytest.CaptureFixture[str], files: list[Path], folder: Path, *flags: str) -> Run:
    problems = folder.parent / f"{folder.name}.problems.csv"
    code = main(
        ["cape", *map(str, files), "--out", str(folder), "--declared-on", AS_OF,
         "--problems", str(problems), *flags]
    )  # fmt: skip
    captured = capsys.readouterr()
    written = _files(folder)
    if problems.exists():
        written["--problems"] = problems.read_bytes()
    return code, captured.out, captured.err, written


def _engine_line(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.startswith("Engine: ")]
    assert len(lines) == 1, "the engine is named once"
    return lines[0]


def same_outputs(
    command: str, files: list[Path], tmp: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[str, Run]:
    """Assert both engines write the same bytes; return (the lean Engine line, the entry run)."""
    runs: dict[str, Run] = {}
    for engine in ("lean", "entry"):
        folder = tmp / engine
        if command in ("estimate", "roads"):
            folder.mkdir(parents=True, exist_ok=True)
            roads = () if command == "roads" else ("--no-roads",)
            runs[engine] = _estimate(capsys, files, folder, *roads, "--engine", engine, *flags)
        else:
            runs[engine] = _cape(capsys, files, folder, "--engine", engine, *flags)
    lean, entry = runs["lean"], runs["entry"]

    def plain(run: Run, engine: str) -> tuple[str, str]:
        out = "".join(
            line for line in run[1].splitlines(keepends=True) if not line.startswith("Engine: ")
        )
        return out.replace(str(tmp / engine), "OUT"), run[2].replace(str(tmp / engine), "OUT")

    assert lean[0] == entry[0]  # the exit status
    assert plain(lean, "lean") == plain(entry, "entry")  # the summary; every problem on stderr
    assert lean[3].keys() == entry[3].keys()
    for name, data in entry[3].items():
        assert lean[3][name] == data, name
    assert _engine_line(entry[1]).startswith("Engine: entry, the per-entry path")
    line = _engine_line(lean[1])
    assert line.startswith("Engine: lean, the bulk engine's rules in pure Python; chosen with")
    return line, entry


def _split(line: str) -> tuple[int, int]:
    found = re.search(
        r"([\d,]+) entr(?:y|ies) computed by its rules, ([\d,]+) by the per-entry", line
    )
    assert found is not None, line
    by_rules, per_entry = (int(n.replace(",", "")) for n in found.groups())
    return by_rules, per_entry


#: ``roads``: ``estimate`` with each entry's road (the command's default).
COMMANDS = ("estimate", "roads", "cape")


@pytest.mark.parametrize("command", COMMANDS)
def test_the_bundled_sample_is_identical(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line, (code, out, _, written) = same_outputs(command, [sample_es003()], tmp_path, capsys)
    assert "9 entries computed by its rules, 6 by the per-entry path" in line
    assert code == 1  # the sample's deliberate faults
    if command == "cape":
        # One filer code, three importers: a set of files each, one of check-digit failures.
        assert sum(n.startswith("cape_") and n.endswith(".csv") for n in written) == 4
        assert any(n.startswith("screening_") for n in written)
        assert "Screened 15 entries: 8 eligible" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_a_generated_file_is_identical_and_mostly_by_the_rules(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=11)
    line, _ = same_outputs(command, [path], tmp_path, capsys)
    by_rules, per_entry = _split(line)
    assert by_rules > 4 * per_entry


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_kind_of_damage_is_identical(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    path = damaged_file(name, tmp_path / "in", seed=11, rows_damaged=25)
    same_outputs(command, [path], tmp_path, capsys)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "name", sorted(p.name for p in (Path(__file__).parent / "data").glob("es003_*.csv"))
)
def test_the_testers_files_are_identical(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows cut short or shifted by an unquoted comma, entries rejected whole, scheduled
    liquidations, mixed filers, plaintiffs, summary statuses, payees spelt two ways."""
    same_outputs(command, [Path(__file__).parent / "data" / name], tmp_path, capsys)


def _fuzzed(seed: int, folder: Path) -> tuple[list[Path], str]:
    """The reader's fuzz rounds of ``seed`` over 1-3 files: CSV, or for some seeds
    tab-separated or workbooks (as test_cli_engines.damaged_files, which needs polars)."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    kind = {3: "tsv", 2: "xlsx"}.get(seed % 4, "csv")
    if kind == "xlsx":
        pytest.importorskip("openpyxl")
    folder.mkdir(parents=True, exist_ok=True)
    return fuzz.write_files(rows, folder, kind, rng.randint(1, 3), "x"), kind


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("seed", range(12))
def test_damaged_files_are_identical(
    seed: int, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths, _ = _fuzzed(seed, tmp_path / "in")
    same_outputs(command, paths, tmp_path, capsys)


@pytest.mark.parametrize("command", COMMANDS)
def test_entries_whose_ieepa_duties_are_all_zero_are_identical(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every other entry's duties 0.00, beside entries with the same facts (rule
    no_ieepa_duty: the lean rules once screened them by the first one's duty)."""
    path, _ = zeroed_file(tmp_path, 2)
    line, _ = same_outputs(command, [path], tmp_path, capsys)
    assert _split(line)[0] > 0


@pytest.mark.parametrize(
    "flags",
    [
        ("--method", "recalculate"),
        ("--corporate", "--deposit", "pms"),
        ("--project", "--as-of", "2027-03-01"),
    ],
)
@pytest.mark.parametrize("command", ["estimate", "roads"])
def test_the_estimate_options_are_honoured_identically(
    command: str, flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    bench.generate(path, 300, 4, seed=5)
    line, _ = same_outputs(command, [path, sample_es003()], tmp_path, capsys, *flags)
    # Recalculation reads rate text: the per-entry path's alone.
    assert (_split(line)[0] == 0) == (flags[1] == "recalculate")


@pytest.mark.parametrize(
    "flags",
    [
        ("--check-digits", "skip"),
        ("--check-digits", "keep", "--filer-code", "316"),
        ("--plaintiff", "11-0087109AB", "--declared-on", "2026-12-01"),
        # Before CAPE opened; past the interest table (interest ends at the declaration
        # date: the rules leave such entries to the per-entry path); far past it.
        ("--declared-on", "2026-03-01"),
        ("--declared-on", "2027-09-01"),
        ("--declared-on", "2031-01-01"),
    ],
)
def test_the_declaration_options_are_honoured_identically(
    flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_outputs("cape", [sample_es003()], tmp_path, capsys, *flags)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_forced_delimiter_is_the_readers(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A semicolon file read with --delimiter ';' (the lean engine is the per-entry reader):
    the same bytes as the comma file's; forced to ',' it is not read, on both engines alike."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 300, 4, seed=3)
    semicolons = tmp_path / "semicolons.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with semicolons.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows(rows)
    _, comma = same_outputs(command, [path], tmp_path / "comma", capsys)
    _, forced = same_outputs(command, [semicolons], tmp_path / "forced", capsys, "--delimiter", ";")
    assert forced[0] == comma[0]
    if command != "cape":
        assert forced[3]["refunds.csv"] == comma[3]["refunds.csv"]
    # Forced to ',' the file has no header the reader knows: exit 2, the same message.
    wrong = []
    for engine in ("lean", "entry"):
        folder = tmp_path / "wrong" / engine
        folder.mkdir(parents=True)
        run = _estimate if command != "cape" else _cape
        flags = ("--no-roads",) if command == "estimate" else ()
        wrong.append(
            run(
                capsys, [semicolons], folder / "out", "--engine", engine, "--delimiter", ",", *flags
            )
        )
    assert wrong[0][0] == wrong[1][0] == 2
    assert wrong[0][2] == wrong[1][2]


def test_a_ledger_is_read_and_appended_to_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first run declares and appends to the ledger; a second one skips what it holds."""
    ledgers = {}
    runs = {}
    for engine in ("lean", "entry"):
        ledger = tmp_path / f"{engine}.ledger.csv"
        for run in ("first", "second"):
            code, _, err, written = _cape(
                capsys, [sample_es003()], tmp_path / run / engine, "--engine", engine,
                "--ledger", str(ledger), "--new-ledger",
            )  # fmt: skip
            assert code == 1
            assert ("skipped" in err) == (run == "second")
            runs[run, engine] = {k: v for k, v in written.items() if k != "--problems"}
        ledgers[engine] = ledger.read_bytes()
    assert ledgers["lean"] == ledgers["entry"]
    for run in ("first", "second"):
        assert runs[run, "lean"]
        assert runs[run, "lean"] == runs[run, "entry"]


@pytest.mark.parametrize("declared_on", ["2026-07-01", "2026-10-15"])
def test_roads_read_a_ledger_identically(
    declared_on: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger written by ``cape`` puts its entries on the declared roads: the same rows,
    road columns and money by road on both engines, on the declaration date and later."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 600, 4, seed=8)
    ledger = tmp_path / "ledger.csv"
    code, *_ = _cape(
        capsys, [path], tmp_path / "cape", "--engine", "entry", "--ledger", str(ledger),
        "--new-ledger",
    )  # fmt: skip
    assert code in (0, 1)
    assert ledger.exists()
    line, (_, _, _, written) = same_outputs(
        "roads", [path], tmp_path / "roads", capsys, "--ledger", str(ledger),
        "--declared-on", declared_on,
    )  # fmt: skip
    assert _split(line)[0] > 0
    assert b"DECLARED" in written["refunds.csv"].upper()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("keep", [4, 1], ids=["header-only", "no-header"])
def test_an_empty_or_unreadable_file_ends_the_same(
    keep: int, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No data rows (exit 1) or no header (exit 2): the same status, message and files."""
    path = tmp_path / "short.csv"
    lines = sample_es003().read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:keep]), encoding="utf-8")
    runs = []
    for engine in ("lean", "entry"):
        folder = tmp_path / engine
        folder.mkdir()
        run = _estimate if command != "cape" else _cape
        flags = ("--no-roads",) if command == "estimate" else ()
        runs.append(run(capsys, [path], folder / "out", "--engine", engine, *flags))
    assert runs[0][0] == runs[1][0] == (1 if keep == 4 else 2)
    assert runs[0][2] == runs[1][2]  # the same message on stderr
    assert runs[0][3] == runs[1][3]


def test_xlsx_output_is_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    books = {}
    for engine in ("lean", "entry"):
        book = tmp_path / engine / "refunds.xlsx"
        book.parent.mkdir()
        main(["estimate", str(sample_es003()), "--as-of", AS_OF, "--no-roads", "--engine", engine,
              "--out", str(book)])  # fmt: skip
        with zipfile.ZipFile(book) as z:
            # docProps/core.xml holds the time the workbook was written: not the engine's doing.
            books[engine] = {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
    capsys.readouterr()
    assert books["lean"] == books["entry"]


# --- the choice ---------------------------------------------------------------------------------


@pytest.fixture
def no_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    """polars looked for and not found, as the command looks for it."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )


def _chosen(capsys: pytest.CaptureFixture[str], tmp: Path, command: str, *flags: str) -> str:
    args = ["--out", str(tmp / "cape")] if command == "cape" else []
    code = main([command, str(sample_es003()), "--as-of" if command == "estimate" else
                 "--declared-on", AS_OF, *args, *flags])  # fmt: skip
    assert code in (0, 1)
    return _engine_line(capsys.readouterr().out)


@pytest.mark.usefixtures("no_polars")
def test_auto_without_polars_takes_lean_where_it_gives_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = "auto: polars is not installed; the lean engine gives every output asked for"
    line = _chosen(capsys, tmp_path / "a", "cape")
    assert line.startswith(f"Engine: lean, the bulk engine's rules in pure Python; {said}; ")
    line = _chosen(capsys, tmp_path, "estimate", "--no-roads")
    assert line.startswith(f"Engine: lean, the bulk engine's rules in pure Python; {said}; ")
    # --delimiter is the reader's: the lean engine takes it.
    assert _chosen(capsys, tmp_path / "b", "cape", "--delimiter", ",").startswith("Engine: lean")
    # With the roads (the default) too.
    line = _chosen(capsys, tmp_path, "estimate")
    assert line.startswith(f"Engine: lean, the bulk engine's rules in pure Python; {said}; ")
    # JSON rows, deposit histories: the per-entry path, and why.
    json_out = str(tmp_path / "rows.json")
    line = _chosen(capsys, tmp_path, "estimate", "--no-roads", "--out", json_out)
    assert line.startswith("Engine: entry")
    assert "the lean engine cannot produce JSON rows" in line
    # The same declarations as the per-entry path's.
    _chosen(capsys, tmp_path / "c", "cape", "--engine", "entry")
    assert _files(tmp_path / "a" / "cape") == _files(tmp_path / "c" / "cape")


def test_auto_with_polars_keeps_the_bulk_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    assert _chosen(capsys, tmp_path, "cape").startswith("Engine: bulk")
    assert _chosen(capsys, tmp_path, "estimate", "--no-roads").startswith("Engine: bulk")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--json",), "JSON rows"),
        (("--no-roads", "--json"), "JSON rows"),
        (("--no-roads", "--out", "rows.json"), "JSON rows"),
        (("--no-roads", "--duty-deposits", "deposits.csv"), "--duty-deposits"),
    ],
)
def test_lean_refuses_what_it_cannot_produce_naming_it(
    flags: tuple[str, ...],
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deposits.csv").write_text("entry_number\n", encoding="utf-8")
    code = main(["estimate", str(sample_es003()), "--as-of", AS_OF, "--engine", "lean", *flags])
    assert code == 2
    err = capsys.readouterr().err
    assert f"--engine lean cannot produce {named}" in err
    assert "use --engine entry or auto" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deposits.csv"]  # nothing written


def test_the_command_runs_the_lean_engine_without_polars(tmp_path: Path) -> None:
    """polars made unimportable: ``cape``, ``estimate --no-roads`` and ``estimate`` (with the
    roads) run the lean engine, and polars is never imported."""
    code = (
        "import sys; sys.modules['polars'] = None\n"
        "from ieepa_refund.cli import main\n"
        "from ieepa_refund.es003 import sample_es003\n"
        f"a = main(['cape', str(sample_es003()), '--out', {str(tmp_path / 'c')!r}])\n"
        "b = main(['estimate', str(sample_es003()), '--no-roads', '--as-of', '2026-07-01'])\n"
        "c = main(['estimate', str(sample_es003()), '--as-of', '2026-07-01'])\n"
        "assert sys.modules['polars'] is None\n"
        "print(a, b, c)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "1 1 1"  # the sample's deliberate faults
    engines = [line for line in lines if line.startswith("Engine: ")]
    assert len(engines) == 3
    assert all(line.startswith("Engine: lean") for line in engines)
    assert all("auto: polars is not installed" in line for line in engines)
