"""Check a CAPE Declaration file made elsewhere, as ACE would, before uploading it.

ACE validates a declaration in two stages. A file-level fault ("Failed
initial validation": format, header, length of the numbers, more than 9,999
entries, duplicates) rejects the whole file; an entry-level fault ("Rejected
by batch validation") drops only that entry. :func:`check_declaration` makes
every file-level check and the entry-level checks that can be made offline
(the check digit, the filer code), each problem with its row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .. import entry_number as _entry_number
from ._format import HEADER, MAX_BYTES, MAX_ENTRIES

__all__ = [
    "DeclarationCheck",
    "DeclarationProblem",
    "MAX_BYTES",
    "check_declaration",
]

Level = Literal["file", "entry"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DeclarationProblem(BaseModel):
    """One fault. ``level="file"`` faults make ACE reject the whole file."""

    model_config = _FROZEN

    level: Level
    code: str
    message: str
    row: int | None = None
    """1-based line number in the file (the header is row 1)."""
    value: str | None = None


class DeclarationCheck(BaseModel):
    """The result of checking one declaration file."""

    model_config = _FROZEN

    path: str
    entries: int
    problems: tuple[DeclarationProblem, ...]

    @property
    def file_ok(self) -> bool:
        """No file-level fault: ACE's initial validation would pass."""
        return not any(p.level == "file" for p in self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_declaration(path: str | Path, *, filer_code: str | None = None) -> DeclarationCheck:
    """Check a CAPE Declaration CSV; never raises for a bad file, only for an unreadable path."""
    file = Path(path)
    data = file.read_bytes()
    problems: list[DeclarationProblem] = []

    def add(
        level: Level, code: str, message: str, row: int | None = None, value: str | None = None
    ) -> None:
        problems.append(
            DeclarationProblem(level=level, code=code, message=message, row=row, value=value)
        )

    if file.suffix.lower() != ".csv":
        add("file", "EXTENSION", f"ACE takes .csv files, not {file.suffix or 'no extension'!r}")
    if len(data) >= MAX_BYTES:
        add("file", "TOO_LARGE", f"{len(data):,} bytes: a declaration must be under 1 MB")
    if not data.strip():
        add("file", "EMPTY", "the file is empty")
        return DeclarationCheck(path=str(file), entries=0, problems=tuple(problems))
    if data.startswith(b"\xef\xbb\xbf"):
        add(
            "file",
            "BYTE_ORDER_MARK",
            "the file starts with a UTF-8 byte-order mark; ACE's template has none",
        )
        data = data[3:]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        add("file", "NOT_ASCII", f"a byte outside ASCII at offset {exc.start}")
        text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    header = lines[0].strip().strip('"') if lines else ""
    if header != HEADER:
        add(
            "file",
            "HEADER",
            f"the header must be exactly {HEADER!r}",
            row=1,
            value=lines[0] if lines else "",
        )
    filer = filer_code.strip().upper() if filer_code else None
    seen: dict[str, int] = {}
    count = 0
    for row, line in enumerate(lines[1:], start=2):
        cell = line.strip()
        if not cell:
            add("file", "BLANK_ROW", "a blank row", row=row)
            continue
        if "," in cell:
            add("file", "EXTRA_COLUMNS", "one column only: the entry number", row=row, value=line)
            cell = cell.split(",")[0]
        count += 1
        number = _entry_number.compact(cell.strip('"'))
        if len(number) != 11:
            add(
                "file",
                "LENGTH",
                f"{len(number)} characters after dashes are stripped, not 11",
                row=row,
                value=line,
            )
            continue
        if number in seen:
            add("file", "DUPLICATE", f"repeats row {seen[number]}", row=row, value=line)
            continue
        seen[number] = row
        if not _entry_number.is_valid(number):
            add(
                "entry",
                "CHECK_DIGIT",
                "the check digit does not match (CATAIR Appendix E)",
                row=row,
                value=line,
            )
        if filer and number[:3] != filer:
            add(
                "entry",
                "FILER_CODE",
                f"filer code {number[:3]} is not {filer}",
                row=row,
                value=line,
            )
    if count > MAX_ENTRIES:
        add("file", "TOO_MANY", f"{count:,} entries: at most {MAX_ENTRIES:,} per declaration")
    return DeclarationCheck(path=str(file), entries=count, problems=tuple(problems))
