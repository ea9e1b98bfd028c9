"""Opening ES-003 sources (CSV, tab-delimited text, .xlsx) and finding the header row."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ._cells import cell_text
from ._columns import ALIASES, REQUIRED, norm

#: How far down a file the header row is looked for (title rows above it are skipped).
HEADER_SEARCH_ROWS = 50


@dataclass
class SourceFile:
    path: Path
    kind: str
    encoding: str | None
    sheet: str | None
    header_row: int
    headers: list[Any]
    columns: dict[str, int]
    ignored: list[str]


def _sniff_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(65536)
    lines = [line for line in sample.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    tabs = max((line.count("\t") for line in lines), default=0)
    commas = max((line.count(",") for line in lines), default=0)
    return "\t" if tabs > commas else ","


def _text_rows(path: Path) -> tuple[Iterator[list[Any]], str, str]:
    encoding = _sniff_encoding(path)
    delimiter = _sniff_delimiter(path, encoding)
    errors = "replace" if encoding == "cp1252" else "strict"

    def rows() -> Iterator[list[Any]]:
        with path.open(encoding=encoding, errors=errors, newline="") as f:
            yield from csv.reader(f, delimiter=delimiter)

    return rows(), encoding, "tsv" if delimiter == "\t" else "csv"


def _xlsx_rows(path: Path) -> tuple[Iterator[list[Any]], str]:
    try:
        import openpyxl
    except ImportError:
        raise InputFileError(
            "reading .xlsx needs openpyxl: pip install 'ieepa-refund[xlsx]'",
            field="file",
            value=str(path),
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputFileError(
            f"not a readable .xlsx workbook: {exc}", field="file", value=str(path)
        ) from None
    sheet = book["Main Report"] if "Main Report" in book.sheetnames else book.worksheets[0]

    def rows() -> Iterator[list[Any]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()

    return rows(), sheet.title


def raw_rows(path: Path) -> tuple[Iterator[list[Any]], str, str | None, str | None]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows, sheet = _xlsx_rows(path)
        return rows, "xlsx", None, sheet
    rows, encoding, kind = _text_rows(path)
    return rows, kind, encoding, None


def open_source(path: Path, overrides: Mapping[str, str]) -> SourceFile:
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "no such file"
        raise InputFileError(what, field="file", value=str(path))
    rows, kind, encoding, sheet = raw_rows(path)
    with Readable(path):
        header_row, headers, columns, ignored = find_header(rows, overrides, path)
    if hasattr(rows, "close"):
        rows.close()
    return SourceFile(path, kind, encoding, sheet, header_row, headers, columns, ignored)


class Readable:
    """Turn decoding and CSV errors into InputFileError naming the file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, UnicodeDecodeError):
            raise InputFileError(
                f"{self.path.name}: cannot decode the text: {exc}",
                field="file",
                value=str(self.path),
            )
        if isinstance(exc, csv.Error):
            raise InputFileError(
                f"{self.path.name}: not readable as CSV: {exc}", field="file", value=str(self.path)
            )


def find_header(
    rows: Iterator[list[Any]], overrides: Mapping[str, str], path: Path
) -> tuple[int, list[Any], dict[str, int], list[str]]:
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        headers = [cell_text(cell) for cell in row]
        found: dict[str, int] = {}
        ignored: list[str] = []
        for index, header in enumerate(headers):
            key = norm(header)
            name = overrides.get(key) or ALIASES.get(key)
            if name is not None and name not in found:
                found[name] = index
            elif header:
                ignored.append(header)
        if "entry_number" in found and "hts" in found:
            missing = [name for name in REQUIRED if name not in found]
            if missing:
                raise InputFileError(
                    f"{path.name}: the header (row {number}) has no column for {missing}; "
                    "name the file's columns with mapping={field: header}",
                    field="file",
                    value=str(path),
                )
            return number, headers, found, ignored
    raise InputFileError(
        f"{path.name}: no ES-003 header found in the first {HEADER_SEARCH_ROWS} rows "
        "(a row naming at least the entry number and HTS number columns)",
        field="file",
        value=str(path),
    )


def data_rows(source: SourceFile) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) after the header, blank rows as empty lists."""
    rows, _, _, _ = raw_rows(source.path)
    width = len(source.headers)
    with Readable(source.path):
        for number, row in enumerate(rows, start=1):
            if number <= source.header_row:
                continue
            if not any(row) and all(cell is None or cell == "" for cell in row):
                yield number, []  # every cell empty; a row of zeros or spaces is read, and reported
                continue
            if len(row) < width:
                row = [*row, *([None] * (width - len(row)))]
            yield number, row
