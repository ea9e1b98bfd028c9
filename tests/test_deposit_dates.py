"""Interest never on a date the input cannot mean, nor on money it says was never deposited (t61).

A deposit date (or the entry summary date taken for it) before the entry date: no figure when it
is also before the entry's IEEPA heading came into force (DEPOSIT_BEFORE_IEEPA), else the figure
flagged (DEPOSIT_BEFORE_ENTRY). A one-row deposit history's amount counts (DEPOSITS_BELOW_REFUND).
A liquidation date after the as-of date keeps its figure, flagged (LIQUIDATION_AFTER_AS_OF).
Each through compute_refund, compute_figures and the command on both engines.
"""

from __future__ import annotations

import csv
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


def test_a_deposit_before_the_entry_but_in_force_is_computed_and_flagged() -> None:
    deposited = date(2025, 5, 30)
    assert _heading_start() <= deposited < ENTERED
    [(interest, codes, message), _] = _both(_entry(deposit_date=deposited))
    expected = interest_detail(Decimal("1000.00"), deposited=deposited, until=AS_OF).interest
    assert interest == expected
    assert codes == ["DEPOSIT_BEFORE_ENTRY"]
    assert "deposit date 2025-05-30" in message
    assert "entry date 2025-06-02" in message


def test_a_deposit_on_or_after_the_entry_date_is_not_flagged() -> None:
    [(interest, codes, _), _] = _both(_entry(deposit_date=date(2025, 6, 12)))
    assert interest == Decimal("105.07")  # 1000 from 2025-06-12 to 2026-11-28 (t61 oracle)
    assert codes == []


@pytest.mark.parametrize(
    ("amount", "interest", "codes"),
    [
        ("100.00", None, ["DEPOSITS_BELOW_REFUND"]),
        ("1000.00", Decimal("105.07"), []),
        ("5000.00", Decimal("105.07"), []),  # as the multi-row path: more than the refund is fine
    ],
)
def test_a_one_row_history_counts_its_amount(
    amount: str, interest: Decimal | None, codes: list[str]
) -> None:
    history = (DepositEvent(kind="deposit", date=date(2025, 6, 12), amount=Decimal(amount)),)
    [(got, got_codes, message), _] = _both(_entry(deposits=history))
    assert (got, got_codes) == (interest, codes)
    if interest is None:
        assert f"net to {amount}" in message
        assert "principal 1000.00" in message


@settings(max_examples=60, deadline=None)
@given(single_deposit_cases())
def test_a_covering_one_row_history_gives_the_figure_of_its_date_alone(
    case: tuple[Entry, date, Decimal, date],
) -> None:
    entry, deposited, surplus, until = case
    dated = entry.model_copy(update={"deposit_date": deposited})
    alone = compute_refund(dated, interest_until=until)
    amount = max(alone.principal, Decimal(0)) + surplus
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
    # A date the status contradicts is already LIQUIDATION_INCONSISTENT: not flagged twice.
    open_ = entry.model_copy(update={"liquidation_status": "UNLIQUIDATED"})
    assert _both(open_)[0][1] == ["LIQUIDATION_INCONSISTENT"]


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
    capsys: pytest.CaptureFixture[str], tmp_path: Path, engine: str, *flags: str
) -> tuple[bytes, dict[str, dict[str, str]], str]:
    source = tmp_path / "es003.csv"
    source.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    out = tmp_path / f"out_{engine}.csv"
    code = main(
        ["estimate", str(source), "--as-of", AS_OF.isoformat(), "--engine", engine,
         "--out", str(out), *flags]
    )  # fmt: skip
    stdout = capsys.readouterr().out
    assert code == 0
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
    assert got == {
        "31641000018": ("", "DEPOSIT_BEFORE_IEEPA"),
        "31641000026": (got["31641000026"][0], "DEPOSIT_BEFORE_ENTRY"),
        "31642000017": ("", "DEPOSIT_BEFORE_IEEPA DEPOSIT_DATE_ASSUMED"),
        "31697000011": ("109.74", "LIQUIDATION_AFTER_AS_OF"),
        "31697000029": ("103.38", ""),
    }
    assert got["31641000026"][0] != ""
    # The withheld entries have no interest on their road either (--project reaches past the
    # rate table to the expected liquidation: the road must not accrue from the bad date).
    for number in ("31641000018", "31642000017"):
        assert rows[number]["interest_to_expected"] == ""
    assert "(DEPOSIT_BEFORE_IEEPA 2)" in stdout
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
