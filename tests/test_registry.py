from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import DataError, HeadingNotFound, HeadingNotInForce, HeadingPeriod, Registry
from ieepa_refund.registry import (
    EXEMPT_KINDS,
    IEEPA_STATUSES,
    carries_ieepa_duty,
    default_registry,
    is_ieepa_status,
    is_invalid_hts,
)

REG = default_registry()


@pytest.mark.parametrize(
    ("heading", "on", "rate"),
    [
        ("9903.01.10", date(2025, 7, 31), "25"),
        ("9903.01.10", date(2025, 8, 1), "35"),  # Canada raised from 2025-08-01
        ("9903.01.24", date(2025, 11, 9), "20"),
        ("9903.01.24", date(2025, 11, 10), "10"),  # China fentanyl cut from 2025-11-10
        ("9903.01.63", date(2025, 4, 9), "84"),
        ("9903.01.63", date(2025, 4, 10), "125"),
        ("99030184", date(2026, 2, 6), "25"),
    ],
)
def test_rate_changes_at_period_boundaries(heading: str, on: date, rate: str) -> None:
    assert REG.lookup(heading, on).rate_percent == Decimal(rate)


def test_effective_to_is_exclusive() -> None:
    with pytest.raises(HeadingNotInForce, match="2026-02-07"):
        REG.lookup("9903.01.84", date(2026, 2, 7))
    with pytest.raises(HeadingNotInForce):
        REG.lookup("9903.01.25", date(2026, 2, 24))
    assert REG.lookup("9903.01.25", date(2026, 2, 23)).program == "reciprocal_baseline"


def test_unknown_heading_is_a_key_error() -> None:
    with pytest.raises(HeadingNotFound):
        REG.lookup("9903.88.03", date(2025, 6, 1))
    with pytest.raises(KeyError):
        REG.periods_of("9903.01.06")


@pytest.mark.parametrize(
    ("number", "status", "authority"),
    [
        ("9903.01.25", "ieepa", "IEEPA"),
        ("9903.88.03", "not_ieepa", "Section 301"),
        ("9903.80.01", "not_ieepa", "Section 232"),
        ("9903.94.05", "not_ieepa", "Section 232"),
        ("9903.03.01", "not_ieepa", "Section 122"),
        ("9903.01.06", "ieepa_unknown", "IEEPA"),
        ("9903.99.99", "not_ieepa", None),
        ("8471.30.0100", "not_chapter99", None),
        ("9903.01.35", "ieepa_not_in_force", "IEEPA"),  # named in note text, never a heading
    ],
)
def test_classify(number: str, status: str, authority: str | None) -> None:
    found = REG.classify(number, date(2025, 6, 1))
    assert (found.status, found.authority) == (status, authority)


def test_a_bare_9903_prefix_is_not_ieepa() -> None:
    for number in ("9903.88.15", "9903.85.08", "9903.76.01", "9903.78.01", "9903.79.01"):
        assert not REG.classify(number, date(2025, 12, 1)).is_ieepa


def test_countries() -> None:
    eu = REG.lookup("9903.02.20", date(2025, 10, 1))
    assert eu.applies_to("DE")
    assert eu.applies_to("IT")
    assert eu.applies_to("JP") is False
    base = REG.lookup("9903.01.25", date(2025, 5, 1))
    assert base.applies_to("VN")
    assert base.applies_to("CA") is False
    assert REG.periods_of("9903.01.35")[0].applies_to("CN") is None


def test_dual_purpose_headings() -> None:
    dual = {h for h in REG.headings if any(p.dual_purpose for p in REG.periods_of(h))}
    assert dual == {"99039601", "99039602", "99030276", "99030281", "99030285", "99030290"}


def _period(start: str, end: str, rate: str = "10") -> HeadingPeriod:
    return HeadingPeriod(
        heading="99030125", program="test", kind="duty", rate_type="ad_valorem_additional",
        rate_percent=Decimal(rate), countries=frozenset({"*"}),
        effective_from=date.fromisoformat(start), effective_to=date.fromisoformat(end),
        confidence="confirmed", notes="", source="test",
    )  # fmt: skip


def test_overlapping_periods_are_refused() -> None:
    with pytest.raises(DataError, match="overlap"):
        Registry(
            [_period("2025-01-01", "2025-03-01"), _period("2025-02-01", "2025-04-01")],
            data_version="t",
        )


def test_injected_registry_is_used() -> None:
    custom = Registry([_period("2025-01-01", "2025-03-01", "42")], data_version="what-if")
    assert custom.lookup("9903.01.25", date(2025, 2, 1)).rate_percent == Decimal(42)
    assert custom.data_version == "what-if"


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 1, 1)))
def test_lookup_agrees_with_a_linear_scan(on: date) -> None:
    """bisect finds exactly the period a scan of every period would find."""
    for heading in ("99030110", "99030124", "99030125", "99030163", "99030184"):
        scan = [p for p in REG.periods_of(heading) if p.in_force(on)]
        try:
            found = REG.lookup(heading, on)
        except HeadingNotInForce:
            assert scan == []
        else:
            assert scan == [found]


@pytest.mark.parametrize(
    ("number", "on", "ieepa", "carries", "invalid"),
    [
        ("9903.01.24", date(2025, 6, 1), True, True, False),  # fentanyl duty, in force
        ("9903.01.24", date(2026, 3, 1), True, True, True),  # used after its period ended
        ("9903.01.14", date(2025, 10, 1), True, False, False),  # an exemption heading
        ("9903.01.06", date(2025, 6, 1), True, True, False),  # unknown, in an IEEPA block
        ("9903.88.03", date(2025, 6, 1), False, False, False),  # Section 301
        ("8471.30.01", date(2025, 6, 1), False, False, False),  # Chapters 1-97
    ],
)
def test_one_definition_of_ieepa_duty_and_invalid_hts(
    number: str, on: date, ieepa: bool, carries: bool, invalid: bool
) -> None:
    found = default_registry().classify(number, on)
    assert (found.is_ieepa, found.carries_ieepa_duty, found.invalid_hts) == (
        ieepa,
        carries,
        invalid,
    )
    assert is_ieepa_status(found.status) is ieepa
    assert carries_ieepa_duty(found.status, found.period) is carries
    assert is_invalid_hts(found.status) is invalid
    assert {"ieepa", "ieepa_not_in_force", "ieepa_unknown"} == IEEPA_STATUSES
    assert {"exemption", "exception"} == EXEMPT_KINDS


def test_sets_are_written_in_one_order_whatever_the_hash_seed() -> None:
    """A heading's countries and the options' closures are sets, whose order follows the
    string hash and so changes from run to run: the JSON of the same data must not."""
    script = (
        "from datetime import date\n"
        "from ieepa_refund.registry import default_registry\n"
        "from ieepa_refund.refund import RefundOptions\n"
        "r = default_registry()\n"
        "ps = [p for h in r.headings for p in r.periods_of(h) if len(p.countries) > 2]\n"
        "print(ps[0].model_dump_json())\n"
        "print(RefundOptions(closures=[date(2026, 1, d) for d in range(1, 28)]).model_dump_json())\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(outputs) == 1
    assert '"countries":["' in outputs.pop()
