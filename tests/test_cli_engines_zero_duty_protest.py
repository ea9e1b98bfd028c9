"""Both engines, byte for byte, on two faults a tester found (t61):

- an entry whose IEEPA lines show 0.00 is "Nothing to refund" in ``estimate`` and must not be
  declared by ``cape`` (rule ``no_ieepa_duty``). The bulk engine screens each distinct set of
  the facts screening reads: twins that differ only in that duty must not share a screening;
- a placeholder in Protest Number ('N/A', '000000000000') is read as no protest with a warning
  naming the row (t62/04: as a row problem it threw the row's duty away and still kept the
  entry out of CAPE); a cell that is not a protest number either ('123') is a row problem.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund.entry_number import calc_check_digit

pytest.importorskip("polars")

from .test_cli_cape_engines import same_outputs as same_cape_outputs
from .test_cli_engines import same_outputs as same_estimate_outputs

HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Importer Name", "Port of Entry Code", "Entry Date", "Entry Summary Date",
    "Reconciliation Indicator", "Liquidation Date", "Liquidation Status", "Protest Number",
    "Country of Origin Code", "Line SPI Code", "Tariff Ordinal Number", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Line Tariff Quantity (1)",
    "Line Tariff UOM (1) Code",
]  # fmt: skip


def _number(n: int) -> str:
    first = f"316{n:07d}"
    return first + calc_check_digit(first)


def _write(tmp: Path, rows: list[tuple[str, str]]) -> Path:
    """One unliquidated 9903.01.25 entry per (duty, protest number)."""
    path = tmp / "es003.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n, (duty, protest) in enumerate(rows, start=1):
            out.writerow(
                [_number(n), "1", "01", "12-3456789AB", "ACME", "2704", "06/02/2025",
                 "06/12/2025", "N", "", "UNLIQUIDATED", protest, "CN", "", "1", "99030125", "",
                 duty, "", ""]
            )  # fmt: skip
    return path


#: Twins but for the duty: a zero, a positive, a zero, a positive.
ZERO_TWINS = [("0.00", ""), ("1000.00", ""), ("0", ""), ("250.00", "")]


def test_cape_leaves_out_an_entry_whose_ieepa_duty_is_zero_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, _, stdout = same_cape_outputs([_write(tmp_path, ZERO_TWINS)], tmp_path, capsys)
    assert "4 entries computed in columns, 0 by the per-entry path" in engine
    assert "excluded NO_IEEPA_DUTY_PAID: 2" in stdout
    (declaration,) = (tmp_path / "entry").glob("cape_*_001.csv")
    declared = declaration.read_text(encoding="ascii").splitlines()[1:]
    assert declared == [_number(2), _number(4)]
    (report,) = (tmp_path / "entry").glob("screening_*.csv")
    text = report.read_text(encoding="utf-8")
    assert "No IEEPA duty paid" in text
    assert "A project rule (ieepa-refund): CBP has no message for it" in text


def test_estimate_puts_zero_duty_twins_on_nothing_to_refund_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ZERO_TWINS)
    engine = same_estimate_outputs(
        [path], tmp_path, capsys, "--declared-on", "2026-07-01", roads=True
    )
    assert "4 entries computed in columns, 0 by the per-entry path" in engine
    with (tmp_path / "entry" / "refunds.csv").open(encoding="utf-8") as f:
        roads = {r["entry_number"]: r["road"] for r in csv.DictReader(f)}
    assert roads[_number(1)] == roads[_number(3)] == "Nothing to refund"
    assert roads[_number(2)] == roads[_number(4)] != "Nothing to refund"


def test_the_bulk_engine_screens_zero_duty_twins_as_screen_does(tmp_path: Path) -> None:
    """The duty is a screening fact: twins but for it get their own screenings in columns."""
    from datetime import date

    from ieepa_refund.bulk import estimate
    from ieepa_refund.cape import screen
    from ieepa_refund.es003 import read_es003

    path = _write(tmp_path, ZERO_TWINS)
    on = date(2026, 7, 1)
    found = estimate(path, as_of=on, screenings=True)
    assert found.report.entries_bulk == 4
    assert found.screenings is not None
    for entry in read_es003(path).entries:
        assert found.screenings[entry.entry_number] == screen(entry, declared_on=on)
    assert found.screenings[_number(1)].reason_codes == ("NO_IEEPA_DUTY_PAID",)
    assert found.screenings[_number(2)].eligible


PLACEHOLDERS = [
    ("1000.00", "000000000000"),
    ("1000.00", "N/A"),
    ("1000.00", "0"),
    ("1000.00", "NONE"),
    ("1000.00", ""),
    ("1000.00", "270425100123"),
    ("1000.00", "123"),
]


def test_a_placeholder_protest_number_is_no_protest_with_a_warning_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, PLACEHOLDERS)
    _, code, stdout = same_cape_outputs([path], tmp_path, capsys)
    assert code == 1  # an input problem: the '123' row
    assert "7 rows read, 6 used, 1 rejected" in stdout
    problems = (tmp_path / "entry.problems.csv").read_text(encoding="utf-8")
    for value in ("000000000000", "N/A", "0", "NONE"):
        assert f"PROTEST_PLACEHOLDER,Protest Number,{value}," in problems, value
    assert problems.count("PROTEST_PLACEHOLDER") == 4
    assert problems.count("leave the cell blank when the entry has no protest") == 1
    assert "BAD_VALUE,Protest Number,123," in problems
    # The real protest still keeps its entry out; the placeholders' and the blank one are declared.
    assert "excluded PROTEST_ON_ENTRY: 1" in stdout
    (declaration,) = (tmp_path / "entry").glob("cape_*_001.csv")
    assert declaration.read_text(encoding="ascii").splitlines()[1:] == [
        _number(n) for n in range(1, 6)
    ]
    same_estimate_outputs([path], tmp_path / "estimate", capsys)
