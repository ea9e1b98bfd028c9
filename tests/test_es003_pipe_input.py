"""A named pipe or ``<(zcat x.csv.gz)`` given as the ES-003 file (t62/10) was refused as "no
such file": it exists, and is refused because it is read more than once. Never opened here, so
no test blocks on a pipe with no writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ieepa_refund.cli import main
from ieepa_refund.errors import InputFileError
from ieepa_refund.es003 import read_es003

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def _fifo(tmp: Path) -> Path:
    path = tmp / "es003.csv"
    os.mkfifo(path)
    return path


def test_the_reader_says_a_pipe_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"not a regular file .*save it to a file first"):
        read_es003(_fifo(tmp_path))
    with pytest.raises(InputFileError, match="no such file"):
        read_es003(tmp_path / "missing.csv")


@pytest.mark.parametrize("engine", ["entry", "bulk"])
def test_the_command_says_so_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    if engine == "bulk":
        pytest.importorskip("polars")
    code = main(["estimate", str(_fifo(tmp_path)), "--as-of", "2026-11-28", "--engine", engine])
    assert code == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err
    assert "no such file" not in err
