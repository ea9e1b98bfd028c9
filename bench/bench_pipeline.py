"""Time the whole job on a synthetic ES-003, against a bare csv.reader pass over the same file.

    python bench/bench_pipeline.py [--rows 1000000] [--rows-per-entry 4] [--keep FILE] [--roads]

The job: import (read_es003), refunds with interest (compute_refund), payments
(consolidate), CAPE screening (screen) and declarations (write_declarations); then the same
job on the lean engine (``ieepa_refund.bulk.lean.stream``: the same reader, the bulk engine's
rules in pure Python, the per-entry path for the rest), which needs no extra.
``--roads`` adds a stage: the same stream with each entry's road (``entry_road``,
as ``ieepa-refund estimate`` computes it beside the refund), the roads timed alone.
The file is generated with a fixed seed, so runs are comparable. Peak memory
is the process's maximum resident set size, measured in a fresh subprocess
per stage so one stage's memory does not hide another's.

This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ieepa_refund.entry_number import calc_check_digit

HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Importer Name", "Port of Entry Code", "Entry Date", "Entry Summary Date", "Reconciliation Indicator",
    "Liquidation Date", "Liquidation Status", "Protest Number", "Country of Origin Code", "Line SPI Code",
    "Tariff Ordinal Number", "HTS Number - Full", "Line Tariff Goods Value Amount", "Line Tariff Duty Amount",
    "Line Tariff Quantity (1)", "Line Tariff UOM (1) Code",
]  # fmt: skip

# (country, IEEPA headings with their rate in percent) in force on 2025-09-15.
PROFILES = [
    ("CN", [("9903.01.24", 20), ("9903.01.25", 10)]),
    ("VN", [("9903.02.69", 20)]),
    ("IN", [("9903.01.84", 25), ("9903.02.26", 25)]),
    ("DE", [("9903.02.20", 15)]),
    ("BR", [("9903.01.77", 40), ("9903.02.09", 10)]),
    ("CA", [("9903.01.10", 35)]),
    ("MX", [("9903.01.01", 25)]),
    ("TW", [("9903.02.60", 20)]),
]
IORS = [f"{n:02d}-{n * 7919 % 10_000_000:07d}AB" for n in range(10, 60)]


def generate(path: Path, rows: int, rows_per_entry: int, seed: int = 2026) -> int:
    """Write a synthetic ES-003 of about ``rows`` rows; return the number of entries."""
    rnd = random.Random(seed)
    written = entries = 0
    start = date(2025, 9, 15)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["ES-003 Entry Summary Line Tariff Details (synthetic benchmark data)"])
        out.writerow(HEADER)
        while written < rows:
            entries += 1
            first = f"316{entries:07d}"
            number = first + calc_check_digit(first)
            country, headings = PROFILES[entries % len(PROFILES)]
            entry_date = start + timedelta(days=rnd.randrange(0, 60))
            liquidated = rnd.random() < 0.6
            liq = (
                (entry_date + timedelta(days=rnd.randrange(200, 300))).strftime("%m/%d/%Y")
                if liquidated
                else ""
            )
            common = [
                number, None, "01", IORS[entries % len(IORS)], "SYNTHETIC IMPORTER", "2704",
                entry_date.strftime("%m/%d/%Y"), (entry_date + timedelta(days=9)).strftime("%m/%d/%Y"), "N",
                liq, "LIQUIDATED" if liquidated else "UNLIQUIDATED", "", country, "",
            ]  # fmt: skip
            line = 0
            while True:
                line += 1
                value = rnd.randrange(1_000, 200_000)
                tariffs = [(h, "", f"{value * rate / 100:.2f}") for h, rate in headings]
                tariffs.append(("8471300100", f"${value:,.2f}", "0.00"))
                for ordinal, (hts, val, duty) in enumerate(tariffs, start=1):
                    row = list(common)
                    row[1] = str(line)
                    out.writerow([*row, str(ordinal), hts, val, duty, "10", "NO"])
                    written += 1
                if written >= rows or line * len(tariffs) >= rows_per_entry:
                    break
    return entries


def bare_pass(path: Path) -> float:
    began = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as f:
        count = sum(1 for _ in csv.reader(f))
    elapsed = time.perf_counter() - began
    assert count > 0
    return elapsed


@dataclass(frozen=True, slots=True)
class Kept:
    """All the job keeps of an entry once it is refunded and screened."""

    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    interest: Decimal | None
    eligible: bool
    path: str = "entry"
    """Which path computed it (the lean engine's rows say; its declarations read it)."""
    importer_number: str = ""
    """The importer of record (the lean engine's declarations group by it)."""


def whole_job(path: Path, out_dir: Path) -> dict[str, float | int]:
    """Stream entries; refund and screen each as it completes; keep a slim record; then pay and declare.

    Each entry's figures only (``compute_figures``): the job keeps no per-line or per-quarter
    detail, so it asks for none (``bench_memory.py`` measures the full ``EntryRefund``)."""
    from ieepa_refund import compute_figures, consolidate, default_rate_table, default_registry
    from ieepa_refund.cape import screen, write_declarations
    from ieepa_refund.es003 import stream_es003

    as_of = declared_on = date(2026, 7, 1)
    registry, rates = default_registry(), default_rate_table()
    kept: list[Kept] = []
    began = time.perf_counter()
    stream = stream_es003(path)
    for entry in stream:
        refund = compute_figures(entry, registry=registry, rates=rates, interest_until=as_of)
        screening = screen(entry, declared_on=declared_on, registry=registry)
        kept.append(
            Kept(entry.entry_number, refund.payee, refund.liquidation_date, refund.principal,
                 refund.interest, screening.eligible, "entry", entry.importer_number)
        )  # fmt: skip
    marks: dict[str, float | int] = {"stream_refund_screen_s": time.perf_counter() - began}
    t = time.perf_counter()
    payments = consolidate(kept)
    marks["payments_s"] = time.perf_counter() - t
    t = time.perf_counter()
    # One set of files per filer code and importer of record, as the cape command writes them.
    eligible = [k for k in kept if k.eligible]
    batch = write_declarations(
        [k.entry_number for k in eligible],
        out_dir,
        importers={k.entry_number: k.importer_number for k in eligible},
    )
    marks["declarations_s"] = time.perf_counter() - t
    marks["total_s"] = time.perf_counter() - began
    marks["rows_read"] = stream.report.rows_read
    marks["entries"] = stream.report.entry_count
    marks["payments"] = len(payments)
    marks["declared"] = batch.count
    return marks


def lean_job(path: Path, out_dir: Path) -> dict[str, float | int]:
    """:func:`whole_job` on the lean engine: stream its rows, keep the same slim record, then
    pay and declare."""
    from ieepa_refund import consolidate
    from ieepa_refund.bulk import lean
    from ieepa_refund.bulk.lean import declare_rows

    as_of = date(2026, 7, 1)
    kept: list[Kept] = []
    began = time.perf_counter()
    stream = lean.stream(path, as_of=as_of)
    for row in stream:
        kept.append(
            Kept(row.entry_number, row.payee, row.liquidation_date, row.principal,
                 row.interest, row.eligible, row.path, row.importer_number)
        )  # fmt: skip
    marks: dict[str, float | int] = {"stream_refund_screen_s": time.perf_counter() - began}
    t = time.perf_counter()
    payments = consolidate(kept)
    marks["payments_s"] = time.perf_counter() - t
    t = time.perf_counter()
    batch = declare_rows(sorted(kept, key=lambda k: k.entry_number), out_dir)
    marks["declarations_s"] = time.perf_counter() - t
    marks["total_s"] = time.perf_counter() - began
    marks["rows_read"] = stream.report.rows_read
    marks["entries"] = stream.report.entry_count
    marks["entries_lean"] = stream.entries_lean
    marks["payments"] = len(payments)
    marks["declared"] = batch.count
    return marks


def roads_job(path: Path) -> dict[str, float | int]:
    """Stream entries; refund each and put it on its road as the command does; time the roads."""
    from collections import Counter

    from ieepa_refund import compute_refund, default_rate_table, default_registry
    from ieepa_refund.es003 import stream_es003
    from ieepa_refund.refund import RefundOptions
    from ieepa_refund.roads import default_cape_timing, entry_road

    as_of = declared_on = date(2026, 7, 1)
    registry, rates, timing = default_registry(), default_rate_table(), default_cape_timing()
    options = RefundOptions(interest_until=as_of)
    clock = time.perf_counter
    roads_s = 0.0
    counts: Counter[str] = Counter()
    began = clock()
    stream = stream_es003(path)
    for entry in stream:
        refund = compute_refund(entry, options=options, registry=registry, rates=rates)
        t = clock()
        road = entry_road(
            entry, refund, declared_on=declared_on, options=options, registry=registry,
            rates=rates, timing=timing,
        )  # fmt: skip
        roads_s += clock() - t
        counts[road.road.value] += 1
    marks: dict[str, float | int] = {"total_s": clock() - began, "roads_s": roads_s}
    marks["rows_read"] = stream.report.rows_read
    marks["entries"] = stream.report.entry_count
    marks.update({f"road_{name}": n for name, n in sorted(counts.items())})
    return marks


def _stage(stage: str, path: str) -> None:
    """Run one stage in this (fresh) process and print its figures as JSON."""
    if stage == "bare":
        figures: dict[str, float | int] = {"bare_s": bare_pass(Path(path))}
    elif stage == "roads":
        figures = roads_job(Path(path))
    elif stage == "lean":
        with tempfile.TemporaryDirectory() as out:
            figures = lean_job(Path(path), Path(out))
    else:
        with tempfile.TemporaryDirectory() as out:
            figures = whole_job(Path(path), Path(out))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rows-per-entry", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="keep the generated file here")
    parser.add_argument("--roads", action="store_true", help="also time each entry's road")
    parser.add_argument("--stage", choices=("bare", "job", "lean", "roads"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        _stage(args.stage, args.file)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "es003.csv"
        entries = generate(path, args.rows, args.rows_per_entry)
        size = path.stat().st_size / 1e6
        print(f"synthetic ES-003: {args.rows:,} rows, {entries:,} entries, {size:.0f} MB")
        results = {}
        for stage in ("bare", "job", "lean", *(("roads",) if args.roads else ())):
            done = subprocess.run(
                [sys.executable, __file__, "--stage", stage, "--file", str(path)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results[stage] = json.loads(done.stdout)
        bare, job = results["bare"], results["job"]
        ratio = job["total_s"] / bare["bare_s"]
        print(
            f"bare csv.reader pass: {bare['bare_s']:.2f} s, peak RSS {bare['peak_rss_mb']:.0f} MB"
        )
        print(
            f"whole job: {job['total_s']:.2f} s = {ratio:.1f}x the bare pass, peak RSS {job['peak_rss_mb']:.0f} MB "
            f"(import, refunds with interest and screening, streamed: {job['stream_refund_screen_s']:.2f} s; "
            f"payments {job['payments_s']:.2f} s; declarations {job['declarations_s']:.2f} s)"
        )
        print(
            f"{job['rows_read']:,} rows read, {job['entries']:,} entries, {job['payments']:,} payments, "
            f"{job['declared']:,} declared; {job['total_s'] / job['rows_read'] * 1e6:.1f} us per row"
        )
        lean = results["lean"]
        print(
            f"lean engine, the same job: {lean['total_s']:.2f} s = "
            f"{lean['total_s'] / bare['bare_s']:.1f}x the bare pass, peak RSS "
            f"{lean['peak_rss_mb']:.0f} MB (streamed: {lean['stream_refund_screen_s']:.2f} s; "
            f"payments {lean['payments_s']:.2f} s; declarations {lean['declarations_s']:.2f} s); "
            f"{lean['entries_lean']:,} of {lean['entries']:,} entries by the lean rules, "
            f"{lean['payments']:,} payments, {lean['declared']:,} declared"
        )
        if args.roads:
            roads = results["roads"]
            on = ", ".join(
                f"{k.removeprefix('road_')} {v:,}"
                for k, v in roads.items()
                if k.startswith("road_")
            )
            print(
                f"refunds and roads: {roads['total_s']:.2f} s = {roads['total_s'] / bare['bare_s']:.1f}x "
                f"the bare pass, peak RSS {roads['peak_rss_mb']:.0f} MB; the roads alone "
                f"{roads['roads_s']:.2f} s = {roads['roads_s'] / roads['entries'] * 1e6:.1f} us per "
                f"entry ({on})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
