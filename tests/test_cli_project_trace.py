"""``estimate --project`` leaves a trace (t68/07): the summary's assumptions say the last rate is
carried past the rate table's end, and every row whose interest used days past it, its own
interest or its road's interest to the expected (re)liquidation, carries RATE_PROJECTED, the
same on both engines."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main
from ieepa_refund.interest import default_rate_table

pytest.importorskip("polars")

from .test_cli_engines import same_outputs

#: The last day the bundled rate table covers: past it a figure is projected.
LAST = date.fromordinal(default_rate_table().covers_to.toordinal() - 1)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _past(cell: str) -> bool:
    return bool(cell) and date.fromisoformat(cell) > LAST


@pytest.mark.parametrize("as_of", ["2026-12-01", "2027-03-01"])
def test_rows_whose_interest_ran_past_the_table_say_rate_projected_on_both_engines(
    as_of: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_outputs([sample_es003()], tmp_path, capsys, "--project", "--as-of", as_of, roads=True)
    rows = _rows(tmp_path / "bulk" / "refunds.csv")
    projected = [
        r
        for r in rows
        if Decimal(r["principal"]) > 0
        and (
            (r["interest"] and _past(r["interest_until"]))
            or (r["interest_to_expected"] and _past(r["expected_liquidation"]))
        )
    ]
    assert projected, "the sample has entries whose interest runs past the table"
    for row in rows:
        flagged = "RATE_PROJECTED" in row["warnings"].split()
        assert flagged == (row in projected), row["entry_number"]


def test_the_summary_says_the_last_rate_is_carried_forward_only_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["estimate", str(sample_es003()), "--as-of", "2026-12-01"]
    main([*args, "--project"])
    projected = capsys.readouterr().out
    main(args)
    plain = capsys.readouterr().out
    (assumptions,) = [line for line in projected.splitlines() if line.startswith("Assumptions:")]
    assert assumptions.endswith(
        f"; interest past {LAST.isoformat()} (the rate table's end) at the last known rate "
        "carried forward (--project; those entries flagged RATE_PROJECTED)"
    )
    assert "RATE_PROJECTED 3" in projected  # the summary's warning counts take the road's too
    assert "carried forward (--project" not in plain
    assert "RATE_PROJECTED" not in plain
