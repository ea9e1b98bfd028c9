from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given

from ieepa_refund import InvalidRate, parse_rate
from ieepa_refund.rates import normalize_unit
from tests.strategies import money


@pytest.mark.parametrize(
    ("text", "value", "quantity", "duty"),
    [
        ("Free", "1000", None, "0"),
        ("3.4%", "1000", None, "34.0"),
        ("2.5¢/kg", None, "200", "5.000"),
        ("$1.25/doz.", None, "12", "15.00"),
        ("1.1¢/kg + 3.9%", "1000", "200", "41.200"),
        ("37.5¢/kg + 6%", "500", "10", "33.750"),
        ("$1.035/kg+10.5%", "100", "2", "12.570"),
    ],
)
def test_duty(text: str, value: str | None, quantity: str | None, duty: str) -> None:
    rate = parse_rate(text)
    got = rate.duty(value=D(value) if value else None, quantity=D(quantity) if quantity else None)
    assert got == D(duty)


@pytest.mark.parametrize(
    "text", ["", "  ", "about 4%", "4", "%", "5¢", "3.9% + ", "$/kg", "Free (A,AU)"]
)
def test_unparseable_text_names_the_text(text: str) -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate(text)
    assert repr(text) in str(info.value)


def test_missing_inputs_are_clear() -> None:
    with pytest.raises(InvalidRate, match="value"):
        parse_rate("3.4%").duty(quantity=D(1))
    with pytest.raises(InvalidRate, match="quantity in KG"):
        parse_rate("2.5¢/kg").duty(value=D(1))
    with pytest.raises(InvalidRate, match="per KG but the quantity is in DOZ"):
        parse_rate("2.5¢/kg").duty(quantity=D(1), unit="doz")


def test_units_normalise() -> None:
    assert normalize_unit("doz.") == normalize_unit("DOZ") == "DOZ"
    assert normalize_unit("liter") == normalize_unit("L") == "L"
    assert parse_rate("25¢/pr.").specific[0].unit == "PRS"


def test_free_and_zero() -> None:
    assert parse_rate("Free").is_free
    assert parse_rate("free").is_free
    assert parse_rate("0%").is_free
    assert not parse_rate("0.1%").is_free


@given(money(), money())
def test_compound_is_sum_of_parts(value: D, quantity: D) -> None:
    """A compound rate's duty is its ad valorem part plus its specific part."""
    both = parse_rate("1.1¢/kg + 3.9%").duty(value=value, quantity=quantity)
    assert both == parse_rate("3.9%").duty(value=value) + parse_rate("1.1¢/kg").duty(
        quantity=quantity
    )
