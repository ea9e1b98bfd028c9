"""Deposits and pre-liquidation refunds from ES-003 columns and from a deposits file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import (
    DepositEvent,
    InputFileError,
    compute_refund,
    read_deposits,
    read_es003,
    with_deposits,
)

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Deposit Date,Liquidation Date,Country of Origin Code,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,HTS Rate,"
    "Supplemental Deposit Amount,Supplemental Deposit Date,"
    "Pre-Liquidation Refund Amount,Pre-Liquidation Refund Date"
)
# The China stacking entry (paid 5,500, principal 3,000), liquidated 2026-04-24; its duties as
# they stand after a PSC that added 1,000 on 2025-09-02.
ROWS = [
    "B76-0324527-8,1,01,12-3456789AB,06/02/2025,06/12/2025,04/24/2026,CN,9903.88.03,,2500.00,25%,{s},{sd},{r},{rd}",
    "B76-0324527-8,1,01,12-3456789AB,06/02/2025,06/12/2025,04/24/2026,CN,9903.01.24,,2000.00,,{s},{sd},{r},{rd}",
    "B76-0324527-8,1,01,12-3456789AB,06/02/2025,06/12/2025,04/24/2026,CN,9903.01.25,,1000.00,,{s},{sd},{r},{rd}",
    "B76-0324527-8,1,01,12-3456789AB,06/02/2025,06/12/2025,04/24/2026,CN,8471.30.0100,10000.00,0.00,Free,{s},{sd},{r},{rd}",
]


def es003(tmp_path: Path, s: str = "", sd: str = "", r: str = "", rd: str = "") -> Path:
    path = tmp_path / "es003.csv"
    lines = [HEADER, *(row.format(s=s, sd=sd, r=r, rd=rd) for row in ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_supplemental_deposit_column_makes_a_deposit_history(tmp_path: Path) -> None:
    result = read_es003(es003(tmp_path, s="1000.00", sd="09/02/2025"))
    assert result.problems == ()
    (entry,) = result.entries
    assert entry.deposits == (
        DepositEvent(kind="deposit", date=date(2025, 6, 12), amount="4500.00"),
        DepositEvent(kind="deposit", date=date(2025, 9, 2), amount="1000.00"),
    )
    # The figure worked in tests/test_deposits.py: 31.70 + 137.05 (one running account).
    assert compute_refund(entry).interest == Decimal("168.75")


def test_a_pre_liquidation_refund_column(tmp_path: Path) -> None:
    (entry,) = read_es003(es003(tmp_path, r="500.00", rd="10/01/2025")).entries
    assert [(e.kind, e.amount) for e in entry.deposits] == [
        ("deposit", Decimal("6000.00")),
        ("refund", Decimal("500.00")),
    ]


def test_blank_or_zero_deposit_columns_leave_the_single_deposit(tmp_path: Path) -> None:
    assert read_es003(es003(tmp_path)).entries[0].deposits == ()
    assert read_es003(es003(tmp_path, s="0.00")).entries[0].deposits == ()


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ({"s": "1000.00"}, "has an amount but no date"),
        ({"rd": "10/01/2025"}, "has a date but no amount"),
        ({"s": "1000.00", "sd": "05/01/2025"}, "before the deposit date"),
        ({"s": "6000.00", "sd": "09/02/2025"}, "leave no original deposit"),
    ],
)
def test_an_incomplete_history_is_a_note_not_a_guess(
    tmp_path: Path, cells: dict[str, str], words: str
) -> None:
    result = read_es003(es003(tmp_path, **cells))
    (entry,) = result.entries
    assert entry.deposits == ()
    (problem,) = result.problems
    assert (problem.code, problem.rows) == ("DEPOSITS_NOT_USED", 0)
    assert words in problem.message
    assert result.rows_read == result.rows_used + result.rows_rejected


def test_a_negative_deposit_cell_is_a_row_problem(tmp_path: Path) -> None:
    result = read_es003(es003(tmp_path, s="-5.00", sd="09/02/2025"))
    assert {p.code for p in result.problems} >= {"BAD_VALUE"}
    assert result.rows_read == result.rows_used + result.rows_rejected


DEPOSITS = """Deposits ledger exported 2026-11-28
Entry Number,Kind,Date,Amount
="B7603245278",deposit,06/12/2025,"4,500.00"
B76-0324527-8,Supplemental,09/02/2025,"$1,000.00"

B76-0324527-8,supplemental,09/02/2025,1000.00
B76-0324527-8,deposit,13/40/2025,1.00
B76-0324527-8,bonus,09/03/2025,1.00
99A-1234567-0,deposit,06/01/2025,10.00
"""


def test_read_deposits_is_tolerant_and_counts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    path.write_text(DEPOSITS, encoding="utf-8")
    result = read_deposits(path)
    # Equal rows are counted once; dashes, ="..." and "$1,000.00" are read.
    assert result.deposits["99A1234567" + "0"] == (
        DepositEvent(kind="deposit", date=date(2025, 6, 1), amount="10.00"),
    )
    # Two of B76's rows cannot be read (a date of 13/40, a kind "bonus"): its history has a
    # hole, so it is withheld whole, never used in part.
    assert "B7603245278" not in result.deposits
    assert sorted(p.code for p in result.problems) == [
        "BAD_VALUE",
        "BAD_VALUE",
        "DEPOSITS_INCOMPLETE",
        "DUPLICATE_ROW",
    ]
    (held,) = [p for p in result.problems if p.code == "DEPOSITS_INCOMPLETE"]
    assert (held.entry_number, held.row, held.rows) == ("B7603245278", 3, 2)
    assert held.message.startswith("2 rows of this entry's history could not be read")
    assert (result.rows_read, result.rows_used, result.rows_rejected, result.rows_blank) == (
        6,
        1,
        5,
        1,
    )
    assert result.rows_read == result.rows_used + result.rows_rejected


def test_a_history_with_an_unreadable_row_is_not_used_in_part(tmp_path: Path) -> None:
    """A refund row that cannot be read, used in part, would leave interest on too much."""
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Kind,Date,Amount\n"
        "31600000017,deposit,09/22/2025,5000.00\n"
        "31600000017,refund,10/40/2025,4000.00\n"
        "99A-1234567-0,deposit,06/01/2025,10.00\n",
        encoding="utf-8",
    )
    result = read_deposits(path)
    assert set(result.deposits) == {"99A12345670"}
    assert [p.code for p in result.problems] == ["BAD_VALUE", "DEPOSITS_INCOMPLETE"]
    assert result.problems[1].message.startswith("1 row of this entry's history")
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (3, 1, 2)


# A deposits file whose last column (a note) is blank on every row: an unquoted thousands
# comma in an amount gives the row one blank cell too many, which alone looks like a
# trailing comma. Read by position, "1,000.00" would be a deposit of $1 and "1,234.56" one of
# $1, with no problem.
SHIFTED = (
    "Entry Number,Kind,Date,Amount,Note\n"
    "B76-0324527-8,deposit,06/12/2025,4500.00,\n"
    "B76-0324527-8,supplemental,09/02/2025,1,000.00,\n"
    "31600000017,deposit,09/22/2025,1,234.56,\n"
    "99A-1234567-0,deposit,06/01/2025,10.00,\n"
)


def test_a_row_shifted_by_a_blank_cell_is_a_cell_count_problem_not_a_deposit(
    tmp_path: Path,
) -> None:
    """Rule (c) of the ES-003 reader: a text row wider than the file's usual width, even by
    blank cells, is rejected, in a history of several rows and in a history of one."""
    path = tmp_path / "deposits.csv"
    path.write_text(SHIFTED, encoding="utf-8")
    result = read_deposits(path)
    # The entry with a shifted supplemental has a hole in its history, which is withheld
    # whole; the entry whose only row is shifted has none (never a deposit of $1).
    assert result.deposits == {
        "99A12345670": (DepositEvent(kind="deposit", date=date(2025, 6, 1), amount="10.00"),),
    }
    assert [(p.code, p.row, p.entry_number, p.rows) for p in result.problems] == [
        ("CELL_COUNT", 3, "B7603245278", 1),
        ("CELL_COUNT", 4, "31600000017", 1),
        ("DEPOSITS_INCOMPLETE", 2, "B7603245278", 1),
    ]
    # The ES-003 reader's message, word for word.
    assert result.problems[0].message == (
        "row has 6 cells, this file's rows 5 (the header 5): an amount with an unquoted "
        "comma? quote it or remove the thousands separator"
    )
    assert (result.rows_read, result.rows_used, result.rows_rejected, result.rows_blank) == (
        4,
        1,
        3,
        0,
    )


def test_a_deposits_file_with_a_trailing_comma_on_every_row_is_read_whole(
    tmp_path: Path,
) -> None:
    """Rows all one cell wider than the header are the file's usual width: nothing shifted."""
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Kind,Date,Amount\n"
        'B76-0324527-8,deposit,06/12/2025,"4,500.00",\n'
        "B76-0324527-8,supplemental,09/02/2025,1000.00,\n"
        "99A-1234567-0,deposit,06/01/2025,10.00,\n",
        encoding="utf-8",
    )
    result = read_deposits(path)
    assert result.problems == ()
    assert [e.amount for e in result.deposits["B7603245278"]] == [
        Decimal("4500.00"),
        Decimal("1000.00"),
    ]
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (3, 3, 0)


def test_a_deposit_row_with_a_cell_past_the_header_or_cut_short_is_a_cell_count_problem(
    tmp_path: Path,
) -> None:
    """Rules (a) and (b): a non-blank cell past the header's last named cell (the amount's
    unquoted comma on a file with no blank last column), a row ending before the amount."""
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Kind,Date,Amount\n"
        "B76-0324527-8,deposit,06/12/2025,4500.00\n"
        "B76-0324527-8,supplemental,09/02/2025,1,000.00\n"
        "99A-1234567-0,deposit,06/01/2025\n",
        encoding="utf-8",
    )
    result = read_deposits(path)
    assert result.deposits == {}  # B76's history has a hole, 99A's only row is cut short
    assert [(p.code, p.row, p.entry_number) for p in result.problems] == [
        ("CELL_COUNT", 3, "B7603245278"),
        ("CELL_COUNT", 4, "99A12345670"),
        ("DEPOSITS_INCOMPLETE", 2, "B7603245278"),
    ]
    assert result.problems[0].message.startswith("row has 5 cells, the header 4: ")
    assert "cut short, the column 'Amount' read is past its end" in result.problems[1].message
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (3, 0, 3)


def test_signed_amounts_without_a_kind_column(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Payment Date,Amount\n"
        "B7603245278,06/12/2025,5500.00\n"
        "B7603245278,10/01/2025,(500.00)\n",
        encoding="utf-8",
    )
    events = read_deposits(path).deposits["B7603245278"]
    assert [(e.kind, e.amount) for e in events] == [
        ("deposit", Decimal("5500.00")),
        ("refund", Decimal("500.00")),
    ]


def test_an_impossible_history_rejects_the_entrys_rows(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Kind,Date,Amount\n"
        "B7603245278,refund,06/01/2025,10.00\n"
        "B7603245278,deposit,06/12/2025,5500.00\n",
        encoding="utf-8",
    )
    result = read_deposits(path)
    assert result.deposits == {}
    (problem,) = result.problems
    assert (problem.code, problem.rows, problem.entry_number) == ("BAD_DEPOSITS", 2, "B7603245278")
    assert (result.rows_read, result.rows_rejected) == (2, 2)


def test_a_file_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    path.write_text("Entry Number,Amount\nB7603245278,1.00\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no deposits header"):
        read_deposits(path)
    with pytest.raises(InputFileError, match="unknown fields"):
        read_deposits(path, mapping={"when": "Amount"})


def test_with_deposits_attaches_and_reports_what_it_cannot(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    # DEPOSITS without its two unreadable rows (with them, B76's history is withheld).
    readable = [line for line in DEPOSITS.splitlines(keepends=True) if "13/40" not in line]
    path.write_text("".join(line for line in readable if "bonus" not in line), encoding="utf-8")
    entries = read_es003(es003(tmp_path)).entries
    attached = with_deposits(entries, read_deposits(path))
    (entry,) = attached.entries
    assert len(entry.deposits) == 2
    assert compute_refund(entry).interest == Decimal("168.75")
    (problem,) = attached.problems
    assert (problem.code, problem.entry_number) == ("DEPOSITS_WITHOUT_ENTRY", "99A12345670")


def test_with_deposits_keeps_an_entry_whose_deposit_date_disagrees(tmp_path: Path) -> None:
    (entry,) = read_es003(es003(tmp_path)).entries
    late = {entry.entry_number: [DepositEvent(kind="deposit", date=date(2025, 6, 13), amount="1")]}
    attached = with_deposits([entry], late)
    assert attached.entries == (entry,)
    assert [p.code for p in attached.problems] == ["DEPOSIT_DATE_MISMATCH"]


def test_with_deposits_says_when_it_replaces_es003_columns(tmp_path: Path) -> None:
    (entry,) = read_es003(es003(tmp_path, s="1000.00", sd="09/02/2025")).entries
    events = [
        DepositEvent(kind="deposit", date=date(2025, 6, 12), amount="5000.00"),
        DepositEvent(kind="deposit", date=date(2025, 8, 1), amount="500.00"),
    ]
    attached = with_deposits([entry], {entry.entry_number: events})
    assert attached.entries[0].deposits == tuple(events)
    assert [p.code for p in attached.problems] == ["DEPOSITS_REPLACED"]


def test_a_deposit_amount_split_under_a_wider_header_is_never_a_refund_of_one_dollar(
    tmp_path: Path,
) -> None:
    """t51 S3: rows of four cells under a header of five (an unfilled Note column): the
    row '...,refund,10/01/2025,1,000.00' is as wide as the header, its tail under Note. Read
    by position it was a refund of $1; the cells show the split."""
    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Kind,Date,Amount,Note\n"
        "31610000379,deposit,08/29/2025,2500.00\n"
        "31610000379,refund,10/01/2025,1,000.00\n"
        "99A-1234567-0,deposit,06/01/2025,10.00\n",
        encoding="utf-8",
    )
    result = read_deposits(path)
    assert "31610000379" not in result.deposits
    assert [(p.code, p.row) for p in result.problems] == [
        ("BAD_VALUE", 3),
        ("DEPOSITS_INCOMPLETE", 2),
    ]
    assert "one amount ('1,000.00') split on an unquoted comma" in result.problems[0].message
