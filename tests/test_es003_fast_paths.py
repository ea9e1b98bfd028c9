"""The ES-003 reader's fast paths make exactly what the general paths they skip make."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from ieepa_refund.es003._cells import BadCell, parse_amount
from ieepa_refund.es003._parsing import _Amounts
from tests.strategies import es003_amount_cells


def _outcome(parse: Any, cell: Any) -> tuple[str, str]:
    """What parsing ``cell`` gives: the value written out (a Decimal's exponent shows), or the
    message it is refused with."""
    try:
        return "value", repr(parse(cell))
    except BadCell as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("keep", [None, 0, 4096])
@given(cell=es003_amount_cells)
def test_amount_cells_read_as_parse_amount_reads_them(keep: int | None, cell: Any) -> None:
    # The cache's own reading of digits and cents against parse_amount, for every shape
    # near it: first read, read again (kept, or not when the cache is full: keep=0).
    expected = _outcome(parse_amount, cell)
    amounts = _Amounts(parse_amount, keep=keep)
    assert _outcome(amounts.__getitem__, cell) == expected
    assert _outcome(amounts.__getitem__, cell) == expected
