"""Fuzz the ES-003 reader with broken, shuffled and split files.

Each round generates a small ES-003 export (entries, lines, Chapter 99 and
Chapter 1-97 numbers), damages it as real exports are damaged (blank cells,
junk values, repeated rows with blanks, renamed spellings, ``01`` ordinals,
liquidation statuses without dates, wrong check digits), writes it as CSV,
tab-delimited text or ``.xlsx`` in one file, then again shuffled and split
over several files, and checks what must hold whatever the input:

- reading raises nothing but :class:`InputFileError`;
- ``rows_read == rows_used + rows_rejected`` and the problems account for
  every rejected row;
- the entries, the counts, the problems (apart from file and row) and the
  refund totals do not depend on the order of the rows or on the split.

The test suite runs :func:`run` for a fixed number of rounds
(``tests/test_fuzz_es003.py``); this script runs it for longer::

    python tools/fuzz_es003.py --seconds 300 --seed 7

A failing round prints its seed; ``--seed N --rounds 1`` replays it.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ieepa_refund import compute_refund
from ieepa_refund import entry_number as en
from ieepa_refund.errors import InputFileError
from ieepa_refund.es003 import Es003Import, read_es003

HEADER = (
    "Entry Summary Number",
    "Entry Summary Line Number",
    "Entry Type Code",
    "Importer Number",
    "Importer Name",
    "Entry Date",
    "Liquidation Date",
    "Liquidation Status",
    "Country of Origin Code",
    "Tariff Ordinal Number",
    "HTS Number - Full",
    "Line Tariff Goods Value Amount",
    "Line Tariff Duty Amount",
)
COL = {name: index for index, name in enumerate(HEADER)}
FORMATS = ("csv", "tsv", "xlsx")
# Chapter 99 numbers in force for China and others in 2025, and ordinary HTS numbers.
CH99 = ("9903.01.24", "9903.01.25", "9903.01.63", "9903.88.03")
HTS = ("8471.30.0100", "8708.99.8180", "6110.20.2079", "9403.60.8081")
COUNTRIES = ("CN", "VN", "DE", "IN")
NAMES = ("ACME IMPORTS LLC", "Société Générale", "BETA AUTO PARTS INC")
# What a damaged cell may hold: blanks, junk, numbers in odd forms.
JUNK = (
    "",
    " ",
    "x",
    "1.9",
    "Infinity",
    "NaN",
    "-5",
    "(3.00)",
    "1,2,3",
    "²",
    "9903.01.2",
    "01",
    '="00"',
    "\u00a0",
    "💥",
    "9" * 14,
    "13/45/2025",
    "LIQUIDATED",
)

# Values past any plausible amount: until amounts are bounded on reading (issue 9, "Values"),
# these reach the interest arithmetic and fail there. Added with --wild.
WILD = ("9" * 40, "1e1000000", "1E+30")


@dataclass
class Round:
    seed: int
    kind: str
    rows: list[list[str]]


def clean_rows(rng: random.Random, entries: int) -> list[list[str]]:
    """Well-formed rows of ``entries`` entries, one row per HTS number."""
    rows: list[list[str]] = []
    for _ in range(entries):
        first = f"316{rng.randrange(10**7):07d}"
        number = first + en.calc_check_digit(first)
        if rng.random() < 0.1:  # a broker system's offset check digit
            number = first + str((int(number[-1]) + 1) % 10)
        liquidated = rng.random() < 0.5
        common = {
            "Entry Type Code": rng.choice(("01", "1", "03")),
            "Importer Number": "12-3456789AB",
            "Importer Name": rng.choice(NAMES),
            "Entry Date": f"{rng.randint(4, 12):02d}/{rng.randint(1, 28):02d}/2025",
            "Liquidation Date": "05/01/2026" if liquidated else "",
            "Liquidation Status": "LIQUIDATED" if liquidated else "UNLIQUIDATED",
        }
        for line in range(1, rng.randint(1, 3) + 1):
            country = rng.choice(COUNTRIES)
            numbers = [rng.choice(CH99), rng.choice(HTS)][: rng.randint(1, 2)]
            for ordinal, hts in enumerate(numbers, 1):
                ieepa = hts.startswith("99")
                cells = {
                    **common,
                    "Entry Summary Number": number,
                    "Entry Summary Line Number": str(line),
                    "Country of Origin Code": country,
                    "Tariff Ordinal Number": str(ordinal),
                    "HTS Number - Full": hts,
                    "Line Tariff Goods Value Amount": "" if ieepa else f"{rng.randint(1, 9999)}.00",
                    "Line Tariff Duty Amount": f"{rng.randint(0, 999)}.{rng.randint(0, 99):02d}",
                }
                rows.append([cells[name] for name in HEADER])
    return rows


def damage(
    rng: random.Random, rows: list[list[str]], junk: Sequence[str] = JUNK
) -> list[list[str]]:
    """Break some rows the ways exports break: every kind of damage the reader must survive."""
    out = [list(r) for r in rows]
    for r in out:
        if rng.random() < 0.15:
            r[rng.randrange(len(HEADER))] = rng.choice(junk)
        if rng.random() < 0.1:
            name = r[COL["Importer Name"]]
            bare = unicodedata.normalize("NFKD", name)
            bare = "".join(c for c in bare if not unicodedata.combining(c))
            # Cosmetic variants only: case, spacing, accents; never another name.
            r[COL["Importer Name"]] = rng.choice((name.lower(), f"  {name} ", bare.upper()))
        if rng.random() < 0.1:
            r[COL["Tariff Ordinal Number"]] = r[COL["Tariff Ordinal Number"]].zfill(2)
        if rng.random() < 0.05:
            r[COL["Liquidation Date"]] = ""
    for r in list(out):
        if rng.random() < 0.15:  # a repeat, sometimes with cells blank
            copy = list(r)
            for name in ("Line Tariff Goods Value Amount", "Importer Name", "Liquidation Date"):
                if rng.random() < 0.5:
                    copy[COL[name]] = ""
            if rng.random() < 0.2:
                copy[COL["Line Tariff Duty Amount"]] = "1.00"  # a repeat that disagrees
            out.append(copy)
    if rng.random() < 0.2:
        out.append([""] * len(HEADER))
    return out


def write_files(
    rows: Sequence[Sequence[str]], folder: Path, kind: str, parts: int, stem: str
) -> list[Path]:
    """Write ``rows`` split into ``parts`` files of format ``kind``, each with the header."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks: list[list[Sequence[str]]] = [[] for _ in range(parts)]
    for index, r in enumerate(rows):
        chunks[index % parts].append(r)
    paths = []
    for index, chunk in enumerate(chunks):
        if kind == "xlsx":
            import openpyxl

            path = folder / f"{stem}_{index}.xlsx"
            book = openpyxl.Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(list(HEADER))
            for r in chunk:
                sheet.append([_xlsx_cell(cell) for cell in r])
            book.save(path)
        else:
            path = folder / f"{stem}_{index}.{'txt' if kind == 'tsv' else 'csv'}"
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, delimiter="\t" if kind == "tsv" else ",")
                writer.writerows([HEADER, *chunk])
        paths.append(path)
    return paths


def _xlsx_cell(cell: str) -> Any:
    # openpyxl would write '=...' as a formula; a real export holds the text.
    return None if cell == "" else (" " + cell if cell.startswith("=") else cell)


def make_round(seed: int, kinds: Sequence[str] = FORMATS, junk: Sequence[str] = JUNK) -> Round:
    rng = random.Random(seed)
    rows = damage(rng, clean_rows(rng, rng.randint(1, 6)), junk)
    return Round(seed=seed, kind=rng.choice(tuple(kinds)), rows=rows)


def read(paths: Sequence[Path]) -> Es003Import | None:
    """The import, or None when the files are refused as a whole (InputFileError)."""
    try:
        return read_es003(*paths)
    except InputFileError:
        return None


def fingerprint(result: Es003Import) -> dict[str, Any]:
    """What must not depend on the order of the rows or their split into files."""
    refunds = [compute_refund(e) for e in result.entries]
    return {
        "entries": sorted(result.entries, key=lambda e: e.entry_number),
        "counts": (
            result.rows_read,
            result.rows_used,
            result.rows_rejected,
            result.rows_duplicate,
            result.rows_blank,
            result.entry_count,
            result.entries_incomplete,
            result.entries_rejected,
        ),
        # Conflicts are reported at each row that disagrees with what came before it, so how
        # many depends on the order: which entries conflict, and on what, does not.
        "conflicts": {
            (p.code, p.entry_number) for p in result.problems if p.code.startswith("CONFLICTING")
        },
        "rows_in_conflict": sum(
            p.rows for p in result.problems if p.code.startswith("CONFLICTING")
        ),
        "problems": Counter(
            (p.code, p.entry_number, p.column, p.value, p.rows)
            for p in result.problems
            if not p.code.startswith("CONFLICTING")
        ),
        "principal": sum((r.principal for r in refunds), Decimal(0)),
        "high": [r.principal_high for r in sorted(refunds, key=lambda r: r.entry_number)],
    }


def check_counts(result: Es003Import) -> None:
    assert result.rows_read == result.rows_used + result.rows_rejected, result
    assert sum(p.rows for p in result.problems) == result.rows_rejected, result.problems
    used = sum(len(line.tariffs) for e in result.entries for line in e.lines)
    assert used == result.rows_used, (used, result.rows_used)
    assert result.entry_count == len(result.entries)


def check_round(case: Round, folder: Path) -> Es003Import | None:
    """Read the round's rows whole and shuffled and split; fail with the seed if anything differs."""
    rng = random.Random(case.seed ^ 0x5EED)
    whole = read(write_files(case.rows, folder / "whole", case.kind, 1, "es003"))
    shuffled = list(case.rows)
    rng.shuffle(shuffled)
    other_kind = rng.choice([k for k in FORMATS if k != "xlsx" or case.kind == "xlsx"])
    split = read(write_files(shuffled, folder / "split", other_kind, rng.randint(1, 3), "part"))
    if (whole is None) != (split is None):
        raise AssertionError(f"seed {case.seed}: refused in one form only")
    if whole is None or split is None:
        return None
    check_counts(whole)
    check_counts(split)
    a, b = fingerprint(whole), fingerprint(split)
    for key in a:
        assert a[key] == b[key], f"seed {case.seed}: {key} depends on row order or split"
    return whole


def run(seeds: Sequence[int], *, kinds: Sequence[str] = FORMATS, junk: Sequence[str] = JUNK) -> int:
    """Check one round per seed; return the number of rows read in all."""
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            result = check_round(make_round(seed, kinds, junk), Path(tmp) / str(seed))
            rows += result.rows_read if result is not None else 0
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="the first round's seed (default 0)")
    parser.add_argument("--rounds", type=int, default=None, help="stop after this many rounds")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated: csv, tsv, xlsx"
    )
    parser.add_argument(
        "--wild", action="store_true", help="also amounts past any plausible bound (1e1000000)"
    )
    args = parser.parse_args(argv)
    junk = (*JUNK, *WILD) if args.wild else JUNK
    kinds = tuple(k for k in args.formats.split(",") if k)
    deadline = time.monotonic() + args.seconds
    seed, rounds, rows = args.seed, 0, 0
    while time.monotonic() < deadline and (args.rounds is None or rounds < args.rounds):
        try:
            rows += run([seed], kinds=kinds, junk=junk)
        except Exception:
            print(f"FAILED at seed {seed} (replay: --seed {seed} --rounds 1)", file=sys.stderr)
            raise
        seed, rounds = seed + 1, rounds + 1
    print(f"{rounds} rounds, {rows} rows read, seeds {args.seed}..{seed - 1}: no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
