"""The command's row per entry (``estimate``/``demo``): its columns, its cells, and the
writers that put it in a CSV, a JSON array or an .xlsx sheet."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ..entry import Entry
from ..interest import default_rate_table
from ..refund import EntryRefund, RefundFigures, WarningCode
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

#: The columns holding money (Decimal, two places): an .xlsx writes them as numbers (Excel
#: users sum them) shown with a thousands separator and two decimals, not General.
MONEY_COLUMNS = frozenset(
    (
        *("paid", "ieepa_duty_paid", "owed", "principal", "principal_high", "interest"),
        *("total", "interest_to_expected"),
    )
)
MONEY_FORMAT = "#,##0.00"
_MONEY_AT = frozenset(i for i, name in enumerate(ESTIMATE_COLUMNS) if name in MONEY_COLUMNS)

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


def road_codes(codes: frozenset[str], road: EntryRoad | None, principal: Decimal) -> frozenset[str]:
    """An entry's warning codes with RATE_PROJECTED added when its road's interest (to the
    expected (re)liquidation, ``interest_to_expected``) ran past the rate table's end: a
    figure the refund's own codes cannot flag, as its interest stops earlier. Only
    --project gives such a figure (without it there is none); both engines' rows and the
    summary's counts take their codes from here, so the two engines' outputs agree."""
    if (
        road is None
        or road.expected_liquidation is None
        or road.interest is None
        or road.interest_until is None
        or principal <= 0  # no interest owed on nothing: no rate was read
        or road.interest_until < default_rate_table().covers_to
    ):
        return codes
    return codes | {WarningCode.RATE_PROJECTED}


def _row(
    entry: Entry,
    refund: EntryRefund | RefundFigures,
    road: EntryRoad | None,
    codes: frozenset[str],
) -> list[Any]:
    """An entry's row from its refund or its figures: the same cells from either; ``codes``
    are its warning codes as :func:`road_codes` gives them."""
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
        " ".join(sorted(codes)),
        refund.data_version,
        refund.rates_version,
        *_road_cells(road),
    ]


class _Rows:
    """One row per entry, to a CSV, a JSON array (file or stdout) or an .xlsx sheet."""

    def __init__(
        self,
        kind: str,
        stream: TextIO | None = None,
        path: Path | None = None,
        *,
        as_of: date | None = None,
    ) -> None:
        self.kind, self.stream, self.path, self.as_of = kind, stream, path, as_of
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
            self.sheet.append(
                [self._money(v) if i in _MONEY_AT else _xlsx_cell(v) for i, v in enumerate(row)]
            )
        self.count += 1

    def close(self) -> None:
        if self.kind == "json":
            assert self.stream is not None
            self.stream.write("\n]\n")
        elif self.kind == "xlsx":
            assert self.path is not None
            assert self.as_of is not None
            _save_xlsx(self.book, self.path, self.as_of)

    def _money(self, value: Any) -> Any:
        """A money cell: a number formatted #,##0.00, its text the Decimal's own digits."""
        if not isinstance(value, Decimal):
            return _xlsx_cell(value)  # a blank (no figure)
        from openpyxl.cell import WriteOnlyCell

        money = WriteOnlyCell(self.sheet, value=0)  # typed a number ("n"): Excel sums it
        money.number_format = MONEY_FORMAT
        # openpyxl writes a number as "%.16g" % value, through a float: Decimal("864.32")
        # would be stored as 864.3200000000001. The cell keeps its number type and is given
        # the Decimal's own digits as its text (openpyxl writes a str value as it is), so the
        # file holds the value exactly.
        money._value = format(value, "f")  # type: ignore[attr-defined]
        return money


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members all carry one given time (and the same permissions), so the same
    rows give the same bytes: openpyxl stamps each member with the clock (``writestr``) or
    its temporary file's time (``write``)."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16  # as writestr gives a member: ?rw-------
        return info

    def writestr(  # type: ignore[override]
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: bytes | str, *args: Any
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args)

    def write(  # type: ignore[override]
        self, filename: str | Path, arcname: str | None = None, *args: Any
    ) -> None:
        info = self._info(arcname or Path(filename).name)
        info.file_size = Path(filename).stat().st_size  # lets zipfile choose ZIP64 for a big sheet
        with open(filename, "rb") as source, self.open(info, "w") as member:
            shutil.copyfileobj(source, member, 1 << 20)


def _save_xlsx(book: Any, path: Path, as_of: date) -> None:
    """Save ``book`` with every timestamp at the run's as-of date (midnight): the same input and
    options give the same bytes. The as-of date, not a fixed epoch, because it is the date the
    figures are computed for (interest runs to it), so a file's dates say what it holds; two
    runs that differ only in the clock write one file."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = datetime(as_of.year, as_of.month, as_of.day)  # noqa: DTZ001 - openpyxl: naive is UTC
    # The document's created/modified (docProps/core.xml): openpyxl's save would put now.
    book.properties.created = book.properties.modified = stamp
    archive = _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = stamp.timetuple()[:6]
    ExcelWriter(book, archive).save()


def _xlsx_cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = cell(value)
    # openpyxl refuses control characters in text; a cell of the input may hold one.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _rows(args: argparse.Namespace, outputs: Outputs, out: TextIO, *, as_of: date) -> _Rows | None:
    if args.out is None:
        return _Rows("json", out) if args.json else None
    kind = format_of(args.out)
    if kind == "xlsx":
        return _Rows(kind, path=outputs.temp_path(args.out), as_of=as_of)
    return _Rows(kind, outputs.text(args.out))
