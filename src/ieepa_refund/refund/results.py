"""Refund results: per HTS number, per line and per entry, each traceable to its data."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from .. import hts as _hts
from .._tabular import Tabular
from ..interest import InterestDetail, SegmentedInterest
from ..registry import HeadingPeriod, Status
from ..tables import Level, column, detail_html, summary_html
from .options import Method

__all__ = [
    "DepositBasis",
    "EntryRefund",
    "LineRefund",
    "RefundFigures",
    "RefundWarning",
    "TariffRefund",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DepositBasis(StrEnum):
    """Where a refund's deposit date came from; the value is the text reports show."""

    REPORTED = "deposit_date"
    """The entry's own deposit date."""
    PMS = "periodic monthly statement (15th working day)"
    """The 15th working day of the month after release (19 CFR 24.25)."""
    ENTRY_SUMMARY_DATE = "entry_summary_date (assumed)"
    """No deposit date: the entry summary date, as a flagged assumption."""
    ENTRY_DATE = "entry_date (assumed)"
    """No deposit date nor summary date: the entry date, as a flagged assumption."""

    @property
    def assumed(self) -> bool:
        return self in (DepositBasis.ENTRY_SUMMARY_DATE, DepositBasis.ENTRY_DATE)

    @property
    def field(self) -> str | None:
        """The entry field the date was taken from (None: computed by the PMS rule)."""
        return _BASIS_FIELDS[self]


_BASIS_FIELDS = {
    DepositBasis.REPORTED: "deposit_date",
    DepositBasis.PMS: None,
    DepositBasis.ENTRY_SUMMARY_DATE: "entry_summary_date",
    DepositBasis.ENTRY_DATE: "entry_date",
}


class RefundWarning(BaseModel):
    """Something a person should look at. ``code`` is stable; ``message`` is plain words."""

    model_config = _FROZEN

    code: str
    message: str
    line: int | None = None
    hts: str | None = None


class TariffRefund(BaseModel):
    """What happens to one HTS number when the IEEPA numbers are removed.

    ``refund = paid - owed``. Where a figure is not known, ``refund`` is the
    amount that is established (the low bound) and ``refund_high`` the most it
    could be (None: no bound); otherwise the two are equal.
    """

    model_config = _FROZEN

    line: int
    hts: str
    status: Status
    authority: str | None
    period: HeadingPeriod | None
    paid: Decimal
    owed: Decimal
    refund: Decimal
    refund_high: Decimal | None
    estimated: bool = False
    reason: str

    @property
    def uncertain(self) -> bool:
        return self.refund_high != self.refund

    @property
    def display_hts(self) -> str:
        return _hts.format(self.hts)


class LineRefund(BaseModel):
    """The refund of one entry line: the sum of its tariffs."""

    model_config = _FROZEN

    number: int
    country_of_origin: str
    paid: Decimal
    owed: Decimal
    refund: Decimal
    refund_high: Decimal | None
    tariffs: tuple[TariffRefund, ...]


# The entry's own figures, one row per refund: EntryRefund's first table, RefundFigures' only.
_ENTRY_LEVEL = Level(
    "entry",
    column("entry_number", "str"), column("importer_number", "str"),
    column("payee", "str"), column("liquidation_date", "date"), column("method", "str"),
    column("paid", "money"), column("owed", "money"), column("principal", "money"),
    column("principal_high", "money"), column("interest", "money"),
    # A refund with no interest figure: its NA would drop silently out of a column sum.
    column("interest_missing", "bool", lambda r: r.interest is None and r.principal > 0),
    column("total", "money"), column("deposit_date", "date"),
    column("deposit_basis", "str"), column("interest_until", "date"),
    column("warnings", "str", lambda r: " ".join(sorted(set(r.warning_codes)))),
    column("data_version", "str"), column("rates_version", "str"),
)  # fmt: skip


class _EntryLevel:
    """What :class:`EntryRefund` and :class:`RefundFigures` work out alike from their
    entry-level fields (one definition for both, so the two never drift apart)."""

    __slots__ = ()
    if TYPE_CHECKING:
        principal: Decimal
        principal_high: Decimal | None
        interest: Decimal | None
        notify_party: str | None
        importer_number: str
        warnings: tuple[RefundWarning, ...]

    @property
    def uncertain(self) -> bool:
        return self.principal_high != self.principal

    @property
    def total(self) -> Decimal | None:
        """Principal plus interest, when the interest is known."""
        return None if self.interest is None else self.principal + self.interest

    @property
    def payee(self) -> str:
        """Who CBP pays: the Form 4811 party when named, else the importer of record."""
        return self.notify_party or self.importer_number

    @property
    def warning_codes(self) -> tuple[str, ...]:
        """The codes as plain strings (``str`` of a :class:`WarningCode` is its name)."""
        return tuple(str(w.code) for w in self.warnings)


class EntryRefund(_EntryLevel, Tabular, BaseModel):
    """The refund principal of one entry, traceable to every HTS number.

    ``principal = paid - owed`` = the sum of the lines' refunds. Where some
    figure is uncertain, ``principal`` is the established amount and
    ``principal_high`` the most it could be (None: no upper bound).
    """

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        _ENTRY_LEVEL,
        Level(
            "line",
            column("line", "int", "number"), column("country_of_origin", "str"),
            column("paid", "money"), column("owed", "money"), column("refund", "money"),
            column("refund_high", "money"),
            each="lines", outer=(column("entry_number", "str"),),
        ),
        Level(
            "tariff",
            column("line", "int"), column("hts", "str", "display_hts"), column("status", "str"),
            column("authority", "str"), column("program", "str", "period.program"),
            column("kind", "str", "period.kind"), column("rate_type", "str", "period.rate_type"),
            column("rate_percent", "money", "period.rate_percent"),
            column("period_from", "date", "period.effective_from"),
            column("period_to", "date", "period.effective_to"),
            column("paid", "money"), column("owed", "money"), column("refund", "money"),
            column("refund_high", "money"), column("estimated", "bool"),
            column("reason", "str"), column("source", "str", "period.source"),
            each="tariffs", outer=(column("entry_number", "str"),),
        ),
    )  # fmt: skip

    entry_number: str
    importer_number: str
    notify_party: str | None = None
    liquidation_date: date | None = None
    method: Method
    paid: Decimal
    ieepa_paid: Decimal
    """The duty paid on the numbers of an IEEPA status (estimates included), whatever is refunded
    of it: what the command's ``ieepa_duty_paid`` column and summary show."""
    owed: Decimal
    principal: Decimal
    principal_high: Decimal | None
    lines: tuple[LineRefund, ...]
    warnings: tuple[RefundWarning, ...]
    data_version: str
    rounding: str
    interest: Decimal | None = None
    """Interest to ``interest_until``; None where it cannot be computed (a warning says why)."""
    interest_detail: InterestDetail | None = None
    interest_segments: SegmentedInterest | None = None
    """Per-segment interest when the entry has several deposits or pre-liquidation refunds
    (19 CFR 24.36(a)(1)); ``interest`` is then its netted figure and ``interest_detail`` None."""
    deposit_date: date | None = None
    deposit_basis: DepositBasis | None = None
    """Where the deposit date came from: ``deposit_date``, an assumption, or the PMS rule."""
    interest_until: date | None = None
    rates_version: str | None = None

    @property
    def tariffs(self) -> tuple[TariffRefund, ...]:
        return tuple(t for line in self.lines for t in line.tariffs)

    def summary_html(self) -> str:
        rows = _summary_rows(self)
        # The first 50 tariffs: enough to see why, short enough for any entry.
        tariffs = (
            (t.line, t.display_hts, (t.period.program if t.period else None) or t.authority or "",
             t.refund, t.reason)
            for t in self.tariffs[:50]
        )  # fmt: skip
        return summary_html(
            f"Refund of entry {self.entry_number}",
            rows,
            Counter(self.warning_codes),
            detail=detail_html(("line", "HTS", "program", "refund", "why"), tariffs),
        )


def _summary_rows(r: EntryRefund | RefundFigures) -> list[tuple[str, object]]:
    """The entry-level rows of a refund's notebook summary."""
    return [
        ("entry", r.entry_number), ("payee", r.payee), ("method", r.method),
        ("paid", r.paid), ("owed", r.owed), ("principal", r.principal),
        ("principal (at most)", "no bound" if r.principal_high is None else r.principal_high),
        ("interest", "none yet" if r.interest is None else r.interest),
        ("interest to", r.interest_until),
        ("deposit date", f"{r.deposit_date or ''} ({r.deposit_basis})"),
        ("data", f"Chapter 99 {r.data_version}, rates {r.rates_version}"),
    ]  # fmt: skip


class RefundFigures(_EntryLevel, Tabular, BaseModel):
    """An entry's refund figures without the per-line, per-number and per-quarter detail.

    What :func:`~ieepa_refund.compute_figures` returns: every entry-level field of the
    :class:`EntryRefund` :func:`~ieepa_refund.compute_refund` gives for the same entry and
    choices, with the same values and warnings (``tests/test_refund_figures.py`` compares
    them), and no ``lines``, ``interest_detail`` or ``interest_segments``. For a caller who
    keeps or pays each entry's figures over a large file; ask :func:`compute_refund` for
    an entry's working.
    """

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (_ENTRY_LEVEL,)

    entry_number: str
    importer_number: str
    notify_party: str | None = None
    liquidation_date: date | None = None
    method: Method
    paid: Decimal
    ieepa_paid: Decimal
    """The duty paid on the numbers of an IEEPA status (estimates included), whatever is refunded
    of it: what the command's ``ieepa_duty_paid`` column and summary show."""
    owed: Decimal
    principal: Decimal
    principal_high: Decimal | None
    warnings: tuple[RefundWarning, ...]
    data_version: str
    rounding: str
    interest: Decimal | None = None
    """Interest to ``interest_until``; None where it cannot be computed (a warning says why)."""
    deposit_date: date | None = None
    deposit_basis: DepositBasis | None = None
    interest_until: date | None = None
    rates_version: str | None = None

    def summary_html(self) -> str:
        return summary_html(
            f"Refund figures of entry {self.entry_number}",
            _summary_rows(self),
            Counter(self.warning_codes),
        )
