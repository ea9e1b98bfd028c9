"""What a full pass over an ES-003's rows learns about whole columns, and what it concludes.

:class:`_Watch` gathers it as :func:`._rows.data_rows` goes: per date column, its proofs of
day-first and month-first dates and its first ambiguous date, its text dates beside a
workbook's date cells, and whether a status says liquidated. :func:`_conclude` then refuses a
file a locale has damaged past reading, drops (or refuses) a day-first date column, and warns
of a liquidated status with no date column. Split from ``_rows`` (one job a module).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputFileError
from ._columns import REQUIRED
from ._header import SourceFile, _warning

__all__: list[str] = []


@dataclass
class _Watch:
    """What a pass over the rows learns about whole columns."""

    day_first: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Per date column, its first text date that can only be month-first (04/14/2026): a
    #: column holding one is MM/DD/YYYY as ES-003 writes it, and a day-first date in it is a
    #: bad cell of its row (a hand edit, t64/06), not the mark of a day-first column.
    month_first: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Per date column, its first text date that reads either way (03/04/2025), and its first
    #: text date shaped NN/NN/YY(YY) (any of / . -) and date cell (a workbook's): see
    #: :func:`_locale_checks`.
    ambiguous: dict[str, tuple[int, str]] = field(default_factory=dict)
    text_dates: dict[str, tuple[int, str]] = field(default_factory=dict)
    date_cells: dict[str, int] = field(default_factory=dict)
    liquidated: int | None = None


def _header_of(source: SourceFile, name: str) -> str:
    return repr(str(source.headers[source.columns[name]]))


def _locale_checks(source: SourceFile, watch: _Watch) -> None:
    """Refuse a file whose dates a locale has damaged past reading (t64/01, t64/03).

    A workbook date column holding date cells beside NN/NN/YYYY text dates is what a
    day-first Excel makes of a MM/DD/YYYY export: each date it could read day-first (day 12
    or less) became a date cell with day and month swapped, the others stayed text. So are
    text dates the reader refuses, MM/DD/YY or 09.15.2025 (t69/02); ISO text is not (Excel
    reads it as the date it is, in any locale). Which
    date cells are swapped cannot be told, so the file is refused.

    One file is written in one locale: a column proving day-first (a first number over 12)
    proves the file was, so the dates of its other columns that read either way (03/04/2025)
    cannot be read month-first with confidence, nor day-first (a column may be ISO-like or
    typed apart). The file is refused, not read half right.
    """
    for name, row in watch.date_cells.items():
        if name in watch.text_dates:
            at, text = watch.text_dates[name]
            raise InputFileError(
                f"{source.name}: the {_header_of(source, name)} column mixes date cells (row "
                f"{row}) with dates written as text ({text!r} at row {at}): the mark of a "
                "MM/DD/YYYY file opened in a day-first Excel, which made the dates it could "
                "read day-first (day 12 or less) date cells with day and month swapped and "
                "left the others as text; read the original CSV export instead, or re-export "
                "with MM/DD/YYYY or YYYY-MM-DD dates as text",
                field="file",
                value=source.name,
            )
    day_first = _day_first_columns(watch)
    if not day_first:
        return
    proof, (number, text) = min(day_first.items(), key=lambda item: item[1][0])
    others = {
        name: found
        for name, found in watch.ambiguous.items()
        if name not in day_first and name not in watch.month_first
    }
    if not others:
        return  # no other column is in doubt: the proving column alone is refused, below
    where = "; ".join(
        f"{_header_of(source, name)} ({cell!r} at row {at})"
        for name, (at, cell) in sorted(others.items(), key=lambda item: item[1][0])
    )
    raise InputFileError(
        f"{source.name}: the {_header_of(source, proof)} column holds a day-first date "
        f"({text!r} at row {number}), so the file was written day-first, but its other date "
        f"columns hold dates that read either way: {where}; ES-003 dates are MM/DD/YYYY, "
        "and none of these can be read with confidence; re-export with MM/DD/YYYY or "
        "YYYY-MM-DD dates",
        field="file",
        value=source.name,
    )


def _day_first_columns(watch: _Watch) -> dict[str, tuple[int, str]]:
    """The date columns written day-first: a day-first date and none that can only be
    month-first. A column with both is MM/DD/YYYY, and each of its day-first dates is read
    as a date (it is not one, MM/DD) and rejected with its row by name."""
    return {name: found for name, found in watch.day_first.items() if name not in watch.month_first}


def _conclude(source: SourceFile, watch: _Watch) -> None:
    if source.concluded:
        return
    source.concluded = True
    _locale_checks(source, watch)
    for name, (number, text) in _day_first_columns(watch).items():
        header = str(source.headers[source.columns[name]])
        # ES-003 dates are MM/DD/YYYY. A first number over 12 means this column is day-first,
        # and then every date in it with both numbers 12 or less (03/04/2025) is ambiguous:
        # the column as a whole is refused, never read row by row half right.
        message = (
            f"the {header!r} column holds day-first dates ({text!r} at row {number}); "
            "ES-003 dates are MM/DD/YYYY, and a date such as 03/04/2025 cannot be read both ways"
        )
        if name in REQUIRED:
            raise InputFileError(
                f"{source.name}: {message}; re-export with MM/DD/YYYY or YYYY-MM-DD dates",
                field="file",
                value=source.name,
            )
        del source.columns[name]
        source.ignored.append(header)
        source.warnings.append(
            _warning(source.name, "DAY_FIRST_DATES", f"{message}; the column is not read", header)
        )
    if watch.liquidated is not None and "liquidation_date" not in source.columns:
        source.warnings.append(
            _warning(
                source.name,
                "MISSING_COLUMN",
                f"no liquidation_date column, but row {watch.liquidated} says liquidated: "
                "liquidated entries have no liquidation date (protest windows and CAPE "
                "eligibility depend on it)",
                "liquidation_date",
            )
        )
