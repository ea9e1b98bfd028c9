"""What the per-entry reader would say of the whole files: its report and its order of
the entries, from the columnar rows and the reader's report on the rows left."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..es003 import Es003Report, stream_es003
from ._columnar import _FILE_SPAN
from ._read import (
    ColumnFile,
)

if TYPE_CHECKING:
    import polars as pl


def _whole_report(
    fallback: Es003Report | None,
    files: list[ColumnFile],
    left: pl.DataFrame | None,
    entries_bulk: int,
    rows_bulk: int,
) -> Es003Report:
    """The reader's report on the rows left (every file, its own row numbers), with the rows
    and entries computed in columns added: what the reader says of the whole files.

    The columnar rules took only entries whose every row parses, once, with no conflict:
    such rows give the reader no problem, no duplicate, no blank row; every file has its
    copy read, so its columns and warnings are the reader's own.
    """
    if fallback is None or len(fallback.files) != len(files):
        raise RuntimeError("the per-entry reader did not report every file")
    left_of = (
        dict(left.group_by("_file").len().iter_rows()) if left is not None and left.height else {}
    )
    reports = []
    for index, (file, report) in enumerate(zip(files, fallback.files, strict=True)):
        columnar = file.height - left_of.get(index, 0)
        reports.append(report.model_copy(update={"rows_read": report.rows_read + columnar}))
    return fallback.model_copy(
        update={
            "files": tuple(reports),
            "rows_read": fallback.rows_read + rows_bulk,
            "rows_used": fallback.rows_used + rows_bulk,
            "entry_count": fallback.entry_count + entries_bulk,
        }
    )


def _input_order(
    bulk: pl.DataFrame, left: pl.DataFrame | None, yielded: Sequence[str]
) -> pl.Series | None:
    """The entry numbers as the reader yields them: each at its last row (file, row).

    ``bulk`` holds each columnar entry's last place; the reader's own entries (in the order
    it gave them from the rows left) take theirs from those rows. None when the reader's
    order is not the order of those places (an entry finished after the files ended): the
    caller then asks the reader itself.
    """
    import polars as pl

    if left is not None and left.height:
        lasts = (
            left.drop_nulls("p_entry_number")
            .group_by("p_entry_number")
            .agg(last=(pl.col("_file").cast(pl.Int64) * _FILE_SPAN + pl.col("_row")).max())
        )
    else:
        lasts = pl.DataFrame(schema={"p_entry_number": pl.String, "last": pl.Int64})
    theirs = pl.DataFrame({"p_entry_number": list(yielded)}, schema={"p_entry_number": pl.String})
    theirs = theirs.join(lasts, on="p_entry_number", how="left", maintain_order="left")
    places = theirs["last"]
    if places.null_count() or (len(places) > 1 and not (places.diff().drop_nulls() > 0).all()):
        return None
    both = pl.concat(
        [bulk.select(pl.col("entry_number"), pl.col("last")),
         theirs.select(pl.col("p_entry_number").alias("entry_number"), "last")],
        how="vertical_relaxed",
    ).sort("last")  # fmt: skip
    return both["entry_number"]


def _read_order(paths: Sequence[Path], mapping: Mapping[str, str] | None) -> pl.Series:
    """The reader's own order of the entries (a second reading: only when the places do not
    tell it)."""
    import polars as pl

    numbers = [entry.entry_number for entry in stream_es003(*paths, mapping=mapping)]
    return pl.Series("entry_number", numbers, dtype=pl.String)
