"""What the command asks of the lean engine beyond test_bulk_lean.py's: a forced delimiter,
each entry's whole screening (``screenings=True``), and entries whose IEEPA duties are all
0.00 screened as such (rule no_ieepa_duty), each against the per-entry path itself."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ieepa_refund.bulk import lean
from ieepa_refund.cape import screen
from ieepa_refund.errors import IeepaRefundError
from ieepa_refund.es003 import sample_es003, stream_es003
from tests.reference_job import AS_OF, bench, damaged_file, zeroed_file
from tests.test_bulk_lean import check_lean


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_a_forced_delimiter_is_passed_to_the_reader(tmp_path: Path) -> None:
    comma = tmp_path / "comma.csv"
    bench.generate(comma, 300, 4, seed=3)
    semicolons = tmp_path / "semicolons.csv"
    with semicolons.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows(_rows(comma))
    want = lean.estimate(comma, as_of=AS_OF).entries
    assert lean.estimate(semicolons, as_of=AS_OF, delimiter=";").entries == want
    assert [r.entry_number for r in lean.stream(semicolons, as_of=AS_OF, delimiter=";")] == [
        e.entry_number for e in stream_es003(semicolons, delimiter=";")
    ]
    # Forced to ',' the semicolon file has no header the reader knows: the reader says so.
    with pytest.raises(IeepaRefundError):
        lean.estimate(semicolons, as_of=AS_OF, delimiter=",")


@pytest.mark.parametrize("plaintiffs", [(), ("11-0087109AB",)])
def test_each_entrys_whole_screening_is_what_screen_gives_it(
    plaintiffs: tuple[str, ...], tmp_path: Path
) -> None:
    """One screening per entry (messages and deadlines too), equal to :func:`screen`'s on the
    entry itself, whichever path computed its row; none unasked."""
    path = damaged_file("protest", tmp_path, seed=5, rows_damaged=30)
    rows = lean.stream([path, sample_es003()], as_of=AS_OF, plaintiffs=plaintiffs, screenings=True)
    found = list(rows)
    assert {r.path for r in found} == {"lean", "entry"}  # both paths ran
    kept = rows.screenings
    assert kept is not None
    entries = list(stream_es003(path, sample_es003()))
    assert list(kept) == [e.entry_number for e in entries]  # the reader's order
    for entry in entries:
        want = screen(entry, declared_on=AS_OF, plaintiffs=plaintiffs)
        assert kept[entry.entry_number] == want, entry.entry_number
    assert lean.stream(path, as_of=AS_OF).screenings is None


def test_entries_whose_ieepa_duties_are_all_zero_are_screened_as_such(tmp_path: Path) -> None:
    """Every other entry's duties made 0.00, beside entries with the same facts: the lean
    rules screened each with the first one's key, whatever its duty (13 of 84 entries
    wrong, rule no_ieepa_duty)."""
    path, zero = zeroed_file(tmp_path, 2)
    by_rules, _ = check_lean([path], tmp_path)
    assert by_rules > 0
    reasons = {r.entry_number: r.reasons for r in lean.estimate(path, as_of=AS_OF).entries}
    assert all("NO_IEEPA_DUTY_PAID" in reasons[n] for n in zero if n in reasons)
