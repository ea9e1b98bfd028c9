from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import InvalidFormat, hts


@pytest.mark.parametrize(
    ("text", "compact", "display"),
    [
        ("99030125", "99030125", "9903.01.25"),
        ("9903.01.25", "99030125", "9903.01.25"),
        ("8471.30.0100", "8471300100", "8471.30.0100"),
        (" 8471 30 0100 ", "8471300100", "8471.30.0100"),
    ],
)
def test_forms(text: str, compact: str, display: str) -> None:
    assert hts.validate(text) == compact
    assert hts.format(text) == display


@pytest.mark.parametrize(
    "text", ["9903.1.25", "847130010", "99O30125", "", "0012345678", "٩٩٠٣٠١٢٥"]
)
def test_bad_numbers(text: str) -> None:
    with pytest.raises(InvalidFormat, match="hts"):
        hts.validate(text)
    assert not hts.is_valid(text)


def test_chapter99() -> None:
    assert hts.is_chapter99("9903.88.03")
    assert not hts.is_chapter99("9802.00.8060")
    assert hts.chapter("0101.21.0010") == 1


@given(st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda s: s[:2] != "00"))
def test_round_trip(digits: str) -> None:
    """Display form and compact form convert into each other."""
    assert hts.compact(hts.format(digits)) == digits


@given(st.one_of(st.text(), st.integers(), st.none()))
def test_is_valid_never_raises(value: object) -> None:
    assert hts.is_valid(value) in (True, False)
