"""HTSUS rate text, and the duty it gives on a value and a quantity.

Column 1 rates come as ad valorem (``3.4%``), specific (``2.5¢/kg``,
``$1.25/doz.``), compound (``1.1¢/kg + 3.9%``) or ``Free``:

    >>> r = parse_rate("1.1¢/kg + 3.9%")
    >>> r.ad_valorem_percent, r.specific[0].amount, r.specific[0].unit
    (Decimal('3.9'), Decimal('0.011'), 'KG')
    >>> r.duty(value=Decimal("1000"), quantity=Decimal("200"))
    Decimal('41.200')
    >>> parse_rate("Free").is_free
    True
    >>> parse_rate("about 4%")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidRate: rate: cannot read HTSUS rate text component 'about 4%'

Duty is returned unrounded; rounding to the cent happens once, in
:func:`ieepa_refund.money.round_duty`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from .errors import InvalidRate

__all__ = ["Rate", "SpecificRate", "normalize_unit", "parse_rate"]

_HUNDRED = Decimal(100)

# HTSUS unit text -> the ES-003 / ACE unit-of-measure code it corresponds to.
_UNITS = {
    "kg": "KG",
    "g": "G",
    "t": "T",
    "doz": "DOZ",
    "doz.": "DOZ",
    "dozen": "DOZ",
    "no": "NO",
    "no.": "NO",
    "each": "NO",
    "pcs": "PCS",
    "pc": "PCS",
    "pr": "PRS",
    "pr.": "PRS",
    "prs": "PRS",
    "pair": "PRS",
    "liter": "L",
    "litre": "L",
    "l": "L",
    "ltr": "L",
    "pf.liter": "PFL",
    "proofliter": "PFL",
    "pfl": "PFL",
    "m": "M",
    "m2": "M2",
    "m3": "M3",
    "gross": "GR",
    "gr": "GR",
    "doz.pr.": "DPR",
    "dpr": "DPR",
    "head": "HD",
    "hd": "HD",
    "kwh": "KWH",
    "kw": "KW",
    "carat": "CTN",
    "ctn": "CTN",
    "mpe": "MPE",
}

_COMPONENT = re.compile(
    r"""^(?:
        (?P<pct>\d+(?:\.\d+)?)\s*%
      | \$\s*(?P<usd>\d+(?:\.\d+)?)\s*/\s*(?P<uusd>[A-Za-z][A-Za-z0-9. ]*)
      | (?P<cents>\d+(?:\.\d+)?)\s*¢\s*/\s*(?P<ucents>[A-Za-z][A-Za-z0-9. ]*)
    )$""",
    re.VERBOSE,
)


def normalize_unit(unit: str) -> str:
    """The ACE unit code for HTSUS or ES-003 unit text (``'doz.'`` -> ``'DOZ'``)."""
    key = unit.strip().lower().replace(" ", "")
    return _UNITS.get(key, key.rstrip(".").upper())


class SpecificRate(BaseModel):
    """A specific component: ``amount`` dollars per ``unit`` (an ACE unit code)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    unit: str


class Rate(BaseModel):
    """A parsed HTSUS rate: an ad valorem percentage plus any specific components."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    ad_valorem_percent: Decimal = Decimal(0)
    specific: tuple[SpecificRate, ...] = ()

    @property
    def is_free(self) -> bool:
        """No duty at all (``Free``, ``0%``)."""
        return self.ad_valorem_percent == 0 and all(s.amount == 0 for s in self.specific)

    @property
    def is_ad_valorem_only(self) -> bool:
        return not self.specific

    def duty(
        self,
        *,
        value: Decimal | None = None,
        quantity: Decimal | None = None,
        unit: str | None = None,
    ) -> Decimal:
        """Unrounded duty on ``value`` (dollars) and ``quantity`` (in ``unit``).

        Raises :class:`InvalidRate` when an input the rate needs is missing, or
        when ``unit`` is given and is not the rate's unit.
        """
        total = Decimal(0)
        if self.ad_valorem_percent:
            if value is None:
                raise InvalidRate(
                    "an ad valorem rate needs the line's value", field="value", value=self.text
                )
            total += value * self.ad_valorem_percent / _HUNDRED
        for part in self.specific:
            if part.amount == 0:
                continue
            if quantity is None:
                raise InvalidRate(
                    f"a specific rate needs a quantity in {part.unit}",
                    field="quantity",
                    value=self.text,
                )
            if unit is not None and normalize_unit(unit) != part.unit:
                raise InvalidRate(
                    f"the rate is per {part.unit} but the quantity is in {normalize_unit(unit)}",
                    field="unit",
                    value=self.text,
                )
            total += quantity * part.amount
        return total


def parse_rate(text: str) -> Rate:
    """Parse HTSUS rate text. Raises :class:`InvalidRate` naming the text."""
    if not isinstance(text, str):  # before the cache, which cannot hash a list
        raise InvalidRate("rate text is a str", field="rate", value=text)
    return _parse_rate(text)


@lru_cache(maxsize=4096)
def _parse_rate(text: str) -> Rate:
    if not text.strip():
        raise InvalidRate("rate text is empty", field="rate", value=text)
    clean = text.strip()
    if clean.lower() == "free":
        return Rate(text=clean)
    percent = Decimal(0)
    specific: list[SpecificRate] = []
    for piece in clean.split("+"):
        part = piece.strip()
        match = _COMPONENT.match(part)
        if match is None:
            raise InvalidRate(
                f"cannot read HTSUS rate text component {part!r}", field="rate", value=text
            )
        if match["pct"] is not None:
            percent += Decimal(match["pct"])
        elif match["usd"] is not None:
            specific.append(
                SpecificRate(amount=Decimal(match["usd"]), unit=normalize_unit(match["uusd"]))
            )
        else:
            specific.append(
                SpecificRate(
                    amount=Decimal(match["cents"]) / _HUNDRED,
                    unit=normalize_unit(match["ucents"]),
                )
            )
    return Rate(text=clean, ad_valorem_percent=percent, specific=tuple(specific))
