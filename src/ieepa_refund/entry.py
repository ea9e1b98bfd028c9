"""The entry data a user brings: :class:`Entry`, its :class:`EntryLine` and :class:`Tariff` rows.

These are the input models. This module imports nothing above the identifier,
money and rate-text modules, so every stage can depend on it.

Every model is a frozen pydantic v2 model that forbids unknown fields. Money
and quantities are ``Decimal`` built from ``str``, ``int`` or ``Decimal``;
a float is refused with an error naming the field:

    >>> Tariff(hts="9903.01.24", duty=12.5)
    Traceback (most recent call last):
    ...
    ieepa_refund.ModelValidationError: 1 validation error for Tariff
    duty
      Value error, duty: floats are refused for money and quantities: pass a str or Decimal (got 12.5) [type=value_error, input_value=12.5, input_type=float]
        For further information visit ...

(``ModelValidationError`` is both ``ieepa_refund.ValidationError`` and pydantic's.)
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import ConfigDict, Field, field_validator, model_validator

from . import entry_number as _entry_number
from . import hts as _hts
from ._model import Model
from .errors import InvalidChecksum, ValidationError
from .interest import DepositEvent
from .interest._segments import check_events
from .money import Amount, Quantity
from .rates import parse_rate

__all__ = ["DepositEvent", "Entry", "EntryLine", "ProtestStatus", "Tariff"]


ProtestStatus = Literal["open", "suspended", "closed"]

_COUNTRY = re.compile(r"[A-Z]{2}")
#: An importer (IRS, EIN, SSN or CBP-assigned) number: 8-19 letters, digits and dashes.
PARTY_NUMBER = re.compile(r"[0-9A-Z][0-9A-Z-]{5,17}[0-9A-Z]")
_ENTRY_TYPE = re.compile(r"[0-9]{2}")

_FROZEN = ConfigDict(frozen=True, extra="forbid")
# Words of ACE liquidation statuses (ES-003 'Liquidation Status'): final or not yet.


class _Unchecked(str):
    """An entry number of the right shape whose check digit is known not to match."""

    __slots__ = ()


_LIQUIDATED_STATUS = {"LIQUIDATED", "LIQ", "FINAL", "RELIQUIDATED"}
_OPEN_STATUS = {"UNLIQUIDATED", "OPEN", "SUSPENDED", "EXTENDED", "PENDING", "UNLIQ"}
#: A status saying "not liquidated" in words of its own (UN-LIQ, NOT LIQUIDATED, NOT YET
#: LIQUIDATED): open. Not any status starting UN or NOT: UNKNOWN says neither, and is read
#: as a status saying neither is (t69/06).
_NOT_LIQUIDATED = re.compile(r"(?:UN|NON|NOT)\W*(?:YET\W*)?LIQ")


# A file holds a handful of distinct statuses, and refunds and screening ask of every entry.
@functools.lru_cache(maxsize=256)
def _status_says(status: str) -> tuple[bool, bool]:
    """Whether a liquidation status says the entry is open, and whether it says liquidated."""
    upper = status.upper()
    words = set(re.findall(r"[A-Z]+", upper))
    open_ = bool(words & _OPEN_STATUS) or _NOT_LIQUIDATED.match(upper) is not None
    return open_, bool(words & _LIQUIDATED_STATUS)


def _not_negative(value: Decimal | None, field: str) -> Decimal | None:
    if value is not None and value < 0:
        raise ValueError(f"{field} must not be negative (got {value})")
    return value


class Tariff(Model):
    """One HTS number reported on an entry line, as in one ES-003 row.

    ``rate`` is HTSUS rate text (``'3.9%'``, ``'2.5¢/kg'``...), needed only to
    recalculate duty; ``duty`` is the amount reported for this number.
    """

    model_config = _FROZEN

    hts: str
    value: Amount | None = None
    quantity: Quantity | None = None
    unit: str | None = None
    rate: str | None = None
    duty: Amount | None = None

    @field_validator("hts", mode="before")
    @classmethod
    def _hts(cls, value: Any) -> str:
        return _hts.validate(value)

    @field_validator("value", "quantity", "duty")
    @classmethod
    def _non_negative(cls, value: Decimal | None, info: Any) -> Decimal | None:
        return _not_negative(value, info.field_name)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        return value.strip().upper() or None if value is not None else None

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return parse_rate(value).text

    @property
    def is_chapter99(self) -> bool:
        return self.hts[:2] == "99"


class EntryLine(Model):
    """One entry summary line: its number, country of origin and HTS numbers."""

    model_config = _FROZEN

    number: int = Field(ge=1)
    country_of_origin: str
    tariffs: tuple[Tariff, ...]

    @field_validator("tariffs")
    @classmethod
    def _some_tariffs(cls, value: tuple[Tariff, ...]) -> tuple[Tariff, ...]:
        # After the items validate, so an invalid tariff is reported as itself, not as "empty".
        if not value:
            raise ValueError("a line reports at least one HTS number")
        return value

    @field_validator("country_of_origin", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if not _COUNTRY.fullmatch(value):
                raise ValueError(f"a country of origin is a 2-letter ISO code (got {value!r})")
        return value


class Entry(Model):
    """An entry summary with its lines.

    ``entry_date`` is the date of entry or of withdrawal for consumption: it
    selects the Chapter 99 period in force. ``notify_party`` is the party named
    on CBP Form 4811, to whom refunds are paid instead of the importer.
    """

    model_config = _FROZEN

    entry_number: str
    entry_type: str
    importer_number: str
    notify_party: str | None = None
    entry_date: date
    entry_summary_date: date | None = None
    deposit_date: date | None = None
    deposits: tuple[DepositEvent, ...] = ()
    """Every deposit and pre-liquidation refund, when there is more than the one deposit
    (supplemental deposits, post-summary corrections): interest is then computed per
    segment (19 CFR 24.36(a)(1)). Empty: the single deposit on ``deposit_date``. Kept in
    date order; the first is a deposit and the balance never falls below zero."""
    liquidation_date: date | None = None
    liquidation_status: str | None = None
    lines: tuple[EntryLine, ...]
    importer_name: str | None = None
    port_of_entry: str | None = None
    # Facts CAPE screening needs (None: the data does not say).
    reconciliation_flag: bool | None = None
    """Flagged for reconciliation (ES-003 'Reconciliation Indicator')."""
    type09_filed: bool | None = None
    """A type 09 reconciliation entry has been filed covering this entry."""
    drawback_claim: bool | None = None
    """The entry is designated on a drawback claim."""
    protest_number: str | None = None
    protest_status: ProtestStatus | None = None
    adcvd_instructions_pending: bool | None = None
    """AD/CVD entry awaiting Commerce liquidation instructions (19 U.S.C. 1504(d))."""
    surety_paid: bool | None = None
    """Duties were paid by the surety."""
    not_in_ace: bool | None = None
    """The entry was not filed in ACE, or has no liquidation status in ACE (CAPE excludes it,
    CSMS #68315804). An ES-003 row comes from ACE, so the reader never sets it."""
    summary_status: str | None = None
    """The entry summary's ACE status as reported (e.g. ``ACCEPTED``, ``CANCELLED``, ``REJECTED``)."""
    # Flags set by the ES-003 reader: the entry is kept so its money is seen, and it says what
    # is wrong so that refunds and CAPE screening do not treat it as whole.
    incomplete_rows: int = Field(default=0, ge=0)
    """Rows of this entry that were rejected on reading: the entry lacks them (0: whole)."""
    bad_check_digit: bool = False
    """The entry number has the right shape but its check digit does not match (CATAIR
    Appendix E). Only such an entry may set it; CAPE declarations apply ``check_digits``."""

    @model_validator(mode="before")
    @classmethod
    def _flagged_number(cls, data: Any) -> Any:
        # Whether a wrong check digit is allowed depends on a later field: decide it here and
        # let the field validator know through the value's type.
        if isinstance(data, dict) and data.get("bad_check_digit") is True:
            value = data.get("entry_number")
            if not isinstance(value, str):
                return data  # the field validator says what is wrong
            try:
                _entry_number.validate(value)
            except InvalidChecksum:
                return {**data, "entry_number": _Unchecked(_entry_number.compact(value))}
            except ValidationError:
                return data  # a malformed number: the field validator says what is wrong
            raise ValueError(
                f"bad_check_digit: the check digit of {value!r} matches; the flag is for one "
                "that does not"
            )
        return data

    @field_validator("entry_number", mode="before")
    @classmethod
    def _entry_number(cls, value: Any) -> str:
        if isinstance(value, _Unchecked):
            return str(value)
        return _entry_number.validate(value)

    @field_validator("entry_type", mode="before")
    @classmethod
    def _entry_type(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:02d}"
        if isinstance(value, str):
            value = value.strip().zfill(2)
            if not _ENTRY_TYPE.fullmatch(value):
                raise ValueError(f"an entry type is a 2-digit code such as '01' (got {value!r})")
        return value

    @field_validator(
        "liquidation_status",
        "protest_number",
        "summary_status",
        "importer_name",
        "port_of_entry",
        mode="before",
    )
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("importer_number", "notify_party", mode="before")
    @classmethod
    def _party(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper().replace(" ", "")
            if not value and info.field_name == "notify_party":
                return None
            if not PARTY_NUMBER.fullmatch(value):
                raise ValueError(
                    f"{info.field_name}: expected an IRS, EIN, SSN or CBP-assigned number "
                    f"(8-19 letters, digits and dashes), got {value!r}"
                )
        return value

    @field_validator("deposits")
    @classmethod
    def _deposits(cls, value: tuple[DepositEvent, ...]) -> tuple[DepositEvent, ...]:
        # check_events raises InvalidFormat, a ValueError: pydantic reports it on this field.
        return check_events(value) if value else value

    @field_validator("lines")
    @classmethod
    def _some_lines(cls, value: tuple[EntryLine, ...]) -> tuple[EntryLine, ...]:
        if not value:
            raise ValueError("an entry has at least one line")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        numbers = [line.number for line in self.lines]
        if len(set(numbers)) != len(numbers):
            dupes = sorted({n for n in numbers if numbers.count(n) > 1})
            raise ValueError(f"lines: line numbers repeat: {dupes}")
        if self.deposits and self.deposit_date not in (None, self.deposits[0].date):
            raise ValueError(
                f"deposit_date {self.deposit_date} is not the date of the first deposit "
                f"{self.deposits[0].date}: give one or make them agree"
            )
        if self.liquidation_date is not None and self.liquidation_date < self.entry_date:
            raise ValueError(
                f"liquidation_date {self.liquidation_date} is before entry_date {self.entry_date}"
            )
        return self

    @property
    def display_number(self) -> str:
        if self.bad_check_digit:
            number = self.entry_number
            return f"{number[:3]}-{number[3:10]}-{number[10]}"
        return _entry_number.format(self.entry_number)

    @property
    def incomplete(self) -> bool:
        """Some of the entry's rows were rejected on reading: its figures lack them."""
        return self.incomplete_rows > 0

    @property
    def liquidation_conflict(self) -> str | None:
        """Why the liquidation status and date disagree, or None when they do not.

        A status that says liquidated with no liquidation date leaves the interest end and
        the CAPE window unknown; a liquidation date with a status that says the entry is
        open (unliquidated, suspended, extended) leaves unclear which one is right.
        """
        status = self.liquidation_status
        if not status:
            return None
        open_, liquidated = _status_says(status)
        if not open_ and liquidated and self.liquidation_date is None:
            return f"liquidation status {self.liquidation_status!r} but no liquidation date"
        if open_ and self.liquidation_date is not None:
            return (
                f"liquidation date {self.liquidation_date} but liquidation status "
                f"{self.liquidation_status!r}"
            )
        return None

    def scheduled_liquidation(self, after: date | None) -> date | None:
        """The liquidation date when it is read as scheduled on the run's date ``after``:
        the status says the entry is open (unliquidated, suspended, extended) and the date
        is after ``after``. None otherwise, and when there is no run date to judge by.

        ACE shows an open entry's scheduled liquidation date, so an ES-003 with the column
        added may carry one; which it holds is not published (domain brief, sections 6-7):
        an open fact, read this way and flagged (``LIQUIDATION_SCHEDULED``). Such an entry is
        unliquidated as of the run; a date on or before ``after`` still contradicts the
        status (:attr:`liquidation_conflict`). A blank status is not read this way.
        """
        liquidated = self.liquidation_date
        if after is None or liquidated is None or liquidated <= after:
            return None
        status = self.liquidation_status
        # The same test as liquidation_conflict's second case: an open status with a date.
        return liquidated if status and _status_says(status)[0] else None

    def unliquidated_as_of(self, after: date | None) -> Entry:
        """The entry as of the run's date ``after``: without its liquidation date when that
        date is a scheduled one (:meth:`scheduled_liquidation`), else itself."""
        if self.scheduled_liquidation(after) is None:
            return self
        return self.model_copy(update={"liquidation_date": None})


class DutyMismatch(NamedTuple):
    """An entry's deposit history that cannot be the duty the entry reports as paid."""

    net: Decimal
    """The history's deposits less its pre-liquidation refunds."""
    deposited: Decimal
    refunded: Decimal
    duty: Decimal
    """The sum of every duty amount reported on the entry's lines (all numbers, not only IEEPA)."""
    whole: bool
    """Every duty amount is reported and no row was rejected: ``duty`` is the duty paid, not
    only the least of it."""


def duty_mismatch(entry: Entry) -> DutyMismatch | None:
    """How ``entry.deposits`` differs from the duty its lines report as paid; None when they
    agree, or when it has no history.

    An ES-003's duty amounts are the entry summary as it stands after any post-summary
    correction (docs/es003.md), so they are what is on deposit once every supplemental deposit
    and pre-liquidation refund has moved: the history's deposits less its refunds must equal
    their sum, in the same terms (duty, not fees). The ES-003's own supplemental deposit and
    pre-liquidation refund columns build a history that does, by construction. With a duty
    amount not reported, or rows of the entry rejected on reading, the sum is only the least
    the entry paid: a history netting to less still cannot hold, one netting to more may.
    """
    if not entry.deposits:
        return None
    deposited = refunded = duty = Decimal(0)
    for event in entry.deposits:
        if event.kind == "deposit":
            deposited += event.amount
        else:
            refunded += event.amount
    whole = not entry.incomplete_rows
    for line in entry.lines:
        for tariff in line.tariffs:
            if tariff.duty is None:
                whole = False
            else:
                duty += tariff.duty
    net = deposited - refunded
    if net == duty or (net > duty and not whole):
        return None
    return DutyMismatch(net, deposited, refunded, duty, whole)
