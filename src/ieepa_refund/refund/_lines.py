"""The refund of one entry line, HTS number by HTS number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .. import hts as _hts
from .._trusted import builder
from ..entry import Entry, EntryLine, Tariff
from ..errors import InvalidRate
from ..money import round_duty
from ..rates import parse_rate
from ..registry import (
    EXEMPT_KINDS,
    Classification,
    HeadingPeriod,
    Registry,
    carries_ieepa_duty,
)
from ._shared import _SHARED_MAX, ZERO, same, sum_high, sum_of
from .codes import WarningCode, warning
from .options import Method
from .results import LineRefund, RefundWarning, TariffRefund

HUNDRED = Decimal(100)

_AD_VALOREM_TYPES = ("ad_valorem_additional", "penalty_in_lieu")
_TOPUP = "inclusive_15_topup"
_ZERO_TOPUP = "inclusive_15_zero"
_US_CONTENT = "99030134"
_RECIPROCAL_PREFIX = "reciprocal"
_SUSPENDED = "suspended"


KEPT_NO_RATE = "not IEEPA: no rate text, reported duty kept as owed"


@dataclass
class LineWork:
    """The refund of one line; a throwaway object that keeps the line's facts together."""

    line: EntryLine
    classify: Callable[[str], Classification]
    method: Method
    rounding: str
    warnings: list[RefundWarning]
    classes: list[Classification] = field(init=False)
    base_value: Decimal | None = field(init=False)
    reported_mfn: Decimal = field(init=False)
    has_topup: bool = field(init=False)
    has_us_content: bool = field(init=False)
    topup_paid: Decimal = field(init=False, default=ZERO)
    recalc_delta: Decimal | None = field(init=False, default=ZERO)
    """Recalculation's principal less the paid method's, on this line (None: undetermined)."""
    kept_without_rate: int = field(init=False, default=0)
    """Non-IEEPA numbers whose reported duty recalculation kept, for want of a rate text."""

    def __post_init__(self) -> None:
        self.classes = [self.classify(t.hts) for t in self.line.tariffs]
        ordinary = [t for t in self.line.tariffs if t.hts[:2] != "99"]  # Tariff.is_chapter99
        values = [t.value for t in ordinary if t.value is not None]
        self.base_value = sum(values, ZERO) if values else None
        self.reported_mfn = sum((t.duty or ZERO for t in ordinary), ZERO)
        self.has_topup = any(_rate_type(c) == _TOPUP for c in self.classes)
        self.has_us_content = any(c.hts[:8] == _US_CONTENT for c in self.classes)

    def result(self) -> LineRefund:
        # IEEPA numbers first: the MFN restoration on the Chapter 1-97 numbers is bounded by
        # what was paid on the 15% all-in headings.
        done: dict[int, TariffRefund] = {}
        for index, (tariff, cls) in enumerate(zip(self.line.tariffs, self.classes, strict=True)):
            if cls.is_ieepa:
                done[index] = self._ieepa(tariff, cls)
                if _rate_type(cls) == _TOPUP:
                    self.topup_paid = sum_of((self.topup_paid, done[index].paid))
        for index, (tariff, cls) in enumerate(zip(self.line.tariffs, self.classes, strict=True)):
            if not cls.is_ieepa:
                done[index] = self._other(tariff, cls)
        tariffs = tuple(done[i] for i in range(len(self.line.tariffs)))
        return _line(self.line, tariffs)

    # -- IEEPA numbers ---------------------------------------------------------------------

    def _ieepa(self, tariff: Tariff, cls: Classification) -> TariffRefund:
        period = cls.period
        if cls.status == "ieepa_unknown":
            self._warn(
                WarningCode.UNKNOWN_CH99,
                tariff,
                f"{_display(tariff)} lies in an IEEPA block but is not a known heading; its "
                "duty is counted as possibly refundable, not as established.",
            )
            paid = tariff.duty if tariff.duty is not None else ZERO
            return self._make(
                tariff,
                cls,
                paid=paid,
                owed=paid,
                high=paid if tariff.duty is not None else None,
                reason="unknown heading in an IEEPA block: refund not established",
            )
        assert period is not None
        if cls.invalid_hts:
            self._warn(
                WarningCode.INVALID_HTS,
                tariff,
                f"{_display(tariff)} is not in force on the entry date (its period: "
                f"{period.period_text}); CAPE answers 'INVALID HTS' until a post-summary "
                "correction fixes the line.",
            )
        if period.applies_to(self.line.country_of_origin) is False:
            self._warn(
                WarningCode.COUNTRY_MISMATCH,
                tariff,
                f"{_display(tariff)} ({period.program}) does not cover goods of "
                f"{self.line.country_of_origin}.",
            )
        if period.kind in EXEMPT_KINDS:
            return self._exempt(tariff, cls, period)
        if period.rate_type == "suspended" and cls.status == "ieepa":
            self._warn(
                WarningCode.SUSPENDED_HEADING,
                tariff,
                f"{_display(tariff)} was suspended on the entry date ({period.notes[:80]}...); "
                "any duty paid under it is refunded.",
            )
        if tariff.duty is not None:
            return self._make(
                tariff,
                cls,
                paid=tariff.duty,
                owed=ZERO,
                high=tariff.duty,
                reason=_refunded(period.program),
            )
        return self._estimate(tariff, cls, period)

    def _exempt(self, tariff: Tariff, cls: Classification, period: HeadingPeriod) -> TariffRefund:
        paid = tariff.duty if tariff.duty is not None else ZERO
        if paid:
            self._warn(
                WarningCode.EXEMPTION_WITH_DUTY,
                tariff,
                f"{_display(tariff)} is an {period.kind} heading but reports duty {paid}; "
                "an exemption refunds 0, so check the line.",
            )
        if period.dual_purpose:
            self._warn(
                WarningCode.DUAL_PURPOSE_EXEMPTION,
                tariff,
                f"{_display(tariff)} also exempts the goods from Section 232 duty: removing it "
                "and recomputing Section 232 would wrongly add duty. Check CBP's recalculation.",
            )
        return self._make(
            tariff,
            cls,
            paid=paid,
            owed=paid,
            high=ZERO,
            reason=f"IEEPA {period.kind}: no IEEPA duty was paid, refund 0",
        )

    def _estimate(self, tariff: Tariff, cls: Classification, period: HeadingPeriod) -> TariffRefund:
        """An IEEPA duty amount missing from the data, estimated from the registry."""
        value = tariff.value if tariff.value else self.base_value
        rate = period.rate_percent
        reason = f"IEEPA {period.program}: duty missing, estimated"
        if cls.status != "ieepa":
            return self._uncertain(tariff, cls, None, "duty missing and heading not in force")
        if period.rate_type == _ZERO_TOPUP:
            return self._make(
                tariff,
                cls,
                paid=ZERO,
                owed=ZERO,
                high=ZERO,
                estimated=True,
                reason=f"IEEPA {period.program}: MFN is 15% or more, so the IEEPA rate is 0",
            )
        if value is None or rate is None:
            missing = "the line's value" if value is None else "the heading's rate"
            return self._uncertain(tariff, cls, None, f"duty missing and {missing} unknown")
        if period.rate_type == _TOPUP:
            amount = round_duty(value * rate / HUNDRED, rounding=self.rounding) - self.reported_mfn
            amount = max(amount, ZERO)
            reason += f" as {rate}% of {value} less the MFN duty reported on the line"
        elif period.rate_type in _AD_VALOREM_TYPES:
            amount = round_duty(value * rate / HUNDRED, rounding=self.rounding)
            reason += f" as {rate}% of {value}"
            if (
                self.has_us_content
                and not tariff.value
                and period.program.startswith(_RECIPROCAL_PREFIX)
            ):
                return self._uncertain(
                    tariff,
                    cls,
                    amount,
                    "U.S. content (9903.01.34) on the line: the reciprocal rate applies only to "
                    "the non-U.S. value, which the line does not give",
                )
        else:
            return self._uncertain(
                tariff, cls, None, f"duty missing and rate type {period.rate_type!r} not estimable"
            )
        self._warn(WarningCode.ESTIMATED_DUTY, tariff, f"{_display(tariff)}: {reason}.")
        return self._make(
            tariff, cls, paid=amount, owed=ZERO, high=amount, estimated=True, reason=reason
        )

    def _uncertain(
        self, tariff: Tariff, cls: Classification, high: Decimal | None, why: str
    ) -> TariffRefund:
        bound = f"at most {high}" if high is not None else "no upper bound"
        self._warn(
            WarningCode.UNCERTAIN,
            tariff,
            f"{_display(tariff)}: {why}; refund counted as 0, {bound}.",
        )
        return self._make(tariff, cls, paid=ZERO, owed=ZERO, high=high, estimated=True, reason=why)

    # -- every other number ----------------------------------------------------------------

    def _other(self, tariff: Tariff, cls: Classification) -> TariffRefund:
        if tariff.is_chapter99 and cls.authority is None:
            self._warn(
                WarningCode.UNKNOWN_CH99,
                tariff,
                f"{_display(tariff)} is a Chapter 99 number outside every block the data "
                "describes; it is treated as not IEEPA and left unchanged.",
            )
        label = _not_ieepa(cls.authority)
        reported = tariff.duty
        computed: Decimal | None = None
        if tariff.rate is not None and (self.method == "recalculate" or self._restores(tariff)):
            computed = self._duty_from_rate(tariff)
        if self._restores(tariff):
            paid = reported or ZERO
            if computed is not None:
                return self._make(
                    tariff,
                    cls,
                    paid=paid,
                    owed=computed,
                    high=paid - computed,
                    reason="MFN duty restored: the 15% all-in amount was reported on the "
                    f"Chapter 99 line and {paid} here; owed again from rate {tariff.rate}",
                )
            bound = self.topup_paid
            self._warn(WarningCode.UNCERTAIN, tariff, _restore_bounded(_display(tariff), bound))
            return self._make(
                tariff,
                cls,
                paid=paid,
                owed=sum_of((paid, bound)),
                high=ZERO,
                estimated=True,
                reason="MFN rate unknown on a 15% all-in line: restoration bounded by the "
                "Chapter 99 amount",
            )
        if self.method == "paid":
            self._track_difference(tariff)
        elif computed is not None and reported is not None and self.recalc_delta is not None:
            self.recalc_delta += reported - computed
        if self.method == "recalculate" and computed is not None:
            paid = reported if reported is not None else computed
            return self._make(
                tariff,
                cls,
                paid=paid,
                owed=computed,
                high=paid - computed,
                estimated=reported is None,
                reason=f"{label}: recalculated from rate {tariff.rate}",
            )
        paid = reported or ZERO
        if self.method == "recalculate" and tariff.rate is None:
            self.kept_without_rate += 1
            reason = KEPT_NO_RATE
        else:
            reason = _unchanged(cls.authority)
        return self._make(tariff, cls, paid=paid, owed=paid, high=ZERO, reason=reason)

    def _track_difference(self, tariff: Tariff) -> None:
        """Paid method: how recalculation would differ on a number left unchanged here."""
        if self.recalc_delta is None:
            return
        if tariff.rate is None:
            self.recalc_delta = None  # recalculation needs every remaining number's rate
            return
        computed = self._duty_from_rate(tariff, warn=False)
        if computed is None:
            self.recalc_delta = None
        elif tariff.duty is not None:
            self.recalc_delta += tariff.duty - computed

    def _restores(self, tariff: Tariff) -> bool:
        """A Chapter 1-97 number whose MFN duty was folded into a 15% all-in heading."""
        return self.has_topup and not tariff.is_chapter99 and not tariff.duty

    def _duty_from_rate(self, tariff: Tariff, *, warn: bool = True) -> Decimal | None:
        assert tariff.rate is not None
        try:
            duty = parse_rate(tariff.rate).duty(
                value=tariff.value if tariff.value is not None else self.base_value,
                quantity=tariff.quantity,
                unit=tariff.unit,
            )
        except InvalidRate as exc:
            if not warn:
                return None
            self._warn(
                WarningCode.RATE_UNUSABLE,
                tariff,
                f"{_display(tariff)}: cannot apply its rate ({exc}); its reported duty is kept.",
            )
            return None
        return round_duty(duty, rounding=self.rounding)

    # -- helpers ---------------------------------------------------------------------------

    def _make(
        self,
        tariff: Tariff,
        cls: Classification,
        *,
        paid: Decimal,
        owed: Decimal,
        high: Decimal | None,
        reason: str,
        estimated: bool = False,
    ) -> TariffRefund:
        return _tariff(self.line.number, tariff, cls, paid, owed, high, reason, estimated)

    def _warn(self, code: WarningCode, tariff: Tariff, message: str) -> None:
        self.warnings.append(
            warning(code=code, message=message, line=self.line.number, hts=tariff.hts)
        )


def _restore_bounded(display: str, bound: Decimal) -> str:
    """The warning :class:`LineWork` gives a restored MFN duty whose rate is unknown."""
    return (
        f"{display}: the 15% all-in amount was reported on the Chapter 99 line "
        f"and no MFN duty here, but the MFN rate is unknown; restored MFN counted as "
        f"{bound} (the most it can be), refund at most {bound} more."
    )


# -- building the results (equal numbers written alike are one object: see _shared) --------


# (line, number, status, authority, id of the period, reason, estimated) -> the result. The
# id is safe as a key: the result held here holds the period, so no other object takes its id.
_NOTHING_PAID: dict[tuple[object, ...], TariffRefund] = {}


def _tariff(
    line: int,
    tariff: Tariff,
    cls: Classification,
    paid: Decimal,
    owed: Decimal,
    high: Decimal | None,
    reason: str,
    estimated: bool,
) -> TariffRefund:
    if paid is ZERO and owed is ZERO and high is ZERO:
        # A number that paid nothing and gets nothing back (a duty-free Chapter 1-97 number
        # beside an IEEPA heading): everything in its result but the line, the number and
        # its classification is fixed, so equal ones are one shared (frozen) object.
        key = (line, tariff.hts, cls.status, cls.authority, id(cls.period), reason, estimated)
        found = _NOTHING_PAID.get(key)
        if found is None:
            if len(_NOTHING_PAID) >= _SHARED_MAX:
                _NOTHING_PAID.clear()  # bounded: a new run's numbers take the place
            found = _NOTHING_PAID[key] = _new_tariff(
                line, tariff.hts, cls.status, cls.authority, cls.period,
                ZERO, ZERO, ZERO, ZERO, estimated, reason,
            )  # fmt: skip
        return found
    refund, high = refund_figures(paid, owed, high)
    return _new_tariff(
        line, tariff.hts, cls.status, cls.authority, cls.period,
        paid, owed, refund, high, estimated, reason,
    )  # fmt: skip


def refund_figures(
    paid: Decimal, owed: Decimal, high: Decimal | None
) -> tuple[Decimal, Decimal | None]:
    """A number's refund and its bound, written as its :class:`TariffRefund` holds them."""
    if paid is ZERO and owed is ZERO and high is ZERO:
        return ZERO, ZERO
    refund = paid - owed
    refund = same(refund, ZERO) if refund.compare_total(paid) else paid
    return refund, high if high is None else same(high, refund)


# The field order of every TariffRefund this module has made (its JSON's key order).
_new_tariff = builder(
    TariffRefund,
    (
        "line",
        "hts",
        "status",
        "authority",
        "period",
        "paid",
        "owed",
        "refund",
        "refund_high",
        "estimated",
        "reason",
    ),
)


def _line(line: EntryLine, tariffs: tuple[TariffRefund, ...]) -> LineRefund:
    paid, owed, refund, high = _line_sums(
        [(t.paid, t.owed, t.refund, t.refund_high) for t in tariffs]
    )
    return _new_line(line.number, line.country_of_origin, paid, owed, refund, high, tariffs)


def _line_sums(
    figures: list[tuple[Decimal, Decimal, Decimal, Decimal | None]],
) -> tuple[Decimal, Decimal, Decimal, Decimal | None]:
    """A line's paid, owed, refund and bound from its numbers', as :class:`LineRefund` holds them."""
    paid = sum_of(tuple([f[0] for f in figures]))
    refund = same(sum_of(tuple([f[2] for f in figures])), paid)
    high = sum_high(f[3] for f in figures)
    owed = sum_of(tuple([f[1] for f in figures]))
    return paid, owed, refund, high if high is None else same(high, refund)


# The field order of every LineRefund this module has made (its JSON's key order).
_new_line = builder(
    LineRefund,
    ("number", "country_of_origin", "paid", "owed", "refund", "refund_high", "tariffs"),
)


# The reasons a refund gives most, made once per program or authority and shared.
@lru_cache(maxsize=1024)
def _refunded(program: str) -> str:
    return f"IEEPA {program}: duty paid is refunded"


@lru_cache(maxsize=1024)
def _not_ieepa(authority: str | None) -> str:
    return f"not IEEPA ({authority})" if authority else "not IEEPA"


@lru_cache(maxsize=1024)
def _unchanged(authority: str | None) -> str:
    return f"{_not_ieepa(authority)}: unchanged"


def classifier(registry: Registry, entry: Entry) -> Callable[[str], Classification]:
    memo: dict[str, Classification] = {}
    # Bound once: the returned function runs for every number of every entry.
    known, ask, on = memo.get, registry.classify, entry.entry_date

    def classify(number: str) -> Classification:
        found = known(number)
        if found is None:
            found = memo[number] = ask(number, on)
        return found

    return classify


def _rate_type(cls: Classification) -> str | None:
    return cls.period.rate_type if cls.period is not None and cls.status == "ieepa" else None


def may_carry_ieepa_duty(tariff: TariffRefund) -> bool:
    return carries_ieepa_duty(tariff.status, tariff.period)


def _display(tariff: Tariff) -> str:
    return _hts.format(tariff.hts)
