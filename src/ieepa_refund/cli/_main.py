"""The ``ieepa-refund`` command.

::

    ieepa-refund estimate FILE... [--as-of DATE] [--corporate] [--method paid|recalculate]
                                  [--out FILE] [--json]
    ieepa-refund cape FILE... --out DIR --declared-on DATE [--ledger FILE] [--filer-code XXX]
    ieepa-refund check FILE.csv... [--filer-code XXX]
    ieepa-refund demo

Exit status: 0 done; 1 done, with rejected rows, excluded entries or faults
found; 2 usage error or unreadable input. Problems go to stderr, one line
each with file and row. CSV outputs neutralise text cells that a spreadsheet
would run as a formula.

This is the only place that reads the clock: ``--as-of`` and
``--declared-on`` default to today here, never in the library.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .. import __version__
from .. import entry_number as _entry_number
from ..cape import check_declaration, screen, write_declarations
from ..entry import Entry
from ..errors import DataError, InputFileError
from ..es003 import COLUMNS, Es003Report, Es003Stream, sample_es003, stream_es003
from ..interest import default_rate_table
from ..payments import consolidate
from ..refund import EntryRefund, RefundOptions, compute_refund
from ..registry import default_registry, is_ieepa_status

__all__ = ["main"]

ZERO = Decimal("0.00")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        status: int = args.run(args)
    except (InputFileError, DataError, OSError) as exc:
        print(f"ieepa-refund: {exc}", file=sys.stderr)
        return 2
    return status


# --- arguments -------------------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _mapping(text: str) -> tuple[str, str]:
    field, sep, header = text.partition("=")
    if not sep or field not in COLUMNS:
        raise argparse.ArgumentTypeError(
            f"expected FIELD=HEADER with FIELD one of {sorted(COLUMNS)}, got {text!r}"
        )
    return field, header


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ieepa-refund",
        description="IEEPA duty refunds with interest, and CAPE filings, from ACE ES-003 exports. "
        "Figures are estimates, not legal advice.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(metavar="COMMAND")

    def inputs(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "files", nargs="+", type=Path, metavar="FILE", help="ES-003 exports (.csv, .txt, .xlsx)"
        )
        sub.add_argument(
            "--map",
            dest="mapping",
            action="append",
            type=_mapping,
            default=[],
            metavar="FIELD=HEADER",
            help="a column the file names differently, e.g. entry_number='Entry No.'",
        )
        sub.add_argument(
            "--problems", type=Path, metavar="FILE", help="also write every input problem to a CSV"
        )

    def estimating(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="DATE",
            help="interest on unliquidated entries accrues to this date (default: today)",
        )
        sub.add_argument(
            "--corporate", action="store_true", help="use the corporate overpayment rate"
        )
        sub.add_argument("--method", choices=("paid", "recalculate"), default="paid")
        sub.add_argument(
            "--deposit",
            choices=("reported", "pms"),
            default="reported",
            help="deposit-date convention",
        )
        sub.add_argument(
            "--project",
            action="store_true",
            help="carry the last known interest rate past the table",
        )
        sub.add_argument(
            "--out",
            type=Path,
            metavar="FILE",
            help="write one row per entry (CSV, or JSON with --json)",
        )
        sub.add_argument(
            "--json", action="store_true", help="JSON instead of CSV (to stdout without --out)"
        )

    estimate = commands.add_parser(
        "estimate", help="refunds with interest and the payments they form"
    )
    inputs(estimate)
    estimating(estimate)
    estimate.set_defaults(run=_run_estimate)

    cape = commands.add_parser("cape", help="screen entries and write CAPE declarations")
    inputs(cape)
    cape.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for declarations and report"
    )
    cape.add_argument(
        "--declared-on", type=_date, default=None, metavar="DATE", help="default: today"
    )
    cape.add_argument(
        "--ledger", type=Path, metavar="FILE", help="entries already declared (read and appended)"
    )
    cape.add_argument("--filer-code", metavar="XXX", help="skip entries of other filer codes")
    cape.add_argument("--check-digits", choices=("separate", "skip", "keep"), default="separate")
    cape.add_argument(
        "--plaintiff",
        action="append",
        default=[],
        metavar="IOR",
        help="a CIT plaintiff's importer number",
    )
    cape.set_defaults(run=_run_cape)

    check = commands.add_parser("check", help="check CAPE declaration files made elsewhere")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--filer-code", metavar="XXX")
    check.set_defaults(run=_run_check)

    demo = commands.add_parser("demo", help="run estimate on the bundled synthetic ES-003 sample")
    estimating(demo)
    demo.set_defaults(run=_run_demo)
    return parser


# --- shared steps ----------------------------------------------------------------------------


def _progress(rows: int) -> None:
    print(f"... {rows:,} rows read", file=sys.stderr, flush=True)


def _stream(files: Sequence[Path], mapping: Iterable[tuple[str, str]]) -> Es003Stream:
    return stream_es003(*files, mapping=dict(mapping), progress=_progress)


def _problems(report: Es003Report, problems_out: Path | None) -> None:
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if problems_out is not None:
        _write_csv(
            problems_out,
            ["file", "row", "code", "column", "value", "entry_number", "rows", "message"],
            (
                [p.file, p.row, p.code, p.column, p.value, p.entry_number, p.rows, p.message]
                for p in report.problems
            ),
        )


def _cell(value: Any) -> Any:
    """A spreadsheet-safe cell: text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)


def _input_line(imported: Es003Report) -> str:
    return (
        f"Input: {imported.rows_read:,} rows read, {imported.rows_used:,} used, "
        f"{imported.rows_rejected:,} rejected ({imported.rows_duplicate:,} duplicates); "
        f"{imported.entry_count:,} entries from {len(imported.files)} file(s)"
    )


# --- estimate --------------------------------------------------------------------------------


ESTIMATE_COLUMNS = (
    "entry_number",
    "importer_number",
    "payee",
    "entry_type",
    "entry_date",
    "liquidation_date",
    "deposit_date",
    "deposit_basis",
    "interest_until",
    "method",
    "paid",
    "ieepa_duty_paid",
    "owed",
    "principal",
    "principal_high",
    "interest",
    "total",
    "warnings",
    "chapter99_data",
    "rates_data",
)


def _ieepa_paid(refund: EntryRefund) -> Decimal:
    return sum((t.paid for t in refund.tariffs if is_ieepa_status(t.status)), ZERO)


@dataclass(frozen=True, slots=True)
class _Summary:
    """What the summary and the payments need of one entry: kept per entry, nothing per row."""

    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    principal_high: Decimal | None
    interest: Decimal | None
    ieepa_paid: Decimal
    codes: frozenset[str]


def _row(entry: Entry, refund: EntryRefund, ieepa_paid: Decimal) -> list[Any]:
    return [
        _entry_number.format(entry.entry_number),
        refund.importer_number,
        refund.payee,
        entry.entry_type,
        entry.entry_date,
        refund.liquidation_date,
        refund.deposit_date,
        refund.deposit_basis,
        refund.interest_until,
        refund.method,
        refund.paid,
        ieepa_paid,
        refund.owed,
        refund.principal,
        refund.principal_high,
        refund.interest,
        refund.total,
        " ".join(sorted(set(refund.warning_codes))),
        refund.data_version,
        refund.rates_version,
    ]


def _estimate(
    stream: Es003Stream, args: argparse.Namespace, out: TextIO, problems_out: Path | None
) -> int:
    """Refund each entry as it arrives; write its row; keep only its summary."""
    as_of = args.as_of or date.today()  # noqa: DTZ011 - the CLI alone defaults a date
    registry, rates = default_registry(), default_rate_table()
    options = RefundOptions(
        method=args.method,
        corporate=args.corporate,
        interest_until=as_of,
        project=args.project,
        deposit=args.deposit,
    )
    summaries: list[_Summary] = []
    to_stdout = args.json and not args.out
    target: TextIO | None = out if to_stdout else _open_out(args.out) if args.out else None
    writer = csv.writer(target) if target is not None and not args.json else None
    if writer is not None:
        writer.writerow(ESTIMATE_COLUMNS)
    elif target is not None:
        target.write("[")
    try:
        for entry in stream:
            refund = compute_refund(entry, options=options, registry=registry, rates=rates)
            paid = _ieepa_paid(refund)
            if writer is not None:
                writer.writerow([_cell(v) for v in _row(entry, refund, paid)])
            elif target is not None:  # JSON
                item = {
                    **dict(zip(ESTIMATE_COLUMNS, _row(entry, refund, paid), strict=True)),
                    "detail": refund.model_dump(mode="json"),
                }
                target.write(("," if summaries else "") + "\n" + json.dumps(item, default=str))
            summaries.append(
                _Summary(
                    entry.entry_number,
                    refund.payee,
                    refund.liquidation_date,
                    refund.principal,
                    refund.principal_high,
                    refund.interest,
                    paid,
                    frozenset(refund.warning_codes),
                )
            )
        if target is not None and writer is None:
            target.write("\n]\n")
    finally:
        if target is not None and target is not out:
            target.close()
    report = stream.report
    _problems(report, problems_out)
    if not to_stdout:
        _summary(report, summaries, args, as_of, out)
    return 1 if report.rows_rejected else 0


def _open_out(path: Path) -> TextIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", newline="")


def _summary(
    report: Es003Report,
    refunds: Sequence[_Summary],
    args: argparse.Namespace,
    as_of: date,
    out: TextIO,
) -> None:
    registry, rates = default_registry(), default_rate_table()
    say: Callable[..., None] = lambda *parts: print(*parts, file=out)  # noqa: E731
    principal = sum((r.principal for r in refunds), ZERO)
    interest = sum((r.interest or ZERO for r in refunds), ZERO)
    uncertain = [r for r in refunds if r.principal_high != r.principal]
    unliquidated = [r for r in refunds if r.liquidation_date is None]
    say("ieepa-refund estimate: estimates, not legal advice")
    say(
        f"Data: Chapter 99 {registry.data_version}; interest rates {rates.data_version} "
        f"(to {rates.periods[-1].effective_to.isoformat()}, exclusive); method {args.method}; "
        f"{'corporate' if args.corporate else 'non-corporate'} overpayment rate"
    )
    say(
        "Assumptions: duty rounded half-up per HTS number; interest compounded daily, actual/actual, "
        f"each day in (deposit, liquidation], half-up per entry; deposit date: {args.deposit}; "
        f"unliquidated entries accrue to {as_of.isoformat()}; the liquidation date in the data is "
        "taken as the one that refunds the IEEPA duty"
    )
    say(_input_line(report))
    say("")
    say(f"  IEEPA duty paid   {sum((r.ieepa_paid for r in refunds), ZERO):>16,}")
    say(
        f"  Refund principal  {principal:>16,}  ({sum(1 for r in refunds if r.principal > 0):,} entries with a refund)"
    )
    if uncertain:
        gaps = [r.principal_high - r.principal for r in uncertain if r.principal_high is not None]
        upper = (
            "no upper bound" if len(gaps) < len(uncertain) else f"up to {sum(gaps, ZERO):,} more"
        )
        say(f"                    {len(uncertain):,} entries uncertain: {upper}")
    say(f"  Interest          {interest:>16,}")
    say(f"  Total             {principal + interest:>16,}")
    result = consolidate(refunds)
    say("")
    say(f"Payments by payee and liquidation date ({len(result):,}), as CBP consolidates them:")
    say(
        f"  {'payee':16} {'liquidated':10} {'principal':>14} {'interest':>12} {'net':>14} {'entries':>7}"
    )
    shown = result.payments[:25]
    for p in shown:
        say(
            f"  {p.payee:16} {p.liquidation_date.isoformat():10} {p.principal:>14,} {p.interest:>12,} "
            f"{p.net:>14,} {len(p.entries):>7,}"
        )
    if len(result) > len(shown):
        say(f"  ... and {len(result) - len(shown):,} more payments (write them all with --out)")
    if unliquidated:
        waiting = sum((r.principal for r in unliquidated if r.principal > 0), ZERO)
        say(
            f"  Not yet liquidated: {len(unliquidated):,} entries, principal {waiting:,} (no payment until liquidation)"
        )
    if result.nothing_to_pay:
        say(f"  Nothing to refund: {len(result.nothing_to_pay):,} liquidated entries")
    codes = Counter(code for r in refunds for code in r.codes)
    if codes:
        say("")
        say(
            "Warnings (entries): " + ", ".join(f"{code} {n:,}" for code, n in sorted(codes.items()))
        )


def _run_estimate(args: argparse.Namespace) -> int:
    return _estimate(_stream(args.files, args.mapping), args, sys.stdout, args.problems)


def _run_demo(args: argparse.Namespace) -> int:
    sample = sample_es003()
    print(f"Demo on the bundled synthetic ES-003 sample ({sample.name}): not real trade data.\n")
    _estimate(_stream([sample], ()), args, sys.stdout, None)
    # The sample holds deliberate faults to show how they are reported: a demo that ran is a success.
    return 0


# --- cape ------------------------------------------------------------------------------------


def _run_cape(args: argparse.Namespace) -> int:
    declared_on = args.declared_on or date.today()  # noqa: DTZ011 - the CLI alone defaults a date
    stream = _stream(args.files, args.mapping)
    registry = default_registry()
    screenings = [
        screen(entry, declared_on=declared_on, registry=registry, plaintiffs=args.plaintiff)
        for entry in stream
    ]
    imported = stream.report
    _problems(imported, args.problems)
    eligible = [s.entry_number for s in screenings if s.eligible]
    batch = write_declarations(
        eligible,
        args.out,
        ledger=args.ledger,
        filer_code=args.filer_code,
        check_digits=args.check_digits,
    )
    report = args.out / f"screening_{declared_on.isoformat()}.csv"
    _write_csv(
        report,
        [
            "entry_number",
            "status",
            "reasons",
            "messages",
            "cape_window_closes",
            "reliquidation_window_closes",
            "protest_window_closes",
            "rules_data",
        ],
        (
            [
                _entry_number.format(s.entry_number),
                s.status,
                " ".join(s.reason_codes),
                " | ".join(r.message for r in s.reasons),
                s.deadlines.cape_window_closes,
                s.deadlines.reliquidation_window_closes,
                s.deadlines.protest_window_closes,
                s.rules_version,
            ]
            for s in screenings
        ),
    )
    statuses = Counter(s.status for s in screenings)
    excluded = Counter(
        code
        for s in screenings
        if not s.eligible
        for r in s.reasons
        if r.effect == "exclude"
        for code in [r.code]
    )
    print(
        f"ieepa-refund cape: declaration date {declared_on.isoformat()}; CAPE rules {screenings[0].rules_version if screenings else '-'}"
    )
    print(_input_line(imported))
    print(
        f"Screened {len(screenings):,} entries: {statuses['eligible']:,} eligible, "
        f"{statuses['eligible_at_liquidation']:,} eligible but refunded at liquidation, "
        f"{statuses['excluded']:,} excluded"
    )
    for code, n in sorted(excluded.items()):
        print(f"  excluded {code}: {n:,}")
    print(f"Declarations in {args.out}: {batch.count:,} entries in {len(batch.files)} file(s)")
    for f in batch.files:
        print(f"  {f.name}: {f.count:,} entries ({f.holds})")
    for s in batch.skipped:
        print(f"  skipped {s.value}: {s.code}: {s.message}", file=sys.stderr)
    print(f"Screening report: {report}")
    print(f"Manifest: {batch.manifest}")
    return 1 if imported.rows_rejected or statuses["excluded"] or batch.skipped else 0


# --- check -----------------------------------------------------------------------------------


def _run_check(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        result = check_declaration(path, filer_code=args.filer_code)
        verdict = (
            "OK"
            if result.ok
            else ("entry faults" if result.file_ok else "ACE would reject the file")
        )
        print(f"{path}: {result.entries:,} entries: {verdict}")
        for p in result.problems:
            where = f"{path}:{p.row}" if p.row else str(path)
            print(f"{where}: {p.level} {p.code}: {p.message}", file=sys.stderr)
        status = max(status, 0 if result.ok else 1)
    return status
