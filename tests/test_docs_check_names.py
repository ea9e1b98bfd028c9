"""The docs' and the help's ``check`` commands name exactly the declaration files ``cape``
writes (t68/02): a glob over the folder also took the screening report, and ``cape_*_001.csv``
the check-digit review file; the help's example named a file as no run names it today."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main
from ieepa_refund.cli._parser import _EXAMPLES

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str], list[str]]:
    """(the batch id, the declaration files, every file) of the walkthrough's step 4."""
    folder = tmp_path_factory.mktemp("walk")
    argv = [
        "cape", str(sample_es003()), "--out", str(folder / "declarations"),
        "--declared-on", "2026-12-01", "--ledger", str(folder / "declared.csv"),
        "--new-ledger", "--filer-code", "316",
    ]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(argv)
    (manifest,) = (folder / "declarations").glob("cape_*_manifest.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    entries = [f["name"] for f in data["files"] if f["holds"] == "entries"]
    every = sorted(p.name for p in (folder / "declarations").iterdir())
    assert any("check_digit" in name for name in every)  # the sample has a review file
    return data["batch_id"], entries, every


def _check_commands() -> list[tuple[str, list[str]]]:
    """Each ``ieepa-refund check`` command of the README and docs: (page, its file arguments)."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8").replace("\\\n", " ")
        for line in re.findall(r"^\s*ieepa-refund check (.*)$", text, re.M):
            words = shlex.split(line.split("#", 1)[0])
            files = [w for w in words if w.startswith("declarations/")]
            if files:
                found.append((page.name, files))
    return found


def test_the_docs_check_exactly_the_declaration_files(
    written: tuple[str, list[str], list[str]],
) -> None:
    batch, entries, every = written
    commands = _check_commands()
    assert {page for page, _ in commands} >= {"walkthrough.md", "quickstart.md"}
    for page, files in commands:
        taken = set()
        for pattern in files:
            name = pattern.removeprefix("declarations/").replace("<batch>", batch)
            # <filer>, <importer>: a value each, as a reader fills them in (no underscore in
            # a filer code or an importer number); a * is the shell's.
            parts = re.split(r"(<[a-z ]+>|\*)", name)
            shape = "".join(
                "[^_]+" if p.startswith("<") else ".*" if p == "*" else re.escape(p) for p in parts
            )
            matched = {n for n in every if re.fullmatch(shape, n)}
            assert matched, f"{page}: {pattern} names no file cape writes"
            taken |= matched
        assert taken <= set(entries), f"{page}: checks {sorted(taken - set(entries))}"


def test_the_help_examples_name_a_file_as_cape_names_it(
    written: tuple[str, list[str], list[str]],
) -> None:
    batch, entries, _ = written
    for command in ("", "check"):
        (name,) = re.findall(r"declarations/(cape_\S+\.csv)", _EXAMPLES[command])
        assert name.replace("0123456789ab", batch) in entries, (command, name)
