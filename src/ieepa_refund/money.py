"""Money: ``Decimal`` only, and the one place where amounts are rounded.

Amounts are built from strings or ``Decimal`` and never from floats:

    >>> to_decimal("1234.50", field="duty")
    Decimal('1234.50')
    >>> to_decimal(12.5, field="duty")
    Traceback (most recent call last):
    ...
    ieepa_refund.FloatRefused: duty: floats are refused for money and quantities: pass a str or Decimal (got 12.5)

Rounding happens only at the points named here, each with its rounding mode
spelled out. ACE's own rounding of per-HTS duty is not published (an open fact),
so the mode is a parameter whose default is half-up to the cent:

    >>> round_duty(Decimal("10.005"))
    Decimal('10.01')
    >>> round_duty(Decimal("10.005"), rounding=ROUND_HALF_EVEN)
    Decimal('10.00')

Sums and products of money are exact whatever ``decimal`` context the caller
has set: the library computes inside :func:`exact`, a local context of
:data:`WORKING_DIGITS` significant digits that traps invalid operations, so
a caller who lowered the precision to 4 gets the same cents as anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

from .errors import FloatRefused, InvalidFormat

__all__ = [
    "Amount",
    "CENT",
    "DUTY_ROUNDING",
    "INTEREST_ROUNDING",
    "Quantity",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "WORKING_DIGITS",
    "exact",
    "in_cents",
    "round_duty",
    "round_interest",
    "to_decimal",
    "to_float",
    "total",
]

CENT = Decimal("0.01")

#: Default rounding of one HTS number's duty to the cent (ACE's method is an open fact).
DUTY_ROUNDING = ROUND_HALF_UP
#: Default rounding of an entry's interest to the cent (CBP has not published its method).
INTEREST_ROUNDING = ROUND_HALF_UP


#: Significant digits of every money computation: exact for any sum of amounts under 10**40.
WORKING_DIGITS = 60


def exact() -> AbstractContextManager[Context]:
    """A local ``decimal`` context for money arithmetic, whatever the caller's context is.

    It copies the caller's context, so a trap the caller set (``FloatOperation``
    in the tests) still fires, and sets the precision, the exponent range, the
    rounding of inexact steps and the traps that make a wrong figure impossible
    to miss. Rounding to the cent stays at the named points below.
    """
    # decimal's own context manager, not a generator: compute_refund enters one per entry.
    ctx = getcontext().copy()
    ctx.prec = WORKING_DIGITS
    ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
    ctx.rounding = ROUND_HALF_EVEN
    traps = ctx.traps
    traps[InvalidOperation] = traps[DivisionByZero] = traps[Overflow] = True
    return localcontext(ctx)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts`` (0.00 for none), whatever the caller's ``decimal`` context."""
    with exact():
        return sum(amounts, Decimal("0.00"))


def to_decimal(value: Any, *, field: str = "amount") -> Decimal:
    """Return ``value`` as a finite ``Decimal``; refuse floats, bools and junk.

    Accepts ``Decimal``, ``int`` and ``str`` (surrounding spaces allowed).
    """
    if isinstance(value, float):
        raise FloatRefused(field=field, value=value)
    if isinstance(value, bool):
        raise InvalidFormat("a bool is not an amount", field=field, value=value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidFormat("not a decimal number", field=field, value=value) from None
    else:
        raise InvalidFormat(
            f"expected str, int or Decimal, not {type(value).__name__}", field=field, value=value
        )
    if not result.is_finite():
        raise InvalidFormat("not a finite number", field=field, value=value)
    return result


def in_cents(amount: Decimal) -> Decimal:
    """``amount`` with two decimal places when it is whole cents written with more zeros.

    ``34131.8000`` is held as ``34131.80``: the same value, so not a rounding, but
    the text every figure built from it prints with (a sum keeps the longest
    exponent of its terms). Any other amount is returned as it is: one with a
    non-zero digit past the cent, or with fewer than two places.

        >>> in_cents(Decimal("34131.8000")), in_cents(Decimal("0.005")), in_cents(Decimal("7"))
        (Decimal('34131.80'), Decimal('0.005'), Decimal('7'))
    """
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -2:
        return amount
    if amount.adjusted() + 3 > WORKING_DIGITS:
        return amount  # more digits in cents than exact() holds: kept as given
    with exact():
        # ROUND_DOWN is never applied: the result is kept only when it equals the amount.
        cents = amount.quantize(CENT, rounding=ROUND_DOWN)
    return cents if cents == amount else amount


def _amount(value: Any, info: ValidationInfo) -> Decimal:
    return in_cents(to_decimal(value, field=info.field_name or "amount"))


def _quantity(value: Any, info: ValidationInfo) -> Decimal:
    return to_decimal(value, field=info.field_name or "quantity")


#: A money amount in a model: ``Decimal``, never from a float, in two places when it is
#: whole cents (:func:`in_cents`). Non-negativity is checked by each model, which knows
#: the field's name.
Amount = Annotated[Decimal, BeforeValidator(_amount)]
#: A quantity in a model (kilograms, dozens...), under the same rules as money, its
#: places kept as given.
Quantity = Annotated[Decimal, BeforeValidator(_quantity)]


_ROUNDINGS = frozenset(
    {"ROUND_UP", "ROUND_DOWN", "ROUND_CEILING", "ROUND_FLOOR", "ROUND_HALF_UP", "ROUND_HALF_DOWN",
     "ROUND_HALF_EVEN", "ROUND_05UP"}
)  # fmt: skip


def check_rounding(rounding: str) -> str:
    """``rounding`` if it names a :mod:`decimal` rounding mode, else :class:`InvalidFormat`."""
    if rounding not in _ROUNDINGS:
        raise InvalidFormat(
            f"not a decimal rounding mode; one of {sorted(_ROUNDINGS)}",
            field="rounding",
            value=rounding,
        )
    return rounding


def round_duty(amount: Decimal, *, rounding: str = DUTY_ROUNDING) -> Decimal:
    """Round one HTS number's duty to the cent: the only duty rounding point."""
    return amount.quantize(CENT, rounding=rounding)


def round_interest(amount: Decimal, *, rounding: str = INTEREST_ROUNDING) -> Decimal:
    """Round an entry's interest to the cent, once: the only interest rounding point."""
    return amount.quantize(CENT, rounding=rounding)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (whole cents) over ``weights`` so the parts add up exactly.

    The largest-remainder method: each part is its proportional share rounded
    down to the cent, and the cents left over go one each to the parts with the
    largest remainders (ties to the earlier part). Zero weights get zero; when
    every weight is zero the parts are equal shares.

        >>> allocate(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
        [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    """
    if total != total.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidFormat("an amount to allocate is in whole cents", field="total", value=total)
    if weights and min(weights) < 0:
        raise InvalidFormat("allocation weights are not negative", field="weights", value=weights)
    if not weights:
        return []
    basis = sum(weights, Decimal(0))
    if basis == 0:
        weights, basis = [Decimal(1)] * len(weights), Decimal(len(weights))
    sign = -1 if total < 0 else 1
    cents = abs(total) / CENT
    shares = [cents * w / basis for w in weights]
    floors = [s.to_integral_value(rounding=ROUND_DOWN) for s in shares]
    left = int(cents - sum(floors, Decimal(0)))
    if left:
        # Largest remainder first, ties to the earlier part (a reversed sort keeps ties in order).
        remainders = [share - floor for share, floor in zip(shares, floors, strict=True)]
        order = sorted(range(len(shares)), key=remainders.__getitem__, reverse=True)
        for i in order[:left]:
            floors[i] += 1
    return [sign * f * CENT for f in floors]


def to_float(amount: Decimal) -> float:
    """The one place an amount becomes a float: for output a caller asked for (a chart's axis,
    ``to_dataframe(decimals="float")``), never for arithmetic."""
    return float(amount)
