"""The check digit's fast paths against the general ones and against Appendix E as written."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import entry_number as en
from ieepa_refund.cape import write_declarations
from tests.strategies import es003_entry_cells, first_tens, shaped_entry_numbers


def appendix_e(first_ten: str) -> str:
    """CATAIR Appendix E as the module docstring states it, one step at a time."""
    letters = {c: i + 1 for i, c in enumerate("ABCDEFGHI")}
    letters |= {c: i + 1 for i, c in enumerate("JKLMNOPQR")}
    letters |= {c: i + 2 for i, c in enumerate("STUVWXYZ")}
    digits = [letters[c] if c in letters else int(c) for c in first_ten]
    total = 0
    for place, digit in enumerate(reversed(digits)):
        if place % 2 == 0:  # the rightmost digit and every second one leftwards
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


@given(first_tens)
def test_the_check_digit_is_appendix_e(first_ten: str) -> None:
    assert en.calc_check_digit(first_ten) == appendix_e(first_ten)


@given(shaped_entry_numbers)
def test_a_shaped_number_matches_its_digit_exactly_when_it_is_valid(number: str) -> None:
    """check_digit_matches (the reader's and the declarations' fast path) says what is_valid
    says of every number of the compact shape, right or wrong check digit."""
    assert en.shaped(number)
    assert en.check_digit_matches(number) is en.is_valid(number)
    assert en.check_digit_matches(number) is (number[10] == appendix_e(number[:10]))


@given(st.lists(st.one_of(es003_entry_cells, shaped_entry_numbers), max_size=12))
def test_declarations_sort_check_digits_as_is_valid_does(numbers: list[str]) -> None:
    """Numbers that pass the declarations' shape test are sorted on the check digit alone:
    exactly the ones is_valid accepts are declared as good, the others kept apart."""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        batch = write_declarations(numbers, Path(out), check_digits="separate")
    apart = sum(f.count for f in batch.files if f.holds == "check_digit_failures")
    good = batch.declared[: len(batch.declared) - apart]
    for number in batch.declared:
        assert en.is_valid(number) is (number in good)
