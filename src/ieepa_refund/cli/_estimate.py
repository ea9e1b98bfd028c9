"""``ieepa-refund estimate`` (and ``demo``): refunds with interest, a summary, one row per entry."""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ..cape.declarations import read_ledger
from ..entry import Entry
from ..es003 import Es003Report, Es003Stream, Problem, read_deposits, sample_es003, with_deposits
from ..interest import RateTable, default_rate_table
from ..refund import EntryRefund, RefundOptions, compute_refund
from ..registry import default_registry, is_ieepa_status
from ..roads import (
    CapeTiming,
    EntryRoad,
    Road,
    Roads,
    default_cape_timing,
    entry_road,
    road_totals,
)
from ._inputs import _progress, input_line, report_input, stream
from ._output import Outputs, UsageError, cell, check_output, format_of

__all__ = [
    "ESTIMATE_COLUMNS",
    "bulk_gaps",
    "check_estimate_outputs",
    "run_demo",
    "run_estimate",
]

ZERO = Decimal("0.00")

#: The command's row per entry. Columns that the records of an EntryRefund also have carry the
#: same names and values (a test holds them together), so that a CSV and a DataFrame join.
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
    "interest_missing",
    "total",
    "warnings",
    "data_version",
    "rates_version",
    "road",
    "next_action",
    "deadline",
    "expected_liquidation",
    "expected_payment",
    "interest_to_expected",
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
    road: EntryRoad | None
    """None with --no-roads."""


#: The road columns of a row, blank with --no-roads.
_NO_ROAD: list[Any] = [None] * 6


def _road_cells(road: EntryRoad | None) -> list[Any]:
    if road is None:
        return _NO_ROAD
    return [
        road.label,
        road.next_action,
        road.deadline,
        road.expected_liquidation,
        road.expected_payment,
        road.interest if road.expected_liquidation else None,
    ]


def _row(
    entry: Entry, refund: EntryRefund, ieepa_paid: Decimal, road: EntryRoad | None
) -> list[Any]:
    return [
        entry.entry_number,  # the bare 11 characters: joins with records, JSON and declarations
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
        refund.interest is None and refund.principal > 0,  # as in the records: never a silent NA
        refund.total,
        " ".join(sorted(set(refund.warning_codes))),
        refund.data_version,
        refund.rates_version,
        *_road_cells(road),
    ]


#: What ``--engine bulk`` needs installed, in the words of its error.
_BULK_INSTALL = "pip install 'ieepa-refund[bulk]'"


def bulk_gaps(args: argparse.Namespace) -> list[str]:
    """What this run asks for that the bulk engine's results cannot give, in words.

    The bulk engine (:mod:`ieepa_refund.bulk`) gives each entry's refund,
    screening and road (computed once per distinct set of the facts a road reads,
    its interest to the expected date in columns). It gives no
    :class:`~ieepa_refund.entry.Entry`, so no per-tariff detail (the JSON rows
    carry it), and it takes neither deposit histories nor a forced delimiter.
    """
    gaps = []
    if args.json or (args.out is not None and format_of(args.out) == "json"):
        gaps.append("JSON rows, which carry per-tariff detail (--json, a .json --out)")
    if args.duty_deposits:
        gaps.append("--duty-deposits")
    if getattr(args, "delimiter", None):
        gaps.append("--delimiter")
    return gaps


def _engine(args: argparse.Namespace) -> tuple[str, str]:
    """(the engine that runs, how it was chosen, in words for the summary)."""
    choice = args.engine
    if choice == "entry":
        return "entry", "chosen with --engine entry"
    installed = importlib.util.find_spec("polars") is not None
    gaps = bulk_gaps(args)
    if choice == "bulk":
        if not installed:
            raise UsageError(f"--engine bulk needs polars, which is not installed: {_BULK_INSTALL}")
        if gaps:
            raise UsageError(
                "--engine bulk cannot produce " + "; ".join(gaps) + "; use --engine entry or auto"
            )
        return "bulk", "chosen with --engine bulk"
    if not installed:
        return "entry", f"auto: polars is not installed ({_BULK_INSTALL})"
    if gaps:
        return "entry", "auto: the bulk engine cannot produce " + "; ".join(gaps)
    return "bulk", "auto: it gives every output asked for"


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


@dataclass(frozen=True, slots=True)
class _Job:
    """What both engines need of the run."""

    as_of: date
    declared_on: date
    options: RefundOptions
    timing: CapeTiming


#: One entry's output: its row, its refund (for JSON detail; None from the bulk engine,
#: which never writes JSON) and what the summary keeps of it.
_Result = tuple[list[Any], EntryRefund | None, _Summary]


def _estimate(
    files: Sequence[Path], args: argparse.Namespace, out: TextIO, problems_out: Path | None
) -> int:
    """Refund each entry as it arrives; write its row; keep only its summary.

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
    if args.ledger is not None and not args.ledger.is_file():
        # Read only here: a mistyped path would silently show every entry as undeclared.
        raise UsageError(f"{args.ledger}: no such ledger file")
    ledger = read_ledger(args.ledger, declared_by=job.declared_on) if args.ledger else {}
    # Deposit histories (19 CFR 24.36(a)(1) segments), read whole before the entries stream.
    histories = read_deposits(*args.duty_deposits) if args.duty_deposits else None
    attached: set[str] = set()
    deposit_problems: list[Problem] = list(histories.problems) if histories else []
    summaries: list[_Summary] = []
    to_stdout = args.json and not args.out
    # The bulk engine reads the files itself, and reports as the per-entry reader does.
    entries = (
        stream(files, getattr(args, "mapping", ()), getattr(args, "delimiter", None))
        if engine == "entry"
        else None
    )
    split: list[int] = []
    whole: list[tuple[str, str]] = []
    imported: list[Es003Report] = []
    with Outputs() as outputs:
        target = _rows(args, outputs, out)
        if entries is None:
            results = _bulk_results(files, args, job, ledger, split, imported, whole)
        else:
            results = _entry_results(
                entries, args, job, ledger, histories, attached, deposit_problems
            )
        for row, refund, summary in results:
            if target is not None:
                target.write(row, refund)
            summaries.append(summary)
        if target is not None:
            target.close()
        report = imported[0] if entries is None else entries.report
        if histories is not None:
            # Every history ends on its entry or in a problem, as with_deposits says it.
            unused = sorted(set(histories.deposits) - attached)
            deposit_problems.extend(
                with_deposits((), {n: histories.deposits[n] for n in unused}).problems
            )
        report_input(report, problems_out, outputs, more=deposit_problems)
        for problem in deposit_problems:  # after the ES-003's own problems, as they are written
            print(problem, file=sys.stderr)
        outputs.commit()
    if not to_stdout:
        _summary(report, summaries, args, job, _engine_line(engine, chosen, split, whole), out)
    if report.rows_read == 0:
        print(
            "ieepa-refund: the input has a header but no data rows: nothing to estimate",
            file=sys.stderr,
        )
        return 1
    return 1 if report.rows_rejected or deposit_problems else 0


def _engine_line(
    engine: str, chosen: str, split: Sequence[int], whole: Sequence[tuple[str, str]] = ()
) -> str:
    if engine == "entry":
        return f"Engine: entry, the per-entry path; {chosen}"
    columnar, per_entry = split
    # A file read whole is the per-entry path's speed: the user is told which and why.
    why = "".join(
        f"; {name} read whole by the per-entry reader: {reason}" for name, reason in whole
    )
    return (
        f"Engine: bulk, columnar on polars; {chosen}; {columnar:,} entries computed in "
        f"columns, {per_entry:,} by the per-entry path{why}; the input report is the reader's"
    )


def _entry_results(
    entries: Es003Stream,
    args: argparse.Namespace,
    job: _Job,
    ledger: Any,
    histories: Any,
    attached: set[str],
    deposit_problems: list[Problem],
) -> Iterator[_Result]:
    """The per-entry path: each entry refunded (and put on its road) as it arrives."""
    registry, rates = default_registry(), default_rate_table()
    for entry in entries:
        if histories is not None and entry.entry_number in histories.deposits:
            one = {entry.entry_number: histories.deposits[entry.entry_number]}
            done = with_deposits([entry], one)
            (entry,) = done.entries
            deposit_problems.extend(done.problems)
            attached.add(entry.entry_number)
        refund = compute_refund(entry, options=job.options, registry=registry, rates=rates)
        paid = _ieepa_paid(refund)
        road = (
            entry_road(
                entry,
                refund,
                declared_on=job.declared_on,
                options=job.options,
                registry=registry,
                rates=rates,
                timing=job.timing,
                ledger=ledger,
            )
            if args.roads
            else None
        )
        summary = _Summary(
            entry.entry_number,
            refund.payee,
            refund.liquidation_date,
            refund.principal,
            refund.principal_high,
            refund.interest,
            paid,
            frozenset(refund.warning_codes),
            road,
        )
        yield _row(entry, refund, paid, road), refund, summary


#: The bulk engine's columns a row of the command is made of, in the command's order
#: (``interest_missing`` and ``total`` are derived, as an EntryRefund derives them).
_BULK_HEAD = (
    "entry_number", "importer_number", "payee", "entry_type", "entry_date", "liquidation_date",
    "deposit_date", "deposit_basis", "interest_until", "method", "paid", "ieepa_duty_paid",
    "owed", "principal", "principal_high", "interest",
)  # fmt: skip
_BULK_TAIL = ("warnings", "data_version", "rates_version")


def _bulk_results(
    files: Sequence[Path],
    args: argparse.Namespace,
    job: _Job,
    ledger: Any,
    split: list[int],
    imported: list[Es003Report],
    whole: list[tuple[str, str]],
) -> Iterator[_Result]:
    """The bulk engine's rows, in the order the per-entry reader gives the entries.

    The files are read once, by the bulk engine, which also gives what the per-entry
    reader would say of them (``report.input``: the column report, every problem with
    its row, the counts; appended to ``imported``) and the reader's order of the
    entries (``order``), so those outputs are the same whichever engine ran. An entry
    the table and that order disagree on is a bug, never a silent gap.
    """

    from ..bulk import estimate

    found = estimate(
        list(files),
        as_of=job.as_of,
        declared_on=job.declared_on,
        options=job.options,
        registry=default_registry(),
        rates=default_rate_table(),
        mapping=dict(getattr(args, "mapping", ())),
        progress=_progress,
        roads=args.roads,
        timing=job.timing if args.roads else None,
        ledger=ledger if args.roads else None,
    )
    imported.append(found.report.input)
    order = found.order
    table = found.entries
    if order.n_unique() != len(order) or not order.sort().equals(table["entry_number"].sort()):
        raise RuntimeError(
            f"the bulk engine computed {table.height:,} entries where the reader read "
            f"{len(order):,}; run again with --engine entry"
        )
    roads = {r.entry_number: r for r in found.roads} if found.roads is not None else {}
    split.extend((found.report.entries_bulk, found.report.entries_entry))
    whole.extend(found.report.files_whole)
    positions = order.to_frame("entry_number").with_row_index("_position")
    rows = table.join(positions, on="entry_number").sort("_position")
    for values in rows.select(*_BULK_HEAD, *_BULK_TAIL).iter_rows():
        head, (warnings, data_version, rates_version) = values[:16], values[16:]
        principal, high, interest = head[13], head[14], head[15]
        codes = frozenset(warnings.split())
        road = roads.get(head[0])
        row = [
            *head,
            interest is None and principal > 0,  # as EntryRefund's records say it
            None if interest is None else principal + interest,
            " ".join(sorted(codes)),
            data_version,
            rates_version,
            *_road_cells(road),
        ]
        summary = _Summary(
            head[0], head[2], head[5], principal, high, interest, head[11], codes, road
        )
        yield row, None, summary


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


def check_estimate_outputs(args: argparse.Namespace, inputs: Sequence[Path]) -> None:
    """Refuse, before any input is read, outputs that cannot be written safely."""
    problems = getattr(args, "problems", None)  # demo has no --problems
    if args.out is not None:
        check_output(args.out, inputs=inputs, others=[problems] if problems else [])
        if format_of(args.out) != "json" and args.json:
            raise UsageError(
                f"{args.out}: --json writes JSON to stdout; to write a JSON file, name it .json"
            )
    if problems is not None:
        check_output(problems, inputs=inputs)


class _Rows:
    """One row per entry, to a CSV, a JSON array (file or stdout) or an .xlsx sheet."""

    def __init__(self, kind: str, stream: TextIO | None = None, path: Path | None = None) -> None:
        self.kind, self.stream, self.path = kind, stream, path
        self.count = 0
        if kind == "csv":
            assert stream is not None
            self.csv = csv.writer(stream)
            self.csv.writerow(ESTIMATE_COLUMNS)
        elif kind == "json":
            assert stream is not None
            stream.write("[")
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("refunds")
            self.sheet.append(list(ESTIMATE_COLUMNS))

    def write(self, row: list[Any], refund: EntryRefund | None) -> None:
        if self.kind == "csv":
            self.csv.writerow([cell(v) for v in row])
        elif self.kind == "json":
            assert self.stream is not None
            assert refund is not None  # JSON rows come from the per-entry path (bulk_gaps)
            item = {
                **dict(zip(ESTIMATE_COLUMNS, row, strict=True)),
                "detail": refund.model_dump(mode="json"),
            }
            self.stream.write(("," if self.count else "") + "\n" + json.dumps(item, default=str))
        else:
            self.sheet.append([_xlsx_cell(v) for v in row])
        self.count += 1

    def close(self) -> None:
        if self.kind == "json":
            assert self.stream is not None
            self.stream.write("\n]\n")
        elif self.kind == "xlsx":
            assert self.path is not None
            self.book.save(self.path)


def _xlsx_cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = cell(value)
    # openpyxl refuses control characters in text; a cell of the input may hold one.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _rows(args: argparse.Namespace, outputs: Outputs, out: TextIO) -> _Rows | None:
    if args.out is None:
        return _Rows("json", out) if args.json else None
    kind = format_of(args.out)
    if kind == "xlsx":
        return _Rows(kind, path=outputs.temp_path(args.out))
    return _Rows(kind, outputs.text(args.out))


def _summary(
    report: Es003Report,
    refunds: Sequence[_Summary],
    args: argparse.Namespace,
    job: _Job,
    engine: str,
    out: TextIO,
) -> None:
    registry, rates = default_registry(), default_rate_table()
    say: Callable[..., None] = lambda *parts: print(*parts, file=out)  # noqa: E731
    principal = sum((r.principal for r in refunds), ZERO)
    interest = sum((r.interest or ZERO for r in refunds), ZERO)
    uncertain = [r for r in refunds if r.principal_high != r.principal]
    say("ieepa-refund estimate: estimates, not legal advice")
    say(
        f"Data: Chapter 99 {registry.data_version}; interest rates {rates.data_version} "
        f"(to {rates.periods[-1].effective_to.isoformat()}, exclusive); method {args.method}; "
        f"{'corporate' if args.corporate else 'non-corporate'} overpayment rate"
    )
    say(
        "Assumptions: duty rounded half-up per HTS number; interest compounded daily, actual/actual, "
        f"each day in (deposit, liquidation], half-up per entry; deposit date: {args.deposit}; "
        f"unliquidated entries accrue to {job.as_of.isoformat()}; the liquidation date in the data "
        "is taken as the one that refunds the IEEPA duty"
    )
    say(engine)
    say(input_line(report))
    say("")
    say(f"  IEEPA duty paid   {sum((r.ieepa_paid for r in refunds), ZERO):>16,}")
    say(
        f"  Refund principal  {principal:>16,}  ({sum(1 for r in refunds if r.principal > 0):,} entries with a refund)"
    )
    if uncertain:
        gaps = [r.principal_high - r.principal for r in uncertain if r.principal_high is not None]
        unbounded = len(uncertain) - len(gaps)
        # Said per kind: "no upper bound" of all of them was wrong where only some have none.
        upper = "; ".join(
            part
            for part in (
                f"{unbounded:,} with no upper bound" if unbounded else "",
                f"{len(gaps):,} up to {sum(gaps, ZERO):,} more" if gaps else "",
            )
            if part
        )
        say(f"                    {len(uncertain):,} entries uncertain: {upper}")
    incomplete = [r for r in refunds if "INCOMPLETE_ENTRY" in r.codes]
    if incomplete or report.entries_rejected:
        at_stake = sum((r.ieepa_paid for r in incomplete), ZERO)
        say(
            f"                    {len(incomplete):,} entries incomplete (rows rejected): IEEPA duty "
            f"{at_stake:,} on their rows kept, not counted in the principal above until the "
            f"input is fixed; {report.entries_rejected:,} entries rejected whole"
        )
    # An interest figure never drops silently out of a total: entries with a refund but no
    # interest figure (a liquidation date past the rate table, dates out of order) make the
    # totals floors, said so in words.
    missing = [r for r in refunds if r.interest is None and r.principal > 0]
    floor = "at least " if missing else ""
    say(f"  Interest          {interest:>16,}  {floor.strip()}".rstrip())
    say(f"  Total             {principal + interest:>16,}  {floor.strip()}".rstrip())
    if missing:
        why = Counter(
            code
            for r in missing
            for code in r.codes
            if code in ("RATE_NOT_COVERED", "INTEREST_BEFORE_DEPOSIT", "NO_INTEREST_UNLIQUIDATED")
        )
        reasons = ", ".join(f"{code} {n:,}" for code, n in sorted(why.items())) or "see warnings"
        say(
            f"  INTEREST_INCOMPLETE: {len(missing):,} entries with a refund have no interest "
            f"figure ({reasons}); the interest and total above leave them out"
        )
    if args.roads:
        _roads(refunds, job, say)
    else:
        say("")
        say("Roads, payments CAPE is expected to make and deadlines: not computed (--no-roads)")
    codes = Counter(code for r in refunds for code in r.codes)
    if codes:
        say("")
        say(
            "Warnings (entries): " + ", ".join(f"{code} {n:,}" for code, n in sorted(codes.items()))
        )


def _roads(refunds: Sequence[_Summary], job: _Job, say: Callable[..., None]) -> None:
    """Money by road, then only what CAPE is expected to pay, the other roads beside it."""
    roads = Roads(tuple(r.road for r in refunds if r.road is not None))
    declared_on, timing = job.declared_on, job.timing
    say("")
    say(f"Where each dollar stands, for a CAPE declaration on {declared_on.isoformat()}:")
    totals = road_totals(roads)
    width = max([42, *(len(t.label) for t in totals)])
    say(f"  {'road':{width}} {'entries':>7} {'principal':>14} {'interest':>12}  next deadline")
    for t in totals:
        deadline = t.next_deadline.isoformat() if t.next_deadline else "-"
        say(f"  {t.label:{width}} {t.entries:>7,} {t.principal:>14,} {t.interest:>12,}  {deadline}")
    say(
        "  On the CAPE roads interest runs to the expected (re)liquidation: "
        f"{timing.liquidation_after_acceptance_days} days after acceptance if unliquidated, "
        f"liquidation + {timing.reliquidation_after_liquidation_days} days if liquidated "
        f"(data/cape_timing {timing.data_version}); acceptance is taken as the declaration date"
    )
    missing = [r for r in roads if r.road.through_cape and r.interest is None and r.principal > 0]
    if missing:
        say(
            f"  INTEREST_INCOMPLETE: {len(missing):,} CAPE entries have no interest figure (an "
            "expected date past the interest-rate table, or no date yet); pass --project to "
            "carry the last known rate forward"
        )
    result = roads.payments()
    money_on = {r.entry_number: r.expected_payment for r in roads}
    say("")
    say(
        f"Payments CAPE is expected to make, by payee and expected (re)liquidation date "
        f"({len(result):,}), as CBP consolidates them:"
    )
    say(
        f"  {'payee':16} {'(re)liquidation':15} {'principal':>14} {'interest':>12} {'net':>14} "
        f"{'entries':>7}  money expected"
    )
    shown = result.payments[:25]
    for p in shown:
        expected = max(d for e in p.entries if (d := money_on[e]) is not None)
        # A payment with entries lacking an interest figure: its interest and net are floors.
        floor = (
            ""
            if p.interest_complete
            else f"  INTEREST_INCOMPLETE: interest and net at least these ({p.interest_missing:,} "
            "entries without an interest figure)"
        )
        say(
            f"  {p.payee:16} {p.liquidation_date.isoformat():15} {p.principal:>14,} "
            f"{p.interest:>12,} {p.net:>14,} {len(p.entries):>7,}  {expected.isoformat()}{floor}"
        )
    if len(result) > len(shown):
        say(f"  ... and {len(result) - len(shown):,} more payments (write them all with --out)")
    # An uncertain principal is paid at what is established; what it may reach is said beside.
    uncertain = [
        r
        for r in roads
        if r.road.through_cape and r.principal_high is not None and r.principal_high > r.principal
    ]
    for r in uncertain:
        where = "in no payment above" if r.principal <= 0 else "in the payments above at that"
        say(
            f"  uncertain: {r.entry_number} ({r.payee}): principal {r.principal:,} established "
            f"({where}), up to {r.principal_high:,}"
        )
    unbounded = [r for r in roads if r.road.through_cape and r.principal_high is None]
    for r in unbounded:
        say(
            f"  uncertain: {r.entry_number} ({r.payee}): principal {r.principal:,} established, "
            "no upper bound"
        )
    low, high = timing.payment_after_acceptance_range
    say(
        f"  Money expected {timing.payment_after_acceptance_days} days after acceptance (brokers "
        f"relay {low} to {high}), never before the (re)liquidation"
    )
    beside = [
        t
        for t in road_totals(roads)
        if not t.road.through_cape and t.road is not Road.NOTHING_TO_REFUND
    ]
    waiting = [r for r in roads if r.road.through_cape and r.expected_liquidation is None]
    if waiting or beside:
        say("  Not in these payments (no payment predicted):")
    if waiting:
        held = sum((r.principal for r in waiting), ZERO)
        say(
            f"    {len(waiting):,} CAPE entries refunded only when CBP liquidates them (date unknown): "
            f"principal {held:,}"
        )
    for t in beside:
        deadline = f"; first deadline {t.next_deadline.isoformat()}" if t.next_deadline else ""
        say(
            f"    {t.label}: {t.entries:,} entries, principal {t.principal:,}, "
            f"interest {t.interest:,}{deadline}"
        )


def run_estimate(args: argparse.Namespace) -> int:
    check_estimate_outputs(args, args.files)
    return _estimate(args.files, args, sys.stdout, args.problems)


def run_demo(args: argparse.Namespace) -> int:
    check_estimate_outputs(args, [])
    sample = sample_es003()
    print(f"Demo on the bundled synthetic ES-003 sample ({sample.name}): not real trade data.\n")
    _estimate([sample], args, sys.stdout, None)
    # The sample holds deliberate faults to show how they are reported: a demo that ran is a success.
    return 0
