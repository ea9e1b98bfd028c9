"""``reconcile``'s estimated money says what it leaves out (t68/13): it adds an entry's interest
only where known, so the line counts the entries whose interest is unknown, and why."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main

EXAMPLES = Path(__file__).parents[1] / "src" / "ieepa_refund" / "examples"


def test_the_estimated_line_counts_the_entries_whose_interest_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reconciled.csv"
    argv = [
        "reconcile", str(sample_es003()), "--ledger", str(EXAMPLES / "sample_ledger.csv"),
        "--claims", str(EXAMPLES / "sample_claims.csv"),
        "--refunds", str(EXAMPLES / "sample_rev615.csv"),
        "--as-of", "2026-11-28", "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 1  # failed entries: the exit status, as before
    printed = capsys.readouterr().out
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    unknown = [
        r
        for r in rows
        if not r["interest_estimate"] and r["principal_estimate"]
        and Decimal(r["principal_estimate"]) > 0
    ]  # fmt: skip
    # The sample's unliquidated entries with a refund: 5, each without a liquidation date.
    assert len(unknown) == 5
    assert all(not r["liquidation_date"] for r in unknown)
    (line,) = [x for x in printed.splitlines() if x.startswith("  estimated ")]
    assert line.endswith(
        "  (interest unknown for 5 entries, not in this figure: 5 not yet liquidated, their "
        "interest running to a date not yet set: see estimate, to --as-of and on its roads to "
        "the expected (re)liquidation)"
    )
    # The figure itself is the sum of what is known, as before.
    known = sum(
        (Decimal(r["principal_estimate"]) + Decimal(r["interest_estimate"] or 0))
        for r in rows
        if r["principal_estimate"]
    )
    assert f"{known:,}" in line
