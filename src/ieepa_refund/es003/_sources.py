"""Opening ES-003 sources (CSV, tab- or semicolon-delimited text, .xlsx, open files, DataFrames)
and finding the header row.

Every source becomes numbered raw rows. A text file's rows are numbered by the physical line
each starts on, so a row number is the line an editor shows. What cannot be read as a row (a
cell over the CSV field limit, a quote that swallows the lines after it) is a row problem naming
its row, never an exception that loses the whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputFileError
from ._cells import DATE_FIELDS, BadCell, cell_text, month_first_day, parse_entry_number
from ._columns import ANSWER_CHANGING, REQUIRED, match_columns, missing_message, nearest
from .report import AmbiguousColumn, Problem

#: How far down a file the header row is looked for (title rows above it are skipped).
HEADER_SEARCH_ROWS = 50
#: The most a .xlsx may inflate to. openpyxl holds a workbook's shared strings in memory, so a
#: small file that inflates to gigabytes (a zip bomb) is refused from its zip directory, before
#: anything is inflated. zipfile stops each member at its declared size, so the directory's
#: sizes bound what can be read.
XLSX_MAX_BYTES = 1 << 30
#: A member larger than :data:`_RATIO_FLOOR` that compresses more than this is refused: worksheet
#: XML compresses 10 to 20 times; a bomb, a thousand.
XLSX_MAX_RATIO = 100
_RATIO_FLOOR = 16 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_DELIMITERS = {",": "csv", "\t": "tsv", ";": "csv"}

Raw = tuple[int, int, "list[Any] | str"]
"""(first line, lines spanned, cells) or, for a row that cannot be read, the reason (a str)."""


@dataclass
class SourceFile:
    name: str
    kind: str
    encoding: str | None
    sheet: str | None
    header_row: int
    headers: list[Any]
    columns: dict[str, int]
    ignored: list[str]
    rows: Callable[[], Iterator[Raw]]
    delimiter: str | None = None
    mapped: dict[str, str] = field(default_factory=dict)
    ambiguous: list[AmbiguousColumn] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """File-level problems (row None)."""
    problems: list[Problem] = field(default_factory=list)
    """Rows that could not be read as rows, from the latest pass of :func:`data_rows`."""
    rejected: int = 0
    """How many rows those problems kept out."""
    concluded: bool = False
    raw_line: _LineFetcher | None = None
    """A text source's physical line by number, to recover the entry of a row that could not
    be read as a row (None for workbooks and DataFrames, whose rows always read)."""


# --- opening -------------------------------------------------------------------------------


def _bytes_opener(source: Any) -> tuple[str, Callable[[], IO[bytes]] | None, str | None]:
    """(name, binary opener or None, text content for a text stream)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            what = "a folder, not a file" if path.is_dir() else "no such file"
            raise InputFileError(what, field="file", value=str(path))
        return path.name, lambda: path.open("rb"), None
    if not callable(getattr(source, "read", None)):
        raise InputFileError(
            "expected a path, an open file, or a pandas DataFrame",
            field="file",
            value=type(source).__name__,
        )
    name = Path(str(getattr(source, "name", "") or "<stream>")).name
    try:
        content = source.read()
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read the stream: {exc}", field="file", value=name) from None
    if isinstance(content, bytes):
        return name, lambda: io.BytesIO(content), None
    if isinstance(content, str):
        return name, None, content
    raise InputFileError(
        "expected a path, an open file, or a pandas DataFrame",
        field="file",
        value=type(source).__name__,
    )


def _is_dataframe(source: Any) -> bool:
    return hasattr(source, "itertuples") and hasattr(source, "columns")


def _sniff_encoding(opener: Callable[[], IO[bytes]], name: str) -> str:
    with opener() as f:
        head = f.read(65536)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            raise InputFileError(
                f"{name}: UTF-32 text is not read; save the file as UTF-8 CSV",
                field="file",
                value=name,
            )
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's "Unicode Text": UTF-16 with a byte-order mark
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if b"\x00" in head:
            # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
            odd, even = head[1::2].count(0), head[0::2].count(0)
            if odd > len(head) // 4:
                return "utf-16-le"
            if even > len(head) // 4:
                return "utf-16-be"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
    # Most per line wins; ties go to the comma, then tab (the order of _DELIMITERS).
    return max(_DELIMITERS, key=lambda d: counts[d])


def _csv_records(open_text: Callable[[], IO[str]], name: str, delimiter: str) -> Iterator[Raw]:
    with Readable(name), open_text() as text:
        reader = csv.reader(text, delimiter=delimiter)
        done = 0  # the lines read so far: a row starts on the next one
        while True:
            try:
                # A for loop runs in C between rows; a row the reader refuses ends it, is
                # reported below, and the loop starts again on the rows after.
                for row in reader:
                    # A row is at least one line, so it spans line_num - done lines.
                    end = reader.line_num
                    yield done + 1, end - done, row
                    done = end
                return
            except csv.Error as exc:
                yield done + 1, max(reader.line_num - done, 1), f"not readable as CSV: {exc}"
                done = reader.line_num


def _text_source(
    name: str, opener: Callable[[], IO[bytes]] | None, content: str | None, delimiter: str | None
) -> tuple[Callable[[], Iterator[Raw]], str | None, str, _LineFetcher]:
    encoding: str | None = None
    if opener is not None:
        encoding = _sniff_encoding(opener, name)
        # cp1252 leaves five bytes undefined; they become U+FFFD rather than stop the read.
        errors = "replace" if encoding == "cp1252" else "strict"
        binary = opener

        def open_text() -> IO[str]:
            return io.TextIOWrapper(binary(), encoding=encoding, errors=errors, newline="")

    else:
        text = content or ""

        def open_text() -> IO[str]:
            return io.StringIO(text)

    with Readable(name), open_text() as f:
        sample = f.read(65536)
    chosen = delimiter or _sniff_delimiter(sample)

    def rows() -> Iterator[Raw]:
        return _csv_records(open_text, name, chosen)

    return rows, encoding, chosen, _LineFetcher(open_text)


class _LineFetcher:
    """Physical lines of a text by number, read forward only and only when asked.

    Used for the rare rows the CSV reader refuses (a cell over its field limit): the row's
    entry number is then read from the raw line, so that the entry is flagged incomplete
    rather than built short without a word. Rows are asked for in increasing order within
    a pass; an earlier line starts a new read.
    """

    def __init__(self, open_text: Callable[[], IO[str]]) -> None:
        self._open = open_text
        self._file: IO[str] | None = None
        self._at = 0

    def __call__(self, number: int) -> str | None:
        if self._file is None or number <= self._at:
            if self._file is not None:
                self._file.close()
            self._file, self._at = self._open(), 0
        for line in self._file:
            self._at += 1
            if self._at == number:
                return line
        self.close()
        return None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def leading_field(line: str, delimiter: str, index: int) -> str | None:
    """Field ``index`` of one physical CSV line, read without the CSV module's field limit.

    Quotes are honoured as the CSV module honours them (a field that starts with a quote
    runs to the closing quote; doubled quotes are one). None when the line has fewer fields.
    """
    at, field_no = 0, 0
    end = len(line.rstrip("\r\n"))
    while at <= end:
        if line.startswith('"', at):
            close = at + 1
            while True:
                close = line.find('"', close)
                if close == -1:
                    return None  # an unclosed quote: the line alone does not say
                if line.startswith('""', close):
                    close += 2
                    continue
                break
            text = line[at + 1 : close].replace('""', '"')
            stop = line.find(delimiter, close + 1)
        else:
            stop = line.find(delimiter, at)
            text = line[at : stop if 0 <= stop < end else end]
        if field_no == index:
            return text
        if stop == -1 or stop >= end:
            return None
        at, field_no = stop + 1, field_no + 1
    return None


def _check_zip(opener: Callable[[], IO[bytes]], name: str) -> None:
    try:
        with opener() as f, zipfile.ZipFile(f) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(
            f"{name}: not a readable .xlsx workbook: {exc}", field="file", value=name
        ) from None
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_BYTES:
        raise InputFileError(
            f"{name}: the workbook inflates to {total:,} bytes, over the {XLSX_MAX_BYTES:,} "
            "read; save it as CSV or split it",
            field="file",
            value=name,
        )
    for member in members:
        if member.file_size > _RATIO_FLOOR and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise InputFileError(
                f"{name}: {member.filename} inflates {member.file_size // max(member.compress_size, 1):,} "
                f"times ({member.file_size:,} bytes); refused as a likely zip bomb",
                field="file",
                value=name,
            )


def _xlsx_source(
    name: str, opener: Callable[[], IO[bytes]]
) -> tuple[Callable[[], Iterator[Raw]], str]:
    try:
        import openpyxl
    except ImportError:
        raise InputFileError(
            "reading .xlsx needs openpyxl: pip install 'ieepa-refund[xlsx]'",
            field="file",
            value=name,
        ) from None
    _check_zip(opener, name)

    def load(handle: IO[bytes]) -> Any:
        try:
            return openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputFileError(
                f"{name}: not a readable .xlsx workbook: {exc}", field="file", value=name
            ) from None

    with opener() as handle:  # openpyxl leaves a file object it was given open
        book = load(handle)
        title = "Main Report" if "Main Report" in book.sheetnames else book.worksheets[0].title
        book.close()

    def rows() -> Iterator[Raw]:
        with opener() as handle:
            book = load(handle)
            try:
                for number, row in enumerate(book[title].iter_rows(values_only=True), start=1):
                    yield number, 1, list(row)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError) as exc:
                # A damaged or lying workbook (a member whose CRC or size is false) shows only
                # when its sheet is inflated: the file is unreadable, not the program broken.
                raise InputFileError(
                    f"{name}: not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
                    field="file",
                    value=name,
                ) from None
            finally:
                book.close()

    return rows, title


def _dataframe_source(frame: Any) -> Callable[[], Iterator[Raw]]:
    import pandas

    def plain(cell: Any) -> Any:
        if cell is None or isinstance(cell, str):
            return cell
        try:
            if pandas.isna(cell):  # NaN, NaT, pd.NA: a blank cell in a DataFrame
                return None
        except (TypeError, ValueError):  # a list-like cell
            return str(cell)
        if hasattr(cell, "to_pydatetime"):
            return cell.to_pydatetime()
        if hasattr(cell, "item"):
            return cell.item()  # a numpy scalar: the Python number it holds
        return cell

    def rows() -> Iterator[Raw]:
        yield 1, 1, [str(column) for column in frame.columns]
        for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
            yield number, 1, [plain(cell) for cell in values]

    return rows


def open_source(
    source: Any, overrides: Mapping[str, str], *, delimiter: str | None = None
) -> SourceFile:
    """Open a path, an open file (text or binary) or a pandas DataFrame and find its header."""
    opened = open_rows(source, delimiter=delimiter)
    found = find_header(opened.rows(), overrides, opened.name)
    found.kind, found.encoding, found.sheet = opened.kind, opened.encoding, opened.sheet
    found.delimiter, found.rows = opened.delimiter, opened.rows
    found.raw_line = opened.raw_line
    return found


@dataclass(frozen=True)
class OpenedRows:
    """A source opened as numbered raw rows, before any header is looked for."""

    name: str
    kind: str
    encoding: str | None
    sheet: str | None
    delimiter: str | None
    rows: Callable[[], Iterator[Raw]]
    raw_line: _LineFetcher | None = None
    """A text source's physical lines by number (see :class:`SourceFile`)."""


def open_rows(source: Any, *, delimiter: str | None = None) -> OpenedRows:
    """Open a path, an open file or a DataFrame as rows: any tabular export, not only ES-003."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise InputFileError("a delimiter is one character", field="delimiter", value=delimiter)
    encoding = sheet = chosen = None
    fetch: _LineFetcher | None = None
    if _is_dataframe(source):
        name, kind, rows = "<DataFrame>", "dataframe", _dataframe_source(source)
    else:
        name, opener, content = _bytes_opener(source)
        is_xlsx = name.lower().endswith((".xlsx", ".xlsm"))
        if opener is not None and not is_xlsx:
            with opener() as f:
                is_xlsx = f.read(4) == _XLSX_MAGIC
        if is_xlsx and opener is not None:
            kind = "xlsx"
            rows, sheet = _xlsx_source(name, opener)
        else:
            rows, encoding, chosen, fetch = _text_source(name, opener, content, delimiter)
            kind = "tsv" if chosen == "\t" else "csv"
    return OpenedRows(name, kind, encoding, sheet, chosen, rows, fetch)


class Readable:
    """Turn decoding errors into InputFileError naming the file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, UnicodeError):
            raise InputFileError(
                f"{self.name}: cannot decode the text: {exc}", field="file", value=self.name
            )


#: How to name a column, in the words of the API and of the command line.
MAP_HINT = (
    "name the file's columns with mapping={field: header} (--map FIELD=HEADER on the command line)"
)


def find_header(rows: Iterator[Raw], overrides: Mapping[str, str], name: str) -> SourceFile:
    # The row naming the most ES-003 columns, in case none names both key columns: a header
    # with its entry-number or HTS column misspelt is then named, with what it lacks.
    best: tuple[int, int, list[str], Any] | None = None
    try:
        for number, _, row in rows:
            if number > HEADER_SEARCH_ROWS:
                break
            if isinstance(row, str):
                continue
            headers = [cell_text(cell) for cell in row]
            match = match_columns(headers, overrides)
            if "entry_number" in match.columns and "hts" in match.columns:
                return _header(name, number, headers, match, overrides)
            if best is None or len(match.columns) > best[0]:
                best = (len(match.columns), number, headers, match)
    finally:
        if hasattr(rows, "close"):
            rows.close()
    if best is not None and best[0] >= NEAR_HEADER_COLUMNS:
        _, number, _, match = best
        lacking = [f for f in ("entry_number", "hts") if f not in match.columns]
        raise InputFileError(
            f"{name}: row {number} looks like the ES-003 header but has "
            + "; ".join(missing_message(field, match.ignored) for field in lacking)
            + f"; {MAP_HINT}",
            field="file",
            value=name,
        )
    raise InputFileError(
        f"{name}: no ES-003 header found in the first {HEADER_SEARCH_ROWS} rows "
        "(a row naming at least the entry number and HTS number columns)",
        field="file",
        value=name,
    )


#: A row naming this many ES-003 columns, but not both key columns, is taken for the header
#: with a key column misspelt (a title or note row names none or one).
NEAR_HEADER_COLUMNS = 3


def _header(
    name: str, number: int, headers: list[str], match: Any, overrides: Mapping[str, str]
) -> SourceFile:
    for wanted in dict.fromkeys(overrides.values()):
        if wanted not in match.mapped:
            close = nearest(wanted, match.ignored)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise InputFileError(
                f"{name}: mapping names a header for {wanted} that is not in the header "
                f"(row {number}){hint}",
                field="mapping",
                value=wanted,
            )
    missing = [field for field in REQUIRED if field not in match.columns]
    if missing:
        raise InputFileError(
            f"{name}: the header (row {number}) has "
            + "; ".join(missing_message(field, match.ignored) for field in missing)
            + f"; {MAP_HINT}",
            field="file",
            value=name,
        )
    source = SourceFile(
        name=name,
        kind="",
        encoding=None,
        sheet=None,
        header_row=number,
        headers=headers,
        columns=match.columns,
        ignored=match.ignored,
        rows=lambda: iter(()),
        mapped=match.mapped,
        ambiguous=[AmbiguousColumn(header=h, field=f, used=u) for h, f, u in match.ambiguous],
    )
    for a in source.ambiguous:
        source.warnings.append(
            _warning(
                name,
                "AMBIGUOUS_COLUMN",
                f"{a.header!r} and {a.used!r} both name {a.field}; {a.used!r} is read "
                f"(name the one to read with mapping={{'{a.field}': header}}, or --map "
                f"{a.field}=HEADER on the command line)",
                a.header,
            )
        )
    for field_name, effect in ANSWER_CHANGING.items():
        if field_name not in match.columns:
            close = nearest(field_name, match.ignored)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            source.warnings.append(
                _warning(
                    name, "MISSING_COLUMN", f"no {field_name} column: {effect}{hint}", field_name
                )
            )
    return source


def _warning(name: str, code: str, message: str, column: str | None) -> Problem:
    return Problem(code=code, message=message, file=name, column=column, rows=0)


# --- rows ----------------------------------------------------------------------------------


@dataclass
class _Watch:
    """What a pass over the rows learns about whole columns."""

    day_first: dict[str, tuple[int, str]] = field(default_factory=dict)
    liquidated: int | None = None


def data_rows(source: SourceFile) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) after the header, blank rows as empty lists.

    Rows that cannot be read as rows become :attr:`SourceFile.problems`. A full pass also
    concludes what needs the whole file: a day-first date column is refused (dropped with a
    warning, or an error for the entry date), and a liquidated status with no liquidation
    date column is warned about.
    """
    source.problems, source.rejected = [], 0
    width = len(source.headers)
    watch = _Watch()
    dates = [(name, source.columns[name]) for name in sorted(DATE_FIELDS) if name in source.columns]
    status = source.columns.get("liquidation_status")
    if source.concluded:  # a later pass: what the first one learned stands, nothing to watch
        dates, status = [], None
    checked: set[str] = set()
    dated, last_dates, last_status = _cells_at(dates), None, None
    header_row = source.header_row
    try:
        for number, spans, row in source.rows():
            if number <= header_row:
                continue
            if isinstance(row, str):
                _reject(source, number, row, None)
                continue
            if not any(row) and all(cell is None or cell == "" for cell in row):
                yield number, []  # every cell empty; a row of zeros or spaces is read, and reported
                continue
            if len(row) < width:
                row = [*row, *([None] * (width - len(row)))]
            if spans > 1 and any(isinstance(cell, str) and "\n" in cell for cell in row):
                _reject(
                    source,
                    number,
                    f"a quote opened in this row runs over {spans} lines (to line "
                    f"{number + spans - 1}): the lines it swallowed are not read as rows; "
                    "close or remove the stray quote",
                    row,
                )
                _swallowed(source, number, row)
                continue
            # Dates repeat on every row of an entry: the row's date cells are looked at only
            # when they are not the row before's, and each distinct one once.
            if dated is not None and (cells := dated(row)) != last_dates:
                last_dates = cells
                for name, index in dates:
                    cell = row[index]
                    if cell.__class__ is str and cell not in checked:
                        checked.add(cell)
                        pair = month_first_day(cell_text(cell))
                        if pair is not None and 12 < pair[0] <= 31 and 1 <= pair[1] <= 12:
                            watch.day_first[name] = (number, cell_text(cell))
                            # Found: the column is refused as a whole, so it is looked at no more.
                            dates = [found for found in dates if found[0] != name]
                            dated, last_dates = _cells_at(dates), None
            if status is not None and (cell := row[status]) != last_status:
                # Only a text cell says liquidated, and one equal to the row before's says the same.
                last_status = cell
                if cell_text(cell).upper().startswith("LIQUIDATED"):
                    watch.liquidated, status = number, None
            yield number, row
    finally:
        if source.raw_line is not None:
            source.raw_line.close()  # the raw lines of this pass are not needed again
    _conclude(source, watch)


def _cells_at(found: list[tuple[str, int]]) -> Callable[[list[Any]], Any] | None:
    """The cells of a row at the columns ``found`` (None when there are none): one object to
    compare with the row before's."""
    return operator.itemgetter(*[index for _, index in found]) if found else None


def _reject(source: SourceFile, number: int, message: str, row: list[Any] | None) -> None:
    index = source.columns["entry_number"]
    cell: Any = None
    if row is not None:
        cell = row[index] if len(row) > index else None
    elif source.raw_line is not None and source.delimiter is not None:
        line = source.raw_line(number)
        cell = None if line is None else leading_field(line, source.delimiter, index)
    entry = _entry_of(cell)
    code = "UNREADABLE_ROW" if row is None else "STRAY_QUOTE"
    source.problems.append(
        Problem(code=code, message=message, file=source.name, row=number, entry_number=entry)
    )
    source.rejected += 1


def _entry_of(cell: Any) -> str | None:
    """The entry number in ``cell``, or None: the entry of a row that was not read."""
    if cell is None:
        return None
    try:
        return parse_entry_number(cell)
    except BadCell:
        return None


def _swallowed(source: SourceFile, number: int, row: list[Any]) -> None:
    """A problem for each line a stray quote swallowed, with the entry each line names.

    Each swallowed line is a row of the file: it counts as read and rejected, and its entry
    (read from the line's text inside the quoted cell) is flagged incomplete.
    """
    quoted = next(cell for cell in row if isinstance(cell, str) and "\n" in cell)
    index, delimiter = source.columns["entry_number"], source.delimiter or ","
    for offset, line in enumerate(quoted.splitlines()[1:], start=1):
        entry = _entry_of(leading_field(line, delimiter, index))
        source.problems.append(
            Problem(
                code="STRAY_QUOTE",
                message=f"swallowed by the quote opened at row {number}: not read; close or "
                "remove the stray quote",
                file=source.name,
                row=number + offset,
                entry_number=entry,
            )
        )
        source.rejected += 1


def _conclude(source: SourceFile, watch: _Watch) -> None:
    if source.concluded:
        return
    source.concluded = True
    for name, (number, text) in watch.day_first.items():
        header = str(source.headers[source.columns[name]])
        # ES-003 dates are MM/DD/YYYY. A first number over 12 means this column is day-first,
        # and then every date in it with both numbers 12 or less (03/04/2025) is ambiguous:
        # the column as a whole is refused, never read row by row half right.
        message = (
            f"the {header!r} column holds day-first dates ({text!r} at row {number}); "
            "ES-003 dates are MM/DD/YYYY, and a date such as 03/04/2025 cannot be read both ways"
        )
        if name in REQUIRED:
            raise InputFileError(
                f"{source.name}: {message}; re-export with MM/DD/YYYY or YYYY-MM-DD dates",
                field="file",
                value=source.name,
            )
        del source.columns[name]
        source.ignored.append(header)
        source.warnings.append(
            _warning(source.name, "DAY_FIRST_DATES", f"{message}; the column is not read", header)
        )
    if watch.liquidated is not None and "liquidation_date" not in source.columns:
        source.warnings.append(
            _warning(
                source.name,
                "MISSING_COLUMN",
                f"no liquidation_date column, but row {watch.liquidated} says liquidated: "
                "liquidated entries have no liquidation date (protest windows and CAPE "
                "eligibility depend on it)",
                "liquidation_date",
            )
        )
