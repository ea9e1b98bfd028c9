"""Entries are whole or flagged (issue 9): what the reader does with an entry's rows.

An entry some of whose rows were rejected is kept and flagged incomplete;
repeats merge their blank cells; disagreements are conflicts; ordinals and
line numbers compare as numbers; cosmetic spellings agree; a liquidation
status and date that disagree, and a wrong check digit, are flagged and
carried to refunds, screening and declarations.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import Entry, compute_refund
from ieepa_refund import entry_number as en
from ieepa_refund.cape import screen
from ieepa_refund.cli import main
from ieepa_refund.es003 import Es003Import, read_es003

HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Importer Name", "Entry Date", "Liquidation Date", "Liquidation Status",
    "Country of Origin Code", "Tariff Ordinal Number", "HTS Number - Full",
    "Line Tariff Goods Value Amount", "Line Tariff Duty Amount",
]  # fmt: skip
DECLARED = date(2026, 7, 1)


def num(n: int) -> str:
    first = f"316{n:07d}"
    return first + en.calc_check_digit(first)


def bad_digit(n: int) -> str:
    good = num(n)
    return good[:10] + str((int(good[10]) + 1) % 10)


def row(entry: str, line: str, hts: str, duty: str = "", value: str = "", **kw: str) -> list[str]:
    return [
        entry, line, "01", "12-3456789AB", kw.get("name", "ACME IMPORTS LLC"), "06/02/2025",
        kw.get("liq", ""), kw.get("status", ""), kw.get("coo", "CN"), kw.get("ordinal", "1"), hts,
        value, duty,
    ]  # fmt: skip


def read(tmp_path: Path, rows: list[list[str]], name: str = "es003.csv") -> Es003Import:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    result = read_es003(path)
    assert result.rows_read == result.rows_used + result.rows_rejected
    assert sum(p.rows for p in result.problems) == result.rows_rejected
    return result


def incomplete_rows() -> list[list[str]]:
    return [
        row(num(1), "1", "9903.01.24", "100.00"),
        row(num(1), "2", "9903.01.24", "not money"),  # rejected: entry 1 lacks this line
        row(num(2), "1", "9903.01.24", "50.00"),
    ]


# --- an entry with a rejected row ------------------------------------------------------------


def test_an_entry_with_a_rejected_row_is_kept_and_flagged_incomplete(tmp_path: Path) -> None:
    result = read(tmp_path, incomplete_rows())
    by_number = {e.entry_number: e for e in result.entries}
    assert by_number[num(1)].incomplete_rows == 1
    assert by_number[num(1)].incomplete
    assert by_number[num(2)].incomplete_rows == 0
    assert (result.entry_count, result.entries_incomplete, result.entries_rejected) == (2, 1, 0)
    (note,) = [p for p in result.problems if p.code == "INCOMPLETE_ENTRY"]
    assert (note.entry_number, note.rows, note.row) == (num(1), 0, 2)


def test_an_incomplete_entry_refund_warns_and_has_no_upper_bound(tmp_path: Path) -> None:
    entry = next(e for e in read(tmp_path, incomplete_rows()).entries if e.incomplete)
    refund = compute_refund(entry)
    assert "INCOMPLETE_ENTRY" in refund.warning_codes
    # Nothing is established: a rejected row may add IEEPA duty, or restore duty owed.
    assert refund.principal == Decimal("0.00")
    assert refund.principal_high is None  # the rejected row could hold any duty
    assert refund.paid - refund.owed == Decimal("100.00")  # what the rows kept give
    assert "the rows kept give 100.00" in next(
        w.message for w in refund.warnings if w.code == "INCOMPLETE_ENTRY"
    )
    assert refund.uncertain


def test_cape_screening_excludes_an_incomplete_entry_with_a_reason(tmp_path: Path) -> None:
    entry = next(e for e in read(tmp_path, incomplete_rows()).entries if e.incomplete)
    screening = screen(entry, declared_on=DECLARED)
    assert screening.status == "excluded"
    assert "INCOMPLETE_ENTRY" in screening.reason_codes


def test_the_estimate_summary_counts_incomplete_entries_and_their_money(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *incomplete_rows()])
    assert main(["estimate", str(path), "--as-of", "2026-11-28"]) == 1
    out = capsys.readouterr().out
    assert "1 entry incomplete (rows rejected): IEEPA duty 100.00" in out
    assert "0 entries rejected whole" in out


def test_the_summary_says_no_incomplete_line_when_none_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry rejected whole and none incomplete: "0 entries incomplete (rows rejected):
    IEEPA duty 0.00 ..." was printed (t63); only the count rejected whole is said, by both
    engines alike."""
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    path = tmp_path / "es003.csv"
    rows = [row(num(1), "1", "9903.01.24", "100.00"), row(num(2), "1", "9903.01.24", "x")]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    same_outputs([path], tmp_path, capsys)
    assert main(["estimate", str(path), "--as-of", "2026-11-28"]) == 1
    out = capsys.readouterr().out
    assert "incomplete" not in out
    assert "\n                    1 entry rejected whole\n" in out
    assert f"no entry was built from their rows; see the problems): {num(2)}" in out


def test_an_entry_none_of_whose_rows_can_be_used_is_counted_rejected(tmp_path: Path) -> None:
    result = read(tmp_path, [row(num(1), "1", "9903.01.2", "1.00")])
    assert (result.entry_count, result.entries_rejected) == (0, 1)


# --- repeats and conflicts -------------------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True])
def test_rows_differing_only_in_blank_cells_merge_their_values(
    tmp_path: Path, reverse: bool
) -> None:
    rows = [
        row(num(1), "1", "8471.30.0100", "0.00", "", liq="05/01/2026", status="LIQUIDATED"),
        row(num(1), "1", "8471.30.0100", "", "5000.00", liq="", status="LIQUIDATED"),
        row(num(1), "1", "9903.01.24", "100.00", ordinal="2"),
    ]
    result = read(tmp_path, rows[::-1] if reverse else rows)
    (entry,) = result.entries
    assert not entry.incomplete
    assert result.rows_duplicate == 1
    tariff = next(t for t in entry.lines[0].tariffs if t.hts == "8471300100")
    assert (tariff.value, tariff.duty) == (Decimal("5000.00"), Decimal("0.00"))
    assert entry.liquidation_date == date(2026, 5, 1)


def test_rows_that_disagree_are_a_conflict_on_the_entry(tmp_path: Path) -> None:
    rows = [
        row(num(1), "1", "9903.01.24", "100.00"),
        row(num(1), "1", "9903.01.24", "200.00"),
        row(num(2), "1", "9903.01.24", "5.00"),
    ]
    result = read(tmp_path, rows)
    assert [e.entry_number for e in result.entries] == [num(2)]
    assert result.entries_rejected == 1
    (conflict,) = [p for p in result.problems if p.code == "CONFLICTING_ROWS"]
    assert (conflict.entry_number, conflict.rows) == (num(1), 2)
    # The message names the cell and both values (a tester could not tell which cell differed).
    assert conflict.message.endswith("appears twice with different values (duty 100.00 and 200.00)")


def test_tariff_ordinals_compare_as_numbers(tmp_path: Path) -> None:
    rows = [
        row(num(1), "1", "9903.01.24", "100.00", ordinal="1"),
        row(num(1), "01", "9903.01.24", "100.00", ordinal="01"),
    ]
    result = read(tmp_path, rows)
    (entry,) = result.entries
    assert len(entry.lines) == 1
    assert len(entry.lines[0].tariffs) == 1
    assert result.rows_duplicate == 1
    assert compute_refund(entry).principal == Decimal("100.00")


def test_a_blank_ordinal_against_a_present_one_is_a_conflict_not_a_second_tariff(
    tmp_path: Path,
) -> None:
    rows = [
        row(num(1), "1", "9903.01.24", "100.00", ordinal="1"),
        row(num(1), "1", "9903.01.24", "100.00", ordinal=""),
    ]
    result = read(tmp_path, rows)
    assert result.entries == ()
    (conflict,) = [p for p in result.problems if p.code == "CONFLICTING_ROWS"]
    assert "ordinal" in conflict.message


@pytest.mark.parametrize("ordinal", ["A", "1.0", "²"])
def test_a_tariff_ordinal_that_is_not_a_whole_number_is_a_row_problem(
    tmp_path: Path, ordinal: str
) -> None:
    result = read(tmp_path, [row(num(1), "1", "9903.01.24", "1.00", ordinal=ordinal)])
    (problem,) = result.problems
    assert (problem.code, problem.column) == ("BAD_VALUE", "Tariff Ordinal Number")


@pytest.mark.parametrize("line", ["1.9", "Infinity", "1e1000000", "²", "0", "-1", "100000"])
def test_a_line_number_that_is_not_a_sane_whole_number_is_a_row_problem(
    tmp_path: Path, line: str
) -> None:
    result = read(tmp_path, [row(num(1), line, "9903.01.24", "1.00")])
    (problem,) = result.problems
    assert (problem.code, problem.column, problem.value) == (
        "BAD_VALUE",
        "Entry Summary Line Number",
        line,
    )


# --- cosmetic spellings ----------------------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True])
def test_cosmetic_differences_in_an_importer_name_do_not_reject_the_entry(
    tmp_path: Path, reverse: bool
) -> None:
    rows = [
        row(num(1), "1", "9903.01.24", "100.00", name="Société Générale"),
        row(num(1), "2", "9903.01.24", "50.00", name="  SOCIETE   GENERALE "),
    ]
    result = read(tmp_path, rows[::-1] if reverse else rows)
    (entry,) = result.entries
    assert result.problems == ()
    # One spelling is kept, the same whatever the order of the rows.
    assert entry.importer_name == "SOCIETE   GENERALE"


def test_a_different_importer_name_is_still_a_conflict(tmp_path: Path) -> None:
    rows = [
        row(num(1), "1", "9903.01.24", "100.00", name="ACME IMPORTS LLC"),
        row(num(1), "2", "9903.01.24", "50.00", name="ACME EXPORTS LLC"),
    ]
    assert read(tmp_path, rows).entries == ()


# --- liquidation status and date -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "liq"),
    [("LIQUIDATED", ""), ("UNLIQUIDATED", "05/01/2026"), ("Suspended", "05/01/2026")],
)
def test_a_liquidation_status_and_date_that_disagree_are_flagged_and_kept_out_of_declarations(
    tmp_path: Path, status: str, liq: str
) -> None:
    result = read(tmp_path, [row(num(1), "1", "9903.01.24", "100.00", status=status, liq=liq)])
    (entry,) = result.entries
    assert entry.liquidation_conflict is not None
    assert "LIQUIDATION_INCONSISTENT" in compute_refund(entry).warning_codes
    screening = screen(entry, declared_on=DECLARED)
    assert screening.status == "excluded"
    assert "LIQUIDATION_INCONSISTENT" in screening.reason_codes


@pytest.mark.parametrize(("status", "liq"), [("LIQUIDATED", "05/01/2026"), ("UNLIQUIDATED", "")])
def test_a_liquidation_status_and_date_that_agree_are_not_flagged(
    tmp_path: Path, status: str, liq: str
) -> None:
    (entry,) = read(
        tmp_path, [row(num(1), "1", "9903.01.24", "100.00", status=status, liq=liq)]
    ).entries
    assert entry.liquidation_conflict is None
    assert "LIQUIDATION_INCONSISTENT" not in screen(entry, declared_on=DECLARED).reason_codes


# --- a wrong check digit ---------------------------------------------------------------------


def test_an_entry_with_a_wrong_check_digit_is_kept_flagged_with_its_refund(
    tmp_path: Path,
) -> None:
    result = read(tmp_path, [row(bad_digit(1), "1", "9903.01.24", "100.00")])
    (entry,) = result.entries
    assert entry.bad_check_digit
    assert entry.entry_number == bad_digit(1)
    (note,) = result.problems
    assert (note.code, note.rows) == ("BAD_CHECK_DIGIT", 0)
    refund = compute_refund(entry)
    assert refund.principal == Decimal("100.00")
    assert "BAD_CHECK_DIGIT" in refund.warning_codes
    assert "BAD_CHECK_DIGIT" in screen(entry, declared_on=DECLARED).reason_codes


def test_the_bad_check_digit_flag_is_refused_on_a_valid_number() -> None:
    fields = {
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": "2025-06-02",
        "lines": [{"number": 1, "country_of_origin": "CN", "tariffs": [{"hts": "9903.01.24"}]}],
    }
    with pytest.raises(ValueError, match="bad_check_digit"):
        Entry(entry_number=num(1), bad_check_digit=True, **fields)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="check digit"):
        Entry(entry_number=bad_digit(1), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("policy", ["separate", "keep", "skip"])
def test_the_check_digits_option_separates_keeps_or_skips_such_entries(
    tmp_path: Path, policy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "es003.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(
            [
                HEADER,
                row(bad_digit(1), "1", "9903.01.24", "100.00"),
                row(num(2), "1", "9903.01.24", "50.00"),
            ]
        )
    out = tmp_path / "cape"
    args = ["cape", str(path), "--out", str(out), "--declared-on", "2026-07-01"]
    main([*args, "--check-digits", policy])
    files = {f.name: f.read_text().split()[2:] for f in out.glob("cape_*_0*.csv")}
    separate = [n for name, numbers in files.items() if "check_digit" in name for n in numbers]
    declared = [n for name, numbers in files.items() if "check_digit" not in name for n in numbers]
    if policy == "separate":
        assert (separate, declared) == ([bad_digit(1)], [num(2)])
    elif policy == "keep":
        assert (separate, sorted(declared)) == ([], sorted([bad_digit(1), num(2)]))
    else:
        assert (separate, declared) == ([], [num(2)])
        assert f"skipped {bad_digit(1)}: BAD_CHECK_DIGIT" in capsys.readouterr().err
    # The screening report lists the entry with its money, whatever the policy.
    with next(out.glob("screening_*.csv")).open(newline="") as f:
        screened = {r["entry_number"]: r for r in csv.DictReader(f)}
    shown = bad_digit(1)  # the bare 11 characters, as in every output
    assert screened[shown]["principal"] == "100.00"
    assert "BAD_CHECK_DIGIT" in screened[shown]["reasons"]


def test_equal_duties_of_an_entry_are_one_object_written_as_read(tmp_path: Path) -> None:
    """Two headings of one rate report one duty twice: the entry holds it once when the two are
    written alike (here from cells written differently), each as its own otherwise, and the
    entry prints, dumps, pickles and compares as the one the model validates from its JSON."""
    import pickle

    rows = [
        row(num(1), "1", "9903.01.84", "1500.00", ordinal="1", coo="IN"),
        row(num(1), "1", "9903.02.26", "$1,500.00", ordinal="2", coo="IN"),
        row(num(1), "1", "8471.30.0100", "0.00", "6000.00", ordinal="3", coo="IN"),
        row(num(1), "2", "9903.01.84", "1500.0", ordinal="1", coo="IN"),
        row(num(1), "2", "8471.30.0100", "0.00", "6000.00", ordinal="2", coo="IN"),
    ]
    (entry,) = read(tmp_path, rows).entries
    first, second = entry.lines[0].tariffs[0].duty, entry.lines[0].tariffs[1].duty
    assert first is second
    other = entry.lines[1].tariffs[0].duty
    assert other is not first
    assert other == first
    assert [str(line.tariffs[0].duty) for line in entry.lines] == ["1500.00", "1500.0"]
    scratch = Entry.model_validate_json(entry.model_dump_json())
    assert scratch.lines[0].tariffs[0].duty is not scratch.lines[0].tariffs[1].duty
    assert scratch == entry
    assert hash(scratch) == hash(entry)
    assert repr(scratch) == repr(entry)
    assert scratch.model_dump_json() == entry.model_dump_json()
    again = pickle.loads(pickle.dumps(entry))
    assert (again, repr(again)) == (entry, repr(entry))
