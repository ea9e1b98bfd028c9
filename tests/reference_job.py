"""The per-entry job written out plainly, and the damaged files, that the whole-file
engines (the bulk engine, the lean engine) are compared with: no polars needed here."""

from __future__ import annotations

import csv
import importlib.util
import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from ieepa_refund import RefundOptions, compute_refund, consolidate
from ieepa_refund.cape import screen, write_declarations
from ieepa_refund.es003 import stream_es003
from ieepa_refund.registry import is_ieepa_status

ROOT = Path(__file__).parent.parent
AS_OF = date(2026, 7, 1)


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fuzz = _load(ROOT / "tools" / "fuzz_es003.py", "fuzz_es003")
bench = _load(ROOT / "bench" / "bench_pipeline.py", "bench_pipeline")


def reference(
    paths: list[Path],
    out: Path,
    *,
    options: RefundOptions,
    declared_on: date = AS_OF,
    plaintiffs: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], Any, dict[str, bytes], Any]:
    """The per-entry job: (rows by entry number, payments, declaration bytes, report)."""
    stream = stream_es003(*paths)
    rows, refunds = [], []
    for entry in stream:
        refund = compute_refund(entry, options=options)
        shot = screen(entry, declared_on=declared_on, plaintiffs=plaintiffs)
        refunds.append(refund)
        rows.append(
            {
                "entry_number": entry.entry_number,
                "importer_number": refund.importer_number,
                "payee": refund.payee,
                "entry_type": entry.entry_type,
                "entry_date": entry.entry_date,
                "liquidation_date": refund.liquidation_date,
                "deposit_date": refund.deposit_date,
                "deposit_basis": refund.deposit_basis.value,
                "interest_until": refund.interest_until,
                "method": refund.method,
                "rounding": refund.rounding,
                "paid": refund.paid,
                "ieepa_duty_paid": sum(
                    (t.paid for t in refund.tariffs if is_ieepa_status(t.status)), Decimal("0.00")
                ),
                "owed": refund.owed,
                "principal": refund.principal,
                "principal_high": refund.principal_high,
                "interest": refund.interest,
                "warnings": " ".join(refund.warning_codes),
                "status": shot.status,
                "eligible": shot.eligible,
                "reasons": " ".join(shot.reason_codes),
                "data_version": refund.data_version,
                "rates_version": refund.rates_version,
                "rules_version": shot.rules_version,
            }
        )
    rows.sort(key=lambda r: r["entry_number"])
    eligible = [r["entry_number"] for r in rows if r["eligible"]]
    # One set of files per filer code and importer of record, as the cape command writes them.
    importers = {r["entry_number"]: r["importer_number"] for r in rows if r["eligible"]}
    write_declarations(eligible, out, importers=importers)
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    # The bulk engine keeps entries in entry-number order; a payment lists them in input order.
    refunds.sort(key=lambda r: r.entry_number)
    return rows, consolidate(refunds), files, stream.report


def _bench_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


#: Damage beyond the fuzz's: the facts the columnar rules must leave to the per-entry path.
MUTATIONS = {
    "rate text": ("Rate", "25%"),
    "missing IEEPA duty": ("Line Tariff Duty Amount", ""),
    "exemption heading": ("HTS Number - Full", "9903.01.32"),
    "15% all-in deal": ("HTS Number - Full", "9903.02.19"),
    "heading not in force": ("HTS Number - Full", "9903.01.01"),
    "amount with dollar sign": ("Line Tariff Duty Amount", "$1,234.50"),
    "wrapped entry number": ("Entry Summary Number", None),
    "recon flag": ("Reconciliation Indicator", "Y"),
    "protest": ("Protest Number", "270426100001"),
    "conflicting status": ("Liquidation Status", "UNLIQUIDATED"),
    "liquidated before entry": ("Liquidation Date", "01/01/2020"),
    "entry type 11": ("Entry Type Code", "11"),
    "ISO date": ("Entry Date", "2025-09-20"),
    "negative duty": ("Line Tariff Duty Amount", "-3.00"),
    "lower-case country": ("Country of Origin Code", "cn"),
    "deposit date": ("Deposit Date", "10/01/2025"),
    "notify party": ("Notify Party", "99-8877665AB"),
    "cancelled summary": ("Entry Summary Status", "CANCELLED"),
    "huge duty": ("Line Tariff Duty Amount", "999999999999.99"),
    "zero duty": ("Line Tariff Duty Amount", "0.00"),
    "deposit after liquidation": ("Deposit Date", "12/31/2026"),
    "liquidated past the rate table": ("Liquidation Date", "12/31/2027"),
    "two lines numbered alike": ("Entry Summary Line Number", "1"),
}


def damaged_file(name: str, folder: Path, *, seed: int, rows_damaged: int) -> Path:
    """A generated file with one kind of damage (MUTATIONS[name]) on ``rows_damaged`` rows,
    extra columns added as needed."""
    source = folder / "clean.csv"
    bench.generate(source, 400, 4, seed=seed)
    rows = _bench_rows(source)
    header = rows[1]
    column, value = MUTATIONS[name]
    if column not in header:
        header.append(column)
        for r in rows[2:]:
            r.append("")
    at = header.index(column)
    for r in random.Random(name).sample(rows[2:], rows_damaged):
        r[at] = f'="{r[at]}"' if value is None else value
    path = folder / "damaged.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def road_run_files(
    folder: Path, seed: int, declared_on: date, share: float, dated: bool
) -> tuple[Path, Path | None]:
    """A generated file (240 rows) and, when ``share`` > 0, a ledger declaring that share of
    its entries in one of three files, dated (never before CAPE opened) or not: the drawn
    runs (``strategies.road_runs``) the engines' roads are compared on."""
    from datetime import timedelta

    from ieepa_refund.cape._ledger import cape_opens

    folder.mkdir(exist_ok=True)
    path = folder / "es003.csv"
    bench.generate(path, 240, 4, seed=seed)
    if not share:
        return path, None
    numbers = sorted({e.entry_number for e in stream_es003(path)})
    rng = random.Random(seed)
    rows = [("entry_number", "declaration_file", "declared_on")]
    opens = cape_opens()
    assert opens is not None
    # No declaration predates CAPE (the reader refuses one): undated before it opened.
    dated = dated and declared_on >= opens
    for number in rng.sample(numbers, int(len(numbers) * share)):
        when = max(declared_on - timedelta(days=rng.randrange(0, 200)), opens)
        rows.append((number, f"cape_{rng.randrange(3)}.csv", when.isoformat() if dated else ""))
    ledger = folder / "ledger.csv"
    with ledger.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path, ledger


def same_roads(
    engine: Any, path: Path, ledger: Path | None, declared_on: date, days: int, *, project: bool
) -> Any:
    """``engine`` (a whole-file engine's ``estimate``) with ``roads=True``: its roads are
    ``entry_roads``' on the same entries, field for field; its result is returned."""
    from ieepa_refund.cape.declarations import read_ledger
    from ieepa_refund.roads import default_cape_timing, entry_roads

    options = RefundOptions(interest_until=declared_on, project=project)
    timing = default_cape_timing().model_copy(update={"liquidation_after_acceptance_days": days})
    read = read_ledger(ledger, declared_by=declared_on) if ledger else None
    got = engine([path], as_of=declared_on, options=options, roads=True, timing=timing, ledger=read)
    assert got.roads is not None
    entries = sorted(stream_es003(path), key=lambda e: e.entry_number)
    want = entry_roads(
        entries, declared_on=declared_on, options=options, timing=timing, ledger=read
    )
    assert [r.entry_number for r in got.roads] == [r.entry_number for r in want]
    for mine, theirs in zip(got.roads, want, strict=True):
        assert mine == theirs, mine.entry_number
    return got


def zeroed_file(folder: Path, seed: int, *, ieepa_only: bool = False) -> tuple[Path, set[str]]:
    """A generated file (400 rows) whose every other entry (by number) reports 0.00 of duty
    (with ``ieepa_only``, on its Chapter 99 rows alone), beside entries with the same own
    fields and their duty: (the file, the numbers zeroed). Screening's rule no_ieepa_duty
    tells them apart, so an engine keying screening by the entry's facts must too."""
    source = folder / "clean.csv"
    bench.generate(source, 400, 4, seed=seed)
    rows = _bench_rows(source)
    header = rows[1]
    number, hts, duty = (
        header.index(name)
        for name in ("Entry Summary Number", "HTS Number - Full", "Line Tariff Duty Amount")
    )
    zeroed = set(sorted({r[number] for r in rows[2:]})[::2])
    for r in rows[2:]:
        if r[number] in zeroed and (not ieepa_only or r[hts].startswith("9903")):
            r[duty] = "0.00"
    path = folder / "zeroed.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path, zeroed
