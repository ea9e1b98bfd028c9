"""The bulk engine's entry points: :func:`estimate` (whole files, each entry by the columnar
rules or the per-entry path) and :func:`explain`, and what they return."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..cape import CapeRules, DeclarationBatch, Screening
from ..errors import InputFileError
from ..es003 import Es003Report, stream_es003
from ..es003._assemble import PROGRESS_EVERY, _overrides
from ..interest import RateTable
from ..payments import Consolidation
from ..refund import EntryRefund, RefundOptions, compute_refund
from ..registry import Registry
from ..roads import CapeTiming, Roads
from ._fallback import per_entry
from ._job import job_of
from ._read import (
    ColumnFile,
    need,
    read_columns,
)
from ._report import _input_order, _read_order, _whole_report
from ._roads import bulk_roads, road_job
from ._tables import ENTRY_COLUMNS, _empty_table, consolidate_table, declare_table, share_text

if TYPE_CHECKING:
    import polars as pl


__all__ = ["BulkReport", "BulkResult", "ENTRY_COLUMNS", "estimate", "explain"]


@dataclass(frozen=True)
class BulkReport:
    """How the rows were shared between the two paths; the per-entry reader's own report."""

    rows_read: int
    rows_bulk: int
    """Rows of entries the columnar rules computed."""
    entries_bulk: int
    entries_entry: int
    """Entries the per-entry path computed (the columnar rules did not cover them)."""
    files_whole: tuple[tuple[str, str], ...]
    """(file, why) for files read whole by the per-entry reader."""
    fallback: Es003Report | None
    """The per-entry reader's report on the rows it read (problems, rejected rows...)."""
    input: Es003Report
    """The whole files' report, equal to what ``read_es003`` says of the same files: their
    columns and warnings, every problem with its file and row in the reader's order, and
    the counts of rows and entries (the columnar rows added to the reader's)."""
    entries_narrow: tuple[tuple[str, str, int], ...] = ()
    """(file, why, entries) for files read in columns whose rows are mostly not as wide as
    the header: how many of ``entries_entry`` have rows there (each counted at its first
    such file), which the per-entry path computed for that reason at least."""

    @property
    def rows_rejected(self) -> int:
        return self.fallback.rows_rejected if self.fallback else 0


@dataclass(frozen=True)
class BulkResult:
    """The whole job: one row per entry, the payments and (when asked) the declarations."""

    entries: pl.DataFrame
    """:data:`ENTRY_COLUMNS`, in entry-number order; money as ``Decimal(38, 2)``."""
    payments: Consolidation | None
    """None when :func:`estimate` was told ``payments=False``."""
    declarations: DeclarationBatch | None
    report: BulkReport
    order: pl.Series
    """The entry numbers in the order ``stream_es003`` yields the entries (each one at its
    last row, files in the order given): a column, not a tuple of a million strings."""
    roads: Roads | None = None
    """Each entry's road (``roads=True``), in the order of :attr:`entries`: what
    :func:`~ieepa_refund.roads.entry_road` gives each entry, whichever path computed it."""
    screenings: Mapping[str, Screening] | None = None
    """Each entry's screening by its number (``screenings=True``): what
    :func:`~ieepa_refund.cape.screen` gives the entry, whichever path computed it (the
    reasons' messages and the deadlines, which the table does not carry)."""


def estimate(
    sources: Sequence[str | Path] | str | Path,
    *,
    as_of: date,
    declared_on: date | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    plaintiffs: Collection[str] = (),
    mapping: Mapping[str, str] | None = None,
    declarations_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    roads: bool = False,
    timing: CapeTiming | None = None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None = None,
    declared_dates: Mapping[str, date] | None = None,
    screenings: bool = False,
    payments: bool = True,
) -> BulkResult:
    """Refund, screen, pay and declare every entry of ES-003 CSV ``sources``.

    The same answers as the per-entry path (``read_es003``, :func:`compute_refund`,
    :func:`~ieepa_refund.cape.screen`, :func:`consolidate`,
    :func:`~ieepa_refund.cape.write_declarations`), computed column by column for the
    entries the columnar rules cover; every other entry is computed by the per-entry path
    itself (the ``path`` column says which). ``as_of`` is where interest ends for an entry
    not yet liquidated, unless ``options.interest_until`` says otherwise; ``declared_on``
    (default ``as_of``) is the CAPE declaration date. Eligible entries are declared in
    entry-number order into ``declarations_dir`` when one is given. ``progress`` is called
    as the per-entry reader calls it (each PROGRESS_EVERY rows read).

    ``roads``: also each entry's road on ``declared_on`` (:attr:`BulkResult.roads`), as
    :func:`~ieepa_refund.roads.entry_roads` gives it with the same ``timing``, ``ledger``,
    ``declared_dates``, ``rules`` and ``plaintiffs``: computed once per distinct set of the
    facts a road reads, with the interest to the expected date in columns.

    ``screenings``: also each entry's whole :class:`~ieepa_refund.cape.Screening`
    (:attr:`BulkResult.screenings`), one per distinct set of the facts screening reads,
    under each entry's number.

    ``payments=False``: no :attr:`BulkResult.payments` (None), for a caller that does not
    read them (the ``estimate`` command, whose payments are the roads'): about 40 MB less
    at the peak of a 1M-row run with roads.
    """
    need("polars", "bulk")
    import polars as pl

    paths = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    if not paths:
        raise InputFileError("no ES-003 file given", field="sources")
    job = job_of(
        as_of=as_of,
        declared_on=declared_on,
        options=options,
        registry=registry,
        rates=rates,
        rules=rules,
        plaintiffs=plaintiffs,
    )
    opts = job.options
    job.roads = road_job(roads, timing, ledger, declared_dates)
    if screenings:
        job.screenings = {}
    overrides = _overrides(mapping or {})
    parse = job.parse_chunk if opts.method == "paid" else None  # recalculation reads rates
    files = [read_columns(path, index, overrides, parse) for index, path in enumerate(paths)]
    _all_or_none(files)
    read = [f for f in files if f.rows is not None and f.firsts is not None]
    chunks = [f.rows for f in read if f.rows is not None]
    firsts = [f.firsts for f in read if f.firsts is not None]
    for f in read:  # the columnar rules own the rows now, and drop what they have used
        f.rows = f.firsts = None
    # The lists, not the joined frames: an argument built in the call would be held by this
    # frame until the call returns, and the columns the rules drop early with it.
    bulk = job.columnar(chunks, firsts) if read else None
    columnar = bulk is not None
    bulk_rows, fallback_rows, rows_bulk, lasts = bulk if bulk else (None, None, 0, None)
    del bulk  # its frames are held by name, and each let go when it is used
    # Each columnar entry's way, as columns: a dict of a tuple per entry, held from here to
    # the roads, was about 45 MB at 1M rows.
    ways: pl.DataFrame | None = None
    if bulk_rows is not None and "_way" in bulk_rows.columns:
        ways = bulk_rows.select("entry_number", "_way", "_road_interest")
        bulk_rows = bulk_rows.drop("_way", "_road_interest")
    done = bulk_rows["entry_number"] if bulk_rows is not None else pl.Series(dtype=pl.String)
    narrow = _narrow_entries(files, fallback_rows)
    fallback, report, yielded, places = per_entry(
        job, files, fallback_rows, done, mapping=mapping, progress=None if columnar else progress
    )
    n_bulk = 0 if bulk_rows is None else bulk_rows.height
    tables = [t for t in (bulk_rows, fallback) if t is not None and t.height]
    # The two tables are let go once sorted into one: else the columnar rows are held twice
    # while the payments and declarations are made (about 37 MB at 1M rows).
    del bulk_rows, fallback, done
    entries = share_text(_sorted(tables)) if tables else _empty_table()
    paid = consolidate_table(entries) if payments else None
    batch = None if declarations_dir is None else declare_table(entries, declarations_dir)
    fb = report
    if not columnar:  # every file read whole: the reader's report and order are the answer
        assert fb is not None
        whole, order = fb, pl.Series("entry_number", yielded, dtype=pl.String)
    else:
        assert lasts is not None
        whole = _whole_report(fb, files, fallback_rows, n_bulk, rows_bulk)
        found = _input_order(lasts, places, yielded)
        order = found if found is not None else _read_order(paths, mapping)
        if progress is not None:
            # Columnar files have no rows the source itself rejects (a stray quote reads as a
            # multi-line cell there): the reader's count runs over every row read.
            for rows in range(PROGRESS_EVERY, whole.rows_read + 1, PROGRESS_EVERY):
                progress(rows)
    return BulkResult(
        entries=entries,
        payments=paid,
        declarations=batch,
        report=BulkReport(
            rows_read=rows_bulk + (fb.rows_read if fb else 0),
            rows_bulk=rows_bulk,
            entries_bulk=n_bulk,
            entries_entry=entries.height - n_bulk,
            # Named as the reader names them: by the path as given where two share a name.
            files_whole=tuple(
                (str(f.path) if [g.name for g in files].count(f.name) > 1 else f.name, f.why)
                for f in files
                if f.why is not None
            ),
            fallback=fb,
            input=whole,
            entries_narrow=narrow,
        ),
        order=order,
        roads=None if job.roads is None else bulk_roads(job, entries, ways),
        screenings=job.screenings,
    )


def _sorted(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """The tables as one, in entry-number order (``tables`` is emptied).

    As ``pl.concat(tables).sort("entry_number")`` gives it (the numbers are distinct, each
    entry one row), a column at a time: a sort of the whole frame holds it twice at once,
    37 MB more at 1M rows, at the run's peak.
    """
    import polars as pl

    if len(tables) == 1 and tables[0]["entry_number"].flags["SORTED_ASC"]:
        return tables.pop()  # the columnar rules' table alone: made in this order
    joined = pl.concat(tables, how="vertical_relaxed")
    tables.clear()
    order = joined["entry_number"].arg_sort()
    columns = joined.get_columns()
    del joined  # the columns list is now their only holder: each let go once gathered
    done = []
    while columns:
        column = columns.pop(0).gather(order)
        done.append(column.set_sorted() if column.name == "entry_number" else column)
    return pl.DataFrame(done)


def _narrow_entries(
    files: list[ColumnFile], left: pl.DataFrame | None
) -> tuple[tuple[str, str, int], ...]:
    """(file, why, entries left with rows there) for each file whose rows are mostly not as
    wide as its header (``ColumnFile.narrow``); an entry counted at its first such file."""
    import polars as pl

    noted = [(i, f) for i, f in enumerate(files) if f.narrow is not None]
    if left is None or not noted:
        return ()
    seen = pl.Series(dtype=pl.String)
    found = []
    for index, f in noted:
        here = left.filter(pl.col("_file") == index)["p_entry_number"].drop_nulls().unique()
        new = here.filter(~here.is_in(seen.implode()))
        seen = pl.concat([seen, new])
        found.append((f.name, f.narrow or "", new.len()))
    return tuple(found)


def _all_or_none(files: list[ColumnFile]) -> None:
    """Every file read whole when one is, or when two share a name.

    An entry's rows may be in any of the files: one split between a file read here and one
    the reader reads whole would be computed twice from half its rows; and the reader's
    report names a file only by its name. So the reader reads them all (said why).
    """
    names = [f.name for f in files]
    whole = [f for f in files if f.why is not None or names.count(f.name) > 1]
    if not whole:
        return
    for f in files:
        if f.why is None:
            f.why = (
                "its name is another file's"
                if names.count(f.name) > 1
                else "read with a file the per-entry reader reads whole"
            )
        f.rows = f.firsts = None
        f.height = 0


def explain(
    entry_number: str,
    sources: Sequence[str | Path] | str | Path,
    *,
    as_of: date,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    mapping: Mapping[str, str] | None = None,
) -> EntryRefund:
    """The per-entry path's full result (per tariff, per quarter) for one entry of ``sources``."""
    paths = [sources] if isinstance(sources, str | Path) else list(sources)
    opts = options or RefundOptions()
    if opts.interest_until is None:
        opts = opts.model_copy(update={"interest_until": as_of})
    for entry in stream_es003(*paths, mapping=mapping):
        if entry.entry_number == entry_number:
            return compute_refund(entry, options=opts, registry=registry, rates=rates)
    raise InputFileError(
        "no such entry in the files (or its rows were rejected)",
        field="entry_number",
        value=entry_number,
    )
