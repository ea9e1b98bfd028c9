"""Each columnar entry's road: computed once per distinct set of the facts the road reads, by
the roads' own code, with the interest to the expected (re)liquidation in columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._model import check_instance
from ..errors import InvalidFormat
from ..roads import CapeTiming, EntryRoad, Roads, default_cape_timing
from ..roads._interest import _growth
from ..roads._roads import _dates, _declared, _ledger, _new_road, _way
from ..roads._rules import _facts
from ._compute import _SCREEN_FIELDS, _interest_cents, _probe_entry

if TYPE_CHECKING:
    import polars as pl

    from ._columnar import _Job


@dataclass
class RoadJob:
    """What the roads need beyond the refund's options, and the roads made so far."""

    timing: CapeTiming
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]]
    declared_dates: Mapping[str, date]
    ways: list[tuple[Any, ...]] = field(default_factory=list)
    """Each distinct fact set's road without its money (see :func:`with_roads`)."""
    entry_roads: dict[str, EntryRoad] = field(default_factory=dict)
    """The roads of the entries the per-entry path computed, by entry number."""


def road_job(
    roads: bool,
    timing: CapeTiming | None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None,
    declared_dates: Mapping[str, date] | None,
) -> RoadJob | None:
    """What an engine's ``roads``, ``timing``, ``ledger`` and ``declared_dates`` ask for:
    None without roads, where the other three are refused (they change only the roads)."""
    if roads:
        if timing is not None:
            check_instance(timing, CapeTiming, field="timing")
        return RoadJob(timing or default_cape_timing(), _ledger(ledger), _dates(declared_dates))
    if timing is not None or ledger is not None or declared_dates is not None:
        raise InvalidFormat(
            "timing, ledger and declared_dates only change the roads: pass roads=True",
            field="roads",
            value=roads,
        )
    return None


#: The rules whose reasons make the road read the entry's summary date (a post-summary
#: correction's deadline) or its lines: such an entry's road is the per-entry path's.
_LINE_RULES = ("invalid_hts", "hts_relationship", "goods_value_ch1_97", "psc_window")


def with_roads(job: _Job, table: pl.DataFrame) -> pl.DataFrame:
    """The table with ``_way`` (the index of its road in ``job.roads.ways``) and
    ``_road_interest`` (cents to the expected date; null: no figure or no expected date).

    The road reads the entry's screening facts, whether its refund is known to be zero and
    its declaration (file and date), never its amounts (``roads._roads._way``): so it is
    computed once per distinct set of those, on a probe entry, by the roads' own code. An
    entry whose road would read more (its summary date, its lines) is dropped here and so
    goes to the per-entry path, as the engine does with every entry it is in doubt about.
    """
    import polars as pl

    assert job.roads is not None
    roads = job.roads
    numbers = table["entry_number"]
    listed = [n for n in roads.ledger if isinstance(n, str)]
    declared = numbers.filter(numbers.is_in(pl.Series(listed, dtype=pl.String).implode()))
    files: list[str | None] = []
    whens: list[date | None] = []
    opens = _facts(job.rules).opens
    for number in declared.to_list():
        declared_in, when = _declared(
            number, job.declared_on, roads.ledger, roads.declared_dates, opens
        )
        files.append(declared_in)
        whens.append(when)
    marks = pl.DataFrame(
        {
            "entry_number": declared,
            "_declared_in": pl.Series(files, dtype=pl.String),
            "_declared_when": pl.Series(whens, dtype=pl.Date),
        }
    )
    table = table.join(marks, on="entry_number", how="left", maintain_order="left").with_columns(
        _nothing=pl.col("high").is_not_null() & (pl.col("high") <= 0),
        _declared=pl.col("entry_number").is_in(declared.implode()),
    )
    fields = [
        *(_SCREEN_FIELDS if job.plaintiffs else _SCREEN_FIELDS[:-1]),
        "_nothing", "_declared", "_declared_in", "_declared_when",
    ]  # fmt: skip
    keys = table.group_by(fields).agg(pl.col("entry_number").first().alias("_rep"))
    reps = table.filter(pl.col("entry_number").is_in(keys["_rep"].implode()))
    found: dict[str, int | None] = {}
    for row in reps.iter_rows(named=True):
        declared_in = row["_declared_in"] if row["_declared"] else None
        found[row["entry_number"]] = new_way(
            job, row, row["_nothing"], declared_in, row["_declared_when"]
        )
    keys = keys.with_columns(
        _way=pl.Series([found[rep] for rep in keys["_rep"].to_list()], dtype=pl.Int64),
        _expected=pl.Series(
            [None if (k := found[rep]) is None else roads.ways[k][5] for rep in keys["_rep"]],
            dtype=pl.Date,
        ),
    ).drop("_rep")
    ways = table.select(fields).join(
        keys, on=fields, how="left", nulls_equal=True, maintain_order="left"
    )
    table = table.with_columns(ways.select("_way", "_expected")).drop(
        "_nothing", "_declared", "_declared_in", "_declared_when"
    )
    table = table.filter(pl.col("_way").is_not_null())
    return table.with_columns(_road_interest=_interest_to(job, table)).drop("_expected")


def new_way(
    job: _Job,
    row: Mapping[str, Any],
    nothing: bool,
    declared_in: str | None,
    when: date | None,
) -> int | None:
    """The index in ``job.roads.ways`` of a new way: the road of an entry of the rules with
    these facts (``row``: its own fields, its number, one of its IEEPA numbers, whether its
    IEEPA duties are all 0.00, as :func:`._compute._probe_entry` reads them), made by the
    roads' own code on a probe entry; None where the road would read more than these facts
    (its lines, its summary date): such an entry is the per-entry path's."""
    assert job.roads is not None
    roads = job.roads
    probe = _probe_entry(row)
    now = job.screen(probe)
    facts = _facts(job.rules)
    odd = frozenset().union(*(facts.codes(name) for name in _LINE_RULES))
    if odd & set(now.reason_codes):
        return None
    # The date the data are as of, one per run: as the per-entry road takes it.
    as_of = job.options.interest_until or job.declared_on
    way = _way(
        probe, now, nothing, declared_in, when, job.rules, roads.timing, facts, job.registry,
        job.plaintiffs, True, as_of,
    )  # fmt: skip
    roads.ways.append((now, declared_in, *way))
    return len(roads.ways) - 1


def _interest_to(job: _Job, table: pl.DataFrame) -> pl.Series:
    """Interest in cents to the expected date, as ``roads._interest._interest_to`` gives it:
    the span's growth from the same cache, applied as the refund's interest is."""
    import polars as pl

    spans = (
        table.filter(pl.col("_expected").is_not_null() & (pl.col("principal") > 0))
        .select("deposit_date", "_expected")
        .unique()
    )
    totals = [
        # Before the deposit the road has no figure (compute_refund's warning says why).
        None if until < deposited else _growth(deposited, until, job.options, job.rates)
        for deposited, until in spans.iter_rows()
    ]
    growth = spans.with_columns(
        g=pl.Series([None if t is None else str(t) for t in totals], dtype=pl.String)
    )
    found = table.select("principal", "deposit_date", "_expected").join(
        growth, on=["deposit_date", "_expected"], how="left", maintain_order="left"
    )
    return _interest_cents(
        found.select("principal", "g", interest_until="_expected"), job.options
    ).alias("_road_interest")


def made_road(
    job: _Job,
    number: str,
    payee: str,
    liquidated: date | None,
    principal: Decimal,
    high: Decimal | None,
    interest: Decimal | None,
    until: date | None,
    index: int,
    cents: int | None,
) -> EntryRoad:
    """The road of an entry the rules computed: its way (``job.roads.ways[index]``) and its
    money, the interest to the expected date (``cents``) where the way has one."""
    assert job.roads is not None
    roads = job.roads
    now, declared_in, road, later, _, expected, payment, action, deadline = roads.ways[index]
    if expected is not None:
        interest = None if cents is None else Decimal(cents).scaleb(-2)
        until = expected
    return _new_road(
        number,
        payee,
        road,
        job.declared_on,
        liquidated,
        principal,
        high,
        interest,
        until,
        action,
        deadline,
        later.declared_on if later is not None else None,
        declared_in,
        expected,
        payment,
        now.reasons,
        now.rules_version,
        roads.timing.data_version,
    )


def bulk_roads(job: _Job, entries: pl.DataFrame, found: pl.DataFrame | None) -> Roads:
    """Each entry's road, in the table's order: a columnar entry's from its way and money,
    a per-entry one's as the per-entry path gave it. ``found``: each columnar entry's
    number, ``_way`` and ``_road_interest`` (interest cents to the expected date)."""
    import polars as pl

    assert job.roads is not None
    roads = job.roads
    made = []
    columns = (
        "entry_number", "payee", "liquidation_date", "principal", "principal_high", "interest",
        "interest_until",
    )  # fmt: skip
    table = entries.select(columns)
    if found is None:  # no entry computed in columns
        table = table.with_columns(
            _way=pl.lit(None, dtype=pl.Int64), _road_interest=pl.lit(None, dtype=pl.Int64)
        )
    else:
        table = table.join(found, on="entry_number", how="left", maintain_order="left")
    for (
        number,
        payee,
        liquidated,
        principal,
        high,
        interest,
        until,
        index,
        cents,
    ) in table.iter_rows():
        if index is None:  # every columnar entry has a way (with_roads keeps only those)
            made.append(roads.entry_roads[number])
            continue
        made.append(
            made_road(
                job, number, payee, liquidated, principal, high, interest, until, index, cents
            )
        )
    return Roads(tuple(made))
