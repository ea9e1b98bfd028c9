"""The demo exits 0 whenever it ran, while ``estimate``/``reconcile`` on the same files exit 1
for the problems the sample holds on purpose: the help and the docs say so (t68/09)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "src" / "ieepa_refund" / "examples"


def test_the_demo_exits_0_where_the_same_files_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--as-of", "2026-11-28"]) == 0
    assert main(["estimate", str(sample_es003()), "--as-of", "2026-11-28"]) == 1
    assert main(["demo", "--reconcile", "--as-of", "2026-11-28"]) == 0
    argv = [
        "reconcile", str(sample_es003()), "--ledger", str(EXAMPLES / "sample_ledger.csv"),
        "--claims", str(EXAMPLES / "sample_claims.csv"),
        "--refunds", str(EXAMPLES / "sample_rev615.csv"),
        "--trade-refunds", str(EXAMPLES / "sample_rev603.csv"),
        "--deposits", str(EXAMPLES / "sample_deposits.csv"), "--as-of", "2026-11-28",
    ]  # fmt: skip
    assert main(argv) == 1
    capsys.readouterr()


def test_the_demo_help_says_it_exits_0_and_lists_no_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "the demo exits 0 whenever it ran, while estimate and reconcile on the same files " \
        "exit 1 for those problems" in text  # fmt: skip
    status = text.split("exit status:", 1)[1]
    assert "0 done, the sample's problems shown" in status
    assert " 1 " not in status


def test_the_readme_and_docs_say_so() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "the demo exits 0 whenever it ran, while `estimate` (or `reconcile`) on the same " \
        "files exits 1 for them" in readme  # fmt: skip
    page = " ".join((ROOT / "docs" / "reconcile.md").read_text(encoding="utf-8").split())
    assert "The demo exits 0 whenever it ran" in page
