"""The CLI as a new user meets it (t68): a header-only input, a run with nothing new to declare,
a future --declared-on, reconcile with nothing to reconcile against, files that are no ES-003
(an old .xls, an empty file) and --new-ledger over an existing ledger."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from ieepa_refund import sample_es003
from ieepa_refund.cape import write_declarations
from ieepa_refund.cli import main

DATA = Path(__file__).parent / "data"
NO_POLARS = importlib.util.find_spec("polars") is None
ENGINES = ["entry", pytest.param("bulk", marks=pytest.mark.skipif(NO_POLARS, reason="no polars"))]
SAMPLE = DATA / "es003_t67_past_declared_on.csv"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- t68/03: a header and no data rows ------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_cape_on_a_header_only_file_says_so_and_writes_nothing(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    source = tmp_path / "header_only.csv"
    source.write_text(header + "\n", encoding="utf-8")
    out, ledger = tmp_path / "out", tmp_path / "ledger.csv"
    code, _, err = _run(
        capsys, "cape", str(source), "--out", str(out), "--declared-on", "2026-12-01",
        "--ledger", str(ledger), "--new-ledger", "--engine", engine,
    )  # fmt: skip
    assert code == 1
    assert "the input has a header but no data rows: nothing to screen or declare" in err
    assert not out.exists() or not list(out.iterdir())
    assert not ledger.exists()


# --- t68/11: nothing new to declare; the review file counted apart ---------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_with_nothing_to_declare_writes_no_manifest(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.csv"
    common = ["--declared-on", "2026-07-01", "--ledger", str(ledger), "--engine", engine]
    _, out, _ = _run(
        capsys, "cape", str(sample_es003()), "--out", str(tmp_path / "a"), "--new-ledger", *common
    )
    # The sample holds one entry whose check digit fails: written for review, not declared.
    assert "9 entries in 4 files (1 of them in a file for review, not declared)" in out
    manifest = json.loads(next((tmp_path / "a").glob("cape_*_manifest.json")).read_text())
    assert (manifest["declared"], manifest["for_review"]) == (9, 1)
    _, out, _ = _run(capsys, "cape", str(sample_es003()), "--out", str(tmp_path / "b"), *common)
    assert "Declarations: none written: no entry to declare or review" in out
    assert "Manifest:" not in out
    assert [p.name for p in (tmp_path / "b").iterdir()] == [
        next((tmp_path / "a").glob("screening_*.csv")).name
    ]


def test_the_writer_writes_nothing_for_no_entry(tmp_path: Path) -> None:
    batch = write_declarations([], tmp_path / "out")
    assert (batch.manifest, batch.files, batch.for_review) == (None, (), 0)
    assert list((tmp_path / "out").iterdir()) == []


# --- t68/01: a future --declared-on -----------------------------------------------------------


@pytest.mark.parametrize("ledger", [False, True])
def test_a_future_declaration_date_is_warned(
    ledger: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cape_today: date,
) -> None:
    flags = ["--ledger", str(tmp_path / "ledger.csv"), "--new-ledger"] if ledger else []
    _, _, err = _run(
        capsys, "cape", str(SAMPLE), "--out", str(tmp_path / "out"),
        "--declared-on", "2027-03-01", *flags,
    )  # fmt: skip
    assert "warning: --declared-on 2027-03-01 is 92 days after today (2026-11-29)" in err
    assert ("estimate --ledger with an earlier --as-of" in err) is ledger


# --- t68/04: reconcile with nothing to reconcile against ----------------------------------------


def test_reconcile_without_a_ledger_or_cbp_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "reconcile", str(sample_es003()), "--as-of", "2026-11-28")
    assert code == 2
    assert out == ""
    assert "give --ledger" in err
    assert "--claims, --refunds, --trade-refunds, --deposits" in err


# --- t68/05, 06, 12: files that are no ES-003 named for what they are ----------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_an_old_excel_workbook_is_named(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "es003.xls"
    workbook.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    code, _, err = _run(capsys, "estimate", str(workbook), "--engine", engine)
    assert code == 2
    assert "an Excel 97-2003 .xls workbook is not read: save it as .xlsx or CSV" in err


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_file_is_named_empty(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "es003.csv"
    empty.write_bytes(b"")
    code, _, err = _run(capsys, "estimate", str(empty), "--engine", engine)
    assert code == 2
    assert "es003.csv: the file is empty" in err


def test_no_header_found_says_how_to_name_the_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spanish = tmp_path / "es003.csv"
    spanish.write_text("Número de Resumen de Entrada,Número HTS\n31600000017,9903.01.25\n")
    code, _, err = _run(capsys, "estimate", str(spanish))
    assert code == 2
    assert "no ES-003 header found" in err
    assert "--map FIELD=HEADER" in err


# --- t68/10: --new-ledger over a ledger that exists ----------------------------------------------


def test_new_ledger_over_an_existing_ledger_says_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.csv"
    common = ["--declared-on", "2026-07-01", "--ledger", str(ledger), "--new-ledger"]
    _, _, err = _run(capsys, "cape", str(sample_es003()), "--out", str(tmp_path / "a"), *common)
    assert "--new-ledger:" not in err  # started: nothing to say
    _, out, err = _run(capsys, "cape", str(sample_es003()), "--out", str(tmp_path / "b"), *common)
    assert f"note: --new-ledger: {ledger} exists and is read (8 entries declared" in err
    assert "the flag starts a ledger only where none is" in err
    assert "Declarations: none written" in out
