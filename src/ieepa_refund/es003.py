"""Read ACE ES-003 "Entry Summary Line Tariff Details" exports into :class:`Entry` models.

An ES-003 has one row per HTS number per entry line. Exports arrive as CSV,
tab-delimited text or ``.xlsx`` workbooks, often with title rows above the
header, columns renamed by a broker's system, amounts as ``$1,234.50`` or
``(12.00)``, dates as ``MM/DD/YYYY``, entry numbers wrapped as ``="00261103162"``
so that Excel keeps their leading zeros, and the rows of one entry scattered
through the file or across several files.

:func:`read_es003` takes all of that. Every row it reads ends up either in an
entry or in a reported :class:`Problem` (file, row, column, value, message),
and the counts add up: ``rows_read == rows_used + rows_rejected``. Rows that
are blank throughout carry no data and are counted apart (``rows_blank``).

Headers are matched without regard to case, spacing and punctuation
(``HTS Number - Full``, ``hts number full`` and ``HTS_NUMBER_FULL`` are one
column); ``mapping`` names the columns a file calls something else. The
import reports which columns it recognised and which it ignored, and fails
with :class:`InputFileError` when a required one is missing.

The input is streamed: rows are read one at a time and kept only as the
compact values an entry needs, never the file as a whole.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from . import entry_number as _entry_number
from . import hts as _hts
from ._tabular import Tabular
from ._trusted import trusted
from .errors import InputFileError, ValidationError
from .models import Entry, EntryLine, Tariff
from .rates import parse_rate

__all__ = [
    "COLUMNS",
    "Es003Import",
    "FileReport",
    "Problem",
    "REQUIRED",
    "read_es003",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: How far down a file the header row is looked for (title rows above it are skipped).
HEADER_SEARCH_ROWS = 50
#: How often, in rows, the progress callback is called.
PROGRESS_EVERY = 100_000


_COUNTRY = re.compile(r"[A-Z]{2}")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Canonical field -> header names seen in ES-003 exports and broker files (brief, section 7).
COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": (
        "Entry Summary Number",
        "Entry Number",
        "Entry No",
        "Entry #",
        "Entry Nbr",
        "Entry",
    ),
    "line_number": (
        "Entry Summary Line Number",
        "Line Number",
        "Line No",
        "Line #",
        "Line Nbr",
        "Line",
    ),
    "entry_type": ("Entry Type Code", "Entry Type", "Type"),
    "importer_number": (
        "Importer Number",
        "Importer of Record Number",
        "IOR Number",
        "IOR No",
        "IOR",
        "Importer No",
    ),
    "importer_name": ("Importer Name", "IOR Name", "Importer of Record Name"),
    "port_of_entry": ("Port of Entry Code", "Port of Entry", "Port Code", "Port"),
    "entry_date": ("Entry Date", "Date of Entry", "Release Date"),
    "entry_summary_date": ("Entry Summary Date", "Summary Date", "ES Date"),
    "reconciliation_flag": (
        "Reconciliation Indicator",
        "Recon Indicator",
        "Reconciliation Flag",
        "Recon Flag",
    ),
    "liquidation_date": ("Liquidation Date", "Liq Date", "Liquidated Date"),
    "liquidation_status": ("Liquidation Status", "Liquidation Status Code", "Liq Status"),
    "protest_number": ("Protest Number", "Protest No", "Protest Nbr"),
    "protest_status": ("Protest Status",),
    "country_of_origin": (
        "Country of Origin Code",
        "Country of Origin",
        "Origin Country",
        "COO",
        "Origin",
    ),
    "spi": ("Line SPI Code", "SPI Code", "SPI"),
    "tariff_ordinal": ("Tariff Ordinal Number", "Tariff Ordinal", "HTS Ordinal", "Ordinal"),
    "hts": (
        "HTS Number - Full",
        "HTS Number",
        "HTSUS Number",
        "HTS Code",
        "HTS",
        "Tariff Number",
        "Harmonized Tariff Number",
    ),
    "value": (
        "Line Tariff Goods Value Amount",
        "Goods Value Amount",
        "Goods Value",
        "Entered Value",
        "Line Value",
        "Value",
    ),
    "duty": ("Line Tariff Duty Amount", "Duty Amount", "Line Duty", "Duty"),
    "quantity": (
        "Line Tariff Quantity (1)",
        "Line Tariff Quantity",
        "Quantity (1)",
        "Quantity",
        "Qty",
    ),
    "unit": (
        "Line Tariff UOM (1) Code",
        "Line Tariff UOM Code",
        "UOM (1)",
        "UOM",
        "Unit of Measure",
        "Unit",
    ),
    "rate": ("HTS Rate", "Duty Rate", "Rate Text", "Column 1 Rate", "Rate"),
    "notify_party": (
        "Notify Party",
        "Notify Party Number",
        "Form 4811 Party",
        "4811 Party",
        "Refund Payee",
    ),
    "deposit_date": ("Deposit Date", "Duty Payment Date", "Payment Date", "Statement Payment Date"),
    "type09_filed": ("Type 09 Filed", "Reconciliation Entry Filed", "Recon Entry Filed"),
    "drawback_claim": (
        "Drawback Claim",
        "On Drawback Claim",
        "Drawback Designated",
        "Drawback Indicator",
    ),
    "adcvd_instructions_pending": (
        "ADCVD Instructions Pending",
        "AD/CVD Liquidation Instructions Pending",
        "ADCVD Liquidation Instructions Pending",
    ),
    "surety_paid": ("Surety Paid", "Paid by Surety"),
    "summary_status": ("Entry Summary Status", "Summary Status", "ES Status"),
}
REQUIRED = (
    "entry_number",
    "line_number",
    "entry_type",
    "importer_number",
    "entry_date",
    "country_of_origin",
    "hts",
)
_ENTRY_FIELDS = (
    "entry_type",
    "importer_number",
    "importer_name",
    "port_of_entry",
    "entry_date",
    "entry_summary_date",
    "reconciliation_flag",
    "liquidation_date",
    "liquidation_status",
    "protest_number",
    "protest_status",
    "notify_party",
    "deposit_date",
    "type09_filed",
    "drawback_claim",
    "adcvd_instructions_pending",
    "surety_paid",
    "summary_status",
)
_ALIASES = {_norm(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


class Problem(BaseModel):
    """One thing wrong with the input: where it is, what it holds and why it was not used."""

    model_config = _FROZEN

    code: str
    message: str
    file: str
    row: int | None = None
    """1-based row number in the file (the header row counts)."""
    column: str | None = None
    value: str | None = None
    entry_number: str | None = None
    rows: int = 1
    """How many rows this problem kept out of the result."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        what = f" [{self.column}={self.value!r}]" if self.column else ""
        return f"{where}: {self.code}: {self.message}{what}"


class FileReport(BaseModel):
    """How one file was read."""

    model_config = _FROZEN

    file: str
    format: str
    """``csv``, ``tsv`` or ``xlsx``."""
    encoding: str | None
    sheet: str | None
    header_row: int
    recognised: dict[str, str]
    """Canonical field -> the file's header."""
    ignored: tuple[str, ...]
    rows_read: int


class Es003Report(Tabular, BaseModel):
    """How ES-003 files were read: the problems found and the counts, which always add up.

    ``rows_read == rows_used + rows_rejected``; ``rows_duplicate`` (identical
    repeats of a row already read) are among the rejected; ``rows_blank``, rows
    blank throughout, carry no data and are not counted as read.
    """

    model_config = _FROZEN

    problems: tuple[Problem, ...]
    files: tuple[FileReport, ...]
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_duplicate: int
    rows_blank: int
    entry_count: int


class Es003Import(Es003Report):
    """Entries read from one or more ES-003 files, with the problems and counts."""

    entries: tuple[Entry, ...]


# --- values ----------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell that cannot be read; carries the message."""


def _text(value: Any) -> str:
    if value.__class__ is str:
        text: str = value.strip()
        if text[:1] in ('"', "="):
            return _unwrap(text)
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _unwrap(str(value).strip())


def _unwrap(text: str) -> str:
    if text.startswith('="') and text.endswith('"'):  # Excel's keep-as-text wrapper
        text = text[2:-1].strip()
    elif len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        # An xlsx number cell: its shortest decimal form is the number Excel shows.
        return Decimal(repr(value))
    text = _text(value)
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    text = text.replace("$", "").replace(",", "").replace(" ", "")
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _Bad("not an amount") from None
    if not number.is_finite():
        raise _Bad("not an amount")
    return -number if negative else number


_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d")


def _date(value: Any, cache: dict[str, date | None]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    found = cache.get(text, False)
    if found is not False:
        return found  # type: ignore[return-value]
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text.split(" ")[0], fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
        cache[text] = parsed
        return parsed
    raise _Bad("not a date (expected MM/DD/YYYY or YYYY-MM-DD)")


_TRUE = {"y", "yes", "true", "t", "1", "x"}
_FALSE = {"n", "no", "false", "f", "0"}


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad("not a yes/no value (Y/N, yes/no, true/false, 1/0)")


_PROTEST = {"open": "open", "pending": "open", "suspended": "suspended", "closed": "closed"}
_PROTEST.update(dict.fromkeys(("denied", "approved", "allowed", "decided"), "closed"))


def _protest_status(value: Any) -> str | None:
    text = _text(value).lower()
    if not text:
        return None
    try:
        return _PROTEST[text]
    except KeyError:
        raise _Bad("not a protest status (open, suspended, closed)") from None


def _entry_no(value: Any) -> str:
    text = _entry_number.compact(_text(value))
    if text.isdigit() and len(text) < 11:
        text = text.zfill(11)  # a numeric filer code whose leading zeros a spreadsheet dropped
    if not text:
        raise _Bad("no entry number")
    return text


def _line_no(value: Any) -> int:
    text = _text(value)
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise _Bad("not a line number") from None
    if number < 1:
        raise _Bad("a line number is 1 or more")
    return number


def _entry_type(value: Any) -> str:
    text = _text(value)
    return text.zfill(2) if text.isdigit() else text


def _party(value: Any) -> str | None:
    return _text(value).upper().replace(" ", "") or None


def _optional_text(value: Any) -> str | None:
    return _text(value) or None


_DATE_FIELDS = {"entry_date", "entry_summary_date", "liquidation_date", "deposit_date"}
_FLAG_FIELDS = {
    "reconciliation_flag",
    "type09_filed",
    "drawback_claim",
    "adcvd_instructions_pending",
    "surety_paid",
}
_ENTRY_PARSERS: dict[str, Callable[[Any], Any]] = {
    "entry_type": _entry_type,
    "importer_number": _party,
    "notify_party": _party,
    "importer_name": _optional_text,
    "port_of_entry": _optional_text,
    "liquidation_status": _optional_text,
    "protest_number": _optional_text,
    "summary_status": _optional_text,
    "protest_status": _protest_status,
    **dict.fromkeys(_FLAG_FIELDS, _flag),
}


# --- reading files ---------------------------------------------------------------------------


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


# --- the import ------------------------------------------------------------------------------


@dataclass
class _Acc:
    """What one entry has gathered so far."""

    number: str
    file: str
    first_row: int
    fields: dict[str, Any] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    countries: dict[int, str] = field(default_factory=dict)
    tariffs: dict[tuple[int, Any, str], tuple[Any, ...]] = field(default_factory=dict)
    rows: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    raw: tuple[Any, ...] | None = None
    """The raw cells of the entry's own fields last parsed: a row repeating them needs no parse."""


@dataclass
class _File:
    path: Path
    kind: str
    encoding: str | None
    sheet: str | None
    header_row: int
    headers: list[Any]
    columns: dict[str, int]
    ignored: list[str]


class Es003Stream:
    """Entries from ES-003 files, each yielded as soon as all of its rows have been read.

    Reading takes two passes over the files: the first counts each entry's rows
    (memory grows with the number of entries), the second builds entries and
    hands each one over the moment its last row arrives, so a caller that keeps
    only what it needs from each entry runs in memory that grows with entries,
    not with the file. Rows of one entry may be anywhere in any of the files.
    Entries come in the order they complete. :attr:`report` gives the problems
    and counts once the iteration has finished.
    """

    def __init__(
        self,
        sources: tuple[str | Path, ...],
        mapping: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if not sources:
            raise InputFileError("no ES-003 file given", field="sources")
        self._overrides = _overrides(mapping or {})
        self._files = [_open(Path(source), self._overrides) for source in sources]
        self._progress = progress
        self._report: Es003Report | None = None
        self._started = False

    @property
    def report(self) -> Es003Report:
        if self._report is None:
            raise RuntimeError("the report is ready once every entry has been read")
        return self._report

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("an Es003Stream is read once; call stream_es003 again")
        self._started = True
        remaining: dict[str, int] = {}
        for source in self._files:
            _count_rows(source, remaining)
        state = _State(remaining=remaining)
        for source in self._files:
            before = state.read
            yield from _read_rows(source, state, self._progress)
            state.reports.append(
                FileReport(
                    file=source.path.name,
                    format=source.kind,
                    encoding=source.encoding,
                    sheet=source.sheet,
                    header_row=source.header_row,
                    recognised={
                        name: source.headers[index]
                        for name, index in sorted(source.columns.items())
                    },
                    ignored=tuple(source.ignored),
                    rows_read=state.read - before,
                )
            )
        for acc in list(state.accs.values()):  # entries whose rows never all arrived (bad rows)
            entry = _finish(acc, state)
            if entry is not None:
                yield entry
        self._report = Es003Report(
            problems=tuple(state.problems),
            files=tuple(state.reports),
            rows_read=state.read,
            rows_used=state.read - state.rejected,
            rows_rejected=state.rejected,
            rows_duplicate=state.duplicate,
            rows_blank=state.blank,
            entry_count=state.entries,
        )


@dataclass
class _State:
    remaining: dict[str, int]
    accs: dict[str, _Acc] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    duplicate: int = 0
    blank: int = 0
    entries: int = 0
    dates: dict[str, date | None] = field(default_factory=dict)


def sample_es003() -> Path:
    """The bundled synthetic ES-003 sample (not real trade data), for trying the library."""
    from ._resources import shipped

    return Path(str(shipped("examples", "sample_es003.csv")))


def stream_es003(
    *sources: str | Path,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Es003Stream:
    """Iterate the entries of ES-003 exports in memory that grows with entries; see :class:`Es003Stream`.

    Fails at once with :class:`InputFileError` for a missing file or header.
    """
    return Es003Stream(sources, mapping, progress)


def read_es003(
    *sources: str | Path,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Es003Import:
    """Read ES-003 exports (CSV, tab-delimited or .xlsx) into entries, problems and counts.

    ``mapping`` maps a canonical field (a key of :data:`COLUMNS`, such as
    ``"entry_number"``) to the header a file uses for it, overriding the
    built-in names. ``progress`` is called with the number of rows read so far,
    every :data:`PROGRESS_EVERY` rows. Entries come in the order they complete;
    for a file sorted by entry, the file's order.
    """
    stream = stream_es003(*sources, mapping=mapping, progress=progress)
    entries = tuple(stream)
    return Es003Import(entries=entries, **dict(stream.report))


def _overrides(mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        raise InputFileError(
            f"mapping names unknown fields {unknown}; known fields: {sorted(COLUMNS)}",
            field="mapping",
        )
    return {_norm(header): name for name, header in mapping.items()}


def _rows(path: Path) -> tuple[Iterator[list[Any]], str, str | None, str | None]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows, sheet = _xlsx_rows(path)
        return rows, "xlsx", None, sheet
    rows, encoding, kind = _text_rows(path)
    return rows, kind, encoding, None


def _open(path: Path, overrides: Mapping[str, str]) -> _File:
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "no such file"
        raise InputFileError(what, field="file", value=str(path))
    rows, kind, encoding, sheet = _rows(path)
    with _Readable(path):
        header_row, headers, columns, ignored = _find_header(rows, overrides, path)
    if hasattr(rows, "close"):
        rows.close()
    return _File(path, kind, encoding, sheet, header_row, headers, columns, ignored)


class _Readable:
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


def _find_header(
    rows: Iterator[list[Any]], overrides: Mapping[str, str], path: Path
) -> tuple[int, list[Any], dict[str, int], list[str]]:
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        headers = [_text(cell) for cell in row]
        found: dict[str, int] = {}
        ignored: list[str] = []
        for index, header in enumerate(headers):
            key = _norm(header)
            name = overrides.get(key) or _ALIASES.get(key)
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


def _data_rows(source: _File) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) after the header, blank rows as empty lists."""
    rows, _, _, _ = _rows(source.path)
    width = len(source.headers)
    with _Readable(source.path):
        for number, row in enumerate(rows, start=1):
            if number <= source.header_row:
                continue
            if not any(row) and all(cell is None or cell == "" for cell in row):
                yield number, []  # every cell empty; a row of zeros or spaces is read, and reported
                continue
            if len(row) < width:
                row = [*row, *([None] * (width - len(row)))]
            yield number, row


def _count_rows(source: _File, remaining: dict[str, int]) -> None:
    index = source.columns["entry_number"]
    for _, row in _data_rows(source):
        if row:
            try:
                number = _entry_no(row[index])
            except _Bad:
                continue
            remaining[number] = remaining.get(number, 0) + 1


def _read_rows(
    source: _File, state: _State, progress: Callable[[int], None] | None
) -> Iterator[Entry]:
    file, headers, columns = source.path.name, source.headers, source.columns
    entry_fields = [(name, columns[name]) for name in _ENTRY_FIELDS if name in columns]
    at = columns.get
    i_entry, i_line, i_country, i_hts = (
        columns[n] for n in ("entry_number", "line_number", "country_of_origin", "hts")
    )
    i_ord, i_value, i_duty, i_qty, i_unit, i_rate = (
        at(n) for n in ("tariff_ordinal", "value", "duty", "quantity", "unit", "rate")
    )
    dates, accs, remaining = state.dates, state.accs, state.remaining
    entry_indexes = [index for _, index in entry_fields]
    # Most cells repeat: an entry's own fields on each of its rows, a few thousand HTS
    # numbers and countries across the file. Each distinct raw value is parsed once.
    numbers: dict[Any, str] = {}
    lines: dict[Any, int] = {}
    codes: dict[Any, str] = {}
    countries: dict[Any, str] = {}
    for number, row in _data_rows(source):
        if not row:
            state.blank += 1
            continue
        state.read += 1
        if progress is not None and state.read % PROGRESS_EVERY == 0:
            progress(state.read)
        entry_no: str | None = None
        column = "entry_number"
        try:
            cell = row[i_entry]
            entry_no = numbers.get(cell)
            if entry_no is None:
                entry_no = numbers[cell] = _entry_no(cell)
            column = "line_number"
            cell = row[i_line]
            line_no = lines.get(cell)
            if line_no is None:
                line_no = lines[cell] = _line_no(cell)
            column = "country_of_origin"
            cell = row[i_country]
            country = countries.get(cell)
            if country is None:
                country = _text(cell).upper()
                if not _COUNTRY.fullmatch(country):
                    raise _Bad("a country of origin is a 2-letter ISO code")
                countries[cell] = country
            column = "hts"
            cell = row[i_hts]
            hts = codes.get(cell)
            if hts is None:
                hts = codes[cell] = _hts.validate(_text(cell))
            column = "tariff_ordinal"
            ordinal = _text(row[i_ord]) if i_ord is not None else None
            column = "value"
            value = _amount(row[i_value]) if i_value is not None else None
            column = "duty"
            duty = _amount(row[i_duty]) if i_duty is not None else None
            column = "quantity"
            quantity = _amount(row[i_qty]) if i_qty is not None else None
            for name, amount in (("value", value), ("duty", duty), ("quantity", quantity)):
                if amount is not None and amount < 0:
                    column = name
                    raise _Bad("a negative amount (a correction?) cannot be used")
            column = "unit"
            unit = (_text(row[i_unit]).upper() or None) if i_unit is not None else None
            column = "rate"
            rate = _text(row[i_rate]) or None if i_rate is not None else None
            if rate is not None:
                rate = parse_rate(rate).text
            raw = tuple([row[index] for index in entry_indexes])
            acc = accs.get(entry_no)
            fields: dict[str, Any] | None = None
            if acc is None or acc.raw != raw:
                fields = {}
                for name, index in entry_fields:
                    column = name
                    cell = row[index]
                    fields[name] = (
                        _date(cell, dates) if name in _DATE_FIELDS else _ENTRY_PARSERS[name](cell)
                    )
        except (_Bad, ValidationError) as exc:
            state.rejected += 1
            message = str(exc.args[0]) if isinstance(exc, _Bad) else _bare(exc)
            state.problems.append(
                Problem(
                    code="BAD_VALUE",
                    message=message,
                    file=file,
                    row=number,
                    column=str(headers[columns[column]]) if column in columns else column,
                    value=_text(row[columns[column]]) if column in columns else None,
                    entry_number=entry_no,
                )
            )
        else:
            if acc is None:
                acc = accs[entry_no] = _Acc(number=entry_no, file=file, first_row=number)
            if fields is not None:
                acc.raw = raw
            _add_row(acc, state, file, number, headers, columns, i_country, line_no, country, ordinal, hts,
                     (value, quantity, unit, rate, duty), fields)  # fmt: skip
        if entry_no is not None:
            left = remaining.get(entry_no, 0) - 1
            remaining[entry_no] = left
            if left <= 0 and entry_no in accs:
                entry = _finish(accs[entry_no], state)
                if entry is not None:
                    yield entry


def _add_row(
    acc: _Acc,
    state: _State,
    file: str,
    number: int,
    headers: list[Any],
    columns: Mapping[str, int],
    i_country: int,
    line_no: int,
    country: str,
    ordinal: Any,
    hts: str,
    tariff: tuple[Any, ...],
    fields: dict[str, Any] | None,
) -> None:
    key = (line_no, ordinal, hts)
    seen = acc.tariffs.get(key)
    if seen is not None:
        if (
            seen == tariff
            and acc.countries.get(line_no) == country
            and (fields is None or _same(acc.fields, fields))
        ):
            state.duplicate += 1
            state.rejected += 1
            state.problems.append(
                Problem(
                    code="DUPLICATE_ROW",
                    message=f"repeats an earlier row of line {line_no}, {_hts.format(hts)}; counted once",
                    file=file,
                    row=number,
                    entry_number=acc.number,
                )
            )
            return
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no}, {_hts.format(hts)} appears twice with different values",
                file=file,
                row=number,
                entry_number=acc.number,
            )
        )
    acc.rows += 1
    acc.tariffs[key] = tariff
    known = acc.countries.setdefault(line_no, country)
    if known != country:
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no} has two countries of origin",
                file=file,
                row=number,
                column=str(headers[i_country]),
                value=f"{known} / {country}",
                entry_number=acc.number,
            )
        )
    if fields is not None:
        _merge(acc, fields, file, number, headers, columns)


def _same(have: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    return all(
        have.get(name) in (None, value) for name, value in fields.items() if value is not None
    )


def _merge(
    acc: _Acc,
    fields: Mapping[str, Any],
    file: str,
    number: int,
    headers: list[Any],
    columns: Mapping[str, int],
) -> None:
    for name, value in fields.items():
        if value is None:
            continue
        known = acc.fields.get(name)
        if known is None:
            acc.fields[name] = value
            acc.where[name] = number
        elif known != value:
            acc.conflicts.append(
                Problem(
                    code="CONFLICTING_ENTRY_VALUES",
                    message=f"two values for {name} on one entry (first at row {acc.where[name]})",
                    file=file,
                    row=number,
                    column=str(headers[columns[name]]),
                    value=f"{known} / {value}",
                    entry_number=acc.number,
                )
            )


def _bare(exc: Exception) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _finish(acc: _Acc, state: _State) -> Entry | None:
    """Turn a complete entry's rows into an Entry, or into problems; forget the rows."""
    del state.accs[acc.number]
    if acc.conflicts:
        first, *rest = acc.conflicts
        state.problems.append(first.model_copy(update={"rows": acc.rows}))
        state.problems.extend(p.model_copy(update={"rows": 0}) for p in rest)
        state.rejected += acc.rows
        return None
    try:
        # The rows' values were checked one by one above; only the entry's own fields
        # (entry number, type, parties, dates) are left for the model to validate.
        entry = Entry.model_validate(
            {
                "entry_number": acc.number,
                **{name: value for name, value in acc.fields.items() if value is not None},
                "lines": _lines(acc),
            }
        )
    except pydantic.ValidationError as exc:
        state.rejected += acc.rows
        for index, error in enumerate(exc.errors(include_url=False)):
            location = ".".join(str(part) for part in error["loc"])
            text = error["msg"].removeprefix("Value error, ").removeprefix(f"{location}: ")
            state.problems.append(
                Problem(
                    code="BAD_ENTRY",
                    message=f"{location}: {text}",
                    file=acc.file,
                    row=acc.where.get(location, acc.first_row),
                    column=location,
                    value=None if error.get("input") is None else _text(error["input"])[:80],
                    entry_number=acc.number,
                    rows=acc.rows if index == 0 else 0,
                )
            )
        return None
    state.entries += 1
    return entry


def _lines(acc: _Acc) -> tuple[EntryLine, ...]:
    lines: dict[int, list[Tariff]] = {}
    for (line_no, _ordinal, hts), (value, quantity, unit, rate, duty) in sorted(
        acc.tariffs.items(), key=lambda item: (item[0][0], _ordinal_key(item[0][1]))
    ):
        lines.setdefault(line_no, []).append(
            trusted(
                Tariff, hts=hts, value=value, quantity=quantity, unit=unit, rate=rate, duty=duty
            )
        )
    return tuple(
        trusted(
            EntryLine,
            number=number,
            country_of_origin=acc.countries[number],
            tariffs=tuple(tariffs),
        )
        for number, tariffs in sorted(lines.items())
    )


def _ordinal_key(ordinal: Any) -> tuple[int, str]:
    text = "" if ordinal is None else str(ordinal)
    return (int(text), "") if text.isdigit() else (1 << 30, text)
