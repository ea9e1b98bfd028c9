"""The refund principal: duties paid minus duties owed without the IEEPA numbers.

CBP removes an entry's IEEPA Chapter 99 numbers, recalculates the duty owed
and refunds the difference. Two ways to compute that are offered:

``method="paid"``
    Sum the IEEPA duty amounts paid, corrected for the 15% all-in deals: where
    the full 15% sat on the Chapter 99 line and 0 on the Chapter 1-97 line
    (CSMS #66319804, #67045953), removing the heading restores the MFN duty,
    so the restored MFN is owed again. Every other number is left as reported.

``method="recalculate"``
    CBP's way: recompute the duty owed on every remaining HTS number from its
    rate text, value and quantity, and refund paid minus owed.

Where both can be computed and they disagree, the result says so
(``METHODS_DISAGREE``): the entry needs a person's review.

Results are traceable: each HTS number carries its classification, the
registry period (program, rate, dates, source) and a reason in words. An
unknown figure is never a silent 0: the result keeps the established amount
(``principal``) and the most it could be (``principal_high``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from . import hts as _hts
from ._trusted import trusted
from .dates import pms_deposit_date
from .errors import InvalidRate, RateNotCovered
from .interest import (
    DEFAULT_CONVENTIONS,
    InterestConventions,
    InterestDetail,
    RateTable,
    default_rate_table,
    interest_detail,
)
from .models import (
    Entry,
    EntryLine,
    EntryRefund,
    LineRefund,
    Method,
    RefundWarning,
    Tariff,
    TariffRefund,
)
from .money import DUTY_ROUNDING, check_rounding, round_duty
from .rates import parse_rate
from .registry import Classification, HeadingPeriod, Registry, default_registry

__all__ = ["WARNING_CODES", "compute_refund"]

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

#: Every warning code compute_refund can give, with what it means.
WARNING_CODES: dict[str, str] = {
    "INVALID_HTS": "an IEEPA number used outside its period; CAPE answers 'INVALID HTS'",
    "COUNTRY_MISMATCH": "an IEEPA heading whose countries do not include the line's origin",
    "NO_IEEPA_HTS_ON_ENTRY": "no IEEPA duty heading on the entry; CAPE answers 'NO IEEPA HTS ON ENTRY'",
    "DUAL_PURPOSE_EXEMPTION": "an exemption that also exempts Section 232 duty: recalculation must keep it",
    "UNKNOWN_CH99": "a Chapter 99 number that no data describes",
    "EXEMPTION_WITH_DUTY": "an exemption or exception heading reported with a duty amount",
    "SUSPENDED_HEADING": "a heading reported in a period when its rate was suspended",
    "ESTIMATED_DUTY": "an IEEPA duty amount missing from the data, estimated from the registry",
    "UNCERTAIN": "a figure that cannot be known from the data; the result carries bounds",
    "RATE_UNUSABLE": "a rate that cannot be applied (no quantity, another unit); reported duty kept",
    "RATE_MISSING": "recalculation kept the reported duty of numbers with no rate text",
    "METHODS_DISAGREE": "the paid-lines and recalculation methods give different principals",
    "DEPOSIT_DATE_ASSUMED": "no deposit date given: interest runs from an assumed date",
    "NO_INTEREST_UNLIQUIDATED": "no liquidation date and no interest_until: no interest figure",
    "RATE_NOT_COVERED": "interest needs a rate past the rate table's end: no interest figure",
    "RATE_PROJECTED": "interest uses the last known rate past the rate table's end",
    "INTEREST_ON_ESTABLISHED_PRINCIPAL": "interest is on the established principal, not its upper bound",
    "UNDERPAYMENT": "removing the IEEPA numbers leaves more duty owed than paid: a bill, not a refund",
    "INTEREST_BEFORE_DEPOSIT": "the interest end date is before the deposit date: no interest figure",
}

Deposit = Literal["reported", "pms"]

_EXEMPT_KINDS = ("exemption", "exception")
_AD_VALOREM_TYPES = ("ad_valorem_additional", "penalty_in_lieu")
_TOPUP = "inclusive_15_topup"
_ZERO_TOPUP = "inclusive_15_zero"
_US_CONTENT = "99030134"
_RECIPROCAL_PREFIX = "reciprocal"


def compute_refund(
    entry: Entry,
    *,
    method: Method = "paid",
    registry: Registry | None = None,
    rounding: str = DUTY_ROUNDING,
    corporate: bool = False,
    interest_until: date | None = None,
    rates: RateTable | None = None,
    project: bool = False,
    deposit: Deposit = "reported",
    interest_conventions: InterestConventions | None = None,
) -> EntryRefund:
    """The refund of ``entry``: principal per HTS number, line and entry, and interest.

    ``registry`` defaults to the shipped Chapter 99 data; ``rounding`` is the
    rounding mode of each HTS number's duty to the cent (ACE's is not
    published; half-up by default).

    Interest (19 CFR 24.36) runs from the deposit date to the entry's
    ``liquidation_date``; an unliquidated entry runs to ``interest_until`` when
    the caller gives one (a what-if, such as an expected liquidation about 45
    days after CAPE acceptance), and otherwise gets no interest figure and a
    warning. The deposit date is ``entry.deposit_date``; failing that, with
    ``deposit="reported"``, the entry summary date (or the entry date) as a
    flagged assumption; with ``deposit="pms"``, the 15th working day of the
    month after release (periodic monthly statement). ``corporate`` picks the
    corporate overpayment rate; ``project`` carries the last known rate past
    the rate table's end; ``interest_conventions`` sets the open conventions.
    """
    if method not in ("paid", "recalculate"):
        raise ValueError(f"method: expected 'paid' or 'recalculate' (got {method!r})")
    if deposit not in ("reported", "pms"):
        raise ValueError(f"deposit: expected 'reported' or 'pms' (got {deposit!r})")
    check_rounding(rounding)
    registry = registry or default_registry()
    classify = _classifier(registry, entry)
    warnings: list[RefundWarning] = []
    works = [_LineWork(line, classify, method, rounding, warnings) for line in entry.lines]
    lines = tuple(work.result() for work in works)
    paid = sum((line.paid for line in lines), ZERO)
    owed = sum((line.owed for line in lines), ZERO)
    principal = paid - owed
    principal_high = _sum_high(line.refund_high for line in lines)

    if not any(_may_carry_ieepa_duty(t) for line in lines for t in line.tariffs):
        warnings.append(
            _warning(
                code="NO_IEEPA_HTS_ON_ENTRY",
                message="No IEEPA duty heading on this entry (only exemptions, exceptions or "
                "non-IEEPA numbers): nothing to refund, and CAPE answers 'NO IEEPA HTS ON ENTRY'.",
            )
        )
    missing_rates = [t for line in lines for t in line.tariffs if t.reason == _KEPT_NO_RATE]
    if method == "recalculate" and missing_rates:
        warnings.append(
            _warning(
                code="RATE_MISSING",
                message=f"{len(missing_rates)} non-IEEPA HTS number(s) have no rate text; "
                "their reported duty was kept as owed instead of being recalculated.",
            )
        )
    # The methods differ only on non-IEEPA numbers whose reported duty is not what their rate
    # gives: recalculation's principal = paid lines' principal + the sum of those differences.
    delta = _sum_high(work.recalc_delta for work in works)
    if principal_high == principal and delta:
        other = principal + delta if method == "paid" else principal - delta
        if other != principal:
            paid_p, recalc_p = (principal, other) if method == "paid" else (other, principal)
            warnings.append(
                _warning(
                    code="METHODS_DISAGREE",
                    message=f"Paid lines give {paid_p}, recalculation from the rates gives "
                    f"{recalc_p}: a person should review this entry before relying on either.",
                )
            )
    deposited, basis = _deposit_date(entry, deposit, warnings)
    until = entry.liquidation_date or interest_until
    detail, table_version = _interest(
        principal,
        principal_high,
        deposited=deposited,
        until=until,
        corporate=corporate,
        rates=rates,
        project=project,
        conventions=interest_conventions or DEFAULT_CONVENTIONS,
        warnings=warnings,
    )
    return trusted(
        EntryRefund,
        entry_number=entry.entry_number,
        importer_number=entry.importer_number,
        notify_party=entry.notify_party,
        liquidation_date=entry.liquidation_date,
        interest=detail.interest
        if detail
        else (Decimal("0.00") if principal <= 0 and until else None),
        interest_detail=detail,
        deposit_date=deposited,
        deposit_basis=basis,
        interest_until=until,
        rates_version=table_version,
        method=method,
        paid=paid,
        owed=owed,
        principal=principal,
        principal_high=principal_high,
        lines=lines,
        warnings=tuple(warnings),
        data_version=registry.data_version,
        rounding=rounding,
    )


def _warning(
    code: str, message: str, line: int | None = None, hts: str | None = None
) -> RefundWarning:
    return trusted(RefundWarning, code=code, message=message, line=line, hts=hts)


# --- interest ------------------------------------------------------------------------------


def _deposit_date(
    entry: Entry, deposit: Deposit, warnings: list[RefundWarning]
) -> tuple[date, str]:
    if entry.deposit_date is not None:
        return entry.deposit_date, "deposit_date"
    if deposit == "pms":
        return pms_deposit_date(entry.entry_date), "periodic monthly statement (15th working day)"
    if entry.entry_summary_date is not None:
        chosen, basis = entry.entry_summary_date, "entry_summary_date (assumed)"
    else:
        chosen, basis = entry.entry_date, "entry_date (assumed)"
    warnings.append(
        _warning(
            code="DEPOSIT_DATE_ASSUMED",
            message=f"No deposit date: interest runs from the {basis.split(' ')[0]} "
            f"{chosen.isoformat()}. Duties paid on a periodic monthly statement were deposited "
            "later (deposit='pms').",
        )
    )
    return chosen, basis


def _interest(
    principal: Decimal,
    principal_high: Decimal | None,
    *,
    deposited: date,
    until: date | None,
    corporate: bool,
    rates: RateTable | None,
    project: bool,
    conventions: InterestConventions,
    warnings: list[RefundWarning],
) -> tuple[InterestDetail | None, str | None]:
    table = rates or default_rate_table()
    if until is None:
        warnings.append(
            _warning(
                code="NO_INTEREST_UNLIQUIDATED",
                message="The entry is not liquidated and no interest_until was given: interest "
                "accrues to the (re)liquidation date, so there is no interest figure yet.",
            )
        )
        return None, table.data_version
    if principal < 0:
        warnings.append(
            _warning(
                code="UNDERPAYMENT",
                message=f"Removing the IEEPA numbers leaves {-principal} more duty owed than was "
                "paid: CBP would bill it, with underpayment interest, rather than refund.",
            )
        )
    if principal <= 0:
        return None, table.data_version
    if until < deposited:
        warnings.append(
            _warning(
                "INTEREST_BEFORE_DEPOSIT",
                f"No interest figure: interest would run to {until.isoformat()}, before the deposit "
                f"date {deposited.isoformat()}. Check the dates.",
            )
        )
        return None, table.data_version
    try:
        detail = interest_detail(
            principal,
            deposited=deposited,
            until=until,
            corporate=corporate,
            rates=table,
            project=project,
            conventions=conventions,
        )
    except RateNotCovered as exc:
        warnings.append(_warning(code="RATE_NOT_COVERED", message=f"No interest figure: {exc}."))
        return None, table.data_version
    if detail.projected:
        warnings.append(
            _warning(
                code="RATE_PROJECTED",
                message="Interest past the rate table's end uses the last known rate, as asked: "
                "the real rate for those quarters is not yet published.",
            )
        )
    if principal_high != principal:
        warnings.append(
            _warning(
                code="INTEREST_ON_ESTABLISHED_PRINCIPAL",
                message="Interest is computed on the established principal; the refund may be "
                "larger, and its interest with it.",
            )
        )
    return detail, table.data_version


# --- one line ------------------------------------------------------------------------------

_KEPT_NO_RATE = "not IEEPA: no rate text, reported duty kept as owed"


@dataclass
class _LineWork:
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

    def __post_init__(self) -> None:
        self.classes = [self.classify(t.hts) for t in self.line.tariffs]
        ordinary = [t for t in self.line.tariffs if not t.is_chapter99]
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
                    self.topup_paid += done[index].paid
        for index, (tariff, cls) in enumerate(zip(self.line.tariffs, self.classes, strict=True)):
            if not cls.is_ieepa:
                done[index] = self._other(tariff, cls)
        tariffs = tuple(done[i] for i in range(len(self.line.tariffs)))
        return trusted(
            LineRefund,
            number=self.line.number,
            country_of_origin=self.line.country_of_origin,
            paid=sum((t.paid for t in tariffs), ZERO),
            owed=sum((t.owed for t in tariffs), ZERO),
            refund=sum((t.refund for t in tariffs), ZERO),
            refund_high=_sum_high(t.refund_high for t in tariffs),
            tariffs=tariffs,
        )

    # -- IEEPA numbers ---------------------------------------------------------------------

    def _ieepa(self, tariff: Tariff, cls: Classification) -> TariffRefund:
        period = cls.period
        if cls.status == "ieepa_unknown":
            self._warn(
                "UNKNOWN_CH99",
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
        if cls.status == "ieepa_not_in_force":
            self._warn(
                "INVALID_HTS",
                tariff,
                f"{_display(tariff)} is not in force on the entry date (its period: "
                f"{period.period_text}); CAPE answers 'INVALID HTS' until a post-summary "
                "correction fixes the line.",
            )
        if period.applies_to(self.line.country_of_origin) is False:
            self._warn(
                "COUNTRY_MISMATCH",
                tariff,
                f"{_display(tariff)} ({period.program}) does not cover goods of "
                f"{self.line.country_of_origin}.",
            )
        if period.kind in _EXEMPT_KINDS:
            return self._exempt(tariff, cls, period)
        if period.rate_type == "suspended" and cls.status == "ieepa":
            self._warn(
                "SUSPENDED_HEADING",
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
                reason=f"IEEPA {period.program}: duty paid is refunded",
            )
        return self._estimate(tariff, cls, period)

    def _exempt(self, tariff: Tariff, cls: Classification, period: HeadingPeriod) -> TariffRefund:
        paid = tariff.duty if tariff.duty is not None else ZERO
        if paid:
            self._warn(
                "EXEMPTION_WITH_DUTY",
                tariff,
                f"{_display(tariff)} is an {period.kind} heading but reports duty {paid}; "
                "an exemption refunds 0, so check the line.",
            )
        if period.dual_purpose:
            self._warn(
                "DUAL_PURPOSE_EXEMPTION",
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
        self._warn("ESTIMATED_DUTY", tariff, f"{_display(tariff)}: {reason}.")
        return self._make(
            tariff, cls, paid=amount, owed=ZERO, high=amount, estimated=True, reason=reason
        )

    def _uncertain(
        self, tariff: Tariff, cls: Classification, high: Decimal | None, why: str
    ) -> TariffRefund:
        bound = f"at most {high}" if high is not None else "no upper bound"
        self._warn("UNCERTAIN", tariff, f"{_display(tariff)}: {why}; refund counted as 0, {bound}.")
        return self._make(tariff, cls, paid=ZERO, owed=ZERO, high=high, estimated=True, reason=why)

    # -- every other number ----------------------------------------------------------------

    def _other(self, tariff: Tariff, cls: Classification) -> TariffRefund:
        if tariff.is_chapter99 and cls.authority is None:
            self._warn(
                "UNKNOWN_CH99",
                tariff,
                f"{_display(tariff)} is a Chapter 99 number outside every block the data "
                "describes; it is treated as not IEEPA and left unchanged.",
            )
        label = f"not IEEPA ({cls.authority})" if cls.authority else "not IEEPA"
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
            self._warn(
                "UNCERTAIN",
                tariff,
                f"{_display(tariff)}: the 15% all-in amount was reported on the Chapter 99 line "
                f"and no MFN duty here, but the MFN rate is unknown; restored MFN counted as "
                f"{bound} (the most it can be), refund at most {bound} more.",
            )
            return self._make(
                tariff,
                cls,
                paid=paid,
                owed=paid + bound,
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
        reason = (
            _KEPT_NO_RATE
            if self.method == "recalculate" and tariff.rate is None
            else f"{label}: unchanged"
        )
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
                "RATE_UNUSABLE",
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
        return trusted(
            TariffRefund,
            line=self.line.number,
            hts=tariff.hts,
            status=cls.status,
            authority=cls.authority,
            period=cls.period,
            paid=paid,
            owed=owed,
            refund=paid - owed,
            refund_high=high,
            estimated=estimated,
            reason=reason,
        )

    def _warn(self, code: str, tariff: Tariff, message: str) -> None:
        self.warnings.append(
            _warning(code=code, message=message, line=self.line.number, hts=tariff.hts)
        )


def _classifier(registry: Registry, entry: Entry) -> Callable[[str], Classification]:
    memo: dict[str, Classification] = {}

    def classify(number: str) -> Classification:
        found = memo.get(number)
        if found is None:
            found = memo[number] = registry.classify(number, entry.entry_date)
        return found

    return classify


def _rate_type(cls: Classification) -> str | None:
    return cls.period.rate_type if cls.period is not None and cls.status == "ieepa" else None


def _may_carry_ieepa_duty(tariff: TariffRefund) -> bool:
    if tariff.status not in ("ieepa", "ieepa_not_in_force", "ieepa_unknown"):
        return False
    return tariff.period is None or tariff.period.kind not in _EXEMPT_KINDS


def _sum_high(values: Iterable[Decimal | None]) -> Decimal | None:
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _display(tariff: Tariff) -> str:
    return _hts.format(tariff.hts)
