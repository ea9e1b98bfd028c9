"""The federal closures data set: loaded once, checked at load, used by the PMS rule."""

from __future__ import annotations

import json
from datetime import date
from hashlib import sha256
from pathlib import Path

import pytest

from ieepa_refund import DataError
from ieepa_refund.dates import pms_deposit_date
from ieepa_refund.refund import default_federal_closures, load_federal_closures

HEADER = "date,authority,notes,source\n"


def _folder(tmp_path: Path, body: str) -> Path:
    data = (HEADER + body).encode("utf-8")
    (tmp_path / "closures.csv").write_bytes(data)
    # A manifest that matches: the bad row, not the checksum, is what must be reported.
    manifest = {
        "data_version": "t",
        "files": {"closures.csv": {"sha256": sha256(data).hexdigest()}},
    }
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def test_the_shipped_closures_name_their_order() -> None:
    (carter, *_) = load_federal_closures()
    assert carter.day == date(2025, 1, 9)
    assert "14133" in carter.authority
    assert default_federal_closures() == {c.day for c in load_federal_closures()}


def test_a_closure_moves_the_pms_deposit_only_when_it_falls_before_the_15th_working_day() -> None:
    closures = default_federal_closures()
    assert pms_deposit_date(date(2024, 12, 10), closures=closures) == date(2025, 1, 24)
    assert pms_deposit_date(date(2024, 12, 10)) == date(2025, 1, 23)  # CSMS #63430997's date
    # 2025-12-24 and -26 come after December's 15th working day (12-19): no change.
    assert pms_deposit_date(date(2025, 11, 5), closures=closures) == date(2025, 12, 19)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2025-13-01,EO,,src\n", "closures.csv row 2: date is not an ISO date"),
        ("2025-01-09,,,src\n", "row 2: every closure names its authority and source"),
        ("2025-01-09,EO,,\n", "row 2: every closure names its authority and source"),
        ("2025-01-09,EO,,a\n2025-01-08,EO,,b\n", "row 3: dates must be sorted and unique"),
        ("2025-01-09,EO,,a\n2025-01-09,EO,,b\n", "row 3: dates must be sorted and unique"),
    ],
)
def test_a_bad_row_is_a_data_error_naming_it(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_federal_closures(_folder(tmp_path, body))
