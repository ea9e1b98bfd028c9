"""Refund results: per HTS number, per line and per entry, each traceable to its data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .. import hts as _hts
from .._tabular import Tabular
from ..interest import InterestDetail
from ..registry import HeadingPeriod, Status
from .options import Method

__all__ = ["DepositBasis", "EntryRefund", "LineRefund", "RefundWarning", "TariffRefund"]

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


class EntryRefund(Tabular, BaseModel):
    """The refund principal of one entry, traceable to every HTS number.

    ``principal = paid - owed`` = the sum of the lines' refunds. Where some
    figure is uncertain, ``principal`` is the established amount and
    ``principal_high`` the most it could be (None: no upper bound).
    """

    model_config = _FROZEN

    entry_number: str
    importer_number: str
    notify_party: str | None = None
    liquidation_date: date | None = None
    method: Method
    paid: Decimal
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
    deposit_date: date | None = None
    deposit_basis: DepositBasis | None = None
    """Where the deposit date came from: ``deposit_date``, an assumption, or the PMS rule."""
    interest_until: date | None = None
    rates_version: str | None = None

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
    def tariffs(self) -> tuple[TariffRefund, ...]:
        return tuple(t for line in self.lines for t in line.tariffs)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)
