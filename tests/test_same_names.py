"""Two inputs of one run with the same file name (``sub/x.csv``, ``x.csv``): their problems were
named ``x.csv`` alike and could not be told apart (t46). Where names collide, each is named by
its path as given; a file alone keeps its file name."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund import read_es003, sample_es003
from ieepa_refund.cli import main


def _two(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "sub").mkdir()
    inner, outer = tmp_path / "sub" / "x.csv", tmp_path / "x.csv"
    inner.write_bytes(sample_es003().read_bytes())
    outer.write_bytes(sample_es003().read_bytes())
    return inner, outer


def test_the_reader_names_files_sharing_a_name_by_their_paths(tmp_path: Path) -> None:
    inner, outer = _two(tmp_path)
    got = read_es003(inner, outer)
    assert [f.file for f in got.files] == [str(inner), str(outer)]
    assert {p.file for p in got.problems} == {str(inner), str(outer)}
    alone = read_es003(inner, sample_es003())
    assert [f.file for f in alone.files] == ["x.csv", sample_es003().name]


@pytest.mark.parametrize("engine", ["entry", "bulk"])
def test_the_commands_problems_tell_such_files_apart(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if engine == "bulk":
        pytest.importorskip("polars")
    inner, outer = _two(tmp_path)
    problems = tmp_path / "problems.csv"
    main(
        ["estimate", str(inner), str(outer), "--as-of", "2026-07-01", "--engine", engine,
         "--problems", str(problems)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert f"Columns of {inner}:" in err
    assert f"Columns of {outer}:" in err
    with problems.open(newline="") as f:
        files = {r["file"] for r in csv.DictReader(f)}
    assert files == {str(inner), str(outer)}


@pytest.mark.parametrize(
    "command",
    [
        ["estimate", "{a}", "{b}"],
        ["cape", "{a}", "{b}", "--out", "{out}", "--declared-on", "2026-07-01"],
        ["reconcile", "{a}", "--deposits", "{b}"],
    ],
)
def test_one_file_given_twice_is_refused_naming_both_spellings(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``x.csv`` and ``./x.csv`` are one file: read twice, its every entry was rejected as
    repeated across files, its problems named alike (t51 M1). It is refused up front."""
    monkeypatch.chdir(tmp_path)
    Path("x.csv").write_bytes(sample_es003().read_bytes())
    argv = [a.format(a="x.csv", b="./x.csv", out=str(tmp_path / "out")) for a in command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "x.csv and x.csv: one file given twice; give it once" in err
    assert not (tmp_path / "out").exists()


def test_a_hard_link_to_an_input_is_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "x.csv"
    first.write_bytes(sample_es003().read_bytes())
    second = tmp_path / "y.csv"
    second.hardlink_to(first)
    assert main(["estimate", str(first), str(second), "--as-of", "2026-07-01"]) == 2
    assert "one file given twice" in capsys.readouterr().err
