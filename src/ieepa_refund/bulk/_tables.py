"""The entry table's shape, and the payments and declarations made from it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import entry_number as _entry_number
from .._trusted import builder, trusted
from ..cape import DeclarationBatch
from ..cape._format import MAX_ENTRIES
from ..cape.declarations import Holds, _write_grouped, write_declarations
from ..payments import Allocation, Consolidation, Payment

if TYPE_CHECKING:
    import polars as pl


__all__ = ["ENTRY_COLUMNS", "consolidate_table", "declare_table", "share_text"]

#: The columns of :attr:`BulkResult.entries`, one row per entry, whichever path computed it.
ENTRY_COLUMNS = (
    "entry_number", "importer_number", "payee", "entry_type", "entry_date", "liquidation_date",
    "deposit_date", "deposit_basis", "interest_until", "method", "rounding", "paid",
    "ieepa_duty_paid", "owed", "principal", "principal_high", "interest", "warnings", "status",
    "eligible", "reasons", "data_version", "rates_version", "rules_version", "path",
)  # fmt: skip


_MONEY = ("paid", "ieepa_duty_paid", "owed", "principal", "principal_high", "interest")


def _money(column: str | pl.Expr) -> pl.Expr:
    import polars as pl

    cents = pl.col(column) if isinstance(column, str) else column
    return (cents.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"), dtype=pl.Decimal(38, 2))).cast(
        pl.Decimal(38, 2)
    )


def _schema() -> dict[str, Any]:
    import polars as pl

    kinds: dict[str, Any] = dict.fromkeys(ENTRY_COLUMNS, pl.String)
    kinds.update(dict.fromkeys(_MONEY, pl.Decimal(38, 2)))
    kinds.update(
        dict.fromkeys(("entry_date", "liquidation_date", "deposit_date", "interest_until"), pl.Date)
    )
    kinds["eligible"] = pl.Boolean
    return kinds


def _rows_table(rows: list[dict[str, Any]]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(rows, schema=_schema())


def _empty_table() -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema=_schema())


#: The entry table's text columns with a few distinct values (codes, versions, words).
_FEW = (
    "importer_number", "payee", "entry_type", "deposit_basis", "method", "rounding",
    "warnings", "status", "reasons", "data_version", "rates_version", "rules_version", "path",
)  # fmt: skip


def share_text(entries: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with its text columns of few values (:data:`_FEW`) held leaner: the same
    values, dtype and bytes out.

    A column of one value (the method, the rounding, the versions, ``path``...) is held as
    that value alone, as ``pl.lit`` makes it, not 16 bytes a row. polars keeps a text cell
    over 12 bytes in a buffer of its own column (``concat_str`` writes each warning again
    for every row: 40 bytes a row for a 25-byte code); a gather from the distinct values
    shares theirs (16 bytes a row). At 1M rows (210k entries) about 3 MB a column, held
    from here to the end of the run, through payments and declarations (its peak).
    """
    import polars as pl

    for name in _FEW:
        column = entries[name]
        if column.dtype != pl.String or column.null_count() == len(column):
            continue
        values = column.drop_nulls().unique()
        if len(values) == 1 and not column.null_count():
            entries = entries.with_columns(pl.lit(values[0], dtype=pl.String).alias(name))
        elif len(values) * 2 <= len(column) and (values.str.len_bytes() > 12).any():
            shared = values.gather(column.cast(pl.Enum(values)).to_physical())
            entries = entries.with_columns(shared.alias(name))
    return entries


def consolidate_table(entries: pl.DataFrame) -> Consolidation:
    """:func:`consolidate` of the entry table's refunds, grouped in columns (no offsets).

    As :func:`consolidate` groups them: by (payee, liquidation date) in (date, payee)
    order, entries in table order, interest unknown counted as 0, unliquidated entries
    and those with nothing to refund listed apart; the models are built from values
    already checked, and the differential test compares the result with consolidate's.
    The groups are made here, in columns; the payment models and the entry lists only
    when first read (``Consolidation._deferred``): at 1M rows they are about 35 MB of
    Python objects and 0.5 s, at the run's peak of memory for a caller that may never
    read them. Only the few columns they need are held until then, not ``entries``.
    """
    import polars as pl

    liquidated = pl.col("liquidation_date").is_not_null()
    positive = pl.col("principal") > 0
    # The three columns the payments and lists read, held as the table holds them (a select
    # shares the columns' buffers: no copy while the table lives, and only these after it);
    # the groups hold row numbers into them (4 bytes an entry), not lists of the numbers and
    # amounts (about 10 MB at 1M rows, made at the run's peak).
    held = entries.select("entry_number", "principal", "interest")
    at = pl.int_range(pl.len(), dtype=pl.UInt32).alias("_at")
    paying = (
        entries.select("payee", "liquidation_date", "principal", "interest", at)
        .filter(liquidated & positive)
        .group_by("payee", "liquidation_date", maintain_order=True)
        .agg("_at", pl.col("interest").is_null().sum().alias("interest_missing"))
        .sort("liquidation_date", "payee")
    )
    unliquidated = _rows(entries, ~liquidated)
    nothing = _rows(entries, liquidated & ~positive)
    return Consolidation._deferred(
        payments=lambda: _payments(paying, held),
        unliquidated=lambda: _numbers(held, unliquidated),
        nothing_to_pay=lambda: _numbers(held, nothing),
        unused_offsets={},
    )


def _payments(paying: pl.DataFrame, held: pl.DataFrame) -> tuple[Payment, ...]:
    """The payment models of :func:`consolidate_table`'s groups, one a row of ``paying``
    (its entries by their rows in ``held``, in table order)."""
    import polars as pl

    zero = Decimal("0.00")
    make = _allocation()
    places = paying["_at"].explode()  # the groups' rows one after another
    rows = held.select(pl.all().gather(places)).with_columns(pl.col("interest").fill_null(zero))
    numbers = rows["entry_number"].to_list()
    principals = rows["principal"].to_list()
    interests = rows["interest"].to_list()
    del rows
    payments = []
    end = 0
    sizes = paying.select("payee", "liquidation_date", pl.col("_at").list.len(), "interest_missing")
    for payee, on, size, missing in sizes.iter_rows():
        group = range(end, end + size)
        end = group.stop
        principal = sum((principals[i] for i in group), zero)
        interest = sum((interests[i] for i in group), zero)
        # No offsets: allocate(0.00, gross) is 0.00 for every entry, so each net is its gross.
        allocations = tuple(
            make(numbers[i], principals[i], interests[i], zero, principals[i] + interests[i])
            for i in group
        )
        payments.append(
            trusted(
                Payment,
                payee=payee,
                liquidation_date=on,
                principal=principal,
                interest=interest,
                offset=zero,
                net=principal + interest - zero,
                entries=tuple(numbers[group.start : group.stop]),
                allocations=allocations,
                interest_missing=missing,
            )
        )
    return tuple(payments)


def _rows(entries: pl.DataFrame, where: pl.Expr) -> pl.Series:
    """The row numbers of the rows ``where`` says, only the columns it reads copied."""
    import polars as pl

    return (
        entries.lazy()
        .with_row_index("_at")
        .filter(where)
        .select(pl.col("_at").cast(pl.UInt32))
        .collect()
        .to_series()
    )


def _numbers(held: pl.DataFrame, rows: pl.Series) -> tuple[str, ...]:
    """The entry numbers at ``rows`` of ``held``, in table order."""
    return tuple(held["entry_number"].gather(rows).to_list())


@cache
def _allocation() -> Callable[..., Allocation]:
    """Allocations built with their values in CPython's shared-key layout: one per entry,
    so at 1M rows (210k entries) a dict per allocation would be about 40 MB more."""
    return builder(Allocation, ("entry_number", "principal", "interest", "offset", "net"))


def declare_table(entries: pl.DataFrame, out_dir: str | Path) -> DeclarationBatch:
    """:func:`write_declarations` of the eligible entries, in table order, byte for byte, one
    set of files per filer code and importer of record (``importers``: the one ACE account
    that may submit each, as the ``cape`` command writes them, t67/03).

    The columnar rules took only entries whose number has the compact shape (3 filer
    characters, 8 digits) and a right check digit, so those are not checked again; the
    per-entry path's numbers are checked here as the writer checks them, and any it would
    skip (malformed, repeated) sends the whole list to the writer itself. The numbers are
    grouped by filer code and importer here, in columns, as the writer groups them.
    """
    import polars as pl

    eligible = entries.select("entry_number", "importer_number", "path", "eligible").filter(
        pl.col("eligible")
    )
    column = eligible["entry_number"]
    if column.n_unique() != len(column):
        return _by_writer(eligible, out_dir)
    bad: list[str] = []
    for number in eligible.filter(pl.col("path") != "bulk")["entry_number"].to_list():
        if not _well_formed(number):
            return _by_writer(eligible, out_dir)
        if not _entry_number.is_valid(number):
            bad.append(number)
    # As _groups makes them: per holds (entries, then check-digit failures), the groups in
    # order of first appearance, each group's numbers in table order.
    keyed = eligible.select(
        "entry_number",
        "importer_number",
        code=pl.col("entry_number").str.slice(0, 3),
        failed=pl.col("entry_number").is_in(pl.Series(bad, dtype=pl.String).implode()),
    )
    del eligible, column
    groups: list[tuple[str, str | None, Holds, list[str]]] = []
    kinds: tuple[tuple[Holds, bool], ...] = (("entries", False), ("check_digit_failures", True))
    for holds, failed in kinds:
        part = keyed.filter(pl.col("failed") == failed)
        if not part.height:
            continue
        grouped = part.group_by("code", "importer_number", maintain_order=True).agg("entry_number")
        del part
        groups.extend(
            (code, importer, holds, numbers) for code, importer, numbers in grouped.iter_rows()
        )
    del keyed
    return _write_grouped(groups, out_dir, MAX_ENTRIES)


def _by_writer(eligible: pl.DataFrame, out_dir: str | Path) -> DeclarationBatch:
    """The writer's own checks and grouping, for numbers it may skip."""
    numbers = eligible["entry_number"].to_list()
    importers = _importers(numbers, eligible["importer_number"].to_list())
    return write_declarations(numbers, out_dir, importers=importers)


def _importers(numbers: list[str], importers: list[str]) -> dict[str, str]:
    """Entry number -> importer of record, each importer's number one shared string (a book
    has few importers; as the ``cape`` command builds its mapping)."""
    shared: dict[str, str] = {}
    return {
        number: shared.setdefault(importer, importer)
        for number, importer in zip(numbers, importers, strict=True)
    }


def _well_formed(number: str) -> bool:
    """What write_declarations takes without a skip: compact, 3 filer characters, 8 digits."""
    return (
        _entry_number.compact(number) == number
        and len(number) == 11
        and number.isascii()
        and number[:3].isalnum()
        and number[3:].isdigit()
    )
