"""Results as plain records, tidy DataFrames and notebook summaries.

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
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from . import hts as _hts
from .money import to_float

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Decimals",
    "LEVELS",
    "html_for",
    "records",
    "summary_html",
    "to_dataframe",
]

Kind = Literal["str", "money", "date", "int", "bool"]
Decimals = Literal["exact", "float", "str"]
ZERO = Decimal("0.00")
Row = dict[str, Any]
Schema = tuple[tuple[str, Kind], ...]


def _codes(codes: Iterable[str]) -> str:
    return " ".join(sorted(set(codes)))


# --- one function per (type, level): what a row holds -----------------------------------------


def _refund_entry(r: Any) -> Iterator[Row]:
    yield {
        "entry_number": r.entry_number,
        "importer_number": r.importer_number,
        "payee": r.payee,
        "liquidation_date": r.liquidation_date,
        "method": r.method,
        "paid": r.paid,
        "owed": r.owed,
        "principal": r.principal,
        "principal_high": r.principal_high,
        "interest": r.interest,
        # A refund with no interest figure: its NA would drop silently out of a column sum.
        "interest_missing": r.interest is None and r.principal > 0,
        "total": r.total,
        "deposit_date": r.deposit_date,
        "deposit_basis": r.deposit_basis,
        "interest_until": r.interest_until,
        "warnings": _codes(r.warning_codes),
        "data_version": r.data_version,
        "rates_version": r.rates_version,
    }


def _refund_line(r: Any) -> Iterator[Row]:
    for line in r.lines:
        yield {
            "entry_number": r.entry_number,
            "line": line.number,
            "country_of_origin": line.country_of_origin,
            "paid": line.paid,
            "owed": line.owed,
            "refund": line.refund,
            "refund_high": line.refund_high,
        }


def _refund_tariff(r: Any) -> Iterator[Row]:
    for line in r.lines:
        for t in line.tariffs:
            p = t.period
            yield {
                "entry_number": r.entry_number,
                "line": t.line,
                "hts": _hts.format(t.hts),
                "status": t.status,
                "authority": t.authority,
                "program": p.program if p else None,
                "kind": p.kind if p else None,
                "rate_type": p.rate_type if p else None,
                "rate_percent": p.rate_percent if p else None,
                "period_from": p.effective_from if p else None,
                "period_to": p.effective_to if p else None,
                "paid": t.paid,
                "owed": t.owed,
                "refund": t.refund,
                "refund_high": t.refund_high,
                "estimated": t.estimated,
                "reason": t.reason,
                "source": p.source if p else None,
            }


def _payment(p: Any) -> Iterator[Row]:
    yield {
        "payee": p.payee,
        "liquidation_date": p.liquidation_date,
        "principal": p.principal,
        "interest": p.interest,
        "offset": p.offset,
        "net": p.net,
        "entries": len(p.entries),
    }


def _allocation(p: Any) -> Iterator[Row]:
    for a in p.allocations:
        yield {
            "payee": p.payee,
            "liquidation_date": p.liquidation_date,
            "entry_number": a.entry_number,
            "principal": a.principal,
            "interest": a.interest,
            "offset": a.offset,
            "net": a.net,
        }


def _screening(s: Any) -> Iterator[Row]:
    yield {
        "entry_number": s.entry_number,
        "declared_on": s.declared_on,
        "status": s.status,
        "eligible": s.eligible,
        "reasons": " ".join(s.reason_codes),
        "cape_window_closes": s.deadlines.cape_window_closes,
        "reliquidation_window_closes": s.deadlines.reliquidation_window_closes,
        "protest_window_closes": s.deadlines.protest_window_closes,
        "rules_version": s.rules_version,
    }


def _reason(s: Any) -> Iterator[Row]:
    for r in s.reasons:
        yield {
            "entry_number": s.entry_number,
            "code": r.code,
            "effect": r.effect,
            "message": r.message,
            "cbp_message": r.cbp_message,
        }


def _problem(report: Any) -> Iterator[Row]:
    for p in report.problems:
        yield {
            "file": p.file,
            "row": p.row,
            "code": p.code,
            "column": p.column,
            "value": p.value,
            "entry_number": p.entry_number,
            "rows": p.rows,
            "message": p.message,
        }


def _file(report: Any) -> Iterator[Row]:
    for f in report.files:
        yield {
            "file": f.file,
            "format": f.format,
            "encoding": f.encoding,
            "sheet": f.sheet,
            "header_row": f.header_row,
            "rows_read": f.rows_read,
            "recognised": len(f.recognised),
            "ignored": len(f.ignored),
        }


def _declaration_file(batch: Any) -> Iterator[Row]:
    for f in batch.files:
        yield {
            "name": f.name,
            "count": f.count,
            "holds": f.holds,
            "first": f.first,
            "last": f.last,
            "sha256": f.sha256,
        }


def _skipped(batch: Any) -> Iterator[Row]:
    for s in batch.skipped:
        yield {"position": s.position, "value": s.value, "code": s.code, "message": s.message}


def _difference(d: Any) -> Iterator[Row]:
    b, a = d.baseline, d.scenario
    yield {
        "entry_number": b.entry_number,
        "payee": b.payee,
        "baseline_counted": b.counted,
        "scenario_counted": a.counted,
        "baseline_status": b.status,
        "scenario_status": a.status,
        "baseline_liquidation": b.liquidation_date,
        "scenario_liquidation": a.liquidation_date,
        "baseline_principal": b.principal,
        "scenario_principal": a.principal,
        "baseline_interest": b.interest,
        "scenario_interest": a.interest,
        "baseline_value": b.value,
        "scenario_value": a.value,
        "change": d.change,
        "interest_missing": b.interest_missing or a.interest_missing,
    }


def _outcome(o: Any) -> Iterator[Row]:
    yield {
        "entry_number": o.entry_number,
        "payee": o.payee,
        "counted": o.counted,
        "status": o.status,
        "liquidation_date": o.liquidation_date,
        "liquidation_assumed": o.liquidation_assumed,
        "principal": o.principal,
        "interest": o.interest,
        "interest_missing": o.interest_missing,
        "value": o.value,
    }


def _week(w: Any) -> Iterator[Row]:
    yield {
        "week_start": w.week_start,
        "cape_closing": len(w.cape),
        "cape_at_stake": w.cape_at_stake,
        "reliquidation_closing": len(w.reliquidation),
        "reliquidation_at_stake": w.reliquidation_at_stake,
        "protest_closing": len(w.protest),
        "protest_at_stake": w.protest_at_stake,
    }


M: Kind = "money"
S: Kind = "str"
D: Kind = "date"
N: Kind = "int"
B: Kind = "bool"
#: type name -> level -> (row maker, column kinds). The first level is the default.
LEVELS: dict[str, dict[str, tuple[Callable[[Any], Iterator[Row]], Schema]]] = {
    "EntryRefund": {
        "entry": (_refund_entry, (
            ("entry_number", S), ("importer_number", S), ("payee", S), ("liquidation_date", D),
            ("method", S), ("paid", M), ("owed", M), ("principal", M), ("principal_high", M),
            ("interest", M), ("interest_missing", B), ("total", M), ("deposit_date", D), ("deposit_basis", S),
            ("interest_until", D), ("warnings", S), ("data_version", S), ("rates_version", S),
        )),
        "line": (_refund_line, (
            ("entry_number", S), ("line", N), ("country_of_origin", S), ("paid", M), ("owed", M),
            ("refund", M), ("refund_high", M),
        )),
        "tariff": (_refund_tariff, (
            ("entry_number", S), ("line", N), ("hts", S), ("status", S), ("authority", S),
            ("program", S), ("kind", S), ("rate_type", S), ("rate_percent", M), ("period_from", D),
            ("period_to", D), ("paid", M), ("owed", M), ("refund", M), ("refund_high", M),
            ("estimated", B), ("reason", S), ("source", S),
        )),
    },
    "Payment": {
        "payment": (_payment, (
            ("payee", S), ("liquidation_date", D), ("principal", M), ("interest", M), ("offset", M),
            ("net", M), ("entries", N),
        )),
        "allocation": (_allocation, (
            ("payee", S), ("liquidation_date", D), ("entry_number", S), ("principal", M),
            ("interest", M), ("offset", M), ("net", M),
        )),
    },
    "Screening": {
        "entry": (_screening, (
            ("entry_number", S), ("declared_on", D), ("status", S), ("eligible", B), ("reasons", S),
            ("cape_window_closes", D), ("reliquidation_window_closes", D),
            ("protest_window_closes", D), ("rules_version", S),
        )),
        "reason": (_reason, (
            ("entry_number", S), ("code", S), ("effect", S), ("message", S), ("cbp_message", B),
        )),
    },
    "Es003Report": {
        "problem": (_problem, (
            ("file", S), ("row", N), ("code", S), ("column", S), ("value", S), ("entry_number", S),
            ("rows", N), ("message", S),
        )),
        "file": (_file, (
            ("file", S), ("format", S), ("encoding", S), ("sheet", S), ("header_row", N),
            ("rows_read", N), ("recognised", N), ("ignored", N),
        )),
    },
    "DeclarationBatch": {
        "file": (_declaration_file, (
            ("name", S), ("count", N), ("holds", S), ("first", S), ("last", S), ("sha256", S),
        )),
        "skipped": (_skipped, (("position", N), ("value", S), ("code", S), ("message", S))),
    },
}  # fmt: skip
LEVELS["Es003Import"] = LEVELS["Es003Report"]
LEVELS["Difference"] = {
    "entry": (_difference, (
        ("entry_number", S), ("payee", S), ("baseline_counted", B), ("scenario_counted", B),
        ("baseline_status", S), ("scenario_status", S), ("baseline_liquidation", D),
        ("scenario_liquidation", D), ("baseline_principal", M), ("scenario_principal", M),
        ("baseline_interest", M), ("scenario_interest", M), ("baseline_value", M), ("scenario_value", M),
        ("change", M), ("interest_missing", S),
    )),
}  # fmt: skip
LEVELS["Outcome"] = {
    "entry": (_outcome, (
        ("entry_number", S), ("payee", S), ("counted", B), ("status", S), ("liquidation_date", D),
        ("liquidation_assumed", B), ("principal", M), ("interest", M), ("interest_missing", S), ("value", M),
    )),
}  # fmt: skip
LEVELS["DeadlineWeek"] = {
    "week": (_week, (
        ("week_start", D), ("cape_closing", N), ("cape_at_stake", M), ("reliquidation_closing", N),
        ("reliquidation_at_stake", M), ("protest_closing", N), ("protest_at_stake", M),
    )),
}  # fmt: skip


def _kind_of(item: Any) -> str:
    for cls in type(item).__mro__:
        if cls.__name__ in LEVELS:
            return cls.__name__
    raise TypeError(f"no table form for {type(item).__name__}")


def _items(obj: Any) -> tuple[list[Any], str]:
    """The result objects behind ``obj`` (one result, a collection, or an iterable) and their type."""
    single = getattr(obj, "__class__", None)
    if single is not None and any(c.__name__ in LEVELS for c in type(obj).__mro__):
        return [obj], _kind_of(obj)
    items = list(getattr(obj, "items_for_tables", lambda: obj)())
    if not items:
        return [], ""
    kinds = {_kind_of(item) for item in items}
    if len(kinds) != 1:
        raise TypeError(f"a table holds one type of result, not {sorted(kinds)}")
    return items, kinds.pop()


def _level(kind: str, level: str | None) -> tuple[Callable[[Any], Iterator[Row]], Schema]:
    levels = LEVELS[kind]
    chosen = level or next(iter(levels))
    if chosen not in levels:
        raise ValueError(f"level: {kind} has levels {sorted(levels)}, not {chosen!r}")
    return levels[chosen]


def records(obj: Any, *, level: str | None = None) -> list[Row]:
    """Plain records, one dict per row at ``level`` (default: the type's first level)."""
    items, kind = _items(obj)
    if not items:
        return []
    make, _ = _level(kind, level)
    return [row for item in items for row in make(item)]


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
    items, kind = _items(obj)
    rows = records(obj, level=level) if items else []
    schema: Schema = _level(kind, level)[1] if items else ()
    frame = pd.DataFrame.from_records(rows, columns=[name for name, _ in schema])
    for name, column_kind in schema:
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


def html_for(obj: Any) -> str:
    """The notebook summary of any result or collection."""
    kind = type(obj).__name__
    if kind == "EntryRefund":
        rows = [
            ("entry", obj.entry_number), ("payee", obj.payee), ("method", obj.method),
            ("paid", obj.paid), ("owed", obj.owed), ("principal", obj.principal),
            ("principal (at most)", "no bound" if obj.principal_high is None else obj.principal_high),
            ("interest", "none yet" if obj.interest is None else obj.interest),
            ("interest to", obj.interest_until), ("deposit date", f"{_show(obj.deposit_date)} ({obj.deposit_basis})"),
            ("data", f"Chapter 99 {obj.data_version}, rates {obj.rates_version}"),
        ]  # fmt: skip
        tariffs = records(obj, level="tariff")[:50]
        table = "".join(
            f"<tr><td>{t['line']}</td><td>{t['hts']}</td><td>{html.escape(t['program'] or t['authority'] or '')}</td>"
            f"<td style='text-align:right'>{t['refund']:,}</td><td>{html.escape(t['reason'])}</td></tr>"
            for t in tariffs
        )
        detail = f"<table><tr><th>line</th><th>HTS</th><th>program</th><th>refund</th><th>why</th></tr>{table}</table>"
        return (
            summary_html(f"Refund of entry {obj.entry_number}", rows, Counter(obj.warning_codes))
            + detail
        )
    if kind == "Consolidation":
        payments = obj.payments
        rows = [
            ("payments", len(payments)), ("principal", sum((p.principal for p in payments), ZERO)),
            ("interest", sum((p.interest for p in payments), ZERO)), ("offsets", sum((p.offset for p in payments), ZERO)),
            ("net", obj.net), ("not yet liquidated", len(obj.unliquidated)), ("nothing to refund", len(obj.nothing_to_pay)),
        ]  # fmt: skip
        return summary_html("Payments as CBP consolidates them", rows)
    if kind in ("Es003Report", "Es003Import"):
        rows = [
            ("files", len(obj.files)), ("rows read", obj.rows_read), ("rows used", obj.rows_used),
            ("rows rejected", obj.rows_rejected), ("duplicates", obj.rows_duplicate), ("entries", obj.entry_count),
        ]  # fmt: skip
        return summary_html("ES-003 import", rows, Counter(p.code for p in obj.problems))
    if kind == "DeclarationBatch":
        rows = [
            ("batch", obj.batch_id),
            ("entries declared", obj.count),
            ("files", len(obj.files)),
            ("skipped", len(obj.skipped)),
        ]
        return summary_html("CAPE declarations", rows, Counter(s.code for s in obj.skipped))
    if kind == "Screening":
        rows = [
            ("entry", obj.entry_number),
            ("declared on", obj.declared_on),
            ("status", obj.status),
        ]
        return summary_html("CAPE screening", rows, Counter(obj.reason_codes))
    if kind == "Payment":
        rows = [
            ("payee", obj.payee),
            ("liquidated", obj.liquidation_date),
            ("net", obj.net),
            ("entries", len(obj.entries)),
        ]
        return summary_html("Payment", rows)
    summary: Callable[[], str] | None = getattr(obj, "summary_html", None)
    if summary is None:
        raise TypeError(f"no notebook summary for {kind}")
    return summary()


def summary_html(
    title: str, rows: Sequence[tuple[str, Any]], codes: Counter[str] | None = None
) -> str:
    """A compact HTML summary: a title, figures, and counts by warning or reason code."""
    parts = [f"<div><strong>{html.escape(title)}</strong>", _table(rows)]
    if codes:
        top = codes.most_common(12)
        shown = ", ".join(f"{html.escape(code)} {n:,}" for code, n in top)
        more = f" and {len(codes) - len(top)} more codes" if len(codes) > len(top) else ""
        parts.append(f"<p>{shown}{more}</p>")
    parts.append("<p><em>Estimates, not legal advice.</em></p></div>")
    return "".join(parts)
