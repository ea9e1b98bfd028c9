"""Check a CAPE Declaration file made elsewhere, as ACE would, before uploading it.

ACE validates a declaration in two stages. A file-level fault ("Failed
initial validation": format, header, length of the numbers, more than 9,999
entries, duplicates, a filer code not the broker account's) rejects the whole
file; an entry-level fault ("Rejected by batch validation") drops only that
entry. :func:`check_declaration` makes every file-level check and the
entry-level check that can be made offline (the check digit), each problem
with its row. The bytes are read as ACE's upload reads them: lines end at
CRLF or LF only, and a control character, a quote that is not one pair
around the whole cell, or a cell that is not the header or an 11-character
entry number of a filer code and 8 digits (``MALFORMED``, what
:func:`write_declarations` keeps out of every file) is a file-level fault. It reads at
most the first 1 MiB and stops at the 10,000th entry, so a file of any size
is checked in bounded memory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .. import entry_number as _entry_number
from ._format import HEADER, MAX_BYTES, MAX_ENTRIES
from ._format import filer_code as _filer_code

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
    """Check a CAPE Declaration CSV; never raises for a bad file, only for an unreadable path
    or a ``filer_code`` that is not 3 digits or letters (InvalidFormat, as the writer).

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
    lines = _lines(text)
    # Nothing is stripped but the quotes a CSV writer may put around a whole cell: whether ACE
    # trims a space or a tab is not documented, so a header or cell that is not exactly the
    # template's is a fault.
    first = lines[0] if lines else ""
    if bad := _control_or_quote(first):
        add("file", *bad, row=1, value=first)
    elif (header := _unquoted(first)) != HEADER:
        spaced = " (a space or tab before or after it)" if header.strip() == HEADER else ""
        add(
            "file",
            "HEADER",
            f"the header must be exactly {HEADER!r}{spaced}",
            row=1,
            value=first,
        )
    filer = _filer_code(filer_code)  # a code no entry can start with raises
    seen: dict[str, int] = {}
    first_filer: tuple[str, int] | None = None
    count = 0
    for row, line in enumerate(lines[1:], start=2):
        cell = line.strip()
        if not cell:
            add("file", "BLANK_ROW", "a blank row", row=row)
            continue
        count += 1
        if count > MAX_ENTRIES:
            # The file is rejected whatever the rest holds: stop, keeping memory and output small.
            complete = False
            break
        if bad := _control_or_quote(line):
            # Read as ACE reads bytes: a cell holding a control character or a stray quote
            # is not an entry number, and the numbers it may join are not rows (t67/02).
            add("file", *bad, row=row, value=line)
            continue
        if "," in cell:
            add("file", "EXTRA_COLUMNS", "one column only: the entry number", row=row, value=line)
            cell = cell.split(",")[0]
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
        number = _entry_number.compact(raw)
        if len(number) != 11:
            add(
                "file",
                "LENGTH",
                f"{len(number)} characters after dashes are stripped, not 11",
                row=row,
                value=line,
            )
            continue
        if not _entry_number.shaped(number):
            # What write_declarations skips as MALFORMED: a number that may sink the file
            # (brief section 8: no other characters; section 6: format faults), not a check
            # digit that ACE may know better (t67/05).
            add(
                "file",
                "MALFORMED",
                "not an entry number: a 3-character filer code (digits or capitals) and 8 digits",
                row=row,
                value=line,
            )
            continue
        if number in seen:
            add("file", "DUPLICATE", f"repeats row {seen[number]}", row=row, value=line)
            continue
        first_filer = first_filer or (number[:3], row)
        if not filer and number[:3] != first_filer[0]:
            # One account submits a file, the importer of record or the filing broker, whose
            # filer code must begin every entry (brief section 6); the writer writes a file
            # per filer code (t67/03).
            add(
                "file",
                "MIXED_FILER_CODES",
                f"filer code {number[:3]} after {first_filer[0]} (row {first_filer[1]}): a "
                "broker account submits only its own filer code's entries and ACE rejects "
                "the whole file; write a declaration per filer code",
                row=row,
                value=line,
            )
        if filer and number[:3] != filer:
            # File level, as the writer says: a broker account submits only its own filer
            # code's entries, and initial validation rejects the whole file (brief section 6).
            add(
                "file",
                "FILER_CODE",
                f"filer code {number[:3]} is not {filer}: ACE rejects the whole file",
                row=row,
                value=line,
            )
        seen[number] = row
        if not _entry_number.is_valid(number):
            add(
                "entry",
                "CHECK_DIGIT",
                "the check digit does not match (CATAIR Appendix E)",
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


def _lines(text: str) -> list[str]:
    """The file's lines as ACE's CSV upload splits them: at CRLF or LF, nothing else.

    ``str.splitlines`` also splits at VT, FF, FS-RS, NEL and the Unicode separators, and
    inside quotes; here those stay in their line, to be reported as its fault (t67/02).
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the final line end ends the last row; it opens no blank one
    return lines


_LINE_BREAK = re.compile(r"\r\n|\n")
#: Control characters but the tab, which the LENGTH checks name as whitespace: a bare CR, VT,
#: FF (an in-cell line break from FileMaker or Mac Excel), FS-US, DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _control_or_quote(line: str) -> tuple[str, str] | None:
    """(code, message) when ``line`` holds a control character or a quote that is not one pair
    around the whole cell; None otherwise."""
    if found := _CONTROL.search(line):
        return (
            "CONTROL",
            f"a control character ({found.group()!r} at column {found.start() + 1}): a "
            "declaration holds one entry number a line and nothing else",
        )
    inner = _unquoted(line)
    if '"' in inner:
        why = (
            "a quote that opens or closes a cell on another line (a line break inside a "
            "quoted cell)"
            if line.count('"') % 2
            else "a quote inside the cell"
        )
        return ("QUOTE", f"{why}: one entry number a line and nothing else")
    return None
