"""``estimate``'s per-entry path on lean figures gives the very outputs of full refunds.

Without JSON rows (the only output with per-tariff detail) the per-entry path computes each
entry with ``compute_figures``. Each case runs the command twice on the per-entry path, as it
is and with ``compute_refund`` forced in its place, and compares stdout, stderr, the exit
status, the ``--out`` file and the ``--problems`` file byte for byte. No polars needed: this
is the path of a plain ``pip install ieepa-refund``.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ieepa_refund import compute_figures, compute_refund, sample_es003
from ieepa_refund.cli import _engines, main
from ieepa_refund.cli._output import counted
from tests.reference_job import bench, fuzz  # the generators, loaded without polars

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-07-01"


def _contents(path: Path) -> Any:
    if not path.exists():
        return None
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:  # docProps/core.xml holds the time it was written
            return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}
    return path.read_bytes()


def _counting(function: Any, calls: dict[str, int], name: str) -> Any:
    def counted(*args: Any, **kw: Any) -> Any:
        calls[name] += 1
        return function(*args, **kw)

    return counted


def same_on_figures_and_refunds(
    files: list[Path],
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *flags: str,
    out: str = "refunds.csv",
) -> int:
    """Assert both runs write the same bytes; return the number of entries computed."""
    runs = {}
    for forced in (False, True):
        calls = {"figures": 0, "refund": 0}
        figures = _counting(compute_figures, calls, "figures")
        refund = _counting(compute_refund, calls, "refund")
        folder = tmp / ("refund" if forced else "figures")
        folder.mkdir(parents=True)
        with monkeypatch.context() as patch:
            patch.setattr(_engines, "compute_figures", refund if forced else figures)
            patch.setattr(_engines, "compute_refund", refund)
            code = main(
                ["estimate", *map(str, files), "--as-of", AS_OF, "--engine", "entry",
                 "--out", str(folder / out), "--problems", str(folder / "problems.csv"), *flags]
            )  # fmt: skip
        captured = capsys.readouterr()
        runs[forced] = (
            code,
            captured.out,
            captured.err,
            _contents(folder / out),
            _contents(folder / "problems.csv"),
            dict(calls),
        )
    lean, full = runs[False], runs[True]
    assert lean[:5] == full[:5]
    # The lean run computed no full refund; the forced one computed only full refunds.
    assert lean[5]["refund"] == 0
    assert full[5]["figures"] == 0
    assert lean[5]["figures"] == full[5]["refund"]
    return int(lean[5]["figures"])


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("--no-roads",),
        ("--method", "recalculate"),
        ("--corporate", "--deposit", "pms"),
        ("--project", "--as-of", "2027-03-01", "--declared-on", "2026-09-01"),
    ],
)
def test_the_bundled_sample_is_identical(
    flags: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert same_on_figures_and_refunds([sample_es003()], tmp_path, capsys, monkeypatch, *flags)


def test_the_xlsx_rows_are_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openpyxl")
    files = [sample_es003()]
    assert same_on_figures_and_refunds(files, tmp_path, capsys, monkeypatch, out="refunds.xlsx")


def test_a_generated_file_is_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "es003.csv"
    entries = bench.generate(path, 2_000, 4, seed=29)
    computed = same_on_figures_and_refunds([path], tmp_path, capsys, monkeypatch)
    assert computed == entries


@pytest.mark.parametrize("seed", range(12))
def test_damaged_files_are_identical(
    seed: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader's fuzz rounds (junk cells, repeats, conflicts, check digits, blank rows),
    split over 1-3 files, some tab-separated."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    kind = "tsv" if seed % 3 == 2 else "csv"
    paths = fuzz.write_files(rows, tmp_path / "in", kind, rng.randint(1, 3), "x")
    same_on_figures_and_refunds(paths, tmp_path, capsys, monkeypatch)


def test_json_rows_still_carry_the_full_refund(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .json --out needs per-tariff detail: the per-entry path computes full refunds then."""
    used: list[str] = []
    monkeypatch.setattr(_engines, "compute_figures", lambda *a, **k: used.append("figures"))

    def refund(*args: Any, **kw: Any) -> Any:
        used.append("refund")
        return compute_refund(*args, **kw)

    monkeypatch.setattr(_engines, "compute_refund", refund)
    out = tmp_path / "refunds.json"
    main(
        ["estimate", str(sample_es003()), "--as-of", AS_OF, "--engine", "entry", "--out", str(out)]
    )
    capsys.readouterr()
    assert used
    assert set(used) == {"refund"}
    assert '"detail": {' in out.read_text()


def test_deposit_histories_give_the_same_segmented_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--duty-deposits: segmented interest (19 CFR 24.36(a)(1)) and an unattached history."""
    deposits = tmp_path / "deposits.csv"
    deposits.write_text(
        "Entry Number,Kind,Date,Amount\n"
        '316-1000011-4,deposit,06/12/2025,"4,500.00"\n'
        '316-1000011-4,supplemental,09/02/2025,"1,000.00"\n'
        "999-0000000-1,deposit,06/12/2025,10.00\n",
        encoding="utf-8",
    )
    flags = ("--duty-deposits", str(deposits))
    assert same_on_figures_and_refunds(
        [sample_es003()], tmp_path / "runs", capsys, monkeypatch, *flags
    )


def test_counts_say_one_thing_in_the_singular() -> None:
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(0, "file", "files") == "0 files"
    assert counted(12_345, "row", "rows") == "12,345 rows"


def test_one_entry_from_one_file_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ES-003 of one entry's rows: no "1 entries" or "file(s)" in what the command says."""
    with sample_es003().open(newline="", encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if "Entry Summary Number" in line)
    number = lines[header + 1].split(",")[0]
    one = [*lines[: header + 1], *(x for x in lines[header + 1 :] if x.startswith(number + ","))]
    path = tmp_path / "one.csv"
    path.write_text("".join(one), encoding="utf-8")
    main(["estimate", str(path), "--as-of", AS_OF, "--engine", "entry"])
    out = capsys.readouterr().out
    assert "entries from 1 file" not in out
    assert "1 entry from 1 file" in out
    assert "1 entries" not in out
    assert "file(s)" not in out
