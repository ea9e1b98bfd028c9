"""The engines of ``estimate``: which one runs, and each one's rows (the per-entry path's
from each entry as it arrives, the bulk engine's from its table, the lean engine's as each
entry is read), with what the summary keeps."""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..es003 import Es003Report, Es003Stream, Problem, with_deposits
from ..interest import default_rate_table
from ..refund import EntryRefund, RefundOptions, compute_figures, compute_refund
from ..registry import default_registry
from ..roads import CapeTiming, EntryRoad, entry_road
from ._inputs import _progress, in_files
from ._output import UsageError, counted, format_of
from ._rows import _road_cells, _row, road_codes
from ._summary import _Summary

__all__ = ["bulk_gaps", "lean_gaps", "needs_detail"]

#: What ``--engine bulk`` needs installed, in the words of its error.
_BULK_INSTALL = "pip install 'ieepa-refund[bulk]'"


def needs_detail(args: argparse.Namespace) -> bool:
    """Whether an output of this run carries per-tariff detail: only JSON rows do (``cape``,
    which has no ``--json``, writes none: its ``--out`` is a folder)."""
    if not hasattr(args, "json"):
        return False
    return bool(args.json or (args.out is not None and format_of(args.out) == "json"))


def bulk_gaps(args: argparse.Namespace) -> list[str]:
    """What this run asks for that the bulk engine's results cannot give, in words.

    The bulk engine (:mod:`ieepa_refund.bulk`) gives each entry's refund,
    screening and road (computed once per distinct set of the facts a road reads,
    its interest to the expected date in columns). It gives no
    :class:`~ieepa_refund.entry.Entry`, so no per-tariff detail (the JSON rows
    carry it), and it takes neither deposit histories nor a forced delimiter.
    """
    gaps = []
    if needs_detail(args):
        gaps.append("JSON rows, which carry per-tariff detail (--json, a .json --out)")
    if getattr(args, "duty_deposits", None):
        gaps.append("--duty-deposits")
    if getattr(args, "delimiter", None):
        gaps.append("--delimiter")
    return gaps


def lean_gaps(args: argparse.Namespace) -> list[str]:
    """What this run asks for that the lean engine's rows cannot give, in words.

    The lean engine (:mod:`ieepa_refund.bulk.lean`) gives each entry's refund, screening
    and road (and, for ``cape``, its whole :class:`~ieepa_refund.cape.Screening`), read by
    the per-entry reader (``--delimiter`` too). It gives no per-tariff detail (the JSON rows
    carry it) and takes no deposit histories.
    """
    gaps = []
    if needs_detail(args):
        gaps.append("JSON rows, which carry per-tariff detail (--json, a .json --out)")
    if getattr(args, "duty_deposits", None):
        gaps.append("--duty-deposits")
    return gaps


def _engine(args: argparse.Namespace) -> tuple[str, str]:
    """(the engine that runs, how it was chosen, in words for the summary)."""
    choice = args.engine
    if choice == "entry":
        return "entry", "chosen with --engine entry"
    if choice == "lean":
        if gaps := lean_gaps(args):
            raise UsageError(
                "--engine lean cannot produce " + "; ".join(gaps) + "; use --engine entry or auto"
            )
        return "lean", "chosen with --engine lean"
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
        # The lean engine needs no extra: taken wherever it gives every output asked for.
        if not (lean := lean_gaps(args)):
            return (
                "lean",
                "auto: polars is not installed; the lean engine gives every output asked for",
            )
        return "entry", (
            f"auto: polars is not installed ({_BULK_INSTALL}); the lean engine cannot produce "
            + "; ".join(lean)
        )
    if gaps:
        return "entry", "auto: the bulk engine cannot produce " + "; ".join(gaps)
    return "bulk", "auto: it gives every output asked for"


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


def _engine_line(
    engine: str,
    chosen: str,
    split: Sequence[int],
    whole: Sequence[tuple[str, str]] = (),
    narrow: Sequence[tuple[str, str, int]] = (),
) -> str:
    if engine == "entry":
        return f"Engine: entry, the per-entry path; {chosen}"
    columnar, per_entry = split
    if engine == "lean":
        return (
            f"Engine: lean, the bulk engine's rules in pure Python; {chosen}; "
            f"{counted(columnar, 'entry', 'entries')} computed by its rules, {per_entry:,} by "
            "the per-entry path"
        )
    # A file read whole is the per-entry path's speed: the user is told which and why.
    why = "".join(
        f"; {name} read whole by the per-entry reader: {reason}" for name, reason in whole
    )
    # A file whose rows are mostly not as wide as its header is read in columns, but its
    # entries go by the per-entry path: counted by file, the rest for reasons of their own.
    by = [(name, reason, n) for name, reason, n in narrow if n]
    if by:
        parts = [f"{n:,} of {name}: {reason}" for name, reason, n in by]
        if rest := per_entry - sum(n for _, _, n in by):
            parts.append(f"{rest:,} for other reasons")
        why = " (" + "; ".join(parts) + ")" + why
    return (
        f"Engine: bulk, columnar on polars; {chosen}; {counted(columnar, 'entry', 'entries')} computed in "
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
    """The per-entry path: each entry refunded (and put on its road) as it arrives.

    Only JSON rows carry an entry's per-tariff detail; every other output (the CSV and
    .xlsx rows, the summary, the roads, ``--problems``) reads entry-level figures, which
    :func:`compute_figures` gives equal to :func:`compute_refund`'s at about half the work.
    """
    registry, rates = default_registry(), default_rate_table()
    detail = needs_detail(args)
    for entry in entries:
        if histories is not None and entry.entry_number in histories.deposits:
            one = {entry.entry_number: histories.deposits[entry.entry_number]}
            done = with_deposits([entry], one)
            (entry,) = done.entries
            deposit_problems.extend(in_files(done.problems, histories.files))
            attached.add(entry.entry_number)
        compute = compute_refund if detail else compute_figures
        refund = compute(entry, options=job.options, registry=registry, rates=rates)
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
        codes = road_codes(frozenset(refund.warning_codes), road, refund.principal)
        summary = _Summary(
            entry.entry_number,
            refund.payee,
            refund.liquidation_date,
            refund.principal,
            refund.principal_high,
            refund.interest,
            refund.ieepa_paid,
            codes,
            road,
        )
        full = refund if isinstance(refund, EntryRefund) else None
        yield _row(entry, refund, road, codes), full, summary


#: The bulk engine's columns a row of the command is made of, in the command's order
#: (``interest_missing`` and ``total`` are derived, as an EntryRefund derives them).
_BULK_HEAD = (
    "entry_number", "importer_number", "payee", "entry_type", "entry_date", "liquidation_date",
    "deposit_date", "deposit_basis", "interest_until", "method", "paid", "ieepa_duty_paid",
    "owed", "principal", "principal_high", "interest",
)  # fmt: skip
_BULK_TAIL = ("warnings", "data_version", "rates_version")
#: A lean engine's row's values in the order of the bulk table's (a tuple).
_bulk_values = attrgetter(*_BULK_HEAD, *_BULK_TAIL)


def _bulk_results(
    files: Sequence[Path],
    args: argparse.Namespace,
    job: _Job,
    ledger: Any,
    split: list[int],
    imported: list[Es003Report],
    whole: list[tuple[str, str]],
    narrow: list[tuple[str, str, int]],
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
        payments=False,  # the summary's payments are the roads' (Roads.payments)
    )
    report, table, order = found.report, found.entries, found.order
    # The roads by their place in the table, which is theirs: no dict of a million keys.
    roads = found.roads.roads if found.roads is not None else None
    # The rest of the answer is not read here: let go before the rows are made, not when
    # the last one is written.
    del found
    imported.append(report.input)
    if order.n_unique() != len(order) or not order.sort().equals(table["entry_number"].sort()):
        raise RuntimeError(
            f"the bulk engine computed {counted(table.height, 'entry', 'entries')} where the reader read "
            f"{len(order):,}; run again with --engine entry"
        )
    split.extend((report.entries_bulk, report.entries_entry))
    whole.extend(report.files_whole)
    narrow.extend(report.entries_narrow)
    # Each entry's place in the table, in the reader's order: the rows are gathered from the
    # table a slice at a time in that order, never sorted into a second whole table.
    places = (
        order.to_frame("entry_number")
        .join(
            table.select("entry_number").with_row_index("_at"),
            on="entry_number",
            how="left",
            maintain_order="left",
        )
        .get_column("_at")
    )
    del order
    table = table.select(*_BULK_HEAD, *_BULK_TAIL)
    for start in range(0, len(places), _SLICE_ROWS):
        at = places.slice(start, _SLICE_ROWS)
        for index, values in zip(at, table[at].iter_rows(), strict=True):
            yield _bulk_row(values, None if roads is None else roads[index])


def _lean_results(
    files: Sequence[Path],
    args: argparse.Namespace,
    job: _Job,
    ledger: Any,
    split: list[int],
    imported: list[Es003Report],
) -> Iterator[_Result]:
    """The lean engine's rows, each as the per-entry reader hands its entry over (the
    per-entry path's order), with its road when the run has roads (made as the row is
    handed over: no table of every entry's road is held); the reader's own report appended
    to ``imported`` at the end."""
    from ..bulk import lean

    roads = bool(getattr(args, "roads", False))
    rows = lean.stream(
        list(files),
        as_of=job.as_of,
        declared_on=job.declared_on,
        options=job.options,
        registry=default_registry(),
        rates=default_rate_table(),
        mapping=dict(getattr(args, "mapping", ())),
        progress=_progress,
        delimiter=getattr(args, "delimiter", None),
        roads=roads,
        timing=job.timing if roads else None,
        ledger=ledger if roads else None,
    )
    for row in rows:
        yield _bulk_row(_bulk_values(row), rows.road(row) if roads else None)
    imported.append(rows.report)
    split.extend((rows.entries_lean, rows.entries_entry))


#: Rows gathered from the bulk engine's table at a time, in the reader's order.
_SLICE_ROWS = 50_000


def _bulk_row(values: tuple[Any, ...], road: EntryRoad | None) -> _Result:
    """A row of the command, and what the summary keeps, from a row of the bulk table."""
    head, (warnings, data_version, rates_version) = values[:16], values[16:]
    principal, high, interest = head[13], head[14], head[15]
    codes = road_codes(frozenset(warnings.split()), road, principal)
    row = [
        *head,
        interest is None and principal > 0,  # as EntryRefund's records say it
        None if interest is None else principal + interest,
        " ".join(sorted(codes)),
        data_version,
        rates_version,
        *_road_cells(road),
    ]

    summary = _Summary(head[0], head[2], head[5], principal, high, interest, head[11], codes, road)
    return row, None, summary
