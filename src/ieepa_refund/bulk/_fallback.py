"""The per-entry path for the entries the columnar rules leave: the reader on compact
copies of the files, its row numbers mapped back to the files' own."""

from __future__ import annotations

import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..entry import Entry
from ..es003 import Es003Report, Problem, stream_es003
from ..es003._header import SourceFile
from ..refund import compute_refund
from ._read import (
    ColumnFile,
)
from ._tables import _rows_table

if TYPE_CHECKING:
    import polars as pl

    from ._columnar import _Job


def per_entry(
    job: _Job,
    files: list[ColumnFile],
    left: pl.DataFrame | None,
    done: pl.Series,
    *,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame | None, Es003Report | None, list[str], pl.DataFrame | None]:
    """The entries the columnar rules left, computed by the per-entry path itself.

    Each file goes to the per-entry reader as a copy holding its header and the rows
    left (in their order; a file with none left, its header alone, so that the reader
    reports its columns); the reader's row numbers are then mapped back to the file's
    own, so its problems and file report are what it says of the whole file. Also the
    numbers of the entries the reader gave, in its order, and the rows left that it read as
    rows: an entry is yielded at the last of those (a row it rejects as a row, such as a
    CELL_COUNT row, is not waited for), so they, not all the rows left, place its entries.
    """
    import polars as pl

    numbers: dict[str, list[int]] = {}
    # The reader names an entry's first row without its file: where an entry left here
    # spans files, its copies keep every row number (the rows done become blank lines).
    blank = left is not None and bool(
        left.drop_nulls("p_entry_number")
        .group_by("p_entry_number")
        .agg(pl.col("_file").n_unique() > 1)
        .to_series(1)
        .any()
    )
    with tempfile.TemporaryDirectory(prefix="ieepa-bulk-") as tmp:
        sources: list[Path] = []
        usual: list[int | None] = []
        blanked = 0
        for index, file in enumerate(files):
            # left is None: the columnar rules covered nothing (the options are not theirs).
            if file.why is not None or left is None:
                sources.append(file.path)
                usual.append(None)
                continue
            keep = sorted(left.filter(pl.col("_file") == index)["_row"].to_list())
            folder = Path(tmp) / str(index)
            folder.mkdir()
            target = folder / file.path.name
            _copy(file.path, target, file.source.header_row, set(keep), blank=blank)
            if not blank:
                numbers[file.name] = [*range(1, file.source.header_row + 1), *keep]
            else:
                blanked += file.height - len(keep)
            sources.append(target)
            usual.append(file.usual)
        if not sources:
            return None, None, [], left
        stream = stream_es003(*sources, mapping=mapping, progress=progress)
        # A copy's rows are mostly the lines not as wide as the header: its own usual width
        # would let through a line wider than the whole file's, which the reader of the
        # whole file rejects (an unquoted comma on a row whose last cell is blank).
        for source, width in zip(stream._files, usual, strict=True):
            if width is not None:
                source.usual = width
        rows = [_entry_row(job, e) for e in _not_done(stream, done)]
        yielded = [row["entry_number"] for row in rows]
        report = _renumber(stream.report, numbers)
        places = _read_as_rows(left, files, stream._files, numbers)
    if blanked:
        report = report.model_copy(update={"rows_blank": report.rows_blank - blanked})
    if not rows:
        return None, report, yielded, places
    return _rows_table(rows), report, yielded, places


def _not_done(entries: Iterable[Entry], done: pl.Series) -> Iterator[Entry]:
    """The entries whose number is not in ``done``, in their order: looked up a batch at a
    time in the column, not in a set of its hundreds of thousands of numbers as strings
    (about 20 MB at 1M rows, at the run's peak)."""
    import polars as pl

    batch: list[Entry] = []
    for entry in chain(entries, [None]):
        if entry is not None:
            batch.append(entry)
            if len(batch) < _BATCH:
                continue
        numbers = pl.Series([e.entry_number for e in batch], dtype=pl.String)
        found = numbers.is_in(done.implode()).to_list()
        yield from (e for e, was in zip(batch, found, strict=True) if not was)
        batch = []


#: Entries looked up at a time (:func:`_not_done`).
_BATCH = 4096


def _read_as_rows(
    left: pl.DataFrame | None,
    files: list[ColumnFile],
    sources: list[SourceFile],
    numbers: Mapping[str, list[int]],
) -> pl.DataFrame | None:
    """``left`` without the rows the reader rejected as rows (each source's last pass names
    them all, none summed up), in the files' own row numbers."""
    import polars as pl

    if left is None:
        return None
    gone: list[tuple[int, int]] = []
    for index, (file, source) in enumerate(zip(files, sources, strict=True)):
        if file.why is not None:
            continue  # read whole: none of its rows is left here
        rows = numbers.get(file.name)
        gone.extend(
            (index, problem.row if rows is None else rows[problem.row - 1])
            for problem in source.problems
            if problem.row is not None
        )
    if not gone:
        return left
    files_, rows_ = zip(*gone, strict=True)
    dropped = pl.DataFrame(
        {"_file": files_, "_row": rows_},
        schema={"_file": left.schema["_file"], "_row": left.schema["_row"]},
    )
    return left.join(dropped, on=["_file", "_row"], how="anti", maintain_order="left")


def _entry_row(job: _Job, entry: Entry) -> dict[str, Any]:
    refund = compute_refund(entry, options=job.options, registry=job.registry, rates=job.rates)
    shot = job.screen(entry)
    if job.screenings is not None:
        job.screenings[entry.entry_number] = shot
    if job.roads is not None:
        job.roads.entry_roads[entry.entry_number] = job.road(entry, refund)
    return {
        "entry_number": entry.entry_number,
        "importer_number": refund.importer_number,
        "payee": refund.payee,
        "entry_type": entry.entry_type,
        "entry_date": entry.entry_date,
        "liquidation_date": refund.liquidation_date,
        "deposit_date": refund.deposit_date,
        "deposit_basis": refund.deposit_basis.value if refund.deposit_basis else None,
        "interest_until": refund.interest_until,
        "method": refund.method,
        "rounding": refund.rounding,
        "paid": refund.paid,
        "ieepa_duty_paid": refund.ieepa_paid,
        "owed": refund.owed,
        "principal": refund.principal,
        "principal_high": refund.principal_high,
        "interest": refund.interest,
        "warnings": " ".join(refund.warning_codes),
        "status": shot.status,
        "eligible": shot.eligible,
        "reasons": " ".join(shot.reason_codes),
        "data_version": refund.data_version,
        "rates_version": refund.rates_version,
        "rules_version": shot.rules_version,
        "path": "entry",
    }


def _copy(source: Path, target: Path, header_row: int, keep: set[int], *, blank: bool) -> None:
    """``source``'s lines up to the header and its data rows in ``keep``, in order; with
    ``blank``, every other row as an empty line, so that rows keep their numbers.

    Lines are what iterating the file in binary gives (cut after each LF). Without
    ``blank`` the lines between two rows kept are passed over by ``islice`` in C, not one
    by one in Python (:func:`_copy_lines`, which does the ``blank`` copy, states the same
    copy line by line; the tests compare the two).
    """
    if blank:
        _copy_lines(source, target, header_row, keep, blank=blank)
        return
    with source.open("rb") as src, target.open("wb") as out:
        out.writelines(islice(src, header_row))
        number = header_row + 1  # the number of the next line of src
        for row in sorted(keep):
            if row < number:
                continue  # a header line: written already
            deque(islice(src, row - number), maxlen=0)  # the lines before it, passed over
            line = next(src, None)
            if line is None:
                break  # past the file's end
            out.write(line)
            number = row + 1


def _copy_lines(
    source: Path, target: Path, header_row: int, keep: set[int], *, blank: bool
) -> None:
    """:func:`_copy`, line by line: the plain statement of what it writes."""
    with source.open("rb") as src, target.open("wb") as out:
        for number, line in enumerate(src, start=1):
            if number <= header_row or number in keep:
                out.write(line)
            elif blank:
                out.write(b"\r\n" if line.endswith(b"\r\n") else b"\n")


_FIRST_AT = re.compile(r"\(first at row (\d+)\)")


_ROWS = re.compile(r"\(rows (\d+) to (\d+)\)")


def _first_at(rows: list[int], match: re.Match[str]) -> str:
    return f"(first at row {rows[int(match[1]) - 1]})"


def _range(rows: list[int], match: re.Match[str]) -> str:
    return f"(rows {rows[int(match[1]) - 1]} to {rows[int(match[2]) - 1]})"


def _renumber(report: Es003Report, numbers: Mapping[str, list[int]]) -> Es003Report:
    """The reader's report on compact copies, with each file's own row numbers.

    ``numbers[file][k - 1]`` is the row of the file that is row ``k`` of its copy. The
    map keeps the order of rows, so the reader's summaries (first rows, ranges) stay true.
    """
    if not numbers:
        return report

    def renumbered(problem: Problem) -> Problem:
        if problem.file not in numbers or problem.row is None:
            return problem
        rows = numbers[problem.file]
        message = _FIRST_AT.sub(partial(_first_at, rows), problem.message)
        message = _ROWS.sub(partial(_range, rows), message)
        return problem.model_copy(update={"row": rows[problem.row - 1], "message": message})

    # A file's warnings may name a row too (NO_LINE_END: its last row).
    files = tuple(
        file.model_copy(update={"warnings": tuple(map(renumbered, file.warnings))})
        for file in report.files
    )
    return report.model_copy(
        update={"problems": tuple(map(renumbered, report.problems)), "files": files}
    )
