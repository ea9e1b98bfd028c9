"""``cape`` says when a liquidation date is after the declaration date (t62/08).

``estimate`` flags such a date LIQUIDATION_AFTER_AS_OF; ``cape`` screened it as fact with no
word and counted its windows from a date not yet reached. Now the screening carries a note
naming both dates (its status unchanged: an entry not yet liquidated is as eligible), the
screening report shows it and the summary counts and names the entries, on both engines.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import Entry
from ieepa_refund.cape import screen

DECLARED_ON = date(2026, 12, 1)


def _entry(liquidated: date | None, status: str = "LIQUIDATED") -> Entry:
    return Entry.model_validate(
        {
            "entry_number": "31600080035",
            "entry_type": "01",
            "importer_number": "12-3456789AB",
            "entry_date": date(2025, 6, 2),
            "liquidation_date": liquidated,
            "liquidation_status": status,
            "lines": [
                {
                    "number": 1,
                    "country_of_origin": "CN",
                    "tariffs": [{"hts": "99030125", "duty": Decimal("1000.00")}],
                }
            ],
        }
    )


def test_a_liquidation_after_the_declaration_date_is_a_note_naming_both_dates() -> None:
    later = screen(_entry(date(2026, 12, 20)), declared_on=DECLARED_ON)
    assert later.status == "eligible"  # CAPE takes an unliquidated entry all the same
    assert later.reason_codes == ("LIQUIDATION_AFTER_AS_OF",)
    [note] = later.reasons
    assert note.effect == "note"
    assert "liquidation date 2026-12-20 is after the declaration date 2026-12-01" in note.message
    # Its windows are still counted from the date, as the note says.
    assert later.deadlines.cape_window_closes == date(2027, 3, 10)


@pytest.mark.parametrize(
    ("liquidated", "status", "codes"),
    [
        (date(2026, 12, 1), "LIQUIDATED", ()),  # on the declaration date: it has happened
        (date(2026, 11, 20), "LIQUIDATED", ()),
        (None, "UNLIQUIDATED", ()),
        # The status contradicts a date reached: LIQUIDATION_INCONSISTENT, not said twice. (A
        # date after the declaration date with an open status is a schedule: t63/03's tests.)
        (date(2026, 11, 20), "UNLIQUIDATED", ("LIQUIDATION_INCONSISTENT",)),
    ],
)
def test_no_note_otherwise(liquidated: date | None, status: str, codes: tuple[str, ...]) -> None:
    assert screen(_entry(liquidated, status), declared_on=DECLARED_ON).reason_codes == codes


HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Entry Summary Date,Liquidation Date,Liquidation Status,Country of Origin Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Duty Amount"
)
ROWS = [
    # Two in the future, one on the declaration date, one before: the same facts but the date,
    # so the bulk engine's screening of each distinct set of facts must tell them apart.
    "31600080035,1,01,12-3456789AB,06/02/2025,06/12/2025,12/20/2026,LIQUIDATED,CN,1,99030125,1000.00",
    "31600080043,1,01,12-3456789AB,06/02/2025,06/12/2025,03/20/2027,LIQUIDATED,CN,1,99030125,1000.00",
    "31600080050,1,01,12-3456789AB,06/02/2025,06/12/2025,12/01/2026,LIQUIDATED,CN,1,99030125,1000.00",
    "31600080068,1,01,12-3456789AB,06/02/2025,06/12/2025,11/20/2026,LIQUIDATED,CN,1,99030125,1000.00",
]


def test_the_command_says_it_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_cape_engines import same_outputs

    source = tmp_path / "es003.csv"
    source.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    _, code, out = same_outputs(
        [source], tmp_path, capsys, "--declared-on", DECLARED_ON.isoformat()
    )
    assert code == 0  # a note: the screening stands, as estimate keeps the figure
    assert "Screened 4 entries: 4 eligible" in out
    assert (
        "  LIQUIDATION_AFTER_AS_OF: 2 entries with a liquidation date after the declaration date "
        "2026-12-01"
    ) in out
    assert out.rstrip().count("31600080035, 31600080043") == 1
    report = next((tmp_path / "entry").glob("screening_*.csv"))
    with report.open(newline="") as f:
        rows = {r["entry_number"]: r for r in csv.DictReader(f)}
    assert rows["31600080035"]["reasons"] == "LIQUIDATION_AFTER_AS_OF"
    assert "2026-12-20 is after the declaration date 2026-12-01" in rows["31600080035"]["messages"]
    assert "2027-03-20" in rows["31600080043"]["messages"]
    assert rows["31600080050"]["reasons"] == rows["31600080068"]["reasons"] == ""
