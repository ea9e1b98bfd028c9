"""Results as plain records, tidy DataFrames and notebook summaries: a generic engine.

Every result type turns into records, one dict per row at the level asked
(an entry, a line, a tariff, a payment...), with no pandas needed:

    >>> from ieepa_refund import Entry, compute_refund
    >>> refund = compute_refund(Entry.model_validate({
    ...     "entry_number": "B76-0324527-8", "entry_type": "01", "importer_number": "12-3456789AB",
    ...     "entry_date": "2025-06-02",
    ...     "lines": [{"number": 1, "country_of_origin": "CN",
    ...                "tariffs": [{"hts": "9903.01.24", "duty": "2000.00"}]}]}))
    >>> [(r["hts"], r["program"], r["refund"]) for r in refund.to_records(level="tariff")]
    [('9903.01.24', 'fentanyl_china', Decimal('2000.00'))]

With the ``pandas`` extra, ``to_dataframe`` gives the same rows with typed
columns: text as ``string``, dates as ``datetime64``, counts as ``Int64``,
flags as ``boolean``, and money as exact ``Decimal`` objects unless
``decimals="float"`` (or ``"str"``) is asked for. The records and frames
carry exactly the totals of the results they came from.

This module knows no result class. Each result class declares its own table
forms beside its fields, in a ``__tables__`` class attribute: a tuple of
:class:`Level` (the first is the default), each naming its columns once, with
their kind, and where a row's values come from:

    >>> from ieepa_refund.tables import Level, column
    >>> level = Level("line", column("line", "int", "number"), each="lines",
    ...               outer=(column("entry_number", "str"),))
    >>> [c.name for c in level.schema]
    ['entry_number', 'line']

A collection (``Refunds``, ``Consolidation``...) declares none and hands its
results over with ``items_for_tables()``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from .money import to_float

if TYPE_CHECKING:
    from collections import Counter

    import pandas as pd

__all__ = [
    "Column",
    "Decimals",
    "Kind",
    "Level",
    "column",
    "detail_html",
    "html_for",
    "records",
    "summary_html",
    "to_dataframe",
]

Kind = Literal["str", "money", "date", "int", "bool"]
"""How a column is typed in a DataFrame: text, exact money, a date, a count or a flag."""
Decimals = Literal["exact", "float", "str"]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its name, its kind and where a row's value comes from.

    ``source`` is an attribute path of the row's object (``"period.program"``
    reads None where a step is None) or a function of that object.
    """

    name: str
    kind: Kind
    source: str | Callable[[Any], Any]

    def __post_init__(self) -> None:
        if isinstance(self.source, str) and not _is_path(self.source):
            raise ValueError(f"source: an attribute path, not {self.source!r}")


def column(name: str, kind: Kind, source: str | Callable[[Any], Any] | None = None) -> Column:
    """A :class:`Column` read from the attribute ``name`` unless ``source`` says otherwise."""
    return Column(name, kind, source or name)


def _is_path(text: str) -> bool:
    return all(step.isidentifier() for step in text.split("."))


class Level:
    """One table form of a result: a row per result, or a row per item under it.

    ``each`` (an attribute path) names the items that make the rows, one row
    each; without it the result itself is the row. ``outer`` columns are read
    from the result and come first in every row (the entry number on a line).
    """

    __slots__ = ("columns", "each", "name", "outer", "rows")

    rows: Callable[[Any], Iterator[Row]]
    """The rows of one result at this level."""

    def __init__(
        self,
        name: str,
        *columns: Column,
        each: str | None = None,
        outer: tuple[Column, ...] = (),
    ) -> None:
        if each is not None and not _is_path(each):
            raise ValueError(f"each: an attribute path, not {each!r}")
        self.name = name
        self.columns = columns
        self.each = each
        self.outer = outer
        self.rows = _compile(self)

    def __repr__(self) -> str:
        return f"Level({self.name!r}, {len(self.schema)} columns)"

    @property
    def schema(self) -> tuple[Column, ...]:
        """Every column of a row, in order."""
        return self.outer + self.columns


def _compile(level: Level) -> Callable[[Any], Iterator[Row]]:
    """The level's row function, written out once as the dict literal a hand-written one
    would build: reading a column costs an attribute load, not a call (as ``dataclasses``
    writes its ``__init__``). Column names and paths are data, never code: names go in as
    ``repr`` literals, paths are checked to be identifiers."""
    namespace: dict[str, Any] = {}

    def read(col: Column, var: str) -> str:
        if callable(col.source):
            function = f"_f{len(namespace)}"
            namespace[function] = col.source
            return f"{function}({var})"
        first, *rest = col.source.split(".")
        if not rest:
            return f"{var}.{first}"
        guarded = f"(_t := {var}.{first})"
        for step in rest[:-1]:
            guarded = f"(None if {guarded} is None else (_t := _t.{step}))"
        return f"(None if {guarded} is None else _t.{rest[-1]})"

    def literal(columns: Iterable[Column], var: str) -> str:
        return ", ".join(f"{col.name!r}: {read(col, var)}" for col in columns)

    if level.each is None:
        body = f"    yield {{{literal(level.schema, 'result')}}}"
    else:
        outer = "".join(f"    _o{i} = {read(col, 'result')}\n" for i, col in enumerate(level.outer))
        held = ", ".join(f"{col.name!r}: _o{i}" for i, col in enumerate(level.outer))
        row = ", ".join(part for part in (held, literal(level.columns, "item")) if part)
        body = f"{outer}    for item in result.{level.each}:\n        yield {{{row}}}"
    exec(f"def rows(result):\n{body}\n", namespace)
    rows: Callable[[Any], Iterator[Row]] = namespace["rows"]
    return rows


def _levels(item: Any) -> tuple[Level, ...]:
    levels: tuple[Level, ...] = getattr(type(item), "__tables__", ())
    if not levels:
        raise TypeError(f"no table form for {type(item).__name__}")
    return levels


def _items(obj: Any) -> tuple[list[Any], tuple[Level, ...]]:
    """The results behind ``obj`` (one result, a collection, or an iterable) and their levels."""
    if getattr(type(obj), "__tables__", ()):
        return [obj], _levels(obj)
    items = list(getattr(obj, "items_for_tables", lambda: obj)())
    if not items:
        return [], ()
    levels = _levels(items[0])
    if any(_levels(item) is not levels for item in items):
        kinds = sorted({type(item).__name__ for item in items})
        raise TypeError(f"a table holds one type of result, not {kinds}")
    return items, levels


def _level(items: list[Any], levels: tuple[Level, ...], level: str | None) -> Level:
    if level is None:
        return levels[0]
    for candidate in levels:
        if candidate.name == level:
            return candidate
    names = sorted(candidate.name for candidate in levels)
    raise ValueError(f"level: {type(items[0]).__name__} has levels {names}, not {level!r}")


def records(obj: Any, *, level: str | None = None) -> list[Row]:
    """Plain records, one dict per row at ``level`` (default: the type's first level)."""
    items, levels = _items(obj)
    if not items:
        return []
    chosen = _level(items, levels, level)
    return [row for item in items for row in chosen.rows(item)]


def to_dataframe(
    obj: Any, *, level: str | None = None, decimals: Decimals = "exact"
) -> pd.DataFrame:
    """A tidy DataFrame with typed columns (needs the ``pandas`` extra)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install 'ieepa-refund[pandas]'") from None
    if decimals not in ("exact", "float", "str"):
        raise ValueError(f"decimals: expected 'exact', 'float' or 'str', not {decimals!r}")
    items, levels = _items(obj)
    schema = _level(items, levels, level).schema if items else ()
    rows = records(obj, level=level) if items else []
    frame = pd.DataFrame.from_records(rows, columns=[c.name for c in schema])
    for name, column_kind in ((c.name, c.kind) for c in schema):
        column = frame[name]
        if column_kind == "money":
            if decimals == "float":
                frame[name] = column.map(lambda v: None if v is None else to_float(v)).astype(
                    "float64"
                )
            elif decimals == "str":
                frame[name] = column.map(lambda v: None if v is None else str(v)).astype("string")
            else:
                frame[name] = column.astype(object)
        elif column_kind == "date":
            frame[name] = pd.to_datetime(column)
        elif column_kind == "int":
            frame[name] = column.astype("Int64")
        elif column_kind == "bool":
            frame[name] = column.astype("boolean")
        else:
            frame[name] = column.astype("string")
    return frame


# --- notebook summaries -----------------------------------------------------------------------


def html_for(obj: Any) -> str:
    """The notebook summary of any result or collection: its own ``summary_html()``."""
    summary: Callable[[], str] | None = getattr(obj, "summary_html", None)
    if summary is None:
        raise TypeError(f"no notebook summary for {type(obj).__name__}")
    return summary()


def summary_html(
    title: str,
    rows: Sequence[tuple[str, Any]],
    codes: Counter[str] | None = None,
    *,
    detail: str = "",
) -> str:
    """A compact HTML summary: a title, figures, counts by warning or reason code, and ``detail``
    (HTML the caller built, such as :func:`detail_html`)."""
    parts = [f"<div><strong>{html.escape(title)}</strong>", _table(rows)]
    if codes:
        top = codes.most_common(12)
        shown = ", ".join(f"{html.escape(code)} {n:,}" for code, n in top)
        more = f" and {len(codes) - len(top)} more codes" if len(codes) > len(top) else ""
        parts.append(f"<p>{shown}{more}</p>")
    parts.append("<p><em>Estimates, not legal advice.</em></p></div>")
    return "".join(parts) + detail


def detail_html(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain HTML table of ``rows`` under ``header``, numbers right-aligned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"<td style='text-align:right'>{value:,}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _table(rows: Sequence[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:right'>{html.escape(_show(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
