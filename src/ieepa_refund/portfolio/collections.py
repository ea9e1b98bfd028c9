"""Collections of results for a portfolio: totals, tables and notebook summaries.

    >>> from ieepa_refund import compute_refunds, read_es003, sample_es003
    >>> refunds = compute_refunds(read_es003(sample_es003()).entries)
    >>> len(refunds), refunds.principal
    (15, Decimal('26414.32'))

``Refunds`` and ``Screenings`` are immutable sequences of :class:`EntryRefund`
and :class:`Screening`, with ``to_records()``, ``to_dataframe()`` and a
``_repr_html_`` summary that stays short at 100,000 entries.

An interest figure never drops silently out of a total. An entry with a refund
but no interest figure (not yet liquidated, or a date past the rate table) makes
the interest INTEREST_INCOMPLETE: ``interest`` and ``total`` are then None,
``interest_known`` is what is known (a floor), and ``interest_missing`` counts
the entries behind the gap:

    >>> refunds.interest_complete, refunds.interest_missing, refunds.interest is None
    (False, 5, True)
    >>> refunds.interest_missing_reasons()
    Counter({'NO_INTEREST_UNLIQUIDATED': 5})
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Self, TypeVar, overload

from .._model import check_date, check_items
from .._tabular import Tabular
from ..cape.rules import CapeRules
from ..cape.screen import Screening, screen
from ..entry import Entry
from ..interest import InterestConventions, RateTable, default_rate_table
from ..money import total
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

__all__ = [
    "MISSING_INTEREST_CODES",
    "Refunds",
    "Screenings",
    "compute_refunds",
    "interest_missing",
    "screen_all",
]

ZERO = Decimal("0.00")
#: The warning codes that say why a refund principal has no interest figure.
MISSING_INTEREST_CODES = (
    "NO_INTEREST_UNLIQUIDATED",
    "RATE_NOT_COVERED",
    "INTEREST_BEFORE_DEPOSIT",
    "DEPOSITS_BELOW_REFUND",
    "DEPOSITS_NOT_DUTY_PAID",
    "DEPOSIT_BEFORE_IEEPA",
    "DEPOSIT_BEFORE_ENTRY",
)


def interest_missing(refund: EntryRefund) -> bool:
    """True when the entry has a refund principal but no interest figure for it.

    A principal of zero or less earns no interest: its None is not a gap.
    """
    return refund.interest is None and refund.principal > 0


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
        return total(r.paid for r in self._items)

    @property
    def principal(self) -> Decimal:
        return total(r.principal for r in self._items)

    @property
    def interest(self) -> Decimal | None:
        """Interest of every entry; None (INTEREST_INCOMPLETE) when any figure is missing.

        Never the sum of only the known figures: read ``interest_known`` for that
        floor, ``interest_missing`` for how many entries it leaves out.
        """
        return self.interest_known if self.interest_complete else None

    @property
    def interest_known(self) -> Decimal:
        """The interest figures that exist, added up: at least this much interest."""
        return total(r.interest or ZERO for r in self._items)

    @property
    def interest_missing(self) -> int:
        """Entries with a refund principal but no interest figure."""
        return sum(1 for r in self._items if interest_missing(r))

    @property
    def interest_complete(self) -> bool:
        """Every entry with a refund principal has its interest figure."""
        return not any(interest_missing(r) for r in self._items)

    def interest_missing_reasons(self) -> Counter[str]:
        """Entries without an interest figure, by the warning code that says why."""
        return Counter(
            next((c for c in r.warning_codes if c in MISSING_INTEREST_CODES), "NO_INTEREST")
            for r in self._items
            if interest_missing(r)
        )

    @property
    def total(self) -> Decimal | None:
        """Principal plus interest; None (INTEREST_INCOMPLETE) when any interest is missing."""
        interest = self.interest
        return None if interest is None else self.principal + interest

    @property
    def without_interest(self) -> int:
        """Entries without an interest figure, including those with nothing to refund."""
        return sum(1 for r in self._items if r.interest is None)

    @property
    def uncertain(self) -> int:
        return sum(1 for r in self._items if r.uncertain)

    def warning_counts(self) -> Counter[str]:
        """Entries per warning code."""
        return Counter(code for r in self._items for code in set(r.warning_codes))

    def summary_html(self) -> str:
        versions = sorted({(r.data_version, r.rates_version or "-") for r in self._items})
        if self.interest_complete:
            interest: Any = self.interest_known
            total: Any = self.principal + self.interest_known
        else:
            why = ", ".join(
                f"{c} {n:,}" for c, n in sorted(self.interest_missing_reasons().items())
            )
            interest = (
                f"INTEREST_INCOMPLETE: at least {self.interest_known:,} "
                f"({self.interest_missing:,} entries without a figure: {why})"
            )
            total = f"INTEREST_INCOMPLETE: at least {self.principal + self.interest_known:,}"
        rows = [
            ("entries", len(self)), ("IEEPA and other duty paid", self.paid), ("principal", self.principal),
            ("interest", interest), ("total", total), ("entries without an interest figure", self.without_interest),
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
        compute_refund(entry, options=opts, registry=registry, rates=rates)
        for entry in check_items(entries, Entry, field="entries")
    )


def screen_all(
    entries: Iterable[Entry],
    *,
    declared_on: date,
    rules: CapeRules | None = None,
    registry: Registry | None = None,
    plaintiffs: Collection[str] = (),
) -> Screenings:
    """:func:`ieepa_refund.cape.screen` for every entry, with the same options (a typo fails)."""
    items = check_items(entries, Entry, field="entries")
    declared_on = check_date(declared_on, field="declared_on")
    registry = registry or default_registry()
    return Screenings(
        screen(
            entry, declared_on=declared_on, rules=rules, registry=registry, plaintiffs=plaintiffs
        )
        for entry in items
    )
