"""RefundOptions: one frozen home for every refund choice, used by every caller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ieepa_refund import (
    Assumptions,
    InterestConventions,
    InvalidFormat,
    RefundOptions,
    compute_refund,
    compute_refunds,
    read_es003,
    sample_es003,
)
from tests.test_refund import CN_LINE, make

ENTRIES = read_es003(sample_es003()).entries
AS_OF = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("method", "both"),
        ("deposit", "monthly"),
        ("rounding", "HALF_UP"),
        ("corporate", "maybe"),
        ("interest_until", "soon"),
    ],
)
def test_a_bad_value_is_our_error_naming_the_option(option: str, value: str) -> None:
    with pytest.raises(InvalidFormat) as info:
        RefundOptions(**{option: value})  # type: ignore[arg-type]
    assert info.value.field == option
    assert str(info.value).startswith(f"{option}: ")
    assert "Value error" not in str(info.value)  # pydantic's wrapping does not leak


def test_a_misspelt_option_is_refused_with_the_known_names() -> None:
    with pytest.raises(InvalidFormat, match=r"metod: not a refund option.*method"):
        RefundOptions(metod="paid")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        compute_refunds(ENTRIES, metod="paid")  # type: ignore[call-arg]


def test_options_are_frozen() -> None:
    options = RefundOptions()
    with pytest.raises(ValueError, match="frozen"):
        options.method = "recalculate"  # type: ignore[misc]


def test_options_and_keywords_give_the_same_refund() -> None:
    entry = make("2025-06-02", "CN", *CN_LINE)
    options = RefundOptions(method="recalculate", corporate=True, interest_until=AS_OF)
    by_options = compute_refund(entry, options=options)
    by_keywords = compute_refund(entry, method="recalculate", corporate=True, interest_until=AS_OF)
    assert by_options == by_keywords
    assert by_options.interest is not None


def test_a_keyword_replaces_that_one_choice_of_the_options() -> None:
    entry = make("2025-06-02", "CN", *CN_LINE)
    options = RefundOptions(corporate=True, interest_until=AS_OF)
    later = compute_refund(entry, options=options, interest_until=date(2026, 12, 28))
    assert later.interest_until == date(2026, 12, 28)
    same_rate = compute_refund(entry, corporate=True, interest_until=date(2026, 12, 28))
    assert later.interest == same_rate.interest
    with pytest.raises(InvalidFormat, match="deposit"):
        compute_refund(entry, options=options, deposit="monthly")  # type: ignore[arg-type]


def test_compute_refunds_checks_the_options_once_and_applies_them_to_every_entry() -> None:
    options = RefundOptions(method="recalculate", interest_until=AS_OF)
    portfolio = compute_refunds(ENTRIES, options=options)
    one_by_one = [compute_refund(e, options=options) for e in ENTRIES]
    assert list(portfolio) == one_by_one
    assert {r.method for r in portfolio} == {"recalculate"}
    assert compute_refunds(ENTRIES, method="recalculate", interest_until=AS_OF).total == (
        portfolio.total
    )


def test_assumptions_build_their_refund_options() -> None:
    conventions = InterestConventions(rounding="ROUND_DOWN")
    assumptions = Assumptions(
        method="recalculate",
        corporate=True,
        deposit="pms",
        project=True,
        conventions=conventions,
        interest_until=AS_OF,
        declared_on=date(2026, 7, 1),
    )
    assert assumptions.refund_options == RefundOptions(
        method="recalculate",
        corporate=True,
        deposit="pms",
        project=True,
        interest_conventions=conventions,
        interest_until=AS_OF,
    )
    # Every refund choice an Assumptions names reaches the options (none copied by hand).
    shared = set(Assumptions.model_fields) & set(RefundOptions.model_fields)
    assert shared == {"method", "corporate", "deposit", "project", "interest_until"}


def test_closures_are_an_option() -> None:
    released_in_december = make("2024-12-10", "CN", {"hts": "8471.30.01", "duty": "0"})
    shipped = compute_refund(released_in_december, deposit="pms")
    none = compute_refund(
        released_in_december, options=RefundOptions(deposit="pms", closures=frozenset())
    )
    # EO 14133 closed federal offices on 2025-01-09: January's 15th working day moves a day.
    assert (shipped.deposit_date, none.deposit_date) == (date(2025, 1, 24), date(2025, 1, 23))
    assert shipped.principal == none.principal == Decimal("0.00")
