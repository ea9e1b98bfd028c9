"""The bulk engine's roads are :func:`entry_roads`' on the same entries, field for field.

Drawn runs over generated files (tests/strategies.py ``road_runs``): declaration dates
before CAPE opens, inside and past the look-back and the protest window; a ledger naming
none, some or all entries, with and without dates; the expected liquidation moved; the
rate table's end crossed (no interest figure, or --project's).
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund import RefundOptions
from ieepa_refund.cape.declarations import read_ledger
from ieepa_refund.es003 import stream_es003
from ieepa_refund.roads import Road, default_cape_timing, entry_roads
from tests import strategies

pytest.importorskip("polars")

from ieepa_refund.bulk import estimate

from .test_bulk import bench


def _same_roads(path: Path, ledger: Path | None, declared_on: date, days: int, *, project: bool):
    options = RefundOptions(interest_until=declared_on, project=project)
    timing = default_cape_timing().model_copy(update={"liquidation_after_acceptance_days": days})
    read = read_ledger(ledger, declared_by=declared_on) if ledger else None
    got = estimate(
        [path], as_of=declared_on, options=options, roads=True, timing=timing, ledger=read
    )
    assert got.roads is not None
    entries = sorted(stream_es003(path), key=lambda e: e.entry_number)
    want = entry_roads(
        entries, declared_on=declared_on, options=options, timing=timing, ledger=read
    )
    assert [r.entry_number for r in got.roads] == [r.entry_number for r in want]
    for mine, theirs in zip(got.roads, want, strict=True):
        assert mine == theirs, mine.entry_number
    return got


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=strategies.road_runs())
def test_bulk_roads_are_entry_roads(
    run: tuple[int, date, int, float, bool], tmp_path: Path
) -> None:
    seed, declared_on, days, share, dated = run
    folder = tmp_path / str(seed)
    folder.mkdir(exist_ok=True)
    path = folder / "es003.csv"
    bench.generate(path, 240, 4, seed=seed)
    ledger = None
    if share:
        numbers = sorted({e.entry_number for e in stream_es003(path)})
        rng = random.Random(seed)
        rows = [("entry_number", "declaration_file", "declared_on")]
        for number in rng.sample(numbers, int(len(numbers) * share)):
            when = declared_on - timedelta(days=rng.randrange(0, 200))
            rows.append((number, f"cape_{rng.randrange(3)}.csv", when.isoformat() if dated else ""))
        ledger = folder / "ledger.csv"
        with ledger.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    project = declared_on > date(2026, 9, 30)  # past the table's end needs --project
    got = _same_roads(path, ledger, declared_on, days, project=project)
    assert got.report.entries_bulk > 0  # the columnar roads were compared, not only fallbacks


def test_interest_to_the_expected_date_past_the_rate_table_is_no_figure(tmp_path: Path) -> None:
    """Without --project, an expected date past the rate table has no interest figure on
    either path (and with it, the projected figure on both)."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 400, 4, seed=3)
    for project in (False, True):
        got = _same_roads(path, None, date(2026, 7, 1), 400, project=project)
        assert got.roads is not None
        # Unliquidated: expected 400 days after acceptance, 2027-08-05, past 2026's table.
        cape = [
            r
            for r in got.roads
            if r.road is Road.CAPE_NOW and r.principal > 0 and r.liquidation_date is None
        ]
        assert cape
        assert all(r.expected_liquidation == date(2027, 8, 5) for r in cape)
        assert all((r.interest is None) != project for r in cape)
