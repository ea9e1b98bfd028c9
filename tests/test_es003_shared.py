"""``read_es003`` holds equal amounts of different entries as one object (the entries of a
million-row file are the smaller, see ``bench/bench_memory.py``), and changes no value: every
entry, and every refund of it, is what the streaming reader (which shares nothing) makes."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from hypothesis import given

from ieepa_refund import Entry, compute_refund
from ieepa_refund.entry_number import calc_check_digit
from ieepa_refund.es003 import read_es003, stream_es003
from tests.strategies import es003_files_equal_amounts


def _write(folder: str, header: list[str], rows: list[list[str]]) -> Path:
    path = Path(folder) / "es003.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def _amounts(entry: Entry) -> Iterator[Decimal]:
    for line in entry.lines:
        for tariff in line.tariffs:
            yield from (a for a in (tariff.value, tariff.duty) if a is not None)


@given(es003_files_equal_amounts())
def test_entries_held_are_what_the_stream_makes_and_share_equal_amounts(
    file: tuple[list[str], list[list[str]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, *file)
        held = read_es003(path)
        stream = stream_es003(path)
        streamed = list(stream)
    # Exactly the same entries, amounts written the same way (repr shows each exponent), and
    # the same report.
    assert [repr(e) for e in held.entries] == [repr(e) for e in streamed]
    assert held.model_dump(exclude={"entries"}) == stream.report.model_dump()
    assert [e.model_dump_json() for e in held.entries] == [e.model_dump_json() for e in streamed]
    for entry, again in zip(held.entries, streamed, strict=True):
        assert compute_refund(entry).model_dump_json() == compute_refund(again).model_dump_json()
    # Sharing never adds an object (an entry the model validates, being malformed, holds its
    # own copies: which ones are shared is asserted below).
    ids = [{id(a) for e in entries for a in _amounts(e)} for entries in (held.entries, streamed)]
    assert len(ids[0]) <= len(ids[1])


def _row(number: str, line: int, value: str, duty: str) -> list[str]:
    return [number, str(line), "01", "11-0087109AB", "SYNTHETIC IMPORTER", "2704", "09/22/2025",
            "10/01/2025", "N", "", "UNLIQUIDATED", "", "VN", "", "1", "8471300100", value, duty,
            "10", "NO"]  # fmt: skip


_HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Importer Name", "Port of Entry Code", "Entry Date", "Entry Summary Date",
    "Reconciliation Indicator", "Liquidation Date", "Liquidation Status", "Protest Number",
    "Country of Origin Code", "Line SPI Code", "Tariff Ordinal Number", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Line Tariff Quantity (1)",
    "Line Tariff UOM (1) Code",
]  # fmt: skip


def test_equal_amounts_of_different_entries_are_one_object_past_the_cell_cache() -> None:
    """The reader keeps the parse of the first few thousand distinct amount cells only; past
    them, an amount repeated by another entry is still held once (and never one written with
    another exponent), while the stream, which keeps no entry, shares nothing past them."""
    rows = []
    for index in range(1, 2_200):  # 4,398 distinct amount cells fill the reader's cell cache
        first = f"316{index:07d}"
        rows.append(_row(first + calc_check_digit(first), 1, f"{index}.01", f"{index}.02"))
    numbers = [f"3169{index:06d}" for index in range(3)]
    numbers = [first + calc_check_digit(first) for first in numbers]
    rows.append(_row(numbers[0], 1, "$77,777.00", "123.45"))
    rows.append(_row(numbers[1], 1, "77777.00", "123.45"))
    rows.append(_row(numbers[2], 1, "77777.0", "123.4"))
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, _HEADER, rows)
        held = {e.entry_number: e.lines[0].tariffs[0] for e in read_es003(path).entries}
        streamed = {e.entry_number: e.lines[0].tariffs[0] for e in stream_es003(path)}
    a, b, c = (held[number] for number in numbers)
    assert a.value is b.value
    assert a.duty is b.duty
    assert (repr(c.value), repr(c.duty)) == ("Decimal('77777.0')", "Decimal('123.4')")
    assert c.value == a.value
    # Equal tariffs, amounts written alike, are one tariff; c's amounts are not written alike.
    assert a is b
    assert c is not a
    assert c.value is not a.value
    a, b, _ = (streamed[number] for number in numbers)
    assert a is not b
    assert a.value is not b.value
    assert a.duty is not b.duty
