"""The reader's counting pass: each entry's rows counted under a compact key, so that an entry is
handed over at its last row wherever its rows are, and every row is in a result or a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.es003 import read_es003, stream_es003
from ieepa_refund.es003._assemble import _entry_key
from ieepa_refund.es003._cells import parse_entry_number

from .test_es003 import HEADER, num, row, write


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("00E00000005", "0E000000050"),  # the same digits shifted: fixed length keeps them apart
        ("31600000011", "31600000012"),
        ("ABC00000001", "ABD00000001"),
        ("31600000011", "316-0000001-1"),  # a number of another shape stays a string
        ("abc00000001", "ABC00000001"),  # lower case is not the compact shape: not folded
        ("3160000_001", "31600000001"),  # int() would read both as one number
        ("+3160000001", "03160000001"),
        (" 3160000001", "03160000001"),
    ],
)
def test_distinct_entry_numbers_have_distinct_keys(a: str, b: str) -> None:
    assert _entry_key(a) != _entry_key(b)
    assert _entry_key(a) == _entry_key(a)


def test_a_shaped_number_is_kept_as_an_int_and_any_other_as_itself() -> None:
    assert isinstance(_entry_key(num(1)), int)
    assert isinstance(_entry_key("ABC00000001"), int)
    for other in ("316-0000001", "3160000_001", "316a0000001", "3160000001\u00b2"):
        assert _entry_key(other) == other


@pytest.mark.parametrize("cell", ["31600000011", "ABC00000001", "00E00000005", "E0E00000005"])
def test_a_compact_cell_read_without_the_general_parse_reads_as_it_would_with_it(
    cell: str,
) -> None:
    """A compact cell is its own entry number: the same as the general path makes of it
    (reached here by a space around it, which that path strips)."""
    assert isinstance(_entry_key(cell), int)
    assert parse_entry_number(cell) == cell
    assert parse_entry_number(f" {cell} ") == cell
    assert parse_entry_number(f'="{cell}"') == cell


def test_rows_spelt_two_ways_across_files_make_one_entry_at_its_last_row(tmp_path: Path) -> None:
    a, b = num(1), num(2)
    dashed = f"{a[:3]}-{a[3:10]}-{a[10]}"
    first = write(
        tmp_path / "one.csv",
        [row(a, 1, "9903.01.24", "1.00"), row(b, 1, "9903.01.24", "2.00"), row(dashed, 2, "9903.01.24", "3.00")],
    )  # fmt: skip
    second = write(tmp_path / "two.csv", [row(f'="{a}"', 3, "9903.01.24", "4.00")])
    stream = stream_es003(first, second)
    done = [(entry.entry_number, len(entry.lines)) for entry in stream]
    # b completes in the first file; a only at its row in the second.
    assert done == [(b, 1), (a, 3)]
    assert stream.report.rows_read == 4
    assert stream.report.rows_used == 4


def _damaged(path: Path) -> Path:
    """BOM, CRLF, blank lines, a rejected row inside an entry, a stray quote that swallows a
    row of another entry, and a 20 MB cell (over the CSV module's field limit)."""
    a, b, c, d = num(1), num(2), num(3), num(4)

    def line(cells: list[str]) -> str:
        return ",".join(cells) + "\r\n"

    text = line(HEADER)
    text += line(row(a, 1, "9903.01.24", "1.00"))
    text += line(row(b, 1, "9903.01.24", "2.00"))
    text += "\r\n"
    text += line(row(a, 2, "9903.01.24", "-5.00"))  # negative duty: rejected, a incomplete
    text += line([*row(c, 1, "9903.01.24", "3.00")[:-1], '"7.00'])  # a stray quote
    text += line(row(b, 2, "9903.01.24", "4.00"))  # swallowed by the quote
    text += line(row(c, 2, "9903.01.24", "5.00"))  # swallowed too, up to the next quote
    text += line(row(d, 1, "9903.01.24", "6.00", '"x"'))
    text += line(row(d, 2, "9903.01.24", "6.00", "1" * (20 << 20)))
    text += line(row(a, 3, "9903.01.24", "8.00"))
    text += "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_a_damaged_file_loses_no_row_and_its_counts_add_up(tmp_path: Path) -> None:
    result = read_es003(_damaged(tmp_path / "damaged.csv"))
    counts = (
        result.rows_read,
        result.rows_used,
        result.rows_rejected,
        result.rows_blank,
        result.entry_count,
        result.entries_incomplete,
        result.entries_rejected,
    )
    assert counts == EXPECTED_COUNTS
    assert result.rows_used + result.rows_rejected == result.rows_read
    problems = sorted((p.code, p.row or 0, p.entry_number or "", p.rows) for p in result.problems)
    assert problems == EXPECTED_PROBLEMS
    built = sorted((e.entry_number, len(e.lines), e.incomplete_rows) for e in result.entries)
    assert built == EXPECTED_ENTRIES


# Measured on the reader before the counting pass was made compact (commit 63b7e70): the same.
A, B, C, D = "31600000017", "31600000025", "31600000033", "31600000041"
EXPECTED_COUNTS = (9, 3, 6, 2, 2, 2, 2)
EXPECTED_PROBLEMS = [
    ("BAD_VALUE", 5, A, 1),
    ("INCOMPLETE_ENTRY", 2, A, 0),
    ("INCOMPLETE_ENTRY", 3, B, 0),
    ("STRAY_QUOTE", 6, C, 1),
    ("STRAY_QUOTE", 7, B, 1),
    ("STRAY_QUOTE", 8, C, 1),
    ("STRAY_QUOTE", 9, D, 1),
    ("UNREADABLE_ROW", 10, D, 1),
]
EXPECTED_ENTRIES = [(A, 2, 1), (B, 1, 1)]


def test_entries_rejected_whole_are_named_in_the_report() -> None:
    """An entry with conflicting rows and one every row of which is rejected are named, not
    only counted (a problem summed over many rows keeps no entry number); an entry with some
    rows rejected is built, and so not among them. Every entry number is built or named."""
    path = Path(__file__).parent / "data" / "es003_rejected_whole.csv"
    imported = read_es003(path)
    assert imported.entries_rejected_numbers == ("31600000017", "31600000033")
    assert imported.entries_rejected == len(imported.entries_rejected_numbers)
    built = {e.entry_number for e in imported.entries}
    assert built == {"31600000025", "31600000041"}
    assert built.isdisjoint(imported.entries_rejected_numbers)
