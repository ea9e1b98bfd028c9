"""Equal numbers written alike held as one object, and the sums that keep them so.

A refund holds many equal amounts (a refund equal to the duty paid, zeros, a high bound
equal to the refund) and most refunds hold the same one or two warnings; sharing them keeps
results small (see ``bench/bench_memory.py``) and changes no value, text or JSON. Used by
the line results (``_lines``) and the entry's sums (``_compute``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .results import RefundWarning

ZERO = Decimal("0.00")
"""The one 0.00 the results hold (``_compute`` checks it with ``is``)."""

_SHARED_MAX = 4096
"""The most results each table of shared results keeps (a few hundred KB at most)."""


def same(value: Decimal, known: Decimal) -> Decimal:
    """``known`` when ``value`` is the same number written the same way (sign, digits and
    exponent: ``compare_total`` is 0), else ``value``. A refund holds many equal amounts
    (a refund equal to the duty paid, zeros, a high bound equal to the refund); one object
    each keeps a result small, and no value, text or JSON changes."""
    return value if value.compare_total(known) else known


def sum_of(values: tuple[Decimal, ...]) -> Decimal:
    """``sum(values, ZERO)``, as one of ``values`` when one of them is that sum written the
    same way (a line's IEEPA duty beside numbers that paid 0.00: its paid and its refund are
    that duty's own object), else a new one."""
    total = sum(values, ZERO)
    for value in values:
        if not value.compare_total(total):
            return value
    return same(total, ZERO)


def sum_high(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of ``values`` as :func:`sum_of` gives it, or None when one of them is None."""
    known: list[Decimal] = []
    for value in values:
        if value is None:
            return None
        known.append(value)
    return sum_of(tuple(known))


_WARNINGS: dict[tuple[int, ...], tuple[RefundWarning, ...]] = {}


def shared_tuple(items: list[RefundWarning]) -> tuple[RefundWarning, ...]:
    """``tuple(items)``, as the tuple made before for the same objects in the same order:
    most refunds hold the same one or two shared warnings (see ``codes.entry_warning``).
    Keyed by the objects' ids, which stay theirs while the tuple held here holds them."""
    if any(item.line is not None for item in items):
        return tuple(items)  # a warning about a line is made for its refund alone
    key = tuple([id(item) for item in items])
    found = _WARNINGS.get(key)
    if found is None:
        if len(_WARNINGS) >= _SHARED_MAX:
            _WARNINGS.clear()
        found = _WARNINGS[key] = tuple(items)
    return found
