"""Fuzzing the ES-003 reader with a fixed budget: broken, shuffled and split files.

The generator and the checks are in ``tools/fuzz_es003.py``, which runs the same
rounds for as long as asked; here a fixed set of seeds keeps the suite
deterministic and under a few seconds.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

TOOL = Path(__file__).parent.parent / "tools" / "fuzz_es003.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_es003", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fuzz = _load()


@pytest.mark.parametrize(("kind", "rounds"), [("csv", 60), ("tsv", 60), ("xlsx", 15)])
def test_fuzzed_files_read_without_crash_and_counts_add_up(kind: str, rounds: int) -> None:
    """Generated broken files (xlsx fewer: openpyxl is slow): only results or InputFileError,
    counts that add up, and the same entries, problems and totals when the rows are shuffled
    and split over several files."""
    rows = fuzz.run(range(rounds), kinds=(kind,))
    assert rows > 8 * rounds  # the rounds did read data, not only refuse it


def test_the_fuzz_finds_every_kind_of_damage(tmp_path: Path) -> None:
    """The generator reaches what it is meant to test: incomplete entries, merged repeats,
    conflicts, check digits; otherwise the rounds above would prove little."""
    codes: set[str] = set()
    for seed in range(40):
        case = fuzz.make_round(seed, ("csv",))
        result = fuzz.read(fuzz.write_files(case.rows, tmp_path / str(seed), "csv", 1, "x"))
        if result is not None:
            codes.update(p.code for p in result.problems)
    assert codes >= {
        "BAD_VALUE",
        "DUPLICATE_ROW",
        "INCOMPLETE_ENTRY",
        "BAD_CHECK_DIGIT",
        "CONFLICTING_ROWS",
    }


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_never_depend_on_row_order_or_file_split(seed: int) -> None:
    """Any generated file, shuffled and split over 1-3 files of another format: the same
    entries, counts, problems (apart from file and row) and refund totals."""
    fuzz.run([seed], kinds=("csv", "tsv"))


def test_the_long_fuzz_script_runs_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert fuzz.main(["--seconds", "5", "--seed", "3", "--rounds", "2", "--formats", "csv"]) == 0
    assert "2 rounds" in capsys.readouterr().out
