"""A Protest Number cell that cannot be a protest number is a row problem (t61): read as text,
'N/A' or '000000000000' kept the entry out of CAPE as PROTEST_ON_ENTRY and its money
undeclared. A CBP protest number is digits (the sample's 270425100123: port 2704, year 25,
serial 100123); only what cannot be one is refused, written forms of a real one are kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund.es003 import read_es003
from ieepa_refund.es003._cells import BadCell, parse_protest_number

HEADER = ["Entry Summary Number", "Entry Summary Line Number", "Entry Type Code",
          "Importer Number", "Entry Date", "Country of Origin Code", "HTS Number - Full",
          "Line Tariff Duty Amount", "Protest Number"]  # fmt: skip
PLACEHOLDERS = ["000000000000", "N/A", "0", "NONE", "none", "-", "0000-00-000000", "123", "TBD"]


@pytest.mark.parametrize("cell", PLACEHOLDERS)
def test_what_cannot_be_a_protest_number_is_refused(cell: str) -> None:
    with pytest.raises(BadCell, match="leave the cell blank when the entry has no protest"):
        parse_protest_number(cell)


@pytest.mark.parametrize(
    "cell", ["270425100123", "2704-25-100123", "2704 25 100123", " 270425100123 ", 270425100123]
)
def test_a_protest_number_is_kept_as_written(cell: object) -> None:
    assert parse_protest_number(cell) == str(cell).strip()


@pytest.mark.parametrize("cell", ["", "  ", None])
def test_a_blank_cell_is_no_protest(cell: object) -> None:
    assert parse_protest_number(cell) is None


def test_the_reader_names_the_cell_and_keeps_the_other_entries(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    numbers = ["31695000005", "31695000013", "31695000047"]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for number, protest in zip(numbers, ["N/A", "270425100123", ""], strict=True):
            out.writerow(
                [number, "1", "01", "12-3456789AB", "06/02/2025", "CN", "99030125", "10", protest]
            )
    result = read_es003(path)
    (problem,) = result.problems
    assert (problem.code, problem.column, problem.value, problem.entry_number) == (
        "BAD_VALUE",
        "Protest Number",
        "N/A",
        "31695000005",
    )
    assert "not a protest number" in problem.message
    protests = {e.entry_number: e.protest_number for e in result.entries}
    assert protests == {"31695000013": "270425100123", "31695000047": None}
