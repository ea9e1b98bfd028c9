"""How ES-003 files were read: problems, per-file reports and counts that add up."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from .._tabular import Tabular
from ..entry import Entry
from ..tables import Level, column, summary_html

_FROZEN = ConfigDict(frozen=True, extra="forbid")


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

    def summary_html(self) -> str:
        rows = [
            ("files", len(self.files)), ("rows read", self.rows_read), ("rows used", self.rows_used),
            ("rows rejected", self.rows_rejected), ("duplicates", self.rows_duplicate), ("entries", self.entry_count),
        ]  # fmt: skip
        return summary_html("ES-003 import", rows, Counter(p.code for p in self.problems))


class Es003Import(Es003Report):
    """Entries read from one or more ES-003 files, with the problems and counts."""

    entries: tuple[Entry, ...]
