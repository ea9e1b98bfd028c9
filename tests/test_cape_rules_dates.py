"""The shipped CAPE rules on each date they change: which message an entry gets when.

CSMS #69056483 (2026-06-25): until 2026-06-24 line-level HTS faults came back as
``HTS RELATIONSHIP/SEQUENCE MISMATCH`` and ``GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH
1-97`` was checked; from 2026-06-25 ``INVALID HTS`` and ``HTS RELATIONSHIP MISMATCH``, and the
goods-value check is gone. CSMS #69035485: reconciliation-flagged 01/02/06 entries accepted
from 2026-06-29 when no type 09 was filed. From 2026-10-06 (no CSMS; low confidence):
finally liquidated entries of CIT plaintiffs, opt-in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ieepa_refund import Entry
from ieepa_refund.cape import default_cape_rules, screen

OPENS, LAST_OLD, SPLIT, RECON, CIT = (
    date(2026, 4, 20),
    date(2026, 6, 24),
    date(2026, 6, 25),
    date(2026, 6, 29),
    date(2026, 10, 6),
)
DATES = (OPENS, LAST_OLD, SPLIT, RECON, CIT)
CH1_97 = {"hts": "8471.30.0100", "value": "1000.00", "rate": "Free", "duty": "0.00"}


def entry(lines: list[list[dict[str, Any]]] | None = None, **kw: Any) -> Entry:
    tariffs = lines or [[{"hts": "9903.01.24", "duty": "200.00"}, CH1_97]]
    data: dict[str, Any] = {
        "entry_number": "B76-0324527-8",
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": "2025-06-02",
        "lines": [
            {"number": n, "country_of_origin": "CN", "tariffs": t}
            for n, t in enumerate(tariffs, start=1)
        ],
    }
    return Entry.model_validate({**data, **kw})


def messages(result: Any) -> dict[str, str]:
    return {r.code: r.message for r in result.reasons}


# Summary 2026-01-15: the 300-day PSC window stays open to 2026-11-11, past every date here.
RECENT = {"entry_date": "2026-01-05", "entry_summary_date": "2026-01-15"}
# Chapter 99 number used outside its period: IEEPA collection ended for entries from 2026-02-24.
INVALID = {"entry_date": "2026-03-02", "entry_summary_date": "2026-03-12"}
# The second line carries its Chapter 99 number without the Chapter 1-97 number it belongs to.
ORPHAN = [
    [{"hts": "9903.01.24", "duty": "200.00"}, CH1_97],
    [{"hts": "9903.01.25", "duty": "100.00"}],
]
# The value reported on the Chapter 99 line; the Chapter 1-97 number has none.
VALUE_ON_CH99 = [
    [
        {"hts": "9903.01.24", "value": "1000.00", "duty": "200.00"},
        {"hts": "8471.30.0100", "rate": "Free", "duty": "0.00"},
    ]
]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (OPENS, "HTS RELATIONSHIP/SEQUENCE MISMATCH"),
        (LAST_OLD, "HTS RELATIONSHIP/SEQUENCE MISMATCH"),
        (SPLIT, "INVALID HTS"),
        (RECON, "INVALID HTS"),
        (CIT, "INVALID HTS"),
    ],
)
def test_a_heading_outside_its_period(on: date, expected: str) -> None:
    result = screen(entry(**INVALID), declared_on=on)
    assert result.status == "excluded"
    assert messages(result)["INVALID_HTS"] == expected
    assert result.reasons[0].cbp_message


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (OPENS, "HTS RELATIONSHIP/SEQUENCE MISMATCH"),
        (LAST_OLD, "HTS RELATIONSHIP/SEQUENCE MISMATCH"),
        (SPLIT, "HTS RELATIONSHIP MISMATCH"),
        (RECON, "HTS RELATIONSHIP MISMATCH"),
        (CIT, "HTS RELATIONSHIP MISMATCH"),
    ],
)
def test_a_chapter99_number_without_its_companion(on: date, expected: str) -> None:
    result = screen(entry(ORPHAN, **RECENT), declared_on=on)
    assert result.reason_codes == ("HTS_RELATIONSHIP_MISMATCH",)
    assert messages(result)["HTS_RELATIONSHIP_MISMATCH"] == expected


def test_chapter99_rows_alone_say_nothing_about_companions() -> None:
    # A file of Chapter 99 rows only: no line carries a Chapter 1-97 number, none is missing one.
    alone = entry([[{"hts": "9903.01.24", "duty": "200.00"}]])
    assert screen(alone, declared_on=SPLIT).status == "eligible"


@pytest.mark.parametrize(
    ("on", "status"),
    [(OPENS, "excluded"), (LAST_OLD, "excluded"), (SPLIT, "eligible"), (RECON, "eligible")],
)
def test_the_goods_value_check_ran_until_2026_06_24(on: date, status: str) -> None:
    result = screen(entry(VALUE_ON_CH99, **RECENT), declared_on=on)
    assert result.status == status
    if status == "excluded":
        assert messages(result) == {
            "GOODS_VALUE_NOT_ON_CH1_97": "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"
        }


def test_no_value_anywhere_is_not_a_goods_value_fault() -> None:
    # An export without values says nothing about what ACE holds.
    bare = entry([[{"hts": "9903.01.24", "duty": "200.00"}, {"hts": "8471.30.0100"}]])
    assert screen(bare, declared_on=OPENS).status == "eligible"


@pytest.mark.parametrize(
    ("on", "codes", "status"),
    [
        (OPENS, ("RECON_FLAGGED",), "excluded"),
        (LAST_OLD, ("RECON_FLAGGED",), "excluded"),
        (SPLIT, ("RECON_FLAGGED",), "excluded"),
        (RECON, ("RECON_FLAGGED_ALLOWED",), "eligible"),
        (CIT, ("RECON_FLAGGED_ALLOWED",), "eligible"),
    ],
)
def test_reconciliation_flagged(on: date, codes: tuple[str, ...], status: str) -> None:
    result = screen(entry(reconciliation_flag=True, type09_filed=False), declared_on=on)
    assert (result.reason_codes, result.status) == (codes, status)


@pytest.mark.parametrize("on", DATES)
def test_an_entry_not_in_ace_is_excluded_from_the_start(on: date) -> None:
    result = screen(entry(not_in_ace=True), declared_on=on)
    assert result.reason_codes == ("NOT_IN_ACE",)
    assert "CSMS #68315804" in result.reasons[0].source


def test_finally_liquidated_plaintiffs_are_opt_in_from_2026_10_06() -> None:
    old = entry(liquidation_date="2025-12-01")
    plaintiffs = {"12-3456789AB"}
    assert screen(old, declared_on=date(2026, 10, 5), plaintiffs=plaintiffs).status == "excluded"
    allowed = screen(old, declared_on=CIT, plaintiffs=plaintiffs)
    assert (allowed.status, allowed.reason_codes) == ("eligible", ("FINALLY_LIQUIDATED_CIT",))
    assert screen(old, declared_on=CIT).reason_codes == ("LIQUIDATED_OVER_80_DAYS",)
    (rule,) = default_cape_rules().in_force(CIT).all("finally_liquidated")
    assert rule.confidence == "low"
    assert "No CSMS" in rule.source


def test_a_fault_needing_a_psc_after_the_psc_window_closed() -> None:
    # Summary 2025-06-12: the 300-day PSC window closed 2026-04-08.
    late = entry(
        [[{"hts": "9903.01.24", "duty": "200.00"}, CH1_97], [{"hts": "9903.01.25", "duty": "1"}]],
        entry_summary_date="2025-06-12",
    )
    result = screen(late, declared_on=SPLIT)
    assert result.reason_codes == ("HTS_RELATIONSHIP_MISMATCH", "PSC_WINDOW_CLOSED")
    assert result.reasons[1].message.endswith("(the window closed 2026-04-08)")
    assert result.reasons[1].effect == "exclude"


def test_a_fault_needing_a_psc_on_a_liquidated_entry() -> None:
    liquidated = entry(
        ORPHAN,
        entry_date="2026-01-05",
        liquidation_date="2026-06-01",
        liquidation_status="LIQUIDATED",
    )
    result = screen(liquidated, declared_on=SPLIT)
    assert result.reason_codes == ("HTS_RELATIONSHIP_MISMATCH", "PSC_WINDOW_CLOSED")
    assert result.reasons[1].message.endswith("(liquidated 2026-06-01)")


def test_a_fault_inside_the_psc_window_can_still_be_corrected() -> None:
    # Summary 2026-03-12: the window is open to 2027-01-06.
    result = screen(entry(**INVALID), declared_on=SPLIT)
    assert result.reason_codes == ("INVALID_HTS",)


def test_no_psc_reason_without_a_psc_fault() -> None:
    result = screen(entry(entry_summary_date="2025-06-12"), declared_on=SPLIT)
    assert result.status == "eligible"
    assert result.reason_codes == ()


def test_the_rules_in_force_on_each_date() -> None:
    rules = default_cape_rules()
    names = {on: {r.rule for r in rules.in_force(on).rules} for on in DATES}
    assert "goods_value_ch1_97" in names[OPENS]
    assert "goods_value_ch1_97" in names[LAST_OLD]
    assert "goods_value_ch1_97" not in names[SPLIT]
    assert "finally_liquidated" not in names[RECON]
    assert "finally_liquidated" in names[CIT]
    assert {"not_in_ace", "psc_window", "invalid_hts", "hts_relationship"} <= names[OPENS]
