"""A file cut short (a download or copy interrupted) must not read its last amount short.

The CSV module reads a file that ends inside a quoted cell as if the quote were closed:
``...,"$1,234`` gave a refund of 1,234.00 for 1,234.56, and a file whose last column is an
amount cut to ``...,12`` one of 12.00, both with no word (t61/03). The reader now reads the
last record again in its raw text: a quote left open at the end rejects the row (CUT_SHORT),
and no line break right after an amount (or a rate) is a warning naming the row.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ieepa_refund import read_es003
from ieepa_refund.cli import main
from ieepa_refund.es003 import Es003Import

from .strategies import cut_files

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,"
    "Entry Date,Entry Summary Date,Liquidation Status,Country of Origin Code,"
    "Tariff Ordinal Number,HTS Number - Full,Line Tariff Duty Amount"
)
ROWS = [
    "31690000018,1,01,12-3456789AB,06/02/2025,06/12/2025,UNLIQUIDATED,CN,1,99030125,{duty}",
    "31690000026,1,01,12-3456789AB,06/02/2025,06/12/2025,UNLIQUIDATED,CN,1,99030125,{duty}",
    "31690000034,1,01,12-3456789AB,06/02/2025,06/12/2025,UNLIQUIDATED,CN,1,99030125,{duty}",
]


def _file(duty: str, *, end: str = "\n", cut: int = 0) -> str:
    text = "\n".join([HEADER, *(row.format(duty=duty) for row in ROWS)]) + end
    return text[: len(text) - cut] if cut else text


def _duties(got: Es003Import) -> dict[str, Decimal | None]:
    return {e.entry_number: e.lines[0].tariffs[0].duty for e in got.entries}


def _warnings(got: Es003Import) -> list[str]:
    return [w.code for f in got.files for w in f.warnings]


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_a_file_ending_inside_a_quoted_amount_rejects_its_last_row(
    end: str, tmp_path: Path
) -> None:
    path = tmp_path / "cut.csv"
    # '"$1,234' and then the file ends (with or without a line break the quote swallowed).
    path.write_text(_file('"$1,234.56"')[: -len('.56"\n')] + end, newline="")
    got = read_es003(path)
    cut = [p for p in got.problems if p.code == "CUT_SHORT"]
    assert [(p.row, p.entry_number) for p in cut] == [(4, "31690000034")]
    assert "cut short" in cut[0].message
    assert (got.rows_read, got.rows_used, got.rows_rejected) == (3, 2, 1)
    assert got.entries_rejected_numbers == ("31690000034",)
    assert _duties(got) == {
        "31690000018": Decimal("1234.56"),
        "31690000026": Decimal("1234.56"),
    }


def test_a_cut_row_of_an_entry_with_other_rows_leaves_it_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    text = _file('"$1,234.56"') + ROWS[0].replace(",1,01,", ",2,01,").format(duty='"$1,2')
    path.write_text(text, newline="")
    got = read_es003(path)
    assert sorted(p.code for p in got.problems) == ["CUT_SHORT", "INCOMPLETE_ENTRY"]
    entry = next(e for e in got.entries if e.entry_number == "31690000018")
    assert entry.incomplete
    assert len(entry.lines) == 1
    assert got.rows_read == got.rows_used + got.rows_rejected == 4


def test_a_whole_quoted_amount_at_the_end_is_read(tmp_path: Path) -> None:
    path = tmp_path / "whole.csv"
    path.write_text(_file('"$1,234.56"', end=""), newline="")
    got = read_es003(path)
    assert not got.problems
    assert set(_duties(got).values()) == {Decimal("1234.56")}


def test_no_line_break_after_an_amount_is_a_warning_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(_file("1234.56", cut=6), newline="")  # '...,12', the file ends
    got = read_es003(path)
    warned = [w for f in got.files for w in f.warnings if w.code == "NO_LINE_END"]
    assert [(w.row, w.column, w.value, w.entry_number) for w in warned] == [
        (4, "Line Tariff Duty Amount", "12", "31690000034")
    ]
    assert "cut short" in warned[0].message
    assert not got.problems  # only a warning: most files with no last line break are whole


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        (_file("1234.56"), False),  # a line break at the end
        (_file("1234.56", end="\r\n"), False),
        (_file("1234.56", end=""), True),  # none: the amount may be cut
        # Any column read: a cut unit, importer number or status reads as another value.
        (HEADER + ",Line Tariff UOM (1) Code\n" + ROWS[0].format(duty="1.00") + ",KG", True),
        # A column the reader ignores cannot change a figure.
        (HEADER + ",Notes\n" + ROWS[0].format(duty="1.00") + ",checked", False),
    ],
)
def test_the_warning_only_where_a_cut_would_read_as_another_value(
    text: str, warned: bool, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text, newline="")
    assert ("NO_LINE_END" in _warnings(read_es003(path))) is warned


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_the_end_is_read_in_every_encoding(encoding: str, tmp_path: Path) -> None:
    """UTF-8 and cp1252 tails are read from the file's end; UTF-16 is read through."""
    path = tmp_path / "cut.csv"
    path.write_bytes(_file('"$1,234.56"')[: -len('.56"\n')].encode(encoding))
    assert [p.code for p in read_es003(path).problems] == ["CUT_SHORT"]
    path.write_bytes(_file("1234.56", end="").encode(encoding))
    assert "NO_LINE_END" in _warnings(read_es003(path))


def _amounts(got: Es003Import) -> dict[str, list[tuple[object, ...]]]:
    return {
        e.entry_number: sorted(
            (line.number, t.hts, str(t.value), str(t.duty))
            for line in e.lines
            for t in line.tariffs
        )
        for e in got.entries
        if not e.incomplete
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=cut_files())
def test_a_cut_anywhere_in_the_last_row_never_reads_an_amount_short(
    case: tuple[str, int], tmp_path: Path
) -> None:
    """Cut a file anywhere in its last row: the row is rejected, or the file warned about,
    or every complete entry's amounts are the whole file's."""
    text, cut = case
    whole, short = tmp_path / "whole.csv", tmp_path / "short.csv"
    whole.write_text(text, newline="")
    short.write_text(text[:cut], newline="")
    full, got = read_es003(whole), read_es003(short)
    assert not full.problems
    last_row = text.count("\n") + (0 if text.endswith("\n") else 1)
    if any(p.row == last_row for p in got.problems) or "NO_LINE_END" in _warnings(got):
        return
    cut_amounts, full_amounts = _amounts(got), _amounts(full)
    assert cut_amounts == {n: a for n, a in full_amounts.items() if n in cut_amounts}, text[cut:]


def test_a_cut_importer_number_is_warned_about(tmp_path: Path) -> None:
    """'12-3456789' for '12-3456789AB' is another payee, paid apart (t63/02)."""
    header = HEADER.replace(",Importer Number", "") + ",Importer Number"
    rows = [
        ",".join(
            [
                *r.format(duty="1000.00").split(",")[:3],
                *r.format(duty="1000.00").split(",")[4:],
                "12-3456789AB",
            ]
        )
        for r in ROWS
    ]
    path = tmp_path / "cut.csv"
    path.write_text("\n".join([header, *rows])[:-2], newline="")
    warned = [w for f in read_es003(path).files for w in f.warnings if w.code == "NO_LINE_END"]
    assert [(w.column, w.value) for w in warned] == [("Importer Number", "12-3456789")]


def test_a_deposits_file_cut_after_its_last_amount_is_warned_about(tmp_path: Path) -> None:
    """A refund of 200.00 read as 20 moved the interest, with no word (t63/01)."""
    from ieepa_refund.es003 import read_deposits

    path = tmp_path / "deposits.csv"
    path.write_text(
        "Entry Number,Date,Amount\n31690000018,06/12/2025,1000.00\n31690000018,07/01/2025,-20",
        newline="",
    )
    got = read_deposits(path)
    assert "NO_LINE_END" in {p.code for p in got.problems}


@pytest.mark.parametrize("engine", ["entry", "bulk"])
@pytest.mark.parametrize(
    "text",
    [
        _file('"$1,234.56"')[: -len('.56"\n')],
        _file("1234.56", cut=6),
        _file('"1234.56"')[: -len('.56"\n')],  # no comma inside: the widths cannot see it
    ],
    ids=["quoted", "plain", "quoted-no-comma"],
)
def test_the_command_says_so_on_both_engines(
    engine: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if engine == "bulk":
        pytest.importorskip("polars")
    path = tmp_path / "cut.csv"
    path.write_text(text, newline="")
    outs = {}
    for which in ("entry", engine):
        out, problems = tmp_path / f"{which}.csv", tmp_path / f"{which}_problems.csv"
        argv = ["estimate", str(path), "--as-of", "2026-11-28", "--engine", which]
        main([*argv, "--out", str(out), "--problems", str(problems)])
        outs[which] = (out.read_bytes(), problems.read_bytes())
    capsys.readouterr()
    assert outs[engine] == outs["entry"]
    said = outs["entry"][1].decode()
    assert "CUT_SHORT" in said or "NO_LINE_END" in said


@pytest.mark.parametrize(
    ("encoding", "drop"),
    [("utf-8", 1), ("utf-16", 1)],
    ids=["utf-8 inside a two-byte character", "utf-16 at an odd byte"],
)
def test_a_file_cut_inside_a_character_is_refused_as_cut_short(
    encoding: str, drop: int, tmp_path: Path
) -> None:
    """UTF-8 cut inside 'É' was read as cp1252 without a word, every name re-decoded; UTF-16
    cut at an odd byte gave the codec's 'position 0' (t63/10). Both say the file was cut."""
    from ieepa_refund.errors import InputFileError

    path = tmp_path / "cut.csv"
    text = _file("1234.56").replace(HEADER, HEADER + ",Importer Name", 1)
    rows = text.rstrip("\n").split("\n")
    text = "\n".join([rows[0], *(row + ",SOCIÉTÉ" for row in rows[1:])])
    path.write_bytes(text.encode(encoding)[:-drop])
    with pytest.raises(InputFileError, match="ends in the middle of a character: it was cut short"):
        read_es003(path)
