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
import zipfile
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


# --- opening -------------------------------------------------------------------------------


def _bytes_opener(source: Any) -> tuple[str, Callable[[], IO[bytes]] | None, str | None]:
    """(name, binary opener or None, text content for a text stream)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            what = "a folder, not a file" if path.is_dir() else "no such file"
            raise InputFileError(what, field="file", value=str(path))
        return path.name, lambda: path.open("rb"), None
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


def _csv_records(text: IO[str], delimiter: str) -> Iterator[Raw]:
    reader = csv.reader(text, delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, max(reader.line_num - start + 1, 1), f"not readable as CSV: {exc}"
            continue
        yield start, max(reader.line_num - start + 1, 1), row


def _text_source(
    name: str, opener: Callable[[], IO[bytes]] | None, content: str | None, delimiter: str | None
) -> tuple[Callable[[], Iterator[Raw]], str | None, str]:
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
        with Readable(name), open_text() as f:
            yield from _csv_records(f, chosen)

    return rows, encoding, chosen


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
    name, kind, rows, encoding, sheet, chosen = open_rows(source, delimiter=delimiter)
    found = find_header(rows(), overrides, name)
    found.kind, found.encoding, found.sheet, found.delimiter = kind, encoding, sheet, chosen
    found.rows = rows
    return found


def open_rows(
    source: Any, *, delimiter: str | None = None
) -> tuple[str, str, Callable[[], Iterator[Raw]], str | None, str | None, str | None]:
    """(name, format, rows, encoding, sheet, delimiter) of a source, before any header is sought."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise InputFileError("a delimiter is one character", field="delimiter", value=delimiter)
    encoding = sheet = chosen = None
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
            rows, encoding, chosen = _text_source(name, opener, content, delimiter)
            kind = "tsv" if chosen == "\t" else "csv"
    return name, kind, rows, encoding, sheet, chosen


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


def find_header(rows: Iterator[Raw], overrides: Mapping[str, str], name: str) -> SourceFile:
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
    finally:
        if hasattr(rows, "close"):
            rows.close()
    raise InputFileError(
        f"{name}: no ES-003 header found in the first {HEADER_SEARCH_ROWS} rows "
        "(a row naming at least the entry number and HTS number columns)",
        field="file",
        value=name,
    )


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
            + "; name the file's columns with mapping={field: header}",
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
                f"(name the one to read with mapping={{'{a.field}': header}})",
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
    checked: set[str] = set()
    for number, spans, row in source.rows():
        if number <= source.header_row:
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
            continue
        for name, index in dates:
            cell = row[index]
            if isinstance(cell, str) and cell not in checked and name not in watch.day_first:
                checked.add(cell)  # dates repeat on every row of an entry: look at each once
                pair = month_first_day(cell_text(cell))
                if pair is not None and 12 < pair[0] <= 31 and 1 <= pair[1] <= 12:
                    watch.day_first[name] = (number, cell_text(cell))
        if (
            status is not None
            and watch.liquidated is None
            and cell_text(row[status]).upper().startswith("LIQUIDATED")
        ):
            watch.liquidated = number
        yield number, row
    _conclude(source, watch)


def _reject(source: SourceFile, number: int, message: str, row: list[Any] | None) -> None:
    entry: str | None = None
    if row is not None and len(row) > source.columns["entry_number"]:
        try:
            entry = parse_entry_number(row[source.columns["entry_number"]])
        except BadCell:
            entry = None
    code = "UNREADABLE_ROW" if row is None else "STRAY_QUOTE"
    source.problems.append(
        Problem(code=code, message=message, file=source.name, row=number, entry_number=entry)
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
