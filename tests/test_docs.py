"""The documentation site builds with warnings as errors, and the example notebook runs."""

from __future__ import annotations

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
