"""An entry whose IEEPA lines show 0.00 is not declared (rule ``no_ieepa_duty``): ``estimate``
says "Nothing to refund" for it, and declaring it would spend its one CAPE acceptance and
block post-summary corrections (ACE condition 864)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ieepa_refund import DATA_VERSIONS, Entry, compute_refund
from ieepa_refund.cape import screen
from ieepa_refund.cape.rules import default_cape_rules
from ieepa_refund.roads import Road, entry_road

ON = date(2026, 7, 1)


def entry(*duties: str | None) -> Entry:
    return Entry.model_validate(
        {
            "entry_number": "B76-0324527-8",
            "entry_type": "01",
            "importer_number": "12-3456789AB",
            "entry_date": "2025-06-02",
            "lines": [
                {
                    "number": n,
                    "country_of_origin": "CN",
                    "tariffs": [{"hts": "9903.01.25", "duty": duty}],
                }
                for n, duty in enumerate(duties, start=1)
            ],
        }
    )


@pytest.mark.parametrize("duties", [("0.00",), ("0",), ("0.00", "0.00")])
def test_an_entry_whose_ieepa_duty_is_zero_is_excluded_saying_so(duties: tuple[str]) -> None:
    found = screen(entry(*duties), declared_on=ON)
    assert found.status == "excluded"
    assert found.reason_codes == ("NO_IEEPA_DUTY_PAID",)
    (reason,) = found.reasons
    assert reason.message.startswith("No IEEPA duty paid: the data show 0.00")
    assert "A project rule (ieepa-refund): CBP has no message for it" in reason.message
    assert not reason.cbp_message
    assert found.rules_version == DATA_VERSIONS["cape_rules"] == "2026.7"


@pytest.mark.parametrize("duties", [("0.00", "10.00"), (None,), ("0.00", None), ("10.00",)])
def test_an_entry_with_ieepa_duty_or_none_reported_is_not(duties: tuple[Any, ...]) -> None:
    # A blank duty says nothing: the refund estimates it, and screening does not guess.
    assert screen(entry(*duties), declared_on=ON).status == "eligible"


def test_screening_and_the_road_agree_nothing_to_refund() -> None:
    zero = entry("0.00")
    road = entry_road(zero, compute_refund(zero, interest_until=ON), declared_on=ON)
    assert road.road is Road.NOTHING_TO_REFUND
    assert not screen(zero, declared_on=ON).eligible


def test_the_rule_is_data_in_force_from_cape_opening() -> None:
    (rule,) = default_cape_rules().in_force(ON).all("no_ieepa_duty")
    assert (rule.code, rule.effective_from, rule.effective_to) == (
        "NO_IEEPA_DUTY_PAID",
        date(2026, 4, 20),
        None,
    )
    assert not rule.cbp_text
