"""Files the library writes: a temporary file beside the target, renamed over it when done.

A temporary file is created private (mode 0600); the file a user gets must have the mode
any file they create has (0666 less their umask), or keep the mode of the file it replaces.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

__all__ = ["publish", "stage", "staged_file", "sync_folder"]


def _mode_for(path: Path) -> int:
    try:
        if path.is_file() and not path.is_symlink():
            return stat.S_IMODE(path.stat().st_mode)  # the file replaced keeps its mode
    except OSError:
        pass
    mask = os.umask(0)  # read the umask: the only way is to set it, then put it back
    os.umask(mask)
    return 0o666 & ~mask


def staged_file(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path`` with the mode ``path`` should end with: (fd, name)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _mode_for(path))
    except BaseException:
        os.close(fd)
        Path(name).unlink(missing_ok=True)
        raise
    return fd, Path(name)


def stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path``, flushed to disk; return its path."""
    fd, temp = staged_file(path)
    name = str(temp)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException as exc:
        Path(name).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:
            exc.filename = str(path)  # a full disk names no file by itself
        raise
    return Path(name)


def publish(staged: list[tuple[Path, Path]], published: list[Path] | None = None) -> None:
    """Rename each staged file over its final name: a rename replaces a symlink, never follows it."""
    for temp, final in staged:
        os.replace(temp, final)
        if published is not None:
            published.append(final)
    for folder in {final.parent for _, final in staged}:
        sync_folder(folder)


def sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX); Windows cannot open a folder, and needs not."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
