"""Reading ES-003 CSVs into columns: each distinct cell parsed once by the library's own parsers.

A file is read here only when the per-entry reader would see exactly the same rows:
UTF-8 CSV with commas, one physical line per row (no quoted line breaks, no blank
lines), a header with no blank cells at its end. Anything else is handed whole to the
per-entry reader, which knows every other shape; a row not as wide as the header sends
its entry to the per-entry path (the reader rejects such a row by name).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..es003._cells import (
    DATE_FIELDS,
    cell_text,
    month_first_day,
)
from ..es003._header import SourceFile, open_source
from ..es003._rows import usual_width

if TYPE_CHECKING:
    import polars as pl

#: Entry-level fields the columnar path carries (the rest of ENTRY_FIELDS are read too, and
#: an entry whose rows disagree on any of them goes to the per-entry path).
_UTF8 = ("utf-8", "utf-8-sig")


@dataclass
class ColumnFile:
    """One file read as columns: its rows (row numbers as the per-entry reader counts them)."""

    path: Path
    name: str
    source: SourceFile
    rows: pl.DataFrame | None
    """The rows, parsed; None: the file is not read here and goes whole to the reader (or
    its rows are used, and dropped: see ``height``)."""
    why: str | None = None
    firsts: pl.DataFrame | None = None
    """The raw cells of each entry's own fields, from one of its rows (chunk by chunk)."""
    height: int = 0
    """How many rows were read here (0: the file goes whole to the reader)."""
    usual: int | None = None
    """The cell count most of the file's non-blank lines have (see ``SourceFile.usual``): the
    per-entry reader is given it for the copy of the file holding the rows left, whose own
    would differ (its rows are mostly the ones not as wide as the header)."""
    narrow: str | None = None
    """Why most of the file's rows are not read here, when the file's usual width is not
    its header's: each such row sends its entry to the per-entry path (the summary says so)."""


_LONE_CR = re.compile(rb"\r(?!\n)")

#: Bytes read at a time: a chunk's strings are parsed to numbers and codes before the next
#: is read, so memory follows the parsed columns, not the file.
CHUNK_BYTES = 4 << 20


def read_columns(
    path: Path,
    index: int,
    overrides: Mapping[str, str],
    parse: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]] | None,
) -> ColumnFile:
    """Read ``path``'s used columns chunk by chunk through ``parse``, or say why the
    per-entry reader must read it (``parse`` None: it must, for the options chosen)."""
    import polars as pl

    source = open_source(path, overrides)
    name = source.name
    if parse is None:
        return ColumnFile(path, name, source, None, "the options are the per-entry path's")
    if source.kind != "csv" or source.delimiter != "," or source.encoding not in _UTF8:
        return ColumnFile(path, name, source, None, "not a UTF-8 comma-separated file")
    if "liquidation_status" in source.columns and "liquidation_date" not in source.columns:
        # The reader's warning names the first row that says liquidated, of the whole file.
        return ColumnFile(path, name, source, None, "a liquidation status with no date column")
    width = len(source.headers)
    if not cell_text(source.headers[-1]).strip():
        # The reader takes the header's width at its last named cell, and rejects a row with
        # a value under a blank header cell: a line's comma count cannot tell that here.
        return ColumnFile(path, name, source, None, "blank header cells at its end")
    used = sorted(source.columns.items(), key=lambda item: item[1])
    dates = DATE_FIELDS & set(source.columns)
    # The header's lines are skipped at LF line ends: lines ended by a carriage return alone
    # would be skipped with it, their rows unread and unreported (the reader reads them).
    head = _header_bytes(path, source.header_row)
    if odd := _odd_bytes(head):
        return ColumnFile(path, name, source, None, odd)
    # A line starting as the header does: files joined with their headers (``cat``). The
    # reader drops the repeat and its title rows with a warning naming the file's own rows.
    lead = head.splitlines()[-1].split(b",", 1)[0] + b"," if head.strip() else b""
    # The same repeat quoted or in other letter case does not start as the header's bytes:
    # its entry-number cell, unquoted, holds the header's name for it (t63/08).
    named = cell_text(source.headers[source.columns["entry_number"]]).strip()
    repeat = f"(?i){re.escape(named)}" if named else None
    parsed: list[pl.DataFrame] = []
    firsts: list[pl.DataFrame] = []
    widths: dict[int, int] = {}
    chunks = _chunks(path, source.header_row)
    # Chunk N+1 is read and made ready (:func:`_read_chunk`, polars letting go of the GIL)
    # in a second thread while chunk N's cells are parsed here: at most one chunk ahead, so
    # memory stays as flat. The thread runs one chunk at a time, in order, and nothing else
    # touches ``chunks`` or ``widths`` meanwhile; what it finds about a chunk (a reason the
    # file is not read here, a PolarsError) is taken up only when that chunk's turn comes,
    # after the chunks before it are parsed: the same reads, in the same order, as one
    # after another.
    read_next = partial(_read_chunk, chunks, used, width, widths, dates, index, lead, repeat)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ieepa-bulk-read")
    try:
        ahead = pool.submit(read_next)
        while (frame := ahead.result()) is not None:
            if isinstance(frame, str):  # the file is not read here
                return ColumnFile(path, name, source, None, frame)
            ahead = pool.submit(read_next)
            rows, cells = parse(frame)
            del frame  # parsed: not held while the next chunk is awaited
            parsed.append(rows)
            firsts.append(cells)
    except pl.exceptions.PolarsError:  # a shape polars will not read: the reader's to report
        return ColumnFile(path, name, source, None, "a row polars could not read")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # the chunk read ahead is dropped
        chunks.close()
    if not parsed:
        return ColumnFile(path, name, source, None, "no rows")
    usual = usual_width(widths)
    if usual is not None and usual < width:
        # The reader rejects a row wider than the usual width and blank beyond it, even when
        # the header is wider still (_rows.data_rows): such a row is as wide as the header
        # here, so read in columns. Most rows are narrower than the header, and so the
        # per-entry path's anyway: the file goes whole to the reader.
        return ColumnFile(path, name, source, None, _narrow(usual, width) or "rows narrower")
    rows = pl.concat(parsed, how="diagonal_relaxed", rechunk=False)
    return ColumnFile(
        path, name, source, rows, firsts=pl.concat(firsts, how="diagonal_relaxed", rechunk=False),
        height=rows.height, usual=usual, narrow=_narrow(usual, width),
    )  # fmt: skip


def _read_chunk(
    chunks: Generator[tuple[bytes, int, int]],
    used: list[tuple[str, int]],
    width: int,
    widths: dict[int, int],
    dates: set[str],
    index: int,
    lead: bytes,
    repeat: str | None = None,
) -> pl.DataFrame | str | None:
    """The next chunk's used columns, named, with each row's place (``_row``, ``_file``)
    and whether it is read here (``_whole``, see :func:`_whole`, which adds to ``widths``);
    or why the file is not read here; None when there are no more chunks."""
    import polars as pl

    got = next(chunks, None)
    if got is None:
        return None
    data, first_row, lines = got
    # A lone carriage return or a NUL is read differently by polars and the csv module.
    if odd := _odd_bytes(data):
        return odd
    if len(lead) > 1 and (data.startswith(lead) or b"\n" + lead in data):
        return "the header repeats (files joined?)"
    read = _read_rows(data, [i for _, i in used], width, widths, lines)
    if read is None:  # one physical line per row, nothing skipped: else row numbers differ
        return "multi-line cells (a quoted line break)"
    frame, whole = read
    if not data.endswith((b"\n", b"\r")):
        # The file's last line, with no line break after it: the per-entry reader reads it
        # again in its raw text (cut inside a quoted cell: rejected; after an amount: a
        # warning), so its entry goes there (_rows._end_check).
        whole = whole.scatter(len(whole) - 1, False)
    del data
    # Short rows' missing cells read as "" (as null in some polars versions); the per-entry
    # reader pads them with None: both blank. Renamed in place, not rebuilt column by column
    # (a tenth of the chunk's read).
    frame = frame.rename(dict(zip(frame.columns, [n for n, _ in used], strict=True)))
    if frame.null_count().sum_horizontal().item():
        frame = frame.fill_null("")
    if repeat is not None and frame["entry_number"].str.contains(repeat).any():
        return "the header repeats (files joined?)"
    # polars pads a short row and drops a long row's extra cells, silently, even with
    # truncate_ragged_lines off: a row with an unquoted comma in an amount would be
    # read by position, shifted. Such a row is not read here: its entry goes to the
    # per-entry path, whose reader rejects the row by name (CELL_COUNT).
    frame = frame.with_columns(_whole=whole)
    if "unit" in frame.columns and "quantity" in frame.columns:
        frame = frame.with_columns(_whole=pl.col("_whole") & ~unit_odd(frame))
    for field in sorted(dates):
        for text in frame[field].unique().to_list():
            pair = month_first_day(cell_text(text))
            if pair is not None and 12 < pair[0] <= 31 and 1 <= pair[1] <= 12:
                return "day-first dates"
    # Row numbers as UInt32 (4 bytes a row held to the end, not 8); a file past 2**32
    # rows fails here as a PolarsError and goes whole to the reader.
    return frame.with_columns(
        pl.int_range(first_row, first_row + frame.height, dtype=pl.UInt32).alias("_row"),
        pl.lit(index, dtype=pl.Int32).alias("_file"),
    )


def _narrow(usual: int | None, width: int) -> str | None:
    """Why most rows are not as wide as the header, in words, or None (they are)."""
    if usual is None or usual == width:
        return None
    guess = "a trailing comma on each row?" if usual > width else "a header column no row fills?"
    return f"rows not as wide as the header, {usual} cells to its {width}: {guess}"


def unit_odd(frame: pl.DataFrame) -> pl.Series:
    """Rows the reader may reject for their unit of quantity (``_cells.parse_unit``: a plain
    number) or as an amount split on an unquoted comma (``_rows._split_check``: a quantity
    with no unit). A superset, cheap to find: a unit cell with a digit and no letter, or one
    with neither beside a quantity cell that is not empty. Their entries go per entry.

    A file has a handful of units: each distinct unit cell is looked at once (three
    patterns over a few cells, not over every row), its flags joined back per row."""
    import polars as pl

    unit = frame["unit"]  # no nulls: a short row's cells are read as blank
    units = unit.unique()
    number = units.str.contains("[0-9]") & ~units.str.contains("[A-Za-z]")
    blank = ~units.str.contains("[0-9A-Za-z]")
    where = unit.cast(pl.Enum(units)).to_physical()
    quantity = frame["quantity"].str.len_bytes() > 0
    return (number.gather(where) | (blank.gather(where) & quantity)).alias("unit_odd")


def _odd_bytes(data: bytes) -> str | None:
    """Why the columnar reader cannot read ``data`` as the per-entry reader does, or None."""
    if b"\x00" in data:
        return "NUL bytes, which the columnar reader does not read"
    if b"\r" in data and _LONE_CR.search(data):
        return (
            "line ends the columnar reader does not read (a carriage return alone, as old Macs "
            "wrote)"
        )
    return None


def _header_bytes(path: Path, header_row: int) -> bytes:
    """The lines :func:`_chunks` skips as the header (LF line ends), CHUNK_BYTES at most
    each: a file of CR line ends is one line, never held whole to find its first CR (a cut
    that splits a CRLF only sends the file to the per-entry reader)."""
    with path.open("rb") as f:
        return b"".join(f.readline(CHUNK_BYTES) for _ in range(header_row))


#: A quoted cell, its doubled quotes included, and the comma before it (or the line's start):
#: the csv module reads a quote as a cell's opening one only first in the cell; a quote
#: anywhere else is text, and commas around it separate cells.
_QUOTED = r'(^|,)"(?:[^"]|"")*"'


#: A cell opening with a quote (at the line's start or after a comma) whose closing quote is
#: followed by more than a comma or the line's end, or that is not closed on its line: the
#: csv module keeps what follows as text of the cell, polars reads on (or refuses the chunk).
_ODD_QUOTE = r'(?:^|,)"(?:[^"]|"")*(?:"[^,\r"]|$)'


#: A cell opened by a quote and not closed on its line: the csv module reads on into the
#: next line, so the lines after it are not its rows (t72: a stray inch mark beside it can
#: leave polars seeing the line closed, and reading the lines it swallows as rows).
_OPEN_QUOTE = r'(?:^|,)"(?:[^"]|"")*$'


def odd_lines(data: bytes, lines: pl.Series) -> tuple[pl.Series, bool]:
    """(the places of ``data``'s ``lines`` quoted oddly (:data:`_ODD_QUOTE`), whether one of
    them leaves a quoted cell open for the next line (:data:`_OPEN_QUOTE`): the csv module
    then reads a line break into the cell, whatever polars sees). A last line with no line
    break has no next line."""
    quoted = lines.str.contains('"', literal=True).arg_true()
    odd = quoted.filter(lines.gather(quoted).str.contains(_ODD_QUOTE))
    opened = odd.filter(lines.gather(odd).str.contains(_OPEN_QUOTE))
    if not data.endswith(b"\n"):
        opened = opened.filter(opened != len(lines) - 1)
    return odd, bool(len(opened))


def _read_rows(
    data: bytes, columns: list[int], width: int, widths: dict[int, int], count: int
) -> tuple[pl.DataFrame, pl.Series] | None:
    """The chunk's ``columns`` (its rows as polars reads them) and, per line, whether it is
    read here (:func:`_whole`: as wide as the header, or blank; adds to ``widths``); None
    when polars reads more or fewer rows than ``data`` has lines (a quoted line break).

    polars is first told the header's width and to refuse ragged lines: it then refuses a
    chunk with a line wider than the header (each line's commas are then counted, as
    :func:`_whole` counts them) and pads a narrower line's missing cells with "". So a line
    both read alike (no cell of it quoted oddly: :data:`_ODD_QUOTE`) whose last cell is not
    empty has the header's width, by polars' count and the csv module's: it is read here
    without counting its commas. Only the other lines are counted (a last cell empty, a
    line quoted oddly): a third of the chunk's read, on the benchmark's file, was counting.
    """
    import polars as pl

    lines: pl.Series | None = None
    odd: pl.Series | None = None  # the lines quoted oddly, by place
    if b'"' in data:
        lines = _lines(data, count)
        odd, spans = odd_lines(data, lines)
        if spans:
            # The csv module reads a line break into a cell here: its rows are not the
            # lines, as when polars sees the quoted line break too.
            return None
    names = [f"_{i}" for i in range(width)]
    try:
        frame = pl.read_csv(
            data, has_header=False, schema=dict.fromkeys(names, pl.String),
            empty_string_is_null=False, encoding="utf8", raise_if_empty=False,
            truncate_ragged_lines=False,
        )  # fmt: skip
    except pl.exceptions.PolarsError:  # a line wider than the header, or the first narrower
        whole = _counted(_lines(data, count) if lines is None else lines, width, widths)
        frame = pl.read_csv(
            data, has_header=False, columns=columns, infer_schema=False,
            empty_string_is_null=False, encoding="utf8", raise_if_empty=False,
            truncate_ragged_lines=True,
        )  # fmt: skip
        return (frame, whole) if frame.height == count else None
    if frame.height != count:
        return None
    sure = frame.to_series(width - 1).fill_null("").str.len_bytes() > 0
    if not data.endswith(b"\n"):
        # polars takes a last line with no line break and a cell too many (``a,``) without
        # refusing it: that line is counted.
        sure = sure.scatter(count - 1, False)
    if odd is not None and len(odd):
        sure = sure.scatter(odd, False)
    frame = frame.select(names[i] for i in columns)
    rest = (~sure).arg_true()
    widths[width] = widths.get(width, 0) + count - len(rest)
    if not len(rest):
        return frame, sure
    if lines is None:
        lines = _lines(data, count)
    return frame, sure.scatter(rest, _counted(lines.gather(rest), width, widths))


def _whole(data: bytes, width: int, widths: dict[int, int], count: int) -> pl.Series:
    """Per line of ``data``: whether it has ``width`` cells (its commas outside quoted cells
    counted) or is blank (commas alone: the reader's blank row). A line the count gets wrong
    only sends its entry to the per-entry path.

    Adds to ``widths`` how many non-blank lines have each cell count: the file's usual width
    (the reader rejects a line wider than it, see ``_rows.data_rows``) is the most common.
    """
    return _counted(_lines(data, count), width, widths)


def _counted(lines: pl.Series, width: int, widths: dict[int, int]) -> pl.Series:
    """:func:`_whole` of ``lines``."""
    import polars as pl

    quoted = lines.str.contains('"', literal=True)
    odd = None
    if quoted.any():
        # Only lines with a quote need their quoted cells taken out. Each line's commas are
        # counted once: the other lines' as they are, these in what is left of them. A line
        # quoted oddly (_ODD_QUOTE: read otherwise by polars) is not whole, whatever its count.
        commas = pl.zeros(len(lines), dtype=pl.UInt32, eager=True)
        where = (~quoted).arg_true()
        if len(where):
            plain = lines.gather(where).str.count_matches(",", literal=True)
            commas = commas.scatter(where, plain)
        where = quoted.arg_true()
        part = lines.gather(where)
        odd = pl.zeros(len(lines), dtype=pl.Boolean, eager=True)
        odd = odd.scatter(where, part.str.contains(_ODD_QUOTE))
        inner = part.str.replace_all(_QUOTED, "$1").str.count_matches(",", literal=True)
        commas = commas.scatter(where, inner)
    else:
        commas = lines.str.count_matches(",", literal=True)
    whole = commas == width - 1
    if odd is not None:
        whole = whole & ~odd
    # A line of commas alone, a CR at its end or not (^,*\r?$): no quote, and no byte but
    # its commas and that CR (a quoted line's commas are not all counted: it is not blank).
    others = lines.str.len_bytes() - commas
    blank = ~quoted & ((others == 0) | ((others == 1) & lines.str.ends_with("\r")))
    counts = (commas.filter(~blank) + 1).value_counts()
    for cells, rows in counts.iter_rows():
        widths[cells] = widths.get(cells, 0) + rows
    if whole.all():
        return whole
    return whole | blank


def _lines(data: bytes, expected: int) -> pl.Series:
    """The ``expected`` lines of ``data`` (its LFs, and a last line with no LF), their ends
    dropped (a CR may stay)."""
    import polars as pl

    lines: pl.Series | None = None
    if b"\x01" not in data:
        # polars splits lines several times faster than a str.split: one column, split on a
        # byte absent from the data, quotes not special.
        lines = pl.read_csv(
            data, has_header=False, separator="\x01", quote_char=None, infer_schema=False,
            new_columns=["line"], raise_if_empty=False, truncate_ragged_lines=False,
        ).to_series().fill_null("")  # fmt: skip
    if lines is None or lines.len() != expected:
        lines = pl.Series([data.decode("utf-8", errors="replace")]).str.split("\n").explode()
        if data.endswith(b"\n"):
            lines = lines.head(-1)
    return lines


def _chunks(path: Path, header_row: int) -> Generator[tuple[bytes, int, int]]:
    """(bytes of whole lines, number of their first row, lines) after the header, CHUNK_BYTES
    a time at most, or one line longer than that (the last line may have no line end).

    The header's lines are skipped as lines; :func:`read_columns` refuses any chunk whose
    rows are not its lines, so a header or row spanning lines never passes unseen. Each
    chunk ends at its last line break, and the file is read on from there: one copy of
    the bytes a chunk, not a partial line joined to the next block (a regular file: the
    reader refuses pipes, which it reads more than once).
    """
    with path.open("rb") as f:
        for _ in range(header_row):
            f.readline()
        row = header_row + 1
        while block := f.read(CHUNK_BYTES):
            cut = block.rfind(b"\n") + 1
            while not cut and (more := f.read(CHUNK_BYTES)):  # a line longer than a chunk
                block += more
                cut = block.rfind(b"\n") + 1
            if not cut:  # the file's last line, with no line break after it
                yield block, row, 1
                return
            if cut < len(block):
                f.seek(cut - len(block), os.SEEK_CUR)
                block = block[:cut]
            lines = block.count(b"\n")
            yield block, row, lines
            row += lines


def need(module: str, extra: str) -> None:
    """Import ``module`` now, or say which extra to install (the core never needs it)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"the bulk engine needs {module}: pip install 'ieepa-refund[{extra}]'"
        ) from None


__all__ = ["ColumnFile", "odd_lines", "read_columns"]
