"""Reading ES-003 input for a command, and saying how it was read: columns, then problems."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..es003 import Es003Report, Es003Stream, FileReport, stream_es003
from ..es003.report import Problem
from ._output import Outputs, counted, write_csv

__all__ = ["PROBLEM_COLUMNS", "in_files", "input_line", "rejected_whole", "report_input", "stream"]

PROBLEM_COLUMNS = ("file", "row", "code", "column", "value", "entry_number", "rows", "message")


def _progress(rows: int) -> None:
    print(f"... {counted(rows, 'row', 'rows')} read", file=sys.stderr, flush=True)


def stream(
    files: Sequence[Path], mapping: Iterable[tuple[str, str]], delimiter: str | None = None
) -> Es003Stream:
    return stream_es003(*files, mapping=dict(mapping), progress=_progress, delimiter=delimiter)


def _columns(file: FileReport) -> Iterator[tuple[str, str, str]]:
    """(how, header, field) for each column of one file's report: recognised (or mapped by
    ``--map``), ambiguous (a header passed over for a field another header gave), ignored."""
    for field, header in file.recognised.items():
        yield ("mapped" if file.mapped.get(field) == header else "recognised"), header, field
    for column in file.ambiguous:
        yield "ambiguous", column.header, column.field
    for header in file.ignored:
        yield "ignored", header, ""


def _column_line(how: str, header: str, field: str) -> str:
    if how == "ignored":
        return f"  ignored     {header!r}"
    if how == "ambiguous":
        return f"  ambiguous   {header!r} (passed over for {field})"
    return f"  {how:<11} {header!r} as {field}"


def report_input(
    report: Es003Report,
    problems_out: Path | None,
    outputs: Outputs,
    *,
    more: Sequence[Problem] = (),
) -> None:
    """The column report and the file-level warnings, then every problem, on stderr; all
    staged to ``problems_out`` too, with ``more`` (other files' problems, printed by the caller)."""
    for file in report.files:
        print(f"Columns of {file.file}:", file=sys.stderr)
        for how, header, field in _columns(file):
            print(_column_line(how, header, field), file=sys.stderr)
        for warning in file.warnings:
            print(f"  warning     {warning.code}: {warning.message}", file=sys.stderr)
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
        for p in (*report.warnings, *report.problems, *more)
    )
    write_csv(outputs, problems_out, PROBLEM_COLUMNS, [*columns, *problems])


def rejected_whole(report: Es003Report, consequence: str) -> list[Problem]:
    """One problem naming each entry rejected whole, for the problems file: no entry was
    built from its rows, and a problem summed over many rows keeps no entry number.
    ``consequence`` says what the command leaves out of it; ``rows`` 0: its rows are counted
    in the problems that rejected them. Its ``file``: the files of the problems that name
    the entry, in the order of the files."""
    numbers = set(report.entries_rejected_numbers)
    held: dict[str, set[str]] = {}
    for p in report.problems:
        if p.entry_number in numbers and p.file:
            held.setdefault(p.entry_number, set()).add(p.file)
    order = [f.file for f in report.files]
    # No problem names the entry (a rejection summed over rows keeps no number): its rows
    # may be in any file, so every file is named, as before.
    every = ", ".join(order)
    return [
        Problem(
            code="ENTRY_REJECTED_WHOLE",
            message="no entry was built from this entry's rows (see the problems that rejected "
            f"them): {consequence}",
            file=", ".join(f for f in order if f in held[number]) if number in held else every,
            entry_number=number,
            rows=0,
        )
        for number in report.entries_rejected_numbers
    ]


def in_files(problems: Iterable[Problem], files: Sequence[str]) -> list[Problem]:
    """``problems`` of deposit histories attached one entry at a time, each naming the
    deposits files it came from (``with_deposits`` given a mapping names them "deposits")."""
    where = ", ".join(files)
    return [p.model_copy(update={"file": where}) for p in problems]


def input_line(imported: Es003Report) -> str:
    return (
        f"Input: {counted(imported.rows_read, 'row', 'rows')} read, {imported.rows_used:,} used, "
        f"{imported.rows_rejected:,} rejected "
        f"({counted(imported.rows_duplicate, 'duplicate', 'duplicates')}); "
        f"{counted(imported.entry_count, 'entry', 'entries')} from "
        f"{counted(len(imported.files), 'file', 'files')}"
    )
