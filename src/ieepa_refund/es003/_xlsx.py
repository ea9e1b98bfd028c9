""".xlsx workbooks as numbered raw rows, with zip bombs refused before anything is inflated.

Second step of the reader's flow, for workbooks: :mod:`._open` recognises a workbook by its
name or its zip signature (:data:`_XLSX_MAGIC`) and hands it here; the "Main Report" sheet (or
the first) becomes :data:`._raw.Raw` rows numbered as Excel numbers them. openpyxl is an
optional extra, imported only when a workbook is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.etree import ElementTree

from ..errors import InputFileError
from ._raw import HEADER_SEARCH_ROWS, Raw

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


#: The first rows of each sheet not read: (sheet title, its first rows), for the header search.
Others = tuple[tuple[str, tuple[Raw, ...]], ...]


#: A formula element's start tag in worksheet XML (``<f>``, ``<f t="shared" .../>``, or with a
#: namespace prefix, ``<x:f>``), not ``<formula>`` (conditional formats): a cheap byte scan that
#: spares the XML parse of the many workbooks with no formula.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_SCAN_BYTES = 1 << 20


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _uncalculated(opener: Callable[[], IO[bytes]], member: str) -> tuple[str, str] | None:
    """(cell reference, formula) of the sheet's first formula with no saved value, or None.

    openpyxl reads a workbook's saved values (``data_only``): a formula cell that a program
    which does not calculate wrote (openpyxl, pandas report writers, many exporters) holds no
    value and reads as blank, a duty "missing" that the file has (t64/04). Excel saves an
    empty text result as ``t="str"`` with an empty value: that one is blank, and read so.
    """
    with opener() as handle, zipfile.ZipFile(handle) as book, book.open(member) as xml:
        tail = b""
        while chunk := xml.read(_SCAN_BYTES):
            if _FORMULA_TAG.search(tail + chunk):
                break
            tail = chunk[-32:]
        else:
            return None
    with opener() as handle, zipfile.ZipFile(handle) as book, book.open(member) as xml:
        for _, element in ElementTree.iterparse(xml):
            tag = _local(element.tag)
            if tag == "c":
                children = {_local(child.tag): child for child in element}
                formula = children.get("f")
                if formula is not None and element.get("t") != "str":
                    value = children.get("v")
                    if value is None or not value.text:
                        text = f"={formula.text}" if formula.text else "a shared formula"
                        return element.get("r") or "?", text
            elif tag == "row":
                element.clear()  # a row's cells are looked at: keep no sheet in memory
    return None


def _check_formulas(
    opener: Callable[[], IO[bytes]], name: str, title: str, member: str | None
) -> None:
    """Refuse a workbook whose sheet holds a formula with no saved value, naming the cell."""
    if member is None:  # pragma: no cover - openpyxl >= 3.1 names every sheet's member
        return
    try:
        found = _uncalculated(opener, member.lstrip("/"))
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
            KeyError, ValueError) as exc:  # fmt: skip
        raise InputFileError(
            f"{name}: not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
            field="file",
            value=name,
        ) from None
    if found is None:
        return
    reference, formula = found
    located = re.fullmatch(r"([A-Z]+)([0-9]+)", reference)
    column, row = located.groups() if located else (reference, "?")
    raise InputFileError(
        f"{name}: sheet {title!r}, row {row}, column {column}: a formula with no saved value "
        f"({formula}), read as blank it would be a guess; the program that wrote the workbook "
        "did not calculate it: open and save the workbook in Excel, or export CSV",
        field="file",
        value=name,
    )


def _xlsx_source(
    name: str, opener: Callable[[], IO[bytes]]
) -> tuple[Callable[[], Iterator[Raw]], str, Others]:
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
        # The other sheets' first rows, read here while the book is open: an export split over
        # sheets (Excel's row limit, a sheet a month) is refused by the header search, not read
        # in part (t64/03). Only HEADER_SEARCH_ROWS rows of each, in the order of the book.
        try:
            others = tuple(
                (sheet.title, tuple(_first_rows(sheet)))
                for sheet in book.worksheets
                if sheet.title != title
            )
            member = getattr(book[title], "_worksheet_path", None)
        except _DAMAGED as exc:
            raise _unreadable(name, exc) from None
        finally:
            book.close()
    _check_formulas(opener, name, title, member if isinstance(member, str) else None)

    def rows() -> Iterator[Raw]:
        with opener() as handle:
            book = load(handle)
            try:
                for number, row in enumerate(book[title].iter_rows(values_only=True), start=1):
                    yield number, 1, list(row)
            except _DAMAGED as exc:
                # A damaged or lying workbook (a member whose CRC or size is false, a sheet's XML
                # cut short) shows only when its sheet is inflated: the file is unreadable, not
                # the program broken.
                raise InputFileError(
                    f"{name}: not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
                    field="file",
                    value=name,
                ) from None
            finally:
                book.close()

    return rows, title, others


#: What a damaged or lying workbook raises when a sheet is inflated (as in ``rows`` above; a
#: sheet cut short is an XML ParseError, a SyntaxError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, SyntaxError)


def _unreadable(name: str, exc: BaseException) -> InputFileError:
    return InputFileError(
        f"{name}: not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
        field="file",
        value=name,
    )


def _first_rows(sheet: Any) -> Iterator[Raw]:
    """The first :data:`._raw.HEADER_SEARCH_ROWS` rows of a sheet (nothing for a chart sheet)."""
    if not hasattr(sheet, "iter_rows"):
        return
    rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
    for number, row in enumerate(rows, start=1):
        yield number, 1, list(row)
