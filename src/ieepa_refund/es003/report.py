"""How ES-003 files were read: problems, per-file reports and counts that add up."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from .._tabular import Tabular
from ..entry import Entry
from ..tables import Level, column, summary_html

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Problem(BaseModel):
    """One thing wrong with the input: where it is, what it holds and why it was not used.

    A problem with ``row`` None is about the file as a whole (a missing column, a
    day-first date column) and keeps no row out (``rows == 0``).
    """

    model_config = _FROZEN

    code: str
    message: str
    file: str
    row: int | None = None
    """1-based row number in the file (the header row counts; for text files, the line)."""
    column: str | None = None
    value: str | None = None
    entry_number: str | None = None
    rows: int = 1
    """How many rows this problem kept out of the result."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        if not self.column:
            what = ""
        elif self.value is None or repr(self.value) in self.message:
            what = f" [{self.column}]"  # no value (a summed line), or the message quotes it
        else:
            what = f" [{self.column}={self.value!r}]"
        return f"{where}: {self.code}: {self.message}{what}"


class AmbiguousColumn(BaseModel):
    """A header that also names a field another header was used for."""

    model_config = _FROZEN

    header: str
    field: str
    used: str
    """The header read for ``field`` instead."""


class FileReport(BaseModel):
    """How one file was read: its columns (recognised, mapped, ignored, ambiguous) and warnings."""

    model_config = _FROZEN

    file: str
    format: str
    """``csv``, ``tsv``, ``xlsx`` or ``dataframe``."""
    encoding: str | None
    sheet: str | None
    header_row: int
    recognised: dict[str, str]
    """Canonical field -> the file's header (mapped fields included)."""
    ignored: tuple[str, ...]
    rows_read: int
    delimiter: str | None = None
    mapped: dict[str, str] = {}
    """Fields named by ``mapping=`` -> the file's header."""
    ambiguous: tuple[AmbiguousColumn, ...] = ()
    warnings: tuple[Problem, ...] = ()
    """File-level problems (``row`` None): missing columns that change the answer, refused columns."""

    def describe(self) -> list[str]:
        """Lines saying how the file was read, one per column, for a person to check."""
        how = self.format + (f", {self.encoding}" if self.encoding else "")
        how += f", sheet {self.sheet!r}" if self.sheet else ""
        if self.delimiter not in (None, ",", "\t"):
            how += f", delimiter {self.delimiter!r}"
        lines = [
            f"{self.file}: {how}; header at row {self.header_row}; {self.rows_read:,} rows read"
        ]
        width = max((len(name) for name in self.recognised), default=0)
        for name, header in self.recognised.items():
            note = " (mapped)" if name in self.mapped else ""
            lines.append(f"  {name:<{width}}  <- {header!r}{note}")
        lines.extend(
            f"  ambiguous: {a.header!r} also names {a.field}; {a.used!r} was read"
            for a in self.ambiguous
        )
        lines.extend(f"  ignored:   {header!r}" for header in self.ignored)
        lines.extend(f"  warning:   {w.code}: {w.message}" for w in self.warnings)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.describe())


class Es003Report(Tabular, BaseModel):
    """How ES-003 files were read: the problems found and the counts, which always add up.

    ``rows_read == rows_used + rows_rejected``; ``rows_duplicate`` (identical
    repeats of a row already read) are among the rejected; ``rows_blank``, rows
    blank throughout, carry no data and are not counted as read. Duplicates are
    counted for entries that were kept; the rows of a rejected entry, repeats
    included, are rejected with its problem.
    """

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "problem",
            column("file", "str"), column("row", "int"), column("code", "str"),
            column("column", "str"), column("value", "str"), column("entry_number", "str"),
            column("rows", "int"), column("message", "str"),
            each="problems",
        ),
        Level(
            "file",
            column("file", "str"), column("format", "str"), column("encoding", "str"),
            column("sheet", "str"), column("header_row", "int"), column("rows_read", "int"),
            column("recognised", "int", lambda f: len(f.recognised)),
            column("ignored", "int", lambda f: len(f.ignored)),
            each="files",
        ),
    )  # fmt: skip

    problems: tuple[Problem, ...]
    files: tuple[FileReport, ...]
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_duplicate: int
    rows_blank: int
    entry_count: int
    entries_incomplete: int = 0
    """Entries built with some of their rows rejected (flagged ``incomplete_rows``), among ``entry_count``."""
    entries_rejected: int = 0
    """Entries none of which could be built (conflicting rows, bad own fields, no usable row)."""
    entries_rejected_numbers: tuple[str, ...] = ()
    """The numbers of those entries, sorted: an entry rejected whole is named, never only counted
    (a problem summed over many rows keeps no entry number)."""

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The files' file-level warnings (missing columns that change the answer...)."""
        return tuple(w for f in self.files for w in f.warnings)

    def summary_html(self) -> str:
        rows = [
            ("files", len(self.files)), ("rows read", self.rows_read), ("rows used", self.rows_used),
            ("rows rejected", self.rows_rejected), ("duplicates", self.rows_duplicate), ("entries", self.entry_count),
        ]  # fmt: skip
        return summary_html("ES-003 import", rows, Counter(p.code for p in self.problems))


class Es003Import(Es003Report):
    """Entries read from one or more ES-003 files, with the problems and counts."""

    entries: tuple[Entry, ...]


#: How many problems of one kind (file, code, column, cause) are listed one by one; the
#: rest are summed into one problem, so 10,000 identical rows make 21 lines, not 10,000.
PROBLEMS_SHOWN = 20
_GOT = re.compile(r" \(got .*\)$", re.DOTALL)


def summarise(problems: Iterable[Problem], *, shown: int = PROBLEMS_SHOWN) -> list[Problem]:
    """The problems, each kind listed ``shown`` times and then summed; ``rows`` still add up."""
    kept: list[Problem] = []
    rest: dict[tuple[str, str, str | None, str], list[Problem]] = {}
    seen: dict[tuple[str, str, str | None, str], int] = {}
    for problem in problems:
        if problem.row is None:
            kept.append(problem)
            continue
        key = (problem.file, problem.code, problem.column, _GOT.sub("", problem.message))
        count = seen[key] = seen.get(key, 0) + 1
        if count <= shown:
            kept.append(problem)
        else:
            rest.setdefault(key, []).append(problem)
    for (file, code, header, cause), more in rest.items():
        rows = [p.row for p in more if p.row is not None]
        kept.append(
            Problem(
                code=code,
                message=f"and {len(more):,} more rows with the same problem "
                f"(rows {min(rows)} to {max(rows)}): {cause}",
                file=file,
                row=min(rows),
                column=header,
                rows=sum(p.rows for p in more),
            )
        )
    return kept
