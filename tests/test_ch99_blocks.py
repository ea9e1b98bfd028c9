"""The Chapter 99 blocks of data version 2026.3: every 9903 number named in issue #10 has an authority."""

from __future__ import annotations

from datetime import date

import pytest

from ieepa_refund import Registry

REG = Registry.load()
NOT_ESTABLISHED = "non-IEEPA (authority not established)"


@pytest.mark.parametrize(
    ("number", "authority"),
    [
        ("9903.03.11", "Section 122"),
        ("9903.03.12", "Section 338"),  # Canada, U.S. note 51: not Section 122
        ("9903.03.16", "Section 338"),
        ("9903.03.17", NOT_ESTABLISHED),
        ("9903.04.05", NOT_ESTABLISHED),
        ("9903.04.60", "Section 232"),  # patented pharmaceuticals
        ("9903.04.69", "Section 232"),
        ("9903.04.70", NOT_ESTABLISHED),
        ("9903.05.01", "Section 301"),  # Brazil
        ("9903.05.84", "Section 301"),  # forced-labour action
        ("9903.89.55", "Section 301"),  # Large Civil Aircraft dispute
        ("9903.92.10", "Section 301"),  # ship-to-shore cranes
    ],
)
def test_new_blocks_are_known_and_not_ieepa(number: str, authority: str) -> None:
    found = REG.classify(number, date(2026, 9, 1))
    assert (found.status, found.authority, found.is_ieepa) == ("not_ieepa", authority, False)


def test_india_reciprocal_is_confirmed_at_25_percent() -> None:
    (period,) = REG.periods_of("9903.02.26")
    assert (period.confidence, period.rate_percent) == ("confirmed", 25)
    assert "CSMS #67702087" in period.source
