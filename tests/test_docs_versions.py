"""Every data version the README and the docs give as the shipped one is the version the
library ships (``DATA_VERSIONS``): the README said the Chapter 99 registry was 2026.2 while
the tool printed 2026.3 (t68/08)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from ieepa_refund import DATA_VERSIONS
from ieepa_refund.interest import default_rate_table

ROOT = Path(__file__).parents[1]


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_readme_gives_each_data_sets_shipped_version() -> None:
    # "(`src/ieepa_refund/data/htsus_ch99/`) is data version `2026.3`", "... is `2026.4`"
    found = re.findall(r"data/(\w+)/`\) is (?:data version )?`([\d.]+)`", _text("README.md"))
    assert {name for name, _ in found} >= {"htsus_ch99", "interest_rates"}
    for name, version in found:
        assert version == DATA_VERSIONS[name], f"README: {name} {version}"


def test_the_data_page_heads_each_data_set_with_its_shipped_version() -> None:
    # "## `src/ieepa_refund/data/htsus_ch99/` — the IEEPA Chapter 99 registry (version 2026.3)"
    found = re.findall(r"^## `(?:src/ieepa_refund/)?data/(\w+)/`.*\(version ([\d.]+)\)$",
                       _text("docs/data.md"), re.M)  # fmt: skip
    assert len(found) >= 5
    for name, version in found:
        assert version == DATA_VERSIONS[name], f"docs/data.md: {name} {version}"


def test_the_pages_that_quote_a_shipped_version_quote_todays() -> None:
    rates = default_rate_table()
    last = rates.periods[-1].effective_to - timedelta(days=1)
    cape = re.findall(r"The rules shipped \(data version ([\d.]+)\)", _text("docs/cape.md"))
    assert cape == [DATA_VERSIONS["cape_rules"]]
    table = re.findall(r"covers days up to\s+(\S+) in data ([\d.]+)\)", _text("docs/reconcile.md"))
    assert table == [(last.isoformat(), DATA_VERSIONS["interest_rates"])]
