"""``ieepa-refund estimate`` (and ``demo``): refunds with interest, a summary, one row per entry."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from ..cape.declarations import not_a_ledger, read_ledger
from ..es003 import Es003Report, Problem, read_deposits, sample_es003, with_deposits
from ..interest import RateTable, default_rate_table
from ..payments import PayeeWarning, payee_warnings
from ..refund import RefundOptions
from ..roads import CapeTiming, default_cape_timing
from ._engines import (
    _bulk_results,
    _engine,
    _engine_line,
    _entry_results,
    _Job,
    _lean_results,
    bulk_gaps,
)
from ._inputs import in_files, rejected_whole, report_input, stream
from ._output import Outputs, UsageError, check_output, format_of, input_files
from ._rows import ESTIMATE_COLUMNS, _rows
from ._summary import LEDGER_DATE_BLANK, LEDGER_ENTRY_UNREAD, _summary, _Tally

__all__ = [
    "ESTIMATE_COLUMNS",
    "bulk_gaps",
    "check_estimate_outputs",
    "run_demo",
    "run_estimate",
]


def _refuse_without_roads(args: argparse.Namespace) -> None:
    """Options that only change the roads are refused with --no-roads, never silently unused."""
    if args.roads:
        return
    for flag, value in (
        ("--ledger", args.ledger),
        ("--declared-on", args.declared_on),
        ("--liquidation-after-days", args.liquidation_after_days),
    ):
        if value is not None:
            raise UsageError(f"{flag} only changes the roads, which --no-roads leaves out")


def _estimate(
    files: Sequence[Path], args: argparse.Namespace, out: TextIO, problems_out: Path | None
) -> int:
    """Refund each entry as it arrives; write its row; keep its counts, sums and road.

    Rows go to a temporary file renamed over ``--out`` (with ``--problems``)
    only once every input row has been read: a failed run changes no file.
    """
    as_of = args.as_of or date.today()  # noqa: DTZ011 - the CLI alone defaults a date
    rates = default_rate_table()
    if refused := _past_rates(as_of, rates, project=args.project):
        raise UsageError(refused)
    _refuse_without_roads(args)
    engine, chosen = _engine(args)
    options = RefundOptions(
        method=args.method,
        corporate=args.corporate,
        interest_until=as_of,
        project=args.project,
        deposit=args.deposit,
    )
    job = _Job(as_of, args.declared_on or as_of, options, _timing(args))
    if args.ledger is not None and (refused := not_a_ledger(args.ledger)):
        # Read only here: a mistyped path would silently show every entry as undeclared.
        raise UsageError(refused)
    ledger = (
        read_ledger(
            args.ledger,
            declared_by=job.declared_on,
            # The option that set the road's date, so the message names the one to change.
            declared_by_name="--declared-on" if args.declared_on else None,
        )
        if args.ledger
        else {}
    )
    # Deposit histories (19 CFR 24.36(a)(1) segments), read whole before the entries stream.
    histories = read_deposits(*args.duty_deposits) if args.duty_deposits else None
    attached: set[str] = set()
    deposit_problems: list[Problem] = list(histories.problems) if histories else []
    tally = _Tally()  # counts and sums, and each entry's road: no figure kept per entry
    to_stdout = args.json and not args.out
    # The bulk and lean engines read the files themselves, and report as the per-entry
    # reader does (the lean engine is that reader).
    entries = (
        stream(files, getattr(args, "mapping", ()), getattr(args, "delimiter", None))
        if engine == "entry"
        else None
    )
    split: list[int] = []
    whole: list[tuple[str, str]] = []
    narrow: list[tuple[str, str, int]] = []
    imported: list[Es003Report] = []
    with Outputs() as outputs:
        target = _rows(args, outputs, out, as_of=as_of)
        if engine == "lean":
            results = _lean_results(files, args, job, ledger, split, imported)
        elif entries is None:
            results = _bulk_results(files, args, job, ledger, split, imported, whole, narrow)
        else:
            results = _entry_results(
                entries, args, job, ledger, histories, attached, deposit_problems
            )
        for row, refund, summary in results:
            if target is not None:
                target.write(row, refund)
            tally.add(summary)
        if target is not None:
            target.close()
        report = imported[0] if entries is None else entries.report
        # Read from every entry with a refund, not from the payments the roads predict, so
        # every path (--no-roads, either engine) warns alike, whichever road the entries take.
        payees = payee_warnings(tally.payees)
        in_ledger = [n for n in report.entries_rejected_numbers if n in ledger]
        unread = _unread_in_ledger(in_ledger, args.ledger, ledger)
        declared = {r.entry_number for r in tally.roads if r.declared_in is not None}
        undated = _blank_dates(args, job.declared_on, ledger, declared)
        if histories is not None:
            # Every history ends on its entry or in a problem, as with_deposits says it.
            unused = sorted(set(histories.deposits) - attached)
            deposit_problems.extend(
                in_files(
                    with_deposits((), {n: histories.deposits[n] for n in unused}).problems,
                    histories.files,
                )
            )
        more = [
            *rejected_whole(
                report, "it has no row in --out, no road and no figure; IEEPA duty paid unknown"
            ),
            *unread,
            *undated,
            *deposit_problems,
            *_payee_problems(report, payees),
        ]
        report_input(report, problems_out, outputs, more=more)
        for problem in undated:  # the ledger's, before the deposits' (as written)
            print(problem, file=sys.stderr)
        for problem in deposit_problems:  # after the ES-003's own problems, as they are written
            print(problem, file=sys.stderr)
        outputs.commit()
    if not to_stdout:
        engine_line = _engine_line(engine, chosen, split, whole, narrow)
        _summary(report, tally, args, job, engine_line, out, payees=payees, in_ledger=in_ledger)
    else:  # no summary: what it would say of these goes to stderr, with the problems
        for problem in unread:
            print(problem, file=sys.stderr)
        for warning in payees:
            print(f"{warning.code}: {warning.message}", file=sys.stderr)
    if report.rows_read == 0:
        print(
            "ieepa-refund: the input has a header but no data rows: nothing to estimate",
            file=sys.stderr,
        )
        return 1
    # An entry whose interest a fault in the input withholds is a fault found (--help).
    return 1 if report.rows_rejected or deposit_problems or tally.faults else 0


def _unread_in_ledger(numbers: Sequence[str], path: Path | None, ledger: Any) -> list[Problem]:
    """A warning for each entry rejected whole that the ledger holds: declared before, its
    rows unreadable this run, so nothing was rechecked of it (road, ledger state)."""
    return [
        Problem(
            code=LEDGER_ENTRY_UNREAD,
            message=f"this entry is in the ledger (declared in {ledger[number][-1]}"
            f"{_on(ledger, number)}) but was "
            "rejected whole by the reader this run, so its road and its ledger state were not "
            "rechecked; fix its rows (see the problems that rejected them) and run again",
            file=str(path),
            column="entry_number",
            value=number,
            entry_number=number,
            rows=0,
        )
        for number in numbers
    ]


def _blank_dates(
    args: argparse.Namespace, declared_on: date, ledger: Any, declared: set[str]
) -> list[Problem]:
    """A warning for each declared entry whose latest ledger row leaves its declared-on cell
    blank: its declaration date is unknown, so its road counts CAPE's acceptance from the
    run's date (or, past the look-back today, calls its acceptance unknown), never silently
    (t63). Only the entries read, on a road as declared (``declared``): an entry rejected
    whole is named by LEDGER_ENTRY_UNREAD instead, one not in the input has no road."""
    rows = getattr(ledger, "blank_dates", {})
    by = "--declared-on" if args.declared_on else "--as-of"
    return [
        Problem(
            code=LEDGER_DATE_BLANK,
            message=f"entry {number}'s declared-on date is blank: the day it was declared is "
            f"unknown, so its road takes {by} {declared_on.isoformat()} for CAPE's acceptance "
            "(its expected dates count from it; past CAPE's look-back that day, its "
            "acceptance is unknown); fill in the date it was declared for",
            file=str(args.ledger),
            row=row,
            column="declared_on",  # the ledger's third column (DATED_LEDGER_HEADER)
            entry_number=number,
            rows=0,
        )
        for number, row in sorted(rows.items(), key=lambda item: item[1])
        if number in declared
    ]


def _on(ledger: Any, number: str) -> str:
    day = getattr(ledger, "declared_on", {}).get(number)
    return f" on {day.isoformat()}" if day else ""


def _payee_problems(report: Es003Report, payees: Sequence[PayeeWarning]) -> list[Problem]:
    """PAYEES_MAY_BE_ONE as warning rows (``rows`` 0, no row number, as a file's warnings):
    the payees are read from the files' importer numbers."""
    files = ", ".join(f.file for f in report.files)
    return [
        Problem(
            code=w.code,
            message=w.message,
            file=files,
            column="payee",
            value=" and ".join(w.payees),
            rows=0,
        )
        for w in payees
    ]


def _timing(args: argparse.Namespace) -> CapeTiming:
    """The shipped CAPE timing, with the days the command line gives."""
    timing = default_cape_timing()
    if args.liquidation_after_days is not None:
        timing = timing.model_copy(
            update={"liquidation_after_acceptance_days": args.liquidation_after_days}
        )
    return timing


def _past_rates(as_of: date, rates: RateTable, *, project: bool) -> str | None:
    """Why interest to ``as_of`` cannot be estimated, or None.

    Past the table an entry's interest would be missing and the totals short,
    so the command refuses up front rather than print a smaller number.
    """
    last = rates.covers_to - timedelta(days=1)
    if not project and as_of > last:
        return (
            f"--as-of {as_of.isoformat()} is past the interest-rate table (data "
            f"{rates.data_version}), which covers days up to {last.isoformat()}; pass --project "
            "to carry the last known rate forward, or an earlier --as-of"
        )
    if project and as_of > rates.projects_to:
        return (
            f"--as-of {as_of.isoformat()} is past the furthest projection of the interest-rate "
            f"table, {rates.projects_to.isoformat()}"
        )
    return None


def check_estimate_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any input is read, outputs that cannot be written safely."""
    inputs = input_files(args)  # the ES-003 files, the ledger and the deposit files
    problems = getattr(args, "problems", None)  # demo has no --problems
    if args.out is not None:
        check_output(args.out, inputs=inputs, others=[problems] if problems else [])
        if format_of(args.out) != "json" and args.json:
            raise UsageError(
                f"{args.out}: --json writes JSON to stdout; to write a JSON file, name it .json"
            )
    if problems is not None:
        check_output(problems, inputs=inputs)


def run_estimate(args: argparse.Namespace) -> int:
    check_estimate_outputs(args)
    return _estimate(args.files, args, sys.stdout, args.problems)


def run_demo(args: argparse.Namespace) -> int:
    check_estimate_outputs(args)
    sample = sample_es003()
    print(f"Demo on the bundled synthetic ES-003 sample ({sample.name}): not real trade data.\n")
    _estimate([sample], args, sys.stdout, None)
    # The sample holds deliberate faults to show how they are reported: a demo that ran is a success.
    return 0
