"""Reading any of CBP's tabular reports as tolerantly as an ES-003: the shared machinery.

Sources are opened by the ES-003 reader's own code (:func:`es003._open.open_rows`: CSV,
TSV, semicolon text, ``.xlsx``, open files, DataFrames; BOM, UTF-16 and cp1252), headers are
matched by the ES-003 matcher against this file's aliases (:class:`es003._columns.ColumnSet`),
and cells go through the ES-003 cell parsers (``="..."`` wrappers, ``$1,234.50``, MM/DD/YYYY).
Every row after the header ends as a used row, a rejected row with a :class:`Problem` naming
file and row, or a blank row or a row set aside (a bank debit: :class:`Aside`) counted apart:
``rows_read == rows_used + rows_rejected``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..errors import InputFileError
from ..es003._cells import BadCell, cell_text
from ..es003._columns import ColumnMatch, ColumnSet, match_columns, missing_message, nearest, norm
from ..es003._header import header_candidates
from ..es003._open import open_rows
from ..es003._raw import HEADER_SEARCH_ROWS
from ..es003.report import AmbiguousColumn, FileReport, Problem

T = TypeVar("T")
Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Layout:
    """What one kind of CBP file holds: its fields, their headers, and which are needed."""

    kind: str
    """The report's name, as messages show it (``CAPE Claim Details``)."""
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    """Fields without which the file is refused."""
    parsers: Mapping[str, Parser]
    """Field -> cell parser (raising :class:`BadCell`); fields without one are read as text."""
    one_of: tuple[str, ...] = ()
    """At least one of these fields must be found (a refund report's amounts)."""
    option: str = "--map"
    """The command-line option that maps this file's columns (``--claims-map``)."""

    @property
    def matcher(self) -> ColumnSet:
        return _column_set(self)


_SETS: dict[int, ColumnSet] = {}


def _column_set(layout: Layout) -> ColumnSet:
    found = _SETS.get(id(layout))
    if found is None:
        found = _SETS[id(layout)] = ColumnSet(layout.columns)
    return found


class Aside(Exception):
    """Raised by a builder for a row that is read but is not of the file's kind (a bank debit
    beside the credits): kept in :attr:`Read.aside`, neither used nor rejected."""

    def __init__(self, row: Any) -> None:
        super().__init__(row)
        self.row = row


@dataclass
class Read(Generic[T]):
    """What a pass over one or more files gave: rows, problems and counts that add up."""

    rows: list[T]
    problems: list[Problem]
    files: list[FileReport]
    rows_read: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    aside: list[Any] = field(default_factory=list)


def _overrides(layout: Layout, mapping: Mapping[str, str] | None) -> dict[str, str]:
    overrides: dict[str, str] = {}
    if mapping is not None and not isinstance(mapping, Mapping):
        raise InputFileError(
            "mapping is {field: header} (the file's header for each field)",
            field="mapping",
            value=mapping,
        )
    for field_name, header in (mapping or {}).items():
        if field_name not in layout.columns:
            raise InputFileError(
                f"mapping names {field_name!r}, not a field of the {layout.kind}; its fields "
                f"are {', '.join(layout.columns)}",
                field="mapping",
                value=field_name,
            )
        if not isinstance(header, str) or not norm(header):
            raise InputFileError(
                "mapping gives each field the file's header (text)", field="mapping", value=header
            )
        overrides[norm(header)] = field_name
    return overrides


def _missing(layout: Layout, match: ColumnMatch) -> list[str]:
    missing = [name for name in layout.required if name not in match.columns]
    if layout.one_of and not any(name in match.columns for name in layout.one_of):
        missing.append(" or ".join(layout.one_of))
    return missing


def _refuse(name: str, layout: Layout, where: str, match: ColumnMatch, missing: list[str]) -> None:
    parts = []
    for field_name in missing:
        if " or " in field_name:
            parts.append(f"none of the columns {field_name}")
        else:
            parts.append(missing_message(field_name, match.ignored, columns=layout.columns))
    raise InputFileError(
        f"{name}: {where} has " + "; ".join(parts) + f" (a {layout.kind} is read by these "
        f"fields; name the file's columns with mapping={{field: header}}, or {layout.option} "
        "FIELD=HEADER on the command line)",
        field="file",
        value=name,
    )


def read_files(
    sources: Iterable[Any],
    layout: Layout,
    build: Callable[[str, int, dict[str, Any]], T],
    *,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
) -> Read[T]:
    """Read every source with ``layout``; ``build(file, row, parsed)`` makes a row or raises BadCell."""
    overrides = _overrides(layout, mapping)
    result: Read[T] = Read(rows=[], problems=[], files=[])
    for source in sources:
        _read_one(source, layout, build, overrides, delimiter, result)
    return result


def _read_one(
    source: Any,
    layout: Layout,
    build: Callable[[str, int, dict[str, Any]], T],
    overrides: Mapping[str, str],
    delimiter: str | None,
    result: Read[T],
) -> None:
    opened = open_rows(source, delimiter=delimiter)
    name = opened.name
    header_row, headers, match = _find_header(opened.rows(), layout, overrides, name)
    for wanted in dict.fromkeys(overrides.values()):
        if wanted not in match.mapped:
            close = nearest(wanted, match.ignored, columns=layout.columns)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise InputFileError(
                f"{name}: mapping names a header for {wanted} that is not in the header "
                f"(row {header_row}){hint}",
                field="mapping",
                value=wanted,
            )
    width = len(headers)
    read = rejected = 0
    for number, _, row in opened.rows():
        if number <= header_row:
            continue
        if isinstance(row, str):
            read += 1
            rejected += 1
            result.problems.append(
                Problem(code="UNREADABLE_ROW", message=row, file=name, row=number)
            )
            continue
        if all(cell is None or cell_text(cell) == "" for cell in row):
            result.rows_blank += 1
            continue
        read += 1
        cells = [*row, *([None] * (width - len(row)))]
        parsed: dict[str, Any] = {}
        problem = None
        for field_name, index in match.columns.items():
            cell = cells[index]
            parser = layout.parsers.get(field_name)
            try:
                parsed[field_name] = parser(cell) if parser else (cell_text(cell) or None)
            except BadCell as exc:
                problem = Problem(
                    code="BAD_VALUE",
                    message=str(exc),
                    file=name,
                    row=number,
                    column=headers[index],
                    value=cell_text(cell)[:80],
                )
                break
        if problem is None:
            try:
                result.rows.append(build(name, number, parsed))
                continue
            except Aside as other:
                read -= 1
                result.aside.append(other.row)
                continue
            except BadCell as exc:
                problem = Problem(code="BAD_ROW", message=str(exc), file=name, row=number)
        rejected += 1
        result.problems.append(
            problem.model_copy(update={"entry_number": _entry_of(parsed)})
            if problem.entry_number is None
            else problem
        )
    result.rows_read += read
    result.rows_rejected += rejected
    result.files.append(
        FileReport(
            file=name,
            format=opened.kind,
            encoding=opened.encoding,
            sheet=opened.sheet,
            header_row=header_row,
            recognised={f: headers[i] for f, i in match.columns.items()},
            ignored=tuple(match.ignored),
            rows_read=read,
            delimiter=opened.delimiter,
            mapped=match.mapped,
            ambiguous=tuple(
                AmbiguousColumn(header=h, field=f, used=u) for h, f, u in match.ambiguous
            ),
        )
    )


def _entry_of(parsed: dict[str, Any]) -> str | None:
    value = parsed.get("entry_number")
    return value if isinstance(value, str) else None


def _find_header(
    rows: Any, layout: Layout, overrides: Mapping[str, str], name: str
) -> tuple[int, list[str], ColumnMatch]:
    """The first row in :data:`HEADER_SEARCH_ROWS` naming every required field (title rows skipped)."""
    best: tuple[int, int, ColumnMatch] | None = None
    try:
        for number, headers in header_candidates(rows):
            match = match_columns(headers, overrides, columns=layout.matcher)
            if not _missing(layout, match):
                return number, headers, match
            # The row matching most fields, else the first row of several cells (a header
            # misspelt throughout), is the one whose nearest headers the error names.
            rank = len(match.columns) if match.columns else 0
            if (rank or sum(map(bool, headers)) > 1) and (best is None or rank > best[1]):
                best = (number, rank, match)
    finally:
        if hasattr(rows, "close"):
            rows.close()
    if best is None:
        raise InputFileError(
            f"{name}: no {layout.kind} header found in the first {HEADER_SEARCH_ROWS} rows "
            f"(a row naming {', '.join(layout.required)}); name the file's columns with "
            f"mapping={{field: header}}, or {layout.option} FIELD=HEADER on the command line",
            field="file",
            value=name,
        )
    number, _, match = best
    _refuse(name, layout, f"the nearest header (row {number})", match, _missing(layout, match))
    raise AssertionError("unreachable")  # pragma: no cover - _refuse raises
