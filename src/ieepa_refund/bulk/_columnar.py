"""The columnar rules: each chunk's cells parsed, each line's and entry's sums and flags,
and the entries they cover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from ..cape import CapeRules, Screening, screen
from ..entry import Entry
from ..es003._cells import LINE_MAX
from ..interest import RateTable
from ..refund import EntryRefund, RefundOptions
from ..refund.closures import default_federal_closures
from ..registry import EXEMPT_KINDS, Registry, carries_ieepa_duty
from ..roads import EntryRoad, entry_road
from ._cells import (
    BLANK,
    ENTRY_FIELDS,
    PARSERS,
    SHAPED,
    amounts,
    by_runs,
    check_digit_right,
    distinct,
    entry_field_parser,
    entry_key,
    key_number,
    parse_numbers,
)
from ._compute import _finish, screened, with_interest
from ._roads import RoadJob, with_roads

if TYPE_CHECKING:
    import polars as pl

#: Rate types the columnar rules refund as "duty paid": every other type (15% all-in deals,
#: suspended headings) goes to the per-entry path.
_PLAIN_RATE_TYPES = frozenset({"ad_valorem_additional", "penalty_in_lieu"})
_TOPUP = "inclusive_15_topup"


class _Job:
    """One run's options and data, and the columnar rules (the per-entry path, interest and
    screening read the options and data from it too)."""

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
        self.roads: RoadJob | None = None
        """Set when each entry's road is asked for (:func:`~ieepa_refund.bulk.estimate`)."""
        self.screenings: dict[str, Screening] | None = None
        """Each entry's screening by its number, when asked for (``screenings=True``)."""
        self.classes: dict[tuple[str, date, str], int] = {}
        """Category of each (HTS number, entry date, origin) seen so far (:meth:`_category`)."""
        self.cells: dict[str, dict[Any, Any]] = {}
        """By column: each distinct cell parsed so far, as its parser gave it (one parser per
        column, :data:`PARSERS`; a cell's value depends on its text alone). A file's
        cells recur in every chunk: each is parsed once per run (``_cells.distinct``)."""

    def screen(self, entry: Entry) -> Screening:
        """:func:`~ieepa_refund.cape.screen` of ``entry`` on this run's declaration date,
        with its rules, registry and plaintiffs (a real entry, or a probe of a key's facts)."""
        return screen(
            entry,
            declared_on=self.declared_on,
            rules=self.rules,
            registry=self.registry,
            plaintiffs=self.plaintiffs,
        )

    def road(self, entry: Entry, refund: EntryRefund) -> EntryRoad:
        """:func:`~ieepa_refund.roads.entry_road` of an entry the per-entry path computed,
        with this run's options, data, timing, ledger and declaration dates (``roads`` set)."""
        assert self.roads is not None
        return entry_road(
            entry,
            refund,
            declared_on=self.declared_on,
            options=self.options,
            registry=self.registry,
            rates=self.rates,
            rules=self.rules,
            timing=self.roads.timing,
            ledger=self.roads.ledger,
            declared_dates=self.roads.declared_dates,
            plaintiffs=self.plaintiffs,
        )

    def parse_chunk(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(each row's cells parsed, with flags; each entry's own raw cells, from one row)."""
        import polars as pl

        # Line numbers stop at the reader's LINE_MAX (99,999): Int32, 4 bytes a row held.
        types = {
            "entry_number": pl.String, "line_number": pl.Int32, "country_of_origin": pl.String,
            "hts": pl.String, "tariff_ordinal": pl.Int64, "value": pl.Int64, "duty": pl.Int64,
            "quantity": pl.Boolean, "rate": pl.Boolean,
        }  # fmt: skip
        present = [n for n in PARSERS if n in rows.columns]
        memo = self.cells
        # An entry's rows follow one another: its number is parsed and keyed once per run of
        # rows that repeat one cell (about five rows each), then given back to every row.
        raw = rows["entry_number"]
        run = raw.rle_id()
        starts = run.ne_missing(run.shift(1))
        numbers = parse_numbers(raw.filter(starts), memo.setdefault("entry_number", {}))
        # Entries are keyed by an integer when their number has the compact shape (a filer
        # code of digits or letters, 8 digits: all the columnar rules take; entry_key), else
        # held by their text as a code: a chunk keeps no strings, so its text buffers are
        # freed once it is parsed.
        shaped = numbers.str.contains(SHAPED).fill_null(False)
        heads = pl.DataFrame({"n": numbers, "d": shaped}).select(
            p_key=pl.when("d").then(entry_key(pl.col("n"))),
            p_other=pl.when(~pl.col("d")).then(pl.col("n")).cast(pl.Categorical),
        )
        keys = heads[run]
        columns = []
        valued: pl.Series | pl.Expr = pl.lit(False)
        for n in present:
            if n == "entry_number":
                continue
            if n in ("duty", "value"):
                column = amounts(rows[n], memo.setdefault(n, {}))
                if n == "value":  # a goods value reported (not 0, not blank): screening reads it
                    valued = column > 0
            else:
                # HTS numbers and origins, a few thousand values: held as codes, made from
                # the parsed values (not from each row's text).
                dtype = pl.Categorical if n in ("hts", "country_of_origin") else types[n]
                column = distinct(rows[n], PARSERS[n], dtype, memo.setdefault(n, {}))
            columns.append(column.alias(f"p_{n}"))
        parsed = rows.select("_row", "_file", "_whole").with_columns(
            *columns, keys["p_key"], keys["p_other"], p_valued=valued
        )
        parsed = self._with_categories(parsed, rows)
        # A row is read here when every used cell parses and its rate cell is blank.
        checks = [pl.col(f"p_{n}").is_not_null() for n in present if n != "entry_number"]
        checks.append(pl.col("p_key").is_not_null() | pl.col("p_other").is_not_null())
        checks.append(pl.col("_whole"))  # as wide as the header (see _read._whole)
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
            .filter(starts)  # a run's first row: its entry's fields, if the rows agree
            .with_columns(heads["p_key"])
            .drop_nulls("p_key")
            .unique(subset="p_key", keep="any")
            .with_columns(pl.col(entry_cols).cast(pl.Categorical))
        )
        return parsed, firsts

    def columnar(
        self, chunks: list[pl.DataFrame], first_chunks: list[pl.DataFrame]
    ) -> tuple[pl.DataFrame, pl.DataFrame, int, pl.DataFrame]:
        """(entry table, rows left to the per-entry path, rows used, each entry's last place)
        for the simple entries, from the parsed chunks and each entry's own cells (the lists
        are emptied: the frames here are then the only holders of the rows, so what is
        dropped is freed)."""
        import polars as pl

        parsed, firsts = _joined(chunks), _joined(first_chunks)

        en = pl.col("p_key")
        per_entry = _entry_sums(parsed)
        # The IEEPA number each entry shows screening, from its code.
        codes = parsed["p_hts"].drop_nulls().unique()
        # From here only each row's place and entry are read (for the rows left): the other
        # columns are freed now, before the entries' fields, interest and screening.
        parsed = parsed.select("_file", "_row", "p_key", "p_other")
        per_entry = per_entry.with_columns(
            pl.col("hts").replace_strict(
                codes.to_physical(), codes.cast(pl.String), default=None, return_dtype=pl.String
            )
        )
        per_entry = per_entry.filter(pl.col("ok") & pl.col("same") & ~pl.col("odd"))
        del codes
        # The entry's own fields, parsed from one of its rows (every row repeats them).
        entry_cols = [n for n in ENTRY_FIELDS if n in firsts.columns]
        # In key order, which is entry-number order (entry_key), kept by every later step:
        # the result's order, so _finish need not copy the table's columns to sort them.
        simple = per_entry.filter(pl.col("simple")).select(en, "number_ok").sort("p_key")
        # One row of each simple entry, found before the join: the rows of an entry repeat
        # its fields (a simple entry's hashes agree), so any one is the one unique() kept,
        # and only those rows are copied, not every first row of every entry.
        firsts = firsts.filter(en.is_first_distinct() & en.is_in(simple["p_key"].implode()))
        firsts = simple.join(firsts, on="p_key", how="left", maintain_order="left")
        del simple
        # The fields stay categorical (4 bytes a cell): _entry_fields parses each distinct
        # value once by its code; as text they were about 36 MB more at the run's peak.
        fields = firsts.select(en, key_number(en).alias("entry_number"), "number_ok").with_columns(
            self._entry_fields(firsts, entry_cols)
        )
        del firsts  # every entry's raw cells: parsed now
        # Entries the reader would flag or refuse: a wrong check digit, a liquidation date
        # before the entry date or at odds with the status.
        conflict = fields.select("liquidation_status", "liquidation_date").unique()
        conflict = conflict.with_columns(
            _conflict=pl.Series(
                [_conflicts(st, on) for st, on in conflict.iter_rows()], dtype=pl.Boolean
            )
        )
        fields = (
            fields.join(
                conflict,
                on=["liquidation_status", "liquidation_date"],
                nulls_equal=True,
                maintain_order="left",
            )
            .filter(
                pl.col("_valid")
                & pl.col("number_ok")
                & ~pl.col("_conflict")
                & (
                    pl.col("liquidation_date").is_null()
                    | (pl.col("liquidation_date") >= pl.col("entry_date"))
                )
                # A deposit or summary date before the entry date: the per-entry path decides
                # whether its interest is withheld (refund/_dates.py).
                & ~(pl.col("deposit_date") < pl.col("entry_date")).fill_null(False)
                & ~(pl.col("entry_summary_date") < pl.col("entry_date")).fill_null(False)
            )
            .drop("_valid", "number_ok", "_conflict")
        )
        table = fields.join(
            per_entry.drop("ok", "same", "odd", "number_ok", "simple"),
            on="p_key",
            maintain_order="left",
        )
        # Held to the end of the call, these would stay beside every later step's frames.
        del fields, per_entry, conflict
        table = with_interest(self, table)
        table = screened(self, table)
        if self.roads is not None:
            table = with_roads(self, table)
        left = parsed.filter(~en.is_in(table["p_key"].implode()).fill_null(False)).select(
            "_file",
            "_row",
            p_entry_number=pl.coalesce(key_number(en), pl.col("p_other").cast(pl.String)),
        )
        lasts, rows = table.select("entry_number", "last"), int(table["rows"].sum())
        held = [table]  # _finish lets the table go once it has its columns in order
        del table
        return _finish(held, self), left, rows, lasts

    def _entry_fields(self, firsts: pl.DataFrame, names: list[str]) -> list[pl.Expr]:
        """Each field parsed and normalised as the Entry model would; ``_valid`` for the rest."""
        import polars as pl

        exprs: list[pl.Expr] = []
        valid: list[pl.Expr] = []
        for name in names:
            parse = entry_field_parser(name)
            dtype = _dtype(name)
            column = firsts[name]
            ok = _by_code(column, partial(_checked, _probe, name, parse), pl.Boolean)
            value = _by_code(column, partial(_checked, _normal, name, parse), dtype)
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
            on = by_runs(
                rows["entry_date"], parse, pl.Date, self.cells.setdefault("entry_date", {})
            )
        else:
            on = pl.Series(dtype=pl.Date).extend_constant(None, rows.height)
        triple = ["p_hts", "on", "p_country_of_origin"]
        if not all(c in parsed.columns for c in ("p_hts", "p_country_of_origin")):
            return parsed.with_columns(
                cat=pl.lit(-1, dtype=pl.Int8), ch1_97=pl.lit(False, dtype=pl.Boolean)
            )
        parsed = parsed.with_columns(on=on)
        keys = parsed.select(triple).drop_nulls().unique()
        # Most keys recur in every chunk: those seen are looked up, not classified again.
        seen = self.classes
        cats = [seen[k] if k in seen else self._category(*k) for k in keys.iter_rows()]
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


def _by_code(column: pl.Series, parse: Callable[[str], Any], dtype: Any) -> pl.Series:
    """:func:`distinct` of the column as text, from a categorical column's codes: each
    distinct value is cast to text and parsed once, and each cell takes the value of its
    code (null, a blank cell, takes what ``parse`` makes of None, as in ``distinct``), so
    no column of text as long as the rows is made."""
    import polars as pl

    if column.dtype != pl.Categorical:
        return distinct(column.cast(pl.String), parse, dtype)
    uniques = column.unique()
    values = distinct(uniques.cast(pl.String), parse, dtype)
    return column.to_physical().replace_strict(
        uniques.to_physical(), values, default=None, return_dtype=dtype
    )


def _joined(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames as one, and the list emptied: the one frame is then the only holder of
    the rows, so what the columnar rules drop is freed (the chunks are kept as they are,
    rechunk=False: no second copy of every row)."""
    import polars as pl

    joined = pl.concat(frames, how="diagonal_relaxed", rechunk=False)
    frames.clear()
    return joined


#: Rows summed at a time (:func:`_entry_sums`): a group-by's working columns (one per sum,
#: each as long as the rows, with the groups' indices) are about three times the rows'
#: own; at 1M rows in one go, 120 MB for a 43 MB frame, in parts of this size 40 MB.
PART_ROWS = 125_000


def _entry_sums(parsed: pl.DataFrame) -> pl.DataFrame:
    """Each entry's sums and flags (:func:`_sums` of its lines' :func:`_line_sums`), for the
    rows whose entry has a key, the entries taken a share at a time.

    An entry's rows (and so its lines) are all in one share, the one its key falls in, so
    each entry's sums are made whole within it: the shares' tables are the whole table.
    """
    import polars as pl

    # Entries whose number is not of the compact shape are the per-entry path's (no key).
    en = pl.col("p_key")
    # Lines grouped by one integer (the entry's key, then its line number): a group-by on
    # two columns encodes every row's pair first, about 30 MB more at 1M rows. A row
    # with no line number is not ok (so neither is its entry): any slot will do for it.
    line_key = en * _LINE_SPAN + pl.col("p_line_number").fill_null(0)
    shares = max(1, -(-parsed.height // PART_ROWS))
    which = parsed.select((en % shares).cast(pl.Int32)).to_series()
    tables = []
    for part in range(shares):
        # Only this share's rows are copied: a null key (no share) is in none of them.
        rows = parsed.filter(which == part)
        lines = (
            rows.lazy()
            .with_columns(hts_code=pl.col("p_hts").to_physical())
            .group_by(line_key.alias("p_line"))
            .agg(*_line_sums())
        )
        tables.append(_sums(lines.with_columns(p_key=pl.col("p_line") // _LINE_SPAN)).collect())
        del rows, lines
    return pl.concat(tables) if len(tables) > 1 else tables[0]


#: A file's place in an entry's (file, row) place: rows of a file number far below 2**40.
_FILE_SPAN = 1 << 40


#: Line numbers an entry's key has room for (:meth:`_Job.columnar`): the reader's line
#: numbers run to LINE_MAX (99,999), and the largest entry key, 36**3 * 10**8, times this
#: is under 2**63.
_LINE_SPAN = 1 << 17
assert LINE_MAX < _LINE_SPAN


#: The parsed cells the columnar rules use after the chunk is read.
_KEPT = ("line_number", "country_of_origin", "hts", "duty")


_FLAG_FIELDS = frozenset(
    {"reconciliation_flag", "type09_filed", "drawback_claim", "adcvd_instructions_pending",
     "surety_paid"}
)  # fmt: skip


_DATE_NAMES = frozenset({"entry_date", "entry_summary_date", "liquidation_date", "deposit_date"})


_ALL_FIELDS = ENTRY_FIELDS


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
    """Whether the Entry model says the liquidation status and date disagree, whatever the run's
    dates: an open status with a date after them (a scheduled liquidation) goes to the
    per-entry path too, which tells a schedule from a conflict (Entry.scheduled_liquidation)."""
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
        # An HTS number twice on the line (a repeat or a conflict: fewer distinct codes than
        # rows, counted within the line, not by a hash table over every row), or two origins.
        ((origin.min() != origin.max()) | (pl.col("hts_code").n_unique() != pl.len())).alias("odd"),
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
