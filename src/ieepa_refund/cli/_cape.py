"""``ieepa-refund cape`` (screen, declare, report) and ``ieepa-refund check``."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..cape import Screening, check_declaration, screen, write_declarations
from ..cape._format import filer_code
from ..cape.declarations import not_a_ledger, read_ledger
from ..cape.screen import compact_party
from ..es003 import Es003Report
from ..refund import compute_figures
from ..registry import default_registry
from ._engines import _engine, _engine_line
from ._inputs import _progress, input_line, rejected_whole, report_input, stream
from ._output import Outputs, UsageError, cell, check_output, counted, input_files, same_file
from ._summary import named

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
    if args.new_ledger and args.ledger is None:
        raise UsageError("--new-ledger needs --ledger FILE: the ledger to start")
    if args.ledger is not None:
        if not args.new_ledger and not args.ledger.exists() and not args.ledger.is_symlink():
            # A mistyped path would start a second, empty ledger and declare again every entry
            # the real one holds (t67/11): a new ledger is started only when asked.
            raise UsageError(
                f"{args.ledger}: no such ledger file: check the path, or add --new-ledger to "
                "start a ledger there (the first declaration run)"
            )
        if args.ledger.is_symlink():
            # The ledger is replaced whole on each run: a link would become a plain file.
            raise UsageError(f"{args.ledger}: a symbolic link; give the ledger's real path")
        if args.ledger.is_dir():
            raise UsageError(not_a_ledger(args.ledger) or f"{args.ledger}: a folder")
        # The ledger is appended to, its one legitimate write: any other input under its name
        # (by path, link or hard link) is refused.
        for source in input_files(args, besides="ledger"):
            if same_file(args.ledger, source):
                raise UsageError(f"{args.ledger}: the ledger is also an input; choose another")


#: Each screened entry with its money, so that the report shows what an excluded or flagged
#: entry (incomplete, a wrong check digit) holds: (screening, principal, high bound).
#: The fourth item: each entry's importer number, which decides who may submit its declaration.
_Screened = tuple[
    list[Screening], list[tuple[Decimal, Decimal | None]], Es003Report, dict[str, str]
]


def _entry_screenings(args: argparse.Namespace, declared_on: date) -> _Screened:
    """The per-entry path: each entry screened and refunded as it arrives."""
    entries = stream(args.files, args.mapping, args.delimiter)
    registry = default_registry()
    screenings: list[Screening] = []
    money: list[tuple[Decimal, Decimal | None]] = []
    importers: dict[str, str] = {}
    for entry in entries:
        importers[entry.entry_number] = entry.importer_number
        screenings.append(
            screen(entry, declared_on=declared_on, registry=registry, plaintiffs=args.plaintiff)
        )
        # The principal and its bound only: compute_figures gives them equal to compute_refund's.
        refund = compute_figures(entry, registry=registry)
        money.append((refund.principal, refund.principal_high))
    return screenings, money, entries.report, importers


def _bulk_screenings(
    args: argparse.Namespace,
    declared_on: date,
    split: list[int],
    whole: list[tuple[str, str]],
    narrow: list[tuple[str, str, int]],
) -> _Screened:
    """The bulk engine's screenings and money, in the order the per-entry reader gives the
    entries, with the reader's report on the files (as ``estimate --engine bulk`` reads them).

    Interest is not in the report: the bulk engine's interest end (the declaration date) changes
    no principal. The declarations are written by the caller from the eligible entries, as on
    the per-entry path, so that --ledger, --filer-code and --check-digits mean the same.
    """
    from ..bulk import estimate

    found = estimate(
        list(args.files),
        as_of=declared_on,
        declared_on=declared_on,
        registry=default_registry(),
        plaintiffs=args.plaintiff,
        mapping=dict(args.mapping),
        progress=_progress,
        screenings=True,
        payments=False,  # cape reads no payment: not made, not held
    )
    kept = found.screenings or {}
    order = found.order.to_list()
    if len(set(order)) != len(order) or set(order) != set(kept):
        raise RuntimeError(
            f"the bulk engine screened {counted(len(kept), 'entry', 'entries')} where the reader "
            f"read {len(order):,}; run again with --engine entry"
        )
    split.extend((found.report.entries_bulk, found.report.entries_entry))
    whole.extend(found.report.files_whole)
    narrow.extend(found.report.entries_narrow)
    money: dict[str, tuple[Decimal, Decimal | None]] = {}
    importers: dict[str, str] = {}
    shared: dict[str, str] = {}  # a portfolio has few importers: one string each, not per row
    for number, importer, principal, high in found.entries.select(
        "entry_number", "importer_number", "principal", "principal_high"
    ).iter_rows():
        money[number] = (principal, high)
        importers[number] = shared.setdefault(importer, importer)
    return [kept[n] for n in order], [money[n] for n in order], found.report.input, importers


def _lean_screenings(args: argparse.Namespace, declared_on: date, split: list[int]) -> _Screened:
    """The lean engine's screenings and money, in the order the per-entry reader gives the
    entries (it is that reader), with its report, as :func:`_bulk_screenings` gives them."""
    from ..bulk import lean

    rows = lean.stream(
        list(args.files),
        as_of=declared_on,
        declared_on=declared_on,
        registry=default_registry(),
        plaintiffs=args.plaintiff,
        mapping=dict(args.mapping),
        progress=_progress,
        delimiter=args.delimiter,
        screenings=True,
    )
    money: list[tuple[Decimal, Decimal | None]] = []
    numbers: list[str] = []
    importers: dict[str, str] = {}
    shared: dict[str, str] = {}  # a portfolio has few importers: one string each, not per row
    for row in rows:
        numbers.append(row.entry_number)
        money.append((row.principal, row.principal_high))
        importers[row.entry_number] = shared.setdefault(row.importer_number, row.importer_number)
    kept = rows.screenings or {}
    if len(kept) != len(numbers) or set(kept) != set(numbers):
        raise RuntimeError(
            f"the lean engine screened {counted(len(kept), 'entry', 'entries')} where the reader "
            f"read {len(numbers):,}; run again with --engine entry"
        )
    split.extend((rows.entries_lean, rows.entries_entry))
    return [kept[n] for n in numbers], money, rows.report, importers


def run_cape(args: argparse.Namespace) -> int:
    today = date.today()  # noqa: DTZ011 - the CLI alone reads the clock
    declared_on = args.declared_on or today
    _check_cape_outputs(args)
    filer_code(args.filer_code)  # a code no entry can start with stops the run before any output
    engine, chosen = _engine(args)
    # A ledger that does not parse stops the run before any output.
    ledger = read_ledger(args.ledger) if args.ledger is not None else None
    started = args.ledger is not None and not args.ledger.exists()  # --new-ledger, no file yet
    if args.new_ledger and not started:
        # Not started again, nor emptied (t68/10): the entries it holds stay declared.
        print(
            f"ieepa-refund cape: note: --new-ledger: {args.ledger} exists and is read "
            f"({counted(len(ledger or ()), 'entry', 'entries')} declared before this run); the "
            "flag starts a ledger only where none is",
            file=sys.stderr,
        )
    split: list[int] = []
    whole: list[tuple[str, str]] = []
    narrow: list[tuple[str, str, int]] = []
    if engine == "entry":
        screenings, money, imported, importers = _entry_screenings(args, declared_on)
    elif engine == "lean":
        screenings, money, imported, importers = _lean_screenings(args, declared_on, split)
    else:
        screenings, money, imported, importers = _bulk_screenings(
            args, declared_on, split, whole, narrow
        )
    if imported.rows_read == 0:
        # As estimate says it (t68/03): a header alone is no batch, and an empty report and
        # manifest would look like a run that declared nothing of a real portfolio.
        print(_engine_line(engine, chosen, split, whole, narrow))
        print(input_line(imported))
        print(
            "ieepa-refund: the input has a header but no data rows: nothing to screen or "
            "declare; no report, manifest or declaration written",
            file=sys.stderr,
        )
        return 1
    data = _screening_csv(screenings, money)
    # Named by its content: another batch (another input) never overwrites this report, and
    # the same run again rewrites the same bytes under the same name.
    digest = hashlib.sha256(data).hexdigest()[:12]
    report = args.out / f"screening_{declared_on.isoformat()}_{digest}.csv"
    check_output(report, inputs=input_files(args))
    with Outputs() as outputs:
        report_input(
            imported,
            args.problems,
            outputs,
            more=rejected_whole(
                imported, "it is not screened, not in the screening report and in no declaration"
            ),
        )
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
        importers=importers,  # a set of files per (importer, filer code): one account each
    )
    statuses = Counter(s.status for s in screenings)
    excluded = Counter(
        r.code for s in screenings if not s.eligible for r in s.reasons if r.effect == "exclude"
    )
    rules = screenings[0].rules_version if screenings else "-"
    print(f"ieepa-refund cape: declaration date {declared_on.isoformat()}; CAPE rules {rules}")
    if declared_on < today:
        # A file is uploaded today or later, and ACE judges it on the upload (brief section 6):
        # screened for a past day, an entry may be past its look-back now (t67/09).
        print(
            f"ieepa-refund cape: warning: --declared-on {declared_on.isoformat()} is "
            f"{counted((today - declared_on).days, 'day', 'days')} before today "
            f"({today.isoformat()}): the entries are screened as of that date"
            + (", and the ledger records it as their declaration date" if args.ledger else "")
            + "; ACE judges a declaration on the day it is uploaded: screen again with today's "
            "date before uploading",
            file=sys.stderr,
        )
    elif declared_on > today:
        # Taken as asked (a batch prepared ahead), but a ledger dated after an estimate's
        # --as-of is refused by it as a typo (t68/01): said now, not on that later run.
        print(
            f"ieepa-refund cape: warning: --declared-on {declared_on.isoformat()} is "
            f"{counted((declared_on - today).days, 'day', 'days')} after today "
            f"({today.isoformat()}): the entries are screened as of that date"
            + (
                ", and the ledger records it as their declaration date: estimate --ledger with "
                "an earlier --as-of (today's, by default) will refuse the ledger"
                if args.ledger
                else ""
            )
            + "; ACE judges a declaration on the day it is uploaded: screen again on that day "
            "before uploading",
            file=sys.stderr,
        )
    _warn_plaintiffs(args.plaintiff, importers.values())
    print(_engine_line(engine, chosen, split, whole, narrow))
    print(input_line(imported))
    print(
        f"Screened {counted(len(screenings), 'entry', 'entries')}: {statuses['eligible']:,} eligible, "
        f"{statuses['eligible_at_liquidation']:,} eligible but refunded at liquidation, "
        f"{statuses['excluded']:,} excluded"
    )
    if sum(excluded.values()) > statuses["excluded"]:
        print("  by reason (an entry excluded for several reasons is counted under each):")
    for code, n in sorted(excluded.items()):
        print(f"  excluded {code}: {n:,}")
    if ledger:
        # Screened on this run's date, an entry the ledger holds may be excluded (its
        # look-back ended since it was declared): it stays declared, and is not declared again.
        held = [s.entry_number for s in screenings if not s.eligible and s.entry_number in ledger]
        if held:
            print(
                f"  of the excluded, declared already per the ledger: "
                f"{counted(len(held), 'entry', 'entries')} (on their ledger dates; excluded on "
                f"{declared_on.isoformat()}, they are not declared again: check their claims in "
                f"the ACE Portal's CAPE tab, and estimate --ledger for their road): {named(held)}"
            )
    # Notes an entry's screening carries that the user should check in ACE, each named (the
    # first as estimate flags it: the windows count from a date not yet reached).
    on = declared_on.isoformat()
    for code, what in (
        ("LIQUIDATION_AFTER_AS_OF",
         f"with a liquidation date after the declaration date {on} (a scheduled date or a "
         "typo; their windows in the report count from it)"),
        ("LIQUIDATION_SCHEDULED",
         f"with an open status and a liquidation date after the declaration date {on}, read "
         "as a scheduled liquidation (screened as unliquidated)"),
        ("SUMMARY_STATUS_UNKNOWN",
         "whose Entry Summary Status is neither cancelled/rejected nor accepted as read here "
         "(screened as standing; see the report's messages)"),
    ):  # fmt: skip
        noted = [s.entry_number for s in screenings if code in s.reason_codes]
        if noted:
            print(
                f"  {code}: {counted(len(noted), 'entry', 'entries')} {what}: check them in "
                f"ACE: {named(noted)}"
            )
    rejected = imported.entries_rejected_numbers
    if rejected:
        # Named, not only counted: such an entry is in no report and no declaration.
        print(
            f"Not screened, not declared: {counted(len(rejected), 'entry', 'entries')} rejected "
            f"whole by the reader (no entry was built from their rows; see the problems): "
            f"{named(rejected)}"
        )
    if batch.files:
        review_count = (
            f" ({batch.for_review:,} of them in a file for review, not declared)"
            if batch.for_review
            else ""
        )
        print(
            f"Declarations in {args.out}: {counted(batch.count, 'entry', 'entries')} in "
            f"{counted(len(batch.files), 'file', 'files')}{review_count}"
        )
    else:
        print("Declarations: none written: no entry to declare or review (no file, no manifest)")
    groups = {(f.filer_code, f.importer_number) for f in batch.files}
    if len(groups) > 1:
        print(
            f"  {len(groups):,} sets of files, one per importer of record and filer code: one ACE "
            "account (the importer or the filing broker) submits each"
        )
    for f in batch.files:
        whose = f"; filer {f.filer_code}" if f.filer_code else ""
        whose += f", importer {f.importer_number}" if f.importer_number else ""
        print(f"  {f.name}: {counted(f.count, 'entry', 'entries')} ({f.holds}{whose})")
    review = [f.name for f in batch.files if f.holds == "check_digit_failures"]
    if review:
        # Not declared (t67/07): the ledger marks its entries for review, and a later run
        # declares them once checked.
        kept = "in the ledger as for review, not declared; " if args.ledger is not None else ""
        print(
            f"  {', '.join(review)}: for review ({kept}not to upload as it is): check each "
            "entry number in ACE; fix a typo in the input, or run again with --check-digits "
            "keep to declare the numbers ACE confirms"
        )
    # Each kind of skip counted and named here too (one line each on stderr): a second run
    # with the same --ledger declares nothing, and says the eligible entries are declared.
    kinds: dict[str, list[str]] = {}
    for s in batch.skipped:
        kinds.setdefault(s.code, []).append(s.value)
    for code, values in kinds.items():
        why = next(s.message for s in batch.skipped if s.code == code)
        print(
            f"  not declared, {code} ({why}): {counted(len(values), 'entry', 'entries')}: {named(values)}"
        )
    for s in batch.skipped:
        print(f"  skipped {s.value}: {s.code}: {s.message}", file=sys.stderr)
    print(f"Screening report: {report}")
    if batch.manifest is not None:
        print(f"Manifest: {batch.manifest}")
    if args.ledger is not None and ledger is not None:
        # Said either way (t67/11): a ledger started by mistake shows at once.
        if not started:
            # As the writer found it under the ledger's lock: another run may have added to
            # it since this one read it at the start (t71/01).
            before = batch.ledger_held if batch.ledger_held is not None else len(ledger)
            state = f"{counted(before, 'entry', 'entries')} declared before this run"
        elif args.ledger.exists():
            state = "started by this run (--new-ledger)"
        else:
            state = "not started: nothing was written to it (--new-ledger)"
        print(f"Ledger: {args.ledger}: {state}")
    return 1 if imported.rows_rejected or statuses["excluded"] or batch.skipped else 0


def _warn_plaintiffs(plaintiffs: list[str], importers: Iterable[str]) -> None:
    """A --plaintiff that matches no importer read (compared without dashes, as the screen
    compares them) is named: a typo would leave a plaintiff's entries out in silence (t67/10)."""
    if not plaintiffs:
        return
    read = {compact_party(importer) for importer in importers}
    for plaintiff in plaintiffs:
        if compact_party(plaintiff) not in read:
            print(
                f"ieepa-refund cape: warning: --plaintiff {plaintiff} matches no importer number "
                "in the input (compared without dashes or spaces): check the number",
                file=sys.stderr,
            )


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
