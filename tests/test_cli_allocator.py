"""The command sets the bulk engine's allocator (``_RJEM_MALLOC_CONF``) and polars' thread pool
(``POLARS_MAX_THREADS``) before polars is first imported, unless the user has set them; the
library, and a caller of ``main(argv)``, never do.

Each run is a fresh interpreter with a finder on ``sys.meta_path`` that notes the variable
each time polars is looked for: the first such look is polars' first import (or the
command's check that it is installed), when its jemalloc reads the variable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli._main import MALLOC_CONF, polars_threads

pytest.importorskip("polars")

_WATCH = """
import json, os, runpy, sys

seen = []
threads = []


class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "polars":
            seen.append(os.environ.get("_RJEM_MALLOC_CONF"))
            threads.append(os.environ.get("POLARS_MAX_THREADS"))
        return None


sys.meta_path.insert(0, Watch())
how, out, *argv = sys.argv[1:]
try:
    if how == "command":  # as the ieepa-refund script runs it: main() reads sys.argv
        sys.argv = ["ieepa-refund", *argv]
        runpy.run_module("ieepa_refund", run_name="__main__")
    elif how == "main":
        from ieepa_refund.cli import main

        main(argv)
    else:
        from datetime import date

        from ieepa_refund.bulk import estimate

        estimate(argv[0], as_of=date(2026, 7, 1))
except SystemExit:
    pass
with open(out, "w") as f:
    json.dump(
        {
            "seen": seen,
            "imported": "polars" in sys.modules,
            "after": os.environ.get("_RJEM_MALLOC_CONF"),
            "threads": threads,
            "pool": sys.modules["polars"].thread_pool_size() if "polars" in sys.modules else None,
        },
        f,
    )
"""


#: The variables the command may set.
_OURS = ("_RJEM_MALLOC_CONF", "POLARS_MAX_THREADS")


def _watch(
    tmp_path: Path, how: str, *, user: str | None = None, threads: str | None = None
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    if user is not None:
        env["_RJEM_MALLOC_CONF"] = user
    if threads is not None:
        env["POLARS_MAX_THREADS"] = threads
    out = tmp_path / "seen.json"
    argv = [str(sample_es003())]
    if how != "library":
        argv = ["estimate", *argv, "--as-of", "2026-07-01", "--engine", "bulk", "--no-roads"]
        argv += ["--out", str(tmp_path / "refunds.csv")]
    subprocess.run(
        [sys.executable, "-c", _WATCH, how, str(out), *argv],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def test_command_sets_the_allocator_before_polars_is_imported(tmp_path: Path) -> None:
    found = _watch(tmp_path, "command")
    assert found["imported"] is True
    assert found["seen"], "polars was never looked for"
    assert found["seen"] == [MALLOC_CONF] * len(found["seen"])
    # polars puts the environment's setting after its own, so that it wins.
    assert str(found["after"]).endswith("," + MALLOC_CONF)
    assert found["threads"] == [polars_threads()] * len(found["seen"])
    assert found["pool"] == int(polars_threads())


def test_polars_threads_are_one_fewer_than_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    for cpus, pool in ((1, "1"), (2, "1"), (3, "2"), (16, "15")):
        mask = set(range(cpus))
        monkeypatch.setattr(os, "sched_getaffinity", lambda _, mask=mask: mask, raising=False)
        assert polars_threads() == pool


def test_command_keeps_the_users_allocator_setting(tmp_path: Path) -> None:
    found = _watch(tmp_path, "command", user="muzzy_decay_ms:5000", threads="2")
    assert found["imported"] is True
    assert found["seen"]
    assert set(found["seen"]) == {"muzzy_decay_ms:5000"}
    assert set(found["threads"]) == {"2"}
    assert found["pool"] == 2


@pytest.mark.parametrize("how", ["main", "library"])
def test_library_and_main_with_argv_leave_the_environment(tmp_path: Path, how: str) -> None:
    """The library holds no hidden global state; ``main(argv)`` runs in its caller's process."""
    found = _watch(tmp_path, how)
    assert found["imported"] is True
    assert found["seen"]
    assert set(found["seen"]) == {None}
    assert set(found["threads"]) == {None}
    # polars itself writes its own setting there as it is imported: ours is not in it.
    assert MALLOC_CONF not in str(found["after"])


def test_polars_jemalloc_takes_the_setting() -> None:
    """jemalloc reads every option of the setting: a misspelt one or a bad value is ignored,
    said only on stderr (``<jemalloc>: Invalid conf pair``), and the command would run at
    the defaults unawares."""
    env = {**os.environ, "_RJEM_MALLOC_CONF": MALLOC_CONF}
    done = subprocess.run(
        [sys.executable, "-c", "import polars; polars.Series(range(1000)).sum()"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "jemalloc" not in done.stderr
    env["_RJEM_MALLOC_CONF"] = MALLOC_CONF.replace("decay", "dekay")  # this test can fail
    done = subprocess.run(
        [sys.executable, "-c", "import polars"], env=env, capture_output=True, text=True
    )
    assert "<jemalloc>: Invalid conf pair" in done.stderr
