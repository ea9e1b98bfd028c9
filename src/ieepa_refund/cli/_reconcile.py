"""``ieepa-refund reconcile``: the estimate against the ledger, CBP's reports and the bank."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from ..cape.declarations import not_a_ledger
from ..interest import default_rate_table
from ..reconcile import (
    BankDeposits,
    CbpFileRead,
    CbpRefunds,
    ClaimDetails,
    Reconciliation,
    TradeRefunds,
    read_bank_deposits,
    read_claims,
    read_refunds,
    read_trade_refunds,
    reconcile,
    resubmit,
)
from ..refund import RefundOptions
from ._inputs import input_line, report_input, stream
from ._output import (
    Outputs,
    UsageError,
    check_output,
    counted,
    format_of,
    input_files,
    write_csv,
)
from ._summary import named

__all__ = ["run_reconcile", "run_reconcile_demo"]


def _check(args: argparse.Namespace) -> None:
    inputs = input_files(args)
    outs = [p for p in (args.out, args.problems) if p is not None]
    for i, path in enumerate(outs):
        check_output(path, inputs=inputs, others=outs[:i])
    if args.out is not None and format_of(args.out) == "xlsx":
        raise UsageError(f"{args.out}: the reconciliation report is written as .csv or .json")
    if args.resubmit is not None:
        if args.ledger is None:
            raise UsageError("--resubmit needs --ledger: resubmission goes through the ledger")
        if args.resubmit.exists() and not args.resubmit.is_dir():
            raise UsageError(f"{args.resubmit}: a file, not a folder")
    if args.ledger is not None and (refused := not_a_ledger(args.ledger)):
        # As estimate does: a mistyped ledger is not an empty one.
        raise UsageError(refused)
    cbp = ("claims", "refunds", "trade_refunds", "deposits")
    if args.ledger is None and not any(getattr(args, name) for name in cbp):
        # Nothing to reconcile against: every entry would be reported not_declared, which
        # reads as a finding (t68/04); estimate is the command for the ES-003 alone.
        raise UsageError(
            "nothing to reconcile the ES-003 with: give --ledger (the entries declared) and "
            "any CBP files you hold (--claims, --refunds, --trade-refunds, --deposits); for "
            "the estimate alone, run estimate"
        )


class _Read(NamedTuple):
    claims: ClaimDetails | None
    refunds: CbpRefunds | None
    trade_refunds: TradeRefunds | None
    deposits: BankDeposits | None

    def values(self) -> tuple[CbpFileRead | None, ...]:
        return tuple(self)


def _read(args: argparse.Namespace) -> _Read:
    def given(name: str) -> tuple[list[Path], dict[str, str]] | None:
        paths = getattr(args, name)
        return (paths, dict(getattr(args, f"{name}_map"))) if paths else None

    claims, refunds = given("claims"), given("refunds")
    trades, deposits = given("trade_refunds"), given("deposits")
    return _Read(
        read_claims(*claims[0], mapping=claims[1]) if claims else None,
        read_refunds(*refunds[0], mapping=refunds[1]) if refunds else None,
        read_trade_refunds(*trades[0], mapping=trades[1]) if trades else None,
        read_bank_deposits(*deposits[0], mapping=deposits[1]) if deposits else None,
    )


def _report_cbp(read: _Read) -> None:
    for result in read.values():
        if result is None:
            continue
        for file in result.files:
            print(f"Columns of {file.file} ({result.kind}):", file=sys.stderr)
            for field, header in file.recognised.items():
                how = "mapped" if field in file.mapped else "recognised"
                print(f"  {how:<11} {header!r} as {field}", file=sys.stderr)
            for header in file.ignored:
                print(f"  ignored     {header!r}", file=sys.stderr)


def _money(value: Decimal) -> str:
    return f"{value:,}"


def _unknown(rec: Reconciliation) -> str:
    """What the estimated money leaves out: the estimate adds an entry's interest only where
    it is known, so a sum silent about the rest read as the whole (t68/13). An entry not yet
    liquidated has no interest figure here (it runs to a liquidation date not yet set);
    ``estimate`` gives one to its --as-of and, on its roads, to the expected date."""
    missing = [
        e
        for e in rec.entries
        if e.interest_estimate is None and (e.principal_estimate or Decimal(0)) > 0
    ]
    if not missing:
        return ""
    open_ = sum(e.liquidation_date is None for e in missing)
    why = []
    if open_:
        why.append(
            f"{open_:,} not yet liquidated, their interest running to a date not yet set: "
            "see estimate, to --as-of and on its roads to the expected (re)liquidation"
        )
    if rest := len(missing) - open_:
        why.append(f"{rest:,} liquidated with no interest figure (estimate's warnings say why)")
    return (
        f"  (interest unknown for {counted(len(missing), 'entry', 'entries')}, not in this "
        f"figure: {'; '.join(why)})"
    )


def _summary(rec: Reconciliation, read: _Read) -> None:
    for result in read.values():
        if result is not None:
            debits = getattr(result, "debits", ())
            aside = f", {counted(len(debits), 'debit', 'debits')} set aside" if debits else ""
            print(
                f"{result.kind}: {counted(result.rows_read, 'row', 'rows')} read, "
                f"{result.rows_used:,} used, {result.rows_rejected:,} rejected{aside}, from "
                f"{counted(len(result.files), 'file', 'files')}"
            )
            if debits:
                # Named, so a reader can check no credit was taken for a debit.
                rows = ", ".join(d.key for d in debits[:10])
                more = f" and {len(debits) - 10:,} more" if len(debits) > 10 else ""
                print(f"  debits (money out, not deposits): {rows}{more}")
    totals = rec.totals()
    print("Money (estimated, declared, accepted: our figures; refunded, paid, diverted: CBP's):")
    for name in ("estimated", "declared", "accepted", "refunded", "paid", "diverted"):
        print(
            f"  {name:<10} {_money(totals[name]):>16}{_unknown(rec) if name == 'estimated' else ''}"
        )
    statuses = Counter(e.status for e in rec.entries)
    print(
        "Entries: "
        + ", ".join(f"{n:,} {status}" for status, n in sorted(statuses.items()))
        + f" ({len(rec.entries):,} in all)"
    )
    failed = [e for e in rec.entries if e.status == "failed"]
    if failed:
        print("Failed by cause:")
        by_cause = Counter((e.cause or "unknown_message", e.fix_path or "-") for e in failed)
        for (cause, fix), n in sorted(by_cause.items()):
            print(f"  {cause}: {n:,} (fix: {fix})")
        ready = sum(e.resubmit == "ready" for e in failed)
        after = sum(e.resubmit == "after_correction" for e in failed)
        print(f"  ready to resubmit: {ready:,}; after a post-summary correction: {after:,}")
    unexplained = rec.unexplained
    print(
        f"Unexplained differences: {counted(len(unexplained), 'entry', 'entries')}, "
        f"{_money(totals['unexplained'])} in all"
    )
    for e in unexplained:
        if e.estimate is None:
            # Nothing to subtract: the whole refund is the unexplained figure.
            print(
                f"  {e.entry_number}: no estimate (not in the ES-003 input): CBP refunded "
                f"principal {e.principal_reported or 0:,}, interest {e.interest_reported or 0:,}"
            )
            continue
        print(
            f"  {e.entry_number}: principal {e.principal_difference or 0:+,}, "
            f"interest {e.interest_difference or 0:+,}"
        )
    causes = Counter(
        cause
        for e in rec.entries
        for cause in (e.principal_cause, e.interest_cause)
        if cause not in (None, "match", "unexplained")
    )
    for cause, n in sorted(causes.items()):
        print(f"  explained by {cause}: {n:,}")
    paid = Counter(p.status for p in rec.payments)
    print(
        f"Payments: {len(rec.payments):,}"
        + (" (" + ", ".join(f"{n:,} {s}" for s, n in sorted(paid.items())) + ")" if paid else "")
    )
    for p in rec.payments:
        if p.cbp_difference:
            print(
                f"  CBP's consolidated refund for {p.payee} liquidated "
                f"{p.liquidation_date.isoformat()} differs from its entries by "
                f"{p.cbp_difference:+,}"
            )
    for p in rec.unmatched_refunds:
        print(
            f"  unmatched refund: {p.payee} liquidated {p.liquidation_date.isoformat()}: "
            f"net {_money(p.net)} ({p.status})"
        )
    for d in rec.unmatched_deposits:
        print(
            f"  unmatched deposit: {d.key} {d.date.isoformat()} {_money(d.amount)} "
            f"{d.reference or ''}".rstrip()
        )


def _records(rec: Reconciliation) -> tuple[list[str], list[list[Any]]]:
    records = rec.to_records(level="entry")
    header = [c.name for c in type(rec).__tables__[0].schema]
    return header, [[r[name] for name in header] for r in records]


def run_reconcile(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()  # noqa: DTZ011 - the CLI alone defaults a date
    _check(args)
    entries = stream(args.files, args.mapping)
    read = _read(args)
    options = RefundOptions(
        method=args.method, corporate=args.corporate, deposit=args.deposit, project=args.project
    )
    read_entries = list(entries)
    rec = reconcile(
        read_entries,
        ledger=args.ledger,
        claims=read.claims,
        refunds=read.refunds,
        trade_refunds=read.trade_refunds,
        deposits=read.deposits,
        options=options,
        as_of=as_of,
        window_days=args.window_days,
        plaintiffs=args.plaintiff,
    )
    imported = entries.report
    with Outputs() as outputs:
        # CBP files' unreadable rows and the reconciliation's own problems (refunds linked to no
        # entry, status ties, duplicate or conflicting rows) go where the ES-003's go.
        report_input(imported, args.problems, outputs, more=rec.problems)
        _report_cbp(read)
        for problem in rec.problems:
            print(problem, file=sys.stderr)
        if args.out is not None:
            header, rows = _records(rec)
            if format_of(args.out) == "json":
                data = [dict(zip(header, row, strict=True)) for row in rows]
                outputs.text(args.out).write(json.dumps(data, indent=1, default=str) + "\n")
            else:
                write_csv(outputs, args.out, header, rows)
        outputs.commit()
    rates = default_rate_table()
    carried = (
        f", the last rate carried past {(rates.covers_to - timedelta(days=1)).isoformat()} "
        "(--project)"
        if args.project
        else ""
    )
    print(
        f"ieepa-refund reconcile: as of {as_of.isoformat()}; CAPE messages {rec.messages_version}; "
        f"interest rates {rates.data_version}{carried}"
    )
    print(input_line(imported))
    _summary(rec, read)
    if args.out is not None:
        print(f"Report: {args.out}")
    if args.resubmit is not None:
        # The resubmission is declared on the --as-of date (today by default): its ledger rows say so.
        # Screened on that date as cape screens (t67/01): an entry CAPE now excludes is named.
        batch = resubmit(
            rec,
            args.resubmit,
            ledger=args.ledger,
            corrected=args.corrected,
            declared_on=as_of,
            entries=read_entries,
            plaintiffs=args.plaintiff,
        )
        print(
            f"Resubmission in {args.resubmit}: {counted(batch.count, 'entry', 'entries')} in "
            f"{counted(len(batch.files), 'file', 'files')}"
        )
        for f in batch.files:
            print(f"  {f.name}: {counted(f.count, 'entry', 'entries')}")
        kinds: dict[str, list[str]] = {}
        for s in batch.skipped:
            kinds.setdefault(s.code, []).append(s.value)
        for code, values in kinds.items():
            # Counted and named on stdout, as cape does (each with its reason on stderr).
            print(
                f"  not declared again, {code}: {counted(len(values), 'entry', 'entries')}: "
                f"{named(values)}"
            )
        for s in batch.skipped:
            print(f"  skipped {s.value}: {s.code}: {s.message}", file=sys.stderr)
    rejected = imported.rows_rejected + sum(r.rows_rejected for r in read.values() if r)
    troubled = (
        rejected
        or rec.unexplained
        or rec.unmatched_deposits
        or rec.unmatched_refunds
        or any(p.cbp_difference for p in rec.payments)
        or any(e.status in ("failed", "returned") for e in rec.entries)
        or rec.problems
    )
    return 1 if troubled else 0


def run_reconcile_demo(args: argparse.Namespace) -> int:
    """``demo --reconcile``: reconcile the bundled synthetic sample with its CBP files."""
    from .._resources import shipped

    def sample(name: str) -> Path:
        return Path(str(shipped("examples", name)))

    print(
        "Reconciliation demo on the bundled synthetic sample (ES-003, ledger, claim details, "
        "REV-615, REV-603, bank deposits): not real trade data.\n"
    )
    demo = argparse.Namespace(
        files=[sample("sample_es003.csv")],
        mapping=[],
        problems=None,
        ledger=sample("sample_ledger.csv"),
        claims=[sample("sample_claims.csv")],
        refunds=[sample("sample_rev615.csv")],
        trade_refunds=[sample("sample_rev603.csv")],
        deposits=[sample("sample_deposits.csv")],
        claims_map=[],
        refunds_map=[],
        trade_refunds_map=[],
        deposits_map=[],
        as_of=args.as_of,
        corporate=args.corporate,
        method=args.method,
        deposit=args.deposit,
        project=args.project,
        window_days=45,
        out=args.out,
        resubmit=None,
        corrected=[],
        plaintiff=[],
    )
    run_reconcile(demo)
    # The sample holds failures and an unmatched deposit on purpose: a demo that ran succeeded.
    return 0
