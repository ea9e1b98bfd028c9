from __future__ import annotations

import decimal
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import FloatRefused, InvalidFormat
from ieepa_refund.money import ROUND_HALF_EVEN, round_duty, round_interest, to_decimal

SRC = Path(__file__).parents[1] / "src" / "ieepa_refund"


@pytest.mark.parametrize("value", [1.5, 0.0, float("nan")])
def test_floats_are_refused(value: float) -> None:
    with pytest.raises(FloatRefused, match="duty"):
        to_decimal(value, field="duty")


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", True, None, [1]])
def test_junk_is_refused(value: object) -> None:
    with pytest.raises(InvalidFormat):
        to_decimal(value, field="value")


def test_strings_ints_and_decimals_are_accepted() -> None:
    assert to_decimal(" 12.30 ") == Decimal("12.30")
    assert to_decimal(7) == Decimal(7)
    assert to_decimal(Decimal("1E+2")) == Decimal(100)


def test_rounding_modes_are_named() -> None:
    assert round_duty(Decimal("0.125")) == Decimal("0.13")
    assert round_duty(Decimal("0.125"), rounding=ROUND_HALF_EVEN) == Decimal("0.12")
    assert round_interest(Decimal("855.365")) == Decimal("855.37")


def test_float_operation_is_trapped_in_tests() -> None:
    with pytest.raises(decimal.FloatOperation):
        _ = Decimal("1") < 0.5  # a mixed comparison, as a slip in code would make


def test_every_quantize_in_src_names_a_rounding_mode() -> None:
    for path in SRC.rglob("*.py"):
        for call in re.findall(r"\.quantize\([^)]*\)", path.read_text(encoding="utf-8")):
            assert "rounding=" in call, f"{path.name}: {call}"


def test_quantize_only_in_money_module() -> None:
    users = {p.name for p in SRC.rglob("*.py") if ".quantize(" in p.read_text(encoding="utf-8")}
    assert users <= {"money.py"}


def test_float_conversion_only_at_the_named_point() -> None:
    users = {
        p.name for p in SRC.rglob("*.py") if re.search(r"\bfloat\(", p.read_text(encoding="utf-8"))
    }
    assert users <= {"money.py"}


@given(st.integers(min_value=0, max_value=10**12))
def test_round_duty_is_within_half_a_cent(millis: int) -> None:
    amount = Decimal(millis) / 1000
    assert abs(round_duty(amount) - amount) <= Decimal("0.005")


def test_in_cents_keeps_the_value_and_never_raises() -> None:
    from ieepa_refund.money import in_cents

    for text in ("34131.8000", "-0.0000", "0.005", "7", "2E+3", "1" + "0" * 70 + ".000"):
        held = in_cents(Decimal(text))
        assert held == Decimal(text)
    assert str(in_cents(Decimal("34131.8000"))) == "34131.80"
    assert str(in_cents(Decimal("2E+3"))) == "2E+3"  # fewer than two places: as given
