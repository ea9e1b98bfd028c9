"""The data rows after an ES-003 header, and what a full pass learns about whole columns.

Last step of the reader's flow before parsing: :func:`data_rows` walks a :class:`._header.SourceFile`'s
rows after its header, yielding each readable row and turning what cannot be read as a row
(a record the CSV module refused, a stray quote that swallowed the lines after it) into a
problem naming its row and, where it can be read, its entry. The first full pass concludes
what needs the whole file: its date columns' locale and a liquidated status with no date
column (``_watch``), and a text file's usual row width (a row wider is rejected from the next
pass on).
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from ..entry_number import shaped
from ..errors import InputFileError
from ._cells import (
    DATE_FIELDS,
    BadCell,
    cell_text,
    date_like,
    month_first_day,
    parse_entry_number,
    split_amount,
)
from ._columns import match_columns, norm
from ._header import SourceFile
from ._raw import HEADER_SEARCH_ROWS, Raw
from ._text import leading_field
from ._watch import _conclude, _Watch
from .report import Problem


def data_rows(source: SourceFile) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) after the header, blank rows as empty lists.

    Rows that cannot be read as rows become :attr:`SourceFile.problems`. A full pass also
    concludes what needs the whole file: a day-first date column is refused (dropped with a
    warning, or an error for the entry date), a liquidated status with no liquidation
    date column is warned about, and a text file's usual width is set
    (:attr:`SourceFile.usual`), with how many rows are wider (:attr:`SourceFile.late`).
    """
    source.problems, source.rejected = [], 0
    width = len(source.headers)
    # The header's width for the cell count: its last named cell (a workbook's rows run to
    # the sheet's last used column, a header exported with a trailing comma ends blank).
    named = max(
        (i + 1 for i, cell in enumerate(source.headers) if cell_text(cell).strip()), default=0
    )
    used = max(source.columns.values(), default=-1)
    # A text file's rows are normally all one width. A row wider than the file's usual width
    # (and the header), even by blank cells only, is most likely shifted by an unquoted comma
    # in an amount on a row whose last cell is blank: its one extra cell is blank, as a
    # trailing comma's would be. The usual width needs the whole file: the first pass counts
    # the rows of each width (a histogram of ints, bumped only where the width changes), and
    # the rows wider are rejected from the next pass on (_count_rows corrects its counts).
    # A file whose only data rows are shifted ones has them for its usual width: not caught
    # by the width, only by the cells (_split_check, and _cells.parse_unit's refusal).
    # A row wider than the usual width and the header is rejected; so is one wider than the
    # usual width only (a header wider than its rows, an ignored last column they leave out)
    # when its cells beyond the usual width are all blank, as a shifted row's one extra is.
    text = source.delimiter is not None
    usual = None if not text else source.usual
    widths: dict[int, int] | None = {} if text and source.usual is None else None
    current, run = -1, 0
    split = _split_check(source)
    # Unpacked once: looked at on every row.
    split_unit, split_found = split if split is not None else (0, None)
    watch = _Watch()
    dates = [(name, source.columns[name]) for name in sorted(DATE_FIELDS) if name in source.columns]
    status = source.columns.get("liquidation_status")
    if source.concluded:  # a later pass: what the first one learned stands, nothing to watch
        dates, status = [], None
    checked: set[tuple[str, str]] = set()
    dated, last_dates, last_status = _cells_at(dates), None, None
    header_row = source.header_row
    cut_row = source.cut_row
    number, spans = 0, 0  # with row: the last record, once the loop is done
    row: list[Any] | str = []
    try:
        for number, spans, row in _repeats(source, source.rows()):
            if isinstance(row, str):
                _reject(source, number, row, None)
                continue
            if number == cut_row:
                _reject(source, number, _CUT, row, code="CUT_SHORT")
                continue
            if not any(row) and all(cell is None or cell == "" for cell in row):
                yield number, []  # every cell empty; a row of zeros or spaces is read, and reported
                continue
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
            count = len(row)
            if count == current:
                run += 1
            elif widths is not None:
                widths[current] = widths.get(current, 0) + run
                current, run = count, 1
            if count > named and any(cell_text(cell).strip() for cell in row[named:]):
                # Read by position, a cell too many shifts every cell after it: an amount with
                # an unquoted comma ("34,131.80") would be read as a duty of 34 and a quantity
                # of 131.80. Only blank cells beyond the header (trailing commas) are let be.
                _reject(
                    source,
                    number,
                    f"row has {count} cells, the header {named}: an amount with an unquoted "
                    "comma? quote it or remove the thousands separator",
                    row,
                    code="CELL_COUNT",
                )
                continue
            if (
                usual is not None
                and count > usual
                and (count > named or not any(cell_text(cell).strip() for cell in row[usual:]))
            ):
                _reject(
                    source,
                    number,
                    f"row has {count} cells, this file's rows {source.usual} (the header "
                    f"{named}): an amount with an unquoted comma? quote it or remove the "
                    "thousands separator",
                    row,
                    code="CELL_COUNT",
                )
                continue
            if count <= used:
                # A row cut short: a column read is beyond its end, and would be read as blank.
                _reject(
                    source,
                    number,
                    f"row has {count} cells, the header {named}: cut short, "
                    f"{_past_end(source, count)} past its end; re-export the row whole",
                    row,
                    code="CELL_COUNT",
                )
                continue
            # A unit cell starting with a letter or digit is not blank (the common case): the
            # row needs no check for a split amount.
            if (
                split_found is not None
                and not ((unit := row[split_unit]).__class__ is str and unit[:1].isalnum())
                and (found := split_found(row)) is not None
            ):
                _reject(source, number, found, row, code="CELL_COUNT")
                continue
            if count < width:
                row = [*row, *([None] * (width - count))]
            # Dates repeat on every row of an entry: the row's date cells are looked at only
            # when they are not the row before's, and each distinct one once.
            if dated is not None and (cells := dated(row)) != last_dates:
                last_dates = cells
                for name, index in dates:
                    cell = row[index]
                    if cell.__class__ is not str:
                        if isinstance(cell, date) and name not in watch.date_cells:
                            watch.date_cells[name] = number
                        continue
                    if (name, cell) in checked:
                        continue
                    checked.add((name, cell))  # per column: one text may be in two columns
                    pair = month_first_day(shown := cell_text(cell))
                    if pair is None:
                        # A text date the reader refuses (06/10/25, 09.15.2025) is as much
                        # the mark of a day-first Excel beside date cells (t69/02).
                        if date_like(shown):
                            watch.text_dates.setdefault(name, (number, shown))
                        continue
                    watch.text_dates.setdefault(name, (number, shown))
                    if pair[0] <= 12 and pair[1] <= 12 and pair[0] != pair[1]:
                        watch.ambiguous.setdefault(name, (number, shown))
                    elif 12 < pair[0] <= 31 and 1 <= pair[1] <= 12:
                        watch.day_first.setdefault(name, (number, shown))
                    elif pair[0] <= 12 and 12 < pair[1] <= 31:
                        watch.month_first.setdefault(name, (number, shown))
                    else:
                        continue
                    if name in watch.day_first and name in watch.month_first:
                        # Both found: the column is month-first, its day-first cells bad
                        # cells, so it is looked at no more.
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
    if widths is not None:
        widths[current] = widths.get(current, 0) + run
        widths.pop(-1, None)
        _usual(source, widths)
    if text and not source.concluded and number > header_row and isinstance(row, list):
        _end_check(source, number, spans, row)  # after _usual, which sets source.late
    _conclude(source, watch)


def _repeats(source: SourceFile, records: Iterator[Raw]) -> Iterator[Raw]:
    """The records after the header, less any repeat of the header and the title rows just
    above it: files joined with ``cat`` (an export's title row and header, then its rows).

    Such a repeat is not data: it is dropped with a file warning naming its row (first pass
    only), and so are the rows just above it that the header search skips at the top of a
    file (a title: one cell, not an entry number; blank rows). A row naming the ES-003
    columns but not as the first header does is refused: the rows after it would be read
    under the first header's columns. Only a row whose entry-number cell does not start
    with a digit is looked at (a header or title row's does not; an entry number's mostly
    does), so the common row costs a slice.
    """
    header_row, index = source.header_row, source.columns["entry_number"]
    first = _normalised(source.headers)
    name_at = first[index] if index < len(first) else ""
    pending: list[Raw] = []
    last: Any = None  # the entry cell of the last row looked at and passed
    for record in records:
        # The common row first: its entry number's first character a digit (or a number cell,
        # a workbook's or DataFrame's), nothing pending. An ASCII digit is compared before
        # ``isdigit`` is asked (a method call per row was most of this check's cost); the
        # cheap tests come first. ``tests/test_es003_repeated_header.py`` compares this
        # path with the full check below on drawn rows.
        if (
            (row := record[2]).__class__ is list
            and len(row) > index
            and (
                (
                    (cell := row[index]).__class__ is str
                    and ("0" <= cell[:1] <= "9" or cell[:1].isdigit())
                )
                or cell.__class__ in _NUMBER_CELLS
            )
            and not pending
            and record[0] > header_row
        ):
            yield record
            continue
        number = record[0]
        if number <= header_row:
            continue
        if isinstance(row, str):  # not read as a row: the reader's to report
            yield from pending
            pending.clear()
            yield record
            continue
        cell = row[index] if len(row) > index else None
        if not pending and cell is not None and cell == last:
            yield record  # an entry cell looked at on the row before (an entry's next row)
            continue
        texts = _normalised(row)
        if texts == first:
            _repeated(source, number, pending)
            pending.clear()
            continue
        if name_at and texts[index : index + 1] == [name_at]:
            match = match_columns([cell_text(c) for c in row], {})
            if "entry_number" in match.columns and "hts" in match.columns:
                raise InputFileError(
                    f"{source.name}: row {number} repeats the ES-003 header with other columns "
                    f"than the header at row {header_row} (files joined?): the rows after it "
                    "would be read under the first header's columns; join the files with one "
                    "header, or give them as separate files",
                    field="file",
                    value=source.name,
                )
        elif (not texts or _title(source, row, texts)) and len(pending) < HEADER_SEARCH_ROWS:
            pending.append(record)  # a blank or title row: read once the next row says
            continue
        last = cell
        yield from pending
        pending.clear()
        yield record
    yield from pending


#: Cells a workbook or a DataFrame gives as numbers: never a header's or a title's.
_NUMBER_CELLS = (int, float)


def _normalised(row: list[Any]) -> list[str]:
    """A row's cells as the header search compares them, its trailing blank cells dropped."""
    texts = [norm(cell_text(cell)) for cell in row]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _title(source: SourceFile, row: list[Any], texts: list[str]) -> bool:
    """Whether a row may be a title row (dropped if a repeated header follows it, as the
    header search skips it at the top of a file): one cell, its first, that no entry number
    is like (words, or no digit; the reader takes any other text for an entry number and
    flags it); or a row with no entry number where the header has it (``ES-003``, a title
    with an unquoted comma: t63/07) and no HTS number where the header has that. A row with
    either is data, read as such (a data row with a broken entry number is still rejected
    by name, not dropped as a title).
    """
    if len(texts) == 1:
        text = cell_text(row[0])
        if " " in text or not any("0" <= c <= "9" for c in text):
            return True
    columns = source.columns
    hts = columns.get("hts")
    if hts is not None and hts < len(row) and any(c.isdigit() for c in cell_text(row[hts])):
        return False
    index = columns["entry_number"]
    if index >= len(row):
        return True
    try:
        number = parse_entry_number(row[index])
    except BadCell:
        return True
    return not shaped(number)


def _repeated(source: SourceFile, number: int, titles: list[Raw]) -> None:
    if source.concluded:
        return  # said by the first pass
    above = [n for n, _, row in titles if isinstance(row, list) and any(row)]
    also = (
        f" (with the title row{'s' if len(above) > 1 else ''} "
        f"{', '.join(map(str, above))} above it)"
        if above
        else ""
    )
    source.warnings.append(
        Problem(
            code="REPEATED_HEADER",
            message=f"the header repeats at row {number}{also}: files joined? not read as "
            "data (no row, no entry)",
            file=source.name,
            row=number,
            rows=0,
        )
    )


_CUT = (
    "the file ends inside a quoted cell this row opens: it was cut short (a download or copy "
    "interrupted?), and this row's last cells are not whole; re-export the file whole"
)

#: A line of a text, with its end (CR LF, LF or CR: the lines the CSV reader counts).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

_SENTINEL = "cut-check"


def _end_check(source: SourceFile, number: int, spans: int, row: list[Any]) -> None:
    """Look at a text file's last record again in its raw text, at the end of the first pass
    (ES-003 and deposits files alike).

    The CSV module reads a file that ends inside a quoted cell (a download cut short in
    ``"$1,234``) as if the quote were closed: the row would be read whole with an amount cut
    short. Such a row is rejected from the next pass on (``CUT_SHORT``; counted in
    ``source.late`` so the counts are corrected). A file that ends with no line break right
    after a cell that cut short would still read as a valid value (an amount as the last
    column: ``...,12`` for ``...,1234.56``) gets a warning naming the row: most such files
    are whole, but nothing in the file says so.
    """
    if not row or any(problem.row == number for problem in source.problems):
        return  # a blank last row, or one rejected already
    fetch, delimiter = source.raw_line, source.delimiter
    if fetch is None or delimiter is None:
        return
    # The record's raw text is at most each cell doubled (quotes doubled), quoted, a delimiter
    # each, and its line end: read that much from the end, and more for the line before it.
    size = sum(2 * len(cell) + 3 for cell in row if cell.__class__ is str) + len(row) + 2
    tail = fetch.tail(2 * size + 4096)
    record = "".join(_LINE.findall(tail)[-spans:])
    # Read again with a sentinel line after it: a record that ends inside a quoted cell takes
    # the sentinel into that cell (one record); a whole one leaves it a record of its own.
    again = list(csv.reader(io.StringIO(f"{record}\n{_SENTINEL}"), delimiter=delimiter))
    if len(again) == 1:
        source.cut_row = number
        source.late += 1
        return
    if record.endswith(("\n", "\r")):
        return
    # The row's own last cell (the reader pads a short row with None after it), blank or not:
    # a cut may have taken a whole amount and left its cell blank.
    last = max((i for i, cell in enumerate(row) if cell is not None), default=None)
    # Any column read: a cut amount reads as another amount, a cut importer number as another
    # payee ('12-3456789' for '12-3456789AB'), a cut status as another word. A column the
    # reader ignores cannot change a figure.
    if last is not None and last in source.columns.values():
        header = str(source.headers[last])
        source.warnings.append(
            Problem(
                code="NO_LINE_END",
                message=(
                    f"the file ends with no line break right after its last row's "
                    f"{header!r} cell: if the file was cut short, that cell is cut too and "
                    "reads as another value; check it against the source (a whole export "
                    "ends with a line break)"
                ),
                file=source.name,
                row=number,
                column=header,
                value=cell_text(row[last]),
                entry_number=_entry_of(row[i])
                if (i := source.columns.get("entry_number")) is not None
                else None,
                rows=0,
            )
        )


def usual_width(widths: Mapping[int, int]) -> int | None:
    """The width most rows have (``widths``: how many rows have each), ties to the narrower;
    None for no rows."""
    return min(widths, key=lambda width: (-widths[width], width)) if widths else None


def _usual(source: SourceFile, widths: dict[int, int]) -> None:
    """Conclude the source's usual width, and how many rows are wider (rejected from now on)."""
    if source.concluded:
        return
    source.usual = usual_width(widths)
    if source.usual is not None:
        # The rows wider than the usual width: each is rejected from the next pass on when it
        # is wider than the header too, or blank beyond the usual width (see data_rows); an
        # upper bound, which only asks for the pass that finds them (_uncount_late).
        source.late = sum(rows for width, rows in widths.items() if width > source.usual)


def _split_check(
    source: SourceFile,
) -> tuple[int, Callable[[list[Any]], str | None]] | None:
    """A check of a row for an amount split on an unquoted thousands comma that the width
    rules cannot see (a file as wide as its shifted rows), or None where it cannot apply.

    A split moves every cell after it one column right: the quantity becomes the unit of
    quantity (refused as a number by the unit's parser), and where the quantity is blank, as
    on Chapter 99 rows, the unit is blank and the quantity holds the amount's tail. So a row
    with a quantity but no unit, whose goods value or duty is one to three digits followed by
    three digits and cents (``$1`` then ``300.00``), is rejected: a real row has its unit
    with its quantity, and its amounts in cents. Needs both columns, each right of the amount.
    Returned with the unit's column: a row whose unit cell is not blank needs no check.
    """
    columns = source.columns
    i_qty, i_unit = columns.get("quantity"), columns.get("unit")
    if i_qty is None or i_unit is None:
        return None
    pairs = [
        (columns[name], str(source.headers[columns[name]]))
        for name in ("value", "duty")
        if name in columns and columns[name] < i_qty and columns[name] < i_unit
    ]
    if not pairs:
        return None

    def check(row: list[Any]) -> str | None:
        unit = row[i_unit]
        if unit is not None and unit != "" and (unit.__class__ is not str or cell_text(unit)):
            return None
        if not cell_text(row[i_qty]):
            return None
        for index, header in pairs:
            head, tail = row[index], row[index + 1]
            if index + 1 != i_qty and head.__class__ is not str and tail.__class__ is not str:
                # Two number cells (a workbook's, a DataFrame's) beside each other are two
                # amounts (a goods value of 500, a duty of 125). A CSV re-saved by Excel after
                # a split makes numbers of both halves too, but its tail then sits in the
                # quantity column (checked: a duty of 1, a quantity of 300 and no unit).
                continue
            whole = split_amount(head, tail)
            if whole is not None:
                return (
                    f"the {header!r} cell {cell_text(row[index])!r} and the next "
                    f"{cell_text(row[index + 1])!r} look like one amount ({whole!r}) split on an "
                    "unquoted comma, shifting the cells after it (a quantity with no unit): "
                    "quote the amount or remove its thousands separator"
                )
        return None

    return i_unit, check


def _past_end(source: SourceFile, cells: int) -> str:
    """The columns read that a row of ``cells`` cells lacks, named for a problem with their
    verb: "the column 'Amount' read is", "the columns 'Amount' and 2 more read are"."""
    lacking = sorted(index for index in source.columns.values() if index >= cells)
    first = repr(str(source.headers[lacking[0]]))
    if len(lacking) == 1:
        return f"the column {first} read is"
    return f"the columns {first} and {len(lacking) - 1} more read are"


def _cells_at(found: list[tuple[str, int]]) -> Callable[[list[Any]], Any] | None:
    """The cells of a row at the columns ``found`` (None when there are none): one object to
    compare with the row before's."""
    return operator.itemgetter(*[index for _, index in found]) if found else None


def _reject(
    source: SourceFile,
    number: int,
    message: str,
    row: list[Any] | None,
    *,
    code: str | None = None,
) -> None:
    index = source.columns["entry_number"]
    cell: Any = None
    if row is not None:
        cell = row[index] if len(row) > index else None
    elif source.raw_line is not None and source.delimiter is not None:
        line = source.raw_line(number)
        cell = None if line is None else leading_field(line, source.delimiter, index)
    entry = _entry_of(cell)
    if code is None:
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
