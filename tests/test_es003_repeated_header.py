"""Two ES-003 exports joined with ``cat`` (t62/06): the second export's title row and header
were read as rows, and reported as two entries "rejected whole" named ENTRYSUMMARYNUMBER and
ES003ENTRY..., their money "unknown". A repeat of the header is not data: it is dropped with
one REPEATED_HEADER warning naming its row, with the title rows just above it; a repeat with
other columns refuses the file, naming its row. Both engines alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given

from ieepa_refund.errors import InputFileError
from ieepa_refund.es003 import read_es003
from ieepa_refund.es003._header import open_source
from ieepa_refund.es003._rows import _repeats

from .strategies import REPEAT_HEADER, repeat_records

TITLE = "ES-003 Entry Summary Line Tariff Details"
HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Entry Type Code,Importer Number,Entry Date,"
    "Country of Origin Code,HTS Number - Full,Line Tariff Duty Amount"
)


def _row(number: str) -> str:
    return f"{number},1,01,12-3456789AB,06/02/2025,CN,99030125,1000.00"


def _joined(tmp: Path, second_header: str = HEADER, title: str = TITLE) -> Path:
    path = tmp / "joined.csv"
    lines = [TITLE, HEADER, _row("31600094010"), title, second_header, _row("31600094028")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_repeated_header_and_its_title_are_not_rows(tmp_path: Path) -> None:
    got = read_es003(_joined(tmp_path))
    assert sorted(e.entry_number for e in got.entries) == ["31600094010", "31600094028"]
    assert got.problems == ()
    assert (got.rows_read, got.rows_used, got.rows_rejected, got.entries_rejected) == (2, 2, 0, 0)
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    assert (warning.row, warning.rows) == (5, 0)
    assert "repeats at row 5 (with the title row 4 above it): files joined?" in warning.message


@pytest.mark.parametrize(
    "titles",
    [["ES-003"], ["ES003"], ["Report: ES-003", "Filter: all, ports"], ["ES-003", ""]],
)
def test_title_rows_with_commas_or_one_token_above_a_repeat_are_not_rows(
    titles: list[str], tmp_path: Path
) -> None:
    """A title the header search skips at the top of a file (an unquoted comma makes it two
    cells; ``ES-003`` is one token with a digit) was read as a phantom entry "rejected
    whole" above a repeated header (t63/07): it has no entry number, so it is a title."""
    path = tmp_path / "joined.csv"
    lines = [*titles, HEADER, _row("31600094010"), *titles, HEADER, _row("31600094028")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read_es003(path)
    assert sorted(e.entry_number for e in got.entries) == ["31600094010", "31600094028"]
    assert got.problems == ()
    assert (got.rows_read, got.rows_used, got.rows_rejected) == (2, 2, 0)
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    header = 2 * len(titles) + 3
    named = [str(header - len(titles) + i) for i, t in enumerate(titles) if t]
    assert warning.row == header
    assert f"(with the title row{'s' if len(named) > 1 else ''} {', '.join(named)} " in (
        warning.message
    )


@pytest.mark.parametrize(
    "above",
    [
        # Data rows with a broken entry number but an HTS number: rejected by name, not
        # dropped as titles.
        "3160009401X,1,01,12-3456789AB,06/02/2025,CN,99030125,1000.00",
        ",1,01,12-3456789AB,06/02/2025,CN,99030125,1000.00",
        "ES-003,1,01,12-3456789AB,06/02/2025,CN,99030125,1000.00",
    ],
)
def test_a_data_row_above_a_repeat_is_still_read(above: str, tmp_path: Path) -> None:
    path = tmp_path / "joined.csv"
    lines = [HEADER, _row("31600094010"), above, HEADER, _row("31600094028")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read_es003(path)
    assert got.rows_read == 3  # the row above the repeat is read: used or rejected
    assert got.rows_read == got.rows_used + got.rows_rejected
    assert any(p.row == 3 for p in got.problems)
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    assert "title" not in warning.message


def test_a_good_entry_above_a_repeat_is_used(tmp_path: Path) -> None:
    path = tmp_path / "joined.csv"
    lines = [
        HEADER,
        _row("31600094010"),
        "B7603245278,1,01,12-3456789AB,06/02/2025,CN,99030125,5.00",
    ]
    lines += ["ES-003", HEADER, _row("31600094028")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read_es003(path)
    assert sorted(e.entry_number for e in got.entries) == [
        "31600094010",
        "31600094028",
        "B7603245278",
    ]
    assert (got.rows_read, got.rows_used) == (3, 3)
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    assert "(with the title row 4 above it)" in warning.message


def test_a_repeated_header_in_other_spelling_of_the_same_cells_is_a_repeat(tmp_path: Path) -> None:
    got = read_es003(_joined(tmp_path, second_header=HEADER.upper().replace(" ", "_"), title=""))
    assert len(got.entries) == 2
    assert got.problems == ()
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    assert warning.row == 5
    assert "title" not in warning.message  # a blank row above, no title


def test_a_repeated_header_with_other_columns_refuses_the_file(tmp_path: Path) -> None:
    other = HEADER.replace("Line Tariff Duty Amount", "Line Tariff Goods Value Amount")
    with pytest.raises(InputFileError, match="row 5 repeats the ES-003 header with other columns"):
        read_es003(_joined(tmp_path, second_header=other))


def test_a_title_row_not_above_a_header_is_still_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text(
        "\n".join([HEADER, _row("31600094010"), TITLE, _row("31600094028")]) + "\n",
        encoding="utf-8",
    )
    got = read_es003(path)
    (problem,) = got.problems
    assert (problem.code, problem.row) == ("CELL_COUNT", 3)
    assert (got.rows_read, got.rows_used, got.rows_rejected) == (3, 2, 1)
    assert len(got.entries) == 2


def test_both_engines_agree_on_joined_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    path = _joined(tmp_path)
    same_outputs([path], tmp_path, capsys, "--as-of", "2026-11-28")
    problems = (tmp_path / "entry" / "problems.csv").read_text(encoding="utf-8")
    assert "joined.csv,5,REPEATED_HEADER" in problems
    assert "ENTRY_REJECTED_WHOLE" not in problems


def test_both_engines_agree_on_joined_files_with_comma_titles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    path = tmp_path / "joined.csv"
    titles = ["Report: ES-003", "Filter: all, ports"]
    lines = [*titles, HEADER, _row("31600094010"), *titles, HEADER, _row("31600094028")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    same_outputs([path], tmp_path, capsys, "--as-of", "2026-11-28")
    problems = (tmp_path / "entry" / "problems.csv").read_text(encoding="utf-8")
    assert "joined.csv,7,REPEATED_HEADER" in problems
    assert "title rows 5, 6 above it" in problems
    assert "ENTRY_REJECTED_WHOLE" not in problems
    assert "CELL_COUNT" not in problems


@pytest.mark.parametrize(
    "second", [HEADER.upper(), ",".join(f'"{cell}"' for cell in HEADER.split(","))]
)
def test_both_engines_name_the_row_of_a_repeat_in_other_case_or_quoted(
    second: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not starting as the header's bytes, the repeat was found by the bulk engine's copy,
    whose row it named ("row 2", for row 5; t63/08): the file now goes whole to the reader."""
    pytest.importorskip("polars")
    from .test_cli_engines import same_outputs

    path = _joined(tmp_path, second_header=second)
    same_outputs([path], tmp_path, capsys, "--as-of", "2026-11-28")
    problems = (tmp_path / "bulk" / "problems.csv").read_text(encoding="utf-8")
    assert "joined.csv,5,REPEATED_HEADER" in problems


def test_a_dataframe_with_number_cells_and_a_repeated_header(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    names = HEADER.split(",")
    cells = [31600094010, 1, "01", "12-3456789AB", "06/02/2025", "CN", "99030125", "1000.00"]
    frame = pd.DataFrame([cells, names, [31600094028, *cells[1:]]], columns=names)
    got = read_es003(frame)
    assert sorted(e.entry_number for e in got.entries) == ["31600094010", "31600094028"]
    assert (got.rows_read, got.rows_rejected) == (2, 0)
    (warning,) = [w for w in got.files[0].warnings if w.code == "REPEATED_HEADER"]
    assert warning.row == 3


class _Row(list):  # type: ignore[type-arg]
    """A row the common-row fast path of ``_repeats`` does not take (not exactly a list)."""


@given(records=repeat_records())
def test_the_common_row_fast_path_agrees_with_the_full_check(
    records: list[tuple[int, int, list[object] | str]],
) -> None:
    # The same records through the fast path and, as rows it never takes, through the full
    # check alone: the same records come out, with the same warnings or the same refusal.
    text = ",".join(REPEAT_HEADER) + "\n"

    def run(rows: list[tuple[int, int, list[object] | str]]) -> tuple[object, ...]:
        source = open_source(io.StringIO(text), {}, delimiter=None, name="joined.csv")
        try:
            out = [
                (n, s, list(r) if isinstance(r, list) else r)
                for n, s, r in _repeats(source, iter(rows))
            ]
        except InputFileError as exc:
            return ("refused", str(exc))
        return (out, [(w.code, w.row, w.message) for w in source.warnings])

    fast = run(records)
    slow = run([(n, s, _Row(r) if isinstance(r, list) else r) for n, s, r in records])
    assert fast == slow
