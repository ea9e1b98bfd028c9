"""The files the command writes and its surface: safe outputs, the ledger, exit statuses, help."""

from __future__ import annotations

import argparse
import csv
import errno
import io
import json
import os
import stat
import sys
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from ieepa_refund import _files, read_es003, sample_es003
from ieepa_refund import entry_number as en
from ieepa_refund.cape import check_declaration, write_declarations
from ieepa_refund.cli import _engines, _output, _parser, main
from ieepa_refund.cli._parser import build_parser
from ieepa_refund.errors import InputFileError
from ieepa_refund.tables import records

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "src" / "ieepa_refund" / "examples" / "sample_es003.csv"
AS_OF = ["--as-of", "2026-11-28"]


def number(filer: str, serial: int) -> str:
    first = f"{filer}{serial:07d}"
    return first + en.calc_check_digit(first)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def cape_args(out: Path, ledger: Path, *files: Path) -> list[str]:
    return [
        "cape",
        *map(str, files or (SAMPLE,)),
        "--out",
        str(out),
        "--declared-on",
        "2026-07-01",
        "--ledger",
        str(ledger),
        "--new-ledger",
    ]


# --- outputs written whole, after all input ---------------------------------------------------


def test_failed_run_leaves_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, problems = tmp_path / "refunds.csv", tmp_path / "problems.csv"
    out.write_text("previous run\n")
    problems.write_text("previous problems\n")
    real = _engines.compute_figures
    calls = iter(range(100))

    def fail_on_third(*args: Any, **kw: Any) -> Any:
        if next(calls) == 2:
            raise RuntimeError("boom")
        return real(*args, **kw)

    monkeypatch.setattr(_engines, "compute_figures", fail_on_third)
    # The per-entry path, whose compute_figures fails (auto takes the bulk engine with polars).
    args = ["estimate", str(SAMPLE), *AS_OF, "--engine", "entry", "--out", str(out)]
    args += ["--problems", str(problems)]
    assert main(args) == 3
    assert out.read_text() == "previous run\n"
    assert problems.read_text() == "previous problems\n"
    assert leftovers(tmp_path) == []
    # An input that cannot be read changes nothing either.
    assert main(["estimate", str(SAMPLE), str(tmp_path / "gone.csv"), "--out", str(out)]) == 2
    assert out.read_text() == "previous run\n"
    capsys.readouterr()
    monkeypatch.undo()
    assert main(args) == 1
    assert out.read_text().startswith("entry_number,")
    assert leftovers(tmp_path) == []


def test_output_that_is_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "es003.csv"
    source.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "hard.csv")
    for out in (source, tmp_path / "sub" / ".." / "es003.csv", tmp_path / "hard.csv"):
        assert main(["estimate", str(source), *AS_OF, "--out", str(out)]) == 2
        assert "is also an input" in capsys.readouterr().err
        assert main(["estimate", str(source), *AS_OF, "--problems", str(out)]) == 2
        assert "is also an input" in capsys.readouterr().err
    ledger_is_input = cape_args(tmp_path / "cape", source, source)
    assert main(ledger_is_input) == 2
    assert "the ledger is also an input" in capsys.readouterr().err
    assert source.read_bytes() == SAMPLE.read_bytes()


def test_no_output_overwrites_any_input_of_any_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger, a deposits file or a CBP file named again as an output is refused, as an
    ES-003 file is, by path and through a hard link: the run would have replaced it whole."""
    examples = SAMPLE.parent
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes((examples / "sample_ledger.csv").read_bytes())
    deposits = tmp_path / "deposits.csv"
    deposits.write_text("entry_number,date,amount,kind\n")
    claims = tmp_path / "claims.csv"
    claims.write_bytes((examples / "sample_claims.csv").read_bytes())
    os.link(ledger, tmp_path / "hard_ledger.csv")
    kept = {p: p.read_bytes() for p in (ledger, deposits, claims)}
    estimate = ["estimate", str(SAMPLE), *AS_OF, "--ledger", str(ledger)]
    refused = [
        [*estimate, "--out", str(ledger)],
        [*estimate, "--out", str(tmp_path / "hard_ledger.csv")],
        [*estimate, "--engine", "bulk", "--no-roads", "--out", str(ledger)],
        [*estimate, "--problems", str(ledger)],
        [*estimate, "--duty-deposits", str(deposits), "--out", str(deposits)],
        [*estimate, "--duty-deposits", str(deposits), "--problems", str(deposits)],
        ["demo", *AS_OF, "--ledger", str(ledger), "--out", str(ledger)],
        ["reconcile", str(SAMPLE), *AS_OF, "--claims", str(claims), "--out", str(claims)],
        ["reconcile", str(SAMPLE), *AS_OF, "--ledger", str(ledger), "--problems", str(ledger)],
        [*cape_args(tmp_path / "cape", ledger), "--problems", str(ledger)],
        cape_args(tmp_path / "cape", ledger, SAMPLE, tmp_path / "hard_ledger.csv"),
    ]
    for args in refused:
        assert main(args) == 2, args
        assert "is also an input" in capsys.readouterr().err, args
    assert {p: p.read_bytes() for p in kept} == kept


def test_every_file_option_is_an_input_or_a_known_output() -> None:
    """An option that names a file is typed either as an input (so no output may take its
    name) or is one of the outputs below: a new input option cannot be left out of the check."""
    outputs = {"out", "problems", "resubmit"}
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        inputs = set(sub.get_default(_parser.INPUT_OPTIONS))
        for action in sub._actions:
            if action.type is _parser.input_file:
                assert action.dest in inputs, (name, action.dest)
            elif action.type is Path:
                assert action.dest in outputs, (name, action.dest)
        assert name == "demo" or "files" in inputs, name


def test_symlink_output_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "precious.csv"
    target.write_text("keep me\n")
    link = tmp_path / "refunds.csv"
    link.symlink_to(target)
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "keep me\n"
    assert link.is_symlink()
    ledger = tmp_path / "ledger.csv"
    ledger.symlink_to(target)
    assert main(cape_args(tmp_path / "cape", ledger)) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "keep me\n"


def test_library_replaces_a_symlinked_declaration_never_its_target(tmp_path: Path) -> None:
    numbers = [number("316", 1)]
    first = write_declarations(numbers, tmp_path)
    target = tmp_path / "elsewhere.csv"
    target.write_text("keep me\n")
    path = tmp_path / first.files[0].name
    path.unlink()
    path.symlink_to(target)
    write_declarations(numbers, tmp_path)
    assert not path.is_symlink()
    assert target.read_text() == "keep me\n"


def test_screening_report_named_per_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cape"
    lines = SAMPLE.read_text().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("Entry Summary Number"))
    half = tmp_path / "half.csv"
    half.write_text("".join(lines[: header + 1] + [x for x in lines if "31610000114" in x]))
    base = ["cape", "--out", str(out), "--declared-on", "2026-07-01"]
    main([*base[:1], str(SAMPLE), *base[1:]])
    main([*base[:1], str(half), *base[1:]])
    reports = sorted(out.glob("screening_2026-07-01_*.csv"))
    assert len(reports) == 2
    main([*base[:1], str(half), *base[1:]])  # the same batch again: the same name, not a third
    assert len(list(out.glob("screening_*.csv"))) == 2
    printed = {
        line.removeprefix("Screening report: ")
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Screening report: ")
    }
    assert printed == {str(r) for r in reports}


# --- the ledger ---------------------------------------------------------------------------------


def test_two_cape_runs_never_declare_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.csv"
    runs = 6
    start = threading.Barrier(runs)
    statuses: list[int] = []

    def run(i: int) -> None:
        start.wait()
        statuses.append(main(cape_args(tmp_path / f"out{i}", ledger)))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [1] * runs
    declared = [
        line for f in tmp_path.glob("out*/cape_*_0*.csv") for line in f.read_text().splitlines()[1:]
    ]
    assert declared
    assert len(declared) == len(set(declared))
    with ledger.open(newline="") as f:
        in_ledger = [row[0] for row in csv.reader(f)][1:]
    assert sorted(in_ledger) == sorted(declared)


def test_ledger_written_with_the_declarations_as_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "ledger.csv"
    write_declarations([number("316", 1)], tmp_path / "a", ledger=ledger)
    before = ledger.read_bytes()
    real = os.replace

    def fail_on_the_second_declaration(src: Any, dst: Any) -> None:
        if str(dst).endswith("_002.csv"):
            raise OSError(errno.EIO, "I/O error", str(dst))
        real(src, dst)

    # The declarations are renamed into place by ieepa_refund._files.publish.
    monkeypatch.setattr(_files.os, "replace", fail_on_the_second_declaration)
    out = tmp_path / "b"
    with pytest.raises(OSError, match="I/O error"):
        write_declarations(
            [number("316", n) for n in range(2, 6)], out, ledger=ledger, max_entries=2
        )
    assert ledger.read_bytes() == before  # the ledger rows are taken back
    assert sorted(p.name for p in out.iterdir()) == []  # and the files renamed so far


def test_ledger_tolerates_a_missing_final_newline_and_normalises_numbers(tmp_path: Path) -> None:
    zero_filer = number("001", 1234)
    dashed = en.format(number("316", 7)).lower()
    ledger = tmp_path / "ledger.csv"
    # As a spreadsheet saves it: no final newline, dashes, lower case, leading zeros dropped.
    ledger.write_text(f"entry_number,declaration_file\n{dashed},x.csv\n{int(zero_filer)},x.csv")
    batch = write_declarations(
        [zero_filer, number("316", 7), number("316", 8)], tmp_path / "out", ledger=ledger
    )
    assert batch.declared == (number("316", 8),)
    assert {s.code for s in batch.skipped} == {"ALREADY_DECLARED"}
    rows = ledger.read_text().splitlines()
    assert rows[-2:] == [
        str(int(zero_filer)) + ",x.csv",
        f"{number('316', 8)},{batch.files[0].name}",
    ]


@pytest.mark.parametrize(
    "text", ["entry_number\nnot a number\n", "31610000114\n6.05761E+10\n", "\x00\xff bytes"]
)
def test_unparseable_ledger_is_an_error(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputFileError, match="ledger"):
        write_declarations([number("316", 1)], tmp_path / "lib", ledger=ledger)
    out = tmp_path / "cape"
    assert main(cape_args(out, ledger)) == 2
    assert "ledger" in capsys.readouterr().err
    assert not list(out.glob("cape_*"))  # nothing declared on a ledger that could not be read
    assert ledger.read_bytes() == text.encode("latin-1")


# --- --out formats and plain messages ---------------------------------------------------------


def test_out_format_chosen_by_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_json, as_csv = tmp_path / "r.json", tmp_path / "r.csv"
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(as_json)]) == 1
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(as_csv)]) == 1
    rows = json.loads(as_json.read_text())
    with as_csv.open(newline="") as f:
        assert [r["principal"] for r in csv.DictReader(f)] == [r["principal"] for r in rows]
    openpyxl = pytest.importorskip("openpyxl")
    as_xlsx = tmp_path / "r.xlsx"
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(as_xlsx)]) == 1
    book = openpyxl.load_workbook(as_xlsx, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        got = list(book["refunds"].iter_rows(values_only=True))
    finally:
        book.close()
    assert got[0][0] == "entry_number"
    assert len(got) == len(rows) + 1
    capsys.readouterr()
    for bad in ("r.txt", "r"):
        assert main(["estimate", str(SAMPLE), "--out", str(tmp_path / bad)]) == 2
        assert "name the file .csv, .json or .xlsx" in capsys.readouterr().err
    assert main(["estimate", str(SAMPLE), "--json", "--out", str(as_csv)]) == 2
    assert "--json" in capsys.readouterr().err


def test_demo_writes_out_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.json"
    assert main(["demo", *AS_OF, "--out", str(out)]) == 0
    assert (
        len(json.loads(out.read_text())) == 15
    )  # the entry with a wrong check digit is kept, flagged


def test_xlsx_without_openpyxl_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "pip install 'ieepa-refund[xlsx]'" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def test_plain_messages_for_folder_existing_file_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", str(SAMPLE), "--out", str(tmp_path)]) == 2
    assert f"{tmp_path}: a folder, not a file" in capsys.readouterr().err
    a_file = tmp_path / "taken.csv"
    a_file.write_text("x\n")
    assert main(["cape", str(SAMPLE), "--out", str(a_file), "--declared-on", "2026-07-01"]) == 2
    assert "a file, not a folder" in capsys.readouterr().err
    missing = tmp_path / "missing.csv"
    assert main(["check", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: no such file" in err
    assert "Traceback" not in err
    assert main(["check", str(tmp_path)]) == 2
    assert "a folder" in capsys.readouterr().err


def test_full_disk_names_the_path_and_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refunds.csv"
    out.write_text("previous run\n")

    class Full(io.RawIOBase):
        """A disk that takes nothing, as the file system says when it is full."""

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    real = os.fdopen

    def full_disk(fd: int, *args: Any, **kw: Any) -> Any:
        os.close(fd)
        return io.BufferedWriter(Full(), buffer_size=64)

    monkeypatch.setattr(_output.os, "fdopen", full_disk)
    assert real is not full_disk
    assert main(["estimate", str(SAMPLE), *AS_OF, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: the disk is full" in err
    assert out.read_text() == "previous run\n"
    assert leftovers(tmp_path) == []


def test_broken_pipe_exits_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Closed(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["estimate", str(SAMPLE), *AS_OF, "--json"]) == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "Broken pipe" not in err
    assert "ieepa-refund:" not in err


# --- exit statuses -------------------------------------------------------------------------------


def test_internal_error_exit_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bug(*args: Any, **kw: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(_engines, "compute_figures", bug)
    entry = ("--engine", "entry")  # the per-entry path, whose compute_figures has the bug
    assert main(["estimate", str(SAMPLE), *AS_OF, *entry]) == 3
    err = capsys.readouterr().err
    (message,) = [line for line in err.splitlines() if line.startswith("ieepa-refund:")]
    assert "internal error: ZeroDivisionError: a bug" in message
    assert "--debug" in message
    assert "Traceback" not in err
    for debug in (["--debug", "estimate"], ["estimate", "--debug"]):
        assert main([*debug, str(SAMPLE), *AS_OF, *entry]) == 3
        assert "Traceback (most recent call last)" in capsys.readouterr().err


# --- check streams ----------------------------------------------------------------------------


def test_check_stops_early_on_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.write(
            b"Entry Number\r\n" + b"".join(f"{number('316', n)}\r\n".encode() for n in range(99))
        )
        f.truncate(650 * 2**20)  # 650 MB, sparse: one long run of NUL bytes and no newline
    tracemalloc.start()
    try:
        result = check_declaration(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20
    assert not result.complete
    assert not result.file_ok
    assert "TOO_LARGE" in {p.code for p in result.problems}
    assert main(["check", str(huge)]) == 1
    assert "checked before stopping" in capsys.readouterr().out
    many = tmp_path / "many.csv"
    many.write_bytes(
        b"Entry Number\r\n" + b"".join(f"{number('316', n)}\r\n".encode() for n in range(12_000))
    )
    result = check_declaration(many)
    assert {p.code for p in result.problems} == {"TOO_MANY"}
    assert result.entries == 10_000
    assert not result.complete


def test_declaration_with_no_entries_is_a_file_fault(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"Entry Number\r\n")
    result = check_declaration(path)
    assert [p.code for p in result.problems] == ["NO_ENTRIES"]
    assert not result.file_ok


# --- one entry-number form ---------------------------------------------------------------------


def test_one_entry_number_form_across_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ieepa_refund import compute_refund

    as_csv, as_json = tmp_path / "r.csv", tmp_path / "r.json"
    main(["estimate", str(SAMPLE), *AS_OF, "--out", str(as_csv)])
    main(["estimate", str(SAMPLE), *AS_OF, "--out", str(as_json)])
    with as_csv.open(newline="") as f:
        from_csv = {r["entry_number"] for r in csv.DictReader(f)}
    rows = json.loads(as_json.read_text())
    from_json = {r["entry_number"] for r in rows}
    from_detail = {r["detail"]["entry_number"] for r in rows}
    imported = read_es003(SAMPLE)
    from_records = {r["entry_number"] for e in imported.entries for r in records(compute_refund(e))}
    out = tmp_path / "cape"
    main(["cape", str(SAMPLE), "--out", str(out), "--declared-on", "2026-07-01"])
    (report,) = out.glob("screening_*.csv")
    with report.open(newline="") as f:
        from_screening = {r["entry_number"] for r in csv.DictReader(f)}
    declared = {x for f in out.glob("cape_*_0*.csv") for x in f.read_text().split()[2:]}
    assert from_csv == from_json == from_detail == from_records == from_screening
    assert declared <= from_csv
    assert all(len(n) == 11 and "-" not in n for n in from_csv)


# --- help, dates and the column report ------------------------------------------------------------


def test_every_option_has_help() -> None:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in [("", parser), *subs.choices.items()]:
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("command", [[], ["estimate"], ["cape"], ["check"], ["demo"]])
def test_help_shows_an_example_and_the_exit_statuses(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out
    assert "ieepa-refund " in out.split("example", 1)[1]
    assert "exit status:" in out
    assert "3  internal error" in out


def test_date_options_take_the_input_file_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--as-of", "2026-11-28"]) == 0
    iso = capsys.readouterr().out
    assert main(["demo", "--as-of", "11/28/2026"]) == 0
    assert capsys.readouterr().out == iso


@pytest.mark.parametrize("value", ["9999-12-31", "2026-02-30", "13/01/2026", "26-11-28", "today"])
def test_impossible_dates_are_usage_errors(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(SAMPLE), "--as-of", value])
    assert info.value.code == 2
    assert "--as-of" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["cape", str(SAMPLE), "--out", "x", "--declared-on", value])
    assert info.value.code == 2


def test_column_report_on_stderr_and_in_the_problems_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "broker.csv"
    source.write_text(
        "Entry Number,Line,Entry Type,Importer Number,Entry Date,COO,HTS,Duty,Notes\n"
        f"{number('316', 1)},1,01,12-3456789AB,06/02/2025,CN,9903.01.24,10.00,hello\n"
    )
    problems = tmp_path / "problems.csv"
    assert main(["estimate", str(source), *AS_OF, "--problems", str(problems)]) == 0
    err = capsys.readouterr().err
    assert "Columns of broker.csv:" in err
    assert "recognised  'Duty' as duty" in err
    assert "ignored     'Notes'" in err
    with problems.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["code"], r["column"], r["value"]) for r in rows} >= {
        ("COLUMN_RECOGNISED", "Duty", "duty"),
        ("COLUMN_IGNORED", "Notes", ""),
    }
    assert all(r["rows"] == "0" for r in rows)


def test_the_delimiter_can_be_named_and_warnings_are_printed_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--delimiter reads a semicolon file; file-level warnings reach stderr and --problems."""
    source = tmp_path / "semi.csv"
    source.write_text(
        "Entry Summary Number;Entry Summary Line Number;Entry Type Code;Importer Number;"
        "Entry Date;Country of Origin Code;HTS Number - Full;Line Tariff Duty Amount;Duty\n"
        "316-1000011-4;1;01;12-3456789AB;06/02/2025;CN;9903.01.24;2000.00;2000.00\n",
        encoding="utf-8",
    )
    problems = tmp_path / "problems.csv"
    args = ["estimate", str(source), "--delimiter", ";", "--as-of", "2026-11-28"]
    assert main([*args, "--problems", str(problems)]) == 0
    err = capsys.readouterr().err
    assert "ambiguous   'Duty' (passed over for duty)" in err
    assert "warning     MISSING_COLUMN: no deposit_date column" in err
    with problems.open(newline="") as f:
        codes = {r["code"] for r in csv.DictReader(f)}
    assert {"COLUMN_AMBIGUOUS", "AMBIGUOUS_COLUMN", "MISSING_COLUMN"} <= codes


def test_outputs_get_the_mode_a_new_file_gets_or_keep_the_one_they_replace(
    tmp_path: Path,
) -> None:
    """A temporary file is private (0600); the output renamed from it must not stay so."""
    sample = str(sample_es003())
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    new = tmp_path / "new.csv"
    for out in (kept, new):
        main(["estimate", sample, "--as-of", "2026-11-28", "--out", str(out)])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask


def test_a_header_only_input_says_so_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "header.csv"
    source.write_text(
        "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
        "Entry Date,Country of Origin Code,HTS Number - Full,Line Tariff Duty Amount\n",
        encoding="utf-8",
    )
    assert main(["estimate", str(source), "--as-of", "2026-11-28"]) == 1
    assert "no data rows" in capsys.readouterr().err


def test_a_bad_ledger_stops_cape_before_any_output(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("entry_number,declaration_file\nnot-a-number,x.csv\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["cape", str(sample_es003()), "--out", str(out), "--declared-on", "2026-07-01"]
    assert main([*args, "--ledger", str(ledger)]) == 2
    assert not out.exists() or not any(out.iterdir())


def test_a_plaintiff_that_is_not_an_importer_number_is_a_usage_error(tmp_path: Path) -> None:
    args = ["cape", str(sample_es003()), "--out", str(tmp_path), "--declared-on", "2026-10-07"]
    with pytest.raises(SystemExit) as info:
        main([*args, "--plaintiff", "garbage!"])
    assert info.value.code == 2


def test_a_duty_deposits_file_gives_segmented_interest_and_reports_what_it_cannot_attach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--duty-deposits: an entry's deposit and supplemental deposit accrue interest per segment
    (19 CFR 24.36(a)(1)); a history for an entry not in the ES-003 is a problem, never dropped."""
    deposits = tmp_path / "deposits.csv"
    deposits.write_text(
        "Entry Number,Kind,Date,Amount\n"
        '316-1000011-4,deposit,06/12/2025,"4,500.00"\n'
        '316-1000011-4,supplemental,09/02/2025,"1,000.00"\n'
        "999-0000000-1,deposit,06/12/2025,10.00\n",
        encoding="utf-8",
    )
    out, problems = tmp_path / "r.csv", tmp_path / "p.csv"
    args = ["estimate", str(sample_es003()), "--as-of", "2026-11-28", "--out", str(out)]
    assert main([*args, "--duty-deposits", str(deposits), "--problems", str(problems)]) == 1
    with out.open(newline="") as f:
        (row,) = [r for r in csv.DictReader(f) if r["entry_number"] == "31610000114"]
    # $4,500 from 2025-06-12 and $1,000 from 2025-09-02, liquidated 2026-04-24: 31.70 + 137.05
    # (tests/test_deposits.py has the working), against 185.32 for one deposit of it all.
    assert (row["principal"], row["interest"]) == ("3000.00", "168.75")
    assert "DEPOSITS_WITHOUT_ENTRY" in capsys.readouterr().err
    with problems.open(newline="") as f:
        assert "DEPOSITS_WITHOUT_ENTRY" in {r["code"] for r in csv.DictReader(f)}


def test_a_duty_deposit_row_shifted_by_a_blank_cell_is_a_problem_never_a_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--duty-deposits with "1,000.00" unquoted on a row whose last cell (a note) is blank:
    one blank cell too many, read by position a supplemental deposit of $1. The row is a
    CELL_COUNT problem, and the entry's history, with a hole in it, is not used
    (DEPOSITS_INCOMPLETE): the entry is computed as with no deposits file, never from the $1."""
    head, good = (
        "Entry Number,Kind,Date,Amount,Note\n",
        "316-1000011-4,deposit,06/12/2025,4500.00,\n",
    )
    shifted, alone = tmp_path / "shifted.csv", tmp_path / "alone.csv"
    shifted.write_text(
        head + good + "316-1000011-4,supplemental,09/02/2025,1,000.00,\n", encoding="utf-8"
    )
    alone.write_text(head + good, encoding="utf-8")
    rows = {}
    for deposits in (shifted, alone, None):
        name = deposits.name if deposits else "none.csv"
        out, problems = tmp_path / f"r_{name}", tmp_path / f"p_{name}"
        args = ["estimate", str(sample_es003()), *AS_OF, "--out", str(out), "--engine", "entry"]
        more = ["--duty-deposits", str(deposits)] if deposits else []
        main([*args, *more, "--problems", str(problems)])
        with out.open(newline="") as f:
            (rows[deposits],) = [r for r in csv.DictReader(f) if r["entry_number"] == "31610000114"]
        with problems.open(newline="") as f:
            rows[problems] = [r for r in csv.DictReader(f) if r["file"] == name]
    capsys.readouterr()
    assert [(p["code"], p["row"], p["entry_number"]) for p in rows[tmp_path / "p_shifted.csv"]] == [
        ("CELL_COUNT", "3", "31610000114"),
        ("DEPOSITS_INCOMPLETE", "2", "31610000114"),
    ]
    # The good row alone is 4,500 of the 5,500 the entry paid: said so, never a figure (t65).
    assert [p["code"] for p in rows[tmp_path / "p_alone.csv"]] == ["DEPOSITS_NOT_DUTY_PAID"]
    figures = ("principal", "interest", "deposit_basis", "total")
    assert [rows[shifted][k] for k in figures] == [rows[None][k] for k in figures]
