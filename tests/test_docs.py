"""The documentation site builds with warnings as errors, and the example notebook runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_docs_build_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "compute_refund" in api
    assert "accrue_interest" in api
    assert (tmp_path / "site" / "example.ipynb").exists()


@pytest.mark.slow
def test_example_notebook_runs_top_to_bottom() -> None:
    notebook = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "docs")}},
    ).execute()
    outputs = [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    ]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the two charts
    assert any("Refunds" in o.get("data", {}).get("text/html", "") for o in outputs)


def test_notebook_is_stored_without_outputs() -> None:
    """The notebook in the repository is the source; CI makes its outputs."""
    notebook = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_the_readme_module_map_matches_the_tree() -> None:
    """Every package and module of the library is in the README's Layout map, and every
    name the map gives exists (the re-export modules kept for old imports are named after it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = layout.split("```\nsrc/ieepa_refund/\n", 1)[1].split("```", 1)[0]
    block = block.split("\ntests/", 1)[0]  # the library's part of the map
    named = {name.rstrip("/") for name in re.findall(r"\b[\w]+\.py\b|^\s*[\w]+/", block, re.M)}
    named = {name.strip() for name in named}
    package = ROOT / "src" / "ieepa_refund"
    shims = {"models.py", "results.py", "whatif.py", "plots.py", "__main__.py"}
    tree = {
        p.name
        for p in package.iterdir()
        if (p.is_dir() and not p.name.startswith("__"))
        or (p.suffix == ".py" and p.name not in shims)
    }
    assert tree <= named, f"missing from the README's Layout: {sorted(tree - named)}"
    assert named <= tree, sorted(named - tree)
    for shim in sorted(shims - {"__main__.py"}):
        assert f"`{shim[:-3]}`" in layout
