"""The columnar table's interest and screening, and its rows as the result gives them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..cape import Screening
from ..dates import pms_deposit_date
from ..entry import Entry
from ..errors import IeepaRefundError
from ..interest import MAX_PRINCIPAL, apply_growth, interest_growth
from ..money import round_interest
from ..refund import DepositBasis, RefundOptions
from ._cells import ENTRY_FIELDS
from ._tables import ENTRY_COLUMNS, _money

if TYPE_CHECKING:
    import polars as pl

    from ._columnar import _Job

_HALF_MODES = frozenset({ROUND_HALF_UP, ROUND_HALF_EVEN, "ROUND_HALF_DOWN"})


#: The screening facts of an entry whose HTS numbers the columnar rules accepted
#: (``_no_ieepa_duty``: its IEEPA lines show 0.00 in all, made by :func:`screened`).
_SCREEN_FIELDS = (
    "entry_type", "summary_status", "reconciliation_flag", "type09_filed", "drawback_claim",
    "adcvd_instructions_pending", "surety_paid", "protest_status", "protest_number",
    "liquidation_date", "liquidation_status", "_no_ieepa_duty", "importer_number",
)  # fmt: skip


#: 10**12 dollars in cents: past it the per-entry path gives no interest figure, and says why.
_MAX_CENTS = int(MAX_PRINCIPAL * 100)


def with_interest(job: _Job, table: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    opts = job.options
    if opts.deposit == "pms":
        pms = {
            d: pms_deposit_date(d, closures=job.closures)
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
    spans = table.filter(pl.col("principal") > 0).select("deposit_date", "interest_until").unique()
    totals: list[Decimal | None] = []
    for deposited, until in spans.iter_rows():
        totals.append(_growth(job, deposited, until))
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


def _growth(job: _Job, deposited: date, until: date) -> Decimal | None:
    if until < deposited:
        return None
    opts = job.options
    try:
        found = interest_growth(
            deposited,
            until,
            corporate=opts.corporate,
            rates=job.rates,
            project=opts.project,
            conventions=opts.interest_conventions,
        )
    except IeepaRefundError:
        return None
    return None if found.projected else found.total


def screened(job: _Job, table: pl.DataFrame) -> pl.DataFrame:
    """Screen once per distinct set of the facts screening reads, with :func:`screen` itself."""
    import polars as pl

    # Every IEEPA duty of a columnar entry is reported (a blank one goes per entry), so a sum
    # of 0 is the per-entry screening's "every IEEPA line shows 0.00" (rule no_ieepa_duty).
    table = table.with_columns(_no_ieepa_duty=pl.col("ieepa") == 0)
    # The importer matters to screening only through the CIT plaintiffs.
    fields = list(_SCREEN_FIELDS if job.plaintiffs else _SCREEN_FIELDS[:-1])
    keys = table.group_by(fields).agg(pl.col("entry_number").first().alias("_rep"))
    reps = table.filter(pl.col("entry_number").is_in(keys["_rep"].implode()))
    found: dict[str, Screening] = {}
    for row in reps.iter_rows(named=True):
        probe = _probe_entry(row)
        found[row["entry_number"]] = job.screen(probe)
    shots = [found[rep] for rep in keys["_rep"].to_list()]
    if job.screenings is not None:
        _keep_screenings(job.screenings, table, keys.select(fields), shots)
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


def _keep_screenings(
    kept: dict[str, Screening], table: pl.DataFrame, keys: pl.DataFrame, shots: list[Screening]
) -> None:
    """Each entry's screening: its key's, under its own number. Everything else a screening
    holds (reasons and their messages, deadlines, rules version) is read from the facts the
    key is made of, so it is what :func:`screen` gives the entry itself."""
    import polars as pl

    at = table.select("entry_number", *keys.columns).join(
        keys.with_row_index("_key"),
        on=keys.columns,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    for number, key in at.select("entry_number", pl.col("_key")).iter_rows():
        shot = shots[key]
        kept[number] = (
            shot
            if shot.entry_number == number
            else shot.model_copy(update={"entry_number": number})
        )


def _probe_entry(row: Mapping[str, Any]) -> Entry:
    """A real Entry with the representative's own fields and one of its IEEPA numbers, its
    duty 0.00 when the entry's IEEPA duties are (else not given: screening reads no more)."""
    fields = {n: row[n] for n in ENTRY_FIELDS if row.get(n) is not None}
    tariff = {"hts": row["hts"], "duty": "0.00"} if row["_no_ieepa_duty"] else {"hts": row["hts"]}
    return Entry.model_validate(
        {
            **fields,
            "entry_number": row["entry_number"],
            "lines": [{"number": 1, "country_of_origin": "CN", "tariffs": [tariff]}],
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
        pl.int_range(len(x), eager=True)
        if rounding not in _HALF_MODES
        else near.fill_null(False).arg_true()
    )
    # Only the rows recomputed are written over: a list of every row's cents as Python
    # ints (about 8 MB at 1M rows) is not made.
    where: list[int] = []
    exact: list[int] = []
    for i in exact_rows.to_list():
        if growth[i] is None:
            continue
        amount = apply_growth(Decimal(principal[i]).scaleb(-2), Decimal(growth[i]))
        where.append(i)
        exact.append(int(round_interest(amount, rounding=rounding).scaleb(2)))
    result = fast.cast(pl.Int64)
    if where:
        result = result.scatter(where, pl.Series(exact, dtype=pl.Int64))
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


#: The columns :func:`_finish` reads (beside the road's).
_FINISH_READS = (
    "entry_number", "importer_number", "notify_party", "entry_type", "entry_date",
    "liquidation_date", "deposit_date", "deposit_basis", "interest_until", "paid", "ieepa",
    "owed", "principal", "high", "interest_cents", "uncertain", "status", "eligible", "reasons",
    "rules_version", "rows",
)  # fmt: skip


def _finish(held: list[pl.DataFrame], job: _Job) -> pl.DataFrame:
    """The result's columns of the table ``held`` holds (the list is emptied: the columns it
    does not read are freed once those it reads are put in order)."""
    import polars as pl

    table = held.pop()

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
            pl.when(pl.col("liquidation_date") > pl.lit(opts.interest_until, dtype=pl.Date)).then(
                pl.lit("LIQUIDATION_AFTER_AS_OF")  # refund/_dates.py: no conflict reaches here
            ),
            pl.when(pl.col("interest_until").is_null()).then(pl.lit("NO_INTEREST_UNLIQUIDATED")),
            pl.when((pl.col("principal") > 0) & (pl.col("high") != pl.col("principal"))).then(
                pl.lit("INTEREST_ON_ESTABLISHED_PRINCIPAL")
            ),
        ],
        separator=" ",
        ignore_nulls=True,
    )
    # The road's columns, when asked for: the engine takes them out (see bulk._roads).
    road = [c for c in ("_way", "_road_interest") if c in table.columns]
    # In entry-number order, as the result gives it (the engine's sort of a table so flagged
    # is free): the columns read here are put in that order first, so that only they are
    # copied, not the made ones (five constant strings, the money as Decimal, the warnings),
    # about 30 MB fewer bytes allocated at the 1M-row run's peak.
    # The columnar rules keep their entries in key order, which is this order (entry_key):
    # then the columns are not copied at all (about 40 MB at 1M rows, beside the table).
    columns = pl.col(*road, *_FINISH_READS)
    if not table["entry_number"].is_sorted():
        columns = columns.gather(table["entry_number"].arg_sort())
    table = table.select(columns).with_columns(pl.col("entry_number").set_sorted())
    # The money columns are made after the rest, one at a time: made in one select they are
    # made at once, each with its two or three working copies (16 bytes a row each).
    out = table.select(
        *road,
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
        **{f"_cents_{name}": cents for name, cents in _CENTS},
        warnings=warnings,
        status="status",
        eligible="eligible",
        reasons="reasons",
        data_version=pl.lit(job.registry.data_version),
        rates_version=pl.lit(job.rates.data_version),
        rules_version="rules_version",
        path=pl.lit("bulk"),
    )
    del table
    for name, _ in _CENTS:
        out = out.with_columns(_money(f"_cents_{name}").alias(name)).drop(f"_cents_{name}")
    return out.select(*road, *ENTRY_COLUMNS)


#: Each money column of the result and the column of cents it is made from (:func:`_finish`).
_CENTS = (
    ("paid", "paid"), ("ieepa_duty_paid", "ieepa"), ("owed", "owed"),
    ("principal", "principal"), ("principal_high", "high"), ("interest", "interest_cents"),
)  # fmt: skip
