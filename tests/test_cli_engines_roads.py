"""``estimate`` with its roads (the default): the bulk engine and the per-entry path give the
command's outputs byte for byte, the road columns and the summary's roads and payments too.

The roads read the entry's screening facts, its declaration (file and date) and whether its
refund is zero; its interest to the expected (re)liquidation reads its amounts. So the files
here hold entries on every road: unliquidated, liquidated inside and past the look-back,
inside and past the protest window, protested, declared in a ledger with and without a
declaration date (and resubmitted), with the options that move the roads.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cape._ledger import cape_opens
from ieepa_refund.cli import main

pytest.importorskip("polars")

from .test_bulk import MUTATIONS, bench, damaged_file, fuzz
from .test_bulk_roads import declared_before, t62_files
from .test_cli_engines import same_outputs


def _numbers(path: Path) -> list[str]:
    """The entry numbers of a generated file, in file order, each once (a spreadsheet's
    ="..." wrapping taken off, as the reader takes it off)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    at = next(i for i, r in enumerate(rows) if "Entry Summary Number" in r)
    column = rows[at].index("Entry Summary Number")
    cells = (r[column] for r in rows[at + 1 :] if len(r) > column and r[column])
    return list(dict.fromkeys(c.removeprefix('="').removesuffix('"') for c in cells))


def _ledger(path: Path, numbers: list[str], declared_by: date, seed: int) -> Path:
    """A dated ledger naming a third of the entries: some with a date (some early, inside the
    look-back then, some the day of the run), some undated, some resubmitted."""
    rng = random.Random(seed)
    rows = [("entry_number", "declaration_file", "declared_on")]
    opens = cape_opens()
    assert opens is not None
    for i, number in enumerate(rng.sample(numbers, len(numbers) // 3)):
        day = declared_by - timedelta(days=rng.choice((0, 30, 90, 200, 300)))
        # No declaration predates CAPE (the reader refuses one): undated before it opened.
        when = "" if i % 3 == 0 or declared_by < opens else max(day, opens).isoformat()
        rows.append((number, f"cape_{i % 4:03d}.csv", when))
        if i % 7 == 0:  # failed by CBP and declared again: the latest file stands
            rows.append((number, f"cape_again_{i:03d}.csv", when))
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("--as-of", "2026-04-15"),
        ("--as-of", "2026-11-28"),
        ("--declared-on", "2026-03-01"),
        ("--liquidation-after-days", "30"),
        ("--method", "recalculate"),
        ("--corporate", "--deposit", "pms"),
        ("--project", "--as-of", "2027-03-01"),
    ],
)
def test_the_bundled_sample_with_roads_is_identical(
    flags: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = same_outputs([sample_es003()], tmp_path, capsys, *flags, roads=True)
    assert engine.startswith("Engine: bulk")


def test_the_sample_ledger_is_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled ledger: a closed entry declared without a date, others declared."""
    ledger = sample_es003().with_name("sample_ledger.csv")
    same_outputs(
        [sample_es003()], tmp_path, capsys, "--ledger", str(ledger), "--project", roads=True
    )


@pytest.mark.parametrize(
    ("as_of", "seed", "kinds"),
    # Before CAPE opens every entry is on CAPE later; then the look-back, protest window
    # and undated ledger rows put entries on more roads (4 by 2026-11-28: closed windows).
    [("2026-04-15", 1, 1), ("2026-07-01", 2, 2), ("2026-09-30", 3, 3), ("2026-11-28", 4, 4)],
)
def test_a_generated_file_with_a_ledger_is_identical_on_every_road(
    as_of: str, seed: int, kinds: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Generated entries liquidate 200-300 days after entry (2025-09 to 2025-11) or not at
    all: across these dates they are inside the look-back, past it in the protest window,
    and past that, and a third of them are in the ledger."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=seed)
    ledger = _ledger(tmp_path / "ledger.csv", _numbers(path), date.fromisoformat(as_of), seed)
    engine = same_outputs(
        [path], tmp_path, capsys, "--as-of", as_of, "--ledger", str(ledger), roads=True
    )
    assert "by the per-entry path" in engine
    out = (tmp_path / "bulk" / "refunds.csv").read_text(encoding="utf-8")
    roads = {row["road"] for row in csv.DictReader(out.splitlines())}
    assert len(roads) >= kinds, roads  # the file covers the roads of its date


def test_declared_entries_take_the_ledger_date_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tester t61's repro 04: run for --declared-on 2026-12-01 as of 2026-11-28, an entry
    unliquidated and declared 2026-09-01 per the ledger expects 09-01's dates, overdue."""
    es003, ledger = declared_before(tmp_path)
    flags = ("--as-of", "2026-11-28", "--declared-on", "2026-12-01", "--ledger", str(ledger))
    same_outputs([es003], tmp_path, capsys, *flags, roads=True)
    out = (tmp_path / "bulk" / "refunds.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(out.splitlines()) if r["entry_number"] == "31691000033")
    # Expected to liquidate 2026-10-16, passed unseen: overdue, no date forecast (h71: no
    # longer the passed dates 2026-10-16 and 2026-11-15).
    assert (row["expected_liquidation"], row["expected_payment"]) == ("", "")
    assert row["interest_to_expected"] == ""
    assert "overdue" in row["next_action"]


def test_a_generated_file_declared_before_the_road_date_is_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As of one day, for a later declaration date, with dated ledger rows up to 300 days
    before: unliquidated entries declared long enough ago are overdue on both engines."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 2_000, 4, seed=6)
    ledger = _ledger(tmp_path / "ledger.csv", _numbers(path), date(2026, 11, 28), 6)
    flags = ("--as-of", "2026-11-28", "--declared-on", "2026-12-01", "--ledger", str(ledger))
    engine = same_outputs([path], tmp_path, capsys, *flags, roads=True)
    assert "computed in columns" in engine
    out = (tmp_path / "bulk" / "refunds.csv").read_text(encoding="utf-8")
    assert "overdue" in out


def test_overdue_and_cape_liquidated_entries_are_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tester t62's repros 01 and 02: the summary counts the overdue entries on the roads
    lines, no payment is forecast before the as-of date, a liquidation after the declaration
    is CAPE's own (interest 92.85 to it), on both engines, byte for byte."""
    es003, ledger = t62_files(tmp_path)
    flags = ("--as-of", "2026-11-28", "--declared-on", "2026-12-01", "--ledger", str(ledger))
    same_outputs([es003], tmp_path, capsys, *flags, roads=True)
    # Run again to read the summary (same_outputs compared both engines' bytes).
    main(["estimate", str(es003), "--engine", "entry", "--out", str(tmp_path / "o.csv"), *flags])
    summary = capsys.readouterr().out
    assert "OVERDUE: 2 declared entries (principal 2,000.00)" in summary
    assert "2 CAPE entries overdue (see above), date unknown: principal 2,000.00" in summary
    payments = [line for line in summary.splitlines() if line.startswith("  12-3456789AB")]
    assert payments == [
        "  12-3456789AB     2026-10-01            1,000.00        92.85       1,092.85       "
        "1  2026-11-28"
    ]
    text = (tmp_path / "o.csv").read_text(encoding="utf-8")
    rows = {r["entry_number"]: r for r in csv.DictReader(text.splitlines())}
    assert rows["31600060011"]["interest_to_expected"] == ""
    assert rows["31600060052"]["interest_to_expected"] == "92.85"
    assert rows["31600060052"]["expected_liquidation"] == "2026-10-01"


def test_a_ledger_date_before_cape_opened_stops_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """t62 01: a ledger row "declared" 2025-05-01, before CAPE opened, is refused naming it."""
    es003, ledger = t62_files(tmp_path, (("31600060060", "", "UNLIQUIDATED", "2025-05-01"),))
    for engine in ("bulk", "entry"):
        code = main(
            ["estimate", str(es003), "--engine", engine, "--as-of", "2026-11-28",
             "--ledger", str(ledger), "--out", str(tmp_path / f"{engine}.csv")]
        )  # fmt: skip
        err = capsys.readouterr().err
        assert code != 0
        assert "row 2, column 3 (declared_on): declared on 2025-05-01, before CAPE opened" in err


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_kind_of_damage_with_roads_is_identical(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = damaged_file(name, tmp_path, seed=11, rows_damaged=25)
    ledger = _ledger(tmp_path / "ledger.csv", _numbers(path), date(2026, 7, 1), 5)
    same_outputs([path], tmp_path, capsys, "--ledger", str(ledger), roads=True)


@pytest.mark.parametrize("seed", range(8))
def test_damaged_files_with_roads_are_identical(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader's fuzz rounds, split over 1-3 files (as test_cli_engines), with roads."""
    rng = random.Random(seed)
    rows = fuzz.damage(rng, fuzz.clean_rows(rng, rng.randint(3, 12)))
    kind = {3: "tsv"}.get(seed % 4, "csv")
    paths = fuzz.write_files(rows, tmp_path / "in", kind, rng.randint(1, 3), "x")
    same_outputs(paths, tmp_path, capsys, roads=True)


@pytest.mark.parametrize(
    ("as_of", "declared_on"),
    # t63/03's dates; a scheduled date between the as-of and declaration dates (a schedule to
    # the refund, a contradiction to the screening); the as-of date after the declaration.
    [("2026-11-28", "2026-12-01"), ("2026-11-28", "2027-04-20"), ("2026-12-20", "2026-11-01")],
)
def test_an_open_status_with_a_later_liquidation_date_is_identical(
    as_of: str, declared_on: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An open status with a liquidation date after the run's date is a scheduled liquidation
    (LIQUIDATION_SCHEDULED): the bulk engine sends it to the per-entry path, same bytes."""
    path = tmp_path / "es.csv"
    rows = (Path(__file__).parent / "data" / "es003_scheduled_liquidation.csv").read_text()
    # And a date between the two: after one of the run's dates, on or before the other.
    between = "31600011055,1,01,12-3456789AB,ACME,2704,06/02/2025,06/12/2025,N,11/30/2026,"
    path.write_text(f"{rows}{between}UNLIQUIDATED,,CN,,1,99030125,,1000.00,,\n")
    flags = ("--as-of", as_of, "--declared-on", declared_on)
    same_outputs([path], tmp_path, capsys, *flags, roads=True)
