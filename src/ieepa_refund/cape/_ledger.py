"""The ledger of entries already declared: read tolerantly, locked while a batch uses it.

A CSV of ``entry_number,declaration_file[,declared_on]``; an entry declared again after
CBP failed it has a row per declaration, the latest standing. Entry numbers are read as
the ES-003 reader reads them (compact, zero-filled); a ledger that does not parse, an empty
file and a quote left open raise rather than reading as fewer declarations; declared-on
dates outside 2000-2099 (or after ``declared_by``) raise naming the row. A row naming a
check-digit file (written for review) does not make its entry declared (:attr:`Ledger.review`).
Written by
:mod:`.declarations`, which replaces it whole under :class:`_Lock`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from .. import entry_number as _entry_number
from .._model import check_date
from ..dates import EARLIEST_DATE, LATEST_DATE
from ..errors import InputFileError
from .rules import CapeRules, default_cape_rules

__all__ = ["DATED_LEDGER_HEADER", "LEDGER_HEADER", "Ledger", "not_a_ledger", "read_ledger"]

LEDGER_HEADER = ("entry_number", "declaration_file")
#: The header of a ledger whose rows carry their declaration date (the third column).
DATED_LEDGER_HEADER = (*LEDGER_HEADER, "declared_on")
#: The forms a declared-on cell is read in: ISO as written, or M/D/YYYY as a spreadsheet
#: resaves a date (the ledger is read as tolerantly as a spreadsheet leaves it).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SHAPE = re.compile(r"[0-9A-Z]{3}[0-9]{8}")
#: The name of a declaration of check-digit failures (declarations.py), written for review: an
#: entry whose ledger row names one is not declared (t67/07), whatever folder the row names.
#: A batch of several (filer code, importer) groups names each file by its group too
#: (``cape_<batch>_316_12-3456789AB_check_digit_001.csv``).
_REVIEW_FILE = re.compile(
    r"cape_[0-9a-f]{12}(?:_[0-9A-Z]{3}(?:_[0-9A-Z][0-9A-Z-]{5,17}[0-9A-Z])?)?_check_digit_\d{3}\.csv"
)


class _Lock:
    """An exclusive lock on ``<ledger>.lock`` beside the ledger, held for read, write and append.

    The lock is on a file of its own because the ledger itself is replaced
    (written whole to a temporary file and renamed), which would drop a lock
    held on it. ``fcntl.flock`` on POSIX; ``msvcrt.locking`` on Windows, which
    retries for about ten seconds and then raises ``OSError``. The lock file
    is left in place: removing it would let a waiting run lock a file that is
    no longer the one the next run opens.
    """

    def __init__(self, ledger: Path) -> None:
        self.path = ledger.with_name(ledger.name + ".lock")
        self.fd = -1

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(self.fd, msvcrt.LK_LOCK, 1)
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(self.fd)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def not_a_ledger(path: Path) -> str | None:
    """Why ``path`` cannot be read as a ledger (a folder, or no file there), or None.

    Every command and function that reads a ledger says it in these words: a mistyped
    path read as an empty ledger would put declared entries back on "declare".
    """
    if path.is_file():
        return None
    if not path.is_dir():
        return f"{path}: no such ledger file"
    try:
        held = sorted(p.name for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    except OSError:
        held = []
    inside = ""
    if held:
        more = f" and {len(held) - 3:,} more" if len(held) > 3 else ""
        inside = f"; CSV files in it: {', '.join(held[:3])}{more}"
    return (
        f"{path}: a folder, not a ledger file: give the ledger CSV itself (the file "
        f"`cape --ledger` writes, such as declared.csv), not the folder it is in{inside}"
    )


def _normalise(text: str) -> str:
    """An entry number as the ES-003 reader gives it: compact, and zero-filled when all digits."""
    number = _entry_number.compact(text)
    # A spreadsheet that opened the ledger drops a numeric filer code's leading zeros.
    return number.zfill(11) if number.isdigit() and len(number) < 11 else number


class Ledger(dict[str, tuple[str, ...]]):
    """Each entry a ledger holds -> its declaration files, oldest first; and when it was declared.

    A plain mapping of entry number to files (as :func:`read_ledger` always gave),
    with :attr:`declared_on`: entry number -> the date its latest declaration was
    made for, for the entries whose latest ledger row carries one. An entry absent
    from it has no known declaration date (a row written before the ledger had the
    column, or without a date).
    """

    declared_on: Mapping[str, date]
    blank_dates: Mapping[str, int]
    """Entry number -> the ledger row (1-based) of its latest declaration, for the entries
    whose latest row has a declared-on cell left blank (a dated ledger's third column
    cleared or never filled): their declaration date is unknown, as a row written before
    the column's, and a road counts from the run's date instead; the caller says so, naming
    the row (t63). A two-cell row (a ledger written before the column) is not among them."""

    review: Mapping[str, tuple[str, ...]]
    """Entry number -> the check-digit files (for review) its rows name, for the entries
    with no other row: written for review, not declared, so not in the mapping (t67/07)."""

    def __init__(
        self,
        files: Mapping[str, tuple[str, ...]] | None = None,
        declared_on: Mapping[str, date] | None = None,
        blank_dates: Mapping[str, int] | None = None,
        review: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        super().__init__(files or {})
        self.declared_on = dict(declared_on or {})
        self.blank_dates = dict(blank_dates or {})
        self.review = dict(review or {})


def read_ledger(
    path: str | Path,
    *,
    declared_by: date | None = None,
    declared_by_name: str | None = None,
    rules: CapeRules | None = None,
) -> Ledger:
    """Each entry a ledger holds -> the declaration files it was written to, oldest first.

    ``declared_by``: the day of the run; a row declared after it (2062 for 2026) is a typo
    that would put the entry on another road, and raises naming the row.
    ``declared_by_name``: what set that day, for the message (the command line passes
    ``--declared-on``); without it, "this run's date". A row declared before CAPE opened
    (``rules``' first ``cape_open`` date, the shipped rules by default) cannot be: it raises
    naming the row too.

    A missing file is an empty ledger (an empty one raises); a row that is not an entry
    number, or whose declared-on cell is not a date, raises
    :class:`InputFileError` naming the row. An entry with more than one file was
    resubmitted after CBP failed it. :attr:`Ledger.declared_on` gives the date
    of each entry's latest declaration where its row has one. An entry whose rows all name
    check-digit files (for review) is not in the mapping but in :attr:`Ledger.review`.
    """
    if declared_by is not None:
        check_date(declared_by, field="declared_by")
    return _ledger_rows(Path(path), None, declared_by, declared_by_name, rules)


def cape_opens(rules: CapeRules | None = None) -> date | None:
    """The day CAPE first took declarations, per the rules data (None: no ``cape_open`` rule)."""
    found = [
        r.effective_from for r in (rules or default_cape_rules()).rows if r.rule == "cape_open"
    ]
    return min(found) if found else None


def _ledger_date(
    path: Path,
    row: int,
    text: str,
    declared_by: date | None,
    by_name: str | None = None,
    opens: date | None = None,
) -> date | None:
    """The declared-on cell of ledger row ``row``: None when blank; not a date raises."""
    text = text.strip()
    if not text:
        return None
    iso, us = _ISO_DATE.fullmatch(text), _US_DATE.fullmatch(text)
    try:
        if iso:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif us:
            day = date(int(us[3]), int(us[1]), int(us[2]))
        else:
            day = None
    except ValueError:
        day = None
    if day is not None:
        if declared_by is not None and day > declared_by:
            later = f"give a later {by_name}" if by_name else "run as of a later date"
            # The cell is shown as the date it reads as; as written only when that differs.
            written = {} if text == day.isoformat() else {"value": text}
            raise InputFileError(
                f"{path}, row {row}, column 3 ({DATED_LEDGER_HEADER[2]}): declared on "
                f"{day.isoformat()}, after this run's {by_name or 'date'} "
                f"{declared_by.isoformat()}: a typo? Fix the cell (or {later})",
                field="ledger",
                **written,
            )
        if opens is not None and EARLIEST_DATE <= day < opens:
            # No declaration predates CAPE: a typo that would date its expected refund, and
            # its look-back, before the entry could have been declared.
            written = {} if text == day.isoformat() else {"value": text}
            raise InputFileError(
                f"{path}, row {row}, column 3 ({DATED_LEDGER_HEADER[2]}): declared on "
                f"{day.isoformat()}, before CAPE opened on {opens.isoformat()} (CAPE rules "
                "data): a typo? Fix the cell",
                field="ledger",
                **written,
            )
        if EARLIEST_DATE <= day <= LATEST_DATE:
            return day
        # A typo'd year (2062 for 2026) would move the entry to another road unseen.
        raise InputFileError(
            f"{path}, row {row}, column 3 ({DATED_LEDGER_HEADER[2]}): {day.isoformat()} is "
            f"outside {EARLIEST_DATE.year} to {LATEST_DATE.year}: a typo? Fix the cell",
            field="ledger",
            value=text,
        )
    raise InputFileError(
        f"{path}, row {row}, column 3 ({DATED_LEDGER_HEADER[2]}): not a date (YYYY-MM-DD); "
        "fix the cell or clear it",
        field="ledger",
        value=text,
    )


def _ledger_rows(
    path: Path,
    data: bytes | None,
    declared_by: date | None = None,
    by_name: str | None = None,
    rules: CapeRules | None = None,
) -> Ledger:
    """Entry -> declaration files, in ledger order, and each entry's latest declaration date.

    A missing file is an empty ledger; an empty file, or a quote left open, raises.
    The first column of each
    row is the entry number (a header ``entry_number`` on row 1 is skipped), the
    second, when there, the declaration file, the third, when there and not
    blank, the declaration date; blank rows and a missing final newline are
    tolerated; anything else that is not an entry number (or a date in the
    third column) raises :class:`InputFileError` naming the row.
    """
    if data is None:
        if not path.exists():
            return Ledger()
        data = path.read_bytes()
    if not data.strip():
        # Every ledger this library writes has a header row; a file with none is one cut
        # short or made by hand, and reading it as "nothing declared" would declare again.
        raise InputFileError(
            f"{path}: the ledger is empty (not even its header row), not one this tool wrote; if "
            "it is new, delete it (the first declaration run creates it), else restore it",
            field="ledger",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start})", field="ledger") from None
    declared: dict[str, tuple[str, ...]] = {}
    review: dict[str, tuple[str, ...]] = {}
    dates: dict[str, date] = {}
    blank: dict[str, int] = {}
    opens = cape_opens(rules)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for row, cells in enumerate(reader, start=1):
            if any("\n" in c or "\r" in c for c in cells):
                # A quote never closed swallows the rows after it into one cell: the
                # entries on them would be read as undeclared, and declared again.
                raise InputFileError(
                    f"{path}, row {row}: a quote is opened and not closed before line "
                    f"{reader.line_num}: the rows between are unreadable; fix the quote",
                    field="ledger",
                )
            first = cells[0].strip() if cells else ""
            if not any(c.strip() for c in cells):
                continue
            if row == 1 and first.lower() == LEDGER_HEADER[0]:
                continue
            number = _normalise(first)
            if not _SHAPE.fullmatch(number):
                raise InputFileError(
                    f"{path}, row {row}: not an entry number (fix or remove the row)",
                    field="ledger",
                    value=first,
                )
            file = cells[1].strip() if len(cells) > 1 else ""
            if _REVIEW_FILE.fullmatch(Path(file.replace("\\", "/")).name):
                # A check-digit file, for review: the entry is not declared by it.
                review[number] = (*review.get(number, ()), file)
                if len(cells) > 2:
                    _ledger_date(path, row, cells[2], declared_by, by_name, opens)  # still checked
                continue
            declared[number] = (*declared.get(number, ()), *((file,) if file else ()))
            when = (
                _ledger_date(path, row, cells[2], declared_by, by_name, opens)
                if len(cells) > 2
                else None
            )
            # The latest row stands (a resubmission): its date, or none known.
            blank.pop(number, None)
            if when is None:
                dates.pop(number, None)
                if len(cells) > 2:
                    blank[number] = row  # a date cell there, left blank
            else:
                dates[number] = when
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a CSV file ({exc})", field="ledger") from None
    held = {n: files for n, files in review.items() if n not in declared}
    return Ledger(declared, dates, blank, held)
