"""Golden entries whose refunds were worked by hand (see tests/golden/README.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ieepa_refund import Entry, compute_refund, hts

CASES = Path(__file__).parent / "golden" / "cases"
# Cases about the principal leave the interest dates out; these codes then say only that.
NO_INTEREST_DATES = {"DEPOSIT_DATE_ASSUMED", "NO_INTEREST_UNLIQUIDATED"}


def all_cases() -> list[tuple[str, str]]:
    found = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        found.extend((path.stem, method) for method in case["methods"])
    return found


def test_there_are_golden_cases() -> None:
    assert len(all_cases()) >= 8


@pytest.mark.parametrize(("name", "method"), all_cases())
def test_golden(name: str, method: Any) -> None:
    case = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    assert case["working"], "a golden case shows its working"
    expected = case["expected"]
    options = case.get("options", {})
    refund = compute_refund(Entry.model_validate(case["entry"]), method=method, **options)
    assert refund.paid == Decimal(expected["paid"])
    assert refund.owed == Decimal(expected["owed"])
    assert refund.principal == Decimal(expected["principal"])
    high = expected["principal_high"]
    assert refund.principal_high == (Decimal(high) if high is not None else None)
    codes = set(refund.warning_codes)
    if "interest" not in expected:
        codes -= NO_INTEREST_DATES
    else:
        assert refund.interest == Decimal(expected["interest"])
        assert refund.total == Decimal(expected["principal"]) + Decimal(expected["interest"])
    assert codes == set(expected["warnings"])
    got = {hts.format(t.hts): t.refund for t in refund.tariffs}
    assert got == {k: Decimal(v) for k, v in expected["refunds"].items()}
