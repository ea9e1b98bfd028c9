"""Files the command writes: checked before any input is read, written whole or not at all.

Every output goes to a temporary file in its own folder and is renamed over
its name (``os.replace``) only when the run has read all of its input and
finished writing: a run that fails or is killed leaves the previous file as
it was (and no temporary file behind, unless killed outright). Before any
input is read, each output path is checked: a folder, a path that is one of
the inputs (by resolved path or same file), two outputs on one path, and a
symbolic link are refused with a plain message. A symbolic link is refused
rather than written through; the rename could only replace the link itself
in any case, never its target.

CSV cells (and ``.xlsx`` cells, which openpyxl would store as a formula) that
a spreadsheet would run as a formula get a leading quote.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._files import staged_file
from ._parser import INPUT_OPTIONS

__all__ = [
    "FORMATS",
    "Outputs",
    "UsageError",
    "cell",
    "check_inputs",
    "check_output",
    "counted",
    "format_of",
    "input_files",
    "quiet_broken_pipe",
    "same_file",
    "write_csv",
]

FORMATS = (".csv", ".json", ".xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class UsageError(Exception):
    """A command line that cannot be run as given: exit status 2, the message alone."""


def cell(value: Any) -> Any:
    """A spreadsheet-safe cell: text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def counted(n: int, one: str, many: str) -> str:
    """``n`` with its noun, singular for exactly one: "1 entry", "2 entries", "1,024 rows"."""
    return f"{n:,} {one if n == 1 else many}"


def format_of(path: Path) -> str:
    """The output format an ``--out`` path names by its extension, or a usage error."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"{path}: unknown output format {suffix or '(no extension)'!r}; "
            f"name the file .csv, .json or .xlsx"
        )
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401 - only whether it is there
        except ImportError:
            raise UsageError(
                f"{path}: writing .xlsx needs openpyxl: pip install 'ieepa-refund[xlsx]' "
                "(or name the file .csv or .json)"
            ) from None
    return suffix[1:]


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: by resolved path (links followed) or as hard links."""
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def input_files(args: argparse.Namespace, *, besides: str | None = None) -> list[Path]:
    """Every file the command reads, from each option the parser typed as an input file.

    The one list outputs are checked against: ledgers, deposit files and CBP
    files as well as the ES-003 exports. ``besides`` leaves one option out (the
    ledger ``cape`` appends to is checked against the others, not itself).
    """
    found: list[Path] = []
    for dest in getattr(args, INPUT_OPTIONS, ()):
        if dest == besides:
            continue
        value = getattr(args, dest, None)
        if isinstance(value, Path):
            found.append(value)
        elif isinstance(value, list):
            found.extend(value)
    return found


def check_inputs(inputs: Sequence[Path]) -> None:
    """Refuse one file given twice (``x.csv`` and ``./x.csv``, a link, a hard link): its
    entries would be read twice, every one rejected as repeated across files, and its
    problems named alike."""
    for k, path in enumerate(inputs):
        for earlier in inputs[:k]:
            if same_file(path, earlier):
                raise UsageError(f"{earlier} and {path}: one file given twice; give it once")


def check_output(path: Path, *, inputs: Iterable[Path], others: Iterable[Path] = ()) -> None:
    """Refuse an output path that would not be safe to write (see the module docstring)."""
    if path.is_symlink():
        raise UsageError(
            f"{path}: a symbolic link; outputs do not follow links: give the path of a real file"
        )
    if path.is_dir():
        raise UsageError(f"{path}: a folder, not a file")
    for source in inputs:
        if same_file(path, source):
            raise UsageError(f"{path}: is also an input ({source}); choose another output")
    for other in others:
        if same_file(path, other):
            raise UsageError(f"{path}: given for two outputs; choose another")


class _Text(io.TextIOWrapper):
    """A text file that names its path on a write error (a full disk names no file otherwise)."""

    path = ""

    def write(self, s: str) -> int:
        try:
            return super().write(s)
        except OSError as exc:
            exc.filename = exc.filename or self.path
            raise

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            exc.filename = exc.filename or self.path
            raise


class _Staged:
    """One output under a temporary name in its own folder, renamed over its name by commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.temp = staged_file(path)
        except OSError as exc:
            exc.filename = str(path)  # the output the user named, not our temporary file
            raise
        self.stream: _Text | None = None
        self.fd: int | None = fd

    def text(self) -> TextIO:
        assert self.fd is not None
        raw = os.fdopen(self.fd, "wb")
        self.fd = None
        self.stream = _Text(raw, encoding="utf-8", newline="")
        self.stream.path = str(self.path)
        return self.stream

    def by_name(self) -> None:
        """Let another library open the temporary file by its name (openpyxl)."""
        assert self.fd is not None
        os.close(self.fd)
        self.fd = None

    def commit(self) -> None:
        try:
            if self.stream is not None:
                self.stream.flush()
                os.fsync(self.stream.fileno())
                self.stream.close()
            else:  # written by name: flush to disk what that library closed
                with self.temp.open("rb+") as f:
                    os.fsync(f.fileno())
        except OSError as exc:
            exc.filename = exc.filename or str(self.path)
            raise
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        try:
            if self.stream is not None and not self.stream.closed:
                self.stream.close()
            elif self.fd is not None:
                os.close(self.fd)
        except OSError:
            pass  # the file is being thrown away: a second full-disk error says nothing new
        self.temp.unlink(missing_ok=True)


class Outputs:
    """The run's output files: staged as written, renamed into place together by :meth:`commit`.

    Use as a context manager: leaving it by an exception (or without calling
    :meth:`commit`) removes every temporary file and leaves the outputs as
    they were.
    """

    def __init__(self) -> None:
        self._staged: list[_Staged] = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, *exc: object) -> None:
        for staged in self._staged:
            staged.discard()
        self._staged.clear()

    def text(self, path: Path) -> TextIO:
        """A text stream (UTF-8, newlines as written) for ``path``."""
        staged = _Staged(path)
        self._staged.append(staged)
        return staged.text()

    def temp_path(self, path: Path) -> Path:
        """A temporary path for a library that writes by name (openpyxl), renamed on commit."""
        staged = _Staged(path)
        self._staged.append(staged)
        staged.by_name()
        return staged.temp

    def commit(self) -> None:
        for staged in self._staged:
            staged.commit()
        folders = {staged.path.parent for staged in self._staged}
        self._staged.clear()
        if sys.platform != "win32":  # make the renames durable; Windows cannot open a folder
            for folder in folders:
                fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)


def write_csv(
    outputs: Outputs, path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Stage a CSV of ``rows`` under ``header`` at ``path``, cells made spreadsheet-safe."""
    f = outputs.text(path)
    writer = csv.writer(f)
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)


def quiet_broken_pipe() -> None:
    """Point stdout at devnull after a reader went away (Python docs, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a file (a test's capture): nothing left to flush into it
