"""The command's row per entry (``estimate``/``demo``): its columns, its cells, and the
writers that put it in a CSV, a JSON array or an .xlsx sheet."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any, TextIO

from ..entry import Entry
from ..refund import EntryRefund, RefundFigures
from ..roads import EntryRoad
from ._output import Outputs, cell, format_of

__all__ = ["ESTIMATE_COLUMNS"]

#: The command's row per entry. Columns that the records of an EntryRefund also have carry the
#: same names and values (a test holds them together), so that a CSV and a DataFrame join.
ESTIMATE_COLUMNS = (
    "entry_number",
    "importer_number",
    "payee",
    "entry_type",
    "entry_date",
    "liquidation_date",
    "deposit_date",
    "deposit_basis",
    "interest_until",
    "method",
    "paid",
    "ieepa_duty_paid",
    "owed",
    "principal",
    "principal_high",
    "interest",
    "interest_missing",
    "total",
    "warnings",
    "data_version",
    "rates_version",
    "road",
    "next_action",
    "deadline",
    "expected_liquidation",
    "expected_payment",
    "interest_to_expected",
)

#: The road columns of a row, blank with --no-roads.
_NO_ROAD: list[Any] = [None] * 6


def _road_cells(road: EntryRoad | None) -> list[Any]:
    if road is None:
        return _NO_ROAD
    return [
        road.label,
        road.next_action,
        road.deadline,
        road.expected_liquidation,
        road.expected_payment,
        road.interest if road.expected_liquidation else None,
    ]


def _row(entry: Entry, refund: EntryRefund | RefundFigures, road: EntryRoad | None) -> list[Any]:
    """An entry's row from its refund or its figures: the same cells from either."""
    return [
        entry.entry_number,  # the bare 11 characters: joins with records, JSON and declarations
        refund.importer_number,
        refund.payee,
        entry.entry_type,
        entry.entry_date,
        refund.liquidation_date,
        refund.deposit_date,
        refund.deposit_basis,
        refund.interest_until,
        refund.method,
        refund.paid,
        refund.ieepa_paid,
        refund.owed,
        refund.principal,
        refund.principal_high,
        refund.interest,
        refund.interest is None and refund.principal > 0,  # as in the records: never a silent NA
        refund.total,
        " ".join(sorted(set(refund.warning_codes))),
        refund.data_version,
        refund.rates_version,
        *_road_cells(road),
    ]


class _Rows:
    """One row per entry, to a CSV, a JSON array (file or stdout) or an .xlsx sheet."""

    def __init__(self, kind: str, stream: TextIO | None = None, path: Path | None = None) -> None:
        self.kind, self.stream, self.path = kind, stream, path
        self.count = 0
        if kind == "csv":
            assert stream is not None
            self.csv = csv.writer(stream)
            self.csv.writerow(ESTIMATE_COLUMNS)
        elif kind == "json":
            assert stream is not None
            stream.write("[")
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("refunds")
            self.sheet.append(list(ESTIMATE_COLUMNS))

    def write(self, row: list[Any], refund: EntryRefund | None) -> None:
        if self.kind == "csv":
            self.csv.writerow([cell(v) for v in row])
        elif self.kind == "json":
            assert self.stream is not None
            assert refund is not None  # JSON rows come from the per-entry path (bulk_gaps)
            item = {
                **dict(zip(ESTIMATE_COLUMNS, row, strict=True)),
                "detail": refund.model_dump(mode="json"),
            }
            self.stream.write(("," if self.count else "") + "\n" + json.dumps(item, default=str))
        else:
            self.sheet.append([_xlsx_cell(v) for v in row])
        self.count += 1

    def close(self) -> None:
        if self.kind == "json":
            assert self.stream is not None
            self.stream.write("\n]\n")
        elif self.kind == "xlsx":
            assert self.path is not None
            self.book.save(self.path)


def _xlsx_cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = cell(value)
    # openpyxl refuses control characters in text; a cell of the input may hold one.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _rows(args: argparse.Namespace, outputs: Outputs, out: TextIO) -> _Rows | None:
    if args.out is None:
        return _Rows("json", out) if args.json else None
    kind = format_of(args.out)
    if kind == "xlsx":
        return _Rows(kind, path=outputs.temp_path(args.out))
    return _Rows(kind, outputs.text(args.out))
