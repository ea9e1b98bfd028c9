"""Shared test settings: hypothesis profiles (fast locally, thorough in CI)."""

from __future__ import annotations

import decimal
import os
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _trap_float_operations() -> Iterator[None]:
    """Any float mixed into Decimal arithmetic anywhere in a test is an error."""
    context = decimal.getcontext()
    before = context.traps[decimal.FloatOperation]
    context.traps[decimal.FloatOperation] = True
    try:
        yield
    finally:
        context.traps[decimal.FloatOperation] = before


class _Today(date):
    """A date class whose ``today()`` is 2026-11-29: the command alone reads the clock."""

    @classmethod
    def today(cls) -> _Today:
        return cls(2026, 11, 29)


@pytest.fixture
def cape_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """``ieepa-refund cape`` run as on 2026-11-29 (its past and future --declared-on warnings)."""
    from ieepa_refund.cli import _cape

    monkeypatch.setattr(_cape, "date", _Today)
    return _Today.today()
