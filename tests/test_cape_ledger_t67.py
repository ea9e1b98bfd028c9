"""Found by a tester (t67): resubmission screened as a declaration, the check-digit file for
review kept out of "declared", declarations in place before the ledger records them, and a
mistyped --ledger refused."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import entry_number as en
from ieepa_refund import read_es003
from ieepa_refund.cape import read_ledger, write_declarations
from ieepa_refund.cli import main
from ieepa_refund.reconcile import read_claims, reconcile, resubmit

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Importer Name,Port of Entry Code,Entry Date,Entry Summary Date,Reconciliation Indicator,"
    "Liquidation Date,Liquidation Status,Protest Number,Country of Origin Code,Line SPI Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Goods Value Amount,"
    "Line Tariff Duty Amount,Line Tariff Quantity (1),Line Tariff UOM (1) Code\n"
)


def _rows(
    number: str, liquidated: str = "", status: str = "UNLIQUIDATED", protest: str = ""
) -> str:
    """An entry of $1,000 fentanyl-China duty (99030125) on a $10,000 line, as t67 built it."""
    head = f"{number},1,01,12-3456789AB,ACME,2704,06/02/2025,06/12/2025,N,{liquidated},{status}"
    return (
        f"{head},{protest},CN,,1,99030125,,1000.00,,\n"
        f"{head},{protest},CN,,2,8471300100,10000.00,0.00,,\n"
    )


def _es003(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


# --- t67/01: a resubmission is screened on its declaration date ---------------------------------

GOODS = "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"
PENDING = "STATEMENT PROCESSING NOT COMPLETE"


def _failed_four(tmp_path: Path) -> tuple[Path, Path, Path]:
    """t67/01: two entries liquidated 2026-06-01, one unliquidated, one under protest; all
    declared 2026-06-10 and failed with messages a resubmission cures."""
    es003 = _es003(
        tmp_path / "es003.csv",
        _rows("31600000017", "06/01/2026", "LIQUIDATED"),
        _rows("31600000025", "06/01/2026", "LIQUIDATED"),
        _rows("31600000033"),
        _rows("31600000041", protest="270426100999"),
    )
    ledger = tmp_path / "led.csv"
    ledger.write_text(
        "entry_number,declaration_file,declared_on\n"
        + "".join(f"316000000{n},cape_a_001.csv,2026-06-10\n" for n in ("17", "25", "33", "41")),
        encoding="utf-8",
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n"
        f"31600000017,100000000001,Failed,{GOODS}\n"
        f"31600000025,100000000001,Failed,{PENDING}\n"
        f"31600000033,100000000001,Failed,{GOODS}\n"
        f"31600000041,100000000001,Failed,{PENDING}\n",
        encoding="utf-8",
    )
    return es003, ledger, claims


def test_resubmit_declares_only_what_cape_takes_on_the_day_and_names_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    es003, ledger, claims = _failed_four(tmp_path)
    again, report = tmp_path / "again", tmp_path / "rec.csv"
    code = main(["reconcile", str(es003), "--ledger", str(ledger), "--claims", str(claims),
                 "--as-of", "2026-11-29", "--resubmit", str(again), "--out", str(report)])  # fmt: skip
    assert code == 1
    out, err = capsys.readouterr()
    (written,) = again.glob("cape_*_001.csv")
    assert written.read_text().split() == ["Entry", "Number", "31600000033"]
    assert "ready to resubmit: 1;" in out
    assert "Resubmission in" in out
    assert ": 1 entry in 1 file" in out
    assert "not declared again, EXCLUDED: 3 entries: 31600000017, 31600000025, 31600000041" in out
    # Each named with its reason in CBP's words, as cape's screening gives them.
    assert "skipped 31600000017: EXCLUDED: " in err
    assert "ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS" in err
    assert "skipped 31600000041: EXCLUDED: " in err
    assert "PROTEST ON ENTRY" in err
    held = read_ledger(ledger)
    assert [n for n, files in held.items() if len(files) == 2] == ["31600000033"]
    with report.open(newline="", encoding="utf-8") as f:
        rows = {r["entry_number"]: r for r in csv.DictReader(f)}
    assert rows["31600000017"]["resubmit"] == "no"
    assert "Declare" not in rows["31600000017"]["fix"]
    assert "LIQUIDATED_OVER_80_DAYS" in rows["31600000017"]["fix"]
    # Its road: liquidated 2026-06-01, the protest window closed on 2026-11-28.
    assert rows["31600000017"]["fix_path"] == "protest_or_litigation"
    assert rows["31600000017"]["deadline"] == "2026-11-28"
    assert "the route is litigation" in rows["31600000017"]["fix"]
    assert rows["31600000041"]["fix_path"] == "protest"
    assert rows["31600000033"]["resubmit"] == "ready"
    assert "passes every rule today" in rows["31600000033"]["fix"]


def test_resubmit_given_the_entries_screens_them_on_its_own_date(tmp_path: Path) -> None:
    """The library: a reconciliation made without an as-of date screens nothing; resubmit with
    the entries and its declaration date does, and declares only the eligible."""
    es003, ledger, claims = _failed_four(tmp_path)
    entries = list(read_es003(es003).entries)
    rec = reconcile(entries, ledger=ledger, claims=read_claims(claims))
    assert sum(e.resubmit == "ready" for e in rec.entries) == 4
    batch = resubmit(
        rec, tmp_path / "again", ledger=ledger, declared_on=date(2026, 11, 29), entries=entries
    )
    assert batch.declared == ("31600000033",)
    assert {s.value: s.code for s in batch.skipped} == {
        "31600000017": "EXCLUDED",
        "31600000025": "EXCLUDED",
        "31600000041": "EXCLUDED",
    }
    # An entry not among those given cannot be screened: not declared, and said.
    shy = resubmit(
        rec, tmp_path / "shy", ledger=ledger, declared_on=date(2026, 11, 29), entries=entries[:1]
    )
    assert shy.declared == ()
    assert "NOT_SCREENED" in {s.code for s in shy.skipped}


def test_resubmit_with_entries_needs_a_declaration_date(tmp_path: Path) -> None:
    es003, ledger, claims = _failed_four(tmp_path)
    entries = list(read_es003(es003).entries)
    rec = reconcile(entries, ledger=ledger, claims=read_claims(claims))
    with pytest.raises(Exception, match="declared_on"):
        resubmit(rec, tmp_path / "again", ledger=ledger, entries=entries)


# --- t67/07: a check-digit file is for review, not declared -------------------------------------


def _good(serial: int) -> str:
    first = f"316{serial:07d}"
    return first + en.calc_check_digit(first)


def _bad(serial: int) -> str:
    good = _good(serial)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def test_a_check_digit_file_is_not_ledgered_as_declared(tmp_path: Path) -> None:
    good, bad = _good(1), _bad(2)
    ledger = tmp_path / "led.csv"
    first = write_declarations([good, bad], tmp_path / "o", ledger=ledger)
    assert [f.holds for f in first.files] == ["entries", "check_digit_failures"]
    held = read_ledger(ledger)
    assert set(held) == {good}  # the review file's entry is not declared
    assert held.review == {bad: (first.files[1].name,)}
    # Run again: not written for review a second time, nor called declared.
    second = write_declarations([good, bad], tmp_path / "o2", ledger=ledger)
    assert second.declared == ()
    assert {s.value: s.code for s in second.skipped} == {
        good: "ALREADY_DECLARED",
        bad: "IN_REVIEW",
    }
    # Checked in ACE (its own number): --check-digits keep declares it, and the ledger says so.
    third = write_declarations([good, bad], tmp_path / "o3", ledger=ledger, check_digits="keep")
    assert third.declared == (bad,)
    assert set(read_ledger(ledger)) == {good, bad}


def test_an_old_ledger_row_naming_a_review_file_is_not_declared(tmp_path: Path) -> None:
    """Ledgers written before t67/07 hold the review file's entries: read, they are not
    declared, so a run after the entry is checked can declare it."""
    bad = _bad(2)
    ledger = tmp_path / "led.csv"
    ledger.write_text(
        f"entry_number,declaration_file,declared_on\n{bad},cape_d6de230900c4_check_digit_001.csv,"
        "2026-07-01\n",
        encoding="utf-8",
    )
    assert read_ledger(ledger) == {}
    batch = write_declarations([bad], tmp_path / "o", ledger=ledger, check_digits="keep")
    assert batch.declared == (bad,)


def test_cape_says_the_review_file_is_not_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    es003 = _es003(tmp_path / "es003.csv", _rows("31600000017"), _rows("31600000026"))
    ledger = tmp_path / "led.csv"
    base = ["cape", str(es003), "--ledger", str(ledger), "--new-ledger"]
    main([*base, "--out", str(tmp_path / "o"), "--declared-on", "2026-07-01"])
    out = capsys.readouterr().out
    assert "for review (in the ledger as for review, not declared;" in out
    assert set(read_ledger(ledger)) == {"31600000017"}
    main([*base, "--out", str(tmp_path / "o2"), "--declared-on", "2026-07-02"])
    out = capsys.readouterr().out
    assert "not declared, IN_REVIEW (" in out
    assert "31600000026" in out
    code = main([*base, "--out", str(tmp_path / "o3"), "--declared-on", "2026-07-03",
                 "--check-digits", "keep"])  # fmt: skip
    assert code == 1  # the good entry is skipped as declared
    assert set(read_ledger(ledger)) == {"31600000017", "31600000026"}


# --- t67/08: the declarations are in place before the ledger records them -----------------------

_KILLED = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import ieepa_refund.cape.declarations as d

    def kill(*args, **kwargs):
        os._exit(137)  # as SIGKILL or a power cut: no cleanup runs

    d._replace_ledger = kill
    d.write_declarations(sys.argv[2:], Path(sys.argv[1]), ledger=Path(sys.argv[1]) / "led.csv")
    """
)


def test_a_run_killed_before_the_ledger_leaves_files_a_rerun_records(tmp_path: Path) -> None:
    numbers = [_good(n) for n in range(1, 4)]
    out = tmp_path / "o"
    out.mkdir()
    ledger = out / "led.csv"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED, str(out), *numbers], capture_output=True, check=False
    )
    assert killed.returncode == 137
    assert not ledger.exists()  # killed before the ledger: no row names a missing file
    (written,) = out.glob("cape_*_001.csv")
    before = written.read_bytes()
    assert before.split()[2:] == [n.encode() for n in numbers]
    again = write_declarations(numbers, out, ledger=ledger)  # the rerun
    assert again.files[0].name == written.name
    assert written.read_bytes() == before  # the same file, the same bytes
    assert set(read_ledger(ledger)) == set(numbers)
    assert all(files == (written.name,) for files in read_ledger(ledger).values())


# --- t67/11: a mistyped --ledger is refused -----------------------------------------------------


def test_cape_refuses_a_ledger_that_does_not_exist_without_new_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    es003 = _es003(tmp_path / "es003.csv", _rows("31600000017"), _rows("31600000033"))
    real, typo = tmp_path / "declared.csv", tmp_path / "declard.csv"
    first = ["cape", str(es003), "--out", str(tmp_path / "o"), "--declared-on", "2026-07-01"]
    assert main([*first, "--ledger", str(real), "--new-ledger"]) == 0
    assert f"Ledger: {real}: started by this run (--new-ledger)" in capsys.readouterr().out
    second = ["cape", str(es003), "--out", str(tmp_path / "o2"), "--declared-on", "2026-07-02"]
    assert main([*second, "--ledger", str(typo)]) == 2
    err = capsys.readouterr().err
    assert f"{typo}: no such ledger file" in err
    assert "--new-ledger" in err
    assert not typo.exists()
    assert not (tmp_path / "o2").exists()  # nothing written
    assert main([*second, "--ledger", str(real)]) == 1  # both declared already
    assert f"Ledger: {real}: 2 entries declared before this run" in capsys.readouterr().out


def test_new_ledger_needs_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    es003 = _es003(tmp_path / "es003.csv", _rows("31600000017"))
    assert main(["cape", str(es003), "--out", str(tmp_path / "o"), "--new-ledger"]) == 2
    assert "--new-ledger needs --ledger" in capsys.readouterr().err


# --- t71/01: the ledger's count as the writer found it --------------------------------------------


def test_the_ledger_count_is_the_one_the_declarations_were_checked_against(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs on one ledger: the one that waits for the other's lock skips what the other
    declared. Its summary counted the ledger as read at its start (0 entries) beside 2 entries
    skipped ALREADY_DECLARED; it now says what the declarations were checked against."""
    import ieepa_refund.cli._cape as cape_command
    from ieepa_refund.cape.declarations import write_declarations

    es003 = _es003(tmp_path / "es003.csv", _rows("31600000017"), _rows("31600000033"))
    ledger = tmp_path / "declared.csv"
    ledger.write_text("entry_number,declaration_file\n", encoding="utf-8")
    real = cape_command.read_ledger

    def read_then_other_run_declares(path: Path, *args: object, **kwargs: object) -> object:
        found = real(path, *args, **kwargs)  # type: ignore[arg-type]
        # Another run takes the lock and declares both entries before this one writes.
        write_declarations(["31600000017", "31600000033"], tmp_path / "other", ledger=path)
        return found

    monkeypatch.setattr(cape_command, "read_ledger", read_then_other_run_declares)
    code = main(["cape", str(es003), "--out", str(tmp_path / "o"), "--declared-on", "2026-07-01",
                 "--ledger", str(ledger)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # both skipped
    assert "ALREADY_DECLARED" in captured.out + captured.err
    assert f"Ledger: {ledger}: 2 entries declared before this run" in captured.out


def test_a_batch_says_how_many_entries_its_ledger_held(tmp_path: Path) -> None:
    from ieepa_refund.cape.declarations import write_declarations

    ledger = tmp_path / "declared.csv"
    first = write_declarations(["31600000017"], tmp_path / "a", ledger=ledger)
    assert first.ledger_held == 0
    second = write_declarations(["31600000017", "31600000033"], tmp_path / "b", ledger=ledger)
    assert second.ledger_held == 1
    assert write_declarations(["31600000017"], tmp_path / "c").ledger_held is None
