"""CAPE Declaration files exactly as ACE takes them, a manifest and a ledger.

A CAPE Declaration is a CSV with one column headed ``Entry Number`` (CBP's
template ``ACEP_CapeEntryNumberUploadTemplate``) and one entry number a row,
at most 9,999 entries per file (CBP fact sheet; CSMS #68340863) and under
1 MB. ACE strips dashes; the encoding is unspecified, so the files are
written in the most conservative form: ASCII, CRLF line ends, no byte-order
mark, no blank rows, the bare 11 characters.

A whole file is rejected at "initial validation" for a file-level fault, so
numbers that might sink a file are kept out of it: duplicates, malformed
numbers and (with ``filer_code``) other filers' numbers are skipped with a
reason, and numbers whose check digit fails go into a declaration of their
own by default (``check_digits="separate"``) — ACE knows its own numbers,
and some broker systems are known to issue offset check digits, so such a
number is not silently dropped. ``"skip"`` or ``"keep"`` choose otherwise.

A ledger (CSV of entries already declared) keeps a later batch from
declaring them again, except the entries a caller names in ``redeclare``:
entries CBP failed that may be declared once more (a resubmission; see
:func:`ieepa_refund.reconcile.resubmit`). A resubmitted entry gains a second
ledger row naming its new file, so the ledger keeps every declaration made and
old two-column ledgers stay readable (:func:`read_ledger`). Each row written
with a ``declared_on`` date carries it in a third column, the date the
declaration was made for (given by the caller: the library reads no clock);
rows without one (ledgers written before that column, or a caller that gave no
date) are still valid and their declaration date is simply unknown. It is locked (``<ledger>.lock`` beside it) from the
read to the write, so two runs on one ledger never declare an entry twice;
it is written after the declarations are renamed into place (a run killed
between leaves files a rerun rewrites, never ledger rows naming a missing file),
and rows naming a check-digit file are read as for review, not declared; entry numbers
in it are read as the ES-003 reader reads them (compact, zero-filled); a
ledger that does not parse raises rather than reading as empty. Every file
is written to a temporary name and renamed, so a failed run leaves earlier
files as they were. A JSON manifest lists each file with its count, sha256
and what it holds. File names carry a batch id derived from the entries they
hold, so a batch never overwrites a different one and re-running an
identical batch rewrites identical bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .. import entry_number as _entry_number
from .._files import publish as _publish
from .._files import stage as _stage
from .._model import check_date
from .._tabular import Tabular
from ..entry import PARTY_NUMBER
from ..errors import InvalidFormat
from ..tables import Level, column, summary_html
from ._format import HEADER, MAX_ENTRIES, file_bytes
from ._format import filer_code as _filer_code
from ._ledger import (
    DATED_LEDGER_HEADER,
    LEDGER_HEADER,
    Ledger,
    _ledger_rows,
    _Lock,
    _normalise,
    not_a_ledger,
    read_ledger,
)

__all__ = [
    "DeclarationBatch",
    "DeclarationFile",
    "HEADER",
    "Ledger",
    "MAX_ENTRIES",
    "Skipped",
    "not_a_ledger",
    "read_ledger",
    "write_checked",
    "write_declarations",
]

CheckDigits = Literal["separate", "skip", "keep"]
Holds = Literal["entries", "check_digit_failures"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Skipped(BaseModel):
    """A number left out of every declaration, and why."""

    model_config = _FROZEN

    position: int
    """0-based position in the input."""
    value: str
    code: str
    message: str


class DeclarationFile(BaseModel):
    """One declaration file written."""

    model_config = _FROZEN

    name: str
    count: int
    sha256: str
    holds: Holds
    first: str
    last: str
    filer_code: str | None = None
    """The filer code of every entry in the file (a file holds one: t67/03)."""
    importer_number: str | None = None
    """The importer of record of every entry in it, when the caller gave ``importers``."""


class DeclarationBatch(Tabular, BaseModel):
    """What :func:`write_declarations` wrote and left out."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "file",
            column("name", "str"), column("count", "int"), column("holds", "str"),
            column("first", "str"), column("last", "str"), column("sha256", "str"),
            column("filer_code", "str"), column("importer_number", "str"),
            each="files",
        ),
        Level(
            "skipped",
            column("position", "int"), column("value", "str"), column("code", "str"),
            column("message", "str"),
            each="skipped",
        ),
    )  # fmt: skip

    batch_id: str
    out_dir: str
    files: tuple[DeclarationFile, ...]
    skipped: tuple[Skipped, ...]
    declared: tuple[str, ...]
    """Compact entry numbers written, in input order (check-digit failures last)."""
    manifest: str | None
    """The manifest's path; None when nothing was written (no entry to declare or review)."""
    ledger: str | None
    ledger_held: int | None = None
    """How many entries the ledger held when this batch was checked against it (read under
    its lock: a run that waited for another's counts that run's entries); None without one."""

    @property
    def count(self) -> int:
        return len(self.declared)

    @property
    def for_review(self) -> int:
        """How many of :attr:`count` are in a check-digit file, for review: not declared."""
        return sum(f.count for f in self.files if f.holds == "check_digit_failures")

    def summary_html(self) -> str:
        rows = [
            ("batch", self.batch_id),
            ("entries declared", self.count),
            ("files", len(self.files)),
            ("skipped", len(self.skipped)),
        ]
        return summary_html("CAPE declarations", rows, Counter(s.code for s in self.skipped))


def write_declarations(
    entry_numbers: Iterable[str],
    out_dir: str | Path,
    *,
    ledger: str | Path | None = None,
    filer_code: str | None = None,
    max_entries: int = MAX_ENTRIES,
    check_digits: CheckDigits = "separate",
    redeclare: Iterable[str] = (),
    declared_on: date | None = None,
    importers: Mapping[str, str] | None = None,
) -> DeclarationBatch:
    """Write CAPE Declaration CSVs for ``entry_numbers`` (input order kept) into ``out_dir``.

    One ACE account submits a declaration, the importer of record or the filing broker,
    whose filer code must be the entries' first 3 characters (brief section 6: initial
    validation rejects the whole file otherwise). So each file holds one filer code's
    entries, and with ``importers`` (compact entry number -> importer number) one importer's:
    a batch of several such groups is written as one set of files per group, each name
    carrying its filer code and importer (``cape_<batch>_<filer>_<importer>_001.csv``).

    ``declared_on``: the date the declaration is made for; each ledger row then
    records it (third column), so that a later reading knows whether the entry
    was inside CAPE's look-back on that day. Without it the rows carry no date.

    ``redeclare`` names entries the ledger holds that may be declared again: entries
    CBP failed whose cause is fixed. Only the caller knows CBP's answer, so only
    what it names passes the ledger; every other ledger entry is skipped.
    """
    if not 1 <= max_entries <= MAX_ENTRIES:
        raise InvalidFormat(
            f"max_entries is 1 to {MAX_ENTRIES}", field="max_entries", value=max_entries
        )
    if check_digits not in ("separate", "skip", "keep"):
        raise InvalidFormat(
            "expected 'separate', 'skip' or 'keep'", field="check_digits", value=check_digits
        )
    if declared_on is not None:
        declared_on = check_date(declared_on, field="declared_on")
    filer = _filer_code(filer_code)  # one rule with check: 3 digits or letters
    out = Path(out_dir)
    again = frozenset(_normalise(str(number)) for number in redeclare)
    if ledger is None:
        return _write(
            entry_numbers,
            out,
            None,
            None,
            filer,
            max_entries,
            check_digits,
            again,
            importers=importers,
        )
    ledger_path = Path(ledger)
    with _Lock(ledger_path):
        old = ledger_path.read_bytes() if ledger_path.exists() else None
        return _write(
            entry_numbers,
            out,
            ledger_path,
            old,
            filer,
            max_entries,
            check_digits,
            again,
            declared_on,
            importers=importers,
        )


def _write(
    entry_numbers: Iterable[str],
    out: Path,
    ledger_path: Path | None,
    old_ledger: bytes | None,
    filer: str | None,
    max_entries: int,
    check_digits: CheckDigits,
    redeclare: frozenset[str] = frozenset(),
    declared_on: date | None = None,
    checked: tuple[list[str], list[str]] | None = None,
    importers: Mapping[str, str] | None = None,
    grouped: list[_Group] | None = None,
) -> DeclarationBatch:
    """Classify, then publish declarations and ledger as one step (under the ledger's lock).

    Order: every file is staged (written and flushed under a temporary name)
    first; then the staged files are renamed to their names; then the ledger is
    replaced by old rows + new rows (one rename). A failure while renaming, or
    while writing the ledger, removes the files renamed so far and leaves the old
    ledger. A run killed between the renames and the ledger leaves declarations
    the ledger does not hold: the same entries again make the same batch id, so a
    rerun rewrites the same files and records them. Never ledger rows naming a file
    that is not there, which every later run would skip as declared (t67/08).
    Entries in a check-digit file get rows naming it, which the reader takes as "for
    review", not declared.
    """
    found = (
        _ledger_rows(ledger_path, old_ledger) if ledger_path and old_ledger is not None else None
    )
    already = set(found) if found is not None else set()
    held = None if ledger_path is None else len(found) if found is not None else 0
    review = set(found.review) if found is not None else set()
    good: list[str] = []
    bad_digit: list[str] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for position, raw in enumerate(entry_numbers):
        text = raw if isinstance(raw, str) else str(raw)
        number = _entry_number.compact(text)
        if number == text:
            # Already compact (as the reader gives them): keep the caller's string rather than
            # the copy compact makes, which seen, the lists and the batch would hold per entry.
            number = text

        def skip(code: str, message: str, value: str = text, at: int = position) -> None:
            skipped.append(Skipped(position=at, value=value, code=code, message=message))

        if (
            len(number) != 11
            or not number[:3].isalnum()
            or not number[3:].isdigit()
            or not number.isascii()
        ):
            skip("MALFORMED", "not an entry number: 3-character filer code and 8 digits")
        elif number in seen:
            skip("DUPLICATE", "already in this batch")
        elif filer is not None and number[:3] != filer:
            skip(
                "OTHER_FILER", f"filer code {number[:3]} is not {filer}: ACE rejects the whole file"
            )
        elif number in already and number not in redeclare:
            skip("ALREADY_DECLARED", "in the ledger of entries already declared")
        elif (
            number in review
            and check_digits == "separate"
            and not _entry_number.check_digit_matches(number)
        ):
            # Written for review by an earlier run: not declared, and not written again for
            # review each run; --check-digits keep declares it once ACE confirms the number.
            skip(
                "IN_REVIEW",
                "its check digit fails; in a file for review per the ledger, not declared: "
                "check it in ACE, then run with --check-digits keep to declare it",
            )
        # The first test above is the compact shape (ASCII, a filer code of digits and capitals,
        # since compact upper-cases, and 8 digits): only the check digit is left of is_valid.
        elif not _entry_number.check_digit_matches(number):
            seen.add(number)
            if check_digits == "skip":
                skip("BAD_CHECK_DIGIT", "the check digit does not match")
            elif check_digits == "separate":
                bad_digit.append(number)
            else:
                good.append(number)
        else:
            seen.add(number)
            good.append(number)
    del seen  # as large as the lists it checked (8 to 16 MB at 1M rows): freed before writing
    if checked is not None:  # write_checked: numbers the caller has classified as the loop does
        good, bad_digit = checked

    parties = (
        set(importers.values())
        if importers is not None
        else {party for _, party, _, _ in grouped}
        if grouped is not None
        else set()
    )
    # An importer number goes into file names: one that is not a party number's shape
    # (letters, digits, dashes) could name another folder or file.
    for party in parties:
        if not isinstance(party, str) or not PARTY_NUMBER.fullmatch(party):
            raise InvalidFormat(
                "an importer number (8-19 letters, digits and dashes)",
                field="importers",
                value=party,
            )
    groups = grouped if grouped is not None else _groups(good, bad_digit, importers)
    declared = [number for *_, numbers in groups for number in numbers]
    batch_id = hashlib.sha256("\n".join(declared).encode("ascii")).hexdigest()[:12]
    out.mkdir(parents=True, exist_ok=True)
    if not declared:
        # Nothing to declare or review (t68/11): no manifest of nothing (named by the sha256
        # of no bytes); the skipped numbers are in the batch returned.
        return DeclarationBatch(
            batch_id=batch_id,
            out_dir=str(out),
            files=(),
            skipped=tuple(skipped),
            declared=(),
            manifest=None,
            ledger=str(ledger_path) if ledger_path else None,
            ledger_held=held,
        )
    files: list[DeclarationFile] = []
    contents: list[tuple[str, bytes]] = []
    rows: list[tuple[str, str]] = []
    # One group (the usual batch) keeps the plain names; several say whose each file is.
    named = len({(code, importer) for code, importer, _, _ in groups}) > 1
    for code, importer, holds, numbers in groups:
        whose = f"_{code}" + (f"_{importer}" if importer else "") if named else ""
        stem = f"cape_{batch_id}{whose}" + ("_check_digit" if holds != "entries" else "")
        for index in range(0, len(numbers), max_entries):
            chunk = numbers[index : index + max_entries]
            data = file_bytes(chunk)
            name = f"{stem}_{index // max_entries + 1:03d}.csv"
            contents.append((name, data))
            if ledger_path is not None:  # a row per entry, needed only to write the ledger
                # A check-digit file's rows name it: the reader takes them as "for review", not
                # declared (t67/07), so a run after the entry is checked in ACE can declare it.
                rows.extend((number, name) for number in chunk)
            files.append(
                DeclarationFile(
                    name=name,
                    count=len(chunk),
                    sha256=hashlib.sha256(data).hexdigest(),
                    holds=holds,
                    first=chunk[0],
                    last=chunk[-1],
                    filer_code=code,
                    importer_number=importer,
                )
            )
    manifest_path = out / f"cape_{batch_id}_manifest.json"
    manifest = {
        "batch_id": batch_id,
        "header": HEADER,
        "encoding": "ascii",
        "line_end": "CRLF",
        "max_entries": max_entries,
        "filer_code": filer,
        "check_digits": check_digits,
        "declared": len(declared),
        # Of them, in a check-digit file: for review, not declared (t68/11).
        "for_review": sum(f.count for f in files if f.holds == "check_digit_failures"),
        "files": [f.model_dump() for f in files],
        "skipped": [s.model_dump() for s in skipped],
    }
    contents.append((manifest_path.name, (json.dumps(manifest, indent=2) + "\n").encode()))
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in contents:
            staged.append((_stage(out / name, data), out / name))
        if ledger_path is not None and rows:
            # The files first, then the ledger: a run killed between them leaves declarations
            # the ledger does not hold, which a rerun writes again under the same names and
            # bytes (the batch id is the entries'), then records; never ledger rows naming a
            # file that was never written, which every later run would skip (t67/08).
            published: list[Path] = []
            ledger_touched = False
            try:
                _publish(staged, published)
                ledger_touched = True  # a failure after its rename (the folder's sync) too
                _replace_ledger(ledger_path, old_ledger, rows, declared_on)
            except BaseException:
                # All or nothing: take back what was renamed, and the ledger rows if written.
                for final in published:
                    final.unlink(missing_ok=True)
                if ledger_touched:
                    _restore_ledger(ledger_path, old_ledger)
                raise
        else:
            _publish(staged)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return DeclarationBatch(
        batch_id=batch_id,
        out_dir=str(out),
        files=tuple(files),
        skipped=tuple(skipped),
        declared=tuple(declared),
        manifest=str(manifest_path),
        ledger=str(ledger_path) if ledger_path else None,
        ledger_held=held,
    )


_Group = tuple[str, str | None, Holds, list[str]]


def _groups(
    good: list[str], bad_digit: list[str], importers: Mapping[str, str] | None
) -> list[_Group]:
    """(filer code, importer, holds, numbers) per file set: every group's entries, in order of
    first appearance, then every group's check-digit failures; numbers keep input order.

    A file mixing filer codes or importers has no one account that may submit it (t67/03).
    """
    found: list[_Group] = []
    kinds: tuple[tuple[Holds, list[str]], ...] = (
        ("entries", good),
        ("check_digit_failures", bad_digit),
    )
    for holds, numbers in kinds:

        def key(number: str) -> tuple[str, str | None]:
            return number[:3], importers.get(number) if importers is not None else None

        if not numbers:
            continue
        first = key(numbers[0])
        # About one pass over the numbers, however many groups: the check stops at the first
        # number of another group (keys are not held: a list of them, at 1M rows, would be
        # 15 MB of 3-character strings beside the numbers).
        if all(key(number) == first for number in numbers):
            # The usual batch: the list itself, not a copy (1M rows: 8 MB).
            found.append((*first, holds, numbers))
            continue
        by_key: dict[tuple[str, str | None], list[str]] = {}
        for number in numbers:
            by_key.setdefault(key(number), []).append(number)
        found.extend((code, importer, holds, group) for (code, importer), group in by_key.items())
    return found


def _write_grouped(groups: list[_Group], out_dir: str | Path, max_entries: int) -> DeclarationBatch:
    """:func:`write_checked` for numbers its caller has checked and grouped as :func:`_groups`
    groups them (filer code, importer, holds, numbers; each holds' groups in order of first
    appearance, entries before check-digit failures, numbers in input order): the bulk engine
    groups hundreds of thousands in columns, with no mapping of each number to its importer
    (about 20 MB at 1M rows). The files are byte for byte those of :func:`write_checked`."""
    return _write(
        (), Path(out_dir), None, None, None, max_entries, "separate", checked=([], []),
        grouped=groups,
    )  # fmt: skip


def write_checked(
    good: Iterable[str],
    bad_check_digit: Iterable[str],
    out_dir: str | Path,
    *,
    max_entries: int = MAX_ENTRIES,
    importers: Mapping[str, str] | None = None,
) -> DeclarationBatch:
    """:func:`write_declarations` with no ledger or filer code, for numbers already checked.

    ``good`` are distinct, compact, well-formed entry numbers with a right check digit,
    ``bad_check_digit`` the same with a wrong one: what the checks of
    :func:`write_declarations` would find, found by the caller (the bulk engine checks
    hundreds of thousands in columns). The files are those ``write_declarations`` writes
    for ``[*good, *bad_check_digit]`` with the same ``importers``, byte for byte.
    """
    if not 1 <= max_entries <= MAX_ENTRIES:
        raise InvalidFormat(
            f"max_entries is 1 to {MAX_ENTRIES}", field="max_entries", value=max_entries
        )
    sorted_out = (list(good), list(bad_check_digit))
    return _write(
        (),
        Path(out_dir),
        None,
        None,
        None,
        max_entries,
        "separate",
        checked=sorted_out,
        importers=importers,
    )


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _replace_ledger(
    path: Path, old: bytes | None, rows: list[tuple[str, str]], declared_on: date | None
) -> None:
    """Old ledger bytes kept as they are, then the new rows; written whole and renamed.

    With ``declared_on`` each new row carries it; an old two-column ledger keeps its
    header (the third column is read by position, so its old rows stay valid).
    """
    # New rows end lines as the ledger's first line does (a ledger saved by Excel on Windows
    # ends them CRLF, an old Mac one CR alone), so the file keeps one line ending.
    first = _LINE_END.search(old or b"")
    ending = first.group().decode("ascii") if first else "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ending)
    if not old or not old.strip():
        writer.writerow(LEDGER_HEADER if declared_on is None else DATED_LEDGER_HEADER)
        old = b""
    elif not old.endswith((b"\n", b"\r")):
        buffer.write(ending)  # a ledger saved without a final newline: do not glue two rows
    if declared_on is None:
        writer.writerows(rows)
    else:
        writer.writerows((number, name, declared_on.isoformat()) for number, name in rows)
    temp = _stage(path, old + buffer.getvalue().encode("utf-8"))
    try:
        _publish([(temp, path)])
    finally:
        temp.unlink(missing_ok=True)


def _restore_ledger(path: Path, old: bytes | None) -> None:
    if old is None:
        path.unlink(missing_ok=True)
        return
    temp = _stage(path, old)
    try:
        _publish([(temp, path)])
    finally:
        temp.unlink(missing_ok=True)
