"""An entry number copied with no-break spaces or Unicode dashes is read as with ASCII ones
(t69/03): it was refused BAD_ENTRY and the entry, built from its other rows, said "Nothing
to refund" on 1,234.56 of IEEPA duty."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieepa_refund.es003 import read_es003
from ieepa_refund.es003._cells import BadCell, parse_entry_number

from .test_cli_engines import same_outputs
from .test_es003_dashed_short_entry_number import HEADER, ROWS


@pytest.mark.parametrize(
    "cell",
    [
        "316\u00a00000102\u00a03",
        "316\u202f0000102\u202f3",
        "316\u20130000102\u20133",
        "316\u20100000102\u20103",
        "316\u20140000102\u20153",
        "316\u22120000102\u22123",
        "\u00a0316-0000102-3\u00a0",
    ],
)
def test_unicode_spaces_and_dashes_read_as_ascii_ones(cell: str) -> None:
    assert parse_entry_number(cell) == "31600001023"


def test_a_short_number_with_unicode_dashes_is_refused_as_a_dashed_one() -> None:
    with pytest.raises(BadCell, match="written with dashes or spaces has 10 digits"):
        parse_entry_number("316\u20130000102")


def _file(tmp_path: Path, cell: str) -> Path:
    path = tmp_path / "es003.csv"
    rows = [ROWS[0].format(n="31600001023"), ROWS[1].format(n=cell)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("cell", ["316\u00a00000102\u00a03", "316\u20130000102\u20133"])
def test_the_entry_is_whole_and_both_engines_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str
) -> None:
    path = _file(tmp_path, cell)
    result = read_es003(path)
    assert result.problems == ()
    assert [e.entry_number for e in result.entries] == ["31600001023"]
    same_outputs([path], tmp_path, capsys)
    assert "1234.56" in (tmp_path / "bulk" / "refunds.csv").read_text()
