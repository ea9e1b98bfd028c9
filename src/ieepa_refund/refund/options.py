"""The choices a refund computation rests on, in one frozen object.

:class:`RefundOptions` is the one home of every choice :func:`compute_refund`
makes: the portfolio functions, the what-if :class:`~ieepa_refund.Assumptions`
and the command all build one instead of copying the options by hand. A bad
value is refused when the options are built, by an :class:`InvalidFormat`
that names the option:

    >>> RefundOptions(deposit="monthly")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidFormat: deposit: Input should be 'reported' or 'pms' (got 'monthly')

The data tables (Chapter 99 registry, interest rates) are not choices but
data: they stay separate keyword arguments of :func:`compute_refund`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, field_serializer, field_validator
from pydantic import ValidationError as PydanticValidationError

from .._model import check_date, check_optional_date
from ..errors import IeepaRefundError, InvalidFormat
from ..interest import DEFAULT_CONVENTIONS, InterestConventions
from ..money import DUTY_ROUNDING, check_rounding

__all__ = ["Deposit", "Method", "RefundOptions"]

Method = Literal["paid", "recalculate"]
Deposit = Literal["reported", "pms"]


class RefundOptions(BaseModel):
    """Every choice a refund rests on; the defaults are the library's defaults.

    ``closures`` are one-off federal closures (an executive order's extra day
    off) that the PMS deposit-date rule skips; None uses the shipped
    ``data/federal_closures`` set, ``frozenset()`` none at all.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method = "paid"
    """``paid``: the IEEPA duty paid, corrected for the 15% deals; ``recalculate``: CBP's way."""
    deposit: Deposit = "reported"
    """Where a missing deposit date comes from: the reported dates, or the PMS rule."""
    rounding: str = DUTY_ROUNDING
    """The :mod:`decimal` rounding mode of each HTS number's duty to the cent."""
    corporate: StrictBool = False
    """Use the corporate overpayment rate (26 U.S.C. 6621(a)(1))."""
    project: StrictBool = False
    """Carry the last known interest rate past the rate table's end."""
    interest_conventions: InterestConventions = DEFAULT_CONVENTIONS
    interest_until: date | None = None
    """Where interest ends for an entry not yet liquidated (None: no interest figure)."""
    closures: frozenset[date] | None = None

    @field_validator("interest_until", mode="before")
    @classmethod
    def _until(cls, value: Any) -> date | None:
        # A date string or a datetime would be read silently (its time dropped): refuse both.
        return check_optional_date(value, field="interest_until")

    @field_serializer("closures")
    def _sorted(self, closures: frozenset[date] | None) -> list[date] | None:
        # A set of dates iterates in hash order, which changes from run to run: sorted.
        return None if closures is None else sorted(closures)

    @field_validator("closures", mode="before")
    @classmethod
    def _closures(cls, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value  # a str is refused by pydantic as not a set of dates
        try:
            days = list(value)
        except TypeError:
            return value
        return frozenset(check_date(day, field="closures") for day in days)

    @field_validator("rounding")
    @classmethod
    def _rounding(cls, value: str) -> str:
        return check_rounding(value)

    if not TYPE_CHECKING:  # mypy keeps the typed signature pydantic gives the fields

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except PydanticValidationError as exc:
                raise _option_error(exc) from None


def _option_error(exc: PydanticValidationError) -> IeepaRefundError:
    """Our error for pydantic's first complaint, naming the option (or ours, where we raised it)."""
    first = exc.errors()[0]
    original = first.get("ctx", {}).get("error")
    if isinstance(original, IeepaRefundError):
        return original
    name = ".".join(str(part) for part in first["loc"]) or "options"
    if first["type"] == "extra_forbidden":
        known = ", ".join(RefundOptions.model_fields)
        return InvalidFormat(f"not a refund option; the options are {known}", field=name)
    return InvalidFormat(first["msg"], field=name, value=first["input"])
