from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    WARNING_CODES,
    DepositBasis,
    Entry,
    EntryLine,
    HeadingPeriod,
    Registry,
    Tariff,
    WarningCode,
    compute_refund,
)
from ieepa_refund.money import ROUND_HALF_EVEN
from tests.strategies import china_entries, non_ieepa_tariffs


def make(date_: str, country: str, *tariffs: dict[str, Any], **extra: Any) -> Entry:
    return Entry.model_validate(
        {
            "entry_number": "B76-0324527-8",
            "entry_type": "01",
            "importer_number": "12-3456789AB",
            "entry_date": date_,
            "lines": [{"number": 1, "country_of_origin": country, "tariffs": list(tariffs)}],
            **extra,
        }
    )


def codes(entry: Entry, **kw: Any) -> set[str]:
    return set(compute_refund(entry, **kw).warning_codes)


def test_every_warning_code_is_documented() -> None:
    assert all(code.isupper() and text for code, text in WARNING_CODES.items())


def test_result_is_traceable() -> None:
    refund = compute_refund(make("2025-06-02", "CN", {"hts": "9903.01.24", "duty": "20"}))
    (tariff,) = refund.tariffs
    assert tariff.period is not None
    assert (tariff.period.program, tariff.period.rate_percent) == ("fentanyl_china", Decimal(20))
    assert tariff.period.source.startswith("https://")
    assert "refunded" in tariff.reason
    manifest = json.loads(
        (Path(__file__).parents[1] / "src/ieepa_refund/data/htsus_ch99/MANIFEST.json").read_text()
    )
    assert refund.data_version == manifest["data_version"]
    assert refund.rounding == "ROUND_HALF_UP"


def test_country_mismatch() -> None:
    assert "COUNTRY_MISMATCH" in codes(
        make("2025-06-02", "VN", {"hts": "9903.01.24", "duty": "20"})
    )


def test_ieepa_number_after_cutoff_is_invalid_hts() -> None:
    entry = make("2026-03-01", "CN", {"hts": "9903.01.25", "duty": "10"})
    refund = compute_refund(entry)
    assert "INVALID_HTS" in refund.warning_codes
    assert refund.principal == Decimal(10)


def test_dual_purpose_aircraft_exemption() -> None:
    entry = make(
        "2025-10-01",
        "GB",
        {"hts": "9903.96.01", "duty": "0"},
        {"hts": "8803.30.0030", "value": "100", "duty": "0"},
    )
    assert {"DUAL_PURPOSE_EXEMPTION", "NO_IEEPA_HTS_ON_ENTRY"} <= codes(entry)


def test_exemption_refunds_zero_even_with_duty() -> None:
    refund = compute_refund(make("2025-10-01", "CA", {"hts": "9903.01.14", "duty": "5"}))
    assert refund.principal == 0
    assert "EXEMPTION_WITH_DUTY" in refund.warning_codes


def test_unknown_chapter99_numbers() -> None:
    inside = compute_refund(make("2025-06-02", "CN", {"hts": "9903.01.06", "duty": "40"}))
    assert (inside.principal, inside.principal_high) == (0, Decimal(40))
    assert "UNKNOWN_CH99" in inside.warning_codes
    outside = compute_refund(make("2025-06-02", "CN", {"hts": "9903.99.01", "duty": "40"}))
    assert outside.principal == outside.principal_high == 0
    assert "UNKNOWN_CH99" in outside.warning_codes


def test_suspended_heading() -> None:
    refund = compute_refund(make("2025-06-01", "CN", {"hts": "9903.01.63", "duty": "34"}))
    assert "SUSPENDED_HEADING" in refund.warning_codes
    assert refund.principal == 34


def test_missing_value_is_uncertain_not_zero() -> None:
    refund = compute_refund(make("2025-06-02", "CN", {"hts": "9903.01.24"}))
    assert refund.principal == 0
    assert refund.principal_high is None
    assert refund.uncertain
    assert "UNCERTAIN" in refund.warning_codes


def test_us_content_makes_reciprocal_estimate_a_bound() -> None:
    entry = make(
        "2025-06-02", "VN",
        {"hts": "9903.01.34", "duty": "0"},
        {"hts": "9903.01.25"},
        {"hts": "8471.30.0100", "value": "1000", "duty": "0"},
    )  # fmt: skip
    refund = compute_refund(entry)
    assert (refund.principal, refund.principal_high) == (0, Decimal(100))


def test_topup_estimated_when_missing() -> None:
    full = make(
        "2025-10-15",
        "DE",
        {"hts": "9903.02.20"},
        {"hts": "8708.99.8180", "value": "1000", "rate": "2.5%", "duty": "0"},
    )
    split = make(
        "2025-10-15",
        "DE",
        {"hts": "9903.02.20"},
        {"hts": "8708.99.8180", "value": "1000", "rate": "2.5%", "duty": "25"},
    )
    assert compute_refund(full).principal == compute_refund(split).principal == Decimal("125.00")
    zero = make(
        "2025-10-15",
        "DE",
        {"hts": "9903.02.19"},
        {"hts": "6109.10.0012", "value": "1000", "duty": "165"},
    )
    assert compute_refund(zero).principal == 0


def test_methods_disagree_warning() -> None:
    # 1,000 of Free goods reported with 10.00 MFN duty: recalculation refunds the overpayment too.
    entry = make(
        "2025-06-02", "CN", {"hts": "9903.01.24", "duty": "200"},
        {"hts": "8471.30.0100", "value": "1000", "rate": "Free", "duty": "10"},
    )  # fmt: skip
    paid, recalc = compute_refund(entry), compute_refund(entry, method="recalculate")
    assert (paid.principal, recalc.principal) == (Decimal(200), Decimal(210))
    assert "METHODS_DISAGREE" in paid.warning_codes
    assert "METHODS_DISAGREE" in recalc.warning_codes


def test_recalculate_without_rates_keeps_reported_duty() -> None:
    entry = make(
        "2025-06-02",
        "CN",
        {"hts": "9903.01.24", "duty": "200"},
        {"hts": "8471.30.0100", "value": "1000", "duty": "10"},
    )
    refund = compute_refund(entry, method="recalculate")
    assert refund.principal == 200
    assert "RATE_MISSING" in refund.warning_codes
    assert "METHODS_DISAGREE" not in compute_refund(entry).warning_codes


def test_rate_needing_missing_quantity() -> None:
    entry = make(
        "2025-06-02",
        "CN",
        {"hts": "9903.01.24", "duty": "200"},
        {"hts": "0805.10.0020", "value": "1000", "rate": "2.2¢/kg", "duty": "10"},
    )
    assert "RATE_UNUSABLE" in codes(entry, method="recalculate")


def test_rounding_is_a_parameter() -> None:
    entry = make(
        "2025-12-01",
        "CN",
        {"hts": "9903.01.24"},
        {"hts": "8471.30.0100", "value": "0.25", "duty": "0"},
    )
    assert compute_refund(entry).principal == Decimal("0.03")
    assert compute_refund(entry, rounding=ROUND_HALF_EVEN).principal == Decimal("0.02")


def test_bad_method() -> None:
    with pytest.raises(ValueError, match="method"):
        compute_refund(make("2025-06-02", "CN", {"hts": "9903.01.24", "duty": "1"}), method="guess")  # type: ignore[arg-type]


def test_injected_registry() -> None:
    period = HeadingPeriod(
        heading="99030124", program="what_if", kind="duty", rate_type="ad_valorem_additional",
        rate_percent=Decimal(50), countries=frozenset({"CN"}), effective_from=date(2025, 1, 1),
        effective_to=date(2026, 1, 1), confidence="test", notes="", source="test",
    )  # fmt: skip
    registry = Registry([period], data_version="what-if-1")
    entry = make(
        "2025-06-02",
        "CN",
        {"hts": "9903.01.24"},
        {"hts": "8471.30.0100", "value": "100", "duty": "0"},
    )
    refund = compute_refund(entry, registry=registry)
    assert refund.principal == 50
    assert refund.data_version == "what-if-1"


# --- properties -----------------------------------------------------------------------------


@given(china_entries(), st.sampled_from(["paid", "recalculate"]))
def test_principal_is_the_sum_of_its_parts(entry: Entry, method: Any) -> None:
    """The principal equals paid minus owed, the sum of the lines and the sum of the tariffs."""
    refund = compute_refund(entry, method=method)
    assert refund.principal == refund.paid - refund.owed
    assert refund.principal == sum(line.refund for line in refund.lines)
    assert refund.principal == sum(t.refund for t in refund.tariffs)
    for line in refund.lines:
        assert line.refund == sum(t.refund for t in line.tariffs)


@given(china_entries(), st.randoms(use_true_random=False))
def test_order_of_lines_and_tariffs_does_not_matter(entry: Entry, rnd: Any) -> None:
    """Shuffling lines and the tariffs within them leaves the principal unchanged."""
    lines = [
        line.model_copy(update={"tariffs": tuple(rnd.sample(line.tariffs, len(line.tariffs)))})
        for line in entry.lines
    ]
    shuffled = entry.model_copy(update={"lines": tuple(rnd.sample(lines, len(lines)))})
    assert compute_refund(shuffled).principal == compute_refund(entry).principal


@given(china_entries(), non_ieepa_tariffs(), st.data())
def test_adding_a_non_ieepa_tariff_never_changes_the_principal(
    entry: Entry, extra: Tariff, data: Any
) -> None:
    """A non-IEEPA number with its duty reported is never touched by the paid method."""
    index = data.draw(st.integers(min_value=0, max_value=len(entry.lines) - 1))
    line = entry.lines[index]
    grown = EntryLine(
        number=line.number, country_of_origin=line.country_of_origin, tariffs=(*line.tariffs, extra)
    )
    lines = (*entry.lines[:index], grown, *entry.lines[index + 1 :])
    assert (
        compute_refund(entry.model_copy(update={"lines": lines})).principal
        == compute_refund(entry).principal
    )


@given(china_entries())
def test_principal_is_the_ieepa_duty_paid(entry: Entry) -> None:
    """With every amount reported and no 15% deal, the principal is exactly the IEEPA duty paid."""
    ieepa = {"99030124", "99030163"}
    paid = sum(
        (t.duty or 0 for line in entry.lines for t in line.tariffs if t.hts in ieepa), Decimal(0)
    )
    assert compute_refund(entry).principal == paid


@given(china_entries(rated=True))
def test_disagreement_is_reported_exactly_when_the_methods_differ(entry: Entry) -> None:
    """Each method warns METHODS_DISAGREE if and only if the other method's principal differs."""
    paid, recalc = compute_refund(entry), compute_refund(entry, method="recalculate")
    differ = paid.principal != recalc.principal
    assert ("METHODS_DISAGREE" in paid.warning_codes) == differ
    assert ("METHODS_DISAGREE" in recalc.warning_codes) == differ
    if differ:
        (message,) = [w.message for w in paid.warnings if w.code == "METHODS_DISAGREE"]
        assert f"give {paid.principal}," in message
        assert f"gives {recalc.principal}:" in message


# --- interest on the refund -----------------------------------------------------------------

CN_LINE = (
    {"hts": "9903.01.24", "duty": "2000.00"},
    {"hts": "8471.30.0100", "value": "10000", "duty": "0"},
)


def test_interest_runs_to_liquidation() -> None:
    entry = make(
        "2025-06-02", "CN", *CN_LINE, deposit_date="2025-06-12", liquidation_date="2026-04-24"
    )
    refund = compute_refund(entry, interest_until=date(2026, 12, 1))  # liquidation wins
    assert refund.interest_until == date(2026, 4, 24)
    assert refund.deposit_basis == "deposit_date"
    assert refund.interest == Decimal("123.54")
    assert refund.total == Decimal("2123.54")
    assert refund.interest_detail is not None
    assert sum(p.amount for p in refund.interest_detail.periods) == refund.interest
    assert refund.rates_version == "2026.4"


def test_unliquidated_entry_without_a_date_has_no_interest() -> None:
    refund = compute_refund(make("2025-06-02", "CN", *CN_LINE, deposit_date="2025-06-12"))
    assert refund.interest is None
    assert refund.total is None
    assert "NO_INTEREST_UNLIQUIDATED" in refund.warning_codes
    what_if = compute_refund(
        make("2025-06-02", "CN", *CN_LINE, deposit_date="2025-06-12"),
        interest_until=date(2026, 4, 24),
    )
    assert what_if.interest == Decimal("123.54")


def test_deposit_date_conventions() -> None:
    summary = compute_refund(make("2025-06-02", "CN", *CN_LINE, entry_summary_date="2025-06-12"))
    assert summary.deposit_date == date(2025, 6, 12)
    assert "DEPOSIT_DATE_ASSUMED" in summary.warning_codes
    bare = compute_refund(make("2025-06-02", "CN", *CN_LINE))
    assert bare.deposit_date == date(2025, 6, 2)
    assert bare.deposit_basis == "entry_date (assumed)"
    pms = compute_refund(make("2025-06-02", "CN", *CN_LINE), deposit="pms")
    assert pms.deposit_date == date(2025, 7, 22)
    assert "DEPOSIT_DATE_ASSUMED" not in pms.warning_codes


def test_corporate_rate_and_projection() -> None:
    entry = make(
        "2025-06-02", "CN", *CN_LINE, deposit_date="2025-06-12", liquidation_date="2027-02-01"
    )
    refused = compute_refund(entry)
    assert refused.interest is None
    assert "RATE_NOT_COVERED" in refused.warning_codes
    projected = compute_refund(entry, project=True)
    assert projected.interest is not None
    assert "RATE_PROJECTED" in projected.warning_codes
    corporate = compute_refund(entry, project=True, corporate=True)
    assert corporate.interest is not None
    assert corporate.interest < projected.interest


def test_underpayment_gets_no_refund_interest() -> None:
    entry = make(
        "2025-06-02", "CN", {"hts": "8471.30.0100", "value": "1000", "rate": "5%", "duty": "0"},
        deposit_date="2025-06-12", liquidation_date="2026-04-24",
    )  # fmt: skip
    refund = compute_refund(entry, method="recalculate")
    assert refund.principal == Decimal(-50)
    assert refund.interest == Decimal("0.00")
    assert "UNDERPAYMENT" in refund.warning_codes


def test_uncertain_principal_says_interest_is_on_the_established_part() -> None:
    entry = make("2025-06-02", "CN", {"hts": "9903.01.06", "duty": "40"}, deposit_date="2025-06-12")
    refund = compute_refund(entry, interest_until=date(2026, 1, 1))
    assert refund.interest == Decimal("0.00")
    assert "INTEREST_ON_ESTABLISHED_PRINCIPAL" not in refund.warning_codes  # nothing established


def test_interest_end_before_deposit_is_a_warning_not_an_error() -> None:
    entry = make("2025-06-02", "CN", *CN_LINE, deposit_date="2025-12-19")
    refund = compute_refund(entry, interest_until=date(2025, 12, 1))
    assert refund.interest is None
    assert "INTEREST_BEFORE_DEPOSIT" in refund.warning_codes


@pytest.mark.parametrize(("option", "value"), [("deposit", "monthly"), ("rounding", "HALF_UP")])
def test_bad_options_are_refused_up_front(option: str, value: str) -> None:
    entry = make("2025-06-02", "CN", *CN_LINE, deposit_date="2025-06-12")
    with pytest.raises(ValueError, match=option):
        compute_refund(entry, **{option: value})


def test_warning_codes_are_an_enum_and_the_table_is_derived_from_it() -> None:
    assert list(WARNING_CODES) == [code.value for code in WarningCode]
    assert WARNING_CODES["UNCERTAIN"] == WarningCode.UNCERTAIN.meaning
    refund = compute_refund(make("2025-06-02", "CN", {"hts": "9903.01.24"}))
    assert refund.warnings
    for item in refund.warnings:
        assert isinstance(item.code, WarningCode)
    assert refund.model_dump(mode="json")["warnings"][0]["code"] == refund.warnings[0].code.value


def test_the_deposit_basis_is_data_not_text() -> None:
    bare = compute_refund(make("2025-06-02", "CN", *CN_LINE))
    assert bare.deposit_basis is DepositBasis.ENTRY_DATE
    assert bare.deposit_basis.assumed
    assert bare.deposit_basis.field == "entry_date"
    summary = compute_refund(make("2025-06-02", "CN", *CN_LINE, entry_summary_date="2025-06-12"))
    assert summary.deposit_basis is DepositBasis.ENTRY_SUMMARY_DATE
    (assumed,) = (w for w in summary.warnings if w.code == "DEPOSIT_DATE_ASSUMED")
    assert "from the entry_summary_date 2025-06-12" in assumed.message
    pms = compute_refund(make("2025-06-02", "CN", *CN_LINE), deposit="pms")
    assert pms.deposit_basis is DepositBasis.PMS
    assert not pms.deposit_basis.assumed


def test_whole_cents_written_with_more_zeros_are_held_in_two_places() -> None:
    """2000.0000 is 2000.00 exactly: held so, every figure built from it prints in cents, as
    the bulk engine prints it. A non-zero digit past the cent is kept as given (the
    reader refuses such a cell; a Python caller's value is used as it is), and a quantity
    keeps its places."""
    tariff = {"hts": "9903.01.24", "duty": "2000.0000", "value": "10.500", "quantity": "1.5000"}
    entry = make("2025-06-02", "CN", tariff, liquidation_date="2025-10-01")
    kept = entry.lines[0].tariffs[0]
    assert (str(kept.duty), str(kept.value), str(kept.quantity)) == ("2000.00", "10.50", "1.5000")
    refund = compute_refund(entry)
    assert str(refund.principal) == "2000.00"
    assert str(refund.total) == str(refund.total.quantize(Decimal("0.01")))
    finer = make("2025-06-02", "CN", {"hts": "9903.01.24", "duty": "2000.0050"})
    assert str(finer.lines[0].tariffs[0].duty) == "2000.0050"
    assert compute_refund(finer).principal == Decimal("2000.005")  # as before: not rounded
