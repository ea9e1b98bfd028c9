from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import (
    compute_refunds,
    consolidate,
    deadline_calendar,
    plots,
    read_es003,
    sample_es003,
)

REFUNDS = compute_refunds(read_es003(sample_es003()).entries, interest_until=date(2026, 11, 28))
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda: plots.payments_chart(consolidate(REFUNDS)),
        lambda: plots.cash_timeline(consolidate(REFUNDS)),
        lambda: plots.deadline_cliff(deadline_calendar(REFUNDS, start=date(2026, 9, 1), weeks=26)),
        lambda: plots.refund_by_program(REFUNDS),
    ],
    ids=["payments", "cash", "deadlines", "programs"],
)
def test_plots_render_to_png_headless(make: object, tmp_path: Path) -> None:
    had_pyplot = "matplotlib.pyplot" in sys.modules
    figure = make()  # type: ignore[operator]
    path = tmp_path / "chart.png"
    figure.savefig(path)
    assert path.read_bytes().startswith(PNG)
    assert path.stat().st_size > 5_000
    if not had_pyplot:
        assert (
            "matplotlib.pyplot" not in sys.modules
        )  # built without pyplot: no show(), no global figure


def test_refund_by_program_adds_up_to_the_principal() -> None:
    from ieepa_refund.portfolio.plots import _by_program

    assert sum(_by_program(REFUNDS).values()) == REFUNDS.principal
