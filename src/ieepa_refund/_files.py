"""Files the library writes: a temporary file beside the target, renamed over it when done.

A temporary file is created private (mode 0600); the file a user gets must have the mode
any file they create has (0666 less their umask), or keep the mode of the file it replaces.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["staged_file"]


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
