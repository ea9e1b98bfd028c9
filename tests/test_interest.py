from __future__ import annotations

import calendar
import csv
import decimal
import io
import math
import pickle
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ieepa_refund import (
    DataError,
    Entry,
    FloatRefused,
    HeadingPeriod,
    InterestConventions,
    InvalidPeriod,
    RateNotCovered,
    RateTable,
    ValidationError,
    accrue_interest,
    compute_refund,
    compute_refunds,
    default_rate_table,
    delinquency_interest,
    growth_factor,
    interest_detail,
    read_es003,
    sample_es003,
)
from ieepa_refund.cli import main
from ieepa_refund.interest import RatePeriod
from ieepa_refund.money import round_interest
from tests.strategies import covered_dates, interest_conventions, money, registry_entries

TEN_K = Decimal("10000")
D0, D1 = date(2025, 4, 15), date(2026, 6, 30)


def test_worked_example_from_the_brief() -> None:
    assert accrue_interest(TEN_K, deposited=D0, until=D1) == Decimal("855.37")
    assert accrue_interest(TEN_K, deposited=D0, until=D1, corporate=True) == Decimal("725.02")


def test_detail_shows_the_working() -> None:
    detail = interest_detail(TEN_K, deposited=D0, until=D1)
    assert [p.days for p in detail.periods] == [76, 92, 92, 90, 91]
    assert sum(p.days for p in detail.periods) == detail.days == 441
    assert [p.annual_rate_percent for p in detail.periods] == [7, 7, 7, 7, 6]
    assert sum(p.amount for p in detail.periods) == detail.interest == Decimal("855.37")
    assert detail.periods[0].first_day == date(
        2025, 4, 16
    )  # the deposit day itself accrues nothing
    assert detail.data_version == default_rate_table().data_version
    assert detail.rate_column == "noncorporate"


def test_leap_year_uses_366_days() -> None:
    detail = interest_detail(TEN_K, deposited=date(2024, 2, 1), until=date(2024, 3, 1))
    assert detail.periods[0].year_days == 366


def test_conventions_are_parameters() -> None:
    simple = accrue_interest(TEN_K, deposited=D0, until=D1, compounding="simple")
    assert simple < Decimal("855.37")
    assert simple == Decimal("820.82")  # 10,000 x (7% x 350 + 6% x 91) / 365 / 100
    assert accrue_interest(TEN_K, deposited=D0, until=D1, day_count="actual/360") > Decimal(
        "855.37"
    )
    over = accrue_interest(TEN_K, deposited=D0, until=D1, corporate=True, large_corporate_rate=True)
    assert over < Decimal("725.02")
    down = InterestConventions(rounding="ROUND_DOWN")
    assert accrue_interest(TEN_K, deposited=D0, until=D1, conventions=down) == Decimal("855.36")


def test_accrual_boundary_changes_which_quarter_the_edge_days_take() -> None:
    # 2026-03-31 -> 2026-04-01: one day, at Q2's 6% after deposit, at Q1's 7% from deposit.
    end = accrue_interest(Decimal(365_000), deposited=date(2026, 3, 31), until=date(2026, 4, 1))
    start = accrue_interest(
        Decimal(365_000),
        deposited=date(2026, 3, 31),
        until=date(2026, 4, 1),
        accrual="from_deposit",
    )
    assert (end, start) == (Decimal("60.00"), Decimal("70.00"))


def test_past_coverage_is_refused_unless_projected() -> None:
    with pytest.raises(RateNotCovered, match="2027-01-01") as info:
        accrue_interest(TEN_K, deposited=date(2026, 12, 1), until=date(2027, 1, 1))
    assert isinstance(info.value, LookupError)
    detail = interest_detail(
        TEN_K, deposited=date(2026, 12, 1), until=date(2027, 2, 1), project=True
    )
    assert detail.projected
    assert detail.periods[-1].projected
    assert detail.periods[-1].annual_rate_percent == 7
    assert "projected" in detail.periods[-1].source
    with pytest.raises(RateNotCovered):
        accrue_interest(TEN_K, deposited=date(2023, 6, 1), until=date(2024, 2, 1), project=True)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"principal": TEN_K, "deposited": D1, "until": D0}, InvalidPeriod),
        ({"principal": Decimal(-1), "deposited": D0, "until": D1}, ValidationError),
        ({"principal": 100.0, "deposited": D0, "until": D1}, FloatRefused),
    ],
)
def test_bad_input(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        accrue_interest(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert ("until" in str(info.value)) or ("principal" in str(info.value))


def test_rate_table_must_be_contiguous() -> None:
    def quarter(start: str, end: str) -> RatePeriod:
        return RatePeriod(
            effective_from=date.fromisoformat(start), effective_to=date.fromisoformat(end),
            noncorporate=Decimal(7), corporate=Decimal(6),
            corporate_over_10k=Decimal("4.5"), status="test", notes="", source="test",
        )  # fmt: skip

    with pytest.raises(DataError, match="contiguous"):
        RateTable(
            [quarter("2025-01-01", "2025-04-01"), quarter("2025-04-02", "2025-07-01")],
            data_version="t",
        )
    table = RateTable([quarter("2025-01-01", "2025-04-01")], data_version="what-if")
    assert (
        interest_detail(
            TEN_K, deposited=date(2025, 1, 1), until=date(2025, 2, 1), rates=table
        ).data_version
        == "what-if"
    )


# --- properties -----------------------------------------------------------------------------


@given(money(), covered_dates)
def test_zero_on_the_deposit_day(principal: Decimal, day: date) -> None:
    """No time, no interest."""
    assert accrue_interest(principal, deposited=day, until=day) == 0


@given(money(), covered_dates, covered_dates, covered_dates)
def test_never_decreasing_as_until_grows(principal: Decimal, a: date, b: date, c: date) -> None:
    """Interest to a later date is never less than interest to an earlier one."""
    start, early, late = sorted((a, b, c))
    assert accrue_interest(principal, deposited=start, until=early) <= accrue_interest(
        principal, deposited=start, until=late
    )


@given(
    covered_dates, covered_dates, covered_dates, st.sampled_from(["after_deposit", "from_deposit"])
)
def test_splitting_the_period_multiplies_factors_exactly(
    a: date, b: date, c: date, accrual: str
) -> None:
    """Growing from a to c equals growing from a to b and then from b to c, exactly."""
    start, middle, end = sorted((a, b, c))
    conventions = InterestConventions(accrual=accrual)  # type: ignore[arg-type]
    whole = growth_factor(start, end, conventions=conventions)
    parts = growth_factor(start, middle, conventions=conventions) * growth_factor(
        middle, end, conventions=conventions
    )
    assert whole == parts


@given(covered_dates, st.integers(min_value=0, max_value=800))
def test_raises_exactly_when_until_passes_coverage(deposited: date, days: int) -> None:
    """Refused if and only if the last accrual day is past the table's end."""
    until = deposited + timedelta(days=days)
    covered = until < default_rate_table().covers_to
    try:
        accrue_interest(TEN_K, deposited=deposited, until=until)
    except RateNotCovered:
        assert not covered
    else:
        assert covered


@given(money(), covered_dates, covered_dates)
def test_breakdown_adds_up_and_corporate_is_never_more(
    principal: Decimal, a: date, b: date
) -> None:
    """Per-quarter amounts sum to the interest; the corporate rate never yields more."""
    start, end = sorted((a, b))
    detail = interest_detail(principal, deposited=start, until=end)
    assert sum((p.amount for p in detail.periods), Decimal(0)) == detail.interest
    assert accrue_interest(principal, deposited=start, until=end, corporate=True) <= detail.interest


@given(money(), covered_dates, covered_dates, st.booleans(), interest_conventions)
def test_the_engine_agrees_with_the_exact_oracle(
    principal: Decimal, a: date, b: date, corporate: bool, conventions: InterestConventions
) -> None:
    """interest_detail agrees with growth_factor's exact Fraction: the unrounded interest to 45
    digits, the interest exactly (rounded once to the cent), the factor to 45 digits."""
    start, end = sorted((a, b))
    exact = growth_factor(start, end, corporate=corporate, conventions=conventions)
    detail = interest_detail(
        principal, deposited=start, until=end, corporate=corporate, conventions=conventions
    )
    # The factor comes from the 60-digit index, as the interest does.
    assert abs(Fraction(detail.factor) - exact) <= exact / 10**45
    owed = Fraction(principal) * (exact - 1)
    assert abs(Fraction(detail.unrounded) - owed) <= (owed + 1) / 10**45
    cents = owed * 100
    # A value within 1e-30 of a half cent could round either way at the engine's precision.
    assume(abs(cents - math.floor(cents) - Fraction(1, 2)) > Fraction(1, 10**30))
    with localcontext() as ctx:
        ctx.prec = 60
        expected = round_interest(
            Decimal(owed.numerator) / Decimal(owed.denominator), rounding=conventions.rounding
        )
    assert detail.interest == expected


# --- delinquency ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "periods", "with_payment_period"),
    [(0, 0, 0), (30, 0, 0), (31, 1, 2), (60, 1, 2), (61, 2, 3), (77, 2, 3), (90, 2, 3), (91, 3, 4)],
)
def test_delinquency_counts_whole_30_day_periods(
    days: int, periods: int, with_payment_period: int
) -> None:
    liquidated = date(2026, 5, 1)
    paid = liquidated + timedelta(days=days)
    late = delinquency_interest(TEN_K, liquidated=liquidated, paid_on=paid)
    assert late.periods == periods
    assert late.accrues_until == liquidated + timedelta(days=30 * periods)
    assert (late.interest > 0) == (periods > 0)
    both = delinquency_interest(
        TEN_K, liquidated=liquidated, paid_on=paid, payment_period_accrues=True
    )
    assert both.periods == (with_payment_period if days > 30 else 0)


def test_delinquency_is_interest_on_the_balance_over_its_periods() -> None:
    late = delinquency_interest(Decimal("10855.37"), liquidated=D1, paid_on=date(2026, 9, 15))
    expected = accrue_interest(Decimal("10855.37"), deposited=D1, until=D1 + timedelta(days=60))
    assert late.interest == expected
    with pytest.raises(InvalidPeriod):
        delinquency_interest(TEN_K, liquidated=D1, paid_on=D0)


# --- the day-by-day loop of tests/golden/README.md, as a property oracle ----------------------

_RATE_ROWS = list(
    csv.DictReader(
        io.StringIO(
            resources.files("ieepa_refund")
            .joinpath("data", "interest_rates", "overpayment_rates.csv")
            .read_text(encoding="utf-8")
        )
    )
)


def _daily_rate(day: date, column: str) -> Decimal:
    for row in _RATE_ROWS:
        if (
            date.fromisoformat(row["effective_from"])
            <= day
            < date.fromisoformat(row["effective_to"])
        ):
            return Decimal(row[column])
    raise AssertionError(f"no rate row for {day}")


def _day_by_day(principal: Decimal, deposited: date, until: date, column: str) -> Decimal:
    """One multiplication a day at that day's quarter rate, read straight from the CSV."""
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        factor, day = Decimal(1), deposited
        while day < until:
            day += timedelta(days=1)
            year = 366 if calendar.isleap(day.year) else 365
            factor *= 1 + _daily_rate(day, column) / 100 / year
        return (principal * factor - principal).quantize(Decimal("0.01"), decimal.ROUND_HALF_UP)


@given(money(), covered_dates, covered_dates, st.booleans())
def test_accrue_interest_matches_the_day_by_day_loop(
    principal: Decimal, a: date, b: date, corporate: bool
) -> None:
    """The cached index engine gives, to the cent, what one multiplication a day gives."""
    deposited, until = min(a, b), max(a, b)
    column = "overpayment_corporate_pct" if corporate else "overpayment_noncorporate_pct"
    assert accrue_interest(
        principal, deposited=deposited, until=until, corporate=corporate
    ) == _day_by_day(principal, deposited, until, column)


@given(registry_entries(), covered_dates)
def test_a_registry_drawn_refund_is_its_ieepa_duty_with_the_loops_interest(
    drawn: tuple[Entry, HeadingPeriod], liquidated: date
) -> None:
    """Any IEEPA duty heading, on any day of its period, for a country it covers: the paid
    method refunds exactly its duty, with interest from the entry date to liquidation."""
    entry, period = drawn
    entry = entry.model_copy(
        update={
            "deposit_date": entry.entry_date,
            "liquidation_date": max(liquidated, entry.entry_date),
        }
    )
    refund = compute_refund(entry)
    (ieepa,) = [t for t in refund.tariffs if t.hts == period.heading]
    assert ieepa.status == "ieepa"
    if (period.rate_type or "").startswith("inclusive_15"):
        # A 15% all-in deal: the MFN duty removing the heading restores is not in the data
        # (no rate text), so the refund is a bound around the duty paid, never a silent figure.
        assert refund.principal <= ieepa.paid
        assert refund.principal_high is None or ieepa.paid <= refund.principal_high
        return
    assert ieepa.refund == ieepa.paid
    assert refund.principal == ieepa.paid
    assert entry.liquidation_date is not None
    expected = _day_by_day(
        refund.principal, entry.entry_date, entry.liquidation_date, "overpayment_noncorporate_pct"
    )
    assert refund.interest == expected  # 0.00 for a principal of 0


# --- interest past the data: never a smaller total, always a word -----------------------------

PAST = date(2027, 3, 31)


def test_refunds_interest_total_is_none_when_a_figure_is_past_the_rate_table() -> None:
    """A RATE_NOT_COVERED entry used to add zero to Refunds.interest: a smaller, complete-looking sum."""
    entries = read_es003(sample_es003()).entries
    refunds = compute_refunds(entries, interest_until=PAST)
    missing = [r for r in refunds if r.interest is None and r.principal > 0]
    assert missing
    assert all("RATE_NOT_COVERED" in r.warning_codes for r in missing)
    assert refunds.interest is None
    assert refunds.total is None
    assert not refunds.interest_complete
    assert refunds.interest_missing == len(missing)
    assert refunds.interest_missing_reasons() == {"RATE_NOT_COVERED": len(missing)}
    assert refunds.interest_known == sum((r.interest or 0 for r in refunds), Decimal(0))
    assert "INTEREST_INCOMPLETE: at least" in refunds._repr_html_()
    records = refunds.to_records()
    assert sum(row["interest_missing"] for row in records) == len(missing)


def test_refunds_interest_total_is_the_sum_when_every_figure_is_there() -> None:
    refunds = compute_refunds(read_es003(sample_es003()).entries, interest_until=date(2026, 11, 28))
    assert refunds.interest_complete
    assert refunds.interest == refunds.interest_known
    assert refunds.total == refunds.principal + refunds.interest_known
    assert not any(row["interest_missing"] for row in refunds.to_records())
    assert "INTEREST_INCOMPLETE" not in refunds._repr_html_()


def test_a_refund_frame_flags_entries_without_an_interest_figure() -> None:
    pytest.importorskip("pandas")
    refunds = compute_refunds(read_es003(sample_es003()).entries, interest_until=PAST)
    frame = refunds.to_dataframe()
    assert str(frame["interest_missing"].dtype) == "boolean"
    assert int(frame["interest_missing"].sum()) == refunds.interest_missing


def test_estimate_refuses_an_as_of_past_the_rate_table_and_names_project(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Past the last covered quarter the command refuses (exit 2) instead of printing short totals."""
    sample = str(sample_es003())
    assert main(["estimate", sample, "--as-of", "2027-01-01"]) == 2
    err = capsys.readouterr().err
    assert "2026-12-31" in err
    assert "--project" in err
    with pytest.raises(SystemExit) as info:  # refused as a date option, by argparse
        main(["estimate", sample, "--as-of", "9999-12-31", "--project"])
    assert info.value.code == 2
    assert "9999-12-31" in capsys.readouterr().err
    assert main(["estimate", sample, "--as-of", "2040-01-01", "--project"]) == 2
    assert "2036-12-31" in capsys.readouterr().err
    assert main(["estimate", sample, "--as-of", "2027-01-01", "--project"]) in (0, 1)


def test_projection_is_bounded_and_says_how_far() -> None:
    table = default_rate_table()
    assert table.projects_to == date(2036, 12, 31)
    accrue_interest(TEN_K, deposited=D0, until=table.projects_to, project=True)
    with pytest.raises(RateNotCovered, match="2036-12-31"):
        accrue_interest(TEN_K, deposited=D0, until=date(2037, 1, 1), project=True)


def test_interest_above_a_plausible_principal_is_refused_not_invalid_operation() -> None:
    """10**30 used to escape as decimal.InvalidOperation from the rounding."""
    with pytest.raises(ValidationError, match="plausible"):
        accrue_interest(Decimal(10) ** 30, deposited=D0, until=D1)
    assert accrue_interest(Decimal(10) ** 12, deposited=D0, until=D1) > 0


@given(covered_dates, covered_dates, st.booleans(), interest_conventions)
def test_cached_growth_built_unvalidated_is_what_validation_makes(
    a: date, b: date, corporate: bool, conventions: InterestConventions
) -> None:
    """A span's growth, held in the cache unvalidated, equals it validated again, field order
    and fields set included."""
    from ieepa_refund.interest._conventions import rate_column
    from ieepa_refund.interest._engine import _Growth, _growth

    first, last = min(a, b), max(a, b)
    table = default_rate_table()
    growth = _growth(first, last, table, rate_column(corporate, conventions), True, conventions)
    again = _Growth.model_validate(growth.model_dump())
    assert again == growth
    assert list(vars(growth)) == list(vars(again))
    assert growth.model_fields_set == again.model_fields_set


@given(money(), covered_dates, covered_dates, interest_conventions)
def test_the_unrounded_interest_kept_is_the_product_to_the_text(
    principal: Decimal, a: date, b: date, conventions: InterestConventions
) -> None:
    """The detail keeps a compact copy of ``apply_growth``'s product: the same number written
    the same way (sign, digits, exponent), and a detail pickled back prints alike."""
    from ieepa_refund.interest import apply_growth, interest_growth

    start, end = sorted((a, b))
    detail = interest_detail(principal, deposited=start, until=end, conventions=conventions)
    growth = interest_growth(start, end, conventions=conventions)
    product = apply_growth(Decimal(principal), growth.total)
    assert detail.unrounded.as_tuple() == product.as_tuple()
    assert repr(detail.unrounded) == repr(product)
    assert pickle.loads(pickle.dumps(detail)) == detail
    assert repr(pickle.loads(pickle.dumps(detail))) == repr(detail)


#: Days inside the rate table and past its end (2027-01-01), where projection or refusal starts.
_both_sides = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@given(_both_sides, _both_sides, st.booleans(), st.booleans(), interest_conventions)
def test_interest_growth_inside_the_table_is_the_spans_own(
    a: date, b: date, corporate: bool, project: bool, conventions: InterestConventions
) -> None:
    """interest_growth's short way inside the rate table (the index at the span's two ends)
    gives the very Decimal the whole span's growth holds, and says nothing is projected;
    spans reaching past the table take the whole way, projected or refused alike."""
    from ieepa_refund.errors import IeepaRefundError
    from ieepa_refund.interest import interest_growth
    from ieepa_refund.interest._engine import _span

    start, end = sorted((a, b))
    table = default_rate_table()
    try:
        _, whole = _span(start, end, corporate, table, project, conventions)
    except IeepaRefundError as refused:
        with pytest.raises(type(refused)):
            interest_growth(
                start, end, corporate=corporate, project=project, conventions=conventions
            )
        return
    fast = interest_growth(
        start, end, corporate=corporate, project=project, conventions=conventions
    )
    assert fast.total.as_tuple() == whole.total.as_tuple()
    assert fast.projected is whole.projected
