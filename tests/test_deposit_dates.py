"""Interest never on a date the input cannot mean, nor on money it says was never deposited (t61).

A deposit date (or the entry summary date taken for it) before the entry date withholds the
figure (t62/03): DEPOSIT_BEFORE_IEEPA when it is also before the entry's IEEPA heading came into
force, else DEPOSIT_BEFORE_ENTRY (a typo or a summary paid before release: the data cannot tell).
A one-row deposit history's amount counts (DEPOSITS_BELOW_REFUND). A liquidation date after the
as-of date keeps its figure, flagged (LIQUIDATION_AFTER_AS_OF). Each through compute_refund,
compute_figures and the command on both engines; a withheld figure's fault exits 1 and is named
as the cause on the roads and in the next action (t62/07).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings

from ieepa_refund import (
    DepositEvent,
    Entry,
    compute_figures,
    compute_refund,
    default_registry,
    interest_detail,
)
from ieepa_refund.cli import main

from .strategies import single_deposit_cases

AS_OF = date(2026, 11, 28)
ENTERED = date(2025, 6, 2)
HEADING = "9903.01.25"


def _entry(**fields: object) -> Entry:
    base = {
        "entry_number": "31641000018",
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": ENTERED,
        "lines": [
            {
                "number": 1,
                "country_of_origin": "CN",
                "tariffs": [{"hts": "99030125", "duty": Decimal("1000.00")}],
            }
        ],
    }
    return Entry.model_validate({**base, **fields})


def _both(entry: Entry) -> list[tuple[Decimal | None, list[str], str]]:
    """(interest, codes, messages) from compute_refund and compute_figures: they must agree."""
    out = []
    for compute in (compute_refund, compute_figures):
        result = compute(entry, interest_until=AS_OF)
        codes = [w.code for w in result.warnings]
        out.append((result.interest, codes, " ".join(w.message for w in result.warnings)))
    assert out[0] == out[1]
    return out


def _heading_start() -> date:
    # The registry's own date, not one written here: the data decides.
    start = default_registry().periods_of(HEADING)[0].effective_from
    assert start is not None
    assert start < ENTERED
    return start


@pytest.mark.parametrize("field", ["deposit_date", "entry_summary_date"])
def test_a_deposit_before_the_heading_came_into_force_has_no_interest(field: str) -> None:
    early = date(2024, 1, 1)
    [(interest, codes, message), _] = _both(_entry(**{field: early}))
    assert interest is None
    assert "DEPOSIT_BEFORE_IEEPA" in codes
    assert "DEPOSIT_BEFORE_ENTRY" not in codes
    words = field.replace("_", " ")
    assert f"{words} 2024-01-01" in message
    assert f"entry date {ENTERED.isoformat()}" in message
    assert f"{HEADING} came into force on {_heading_start().isoformat()}" in message


def test_a_deposit_before_the_entry_but_in_force_has_no_interest_either() -> None:
    deposited = date(2025, 5, 30)
    assert _heading_start() <= deposited < ENTERED
    [(interest, codes, message), _] = _both(_entry(deposit_date=deposited))
    assert interest is None
    assert codes == ["DEPOSIT_BEFORE_ENTRY"]
    assert "deposit date 2025-05-30 is before the entry date 2025-06-02" in message
    # What to do in each case: fix a typo; a true early deposit has no option, said so.
    assert "If it is a typo, fix the deposit date" in message
    assert "no option or input gives this interest" in message
    assert "interest_detail(" in message


def test_a_deposit_months_before_the_entry_is_withheld_not_counted() -> None:
    """t62/03: 2025-03-11 for an entry of 2025-12-01 (9903.01.24 in force since 2025-03-04)
    gave 124.95 where the summary date's 67.17 is right, counted as fact in the totals."""
    entered = date(2025, 12, 1)
    heading = "99030124"
    start = default_registry().periods_of("9903.01.24")[0].effective_from
    assert start is not None
    assert start <= date(2025, 3, 11)
    lines = [
        {"number": 1, "country_of_origin": "CN",
         "tariffs": [{"hts": heading, "duty": Decimal("1000.00")}]}
    ]  # fmt: skip
    summary = date(2025, 12, 11)
    typo = _entry(entry_date=entered, entry_summary_date=summary, lines=lines,
                  deposit_date=date(2025, 3, 11))  # fmt: skip
    [(interest, codes, message), _] = _both(typo)
    assert (interest, codes) == (None, ["DEPOSIT_BEFORE_ENTRY"])
    assert "the deposit date 2025-03-11 is before the entry date 2025-12-01" in message
    fixed = typo.model_copy(update={"deposit_date": summary})
    assert _both(fixed)[0][:2] == (Decimal("67.17"), [])  # t62 oracle
    # The way the message gives for a true early deposit: the figure the totals used to take.
    early = interest_detail(Decimal("1000.00"), deposited=date(2025, 3, 11), until=AS_OF)
    assert early.interest == Decimal("124.95")


def test_a_deposit_on_or_after_the_entry_date_is_not_flagged() -> None:
    [(interest, codes, _), _] = _both(_entry(deposit_date=date(2025, 6, 12)))
    assert interest == Decimal("105.07")  # 1000 from 2025-06-12 to 2026-11-28 (t61 oracle)
    assert codes == []


@pytest.mark.parametrize(
    ("amount", "interest", "codes"),
    [
        ("100.00", None, ["DEPOSITS_BELOW_REFUND"]),
        ("1000.00", Decimal("105.07"), []),
        # More than the duty paid (1000.00) cannot be the history of this entry (t65/02).
        ("5000.00", None, ["DEPOSITS_NOT_DUTY_PAID"]),
    ],
)
def test_a_one_row_history_counts_its_amount(
    amount: str, interest: Decimal | None, codes: list[str]
) -> None:
    history = (DepositEvent(kind="deposit", date=date(2025, 6, 12), amount=Decimal(amount)),)
    [(got, got_codes, message), _] = _both(_entry(deposits=history))
    assert (got, got_codes) == (interest, codes)
    if codes == ["DEPOSITS_BELOW_REFUND"]:
        assert f"net to {amount}" in message
        assert "principal 1000.00" in message
    elif codes:
        assert f"nets to {amount} (deposits {amount}), not the 1000.00 of duty" in message


@settings(max_examples=60, deadline=None)
@given(single_deposit_cases())
def test_a_covering_one_row_history_gives_the_figure_of_its_date_alone(
    case: tuple[Entry, date, Decimal, date],
) -> None:
    entry, deposited, surplus, until = case
    dated = entry.model_copy(update={"deposit_date": deposited})
    alone = compute_refund(dated, interest_until=until)
    # The history is the duty paid (t65: another amount is DEPOSITS_NOT_DUTY_PAID); with a
    # duty amount not reported that is only its least, and any covering amount above it holds.
    duties = [t.duty for line in entry.lines for t in line.tariffs]
    paid = sum((d for d in duties if d is not None), Decimal(0))
    if None in duties or entry.incomplete_rows:
        amount = max(alone.principal, paid, Decimal(0)) + surplus
    else:
        amount = paid
    assume(amount > 0 and amount >= alone.principal)
    history = Entry.model_validate(
        {
            **entry.model_dump(),
            "deposits": (DepositEvent(kind="deposit", date=deposited, amount=amount),),
        }
    )
    assert compute_refund(history, interest_until=until) == alone
    assert compute_figures(history, interest_until=until) == compute_figures(
        dated, interest_until=until
    )


def test_a_liquidation_after_the_as_of_date_keeps_its_figure_flagged() -> None:
    later = date(2026, 12, 20)
    entry = _entry(
        deposit_date=date(2025, 6, 12), liquidation_date=later, liquidation_status="LIQUIDATED"
    )
    [(interest, codes, message), _] = _both(entry)
    assert interest == Decimal("109.74")  # to 2026-12-20 (t61 oracle)
    assert codes == ["LIQUIDATION_AFTER_AS_OF"]
    assert "liquidation date 2026-12-20" in message
    assert "as-of date 2026-11-28" in message
    on_time = entry.model_copy(update={"liquidation_date": date(2026, 11, 20)})
    assert _both(on_time)[0][1] == []
    # With an open status the date is a scheduled one (t63/03): unliquidated, not flagged twice.
    open_ = entry.model_copy(update={"liquidation_status": "UNLIQUIDATED"})
    assert _both(open_)[0][1] == ["LIQUIDATION_SCHEDULED"]


# --- the command, on both engines ---------------------------------------------------------------

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Entry Summary Date,Liquidation Date,Liquidation Status,Country of Origin Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Duty Amount,Deposit Date"
)


def _row(number: str, summary: str, liquidated: str, status: str, deposited: str) -> str:
    return (
        f"{number},1,01,12-3456789AB,06/02/2025,{summary},{liquidated},{status},CN,1,99030125,"
        f"1000.00,{deposited}"
    )


ROWS = [
    _row("31641000018", "06/12/2025", "", "UNLIQUIDATED", "01/01/2024"),  # before IEEPA
    _row("31641000026", "06/12/2025", "", "UNLIQUIDATED", "05/30/2025"),  # before entry
    _row("31642000017", "06/12/2024", "", "UNLIQUIDATED", ""),  # summary date before IEEPA
    _row("31697000011", "06/12/2025", "12/20/2026", "LIQUIDATED", "06/12/2025"),  # after as-of
    _row("31697000029", "06/12/2025", "11/20/2026", "LIQUIDATED", "06/12/2025"),  # plain
]


def _estimate(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    engine: str,
    *flags: str,
    rows: list[str] = ROWS,
    expect: int = 1,
) -> tuple[bytes, dict[str, dict[str, str]], str]:
    source = tmp_path / "es003.csv"
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / f"out_{engine}.csv"
    code = main(
        ["estimate", str(source), "--as-of", AS_OF.isoformat(), "--engine", engine,
         "--out", str(out), *flags]
    )  # fmt: skip
    stdout = capsys.readouterr().out
    # A figure withheld for a fault in the input is a fault found: done, with problems.
    assert code == expect
    data = out.read_bytes()
    rows = {r["entry_number"]: r for r in csv.DictReader(data.decode("utf-8").splitlines())}
    return data, rows, stdout


@pytest.mark.parametrize("flags", [(), ("--project",)])
def test_the_command_flags_the_dates_alike_on_both_engines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: tuple[str, ...]
) -> None:
    pytest.importorskip("polars")
    data, rows, stdout = _estimate(capsys, tmp_path, "entry", *flags)
    bulk, _, bulk_stdout = _estimate(capsys, tmp_path, "bulk", *flags)
    assert bulk == data
    assert "DEPOSIT_BEFORE_IEEPA" in bulk_stdout
    got = {n: (r["interest"], r["warnings"]) for n, r in rows.items()}
    # With --project the two liquidated entries' road interest (to liquidation + 90 days, in
    # 2027) uses the carried rate: flagged so (t68/07).
    projected = " RATE_PROJECTED" if flags else ""
    assert got == {
        "31641000018": ("", "DEPOSIT_BEFORE_IEEPA"),
        "31641000026": ("", "DEPOSIT_BEFORE_ENTRY"),
        "31642000017": ("", "DEPOSIT_BEFORE_IEEPA DEPOSIT_DATE_ASSUMED"),
        "31697000011": ("109.74", "LIQUIDATION_AFTER_AS_OF" + projected),
        "31697000029": ("103.38", projected.strip()),
    }
    # The withheld entries have no interest on their road either (--project reaches past the
    # rate table to the expected liquidation: the road must not accrue from the bad date).
    for number in ("31641000018", "31641000026", "31642000017"):
        assert rows[number]["interest_to_expected"] == ""
    assert "(DEPOSIT_BEFORE_ENTRY 1, DEPOSIT_BEFORE_IEEPA 2)" in stdout
    assert "Warnings (entries): " in stdout
    assert "LIQUIDATION_AFTER_AS_OF 1" in stdout


def test_the_command_counts_a_one_row_history(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deposits = tmp_path / "deposits.csv"
    deposits.write_text(
        "Entry Number,Kind,Date,Amount\n31697000029,deposit,06/12/2025,100.00\n", encoding="utf-8"
    )
    flags = ("--duty-deposits", str(deposits), "--project")
    _, rows, stdout = _estimate(capsys, tmp_path, "entry", *flags)
    assert (rows["31697000029"]["interest"], rows["31697000029"]["warnings"]) == (
        "",
        "DEPOSITS_BELOW_REFUND",
    )
    assert "DEPOSITS_BELOW_REFUND 1" in stdout
    # Nor on its road: the fast road would accrue on the whole refund from the history's date.
    assert rows["31697000029"]["interest_to_expected"] == ""


def test_a_withheld_figure_names_its_fault_on_the_roads_and_in_the_next_action(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """t62/07: with --project the roads said "pass --project" of an entry whose interest a
    deposit date withholds, its next action said nothing of the date, and the run exited 0."""
    pytest.importorskip("polars")
    flags = ("--project", "--declared-on", "2026-12-01")
    data, rows, stdout = _estimate(capsys, tmp_path, "entry", *flags)
    bulk, _, bulk_stdout = _estimate(capsys, tmp_path, "bulk", *flags)
    assert bulk == data
    for out in (stdout, bulk_stdout):
        assert (
            "INTEREST_INCOMPLETE: 3 CAPE entries have no interest figure for a fault in the "
            "input (DEPOSIT_BEFORE_ENTRY 1, DEPOSIT_BEFORE_IEEPA 2)"
        ) in out
        assert "pass --project" not in out
    action = rows["31641000018"]["next_action"]
    assert action.startswith("Fix the input first, no interest figure until then")
    assert "DEPOSIT_BEFORE_IEEPA: the deposit date 2024-01-01 is before the entry date" in action
    assert "then: Declare in CAPE" in action
    summary_date = rows["31642000017"]["next_action"]
    assert "the entry summary date 2024-06-12 is before the entry date 2025-06-02" in summary_date
    assert "Fix the input" not in rows["31697000029"]["next_action"]


def test_a_file_without_a_withheld_figure_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # LIQUIDATION_AFTER_AS_OF keeps its figure: flagged, not a figure withheld.
    _, rows, stdout = _estimate(capsys, tmp_path, "entry", rows=ROWS[3:], expect=0)
    assert rows["31697000011"]["warnings"] == "LIQUIDATION_AFTER_AS_OF"
    assert "with a refund has no interest figure" not in stdout
    assert "for a fault in the input" not in stdout


def test_with_project_the_roads_do_not_say_pass_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A liquidation date past the years --project carries the rate: no figure, and no advice
    to pass the option already passed; not an input fault the run could exit 1 for."""
    far = _row("31697000011", "06/12/2025", "01/01/2040", "LIQUIDATED", "06/12/2025")
    _, rows, stdout = _estimate(capsys, tmp_path, "entry", "--project", rows=[far], expect=0)
    assert rows["31697000011"]["interest"] == ""
    assert (
        "INTEREST_INCOMPLETE: 1 CAPE entry has no interest figure (an expected date past the "
        "years --project carries the last rate, or no date yet)"
    ) in stdout
    assert "pass --project" not in stdout
