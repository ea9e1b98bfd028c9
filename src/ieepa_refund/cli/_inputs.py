"""Reading ES-003 input for a command, and saying how it was read: columns, then problems."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..es003 import Es003Report, Es003Stream, stream_es003
from ._output import Outputs, write_csv

__all__ = ["PROBLEM_COLUMNS", "input_line", "report_input", "stream"]

PROBLEM_COLUMNS = ("file", "row", "code", "column", "value", "entry_number", "rows", "message")


def _progress(rows: int) -> None:
    print(f"... {rows:,} rows read", file=sys.stderr, flush=True)


def stream(files: Sequence[Path], mapping: Iterable[tuple[str, str]]) -> Es003Stream:
    return stream_es003(*files, mapping=dict(mapping), progress=_progress)


def _columns(file: Any) -> Iterator[tuple[str, str, str]]:
    """(how, header, field) for each column of one file's report.

    ``recognised`` and ``ignored`` are what :class:`~ieepa_refund.es003.report.FileReport`
    holds today; ``mapped`` (field -> header named by ``--map``) and ``ambiguous``
    (field -> the headers passed over) are read when the report has them.
    """
    mapped: Mapping[str, str] = getattr(file, "mapped", None) or {}
    for field, header in file.recognised.items():
        yield ("mapped" if mapped.get(field) == header else "recognised"), header, field
    ambiguous: Any = getattr(file, "ambiguous", None) or {}
    if isinstance(ambiguous, Mapping):
        for field, headers in ambiguous.items():
            for header in (headers,) if isinstance(headers, str) else headers:
                yield "ambiguous", str(header), field
    else:
        for header in ambiguous:
            yield "ambiguous", str(header), ""
    for header in file.ignored:
        yield "ignored", header, ""


def _column_line(how: str, header: str, field: str) -> str:
    if how == "ignored":
        return f"  ignored     {header!r}"
    if how == "ambiguous":
        return f"  ambiguous   {header!r}" + (f" (passed over for {field})" if field else "")
    return f"  {how:<11} {header!r} as {field}"


def report_input(report: Es003Report, problems_out: Path | None, outputs: Outputs) -> None:
    """The column report, then every problem, on stderr; both staged to ``problems_out`` too."""
    for file in report.files:
        print(f"Columns of {file.file}:", file=sys.stderr)
        for how, header, field in _columns(file):
            print(_column_line(how, header, field), file=sys.stderr)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if problems_out is None:
        return
    columns = (
        [file.file, None, f"COLUMN_{how.upper()}", header, field, None, 0, how]
        for file in report.files
        for how, header, field in _columns(file)
    )
    problems = (
        [p.file, p.row, p.code, p.column, p.value, p.entry_number, p.rows, p.message]
        for p in report.problems
    )
    write_csv(outputs, problems_out, PROBLEM_COLUMNS, [*columns, *problems])


def input_line(imported: Es003Report) -> str:
    return (
        f"Input: {imported.rows_read:,} rows read, {imported.rows_used:,} used, "
        f"{imported.rows_rejected:,} rejected ({imported.rows_duplicate:,} duplicates); "
        f"{imported.entry_count:,} entries from {len(imported.files)} file(s)"
    )
