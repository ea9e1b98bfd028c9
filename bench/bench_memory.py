"""Memory held per imported Entry and per EntryRefund, measured with tracemalloc.

    python bench/bench_memory.py [--rows 50000] [--rows-per-entry 4]

Reads a synthetic ES-003 (the same generator and seed as bench_pipeline.py), keeps every
entry, then computes and keeps every refund (interest to 2026-07-01), and reports the bytes
traced per entry and per refund, and what the entries and refunds of a million-row file
(210,527 entries at 4 rows an entry) would hold at that rate. Caches are warmed first so that
what is shared by all entries (the registry, the rate table) is not counted against them.
Then where a refund's bytes go: what it allocated, grouped by the line that allocated it
(the result classes built by ``_trusted.builder`` show as ``<build ClassName>``), per refund.

This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

from bench_pipeline import generate

ENTRIES_AT_1M_ROWS = 210_527


def measure(path: Path, *, top: int = 0) -> dict[str, Any]:
    from ieepa_refund import compute_figures, compute_refund, default_rate_table, default_registry
    from ieepa_refund.es003 import read_es003

    registry, rates, until = default_registry(), default_rate_table(), date(2026, 7, 1)
    for entry in read_es003(path).entries:  # warm every cache on the same data, then forget it
        compute_refund(entry, registry=registry, rates=rates, interest_until=until)
        compute_figures(entry, registry=registry, rates=rates, interest_until=until)
    gc.collect()
    tracemalloc.start()
    imported = read_es003(path)
    gc.collect()
    held_entries = tracemalloc.get_traced_memory()[0]
    before = tracemalloc.take_snapshot() if top else None
    refunds = [
        compute_refund(e, registry=registry, rates=rates, interest_until=until)
        for e in imported.entries
    ]
    gc.collect()
    held_all = tracemalloc.get_traced_memory()[0]
    after = tracemalloc.take_snapshot() if top else None
    # The lean figures (compute_figures) of the same entries, beside the full refunds.
    figures = [
        compute_figures(e, registry=registry, rates=rates, interest_until=until)
        for e in imported.entries
    ]
    gc.collect()
    held_figures = tracemalloc.get_traced_memory()[0] - held_all
    tracemalloc.stop()
    assert len(figures) == len(refunds)
    count = len(imported.entries)
    assert len(refunds) == count
    breakdown = []
    if before is not None and after is not None:
        for stat in after.compare_to(before, "lineno")[:top]:
            frame = stat.traceback[0]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            if frame.filename.startswith("<build "):
                where = frame.filename  # every instance of one class: its object and values
            breakdown.append((where, stat.size_diff / count, stat.count_diff / count))
    return {
        "breakdown": breakdown,
        "entries": count,
        "entry_kb": held_entries / count / 1024,
        "refund_kb": (held_all - held_entries) / count / 1024,
        "at_1m_rows_mb": held_all / count * ENTRIES_AT_1M_ROWS / 2**20,
        "pair_b": held_all / count,
        "figures_kb": held_figures / count / 1024,
        "figures_at_1m_rows_mb": (held_entries + held_figures) / count * ENTRIES_AT_1M_ROWS / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rows-per-entry", type=int, default=4)
    parser.add_argument("--top", type=int, default=12, help="lines of the refund's breakdown")
    parser.add_argument(
        "--file",
        type=Path,
        help="measure this ES-003 instead of generating one (--rows and --rows-per-entry are "
        "then ignored). Equal amounts are shared across entries, so the bytes an entry holds "
        "fall as a file grows: the figure at 1M rows is best measured on a 1M-row file",
    )
    args = parser.parse_args(argv)
    if args.file is not None:
        found = measure(args.file, top=args.top)
        rows = f"{args.file.name}:"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "es003.csv"
            generate(path, args.rows, args.rows_per_entry)
            found = measure(path, top=args.top)
        rows = f"{args.rows:,} rows,"
    print(
        f"{rows} {found['entries']:,} entries: {found['entry_kb']:.1f} KB per Entry "
        f"(with the import's report), {found['refund_kb']:.1f} KB per EntryRefund; the entries "
        f"and refunds of 1M rows ({ENTRIES_AT_1M_ROWS:,} entries) would hold "
        f"{found['at_1m_rows_mb']:,.0f} MiB = {found['at_1m_rows_mb'] * 2**20 / 1e9:.3f} GB "
        f"({found['pair_b']:,.0f} bytes an entry and its refund)"
    )
    print(
        f"{found['figures_kb']:.2f} KB per RefundFigures (compute_figures); the entries and "
        f"figures of 1M rows would hold {found['figures_at_1m_rows_mb']:,.0f} MiB"
    )
    if found["breakdown"]:
        print("what one EntryRefund holds, by the line that allocated it (bytes, blocks):")
        for where, size, blocks in found["breakdown"]:
            print(f"  {size:7.0f} B {blocks:6.2f}  {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
