"""Collections of results for a portfolio: totals, tables and notebook summaries.

    >>> from ieepa_refund import compute_refunds, read_es003, sample_es003
    >>> refunds = compute_refunds(read_es003(sample_es003()).entries)
    >>> len(refunds), refunds.principal
    (14, Decimal('27114.32'))

``Refunds`` and ``Screenings`` are immutable sequences of :class:`EntryRefund`
and :class:`Screening`, with ``to_records()``, ``to_dataframe()`` and a
``_repr_html_`` summary that stays short at 100,000 entries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Self, TypeVar, overload

from .._tabular import Tabular
from ..cape.screen import Screening, screen
from ..entry import Entry
from ..interest import InterestConventions, RateTable, default_rate_table
from ..refund import (
    Deposit,
    EntryRefund,
    Method,
    RefundOptions,
    compute_refund,
    with_overrides,
)
from ..registry import Registry, default_registry
from ..tables import summary_html

__all__ = ["Refunds", "Screenings", "compute_refunds", "screen_all"]

ZERO = Decimal("0.00")


T = TypeVar("T")


class _Results(Tabular, Sequence[T]):
    """An immutable sequence of results; slicing gives the same kind of collection."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T]) -> None:
        self._items: tuple[T, ...] = tuple(items)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Self: ...
    def __getitem__(self, index: int | slice) -> T | Self:
        if isinstance(index, slice):
            return type(self)(self._items[index])
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def items_for_tables(self) -> tuple[T, ...]:
        return self._items


class Refunds(_Results[EntryRefund]):
    """The refunds of a portfolio, in input order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Refunds: {len(self)} entries, principal {self.principal}>"

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self._items), ZERO)

    @property
    def principal(self) -> Decimal:
        return sum((r.principal for r in self._items), ZERO)

    @property
    def interest(self) -> Decimal:
        """Interest of the entries that have a figure (see ``without_interest``)."""
        return sum((r.interest or ZERO for r in self._items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest

    @property
    def without_interest(self) -> int:
        return sum(1 for r in self._items if r.interest is None)

    @property
    def uncertain(self) -> int:
        return sum(1 for r in self._items if r.uncertain)

    def warning_counts(self) -> Counter[str]:
        """Entries per warning code."""
        return Counter(code for r in self._items for code in set(r.warning_codes))

    def summary_html(self) -> str:
        versions = sorted({(r.data_version, r.rates_version or "-") for r in self._items})
        rows = [
            ("entries", len(self)), ("IEEPA and other duty paid", self.paid), ("principal", self.principal),
            ("interest", self.interest), ("total", self.total), ("entries without an interest figure", self.without_interest),
            ("entries uncertain (bounds)", self.uncertain),
            ("data", ", ".join(f"Chapter 99 {c}, rates {r}" for c, r in versions) or "-"),
        ]  # fmt: skip
        return summary_html("Refunds", rows, self.warning_counts())


class Screenings(_Results[Screening]):
    """The CAPE screenings of a portfolio, in input order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Screenings: {len(self)} entries, {len(self.eligible)} eligible>"

    @property
    def eligible(self) -> tuple[str, ...]:
        """Entry numbers CAPE would accept (including those refunded at liquidation)."""
        return tuple(s.entry_number for s in self._items if s.eligible)

    def status_counts(self) -> Counter[str]:
        return Counter(s.status for s in self._items)

    def exclusion_counts(self) -> Counter[str]:
        return Counter(r.code for s in self._items for r in s.reasons if r.effect == "exclude")

    def summary_html(self) -> str:
        counts = self.status_counts()
        dates = sorted({s.declared_on for s in self._items})
        rows = [
            ("entries", len(self)), ("declared on", ", ".join(d.isoformat() for d in dates) or "-"),
            ("eligible", counts["eligible"]), ("eligible, refunded at liquidation", counts["eligible_at_liquidation"]),
            ("excluded", counts["excluded"]),
        ]  # fmt: skip
        return summary_html("CAPE screening", rows, self.exclusion_counts())


def compute_refunds(
    entries: Iterable[Entry],
    *,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    method: Method | None = None,
    rounding: str | None = None,
    corporate: bool | None = None,
    interest_until: date | None = None,
    project: bool | None = None,
    deposit: Deposit | None = None,
    interest_conventions: InterestConventions | None = None,
) -> Refunds:
    """:func:`compute_refund` for every entry, with the same options, checked once up front."""
    chosen = {
        "method": method,
        "rounding": rounding,
        "corporate": corporate,
        "interest_until": interest_until,
        "project": project,
        "deposit": deposit,
        "interest_conventions": interest_conventions,
    }
    opts = with_overrides(options, chosen)
    registry, rates = registry or default_registry(), rates or default_rate_table()
    return Refunds(
        compute_refund(entry, options=opts, registry=registry, rates=rates) for entry in entries
    )


def screen_all(entries: Iterable[Entry], *, declared_on: date, **options: Any) -> Screenings:
    """:func:`ieepa_refund.cape.screen` for every entry, with the same keyword options."""
    options.setdefault("registry", default_registry())
    return Screenings(screen(entry, declared_on=declared_on, **options) for entry in entries)
