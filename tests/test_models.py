from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest

from ieepa_refund import Entry, EntryLine, Tariff

LINE = {"number": 1, "country_of_origin": "CN", "tariffs": [{"hts": "9903.01.24", "duty": "10"}]}
ENTRY: dict[str, Any] = {
    "entry_number": "B76-0324527-8",
    "entry_type": "01",
    "importer_number": "12-3456789AB",
    "entry_date": "2025-06-02",
    "lines": [LINE],
}


def _error(model: type[pydantic.BaseModel], **data: Any) -> str:
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    return str(info.value)


def test_a_valid_entry() -> None:
    entry = Entry.model_validate(ENTRY)
    assert entry.entry_number == "B7603245278"
    assert entry.display_number == "B76-0324527-8"
    assert entry.lines[0].tariffs[0].duty == Decimal(10)


def test_models_are_frozen_and_strict_about_fields() -> None:
    entry = Entry.model_validate(ENTRY)
    with pytest.raises(pydantic.ValidationError):
        entry.entry_type = "02"  # type: ignore[misc]
    assert "extra" in _error(Entry, **ENTRY, surprise=1).lower()


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("duty", 12.5, "floats are refused"),
        ("value", "-1", "value must not be negative"),
        ("quantity", 3.0, "quantity: floats are refused"),
        ("hts", "9903.1.25", "8 or 10 digits"),
        ("rate", "about 4%", "cannot read HTSUS rate text"),
    ],
)
def test_bad_tariff_fields_are_named(field: str, value: object, named: str) -> None:
    data = {"hts": "8471.30.0100", field: value} if field != "hts" else {"hts": value}
    message = _error(Tariff, **data)
    assert field in message
    assert named in message
    assert str(value) in message


def test_bad_entry_number_names_field_and_value() -> None:
    message = _error(Entry, **{**ENTRY, "entry_number": "B76-0324527-9"})
    assert "entry_number" in message
    assert "B76-0324527-9" in message
    assert "check digit" in message


@pytest.mark.parametrize("country", ["C", "CHN", "1N", ""])
def test_malformed_country_code(country: str) -> None:
    message = _error(EntryLine, **{**LINE, "country_of_origin": country})
    assert "country_of_origin" in message
    assert repr(country.upper()) in message


def test_country_code_is_upper_cased() -> None:
    assert EntryLine.model_validate({**LINE, "country_of_origin": "cn"}).country_of_origin == "CN"


def test_entry_type_and_parties() -> None:
    entry = Entry.model_validate({**ENTRY, "entry_type": 1, "notify_party": " "})
    assert entry.entry_type == "01"
    assert entry.notify_party is None
    assert "entry_type" in _error(Entry, **{**ENTRY, "entry_type": "1A"})
    assert "importer_number" in _error(Entry, **{**ENTRY, "importer_number": "12"})


def test_repeated_line_numbers_and_bad_dates() -> None:
    assert "line numbers repeat" in _error(Entry, **{**ENTRY, "lines": [LINE, LINE]})
    assert "before entry_date" in _error(Entry, **{**ENTRY, "liquidation_date": "2025-01-01"})


def test_an_invalid_line_is_reported_once_as_itself() -> None:
    message = _error(Entry, **{**ENTRY, "lines": [{**LINE, "country_of_origin": "CHN"}]})
    assert "1 validation error" in message
    assert "lines.0.country_of_origin" in message


def test_a_line_needs_a_tariff_and_an_entry_a_line() -> None:
    assert "tariffs" in _error(EntryLine, **{**LINE, "tariffs": []})
    assert "lines" in _error(Entry, **{**ENTRY, "lines": []})
