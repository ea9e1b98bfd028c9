"""A liquidation date after the run's date on an entry whose status says it is open (t63/03).

ACE shows an open entry's scheduled liquidation date, and what an ES-003's added
``Liquidation Date`` column holds for an unliquidated entry is not published (domain brief,
sections 6-7): an open fact, read explicitly. An open status with a date after the as-of date
(refund) or the declaration date (screening, road) is a scheduled liquidation: the entry is
unliquidated as of the run, refunded, screened and put on its road as one, and flagged
``LIQUIDATION_SCHEDULED`` naming the date. The same status with a date on or before that date
contradicts itself (``LIQUIDATION_INCONSISTENT``); a blank status with a later date keeps its
reading, liquidated on that date (``LIQUIDATION_AFTER_AS_OF``).
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ieepa_refund import Entry, compute_figures, compute_refund
from ieepa_refund.cape import screen
from ieepa_refund.refund import RefundOptions
from ieepa_refund.roads import entry_road

AS_OF = date(2026, 11, 28)
DECLARED_ON = date(2026, 12, 1)
SCHEDULED = date(2027, 4, 17)
REPRO = Path(__file__).parent / "data" / "es003_scheduled_liquidation.csv"


def _entry(liquidated: date | None, status: str | None = "UNLIQUIDATED") -> Entry:
    return Entry.model_validate(
        {
            "entry_number": "31600011014",
            "entry_type": "01",
            "importer_number": "12-3456789AB",
            "entry_date": date(2025, 6, 2),
            "deposit_date": date(2025, 6, 12),
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


# --- the entry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("liquidated", "status", "after", "scheduled"),
    [
        (SCHEDULED, "UNLIQUIDATED", AS_OF, SCHEDULED),
        (SCHEDULED, "Suspended", AS_OF, SCHEDULED),  # any status that says the entry is open
        (AS_OF, "UNLIQUIDATED", AS_OF, None),  # on the date: a contradiction, not a schedule
        (date(2026, 10, 15), "UNLIQUIDATED", AS_OF, None),
        (SCHEDULED, None, AS_OF, None),  # a blank status is not read this way
        (SCHEDULED, "LIQUIDATED", AS_OF, None),
        (SCHEDULED, "UNLIQUIDATED", None, None),  # no run date: nothing to judge by
        (None, "UNLIQUIDATED", AS_OF, None),
    ],
)
def test_a_scheduled_date_is_an_open_status_with_a_date_after_the_run(
    liquidated: date | None, status: str | None, after: date | None, scheduled: date | None
) -> None:
    entry = _entry(liquidated, status)
    assert entry.scheduled_liquidation(after) == scheduled
    seen = entry.unliquidated_as_of(after)
    assert seen.liquidation_date == (None if scheduled else liquidated)
    assert (seen is entry) == (scheduled is None)


# --- the refund --------------------------------------------------------------------------------


def _both(
    entry: Entry, as_of: date | None = AS_OF
) -> tuple[Decimal | None, date | None, list[str], str, date | None]:
    """(interest, its end, codes, messages, liquidation date) of compute_refund, which
    compute_figures must match."""
    out = []
    for compute in (compute_refund, compute_figures):
        r = compute(entry, interest_until=as_of)
        out.append(
            (r.interest, r.interest_until, [w.code for w in r.warnings],
             " ".join(w.message for w in r.warnings), r.liquidation_date)
        )  # fmt: skip
    assert out[0] == out[1]
    return out[0]


def test_an_open_status_with_a_date_after_the_as_of_date_is_refunded_as_unliquidated() -> None:
    interest, until, codes, message, liquidated = _both(_entry(SCHEDULED))
    unliquidated = _both(_entry(None))
    # The figures of the same entry with no date: interest to the as-of date.
    assert (interest, until) == unliquidated[:2]
    assert until == AS_OF
    assert codes == ["LIQUIDATION_SCHEDULED"]
    assert "liquidation date 2027-04-17 is after the as-of date 2026-11-28" in message
    assert "'UNLIQUIDATED'" in message
    assert liquidated is None  # not liquidated: payments and windows do not count from it


@pytest.mark.parametrize("liquidated", [AS_OF, date(2026, 10, 15)])
def test_an_open_status_with_a_date_reached_stays_inconsistent(liquidated: date) -> None:
    _, until, codes, _, kept = _both(_entry(liquidated))
    assert codes == ["LIQUIDATION_INCONSISTENT"]
    assert until == kept == liquidated


def test_with_no_as_of_date_an_open_status_with_a_date_stays_inconsistent() -> None:
    codes = _both(_entry(SCHEDULED), as_of=None)[2]
    assert codes == ["LIQUIDATION_INCONSISTENT", "RATE_NOT_COVERED"]  # interest to 2027-04-17


def test_a_blank_status_with_a_later_date_keeps_its_reading() -> None:
    interest, until, codes, _, liquidated = _both(_entry(SCHEDULED, None))
    assert codes == ["LIQUIDATION_AFTER_AS_OF", "RATE_NOT_COVERED"]
    assert until == liquidated == SCHEDULED
    assert interest is None  # past the rate table, as before


# --- the screening and the road ----------------------------------------------------------------


def test_an_open_status_with_a_date_after_the_declaration_is_screened_as_unliquidated() -> None:
    scheduled = screen(_entry(SCHEDULED), declared_on=DECLARED_ON)
    unliquidated = screen(_entry(None), declared_on=DECLARED_ON)
    assert scheduled.status == unliquidated.status == "eligible"
    assert scheduled.reason_codes == ("LIQUIDATION_SCHEDULED",)
    [note] = scheduled.reasons
    assert note.effect == "note"
    assert "liquidation date 2027-04-17 is after the declaration date 2026-12-01" in note.message
    assert scheduled.deadlines == unliquidated.deadlines  # no window counted from a schedule


@pytest.mark.parametrize("liquidated", [DECLARED_ON, date(2026, 10, 15)])
def test_an_open_status_with_a_date_on_or_before_the_declaration_is_excluded(
    liquidated: date,
) -> None:
    screening = screen(_entry(liquidated), declared_on=DECLARED_ON)
    assert screening.status == "excluded"
    assert screening.reason_codes == ("LIQUIDATION_INCONSISTENT",)


def test_a_blank_status_with_a_later_date_is_screened_as_before() -> None:
    screening = screen(_entry(SCHEDULED, None), declared_on=DECLARED_ON)
    assert screening.reason_codes == ("LIQUIDATION_AFTER_AS_OF",)
    assert screening.deadlines.cape_window_closes == date(2027, 7, 6)


def test_a_scheduled_entry_takes_the_unliquidated_road() -> None:
    options = RefundOptions(interest_until=AS_OF)
    scheduled = entry_road(_entry(SCHEDULED), declared_on=DECLARED_ON, options=options)
    unliquidated = entry_road(_entry(None), declared_on=DECLARED_ON, options=options)
    assert scheduled.reasons != unliquidated.reasons  # the note
    assert scheduled.model_dump(exclude={"reasons"}) == unliquidated.model_dump(exclude={"reasons"})
    assert scheduled.expected_liquidation == date(2027, 1, 15)  # CAPE's, 45 days after


# --- the commands, on both engines -------------------------------------------------------------


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as f:
        return {r["entry_number"]: r for r in csv.DictReader(f)}


def test_estimate_reads_the_repro_alike_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    source = tmp_path / "es.csv"
    shutil.copy(REPRO, source)
    flags = ("--as-of", AS_OF.isoformat(), "--declared-on", DECLARED_ON.isoformat())
    same_outputs([source], tmp_path, capsys, *flags, roads=True)
    rows = _rows(tmp_path / "entry" / "refunds.csv")
    scheduled, control = rows["31600011014"], rows["31600011022"]
    assert scheduled["warnings"] == "DEPOSIT_DATE_ASSUMED LIQUIDATION_SCHEDULED"
    differ = {k for k in scheduled if scheduled[k] != control[k]}
    assert differ == {"entry_number", "warnings"}  # the road, dates and figures of the control
    assert scheduled["road"] == "CAPE now: refunded at (re)liquidation"
    assert scheduled["expected_liquidation"] == "2027-01-15"
    # The past date with an open status is still an input problem; the blank status is read
    # as liquidated on its later date, as before.
    assert rows["31600011048"]["road"] == "Input problem: fix it first"
    assert "LIQUIDATION_INCONSISTENT" in rows["31600011048"]["warnings"]
    assert "LIQUIDATION_AFTER_AS_OF" in rows["31600011030"]["warnings"]


def test_cape_declares_the_scheduled_entry_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_cape_engines import same_outputs

    source = tmp_path / "es.csv"
    shutil.copy(REPRO, source)
    _, code, out = same_outputs(
        [source], tmp_path, capsys, "--declared-on", DECLARED_ON.isoformat()
    )
    assert code == 1  # 31600011048 still contradicts itself
    assert (
        "Screened 4 entries: 3 eligible, 0 eligible but refunded at liquidation, 1 excluded" in out
    )
    assert (
        "  LIQUIDATION_SCHEDULED: 1 entry with an open status and a liquidation date after the "
        "declaration date 2026-12-01"
    ) in out
    report = _rows(next((tmp_path / "entry").glob("screening_*.csv")))
    assert report["31600011014"]["status"] == "eligible"
    assert report["31600011014"]["reasons"] == "LIQUIDATION_SCHEDULED"
    assert "2027-04-17" in report["31600011014"]["messages"]
    assert report["31600011014"]["cape_window_closes"] == ""
    assert report["31600011048"]["reasons"] == "LIQUIDATION_INCONSISTENT"
    declared = next((tmp_path / "entry").glob("cape_*_001.csv")).read_text()
    assert "31600011014" in declared
    assert "31600011048" not in declared


def test_a_what_if_assumes_the_liquidation_of_a_scheduled_entry() -> None:
    from ieepa_refund.portfolio.whatif import Assumptions, evaluate

    assumptions = Assumptions(
        declared_on=DECLARED_ON, liquidation_after_filing_days=45, project=True
    )
    scheduled, unliquidated = evaluate([_entry(SCHEDULED), _entry(None)], assumptions)
    assert scheduled.counted
    assert scheduled.liquidation_assumed
    assert scheduled.liquidation_date == unliquidated.liquidation_date == date(2027, 1, 15)
    assert scheduled.interest is not None
    assert scheduled.interest == unliquidated.interest
