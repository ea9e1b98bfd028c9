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

from datetime import date
from decimal import Decimal

from .._model import check_instance, check_optional_date
from .._trusted import trusted
from ..entry import Entry
from ..errors import InvalidFormat
from ..interest import (
    DEFAULT_CONVENTIONS,
    InterestConventions,
    RateTable,
)
from ..money import DUTY_ROUNDING, check_rounding
from ..registry import Registry, default_registry
from ._interest import attach_interest, deposit_date
from ._lines import KEPT_NO_RATE, LineWork, classifier, may_carry_ieepa_duty, sum_high
from .codes import warning
from .options import Deposit, Method
from .results import EntryRefund, RefundWarning

__all__ = ["compute_refund"]

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


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
    check_instance(entry, Entry, field="entry")
    if method not in ("paid", "recalculate"):
        raise InvalidFormat("expected 'paid' or 'recalculate'", field="method", value=method)
    if deposit not in ("reported", "pms"):
        raise InvalidFormat("expected 'reported' or 'pms'", field="deposit", value=deposit)
    interest_until = check_optional_date(interest_until, field="interest_until")
    for flag, name in ((corporate, "corporate"), (project, "project")):
        check_instance(flag, bool, field=name)
    if registry is not None:
        check_instance(registry, Registry, field="registry")
    if interest_conventions is not None:
        check_instance(interest_conventions, InterestConventions, field="interest_conventions")
    check_rounding(rounding)
    registry = registry or default_registry()
    classify = classifier(registry, entry)
    warnings: list[RefundWarning] = []
    works = [LineWork(line, classify, method, rounding, warnings) for line in entry.lines]
    lines = tuple(work.result() for work in works)
    paid = sum((line.paid for line in lines), ZERO)
    owed = sum((line.owed for line in lines), ZERO)
    principal = paid - owed
    principal_high = sum_high(line.refund_high for line in lines)
    if entry.incomplete_rows:
        # The rejected rows may hold any IEEPA duty: what is known is a floor, with no ceiling.
        principal_high = None
        warnings.append(
            warning(
                code="INCOMPLETE_ENTRY",
                message=f"{entry.incomplete_rows} row(s) of this entry were rejected on reading: "
                "the principal counts only the rows kept and has no upper bound until the "
                "input is fixed.",
            )
        )
    if (conflict := entry.liquidation_conflict) is not None:
        warnings.append(
            warning(
                code="LIQUIDATION_INCONSISTENT",
                message=f"The {conflict}: the interest end and the CAPE window depend on which "
                "is right; check the entry in ACE.",
            )
        )
    if entry.bad_check_digit:
        warnings.append(
            warning(
                code="BAD_CHECK_DIGIT",
                message="The entry number's check digit does not match (CATAIR Appendix E): "
                "the number may be mistyped, and ACE may not know it.",
            )
        )

    if not any(may_carry_ieepa_duty(t) for line in lines for t in line.tariffs):
        warnings.append(
            warning(
                code="NO_IEEPA_HTS_ON_ENTRY",
                message="No IEEPA duty heading on this entry (only exemptions, exceptions or "
                "non-IEEPA numbers): nothing to refund, and CAPE answers 'NO IEEPA HTS ON ENTRY'.",
            )
        )
    missing_rates = [t for line in lines for t in line.tariffs if t.reason == KEPT_NO_RATE]
    if method == "recalculate" and missing_rates:
        warnings.append(
            warning(
                code="RATE_MISSING",
                message=f"{len(missing_rates)} non-IEEPA HTS number(s) have no rate text; "
                "their reported duty was kept as owed instead of being recalculated.",
            )
        )
    # The methods differ only on non-IEEPA numbers whose reported duty is not what their rate
    # gives: recalculation's principal = paid lines' principal + the sum of those differences.
    delta = sum_high(work.recalc_delta for work in works)
    if principal_high == principal and delta:
        other = principal + delta if method == "paid" else principal - delta
        paid_p, recalc_p = (principal, other) if method == "paid" else (other, principal)
        warnings.append(
            warning(
                code="METHODS_DISAGREE",
                message=f"Paid lines give {paid_p}, recalculation from the rates gives "
                f"{recalc_p}: a person should review this entry before relying on either.",
            )
        )
    deposited, basis = deposit_date(entry, deposit, warnings)
    until = entry.liquidation_date or interest_until
    detail, table_version = attach_interest(
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
