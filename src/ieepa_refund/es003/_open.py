"""Opening any tabular source as numbered raw rows, before any header is looked for.

First step of the reader's flow: a path, an open file (text or binary) or a pandas DataFrame
becomes an :class:`OpenedRows`. Text goes to :mod:`._text`, workbooks to :mod:`._xlsx`;
DataFrames are read here. :mod:`._header` then finds the ES-003 header in these rows; other
CBP reports (reconcile, deposits) use :func:`open_rows` with their own header matching.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import InputFileError
from ._raw import Raw
from ._text import _LineFetcher, _text_source
from ._xlsx import _XLSX_MAGIC, Others, _xlsx_source


def _bytes_opener(source: Any) -> tuple[str, Callable[[], IO[bytes]] | None, str | None]:
    """(name, binary opener or None, text content for a text stream)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            if path.is_dir():
                what = "a folder, not a file"
            elif path.exists():
                # A named pipe or <(zcat x.csv.gz): read more than once (the header search,
                # then each pass), a pipe would be empty the second time.
                what = (
                    "not a regular file (a pipe or process substitution?): it is read more "
                    "than once; save it to a file first"
                )
            else:
                what = "no such file"
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


#: The first bytes of an OLE2 compound file: an Excel 97-2003 workbook (.xls), among others
#: (Microsoft's [MS-CFB] section 2.2, the header signature).
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _refuse_unreadable(name: str, start: bytes) -> None:
    """A file that is no tabular export is named for what it is (t68/05, 12), not read as
    text and reported as having no header."""
    if not start:
        raise InputFileError(f"{name}: the file is empty", field="file", value=name)
    if start == _OLE2_MAGIC:
        raise InputFileError(
            f"{name}: an Excel 97-2003 .xls workbook is not read: save it as .xlsx or CSV",
            field="file",
            value=name,
        )


def _is_dataframe(source: Any) -> bool:
    return hasattr(source, "itertuples") and hasattr(source, "columns")


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
    others: Others = ()
    """A workbook's sheets not read, each with its first rows (see :mod:`._xlsx`)."""


def open_rows(source: Any, *, delimiter: str | None = None, name: str | None = None) -> OpenedRows:
    """Open a path, an open file or a DataFrame as rows: any tabular export, not only ES-003
    (``name``: how problems name it, instead of by its file name)."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise InputFileError("a delimiter is one character", field="delimiter", value=delimiter)
    encoding = sheet = chosen = None
    others: Others = ()
    fetch: _LineFetcher | None = None
    if _is_dataframe(source):
        name, kind, rows = "<DataFrame>", "dataframe", _dataframe_source(source)
    else:
        given, opener, content = _bytes_opener(source)
        name = name or given
        is_xlsx = name.lower().endswith((".xlsx", ".xlsm"))
        if opener is not None:
            with opener() as f:
                start = f.read(len(_OLE2_MAGIC))
            _refuse_unreadable(name, start)
            is_xlsx = is_xlsx or start[: len(_XLSX_MAGIC)] == _XLSX_MAGIC
        elif not content:
            _refuse_unreadable(name, b"")
        if is_xlsx and opener is not None:
            kind = "xlsx"
            rows, sheet, others = _xlsx_source(name, opener)
        else:
            rows, encoding, chosen, fetch = _text_source(name, opener, content, delimiter)
            kind = "tsv" if chosen == "\t" else "csv"
    return OpenedRows(name, kind, encoding, sheet, chosen, rows, fetch, others)
