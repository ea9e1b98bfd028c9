"""The bulk engine on Dask: a book too large for one machine, partitioned by importer.

``pip install ieepa-refund[dask]``. An entry belongs to one importer, and a refund
payment to one payee, so the job splits by importer with no cross-talk:

1. each ES-003 CSV is read by ``dask.dataframe`` (strings, as written), its columns
   named as the library's header matching names them;
2. each row gets its entry's importer (an entry whose rows name two importers goes
   wholly with one of them, so its conflict is still seen), and the rows are shuffled
   so that all the rows of an importer land in one partition;
3. each partition is written as a CSV and run through :func:`ieepa_refund.bulk.estimate`
   on a worker (refunds, interest, screening);
4. the entry tables are gathered, and payments and declarations are made from them as
   the single-process run makes them (one small table per entry, not per row).

The result is the single-process run's, entry for entry, payment for payment and
byte for byte in the declarations (tested on a local scheduler). Reading problems
name the partition files, not the input files: run :func:`~ieepa_refund.es003.read_es003`
on a file to see its problems by row. A file repeating its header (files joined with
``cat``) is refused, naming the row of the repeat, as is one with no line break at its end.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cape import CapeRules, DeclarationBatch
from ..errors import InputFileError
from ..es003._assemble import _overrides
from ..es003._cells import BadCell, cell_text, parse_entry_number
from ..es003._columns import COLUMNS, norm
from ..es003._header import open_source
from ..interest import RateTable
from ..payments import Consolidation
from ..refund import RefundOptions
from ..registry import Registry
from ._engine import estimate
from ._read import _lines, need, odd_lines
from ._tables import consolidate_table, declare_table

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["PartitionedResult", "estimate_partitioned"]

_UTF8 = ("utf-8", "utf-8-sig")


@dataclass(frozen=True)
class PartitionedResult:
    """What :func:`estimate_partitioned` gives: the single-process run's tables."""

    entries: pl.DataFrame
    payments: Consolidation
    declarations: DeclarationBatch | None
    partitions: int
    rows_read: int
    rows_rejected: int


def estimate_partitioned(
    sources: Sequence[str | Path],
    *,
    as_of: date,
    partitions: int,
    workdir: str | Path,
    scheduler: Any = None,
    declared_on: date | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    mapping: Mapping[str, str] | None = None,
    declarations_dir: str | Path | None = None,
) -> PartitionedResult:
    """:func:`~ieepa_refund.bulk.estimate` over ``sources`` in ``partitions`` importer partitions.

    ``scheduler`` is handed to ``dask.compute`` (``"sync"``, ``"threads"``, or a
    ``distributed.Client``; None: Dask's default or the active client). ``workdir``
    holds the partition files and must be visible to every worker (a shared disk or
    mount on a real cluster).
    """
    need("polars", "dask")
    need("dask.dataframe", "dask")
    import dask.dataframe as dd
    import polars as pl
    from dask.base import compute
    from dask.delayed import delayed

    if partitions < 1:
        raise InputFileError("at least one partition", field="partitions", value=partitions)
    overrides = _overrides(mapping or {})
    frames = [f for f in (_read(Path(path), overrides, dd) for path in sources) if f is not None]
    if not frames:
        raise InputFileError("no ES-003 file given", field="sources")
    rows = dd.concat(frames) if len(frames) > 1 else frames[0]  # type: ignore[no-untyped-call]
    rows = rows.map_partitions(_entry_keys, meta={**rows.dtypes.to_dict(), "_en": object})
    # Each entry goes with one importer: the least its rows name (rows of an entry that
    # name two importers are still read together, and their conflict reported).
    owner = rows[rows["_en"] != ""].groupby("_en")["importer_number"].min().rename("_owner")
    rows = rows.merge(owner.to_frame(), how="left", left_on="_en", right_index=True)
    rows = rows.map_partitions(
        _partition_key, partitions, meta={**rows.dtypes.to_dict(), "_part": "int64"}
    )
    rows = rows.shuffle("_part", npartitions=partitions)
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    tasks = [
        delayed(_run_part)(
            part,
            work / f"part-{index:05d}.csv",
            as_of,
            declared_on,
            options,
            registry,
            rates,
            rules,
        )
        for index, part in enumerate(rows.to_delayed())
    ]
    outcomes = compute(*tasks, scheduler=scheduler)  # type: ignore[no-untyped-call]
    tables = [table for table, _, _ in outcomes if table is not None and table.height]
    entries = pl.concat(tables).sort("entry_number") if tables else _empty()
    payments = consolidate_table(entries)
    batch = None if declarations_dir is None else declare_table(entries, declarations_dir)
    return PartitionedResult(
        entries=entries,
        payments=payments,
        declarations=batch,
        partitions=partitions,
        rows_read=sum(read for _, read, _ in outcomes),
        rows_rejected=sum(rejected for _, _, rejected in outcomes),
    )


#: Bytes per input partition; each is cut at a line end and read on a worker.
BLOCK_BYTES = 64 << 20


def _read(path: Path, overrides: Mapping[str, str], dd: Any) -> Any:
    from dask.delayed import delayed

    source = open_source(path, overrides)
    if source.kind != "csv" or source.delimiter != "," or source.encoding not in _UTF8:
        raise InputFileError(
            f"{source.name}: a partitioned run reads UTF-8 comma-separated files; "
            "convert it, or run ieepa_refund.bulk.estimate on it",
            field="file",
            value=source.name,
        )
    used = sorted(source.columns.items(), key=lambda item: item[1])
    blocks = _blocks(path, source.header_row)
    meta = {name: "str" for name, _ in used}
    # The header's name for the entry-number column, as the header search compares it: a
    # row naming it again is a repeat of the header (files joined with ``cat``), refused.
    named = norm(cell_text(source.headers[source.columns["entry_number"]]))
    first = (blocks[0][0], source.header_row + 1) if blocks else (0, 0)
    parts = [
        delayed(_read_block)(path, start, stop, used, source.name, named, first)
        for start, stop in blocks
    ]
    return dd.from_delayed(parts, meta=meta) if parts else None


def _blocks(path: Path, header_row: int) -> list[tuple[int, int]]:
    """Byte ranges of whole lines after the header, about BLOCK_BYTES each."""
    size = path.stat().st_size
    with path.open("rb") as f:
        for _ in range(header_row):
            f.readline()
        start, out = f.tell(), []
        while start < size:
            f.seek(min(start + BLOCK_BYTES, size))
            if f.tell() < size:
                f.readline()
            stop = f.tell()
            out.append((start, stop))
            start = stop
    return out


def _read_block(
    path: Path,
    start: int,
    stop: int,
    used: list[tuple[str, int]],
    name: str,
    named: str = "",
    first: tuple[int, int] = (0, 0),
) -> pd.DataFrame:
    """One block's used columns as strings; a block whose rows are not its lines is refused,
    and so is one repeating the header (``named``: its entry-number cell, normalised;
    ``first``: the byte offset and row number of the file's first row after the header)."""
    import polars as pl

    with path.open("rb") as f:
        f.seek(start)
        data = f.read(stop - start)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            columns=[i for _, i in used],
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise InputFileError(
            f"{name}: bytes {start}-{stop} cannot be read as rows ({exc}); "
            "run ieepa_refund.bulk.estimate on this file",
            field="file",
            value=name,
        ) from None
    if not data.endswith(b"\n"):
        # The file's last block, with no line break after its last row: cut short, its last
        # cell may read as another amount (`...,12` for `...,1234.56`). The single-process
        # engines read that row again and warn (NO_LINE_END); a partition file, written
        # whole, would not show it.
        raise InputFileError(
            f"{name}: no line break after its last row: if the file was cut short, that row "
            "is cut too; check it, end the file with a line break, or run "
            "ieepa_refund.bulk.estimate on this file",
            field="file",
            value=name,
        )
    # A quote left open on a line (beside a stray inch mark polars may see it closed): the
    # csv module reads the next line into that cell, so the single-process run's rows are
    # not the lines (t72).
    spans = b'"' in data and odd_lines(data, _lines(data, lines))[1]
    if spans or frame.height != lines or b"\r" in data.replace(b"\r\n", b""):
        raise InputFileError(
            f"{name}: a cell holds a line break; a partitioned run reads one row a line "
            "(run ieepa_refund.bulk.estimate on this file)",
            field="file",
            value=name,
        )
    frame = pl.DataFrame(
        [frame.to_series(k).fill_null("").alias(n) for k, (n, _) in enumerate(used)]
    )
    if named and (at := _repeat_at(frame["entry_number"], named)) is not None:
        # Files joined with ``cat``: the single-process engines drop the repeat and the title
        # rows above it, naming its row; a partition file would carry it away from its row,
        # among other files' rows (t63). Refused, naming the row as those engines do.
        row = first[1] + _lines_between(path, first[0], start) + at
        raise InputFileError(
            f"{name}: row {row} repeats the header (files joined?): a partitioned run reads "
            "one header a file; give the joined files separately, or run "
            "ieepa_refund.bulk.estimate on this file (it drops the repeat, naming its row)",
            field="file",
            value=name,
        )
    return frame.to_pandas()


def _repeat_at(cells: pl.Series, named: str) -> int | None:
    """The index of the first cell naming the entry-number column as the header does, or None.

    Only a cell with a letter and as long as the name is normalised (an entry number is
    digits, or a filer code's letters and digits shorter than most names)."""
    import polars as pl

    frame = pl.DataFrame({"cell": cells}).with_row_index("at")
    found = frame.filter(
        pl.col("cell").str.contains("[A-Za-z]") & (pl.col("cell").str.len_chars() >= len(named))
    ).filter(pl.col("cell").str.to_lowercase().str.replace_all("[^a-z0-9]", "") == named)
    return int(found["at"][0]) if found.height else None


def _lines_between(path: Path, start: int, stop: int) -> int:
    """How many line ends the file has from byte ``start`` to ``stop`` (read in pieces)."""
    count = 0
    with path.open("rb") as f:
        f.seek(start)
        left = stop - start
        while left > 0:
            piece = f.read(min(left, BLOCK_BYTES))
            if not piece:
                break
            count += piece.count(b"\n")
            left -= len(piece)
    return count


def _entry_keys(frame: pd.DataFrame) -> pd.DataFrame:
    seen: dict[str, str] = {}

    def key(cell: str) -> str:
        found = seen.get(cell)
        if found is None:
            try:
                found = parse_entry_number(cell)
            except BadCell:
                found = ""
            seen[cell] = found
        return found

    return frame.assign(_en=frame["entry_number"].map(key))


def _partition_key(frame: pd.DataFrame, partitions: int) -> pd.DataFrame:
    owner = frame["_owner"].where(frame["_en"] != "", frame["importer_number"]).fillna("")
    # crc32, not hash(): the same partition for the same importer in every process.
    return frame.assign(
        _part=owner.map(lambda text: zlib.crc32(str(text).encode("utf-8")) % partitions)
    )


def _run_part(
    frame: pd.DataFrame,
    target: Path,
    as_of: date,
    declared_on: date | None,
    options: RefundOptions | None,
    registry: Registry | None,
    rates: RateTable | None,
    rules: CapeRules | None,
) -> tuple[pl.DataFrame | None, int, int]:
    """One partition: written with the ES-003 names as its header, then estimated."""
    fields = [c for c in frame.columns if c in COLUMNS]
    if frame.empty:
        return None, 0, 0
    part = frame[fields].rename(columns={name: COLUMNS[name][0] for name in fields})
    part.to_csv(target, index=False, lineterminator="\n")
    result = estimate(
        target,
        as_of=as_of,
        declared_on=declared_on,
        options=options,
        registry=registry,
        rates=rates,
        rules=rules,
    )
    return result.entries, result.report.rows_read, result.report.rows_rejected


def _empty() -> pl.DataFrame:
    from ._tables import _empty_table

    return _empty_table()
