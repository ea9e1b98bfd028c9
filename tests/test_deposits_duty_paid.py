"""A deposit history is held to the duty the entry reports as paid (t65/01-02).

An ES-003's duty amounts are the entry summary as it stands after any correction (docs/es003.md),
so an entry's deposits less its pre-liquidation refunds must add to them. A history that does
not cannot be true together with the ES-003: its interest is withheld (DEPOSITS_NOT_DUTY_PAID,
an input fault: ``estimate`` exits 1) and ``with_deposits`` names the deposits file, the entry
and both sums. The principal stays the ES-003's: no other is worked out from the history.

Shapes of t65's repros: 01, an unliquidated entry of 1,000 IEEPA + 500 Section 301 duty whose
history is 1,500 deposited and 300 refunded before liquidation (printed 1,000 principal and
117.90 interest, exit 0); 02, a liquidated entry of 1,000 whose supplemental deposit of 400 was
keyed 4,000 (interest 5.00 in place of 61.35, exit 0). The right figures below are those of
the running account (several deposits compound through: 61.84, 121.31, each checked with t65's
independent daily loop as the sum of each event compounded to the end); the tester's 61.35 and
117.90 were the old rule, each segment restarting.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

from ieepa_refund import (
    DepositEvent,
    Entry,
    compute_figures,
    compute_refund,
    read_deposits,
    read_es003,
    with_deposits,
)
from ieepa_refund.cli import main
from ieepa_refund.refund.codes import INPUT_FAULTS

from .strategies import duty_paid_histories

AS_OF = date(2026, 11, 28)
HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Entry Date,Liquidation Date,Liquidation Status,Country of Origin Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Duty Amount,Deposit Date"
)
ES_01 = [
    "31600000041,1,01,12-3456789AB,06/02/2025,,UNLIQUIDATED,CN,1,99030125,1000.00,06/12/2025",
    "31600000041,1,01,12-3456789AB,06/02/2025,,UNLIQUIDATED,CN,2,99038815,500.00,06/12/2025",
]
ES_02 = ["31600000017,1,01,12-3456789AB,06/02/2025,06/01/2026,LIQUIDATED,CN,1,99030125,1000.00,"]
DEPOSITS_HEADER = "Entry Number,Kind,Date,Amount"


def _entry(number: str, tariffs: list[dict[str, object]], **fields: object) -> Entry:
    base = {
        "entry_number": number,
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": date(2025, 6, 2),
        "lines": [{"number": 1, "country_of_origin": "CN", "tariffs": tariffs}],
    }
    return Entry.model_validate({**base, **fields})


def _event(kind: str, day: date, amount: str) -> DepositEvent:
    return DepositEvent(kind=kind, date=day, amount=Decimal(amount))  # type: ignore[arg-type]


ENTRY_01 = [{"hts": "9903.01.25", "duty": "1000.00"}, {"hts": "9903.88.15", "duty": "500.00"}]
HISTORY_01 = (
    _event("deposit", date(2025, 6, 12), "1500.00"),
    _event("refund", date(2026, 3, 1), "300.00"),
)


def _both(entry: Entry, until: date | None = AS_OF) -> list[tuple[object, ...]]:
    """(principal, interest, codes, messages) of compute_refund and compute_figures: equal."""
    out = []
    for compute in (compute_refund, compute_figures):
        result = compute(entry, interest_until=until)
        codes = [w.code for w in result.warnings]
        out.append(
            (
                result.principal,
                result.interest,
                codes,
                " | ".join(w.message for w in result.warnings),
            )
        )
    assert out[0] == out[1]
    return out[0]  # type: ignore[no-any-return]


def test_a_pre_liquidation_refund_the_es003_does_not_show_withholds_the_interest() -> None:
    """01: net 1,200 on deposit against the 1,500 the ES-003 says was paid: no interest figure
    (it printed 117.90), the principal stays the ES-003's 1,000 and the message says why."""
    entry = _entry("31600000041", ENTRY_01, deposits=HISTORY_01)
    principal, interest, codes, message = _both(entry)
    assert (principal, interest, codes) == (Decimal("1000.00"), None, ["DEPOSITS_NOT_DUTY_PAID"])
    assert (
        "the deposit history of entry 316-0000004-1 nets to 1200.00 (deposits 1500.00 less "
        "pre-liquidation refunds 300.00), not the 1500.00 of duty its lines report as paid"
    ) in str(message)
    assert "If CBP did refund 300.00 before liquidation" in str(message)
    assert "no other principal is worked out" in str(message)
    assert "DEPOSITS_NOT_DUTY_PAID" in INPUT_FAULTS


def test_a_history_above_the_duty_paid_withholds_the_interest() -> None:
    """02: 600 + 4,000 deposited on an entry of 1,000 duty gave 5.00 (the Government "owed"
    interest on 3,000); 600 + 400 gives 61.84 (t65's oracle, each deposit compounded to the end), unflagged."""
    tariffs = [{"hts": "9903.01.25", "duty": "1000.00"}]
    fields = {"liquidation_date": date(2026, 6, 1), "liquidation_status": "LIQUIDATED"}
    first = _event("deposit", date(2025, 6, 12), "600.00")
    typo = _entry(
        "31600000017",
        tariffs,
        deposits=(first, _event("deposit", date(2025, 9, 1), "4000.00")),
        **fields,
    )
    good = _entry(
        "31600000017",
        tariffs,
        deposits=(first, _event("deposit", date(2025, 9, 1), "400.00")),
        **fields,
    )
    _, interest, codes, message = _both(typo)
    assert (interest, codes) == (None, ["DEPOSITS_NOT_DUTY_PAID"])
    assert "nets to 4600.00 (deposits 4600.00), not the 1000.00 of duty" in str(message)
    assert "If CBP did refund" not in str(message)  # nothing refunded: the sums say it all
    assert _both(good)[1:3] == (Decimal("61.84"), [])


def test_the_es003_columns_history_is_the_duty_paid_by_construction() -> None:
    """The same refund in the ES-003's Pre-Liquidation Refund columns: the original deposit is
    worked out as 1,800 (the duties after correction plus the refund), which nets to the 1,500
    paid: consistent, so the figure stands."""
    head = HEADER + ",Pre-Liquidation Refund Amount,Pre-Liquidation Refund Date"
    rows = [row + ",300.00,03/01/2026" for row in ES_01]
    (entry,) = read_es003(io.StringIO("\n".join([head, *rows]) + "\n")).entries
    assert [e.signed for e in entry.deposits] == [Decimal("1800.00"), Decimal("-300.00")]
    assert _both(entry)[1:3] == (Decimal("121.31"), [])


def test_a_history_below_the_refund_is_said_below_the_refund_alone() -> None:
    entry = _entry(
        "31600000041", ENTRY_01, deposits=(_event("deposit", date(2025, 6, 12), "900.00"),)
    )
    assert _both(entry)[1:3] == (None, ["DEPOSITS_BELOW_REFUND"])


def test_with_a_duty_not_reported_only_less_than_the_reported_duty_is_flagged() -> None:
    """A duty amount missing: the reported ones are the least the entry paid."""
    tariffs = [*ENTRY_01, {"hts": "8471.30.0100", "value": "4000.00"}]
    above = _entry(
        "31600000041", tariffs, deposits=(_event("deposit", date(2025, 6, 12), "1600.00"),)
    )
    assert "DEPOSITS_NOT_DUTY_PAID" not in _both(above)[2]  # type: ignore[operator]
    _, interest, codes, message = _both(_entry("31600000041", tariffs, deposits=HISTORY_01))
    assert (interest, codes) == (None, ["DEPOSITS_NOT_DUTY_PAID"])
    assert "nets to 1200.00" in str(message)
    assert "not at least the 1500.00 of duty its lines report" in str(message)


def test_with_deposits_names_the_file_the_entry_and_both_sums(tmp_path: Path) -> None:
    path = tmp_path / "deposits.csv"
    path.write_text(
        f"{DEPOSITS_HEADER}\n31600000041,deposit,06/12/2025,1500.00\n"
        "31600000041,refund,03/01/2026,300.00\n",
        encoding="utf-8",
    )
    entry = _entry("31600000041", ENTRY_01, deposit_date=date(2025, 6, 12))
    done = with_deposits([entry], read_deposits(path))
    (problem,) = done.problems
    assert (problem.code, problem.file, problem.entry_number, problem.rows) == (
        "DEPOSITS_NOT_DUTY_PAID",
        "deposits.csv",
        "31600000041",
        0,
    )
    assert (
        "the deposit history of entry 316-0000004-1 nets to 1200.00 (deposits 1500.00 less "
        "pre-liquidation refunds 300.00) but the entry's ES-003 duties add to 1500.00"
    ) in problem.message
    assert "correct this entry's rows in the deposits file" in problem.message
    assert str(problem).startswith("deposits.csv: DEPOSITS_NOT_DUTY_PAID: ")
    # Attached all the same, so that the refund withholds the figure.
    assert done.entries[0].deposits == HISTORY_01


@settings(max_examples=80, deadline=None)
@given(duty_paid_histories())
def test_a_history_is_flagged_exactly_when_it_is_not_the_duty_paid(
    case: tuple[Entry, tuple[DepositEvent, ...], Decimal],
) -> None:
    entry, events, delta = case
    done = with_deposits([entry], {entry.entry_number: events})
    assert [p.code for p in done.problems] == ([] if delta == 0 else ["DEPOSITS_NOT_DUTY_PAID"])
    (attached,) = done.entries
    principal, interest, codes, _ = _both(attached, date(2026, 12, 31))
    faults = {"DEPOSITS_NOT_DUTY_PAID", "DEPOSITS_BELOW_REFUND"} & set(codes)  # type: ignore[call-overload]
    if delta == 0:
        assert not faults
    elif principal > 0:  # type: ignore[operator]
        # Not the duty paid: never a figure, whichever way it is off.
        assert interest is None
        assert len(faults) == 1


def _run(
    tmp_path: Path, rows: list[str], deposits: str | None, *flags: str
) -> tuple[int, dict[str, str], str, str]:
    source = tmp_path / "es.csv"
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out, problems = tmp_path / "out.csv", tmp_path / "problems.csv"
    more = list(flags)
    if deposits is not None:
        path = tmp_path / "deposits.csv"
        path.write_text(f"{DEPOSITS_HEADER}\n{deposits}", encoding="utf-8")
        more += ["--duty-deposits", str(path)]
    args = ["estimate", str(source), "--as-of", AS_OF.isoformat(), "--out", str(out)]
    code = main([*args, "--problems", str(problems), *more])
    with out.open(newline="") as f:
        (row,) = csv.DictReader(f)
    with problems.open(newline="") as f:
        codes = " ".join(p["code"] for p in csv.DictReader(f) if p["code"] != "COLUMN_RECOGNISED")
    return code, row, codes, str(tmp_path)


def test_the_command_withholds_and_exits_1_on_a_refund_the_es003_does_not_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = "31600000041,deposit,06/12/2025,1500.00\n31600000041,refund,03/01/2026,300.00\n"
    code, row, problems, _ = _run(tmp_path, ES_01, history)
    std = capsys.readouterr()
    assert code == 1
    figures = (row["principal"], row["interest"], row["interest_missing"], row["warnings"])
    assert figures == ("1000.00", "", "True", "DEPOSITS_NOT_DUTY_PAID")
    assert row["next_action"].startswith(
        "Fix the input first, no interest figure until then (DEPOSITS_NOT_DUTY_PAID: the deposit "
        "history of entry 316-0000004-1 nets to 1200.00"
    )
    assert row["interest_to_expected"] == ""  # nor on its road
    assert problems == "DEPOSITS_NOT_DUTY_PAID"
    assert (
        "deposits.csv: DEPOSITS_NOT_DUTY_PAID: the deposit history of entry "
        "316-0000004-1 nets to 1200.00 (deposits 1500.00 less pre-liquidation refunds 300.00) "
        "but the entry's ES-003 duties add to 1500.00"
    ) in std.err
    assert "(DEPOSITS_NOT_DUTY_PAID 1)" in std.out
    assert "Engine: entry" in std.out  # the bulk engine takes no history: unchanged


@pytest.mark.parametrize(
    ("supplemental", "code", "interest", "warnings"),
    [("4000.00", 1, "", "DEPOSITS_NOT_DUTY_PAID"), ("400.00", 0, "61.84", "")],
)
def test_the_command_withholds_and_exits_1_on_a_history_above_the_duty_paid(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    supplemental: str,
    code: int,
    interest: str,
    warnings: str,
) -> None:
    history = f"31600000017,deposit,06/12/2025,600.00\n31600000017,supplemental,09/01/2025,{supplemental}\n"
    got, row, problems, _ = _run(tmp_path, ES_02, history)
    err = capsys.readouterr().err
    assert (got, row["interest"], row["warnings"]) == (code, interest, warnings)
    assert problems == warnings
    assert (
        "nets to 4600.00 (deposits 4600.00) but the entry's ES-003 duties add to 1000.00" in err
    ) == bool(code)


def test_the_es003_columns_refund_is_consistent_on_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = HEADER + ",Pre-Liquidation Refund Amount,Pre-Liquidation Refund Date"
    source = tmp_path / "es.csv"
    source.write_text("\n".join([head, *(r + ",300.00,03/01/2026" for r in ES_01)]) + "\n")
    out = tmp_path / "out.csv"
    args = ["estimate", str(source), "--as-of", AS_OF.isoformat(), "--out", str(out)]
    assert main([*args, "--engine", "entry"]) == 0
    capsys.readouterr()
    with out.open(newline="") as f:
        (row,) = csv.DictReader(f)
    assert (row["interest"], row["warnings"]) == ("121.31", "")


def test_the_bulk_engine_still_refuses_a_deposits_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    history = "31600000041,deposit,06/12/2025,1500.00\n"
    (tmp_path / "deposits.csv").write_text(f"{DEPOSITS_HEADER}\n{history}", encoding="utf-8")
    (tmp_path / "es.csv").write_text("\n".join([HEADER, *ES_01]) + "\n", encoding="utf-8")
    args = ["estimate", str(tmp_path / "es.csv"), "--as-of", AS_OF.isoformat(), "--engine", "bulk"]
    assert main([*args, "--duty-deposits", str(tmp_path / "deposits.csv")]) == 2
    assert "--engine bulk cannot produce --duty-deposits" in capsys.readouterr().err
