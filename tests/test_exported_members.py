"""``__all__`` is sorted, complete and honest (as httpx's tests keep theirs)."""

from __future__ import annotations

import importlib

import pytest

import ieepa_refund

MODULES = [
    "ieepa_refund",
    "ieepa_refund.cape",
    "ieepa_refund.cape.check",
    "ieepa_refund.cape.declarations",
    "ieepa_refund.cape.rules",
    "ieepa_refund.cape.screen",
    "ieepa_refund.cli",
    "ieepa_refund.dates",
    "ieepa_refund.entry_number",
    "ieepa_refund.errors",
    "ieepa_refund.es003",
    "ieepa_refund.hts",
    "ieepa_refund.interest",
    "ieepa_refund.models",
    "ieepa_refund.money",
    "ieepa_refund.payments",
    "ieepa_refund.plots",
    "ieepa_refund.rates",
    "ieepa_refund.refund",
    "ieepa_refund.registry",
    "ieepa_refund.results",
    "ieepa_refund.tables",
    "ieepa_refund.whatif",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    assert len(set(module.__all__)) == len(module.__all__)
    for member in module.__all__:
        assert hasattr(module, member), f"{name}.{member} is in __all__ but missing"


def test_package_exports_every_public_name() -> None:
    public = {
        name
        for name in dir(ieepa_refund)
        if not name.startswith("_")
        and not isinstance(getattr(ieepa_refund, name), type(ieepa_refund))
    }
    assert public == set(ieepa_refund.__all__) - {"__version__"}
