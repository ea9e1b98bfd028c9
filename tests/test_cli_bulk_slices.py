"""``estimate --engine bulk`` gathers its rows from the bulk table a slice at a time, in the
reader's order, each with its road by its place in the table: any slice size writes the bytes
of one pass, which are the per-entry path's (``same_outputs`` compares the two engines)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import sample_es003

pytest.importorskip("polars")

from ieepa_refund.cli import _engines

from .test_bulk import bench
from .test_cli_engines import same_outputs


def _outputs(folder: Path) -> tuple[bytes, bytes]:
    return (folder / "refunds.csv").read_bytes(), (folder / "problems.csv").read_bytes()


@pytest.mark.parametrize("roads", [False, True])
def test_rows_gathered_a_few_at_a_time_are_the_rows_of_one_pass(
    roads: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generated = tmp_path / "es003.csv"
    bench.generate(generated, 300, 4, seed=5)
    # The sample after the generated file: the reader's order is not the table's (entry
    # numbers), so each slice gathers rows from all over the table.
    files = [generated, sample_es003()]
    same_outputs(files, tmp_path / "one", capsys, roads=roads)
    one = _outputs(tmp_path / "one" / "bulk")
    with (tmp_path / "one" / "bulk" / "refunds.csv").open(newline="", encoding="utf-8") as f:
        numbers = [row[0] for row in csv.reader(f)][1:]
    assert numbers != sorted(numbers)
    assert len(numbers) > 3 * 7
    for size in (1, 2, 7):
        monkeypatch.setattr(_engines, "_SLICE_ROWS", size)
        same_outputs(files, tmp_path / str(size), capsys, roads=roads)
        assert _outputs(tmp_path / str(size) / "bulk") == one


def test_the_bulk_engine_leaves_the_payments_out_only_when_told() -> None:
    """``payments=False`` (the command's: its payments are the roads') changes nothing else."""
    from ieepa_refund.bulk import estimate

    kept = estimate(sample_es003(), as_of=date(2026, 7, 1), roads=True)
    left = estimate(sample_es003(), as_of=date(2026, 7, 1), roads=True, payments=False)
    assert kept.payments is not None
    assert len(kept.payments.payments) > 0
    assert left.payments is None
    assert left.entries.equals(kept.entries)
    assert left.order.equals(kept.order)
    assert left.roads == kept.roads
    assert left.report == kept.report
