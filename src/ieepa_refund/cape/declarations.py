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
declaring them again; a JSON manifest lists each file with its count, sha256
and what it holds. File names carry a batch id derived from the entries they
hold, so a batch never overwrites a different one and re-running an
identical batch rewrites identical bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from .. import entry_number as _entry_number
from .._tabular import Tabular
from ..errors import InvalidFormat
from ..tables import Level, column, summary_html
from ._format import HEADER, MAX_ENTRIES, file_bytes

__all__ = [
    "DeclarationBatch",
    "DeclarationFile",
    "HEADER",
    "MAX_ENTRIES",
    "Skipped",
    "write_declarations",
]

CheckDigits = Literal["separate", "skip", "keep"]
Holds = Literal["entries", "check_digit_failures"]
LEDGER_HEADER = ("entry_number", "declaration_file")
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


class DeclarationBatch(Tabular, BaseModel):
    """What :func:`write_declarations` wrote and left out."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "file",
            column("name", "str"), column("count", "int"), column("holds", "str"),
            column("first", "str"), column("last", "str"), column("sha256", "str"),
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
    manifest: str
    ledger: str | None

    @property
    def count(self) -> int:
        return len(self.declared)

    def summary_html(self) -> str:
        rows = [
            ("batch", self.batch_id),
            ("entries declared", self.count),
            ("files", len(self.files)),
            ("skipped", len(self.skipped)),
        ]
        return summary_html("CAPE declarations", rows, Counter(s.code for s in self.skipped))


def _read_ledger(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", newline="") as f:
        return {
            _entry_number.compact(row[0])
            for row in csv.reader(f)
            if row and row[0] != LEDGER_HEADER[0]
        }


def write_declarations(
    entry_numbers: Iterable[str],
    out_dir: str | Path,
    *,
    ledger: str | Path | None = None,
    filer_code: str | None = None,
    max_entries: int = MAX_ENTRIES,
    check_digits: CheckDigits = "separate",
) -> DeclarationBatch:
    """Write CAPE Declaration CSVs for ``entry_numbers`` (input order kept) into ``out_dir``."""
    if not 1 <= max_entries <= MAX_ENTRIES:
        raise InvalidFormat(
            f"max_entries is 1 to {MAX_ENTRIES}", field="max_entries", value=max_entries
        )
    if check_digits not in ("separate", "skip", "keep"):
        raise InvalidFormat(
            "expected 'separate', 'skip' or 'keep'", field="check_digits", value=check_digits
        )
    filer = filer_code.strip().upper() if filer_code else None
    if filer is not None and len(filer) != 3:
        raise InvalidFormat("a filer code has 3 characters", field="filer_code", value=filer_code)
    ledger_path = Path(ledger) if ledger is not None else None
    already = _read_ledger(ledger_path) if ledger_path else set()

    good: list[str] = []
    bad_digit: list[str] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for position, raw in enumerate(entry_numbers):
        text = raw if isinstance(raw, str) else str(raw)
        number = _entry_number.compact(text)

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
        elif number in already:
            skip("ALREADY_DECLARED", "in the ledger of entries already declared")
        elif not _entry_number.is_valid(number):
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

    declared = [*good, *bad_digit]
    batch_id = hashlib.sha256("\n".join(declared).encode("ascii")).hexdigest()[:12]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[DeclarationFile] = []
    for holds, numbers, stem in (
        ("entries", good, f"cape_{batch_id}"),
        ("check_digit_failures", bad_digit, f"cape_{batch_id}_check_digit"),
    ):
        for index in range(0, len(numbers), max_entries):
            chunk = numbers[index : index + max_entries]
            data = file_bytes(chunk)
            name = f"{stem}_{index // max_entries + 1:03d}.csv"
            (out / name).write_bytes(data)
            files.append(
                DeclarationFile(
                    name=name,
                    count=len(chunk),
                    sha256=hashlib.sha256(data).hexdigest(),
                    holds=holds,
                    first=chunk[0],
                    last=chunk[-1],
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
        "files": [f.model_dump() for f in files],
        "skipped": [s.model_dump() for s in skipped],
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if ledger_path is not None and files:
        _append_ledger(ledger_path, files, good, bad_digit, max_entries)
    return DeclarationBatch(
        batch_id=batch_id,
        out_dir=str(out),
        files=tuple(files),
        skipped=tuple(skipped),
        declared=tuple(declared),
        manifest=str(manifest_path),
        ledger=str(ledger_path) if ledger_path else None,
    )


def _append_ledger(
    path: Path, files: list[DeclarationFile], good: list[str], bad: list[str], size: int
) -> None:
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    by_file = iter(files)
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        if new:
            writer.writerow(LEDGER_HEADER)
        for numbers in (good, bad):
            for index in range(0, len(numbers), size):
                name = next(by_file).name
                writer.writerows((number, name) for number in numbers[index : index + size])
