"""reconcile when CBP's (re)liquidation date is past the interest-rate table (t65/10).

CBP reliquidated on 2027-01-15, past the shipped table (it covers days up to 2026-12-31), and
reported the interest with the last known rate carried into 2027 (1,000.00 -> 115.29, checked
with the tester's independent daily loop). Without ``--project`` the interest cannot be
recomputed to CBP's date: the difference stays unexplained (it is not verified) but says why and
what to do; with ``--project`` it is explained by the end date, and the first line says the rate
was carried forward.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund.cli import main
from ieepa_refund.interest import default_rate_table

DATA = Path(__file__).parent / "data" / "reconcile_past_rates"


def _run(tmp_path: Path, *extra: str) -> tuple[int, list[dict[str, str]]]:
    out = tmp_path / "rec.csv"
    argv = [
        "reconcile", str(DATA / "es.csv"), "--ledger", str(DATA / "ledger.csv"),
        "--claims", str(DATA / "claims.csv"), "--refunds", str(DATA / "rev615.csv"),
        "--as-of", "2027-02-01", "--out", str(out), *extra,
    ]  # fmt: skip
    rc = main(argv)
    with out.open(newline="", encoding="utf-8") as f:
        return rc, list(csv.DictReader(f))


def test_without_project_the_difference_names_the_rate_table_and_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, rows = _run(tmp_path)
    printed = capsys.readouterr().out
    assert rc == 1
    assert "Unexplained differences: 4 entries" in printed
    assert f"interest rates {default_rate_table().data_version}" in printed
    assert "carried" not in printed
    for row in rows:
        assert row["interest_cause"] == "unexplained"
        assert "could not be recomputed (no interest rate for 2027-01-01" in row["notes"]
        assert "pass --project" in row["notes"]


def test_with_project_cbps_figures_are_the_end_date_and_the_run_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, rows = _run(tmp_path, "--project")
    printed = capsys.readouterr().out
    assert "Unexplained differences: 0 entries" in printed
    assert "the last rate carried past 2026-12-31 (--project)" in printed
    assert {row["interest_cause"] for row in rows} == {"end_date"}
    assert not any("could not be recomputed" in row["notes"] for row in rows)
