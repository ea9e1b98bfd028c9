"""A Protest Number placeholder ('N/A', 'NONE', '000000000000': an empty-field marker or zeros) is read as no
protest with a PROTEST_PLACEHOLDER warning naming the row, and the row is kept (t61 then t62/04:
read as text it kept the entry out of CAPE as PROTEST_ON_ENTRY; rejected as a row it threw the
row's duty away and the entry still out of CAPE). A CBP protest number is digits (the sample's
270425100123: port 2704, year 25, serial 100123); a cell that is neither blank, a placeholder
nor a protest number (fewer than four digits, not all zeros) is a BAD_VALUE row problem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund.es003 import read_es003
from ieepa_refund.es003._cells import BadCell, parse_protest_number, protest_placeholder

HEADER = ["Entry Summary Number", "Entry Summary Line Number", "Entry Type Code",
          "Importer Number", "Entry Date", "Country of Origin Code", "HTS Number - Full",
          "Line Tariff Duty Amount", "Protest Number"]  # fmt: skip
PLACEHOLDERS = [
    "000000000000", "N/A", "0", "NONE", "none", "-", "0000-00-000000", "NULL", "#N/A", "\u2014",
]  # fmt: skip


@pytest.mark.parametrize("cell", PLACEHOLDERS)
def test_a_placeholder_is_no_protest(cell: str) -> None:
    assert protest_placeholder(cell)
    assert parse_protest_number(cell) is None


# A word with no digit may say there is a protest ('Y', 'FILED'): refused, never read as
# none, which would declare an entry under protest (t63/04).
@pytest.mark.parametrize("cell", ["123", "12-3", "N/A 12", "Y", "YES", "FILED", "PENDING", "TBD"])
def test_what_is_neither_blank_a_placeholder_nor_a_protest_number_is_refused(cell: str) -> None:
    assert not protest_placeholder(cell)
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


def test_the_reader_warns_of_a_placeholder_and_keeps_its_row(tmp_path: Path) -> None:
    path = tmp_path / "es003.csv"
    numbers = ["31695000005", "31695000013", "31695000047", "31695000054"]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for number, protest in zip(numbers, ["N/A", "270425100123", "", "123"], strict=True):
            out.writerow(
                [number, "1", "01", "12-3456789AB", "06/02/2025", "CN", "99030125", "10", protest]
            )
        # A second row of the first entry, its placeholder the same: one warning per entry.
        out.writerow(
            [numbers[0], "2", "01", "12-3456789AB", "06/02/2025", "CN", "99030125", "5", "N/A"]
        )
    result = read_es003(path)
    warning, bad = sorted(result.problems, key=lambda p: p.code, reverse=True)
    assert (warning.code, warning.row, warning.column, warning.value, warning.rows) == (
        "PROTEST_PLACEHOLDER", 2, "Protest Number", "N/A", 0,
    )  # fmt: skip
    assert warning.entry_number == "31695000005"
    assert (bad.code, bad.value, bad.entry_number, bad.rows) == ("BAD_VALUE", "123", numbers[3], 1)
    protests = {e.entry_number: e.protest_number for e in result.entries}
    assert protests == {"31695000005": None, "31695000013": "270425100123", "31695000047": None}
    (first,) = (e for e in result.entries if e.entry_number == "31695000005")
    assert len(first.lines) == 2  # both rows kept
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (5, 4, 1)
