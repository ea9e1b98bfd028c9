"""Reading ES-003 CSVs into columns: each distinct cell parsed once by the library's own parsers.

A file is read here only when the per-entry reader would see exactly the same rows:
UTF-8 CSV with commas, one physical line per row (no quoted line breaks, no blank
lines), a header with no blank cells at its end. Anything else is handed whole to the
per-entry reader, which knows every other shape; a row not as wide as the header sends
its entry to the per-entry path (the reader rejects such a row by name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import entry_number as _entry_number
from .. import hts as _hts
from ..errors import IeepaRefundError, ValidationError
from ..es003._cells import (
    COUNTRY,
    DATE_FIELDS,
    ENTRY_PARSERS,
    BadCell,
    cell_text,
    month_first_day,
    parse_amount,
    parse_date,
    parse_entry_number,
    parse_line_number,
    parse_ordinal,
    parse_protest_number,
    parse_quantity,
    protest_placeholder,
)
from ..es003._columns import ENTRY_FIELDS
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
    whole = _whole(data, width, widths, lines)
    if not data.endswith((b"\n", b"\r")):
        # The file's last line, with no line break after it: the per-entry reader reads it
        # again in its raw text (cut inside a quoted cell: rejected; after an amount: a
        # warning), so its entry goes there (_rows._end_check).
        whole = whole.scatter(len(whole) - 1, False)
    frame = pl.read_csv(
        data,
        has_header=False,
        columns=[i for _, i in used],
        infer_schema=False,
        empty_string_is_null=False,
        encoding="utf8",
        raise_if_empty=False,
        truncate_ragged_lines=True,
    )
    del data
    # One physical line per row, nothing skipped: else row numbers would differ.
    if frame.height != lines:
        return "multi-line cells"
    # Short rows read as null; the per-entry reader pads them with None: both blank.
    frame = pl.DataFrame(
        [frame.to_series(k).fill_null("").alias(n) for k, (n, _) in enumerate(used)]
    )
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


#: A quoted cell, its doubled quotes included: its commas are not separators.
_QUOTED = r'"(?:[^"]|"")*"'


def _whole(data: bytes, width: int, widths: dict[int, int], count: int) -> pl.Series:
    """Per line of ``data``: whether it has ``width`` cells (its commas outside quoted cells
    counted) or is blank (commas alone: the reader's blank row). A line the count gets wrong
    only sends its entry to the per-entry path.

    Adds to ``widths`` how many non-blank lines have each cell count: the file's usual width
    (the reader rejects a line wider than it, see ``_rows.data_rows``) is the most common.
    """

    lines = _lines(data, count)
    commas = lines.str.count_matches(",", literal=True)
    quoted = lines.str.contains('"', literal=True)
    if quoted.any():  # only lines with a quote need the quoted cells taken out
        inner = lines.filter(quoted).str.replace_all(_QUOTED, "")
        commas = commas.scatter(quoted.arg_true(), inner.str.count_matches(",", literal=True))
    whole = commas == width - 1
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
    a time (the last line may have no line end).

    The header's lines are skipped as lines; :func:`read_columns` refuses any chunk whose
    rows are not its lines, so a header or row spanning lines never passes unseen.
    """
    with path.open("rb") as f:
        for _ in range(header_row):
            f.readline()
        row, rest = header_row + 1, b""
        while block := f.read(CHUNK_BYTES):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            if not cut:
                rest = data
                continue
            lines = data.count(b"\n", 0, cut)
            yield data[:cut], row, lines
            row += lines
            rest = data[cut:]
        if rest:
            yield rest, row, rest.count(b"\n") + (0 if rest.endswith(b"\n") else 1)


def need(module: str, extra: str) -> None:
    """Import ``module`` now, or say which extra to install (the core never needs it)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"the bulk engine needs {module}: pip install 'ieepa-refund[{extra}]'"
        ) from None


# -- distinct-value parsing -----------------------------------------------------------------

_PARSE_ERRORS = (BadCell, ValidationError, ArithmeticError, IeepaRefundError)


#: Distinct cells a memo keeps per column (:func:`distinct`): a file's common cells (codes,
#: dates, line numbers) recur in every chunk and are parsed once; past this many, a cell
#: not kept is parsed in each chunk it is in, as without a memo. Bounded so that a column
#: of mostly distinct odd cells (amounts with a space after them) holds at most about
#: 1 MB here, whatever the file.
MEMO_CELLS = 1 << 12


def distinct(
    series: pl.Series,
    parse: Callable[[str], Any],
    dtype: Any,
    memo: dict[Any, Any] | None = None,
) -> pl.Series:
    """``parse`` applied to each distinct value of ``series`` once, joined back per row.

    A value ``parse`` refuses becomes null, and so does a value it reads as None; callers
    that must tell the two apart parse into a sentinel first.

    ``memo``: what ``parse`` gave for cells seen before (None for a refusal), kept by the
    caller for the chunks of one run, and filled here (:data:`MEMO_CELLS` at most). It
    must only ever be given cells for the same ``parse``: a value depends on the cell alone.
    A Categorical ``dtype``: the few parsed values made codes, then joined back per row
    (not each row's text made a code).
    """
    import polars as pl

    if not len(series):
        return pl.Series(series.name, [], dtype=dtype)
    uniques = series.unique()
    parsed: list[Any] = []
    for raw in uniques.to_list():
        if memo is not None and raw in memo:
            parsed.append(memo[raw])
            continue
        try:
            value = parse(raw)
        except _PARSE_ERRORS:
            value = None
        if memo is not None and len(memo) < MEMO_CELLS:
            memo[raw] = value
        parsed.append(value)
    if dtype == pl.Categorical:
        values = pl.Series(series.name, parsed, dtype=pl.String).cast(pl.Categorical)
    else:
        values = pl.Series(series.name, parsed, dtype=dtype)
    if series.dtype == pl.String and not uniques.null_count():
        # Each cell's place among the distinct values, then the parsed value at that place.
        return values.gather(series.cast(pl.Enum(uniques)).to_physical())
    return series.replace_strict(uniques, values, return_dtype=dtype)


def _with_plain(
    series: pl.Series,
    plain: pl.Expr,
    value: pl.Expr,
    parse: Callable[[str], Any],
    dtype: Any,
    memo: dict[Any, Any] | None = None,
) -> pl.Series:
    """Cells matching ``plain`` read by ``value`` in columns; every other distinct cell by
    ``parse`` (the library's parser), once (``memo``: see :func:`distinct`). ``plain`` must
    only match cells for which the two are provably the same (the parser's own fast case)."""
    import polars as pl

    both = pl.DataFrame({"s": series}).select(p=plain.fill_null(False), v=value.cast(dtype))
    flags = both.to_series(0)
    fast = both.to_series(1).alias(series.name)
    if flags.all():
        return fast
    # The few other cells are parsed once each, and only their rows are written over.
    where = (~flags).arg_true()
    odd = series.gather(where)
    return fast.scatter(where, distinct(odd, parse, dtype, memo))


# parse_amount's fast case (_cells._PLAIN_MONEY, ASCII digits), within AMOUNT_BOUND.
_PLAIN_MONEY = r"^\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,13})(?:\.[0-9]{1,2})?$"


def amounts(series: pl.Series, memo: dict[Any, Any] | None = None) -> pl.Series:
    """:func:`amount_cents` of every cell: plain ``$1,234.5`` in columns, the rest parsed
    (``memo``: see :func:`distinct`)."""
    import polars as pl

    s, value, size = pl.col("s"), pl.col("v"), pl.col("n")
    # A decimal with two places is held as its integer count of cents: exact, no float.
    # In a cell of the fast case a "$" stands only first and a comma only between digit
    # groups: taking every "$" and comma out in one pass is the same as taking the "$" off
    # the front and the commas out (what a cell outside the fast case gives is not used).
    frame = pl.DataFrame({"s": series}).with_columns(
        v=s.str.replace_all("[$,]", "")
        .cast(pl.Decimal(18, 2), strict=False)
        .to_physical()
        .cast(pl.Int64),
        n=s.str.len_bytes(),
    )
    # Under 10**12 dollars: the fast case's own bound; anything else goes to the parser.
    # A blank cell (most goods values of Chapter 99 rows) is BLANK, as amount_cents says.
    # Two eager steps, not one lazy plan: the plan would inline the cents into both
    # outputs and compute them twice (measured: a fifth more CPU).
    both = frame.select(
        p=(
            (s.str.contains(_PLAIN_MONEY) & (size <= 19) & (value < 10**14)) | (size == 0)
        ).fill_null(False),
        v=pl.when(size == 0).then(BLANK).otherwise(value),
    )
    del frame
    flags = both.to_series(0)
    fast = both.to_series(1).alias(series.name)
    if flags.all():
        return fast
    # The few other cells are parsed once each, and only their rows are written over.
    where = (~flags).arg_true()
    return fast.scatter(where, distinct(series.gather(where), amount_cents, pl.Int64, memo))


# Amounts of at most 12 whole digits in parse_amount's fast case: under AMOUNT_BOUND.
_SMALL_MONEY = r"^\$?(?:[0-9]{1,3}(?:,[0-9]{3}){0,3}|[0-9]{1,12})(?:\.[0-9]{1,2})?$"


def amounts_ok(series: pl.Series) -> pl.Series:
    """Whether :func:`amount_cents` takes each cell (True, or null where it refuses)."""
    import polars as pl

    plain = pl.col("s").str.contains(_SMALL_MONEY)
    return _with_plain(series, plain, pl.lit(True), _amount_ok, pl.Boolean)


def _amount_ok(raw: str) -> bool:
    amount_cents(raw)
    return True


def entry_numbers(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(:func:`parse_entry_number`, check digit right) of every cell; numbers of the compact
    shape (filer code, 8 digits) checked in columns.

    A cell the parser refuses is null, and so not right.
    """
    import polars as pl

    numbers = parse_numbers(series)
    keys = pl.DataFrame({"s": numbers}).select(
        d=pl.col("s").str.contains(SHAPED).fill_null(False), k=entry_key(pl.col("s"))
    )
    right = pl.col("d") & check_digit_right(pl.col("k")).fill_null(False)
    valid = keys.select(right).to_series().alias(series.name)
    # Numbers of any other shape: the library's check, once each (it refuses them all).
    other = (~keys.to_series(0) & numbers.is_not_null()).arg_true()
    if len(other):
        valid.scatter(other, distinct(numbers.gather(other), _entry_number.is_valid, pl.Boolean))
    return numbers, valid


#: The compact shape of an entry number (entry_number._SHAPE): 3 filer characters, 8 digits.
SHAPED = r"^[0-9A-Z]{3}[0-9]{8}$"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FILER = 10**8


def entry_key(number: pl.Expr) -> pl.Expr:
    """An entry number of the compact shape (:data:`SHAPED`) as an Int64 key: its filer code
    read in base 36 (digits, then capital letters) times 10**8, plus its 8 digits.

    The key orders as the numbers do (in ASCII a digit sorts before a letter, as in base
    36), and 36**3 * 10**8 is far inside Int64. Other shapes are null (or meaningless:
    callers keep only shaped numbers).
    """
    import polars as pl

    filer = number.str.slice(0, 3).str.to_integer(base=36, strict=False)
    digits = number.str.slice(3).str.to_integer(strict=False)
    return (filer.cast(pl.Int64) * _FILER + digits.cast(pl.Int64)).alias("key")


def _filer_chars(key: pl.Expr) -> list[pl.Expr]:
    """The values (0-35) of a key's three filer characters, left to right."""
    filer = key // _FILER
    return [filer // 36**2, filer // 36 % 36, filer % 36]


def key_number(key: pl.Expr) -> pl.Expr:
    """The entry number of a key (:func:`entry_key`)."""
    import polars as pl

    chars = [
        v.replace_strict(list(range(36)), list(_ALNUM), default=None, return_dtype=pl.String)
        for v in _filer_chars(key)
    ]
    return pl.concat_str([*chars, (key % _FILER).cast(pl.String).str.zfill(8)])


def parse_numbers(series: pl.Series, memo: dict[Any, Any] | None = None) -> pl.Series:
    """:func:`parse_entry_number` of every cell (null where it refuses); 11 ASCII digits as
    they are, every other distinct cell through the parser once (``memo``: see
    :func:`distinct`)."""
    import polars as pl

    plain = pl.col("s").str.contains(r"^[0-9]{11}$")
    return _with_plain(series, plain, pl.col("s"), parse_entry_number, pl.String, memo)


def check_digit_right(key: pl.Expr) -> pl.Expr:
    """Whether an entry number, held as its key (:func:`entry_key`), has the right check digit.

    CATAIR Appendix E, as :mod:`ieepa_refund.entry_number` computes it: filer-code letters
    A-I are 1-9, J-R 1-9, S-Z 2-9; then Luhn over the ten digits before the check digit,
    from the right (the rightmost doubled).
    """
    import polars as pl

    low = key % _FILER
    # From the right: the 7 transaction digits, then the filer code's last, middle, first.
    digits = [low // 10 ** (position + 1) % 10 for position in range(7)]
    digits.extend(_as_digit(v) for v in reversed(_filer_chars(key)))
    total = pl.lit(0, dtype=pl.Int64)
    for position, digit in enumerate(digits):
        if position % 2 == 0:
            digit = digit * 2
            digit = pl.when(digit > 9).then(digit - 9).otherwise(digit)
        total = total + digit
    return (10 - total % 10) % 10 == low % 10


def _as_digit(value: pl.Expr) -> pl.Expr:
    """A filer character's value (0-35) as the digit Appendix E maps it to (a digit is itself;
    A-I 1-9, J-R 1-9, S-Z 2-9: entry_number._LETTER_DIGITS)."""
    import polars as pl

    return (
        pl.when(value < 10)
        .then(value)
        .when(value < 19)
        .then(value - 9)
        .when(value < 28)
        .then(value - 18)
        .otherwise(value - 26)
    )


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value.scaleb(2))


#: What a cell that parses to None becomes in an integer column: distinct from a refusal (null).
BLANK = -1


def amount_cents(raw: str) -> int:
    """An amount cell in cents (BLANK when empty), refused (raised) when negative."""
    value = parse_amount(raw)
    if value is None:
        return BLANK
    if value < 0:
        raise BadCell("a negative amount")
    cents = _cents(value)
    assert cents is not None
    return cents


def quantity_ok(raw: str) -> bool:
    value = parse_quantity(raw)
    if value is not None and value < 0:
        raise BadCell("a negative quantity")
    return True


def country(raw: str) -> str:
    text = cell_text(raw).upper()
    if not COUNTRY.fullmatch(text):
        raise BadCell("a country of origin is a 2-letter ISO code")
    return text


def hts_number(raw: str) -> str:
    return _hts.validate(cell_text(raw))


def ordinal(raw: str) -> int:
    found = parse_ordinal(raw)
    return BLANK if found is None else found


def rate_blank(raw: str) -> bool:
    """Only a blank rate cell is read here: rate text is the per-entry path's."""
    return not cell_text(raw)


#: The tariff cells read in columns. A unit cell is not read here: the rows whose unit the
#: reader may refuse (a plain number, see ``unit_odd``) are the per-entry path's.
PARSERS: dict[str, Callable[[str], Any]] = {
    "entry_number": parse_entry_number,
    "line_number": parse_line_number,
    "country_of_origin": country,
    "hts": hts_number,
    "tariff_ordinal": ordinal,
    "value": amount_cents,
    "duty": amount_cents,
    "quantity": quantity_ok,
    "rate": rate_blank,
}


def entry_field_parser(name: str) -> Callable[[str], Any]:
    if name in DATE_FIELDS:
        cache: dict[str, Any] = {}
        return lambda raw: parse_date(raw, cache)
    if name == "protest_number":
        return _protest_number
    return ENTRY_PARSERS[name]


def _protest_number(raw: str) -> str | None:
    """The reader's parser, but a placeholder ('N/A', '0') is refused: the reader reads it as
    no protest with a warning naming its row, so its entry goes to the per-entry path."""
    if protest_placeholder(raw):
        raise BadCell("a protest number placeholder: the per-entry path warns of it")
    return parse_protest_number(raw)


__all__ = [
    "BLANK",
    "ENTRY_FIELDS",
    "PARSERS",
    "ColumnFile",
    "SHAPED",
    "check_digit_right",
    "distinct",
    "entry_field_parser",
    "entry_key",
    "key_number",
    "read_columns",
]
