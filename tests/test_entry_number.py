from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ieepa_refund import InvalidChecksum, InvalidFormat, InvalidLength
from ieepa_refund import entry_number as en
from tests.strategies import entry_numbers


def test_appendix_e_example() -> None:
    assert en.calc_check_digit("B760324527") == "8"
    assert en.validate("B76-0324527-8") == "B7603245278"
    assert en.format("B7603245278") == "B76-0324527-8"


@pytest.mark.parametrize(
    "text", ["b76-0324527-8", " B76 0324527 8 ", "B7603245278", "b76-03245278"]
)
def test_dashes_spaces_and_lower_case_are_accepted(text: str) -> None:
    assert en.validate(text) == "B7603245278"
    assert en.is_valid(text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("B76-0324527-9", InvalidChecksum),
        ("B76-0324527", InvalidLength),
        ("B76-03245278-1", InvalidLength),
        ("B7%-0324527-8", InvalidFormat),
        ("B76-03A4527-8", InvalidFormat),
    ],
)
def test_bad_numbers_name_the_value(text: str, error: type[Exception]) -> None:
    with pytest.raises(error, match="entry_number") as info:
        en.validate(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("letter", "digit"), [("A", "1"), ("I", "9"), ("J", "1"), ("R", "9"), ("S", "2"), ("Z", "9")]
)
def test_letter_mapping(letter: str, digit: str) -> None:
    assert en.calc_check_digit(f"{letter}000000000") == en.calc_check_digit(f"{digit}000000000")


@given(entry_numbers())
def test_check_digit_round_trip(number: str) -> None:
    """A number built with calc_check_digit validates, and format/compact invert each other."""
    assert en.validate(number) == number
    assert en.compact(en.format(number)) == number


@given(
    entry_numbers(), st.integers(min_value=3, max_value=9), st.integers(min_value=1, max_value=9)
)
def test_single_digit_corruption_is_detected(number: str, position: int, delta: int) -> None:
    """Changing any one digit of the transaction number breaks the check digit."""
    corrupted = (
        number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    )
    assert not en.is_valid(corrupted)


@given(entry_numbers(), st.integers(min_value=1, max_value=9))
def test_wrong_check_digit_is_detected(number: str, delta: int) -> None:
    wrong = number[:10] + str((int(number[10]) + delta) % 10)
    with pytest.raises(InvalidChecksum):
        en.validate(wrong)


@given(
    st.one_of(st.text(), st.binary(), st.integers(), st.none(), st.floats(), st.lists(st.text()))
)
def test_is_valid_never_raises(value: object) -> None:
    assert en.is_valid(value) in (True, False)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ- ", min_size=0, max_size=20))
def test_is_valid_agrees_with_validate(text: str) -> None:
    assume(text.strip())
    try:
        en.validate(text)
    except ValueError:
        assert not en.is_valid(text)
    else:
        assert en.is_valid(text)
