"""The bulk engine's roads are :func:`entry_roads`' on the same entries, field for field.

Drawn runs over generated files (tests/strategies.py ``road_runs``): declaration dates
before CAPE opens, inside and past the look-back and the protest window; a ledger naming
none, some or all entries, with and without dates; the expected liquidation moved; the
rate table's end crossed (no interest figure, or --project's).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund import RefundOptions
from ieepa_refund.cape._ledger import cape_opens
from ieepa_refund.cape.declarations import read_ledger
from ieepa_refund.errors import InputFileError, InvalidFormat
from ieepa_refund.es003 import stream_es003
from ieepa_refund.roads import Road, default_cape_timing, entry_roads
from tests import strategies

pytest.importorskip("polars")

from ieepa_refund.bulk import estimate

from .reference_job import road_run_files, same_roads
from .test_bulk import bench


def _same_roads(path: Path, ledger: Path | None, declared_on: date, days: int, *, project: bool):
    return same_roads(estimate, path, ledger, declared_on, days, project=project)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=strategies.road_runs())
def test_bulk_roads_are_entry_roads(
    run: tuple[int, date, int, float, bool], tmp_path: Path
) -> None:
    seed, declared_on, days, share, dated = run
    path, ledger = road_run_files(tmp_path / str(seed), seed, declared_on, share, dated)
    project = declared_on > date(2026, 9, 30)  # past the table's end needs --project
    got = _same_roads(path, ledger, declared_on, days, project=project)
    assert got.report.entries_bulk > 0  # the columnar roads were compared, not only fallbacks


def test_interest_to_the_expected_date_past_the_rate_table_is_no_figure(tmp_path: Path) -> None:
    """Without --project, an expected date past the rate table has no interest figure on
    either path (and with it, the projected figure on both)."""
    path = tmp_path / "es003.csv"
    bench.generate(path, 400, 4, seed=3)
    for project in (False, True):
        got = _same_roads(path, None, date(2026, 7, 1), 400, project=project)
        assert got.roads is not None
        # Unliquidated: expected 400 days after acceptance, 2027-08-05, past 2026's table.
        cape = [
            r
            for r in got.roads
            if r.road is Road.CAPE_NOW and r.principal > 0 and r.liquidation_date is None
        ]
        assert cape
        assert all(r.expected_liquidation == date(2027, 8, 5) for r in cape)
        assert all((r.interest is None) != project for r in cape)


#: Tester t61's repro 04: five entries of one importer, summary 2025-06-12; two liquidated
#: 2026-08-01 and one unliquidated, all declared 2026-09-01 per the ledger (one undated).
_REPRO_HEAD = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Importer Name,Port of Entry Code,Entry Date,Entry Summary Date,Reconciliation Indicator,"
    "Liquidation Date,Liquidation Status,Protest Number,Country of Origin Code,Line SPI Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Goods Value Amount,"
    "Line Tariff Duty Amount,Line Tariff Quantity (1),Line Tariff UOM (1) Code"
)
_REPRO_ENTRIES = (
    ("31691000017", "08/01/2026", "LIQUIDATED", "2026-09-01"),
    ("31691000025", "05/01/2026", "LIQUIDATED", "2026-09-01"),
    ("31691000033", "", "UNLIQUIDATED", "09/01/2026"),
    ("31691000041", "08/01/2026", "LIQUIDATED", ""),
    ("31691000058", "08/01/2026", "LIQUIDATED", None),
)


def declared_before(folder: Path) -> tuple[Path, Path]:
    """The repro's ES-003 file and its three-column ledger, written in ``folder``."""
    es003, ledger = folder / "es.csv", folder / "ledger.csv"
    rows = [_REPRO_HEAD]
    for number, liquidated, status, _ in _REPRO_ENTRIES:
        rows.append(
            f"{number},1,01,12-3456789AB,ACME,2704,06/02/2025,06/12/2025,N,{liquidated},"
            f"{status},,CN,,1,99030125,,1000.00,,"
        )
    es003.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["entry_number,declaration_file,declared_on"]
    lines += [f"{n},x_001.csv,{when}" for n, _, _, when in _REPRO_ENTRIES if when is not None]
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return es003, ledger


def test_a_declared_unliquidated_entry_takes_the_ledger_date_on_both_engines(
    tmp_path: Path,
) -> None:
    """Declared 2026-09-01 per the ledger, the run as of 2026-11-28 for 2026-12-01: the
    unliquidated entry's dates are 09-01's (not moved to 12-01) and it is overdue, the same
    on both engines, columnar and per entry."""
    es003, ledger = declared_before(tmp_path)
    as_of, declared_on = date(2026, 11, 28), date(2026, 12, 1)
    options = RefundOptions(interest_until=as_of, project=True)
    read = read_ledger(ledger, declared_by=declared_on)
    got = estimate(
        [es003], as_of=as_of, declared_on=declared_on, options=options, roads=True, ledger=read
    )
    assert got.roads is not None
    assert got.report.entries_bulk > 0
    entries = sorted(stream_es003(es003), key=lambda e: e.entry_number)
    want = entry_roads(entries, declared_on=declared_on, options=options, ledger=read)
    assert list(got.roads) == list(want)
    timing = default_cape_timing()
    declared = date(2026, 9, 1)
    late = next(r for r in got.roads if r.entry_number == "31691000033")
    # Its liquidation expected 45 days after 09-01 passed before the as-of date unseen: overdue,
    # its date unknown (h71: no longer the passed date), interest to the as-of date.
    passed = declared + timedelta(days=timing.liquidation_after_acceptance_days)
    assert passed < as_of
    assert (late.expected_liquidation, late.expected_payment) == (None, None)
    assert late.interest_until == as_of
    assert "overdue" in late.next_action
    assert late.overdue
    # Liquidated before the declaration: its reliquidation (10-30) passed unseen too.
    paid = next(r for r in got.roads if r.entry_number == "31691000017")
    assert (paid.expected_liquidation, paid.expected_payment) == (None, None)
    assert "overdue" in paid.next_action
    assert "reliquidated by 2026-10-30" in paid.next_action


#: Tester t62's repros 01 and 02: one importer, $1,000 of 9903.01.25 duty each, summary
#: 2025-06-12, declared 2026-09-01 per the ledger, run as of 2026-11-28 for 2026-12-01.
_T62_ENTRIES = (
    ("31600060011", "", "UNLIQUIDATED", "2026-09-01"),  # liquidation expected 10-16: passed
    ("31600060037", "08/01/2026", "LIQUIDATED", "2026-09-01"),  # reliquidation 10-30: passed
    ("31600060052", "10/01/2026", "LIQUIDATED", "2026-09-01"),  # liquidated after: CAPE's own
)


def t62_files(folder: Path, entries: tuple[tuple[str, str, str, str], ...] = _T62_ENTRIES):
    """The repros' ES-003 file and dated ledger, written in ``folder``."""
    es003, ledger = folder / "es.csv", folder / "ledger.csv"
    rows = [_REPRO_HEAD]
    for number, liquidated, status, _ in entries:
        rows.append(
            f"{number},1,01,12-3456789AB,ACME,2704,06/02/2025,06/12/2025,N,{liquidated},"
            f"{status},,CN,,1,99030125,,1000.00,,"
        )
    es003.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["entry_number,declaration_file,declared_on"]
    lines += [f"{n},x_001.csv,{when}" for n, _, _, when in entries]
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return es003, ledger


def test_overdue_and_cape_liquidated_entries_on_both_engines(tmp_path: Path) -> None:
    """t62 01: an overdue entry has no expected date (not a passed one) and its interest is
    what accrued to the as-of date (105.07 > 96.00 to the passed date); t62 02: a liquidation
    after the declaration is CAPE's own, refunding with interest to it (92.85, oracle.py), no
    reliquidation 90 days later; no payment is forecast before the as-of date."""
    es003, ledger = t62_files(tmp_path)
    as_of, declared_on = date(2026, 11, 28), date(2026, 12, 1)
    options = RefundOptions(interest_until=as_of)
    read = read_ledger(ledger, declared_by=declared_on)
    got = estimate(
        [es003], as_of=as_of, declared_on=declared_on, options=options, roads=True, ledger=read
    )
    assert got.roads is not None
    assert got.report.entries_bulk > 0
    entries = sorted(stream_es003(es003), key=lambda e: e.entry_number)
    want = entry_roads(entries, declared_on=declared_on, options=options, ledger=read)
    assert list(got.roads) == list(want)
    by = {r.entry_number: r for r in got.roads}
    late, relate, cape = by["31600060011"], by["31600060037"], by["31600060052"]
    assert (late.expected_liquidation, late.expected_payment) == (None, None)
    assert (late.interest, late.interest_until) == (Decimal("105.07"), as_of)
    assert late.overdue
    assert "still unliquidated" in late.next_action
    assert (relate.expected_liquidation, relate.expected_payment) == (None, None)
    assert relate.overdue
    assert "reliquidated by 2026-10-30" in relate.next_action
    assert cape.expected_liquidation == date(2026, 10, 1)
    assert (cape.interest, cape.interest_until) == (Decimal("92.85"), date(2026, 10, 1))
    assert not cape.overdue
    assert "CAPE's liquidation" in cape.next_action
    # Paid 75 days after acceptance (11-15), never before the (re)liquidation: but that
    # passed too, so the money is due on the as-of date, not forecast in the past.
    assert cape.expected_payment == as_of
    assert all(r.expected_payment is None or r.expected_payment >= as_of for r in got.roads)
    payments = got.roads.payments()
    assert [p.liquidation_date for p in payments.payments] == [date(2026, 10, 1)]


def test_a_ledger_date_before_cape_opened_is_refused(tmp_path: Path) -> None:
    """t62 01: "declared" 2025-05-01, before CAPE opened: refused naming the row, by the
    ledger reader and by the roads of either engine given the date another way."""
    es003, ledger = t62_files(tmp_path, (("31600060060", "", "UNLIQUIDATED", "2025-05-01"),))
    opens = cape_opens()
    assert opens is not None
    with pytest.raises(InputFileError, match=r"row 2, column 3 .*before CAPE opened on 2026-04-20"):
        read_ledger(ledger, declared_by=date(2026, 12, 1))
    day_before = {"31600060060": opens - timedelta(days=1)}
    declared = {"31600060060": "x_001.csv"}
    with pytest.raises(InvalidFormat, match="before CAPE opened"):
        estimate(
            [es003], as_of=date(2026, 11, 28), roads=True, ledger=declared,
            declared_dates=day_before,
        )  # fmt: skip
    with pytest.raises(InvalidFormat, match="before CAPE opened"):
        entry_roads(
            stream_es003(es003), declared_on=date(2026, 11, 28), ledger=declared,
            declared_dates=day_before,
        )  # fmt: skip
    # CAPE's first day is a declaration date.
    entry_roads(
        stream_es003(es003), declared_on=date(2026, 11, 28),
        ledger={"31600060060": "x_001.csv"}, declared_dates={"31600060060": opens},
    )  # fmt: skip
