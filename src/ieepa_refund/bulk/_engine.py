"""The columnar job: refunds, screening, payments and declarations for whole files at once."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import entry_number as _entry_number
from .._trusted import trusted
from ..cape import CapeRules, DeclarationBatch, Screening, default_cape_rules, screen
from ..cape.declarations import write_checked, write_declarations
from ..dates import pms_deposit_date
from ..entry import Entry
from ..errors import IeepaRefundError, InputFileError
from ..es003 import Es003Report, stream_es003
from ..es003._assemble import PROGRESS_EVERY, _overrides
from ..interest import MAX_PRINCIPAL, RateTable, apply_growth, default_rate_table, interest_growth
from ..money import round_interest
from ..payments import Allocation, Consolidation, Payment
from ..refund import DepositBasis, EntryRefund, RefundOptions, compute_refund
from ..refund.closures import default_federal_closures
from ..registry import EXEMPT_KINDS, Registry, carries_ieepa_duty, default_registry, is_ieepa_status
from ._read import (
    BLANK,
    ENTRY_FIELDS,
    PARSERS,
    SHAPED,
    ColumnFile,
    amounts,
    check_digit_right,
    distinct,
    entry_field_parser,
    entry_key,
    key_number,
    need,
    parse_numbers,
    read_columns,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = ["BulkReport", "BulkResult", "ENTRY_COLUMNS", "estimate", "explain"]

#: The columns of :attr:`BulkResult.entries`, one row per entry, whichever path computed it.
ENTRY_COLUMNS = (
    "entry_number", "importer_number", "payee", "entry_type", "entry_date", "liquidation_date",
    "deposit_date", "deposit_basis", "interest_until", "method", "rounding", "paid",
    "ieepa_duty_paid", "owed", "principal", "principal_high", "interest", "warnings", "status",
    "eligible", "reasons", "data_version", "rates_version", "rules_version", "path",
)  # fmt: skip
_MONEY = ("paid", "ieepa_duty_paid", "owed", "principal", "principal_high", "interest")
#: Rate types the columnar rules refund as "duty paid": every other type (15% all-in deals,
#: suspended headings) goes to the per-entry path.
_PLAIN_RATE_TYPES = frozenset({"ad_valorem_additional", "penalty_in_lieu"})
_TOPUP = "inclusive_15_topup"
_HALF_MODES = frozenset({ROUND_HALF_UP, ROUND_HALF_EVEN, "ROUND_HALF_DOWN"})
#: The screening facts of an entry whose HTS numbers the columnar rules accepted.
_SCREEN_FIELDS = (
    "entry_type", "summary_status", "reconciliation_flag", "type09_filed", "drawback_claim",
    "adcvd_instructions_pending", "surety_paid", "protest_status", "protest_number",
    "liquidation_date", "liquidation_status", "importer_number",
)  # fmt: skip


@dataclass(frozen=True)
class BulkReport:
    """How the rows were shared between the two paths; the per-entry reader's own report."""

    rows_read: int
    rows_bulk: int
    """Rows of entries the columnar rules computed."""
    entries_bulk: int
    entries_entry: int
    """Entries the per-entry path computed (the columnar rules did not cover them)."""
    files_whole: tuple[tuple[str, str], ...]
    """(file, why) for files read whole by the per-entry reader."""
    fallback: Es003Report | None
    """The per-entry reader's report on the rows it read (problems, rejected rows...)."""
    input: Es003Report
    """The whole files' report, equal to what ``read_es003`` says of the same files: their
    columns and warnings, every problem with its file and row in the reader's order, and
    the counts of rows and entries (the columnar rows added to the reader's)."""

    @property
    def rows_rejected(self) -> int:
        return self.fallback.rows_rejected if self.fallback else 0


@dataclass(frozen=True)
class BulkResult:
    """The whole job: one row per entry, the payments and (when asked) the declarations."""

    entries: pl.DataFrame
    """:data:`ENTRY_COLUMNS`, in entry-number order; money as ``Decimal(38, 2)``."""
    payments: Consolidation
    declarations: DeclarationBatch | None
    report: BulkReport
    order: tuple[str, ...]
    """The entry numbers in the order ``stream_es003`` yields the entries (each one at its
    last row, files in the order given)."""


def estimate(
    sources: Sequence[str | Path] | str | Path,
    *,
    as_of: date,
    declared_on: date | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    plaintiffs: Collection[str] = (),
    mapping: Mapping[str, str] | None = None,
    declarations_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Refund, screen, pay and declare every entry of ES-003 CSV ``sources``.

    The same answers as the per-entry path (``read_es003``, :func:`compute_refund`,
    :func:`~ieepa_refund.cape.screen`, :func:`consolidate`,
    :func:`~ieepa_refund.cape.write_declarations`), computed column by column for the
    entries the columnar rules cover; every other entry is computed by the per-entry path
    itself (the ``path`` column says which). ``as_of`` is where interest ends for an entry
    not yet liquidated, unless ``options.interest_until`` says otherwise; ``declared_on``
    (default ``as_of``) is the CAPE declaration date. Eligible entries are declared in
    entry-number order into ``declarations_dir`` when one is given. ``progress`` is called
    as the per-entry reader calls it (each PROGRESS_EVERY rows read).
    """
    need("polars", "bulk")
    import polars as pl

    paths = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    if not paths:
        raise InputFileError("no ES-003 file given", field="sources")
    opts = options or RefundOptions()
    if opts.interest_until is None:
        opts = opts.model_copy(update={"interest_until": as_of})
    job = _Job(
        opts,
        registry or default_registry(),
        rates or default_rate_table(),
        rules or default_cape_rules(),
        declared_on or as_of,
        frozenset(plaintiffs),
    )
    overrides = _overrides(mapping or {})
    parse = job.parse_chunk if opts.method == "paid" else None  # recalculation reads rates
    files = [read_columns(path, index, overrides, parse) for index, path in enumerate(paths)]
    _all_or_none(files)
    read = [f for f in files if f.rows is not None and f.firsts is not None]
    bulk = (
        job.columnar(
            # The chunks stay as they are (rechunk=False): no second copy of every row.
            pl.concat(
                [f.rows for f in read if f.rows is not None],
                how="diagonal_relaxed",
                rechunk=False,
            ),
            pl.concat(
                [f.firsts for f in read if f.firsts is not None],
                how="diagonal_relaxed",
                rechunk=False,
            ),
        )
        if read
        else None
    )
    for f in read:  # used: only the rows left to the per-entry path are needed from here
        f.rows = f.firsts = None
    bulk_rows, fallback_rows = (bulk[0], bulk[1]) if bulk else (None, None)
    done = bulk_rows["entry_number"] if bulk_rows is not None else pl.Series(dtype=pl.String)
    fallback, report, yielded = job.per_entry(
        files, fallback_rows, done, mapping=mapping, progress=None if bulk else progress
    )
    tables = [t for t in (bulk_rows, fallback) if t is not None and t.height]
    entries = (
        pl.concat(tables, how="vertical_relaxed").sort("entry_number") if tables else _empty_table()
    )
    payments = consolidate_table(entries)
    batch = None if declarations_dir is None else declare_table(entries, declarations_dir)
    n_bulk = 0 if bulk_rows is None else bulk_rows.height
    rows_bulk = bulk[2] if bulk else 0
    fb = report
    if bulk is None:  # every file read whole: the reader's report and order are the answer
        assert fb is not None
        whole, order = fb, tuple(yielded)
    else:
        whole = _whole_report(fb, files, fallback_rows, n_bulk, rows_bulk)
        found = _input_order(bulk[3], fallback_rows, yielded)
        order = found if found is not None else _read_order(paths, mapping)
        if progress is not None:
            # Columnar files have no rows the source itself rejects (a stray quote reads as a
            # multi-line cell there): the reader's count runs over every row read.
            for rows in range(PROGRESS_EVERY, whole.rows_read + 1, PROGRESS_EVERY):
                progress(rows)
    return BulkResult(
        entries=entries,
        payments=payments,
        declarations=batch,
        report=BulkReport(
            rows_read=rows_bulk + (fb.rows_read if fb else 0),
            rows_bulk=rows_bulk,
            entries_bulk=n_bulk,
            entries_entry=entries.height - n_bulk,
            files_whole=tuple((f.name, f.why) for f in files if f.why is not None),
            fallback=fb,
            input=whole,
        ),
        order=order,
    )


def _all_or_none(files: list[ColumnFile]) -> None:
    """Every file read whole when one is, or when two share a name.

    An entry's rows may be in any of the files: one split between a file read here and one
    the reader reads whole would be computed twice from half its rows; and the reader's
    report names a file only by its name. So the reader reads them all (said why).
    """
    names = [f.name for f in files]
    whole = [f for f in files if f.why is not None or names.count(f.name) > 1]
    if not whole:
        return
    for f in files:
        if f.why is None:
            f.why = (
                "its name is another file's"
                if names.count(f.name) > 1
                else "read with a file the per-entry reader reads whole"
            )
        f.rows = f.firsts = None
        f.height = 0


def _whole_report(
    fallback: Es003Report | None,
    files: list[ColumnFile],
    left: pl.DataFrame | None,
    entries_bulk: int,
    rows_bulk: int,
) -> Es003Report:
    """The reader's report on the rows left (every file, its own row numbers), with the rows
    and entries computed in columns added: what the reader says of the whole files.

    The columnar rules took only entries whose every row parses, once, with no conflict:
    such rows give the reader no problem, no duplicate, no blank row; every file has its
    copy read, so its columns and warnings are the reader's own.
    """
    if fallback is None or len(fallback.files) != len(files):
        raise RuntimeError("the per-entry reader did not report every file")
    left_of = (
        dict(left.group_by("_file").len().iter_rows()) if left is not None and left.height else {}
    )
    reports = []
    for index, (file, report) in enumerate(zip(files, fallback.files, strict=True)):
        columnar = file.height - left_of.get(index, 0)
        reports.append(report.model_copy(update={"rows_read": report.rows_read + columnar}))
    return fallback.model_copy(
        update={
            "files": tuple(reports),
            "rows_read": fallback.rows_read + rows_bulk,
            "rows_used": fallback.rows_used + rows_bulk,
            "entry_count": fallback.entry_count + entries_bulk,
        }
    )


def _input_order(
    bulk: pl.DataFrame, left: pl.DataFrame | None, yielded: Sequence[str]
) -> tuple[str, ...] | None:
    """The entry numbers as the reader yields them: each at its last row (file, row).

    ``bulk`` holds each columnar entry's last place; the reader's own entries (in the order
    it gave them from the rows left) take theirs from those rows. None when the reader's
    order is not the order of those places (an entry finished after the files ended): the
    caller then asks the reader itself.
    """
    import polars as pl

    if left is not None and left.height:
        lasts = (
            left.drop_nulls("p_entry_number")
            .group_by("p_entry_number")
            .agg(last=(pl.col("_file").cast(pl.Int64) * _FILE_SPAN + pl.col("_row")).max())
        )
    else:
        lasts = pl.DataFrame(schema={"p_entry_number": pl.String, "last": pl.Int64})
    theirs = pl.DataFrame({"p_entry_number": list(yielded)}, schema={"p_entry_number": pl.String})
    theirs = theirs.join(lasts, on="p_entry_number", how="left", maintain_order="left")
    places = theirs["last"]
    if places.null_count() or (len(places) > 1 and not (places.diff().drop_nulls() > 0).all()):
        return None
    both = pl.concat(
        [bulk.select(pl.col("entry_number"), pl.col("last")),
         theirs.select(pl.col("p_entry_number").alias("entry_number"), "last")],
        how="vertical_relaxed",
    ).sort("last")  # fmt: skip
    return tuple(both["entry_number"].to_list())


def _read_order(paths: Sequence[Path], mapping: Mapping[str, str] | None) -> tuple[str, ...]:
    """The reader's own order of the entries (a second reading: only when the places do not
    tell it)."""
    return tuple(entry.entry_number for entry in stream_es003(*paths, mapping=mapping))


def explain(
    entry_number: str,
    sources: Sequence[str | Path] | str | Path,
    *,
    as_of: date,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    mapping: Mapping[str, str] | None = None,
) -> EntryRefund:
    """The per-entry path's full result (per tariff, per quarter) for one entry of ``sources``."""
    paths = [sources] if isinstance(sources, str | Path) else list(sources)
    opts = options or RefundOptions()
    if opts.interest_until is None:
        opts = opts.model_copy(update={"interest_until": as_of})
    for entry in stream_es003(*paths, mapping=mapping):
        if entry.entry_number == entry_number:
            return compute_refund(entry, options=opts, registry=registry, rates=rates)
    raise InputFileError(
        "no such entry in the files (or its rows were rejected)",
        field="entry_number",
        value=entry_number,
    )


# -- the job --------------------------------------------------------------------------------


class _Job:
    def __init__(
        self,
        options: RefundOptions,
        registry: Registry,
        rates: RateTable,
        rules: CapeRules,
        declared_on: date,
        plaintiffs: frozenset[str],
    ) -> None:
        self.options, self.registry, self.rates, self.rules = options, registry, rates, rules
        self.declared_on, self.plaintiffs = declared_on, plaintiffs
        self.closures = default_federal_closures() if options.closures is None else options.closures
        self.classes: dict[tuple[str, date, str], int] = {}
        """Category of each (HTS number, entry date, origin) seen so far (:meth:`_category`)."""

    # -- the columnar path ------------------------------------------------------------------

    def parse_chunk(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(each row's cells parsed, with flags; each entry's own raw cells, from one row)."""
        import polars as pl

        types = {
            "entry_number": pl.String, "line_number": pl.Int64, "country_of_origin": pl.String,
            "hts": pl.String, "tariff_ordinal": pl.Int64, "value": pl.Int64, "duty": pl.Int64,
            "quantity": pl.Boolean, "rate": pl.Boolean,
        }  # fmt: skip
        present = [n for n in PARSERS if n in rows.columns]
        numbers = parse_numbers(rows["entry_number"])
        # Entries are keyed by an integer when their number has the compact shape (a filer
        # code of digits or letters, 8 digits: all the columnar rules take; entry_key), else
        # held by their text as a code: a chunk keeps no strings, so its text buffers are
        # freed once it is parsed.
        shaped = numbers.str.contains(SHAPED).fill_null(False)
        keys = pl.DataFrame({"n": numbers, "d": shaped}).select(
            p_key=pl.when("d").then(entry_key(pl.col("n"))),
            p_other=pl.when(~pl.col("d")).then(pl.col("n")).cast(pl.Categorical),
        )
        columns = []
        valued: pl.Series | pl.Expr = pl.lit(False)
        for n in present:
            if n == "entry_number":
                continue
            if n in ("duty", "value"):
                column = amounts(rows[n])
                if n == "value":  # a goods value reported (not 0, not blank): screening reads it
                    valued = column > 0
            else:
                column = distinct(rows[n], PARSERS[n], types[n])
            if n in ("hts", "country_of_origin"):  # a few thousand values: held as codes
                column = column.cast(pl.Categorical)
            columns.append(column.alias(f"p_{n}"))
        parsed = rows.select("_row", "_file").with_columns(
            *columns, keys["p_key"], keys["p_other"], p_valued=valued
        )
        parsed = self._with_categories(parsed, rows)
        # A row is read here when every used cell parses and its rate cell is blank.
        checks = [pl.col(f"p_{n}").is_not_null() for n in present if n != "entry_number"]
        checks.append(pl.col("p_key").is_not_null() | pl.col("p_other").is_not_null())
        if "rate" in present:
            checks.append(pl.col("p_rate"))
        entry_cols = [n for n in ENTRY_FIELDS if n in rows.columns]
        parsed = parsed.with_columns(
            ok=pl.all_horizontal(checks),
            eh=pl.struct([rows[n] for n in entry_cols]).hash(),
        ).select(
            "_row",
            "_file",
            "ok",
            "eh",
            "p_valued",
            "p_key",
            "p_other",
            "cat",
            "ch1_97",
            *(f"p_{n}" for n in _KEPT if n in present),
        )
        # An entry's own fields are the same on all its rows (else it is not read here): one
        # row of each entry is kept raw, to be parsed once per entry.
        firsts = (
            rows.select(entry_cols)
            .with_columns(keys["p_key"])
            .drop_nulls("p_key")
            .unique(subset="p_key", keep="any")
            .with_columns(pl.col(entry_cols).cast(pl.Categorical))
        )
        return parsed, firsts

    def columnar(
        self, parsed: pl.DataFrame, firsts: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame, int, pl.DataFrame]:
        """(entry table, rows left to the per-entry path, rows used, each entry's last place)
        for the simple entries."""
        import polars as pl

        # Entries whose number is not of the compact shape are the per-entry path's (no key).
        # One pass over the rows: each line's sums and flags (repeats, origins, the structure
        # screening reads), then each entry's from its lines. Lazy: no copy of the rows kept.
        en = pl.col("p_key")
        # A tariff twice on a line (a repeat or a conflict): rows told apart by a hash of
        # their keys, so two tariffs sharing one can only look like a repeat, which sends
        # their entries to the per-entry path, never the other way.
        tariff = pl.struct(en, "p_line_number", pl.col("p_hts").to_physical()).hash()
        keyed = (
            parsed.lazy()
            .filter(en.is_not_null())
            .with_columns(repeat=tariff.is_duplicated(), hts_code=pl.col("p_hts").to_physical())
        )
        per_entry = _sums(keyed.group_by(en, "p_line_number").agg(*_line_sums())).collect()
        # The IEEPA number each entry shows screening, from its code.
        codes = parsed["p_hts"].drop_nulls().unique()
        per_entry = per_entry.with_columns(
            pl.col("hts").replace_strict(
                codes.to_physical(), codes.cast(pl.String), default=None, return_dtype=pl.String
            )
        )
        per_entry = per_entry.filter(pl.col("ok") & pl.col("same") & ~pl.col("odd"))
        # The entry's own fields, parsed from one of its rows (every row repeats them).
        entry_cols = [n for n in ENTRY_FIELDS if n in firsts.columns]
        firsts = (
            per_entry.filter(pl.col("simple"))
            .select(en, "number_ok")
            .join(firsts.unique(subset="p_key", keep="any"), on="p_key", how="left")
        )
        firsts = firsts.with_columns(pl.col(entry_cols).cast(pl.String))
        fields = firsts.select(en, key_number(en).alias("entry_number"), "number_ok").with_columns(
            self._entry_fields(firsts, entry_cols)
        )
        # Entries the reader would flag or refuse: a wrong check digit, a liquidation date
        # before the entry date or at odds with the status.
        conflict = fields.select("liquidation_status", "liquidation_date").unique()
        conflict = conflict.with_columns(
            _conflict=pl.Series(
                [_conflicts(st, on) for st, on in conflict.iter_rows()], dtype=pl.Boolean
            )
        )
        fields = (
            fields.join(conflict, on=["liquidation_status", "liquidation_date"], nulls_equal=True)
            .filter(
                pl.col("_valid")
                & pl.col("number_ok")
                & ~pl.col("_conflict")
                & (
                    pl.col("liquidation_date").is_null()
                    | (pl.col("liquidation_date") >= pl.col("entry_date"))
                )
            )
            .drop("_valid", "number_ok", "_conflict")
        )
        sums = per_entry.drop("ok", "same", "odd", "number_ok", "simple")
        table = fields.join(sums, on="p_key")
        table = self._interest(table)
        table = self._screen(table)
        left = parsed.filter(~en.is_in(table["p_key"].implode()).fill_null(False)).select(
            "_file",
            "_row",
            p_entry_number=pl.coalesce(key_number(en), pl.col("p_other").cast(pl.String)),
        )
        lasts = table.select("entry_number", "last")
        return _finish(table, self), left, int(table["rows"].sum()), lasts

    def _entry_fields(self, firsts: pl.DataFrame, names: list[str]) -> list[pl.Expr]:
        """Each field parsed and normalised as the Entry model would; ``_valid`` for the rest."""
        import polars as pl

        exprs: list[pl.Expr] = []
        valid: list[pl.Expr] = []
        for name in names:
            parse = entry_field_parser(name)
            dtype = _dtype(name)
            column = firsts[name]
            ok = distinct(column, partial(_checked, _probe, name, parse), pl.Boolean)
            value = distinct(column, partial(_checked, _normal, name, parse), dtype)
            if dtype == pl.String:  # a few distinct values each: held as codes
                value = value.cast(pl.Categorical)
            exprs.append(pl.lit(value).alias(name))
            valid.append(pl.lit(ok.fill_null(False)))
        for name in _ALL_FIELDS:
            if name not in names:
                exprs.append(pl.lit(None, dtype=_dtype(name)).alias(name))
        exprs.append(
            pl.all_horizontal(valid).alias("_valid") if valid else pl.lit(True).alias("_valid")
        )
        return exprs

    def _with_categories(self, parsed: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
        """``parsed`` with each row's category (:meth:`_category`, -1 where a cell does not
        parse) and whether its HTS number is in Chapters 1-97, from its entry date cell."""
        import polars as pl

        if "entry_date" in rows.columns:
            parse = entry_field_parser("entry_date")
            on = distinct(rows["entry_date"], parse, pl.Date)
        else:
            on = pl.Series(dtype=pl.Date).extend_constant(None, rows.height)
        triple = ["p_hts", "on", "p_country_of_origin"]
        if not all(c in parsed.columns for c in ("p_hts", "p_country_of_origin")):
            return parsed.with_columns(
                cat=pl.lit(-1, dtype=pl.Int8), ch1_97=pl.lit(False, dtype=pl.Boolean)
            )
        parsed = parsed.with_columns(on=on)
        keys = parsed.select(triple).drop_nulls().unique()
        cats = [self._category(h, d, c) for h, d, c in keys.iter_rows()]
        keys = keys.with_columns(
            cat=pl.Series(cats, dtype=pl.Int8),
            ch1_97=pl.col("p_hts").cast(pl.String).str.slice(0, 2) != "99",
        )
        return (
            parsed.join(keys, on=triple, how="left", maintain_order="left")
            .with_columns(pl.col("cat").fill_null(-1), pl.col("ch1_97").fill_null(False))
            .drop("on")
        )

    def _category(self, hts: str, on: date, country: str) -> int:
        """1 IEEPA duty refunded as paid, 2 a 15% all-in heading, 0 not IEEPA, -1 none of these.

        -1 is anything the per-entry rules would say more about: an exemption, a heading not
        in force or suspended, a 15% deal's zero heading, a country the heading does not
        cover, an unknown Chapter 99 number.
        """
        found = self.classes.get((hts, on, country))
        if found is not None:
            return found
        cls = self.registry.classify(hts, on)
        period = cls.period
        if not cls.is_ieepa:
            cat = -1 if hts[:2] == "99" and cls.authority is None else 0
        elif (
            cls.status == "ieepa"
            and period is not None
            and period.kind == "duty"
            and period.kind not in EXEMPT_KINDS
            and period.rate_type in (*_PLAIN_RATE_TYPES, _TOPUP)
            and period.applies_to(country) is not False
            and carries_ieepa_duty(cls.status, period)
        ):
            cat = 2 if period.rate_type == _TOPUP else 1
        else:
            cat = -1
        self.classes[(hts, on, country)] = cat
        return cat

    def _interest(self, table: pl.DataFrame) -> pl.DataFrame:
        import polars as pl

        opts = self.options
        if opts.deposit == "pms":
            pms = {
                d: pms_deposit_date(d, closures=self.closures)
                for d in table["entry_date"].unique().to_list()
            }
            assumed = pl.col("entry_date").replace_strict(pms, return_dtype=pl.Date)
            basis_assumed = pl.lit(DepositBasis.PMS.value)
        else:
            assumed = pl.coalesce("entry_summary_date", "entry_date")
            basis_assumed = (
                pl.when(pl.col("entry_summary_date").is_not_null())
                .then(pl.lit(DepositBasis.ENTRY_SUMMARY_DATE.value))
                .otherwise(pl.lit(DepositBasis.ENTRY_DATE.value))
            )
        table = table.with_columns(
            deposit_date=pl.coalesce("deposit_date", assumed),
            deposit_basis=pl.when(pl.col("deposit_date").is_not_null())
            .then(pl.lit(DepositBasis.REPORTED.value))
            .otherwise(basis_assumed),
            interest_until=pl.coalesce("liquidation_date", pl.lit(opts.interest_until)),
        )
        spans = (
            table.filter(pl.col("principal") > 0).select("deposit_date", "interest_until").unique()
        )
        totals: list[Decimal | None] = []
        for deposited, until in spans.iter_rows():
            totals.append(self._growth(deposited, until))
        growth = spans.with_columns(
            g=pl.Series([None if t is None else str(t) for t in totals], dtype=pl.String)
        )
        # Joined on the two dates alone and put beside the table: no copy of its columns.
        spans = table.select("deposit_date", "interest_until")
        table = table.with_columns(
            spans.join(growth, on=["deposit_date", "interest_until"], how="left",
                       maintain_order="left")["g"]
        )  # fmt: skip
        # An entry with a principal whose span has no plain growth (rates not covered,
        # projected, until before deposit) or an implausible principal: per-entry path.
        table = table.filter(
            (pl.col("principal") == 0)
            | (pl.col("g").is_not_null() & (pl.col("principal") <= _MAX_CENTS))
        )
        return table.with_columns(interest_cents=_interest_cents(table, opts))

    def _growth(self, deposited: date, until: date) -> Decimal | None:
        if until < deposited:
            return None
        opts = self.options
        try:
            found = interest_growth(
                deposited,
                until,
                corporate=opts.corporate,
                rates=self.rates,
                project=opts.project,
                conventions=opts.interest_conventions,
            )
        except IeepaRefundError:
            return None
        return None if found.projected else found.total

    def _screen(self, table: pl.DataFrame) -> pl.DataFrame:
        """Screen once per distinct set of the facts screening reads, with :func:`screen` itself."""
        import polars as pl

        # The importer matters to screening only through the CIT plaintiffs.
        fields = list(_SCREEN_FIELDS if self.plaintiffs else _SCREEN_FIELDS[:-1])
        keys = table.group_by(fields).agg(pl.col("entry_number").first().alias("_rep"))
        reps = table.filter(pl.col("entry_number").is_in(keys["_rep"].implode()))
        found: dict[str, Screening] = {}
        for row in reps.iter_rows(named=True):
            probe = _probe_entry(row)
            found[row["entry_number"]] = screen(
                probe,
                declared_on=self.declared_on,
                rules=self.rules,
                registry=self.registry,
                plaintiffs=self.plaintiffs,
            )
        shots = [found[rep] for rep in keys["_rep"].to_list()]
        keys = keys.with_columns(
            status=pl.Series([s.status for s in shots], dtype=pl.String),
            eligible=pl.Series([s.eligible for s in shots], dtype=pl.Boolean),
            reasons=pl.Series([" ".join(s.reason_codes) for s in shots], dtype=pl.String),
            rules_version=pl.Series([s.rules_version for s in shots], dtype=pl.String),
        ).drop("_rep")
        found_keys = table.select(fields).join(
            keys, on=fields, how="left", nulls_equal=True, maintain_order="left"
        )
        return table.with_columns(found_keys.select(pl.exclude(fields)))

    # -- the per-entry path -----------------------------------------------------------------

    def per_entry(
        self,
        files: list[ColumnFile],
        left: pl.DataFrame | None,
        done: pl.Series,
        *,
        mapping: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[pl.DataFrame | None, Es003Report | None, list[str]]:
        """The entries the columnar rules left, computed by the per-entry path itself.

        Each file goes to the per-entry reader as a copy holding its header and the rows
        left (in their order; a file with none left, its header alone, so that the reader
        reports its columns); the reader's row numbers are then mapped back to the file's
        own, so its problems and file report are what it says of the whole file. Also the
        numbers of the entries the reader gave, in its order.
        """
        import polars as pl

        numbers: dict[str, list[int]] = {}
        # The reader names an entry's first row without its file: where an entry left here
        # spans files, its copies keep every row number (the rows done become blank lines).
        blank = left is not None and bool(
            left.drop_nulls("p_entry_number")
            .group_by("p_entry_number")
            .agg(pl.col("_file").n_unique() > 1)
            .to_series(1)
            .any()
        )
        with tempfile.TemporaryDirectory(prefix="ieepa-bulk-") as tmp:
            sources: list[Path] = []
            blanked = 0
            for index, file in enumerate(files):
                # left is None: the columnar rules covered nothing (the options are not theirs).
                if file.why is not None or left is None:
                    sources.append(file.path)
                    continue
                keep = sorted(left.filter(pl.col("_file") == index)["_row"].to_list())
                folder = Path(tmp) / str(index)
                folder.mkdir()
                target = folder / file.path.name
                _copy(file.path, target, file.source.header_row, set(keep), blank=blank)
                if not blank:
                    numbers[file.name] = [*range(1, file.source.header_row + 1), *keep]
                else:
                    blanked += file.height - len(keep)
                sources.append(target)
            if not sources:
                return None, None, []
            stream = stream_es003(*sources, mapping=mapping, progress=progress)
            computed = frozenset(done.to_list())
            rows = [self._entry_row(e) for e in stream if e.entry_number not in computed]
            yielded = [row["entry_number"] for row in rows]
            report = _renumber(stream.report, numbers)
        if blanked:
            report = report.model_copy(update={"rows_blank": report.rows_blank - blanked})
        if not rows:
            return None, report, yielded
        return _rows_table(rows), report, yielded

    def _entry_row(self, entry: Entry) -> dict[str, Any]:
        refund = compute_refund(
            entry, options=self.options, registry=self.registry, rates=self.rates
        )
        shot = screen(
            entry,
            declared_on=self.declared_on,
            rules=self.rules,
            registry=self.registry,
            plaintiffs=self.plaintiffs,
        )
        return {
            "entry_number": entry.entry_number,
            "importer_number": refund.importer_number,
            "payee": refund.payee,
            "entry_type": entry.entry_type,
            "entry_date": entry.entry_date,
            "liquidation_date": refund.liquidation_date,
            "deposit_date": refund.deposit_date,
            "deposit_basis": refund.deposit_basis.value if refund.deposit_basis else None,
            "interest_until": refund.interest_until,
            "method": refund.method,
            "rounding": refund.rounding,
            "paid": refund.paid,
            "ieepa_duty_paid": sum(
                (t.paid for t in refund.tariffs if is_ieepa_status(t.status)), Decimal("0.00")
            ),
            "owed": refund.owed,
            "principal": refund.principal,
            "principal_high": refund.principal_high,
            "interest": refund.interest,
            "warnings": " ".join(refund.warning_codes),
            "status": shot.status,
            "eligible": shot.eligible,
            "reasons": " ".join(shot.reason_codes),
            "data_version": refund.data_version,
            "rates_version": refund.rates_version,
            "rules_version": shot.rules_version,
            "path": "entry",
        }


#: A file's place in an entry's (file, row) place: rows of a file number far below 2**40.
_FILE_SPAN = 1 << 40
#: The parsed cells the columnar rules use after the chunk is read.
_KEPT = ("line_number", "country_of_origin", "hts", "duty")
_FLAG_FIELDS = frozenset(
    {"reconciliation_flag", "type09_filed", "drawback_claim", "adcvd_instructions_pending",
     "surety_paid"}
)  # fmt: skip
_DATE_NAMES = frozenset({"entry_date", "entry_summary_date", "liquidation_date", "deposit_date"})
_ALL_FIELDS = ENTRY_FIELDS
#: 10**12 dollars in cents: past it the per-entry path gives no interest figure, and says why.
_MAX_CENTS = int(MAX_PRINCIPAL * 100)
_BASE = {
    "entry_number": "31600000017",
    "entry_type": "01",
    "importer_number": "12-3456789AB",
    "entry_date": date(2025, 1, 1),
    "lines": [{"number": 1, "country_of_origin": "CN", "tariffs": [{"hts": "9903.01.24"}]}],
}


def _dtype(name: str) -> Any:
    import polars as pl

    return pl.Date if name in _DATE_NAMES else pl.Boolean if name in _FLAG_FIELDS else pl.String


def _checked(
    then: Callable[[str, Any], Any], name: str, parse: Callable[[str], Any], raw: str
) -> Any:
    """``then(name, parse(raw))``: a field parsed by the reader's parser, then put to the model."""
    return then(name, parse(raw))


def _probe(name: str, value: Any) -> bool:
    """Whether the Entry model takes ``value`` for field ``name`` (the other fields plain)."""
    if value is None:
        return name not in ("entry_type", "importer_number", "entry_date")
    if name in _DATE_NAMES and name != "entry_date":
        return True  # a parsed date; its order against the entry date is checked per entry
    try:
        Entry.model_validate({**_BASE, name: value})
    except Exception:  # any refusal sends the entry to the per-entry path
        return False
    return True


def _conflicts(status: str | None, liquidated: date | None) -> bool:
    """Whether the Entry model says the liquidation status and date disagree."""
    probe = Entry.model_validate(
        {**_BASE, "liquidation_status": status, "liquidation_date": liquidated,
         "entry_date": date.min}
    )  # fmt: skip
    return probe.liquidation_conflict is not None


def _normal(name: str, value: Any) -> Any:
    """The value as the Entry model keeps it."""
    if value is None or name in _DATE_NAMES:
        return value
    try:
        return getattr(Entry.model_validate({**_BASE, name: value}), name)
    except Exception:  # refused: _probe says so
        return None


def _probe_entry(row: Mapping[str, Any]) -> Entry:
    """A real Entry with the representative's own fields and one of its IEEPA numbers."""
    fields = {n: row[n] for n in _ALL_FIELDS if row.get(n) is not None}
    return Entry.model_validate(
        {
            **fields,
            "entry_number": row["entry_number"],
            "lines": [{"number": 1, "country_of_origin": "CN", "tariffs": [{"hts": row["hts"]}]}],
        }
    )


def _interest_cents(table: pl.DataFrame, options: RefundOptions) -> pl.Series:
    """Interest in cents: ``round_interest(principal * growth)``, exactly as the engine does.

    The product is taken in floating point and rounded half-up; a product within a hair of
    a half cent (or any product, for a rounding mode other than the half modes) is
    recomputed in Decimal at the engine's precision, so no float error can move a cent.
    """
    import polars as pl

    rounding = options.interest_conventions.rounding
    principal = table["principal"]
    growth = table["g"]
    unique = growth.unique().drop_nulls()
    as_float = growth.replace_strict(
        unique, unique.cast(pl.Float64), return_dtype=pl.Float64, default=None
    )
    x = principal.cast(pl.Float64) * as_float
    frac = x - x.floor()
    margin = 1e-6 + x.abs() * 1e-12
    near = (frac - 0.5).abs() < margin
    fast = (x + 0.5).floor().cast(pl.Int64)
    exact_rows = (
        pl.Series([True] * len(x)) if rounding not in _HALF_MODES else near.fill_null(False)
    )
    out = fast.to_list()
    for i in exact_rows.arg_true().to_list():
        if growth[i] is None:
            continue
        amount = apply_growth(Decimal(principal[i]).scaleb(-2), Decimal(growth[i]))
        out[i] = int(round_interest(amount, rounding=rounding).scaleb(2))
    result = pl.Series(out, dtype=pl.Int64)
    # No principal: no interest figure unless the entry has an end date (then 0.00).
    return (
        pl.DataFrame({"c": result, "p": principal, "u": table["interest_until"]})
        .select(
            pl.when(pl.col("p") > 0)
            .then(pl.col("c"))
            .when(pl.col("u").is_not_null())
            .then(0)
            .otherwise(None)
        )
        .to_series()
    )


def _finish(table: pl.DataFrame, job: _Job) -> pl.DataFrame:
    import polars as pl

    opts = job.options
    assumed = pl.col("deposit_basis") != DepositBasis.REPORTED.value
    # In the per-entry path's order: the lines' (one UNCERTAIN per MFN number restored on
    # a 15% all-in line), the deposit date's, then the interest's.
    warnings = pl.concat_str(
        [
            pl.when(pl.col("uncertain") > 0).then(
                pl.lit("UNCERTAIN ")
                .repeat_by(pl.col("uncertain"))
                .list.join("")
                .str.strip_suffix(" ")
            ),
            pl.when(assumed & pl.lit(opts.deposit != "pms")).then(pl.lit("DEPOSIT_DATE_ASSUMED")),
            pl.when(pl.col("interest_until").is_null()).then(pl.lit("NO_INTEREST_UNLIQUIDATED")),
            pl.when((pl.col("principal") > 0) & (pl.col("high") != pl.col("principal"))).then(
                pl.lit("INTEREST_ON_ESTABLISHED_PRINCIPAL")
            ),
        ],
        separator=" ",
        ignore_nulls=True,
    )
    return table.select(
        "entry_number",
        pl.col("importer_number").cast(pl.String),
        payee=pl.coalesce("notify_party", "importer_number").cast(pl.String),
        entry_type=pl.col("entry_type").cast(pl.String),
        entry_date="entry_date",
        liquidation_date="liquidation_date",
        deposit_date="deposit_date",
        deposit_basis="deposit_basis",
        interest_until="interest_until",
        method=pl.lit(opts.method),
        rounding=pl.lit(opts.rounding),
        paid=_money("paid"),
        ieepa_duty_paid=_money("ieepa"),
        owed=_money("owed"),
        principal=_money("principal"),
        principal_high=_money("high"),
        interest=_money("interest_cents"),
        warnings=warnings,
        status="status",
        eligible="eligible",
        reasons="reasons",
        data_version=pl.lit(job.registry.data_version),
        rates_version=pl.lit(job.rates.data_version),
        rules_version="rules_version",
        path=pl.lit("bulk"),
        rows="rows",
    ).drop("rows")


def _line_sums() -> list[pl.Expr]:
    """Per line, from its rows: the reading flags, and in cents what the paid method needs.

    On a line with a 15% all-in heading, a Chapter 1-97 number reporting no duty had its
    MFN folded into the heading: the MFN is owed again, and with no rate text it is bounded
    by the heading's amount (owed = that amount, refund 0, at most that amount more, one
    UNCERTAIN warning). A line with two such numbers goes to the per-entry path.
    """
    import polars as pl

    cat, duty = pl.col("cat"), pl.col("p_duty").clip(lower_bound=0)
    ch1_97 = pl.col("ch1_97")
    # The codes of the categoricals stand for their text (min != max: no set kept per group).
    origin = pl.col("p_country_of_origin").to_physical()
    return [
        pl.len().alias("rows"),
        # Where the entry's last row is (file, row): the reader hands the entry over there.
        (pl.col("_file").cast(pl.Int64) * _FILE_SPAN + pl.col("_row")).max().alias("last"),
        pl.col("ok").all(),
        pl.col("eh").min().alias("eh_min"),
        pl.col("eh").max().alias("eh_max"),
        # An HTS number twice on the line (a repeat or a conflict), or two origins.
        ((origin.min() != origin.max()) | pl.col("repeat").any()).alias("odd"),
        # The line structure CAPE screening reads (cape/screen.py: a Chapter 99 line with no
        # Chapter 1-97 number, or a Chapter 1-97 number with no goods value): an entry where
        # either could apply goes whole to the per-entry path, which screens its real lines.
        ch1_97.any().alias("has_ch1_97"),
        (ch1_97 & pl.col("p_valued")).any().alias("ch1_97_valued"),
        pl.col("p_valued").any().alias("valued"),
        ((cat >= 0).all() & (~cat.is_in([1, 2]) | (pl.col("p_duty") != BLANK)).all()).alias(
            "simple"
        ),
        (cat == 2).sum().alias("topups"),
        pl.when(cat == 2).then(duty).otherwise(0).sum().alias("topup"),
        pl.when(cat == 1).then(duty).otherwise(0).sum().alias("plain"),
        duty.sum().alias("paid"),
        ((cat == 0) & ch1_97 & (duty == 0)).sum().alias("restores"),
        cat.is_in([1, 2]).any().alias("ieepa"),
        # One of the line's IEEPA numbers (by its code): screening reads only that it is one.
        pl.when(cat.is_in([1, 2])).then(pl.col("hts_code")).min().alias("hts"),
    ]


def _sums(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Per entry, from its lines (:func:`_line_sums`): the reading flags, and in cents paid,
    owed, principal and its ceiling, as the paid method has them."""
    import polars as pl

    restored = pl.when(pl.col("topups") > 0).then(pl.col("restores")).otherwise(0)
    lines = lines.with_columns(
        uncertain=restored,
        owed=pl.col("paid") - pl.col("plain") - pl.col("topup") + restored * pl.col("topup"),
    )
    structure_plain = (pl.col("has_ch1_97").all() | ~pl.col("has_ch1_97").any()) & (
        ~pl.col("valued").any() | (pl.col("ch1_97_valued") | ~pl.col("has_ch1_97")).all()
    )
    sums = lines.group_by("p_key").agg(
        ok=pl.col("ok").all(),
        # Every row of the entry repeats its own fields (their hash is the same), else the
        # per-entry reader says which disagree.
        same=pl.col("eh_min").min() == pl.col("eh_max").max(),
        odd=pl.col("odd").any(),
        simple=pl.col("simple").all()
        & pl.col("ieepa").any()
        & (pl.col("uncertain") <= 1).all()
        & structure_plain,
        paid=pl.col("paid").sum(),
        ieepa=(pl.col("plain") + pl.col("topup")).sum(),
        owed=pl.col("owed").sum(),
        uncertain=pl.col("uncertain").sum(),
        rows=pl.col("rows").sum(),
        last=pl.col("last").max(),
        hts=pl.col("hts").min(),
    )
    # The check digit once per entry (from its key; numbers of other shapes have no key).
    return sums.with_columns(
        principal=pl.col("paid") - pl.col("owed"),
        high=pl.col("ieepa"),
        number_ok=check_digit_right(pl.col("p_key")),
    )


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


def consolidate_table(entries: pl.DataFrame) -> Consolidation:
    """:func:`consolidate` of the entry table's refunds, grouped in columns (no offsets).

    As :func:`consolidate` groups them: by (payee, liquidation date) in (date, payee)
    order, entries in table order, interest unknown counted as 0, unliquidated entries
    and those with nothing to refund listed apart; the models are built from values
    already checked, and the differential test compares the result with consolidate's.
    """
    import polars as pl

    zero = Decimal("0.00")
    liquidated = pl.col("liquidation_date").is_not_null()
    positive = pl.col("principal") > 0
    paying = (
        entries.filter(liquidated & positive)
        .group_by("payee", "liquidation_date", maintain_order=True)
        .agg(
            "entry_number",
            "principal",
            pl.col("interest").fill_null(zero),
            pl.col("interest").is_null().sum().alias("interest_missing"),
        )
        .sort("liquidation_date", "payee")
    )
    payments = []
    for payee, on, numbers, principals, interests, missing in paying.iter_rows():
        principal, interest = sum(principals, zero), sum(interests, zero)
        # No offsets: allocate(0.00, gross) is 0.00 for every entry, so each net is its gross.
        allocations = tuple(
            trusted(Allocation, entry_number=n, principal=p, interest=i, offset=zero, net=p + i)
            for n, p, i in zip(numbers, principals, interests, strict=True)
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
                entries=tuple(numbers),
                allocations=allocations,
                interest_missing=missing,
            )
        )
    return Consolidation(
        payments=tuple(payments),
        unliquidated=tuple(entries.filter(~liquidated)["entry_number"].to_list()),
        nothing_to_pay=tuple(entries.filter(liquidated & ~positive)["entry_number"].to_list()),
        unused_offsets={},
    )


def declare_table(entries: pl.DataFrame, out_dir: str | Path) -> DeclarationBatch:
    """:func:`write_declarations` of the eligible entries, in table order, byte for byte.

    The columnar rules took only entries whose number has the compact shape (3 filer
    characters, 8 digits) and a right check digit, so those are not checked again; the per-entry path's numbers are checked here
    as the writer checks them, and any it would skip (malformed, repeated) sends the whole
    list to the writer itself.
    """
    import polars as pl

    eligible = entries.filter(pl.col("eligible")).select("entry_number", "path")
    column = eligible["entry_number"]
    if column.n_unique() != len(column):
        return write_declarations(column.to_list(), out_dir)
    bad: list[str] = []
    for number in eligible.filter(pl.col("path") != "bulk")["entry_number"].to_list():
        if not _well_formed(number):
            return write_declarations(column.to_list(), out_dir)
        if not _entry_number.is_valid(number):
            bad.append(number)
    good = column.filter(~column.is_in(pl.Series(bad, dtype=pl.String).implode()))
    return write_checked(good.to_list(), bad, out_dir)


def _well_formed(number: str) -> bool:
    """What write_declarations takes without a skip: compact, 3 filer characters, 8 digits."""
    return (
        _entry_number.compact(number) == number
        and len(number) == 11
        and number.isascii()
        and number[:3].isalnum()
        and number[3:].isdigit()
    )


def _copy(source: Path, target: Path, header_row: int, keep: set[int], *, blank: bool) -> None:
    """``source``'s lines up to the header and its data rows in ``keep``, in order; with
    ``blank``, every other row as an empty line, so that rows keep their numbers."""
    with source.open("rb") as src, target.open("wb") as out:
        for number, line in enumerate(src, start=1):
            if number <= header_row or number in keep:
                out.write(line)
            elif blank:
                out.write(b"\r\n" if line.endswith(b"\r\n") else b"\n")


_FIRST_AT = re.compile(r"\(first at row (\d+)\)")
_ROWS = re.compile(r"\(rows (\d+) to (\d+)\)")


def _first_at(rows: list[int], match: re.Match[str]) -> str:
    return f"(first at row {rows[int(match[1]) - 1]})"


def _range(rows: list[int], match: re.Match[str]) -> str:
    return f"(rows {rows[int(match[1]) - 1]} to {rows[int(match[2]) - 1]})"


def _renumber(report: Es003Report, numbers: Mapping[str, list[int]]) -> Es003Report:
    """The reader's report on compact copies, with each file's own row numbers.

    ``numbers[file][k - 1]`` is the row of the file that is row ``k`` of its copy. The
    map keeps the order of rows, so the reader's summaries (first rows, ranges) stay true.
    """
    if not numbers:
        return report

    problems = []
    for problem in report.problems:
        if problem.file not in numbers or problem.row is None:
            problems.append(problem)
            continue
        rows = numbers[problem.file]
        message = _FIRST_AT.sub(partial(_first_at, rows), problem.message)
        message = _ROWS.sub(partial(_range, rows), message)
        problems.append(
            problem.model_copy(update={"row": rows[problem.row - 1], "message": message})
        )
    return report.model_copy(update={"problems": tuple(problems)})
