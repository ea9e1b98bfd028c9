"""Check a CAPE Declaration file made elsewhere, as ACE would, before uploading it.

ACE validates a declaration in two stages. A file-level fault ("Failed
initial validation": format, header, length of the numbers, more than 9,999
entries, duplicates) rejects the whole file; an entry-level fault ("Rejected
by batch validation") drops only that entry. :func:`check_declaration` makes
every file-level check and the entry-level checks that can be made offline
(the check digit, the filer code), each problem with its row. It reads at
most the first 1 MiB and stops at the 10,000th entry, so a file of any size
is checked in bounded memory.
"""

from __future__ import annotations

import os
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
    complete: bool = True
    """False when checking stopped early, the file being rejected whatever the rest holds:
    over 1 MiB (``TOO_LARGE``) or over 9,999 entries (``TOO_MANY``)."""

    @property
    def file_ok(self) -> bool:
        """No file-level fault: ACE's initial validation would pass."""
        return not any(p.level == "file" for p in self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_declaration(path: str | Path, *, filer_code: str | None = None) -> DeclarationCheck:
    """Check a CAPE Declaration CSV; never raises for a bad file, only for an unreadable path.

    At most the first 1 MiB is read (the size ACE takes), and checking stops
    at the 10,000th entry: either makes the file rejected whatever follows, so
    a huge file is reported in bounded memory, ``complete`` is then false and
    ``entries`` counts the rows checked.
    """
    file = Path(path)
    with file.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(MAX_BYTES + 1)
    complete = len(data) <= MAX_BYTES
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
        stop = "" if complete else "; only the first 1 MiB was checked"
        add(
            "file",
            "TOO_LARGE",
            f"{max(size, len(data)):,} bytes: a declaration must be under 1 MB{stop}",
        )
    if not complete:
        # Drop the last, cut-off line: it would be reported as a fault it does not have.
        data = data[: data.rfind(b"\n") + 1]
    if not data.strip():
        add("file", "EMPTY", "the file is empty")
        return DeclarationCheck(
            path=str(file), entries=0, problems=tuple(problems), complete=complete
        )
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
    # Nothing is stripped but the quotes a CSV writer may add: whether ACE trims a space or a
    # tab is not documented, so a header or cell that is not exactly the template's is a fault.
    header = _unquoted(lines[0]) if lines else ""
    if header != HEADER:
        spaced = " (a space or tab before or after it)" if header.strip() == HEADER else ""
        add(
            "file",
            "HEADER",
            f"the header must be exactly {HEADER!r}{spaced}",
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
        if count > MAX_ENTRIES:
            # The file is rejected whatever the rest holds: stop, keeping memory and output small.
            complete = False
            break
        raw = _unquoted(line.split(",")[0])
        if raw != raw.strip():
            add(
                "file",
                "LENGTH",
                f"{len(raw)} characters, not 11: a space or tab before or after the number "
                "(whether ACE trims it is not documented)",
                row=row,
                value=line,
            )
            continue
        if " " in raw or "\t" in raw:
            # ACE's template strips dashes only (docs/cape.md); like a space around the number,
            # one inside it may be rejected (t64/09).
            add(
                "file",
                "LENGTH",
                f"{len(raw.replace('-', ''))} characters after dashes are stripped, not 11: a "
                "space or tab inside the number (ACE strips dashes; whether it strips spaces is "
                "not documented); remove it",
                row=row,
                value=line,
            )
            continue
        if raw != raw.upper():
            add(
                "file",
                "CASE",
                "a lower-case letter: ACE's template writes filer codes in capitals (whether "
                "ACE upper-cases them is not documented); write it in capitals",
                row=row,
                value=line,
            )
            continue
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
        add(
            "file",
            "TOO_MANY",
            f"more than {MAX_ENTRIES:,} entries (checking stopped at row {row:,}): "
            f"at most {MAX_ENTRIES:,} per declaration",
            row=row,
        )
    if count == 0:
        add("file", "NO_ENTRIES", "a header and no entry: ACE rejects a declaration of nothing")
    return DeclarationCheck(
        path=str(file), entries=count, problems=tuple(problems), complete=complete
    )


def _unquoted(cell: str) -> str:
    """A cell without the double quotes a CSV writer may put around it, nothing else removed."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1]
    return cell
