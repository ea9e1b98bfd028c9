"""Integrity of every shipped data file, and the data shipped inside the wheel."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import DATA_VERSIONS, Registry, hts
from ieepa_refund.dates import federal_holidays

ROOT = Path(__file__).parents[1]
DATA = ROOT / "src" / "ieepa_refund" / "data"
SETS = sorted(p.parent.name for p in DATA.glob("*/MANIFEST.json"))


def _manifest(name: str) -> dict[str, object]:
    return json.loads((DATA / name / "MANIFEST.json").read_text(encoding="utf-8"))


def _rows(name: str, file: str) -> list[dict[str, str]]:
    with (DATA / name / file).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_data_sets_exist() -> None:
    assert SETS == [
        "cape_messages",
        "cape_rules",
        "cape_timing",
        "federal_closures",
        "htsus_ch99",
        "interest_rates",
    ]


@pytest.mark.parametrize("name", SETS)
def test_manifest_lists_every_file_with_its_checksum(name: str) -> None:
    manifest = _manifest(name)
    files = manifest["files"]
    assert isinstance(files, dict)
    on_disk = {p.name for p in (DATA / name).iterdir() if p.name != "MANIFEST.json"}
    assert set(files) == on_disk
    for file, meta in files.items():
        data = (DATA / name / file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"], (
            f"{file}: run tools/refresh_manifest.py"
        )
        assert len(_rows(name, file)) == meta["rows"]
    for key in ("data_version", "retrieved", "coverage"):
        assert manifest[key]


@pytest.mark.parametrize("name", SETS)
def test_every_row_is_sourced(name: str) -> None:
    for file in _manifest(name)["files"]:  # type: ignore[union-attr]
        for number, row in enumerate(_rows(name, file), start=2):
            source = row.get("source") or row.get("source_url") or ""
            assert source.strip(), f"{file} row {number} has no source"


def test_ieepa_headings_sorted_dated_and_not_overlapping() -> None:
    rows = _rows("htsus_ch99", "ieepa_headings.csv")
    keys = [(r["heading"], r["effective_from"]) for r in rows]
    assert keys == sorted(keys)
    by_heading: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        assert hts.format(row["heading"]) == row["heading"]
        by_heading.setdefault(row["heading"], []).append(row)
        if not row["effective_from"]:
            assert row["kind"] == "informational", (
                f"{row['heading']}: undated rows are informational"
            )
            continue
        start, end = (
            date.fromisoformat(row["effective_from"]),
            date.fromisoformat(row["effective_to"]),
        )
        assert start < end, row["heading"]
        assert end <= date(2026, 2, 24), "IEEPA collection ended for entries on or after 2026-02-24"
    for heading, periods in by_heading.items():
        dated = [p for p in periods if p["effective_from"]]
        for before, after in itertools.pairwise(dated):
            assert before["effective_to"] <= after["effective_from"], heading
    assert len(by_heading) == 170  # 168 real headings and 2 named only in note text


def test_headings_fall_in_ieepa_blocks() -> None:
    registry = Registry.load()
    for heading in registry.headings:
        block = registry.authority(heading)
        assert block is not None, heading
        assert block.ieepa, heading


def test_rate_and_kind_agree() -> None:
    for row in _rows("htsus_ch99", "ieepa_headings.csv"):
        if row["kind"] in ("exemption", "exception"):
            assert row["rate_percent"] == "0", row["heading"]
        if row["kind"] == "duty":
            assert row["rate_percent"], row["heading"]


def test_interest_rates_contiguous_and_consistent_with_6621() -> None:
    rows = _rows("interest_rates", "overpayment_rates.csv")
    coverage = _manifest("interest_rates")["coverage"]
    assert isinstance(coverage, dict)
    assert rows[0]["effective_from"] == coverage["from"]
    assert rows[-1]["effective_to"] == coverage["to"]
    for before, after in itertools.pairwise(rows):
        assert before["effective_to"] == after["effective_from"]
    for row in rows:
        start, end = (
            date.fromisoformat(row["effective_from"]),
            date.fromisoformat(row["effective_to"]),
        )
        assert (start.day, start.month % 3) == (1, 1), (
            "a quarter starts on the 1st of Jan/Apr/Jul/Oct"
        )
        assert 89 <= (end - start).days <= 92
        non, corp = (
            Decimal(row["overpayment_noncorporate_pct"]),
            Decimal(row["overpayment_corporate_pct"]),
        )
        # 26 U.S.C. 6621(a)(1): short-term rate + 3 (non-corporate), + 2 (corporate), + 0.5 (over $10,000)
        assert non - corp == 1
        assert non - Decimal(row["overpayment_corporate_over_10k_pct"]) == Decimal("2.5")
        assert Decimal(row["underpayment_pct"]) == non  # 6621(a)(2): short-term rate + 3


def test_cape_rules_are_known_dated_and_do_not_overlap() -> None:
    from ieepa_refund.cape.rules import RULE_NAMES

    rows = _rows("cape_rules", "rules.csv")
    spans: dict[tuple[str, str], list[tuple[date, date]]] = {}
    for row in rows:
        assert row["rule"] in RULE_NAMES
        assert row["code"]
        assert row["message"]
        assert row["cbp_text"] in ("0", "1")
        assert row["confidence"] in ("confirmed", "likely", "low")
        start = date.fromisoformat(row["effective_from"])
        end = date.fromisoformat(row["effective_to"]) if row["effective_to"] else date.max
        assert start < end
        spans.setdefault((row["rule"], row["value"]), []).append((start, end))
    for key, periods in spans.items():
        for (_, end), (start, _) in itertools.pairwise(sorted(periods)):
            assert end <= start, key
    # Single-valued rules have one row in force at a time.
    for name in ("lookback_days", "recon_flag", "finally_liquidated", "cape_open"):
        periods = sorted(p for (rule, _), ps in spans.items() if rule == name for p in ps)
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end <= start, name


def test_data_versions_match_the_manifests() -> None:
    assert dict(DATA_VERSIONS) == {name: _manifest(name)["data_version"] for name in SETS}


def test_federal_closures_are_sorted_dated_weekdays_with_their_order() -> None:
    rows = _rows("federal_closures", "closures.csv")
    days = [date.fromisoformat(row["date"]) for row in rows]
    assert days == sorted(set(days)), "one row per day, oldest first"
    for day, row in zip(days, rows, strict=True):
        assert day.weekday() < 5, f"{day}: a closure on a weekend closes nothing"
        assert day not in federal_holidays(day.year), f"{day} is already a legal holiday"
        assert "Executive Order" in row["authority"], day
    assert days[0] == date(2025, 1, 9)  # E.O. 14133: national day of mourning, President Carter


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], check=False, capture_output=True, text=True, cwd=cwd
    )
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_wheel_ships_the_data_and_loads_it(tmp_path: Path) -> None:
    """Build the wheel, install it into a clean virtual environment and load the data from it."""
    _run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        tmp_path / "dist",
        ROOT,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in SETS:
        for file in [*_manifest(name)["files"], "MANIFEST.json"]:  # type: ignore[misc]
            assert f"ieepa_refund/data/{name}/{file}" in names
    env_dir = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
    )
    # The dependencies come from this environment's site-packages as a plain path entry,
    # so this project's editable install (a .pth there) stays out of the clean environment.
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    script = (
        "import ieepa_refund, pathlib, sys\n"
        "from ieepa_refund.registry import default_registry\n"
        "from ieepa_refund.interest import default_rate_table\n"
        "from ieepa_refund._resources import data_dir\n"
        "assert pathlib.Path(ieepa_refund.__file__).is_relative_to(sys.prefix), ieepa_refund.__file__\n"
        "assert str(data_dir('htsus_ch99')).startswith(sys.prefix), data_dir('htsus_ch99')\n"
        "print(default_registry().data_version, len(default_registry().headings))\n"
        "print(default_rate_table().data_version)\n"
        "from ieepa_refund.cape import default_cape_rules\n"
        "print(default_cape_rules().data_version)\n"
        "from ieepa_refund.refund import default_federal_closures\n"
        "print(len(default_federal_closures()))\n"
        "from ieepa_refund._resources import shipped\n"
        "assert str(shipped('examples', 'sample_es003.csv')).startswith(sys.prefix)\n"
    )
    out = _run(python, "-c", script, cwd=tmp_path)
    assert out.split() == [
        _manifest("htsus_ch99")["data_version"],
        "170",
        _manifest("interest_rates")["data_version"],
        _manifest("cape_rules")["data_version"],
        str(_manifest("federal_closures")["files"]["closures.csv"]["rows"]),  # type: ignore[index]
    ]
    assert "ieepa_refund/examples/sample_es003.csv" in names
    # The files `ieepa-refund demo --reconcile` reads, beside the sample they match.
    for name in ("ledger", "claims", "rev615", "rev603", "deposits"):
        assert f"ieepa_refund/examples/sample_{name}.csv" in names
    assert "ieepa_refund/data/cape_messages/messages.csv" in names


def test_cape_timing_loads_and_agrees_with_the_statute() -> None:
    from ieepa_refund import default_cape_timing
    from ieepa_refund.cape.deadlines import RELIQUIDATION_DAYS

    rows = {row["parameter"]: row for row in _rows("cape_timing", "timing.csv")}
    assert set(rows) == {
        "liquidation_after_acceptance",
        "reliquidation_after_liquidation",
        "payment_after_acceptance",
    }
    for row in rows.values():
        assert row["confidence"] in ("confirmed", "likely", "low")
        low, high = row["range_low"], row["range_high"]
        if low:
            assert int(low) <= int(row["days"]) <= int(high)
    timing = default_cape_timing()
    # 19 U.S.C. 1501: the expected reliquidation is the last day CBP may reliquidate on its own.
    assert timing.reliquidation_after_liquidation_days == RELIQUIDATION_DAYS
    # CSMS #68340863: "within 45 days of CAPE acceptance"; brokers: money 60 to 90 days after.
    assert timing.liquidation_after_acceptance_days == 45
    assert timing.payment_after_acceptance_range == (60, 90)
