"""``ieepa-refund cape`` (screen, declare, report) and ``ieepa-refund check``."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..cape import Screening, check_declaration, screen, write_declarations
from ..cape.declarations import read_ledger
from ..refund import compute_refund
from ..registry import default_registry
from ._inputs import input_line, report_input, stream
from ._output import Outputs, UsageError, cell, check_output, counted, input_files, same_file

__all__ = ["SCREENING_COLUMNS", "run_cape", "run_check"]

SCREENING_COLUMNS = (
    "entry_number",
    "status",
    "reasons",
    "messages",
    "cape_window_closes",
    "reliquidation_window_closes",
    "protest_window_closes",
    "rules_data",
    "principal",
    "principal_high",
)


def _screening_csv(
    screenings: list[Screening], money: list[tuple[Decimal, Decimal | None]]
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(SCREENING_COLUMNS)
    writer.writerows(
        [
            cell(v)
            for v in (
                s.entry_number,  # the bare 11 characters, as in the declarations
                s.status,
                " ".join(s.reason_codes),
                " | ".join(r.message for r in s.reasons),
                s.deadlines.cape_window_closes,
                s.deadlines.reliquidation_window_closes,
                s.deadlines.protest_window_closes,
                s.rules_version,
                principal,
                high,
            )
        ]
        for s, (principal, high) in zip(screenings, money, strict=True)
    )
    return buffer.getvalue().encode("utf-8")


def _check_cape_outputs(args: argparse.Namespace) -> None:
    if args.out.is_symlink() and not args.out.is_dir():
        raise UsageError(f"{args.out}: a symbolic link to no folder; give a folder")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"{args.out}: a file, not a folder; --out names the folder to write in")
    if args.problems is not None:
        check_output(
            args.problems, inputs=input_files(args), others=[args.ledger] if args.ledger else []
        )
    if args.ledger is not None:
        if args.ledger.is_symlink():
            # The ledger is replaced whole on each run: a link would become a plain file.
            raise UsageError(f"{args.ledger}: a symbolic link; give the ledger's real path")
        if args.ledger.is_dir():
            raise UsageError(f"{args.ledger}: a folder, not a ledger file")
        # The ledger is appended to, its one legitimate write: any other input under its name
        # (by path, link or hard link) is refused.
        for source in input_files(args, besides="ledger"):
            if same_file(args.ledger, source):
                raise UsageError(f"{args.ledger}: the ledger is also an input; choose another")


def run_cape(args: argparse.Namespace) -> int:
    declared_on = args.declared_on or date.today()  # noqa: DTZ011 - the CLI alone defaults a date
    _check_cape_outputs(args)
    if args.ledger is not None:
        read_ledger(args.ledger)  # a ledger that does not parse stops the run before any output
    entries = stream(args.files, args.mapping, args.delimiter)
    registry = default_registry()
    screenings: list[Screening] = []
    # The money of each screened entry, so that the report shows what an excluded or flagged
    # entry (incomplete, a wrong check digit) holds: (principal, high bound).
    money: list[tuple[Decimal, Decimal | None]] = []
    for entry in entries:
        screenings.append(
            screen(entry, declared_on=declared_on, registry=registry, plaintiffs=args.plaintiff)
        )
        refund = compute_refund(entry, registry=registry)
        money.append((refund.principal, refund.principal_high))
    imported = entries.report
    data = _screening_csv(screenings, money)
    # Named by its content: another batch (another input) never overwrites this report, and
    # the same run again rewrites the same bytes under the same name.
    digest = hashlib.sha256(data).hexdigest()[:12]
    report = args.out / f"screening_{declared_on.isoformat()}_{digest}.csv"
    check_output(report, inputs=input_files(args))
    with Outputs() as outputs:
        report_input(imported, args.problems, outputs)
        outputs.text(report).write(data.decode("utf-8"))
        outputs.commit()
    # Last: the declarations and the ledger, as one step under the ledger's lock.
    eligible = [s.entry_number for s in screenings if s.eligible]
    batch = write_declarations(
        eligible,
        args.out,
        ledger=args.ledger,
        filer_code=args.filer_code,
        check_digits=args.check_digits,
        declared_on=declared_on,  # each ledger row records the day it was declared for
    )
    statuses = Counter(s.status for s in screenings)
    excluded = Counter(
        r.code for s in screenings if not s.eligible for r in s.reasons if r.effect == "exclude"
    )
    rules = screenings[0].rules_version if screenings else "-"
    print(f"ieepa-refund cape: declaration date {declared_on.isoformat()}; CAPE rules {rules}")
    print(input_line(imported))
    print(
        f"Screened {counted(len(screenings), 'entry', 'entries')}: {statuses['eligible']:,} eligible, "
        f"{statuses['eligible_at_liquidation']:,} eligible but refunded at liquidation, "
        f"{statuses['excluded']:,} excluded"
    )
    for code, n in sorted(excluded.items()):
        print(f"  excluded {code}: {n:,}")
    print(
        f"Declarations in {args.out}: {counted(batch.count, 'entry', 'entries')} in "
        f"{counted(len(batch.files), 'file', 'files')}"
    )
    for f in batch.files:
        print(f"  {f.name}: {counted(f.count, 'entry', 'entries')} ({f.holds})")
    for s in batch.skipped:
        print(f"  skipped {s.value}: {s.code}: {s.message}", file=sys.stderr)
    print(f"Screening report: {report}")
    print(f"Manifest: {batch.manifest}")
    return 1 if imported.rows_rejected or statuses["excluded"] or batch.skipped else 0


def run_check(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        result = check_declaration(Path(path), filer_code=args.filer_code)
        verdict = (
            "OK"
            if result.ok
            else ("entry faults" if result.file_ok else "ACE would reject the file")
        )
        read = "" if result.complete else " checked before stopping (rejected whatever follows)"
        print(f"{path}: {counted(result.entries, 'entry', 'entries')}{read}: {verdict}")
        for p in result.problems:
            where = f"{path}:{p.row}" if p.row else str(path)
            print(f"{where}: {p.level} {p.code}: {p.message}", file=sys.stderr)
        status = max(status, 0 if result.ok else 1)
    return status
