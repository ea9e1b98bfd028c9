"""Finding the ES-003 header row and the columns it names: an opened source becomes a SourceFile.

Third step of the reader's flow: :func:`open_source` opens a source through :mod:`._open`,
looks for the header among its first :data:`._raw.HEADER_SEARCH_ROWS` rows, matches the
header's cells to ES-003 columns (:mod:`._columns`), and refuses a file with no header or
lacking a required column. File-level warnings (an ambiguous or a missing answer-changing
column) are recorded on the :class:`SourceFile`; :mod:`._rows` then reads the rows after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import entry_number as _entry_number
from ..errors import InputFileError
from ._cells import BadCell, cell_text, parse_entry_number, parse_hts
from ._columns import (
    ANSWER_CHANGING,
    REQUIRED,
    match_columns,
    missing_message,
    nearest,
    norm,
)
from ._open import OpenedRows, open_rows
from ._raw import HEADER_SEARCH_ROWS, Raw
from ._text import _LineFetcher
from .report import AmbiguousColumn, Problem


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
    usual: int | None = None
    """A text source's usual row width: the cell count most of its non-blank data rows have
    (ties to the narrower), concluded by the first pass, or given before it (the bulk engine
    reads a copy of a file holding some of its rows with the whole file's). None: not known
    yet, or not a text source (a workbook's or DataFrame's cells cannot be shifted by a comma)."""
    late: int = 0
    """Rows the first pass let through that are wider than :attr:`usual` (and the header):
    known only once the whole file was seen, they are rejected from the next pass on."""
    raw_line: _LineFetcher | None = None
    """A text source's physical line by number, to recover the entry of a row that could not
    be read as a row (None for workbooks and DataFrames, whose rows always read)."""
    cut_row: int = -1
    """A text file's last row when the file ends inside a quoted cell it opens (cut short):
    found at the end of the first pass, rejected from the next pass on (counted in
    :attr:`late`, so the counts are corrected as for the rows found too wide)."""


def open_source(
    source: Any,
    overrides: Mapping[str, str],
    *,
    delimiter: str | None = None,
    name: str | None = None,
) -> SourceFile:
    """Open a path, an open file (text or binary) or a pandas DataFrame and find its header
    (``name``: how to name it, instead of by its file name)."""
    opened = open_rows(source, delimiter=delimiter, name=name)
    try:
        found = find_header(opened.rows(), overrides, opened.name)
    except InputFileError as exc:
        if opened.sheet is None:
            raise
        raise InputFileError(
            _in_sheet(exc.reason, opened), field=exc.field, value=exc.value
        ) from None
    if opened.others:
        _refuse_continued(found, opened)
    found.kind, found.encoding, found.sheet = opened.kind, opened.encoding, opened.sheet
    found.delimiter, found.rows = opened.delimiter, opened.rows
    found.raw_line = opened.raw_line
    return found


def _in_sheet(reason: str, opened: OpenedRows) -> str:
    """A refusal of a workbook's sheet, naming the sheet read and the others (t64/03)."""
    prefix = f"{opened.name}: "
    if reason.startswith(prefix):
        reason = f"{opened.name}, sheet {opened.sheet!r}: {reason[len(prefix) :]}"
    if opened.others:
        titles = ", ".join(repr(title) for title, _ in opened.others)
        reason += (
            f"; the workbook's other sheets ({titles}) are not read: the sheet named "
            "'Main Report' is read, else the first; rename the ES-003's sheet 'Main Report', "
            "move it first, or save it as CSV"
        )
    return reason


def _refuse_continued(found: SourceFile, opened: OpenedRows) -> None:
    """Refuse a workbook whose other sheets repeat the header of the sheet read (t64/03).

    An export split over sheets (a large ES-003 past Excel's 1,048,576 rows, a broker's
    workbook with a sheet a month) has its rows on all of them; reading only one left an
    entry's Chapter 99 line unread and its refund "nothing to refund" without a word. Its
    rows are not read across sheets: each sheet numbers its rows from 1, and a problem names
    a file and a row, so the rows of two sheets could not be told apart in what is reported.
    """
    header = _shape(found.headers)
    repeats = [
        f"{title!r} (row {number})"
        for title, rows in opened.others
        for number, cells in header_candidates(iter(rows))
        if _shape(cells) == header
    ]
    if not repeats:
        carried = [
            f"{title!r} (row {number})"
            for title, rows in opened.others
            if (number := _first_data_row(rows, found, len(header))) is not None
        ]
        if carried:
            raise InputFileError(
                f"{opened.name}: sheet{'s' if len(carried) > 1 else ''} {', '.join(carried)} "
                f"hold{'' if len(carried) > 1 else 's'} rows shaped as the ES-003 rows of "
                f"sheet {opened.sheet!r}, the sheet read, without its header (row "
                f"{found.header_row}): the export continues on more than one sheet, and one "
                "sheet is read; save each sheet as CSV with the header and give all the files "
                "(the rows of an entry may be in any of them)",
                field="file",
                value=opened.name,
            )
    if repeats:
        raise InputFileError(
            f"{opened.name}: the ES-003 header of sheet {opened.sheet!r} (row "
            f"{found.header_row}), the sheet read, is repeated on sheet"
            f"{'s' if len(repeats) > 1 else ''} {', '.join(repeats)}: the export continues "
            "on more than one sheet, and one sheet is read; save each sheet as CSV and give "
            "all the files (the rows of an entry may be in any of them)",
            field="file",
            value=opened.name,
        )


def _first_data_row(rows: Iterable[Raw], found: SourceFile, width: int) -> int | None:
    """The number of the first of ``rows`` shaped as an ES-003 row of the sheet read, or None.

    A sheet that carries an export on without repeating its header (t69/01) has rows as wide
    as the header, a valid entry number (check digit and all) where the header names the
    entry number, and an HTS number where it names the HTS number. A cover or notes sheet
    has neither in those two places: its cells are words, or fewer than the header's.
    """
    entry_at, hts_at = found.columns["entry_number"], found.columns["hts"]
    for number, _, row in rows:
        if isinstance(row, str):
            continue
        cells = [cell_text(cell) for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if not max(entry_at, hts_at) < len(cells) <= width:
            continue
        try:
            entry = parse_entry_number(row[entry_at])
            parse_hts(row[hts_at])
        except (BadCell, ValueError):
            continue
        if _entry_number.is_valid(entry):
            return number
    return None


def _shape(cells: list[str]) -> list[str]:
    """A header row's cells as compared across sheets: normalised, trailing blanks dropped."""
    shape = [norm(cell) for cell in cells]
    while shape and not shape[-1]:
        shape.pop()
    return shape


#: How to name a column, in the words of the API and of the command line.
MAP_HINT = (
    "name the file's columns with mapping={field: header} (--map FIELD=HEADER on the command line)"
)


def header_candidates(rows: Iterable[Raw]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of each row a header may be on: the readable rows among the
    first :data:`._raw.HEADER_SEARCH_ROWS` (title rows above a header are usual). The one
    search of the ES-003, deposits and CAPE report readers."""
    for number, _, row in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if isinstance(row, str):
            continue
        yield number, [cell_text(cell) for cell in row]


def find_header(rows: Iterator[Raw], overrides: Mapping[str, str], name: str) -> SourceFile:
    # The row naming the most ES-003 columns, in case none names both key columns: a header
    # with its entry-number or HTS column misspelt is then named, with what it lacks.
    best: tuple[int, int, list[str], Any] | None = None
    try:
        for number, headers in header_candidates(rows):
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
        "(a row naming at least the entry number and HTS number columns); if the file's "
        f"columns have other headers (another language, a renamed export), {MAP_HINT}",
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
    _refuse_twin_headers(name, number, headers, match)
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


def _refuse_twin_headers(name: str, number: int, headers: list[str], match: Any) -> None:
    """Refuse a header naming one field twice in the same words (t64/07).

    Which of the two holds the field cannot be told from the file, and ``--map`` names a
    column by its (normalised) header, so it cannot choose either: reading the first gave a
    wrong refund with a warning whose advice could not be followed. Two different headers
    for a field stay a warning, as ``--map`` can choose between them.
    """
    for header, field_name, used in match.ambiguous:
        if norm(header) != norm(used):
            continue
        twins = [i for i, h in enumerate(headers) if norm(h) == norm(used)]
        where = " and ".join(f"{i + 1} ({_letters(i)})" for i in twins)
        said = " and ".join(dict.fromkeys(repr(headers[i]) for i in twins))
        raise InputFileError(
            f"{name}: columns {where} of the header (row {number}) are both {said}, read as "
            f"{field_name}: which one holds it cannot be told, and --map (mapping=) names a "
            "column by its header, so it cannot choose; rename or delete the one that is not "
            f"the {field_name} column",
            field="file",
            value=name,
        )


def _letters(index: int) -> str:
    """A spreadsheet's letters for a column (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _warning(name: str, code: str, message: str, column: str | None) -> Problem:
    return Problem(code=code, message=message, file=name, column=column, rows=0)
