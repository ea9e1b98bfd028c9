"""The deposit date a refund's interest runs from, and the interest attached to a refund."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ..dates import pms_deposit_date
from ..entry import DutyMismatch, Entry, duty_mismatch
from ..errors import RateNotCovered
from ..interest import (
    MAX_PRINCIPAL,
    InterestConventions,
    InterestDetail,
    RateTable,
    SegmentedInterest,
    apply_growth,
    default_rate_table,
    interest_detail,
    interest_growth,
    segmented_interest,
)
from ..money import round_interest
from .codes import WarningCode, entry_warning, warning
from .options import Deposit
from .results import DepositBasis, RefundWarning


def deposit_date(
    entry: Entry, deposit: Deposit, closures: Collection[date], warnings: list[RefundWarning]
) -> tuple[date, DepositBasis]:
    if entry.deposit_date is not None:
        return entry.deposit_date, DepositBasis.REPORTED
    if entry.deposits:  # the first of the deposits on record (Entry keeps them in order)
        return entry.deposits[0].date, DepositBasis.REPORTED
    if deposit == "pms":
        return pms_deposit_date(entry.entry_date, closures=closures), DepositBasis.PMS
    if entry.entry_summary_date is not None:
        chosen, basis = entry.entry_summary_date, DepositBasis.ENTRY_SUMMARY_DATE
    else:
        chosen, basis = entry.entry_date, DepositBasis.ENTRY_DATE
    warnings.append(_assumed(basis, chosen))
    return chosen, basis


@lru_cache(maxsize=4096)
def _assumed(basis: DepositBasis, chosen: date) -> RefundWarning:
    # Looked up by date, not by its text: most entries of a file take this road.
    return entry_warning(
        WarningCode.DEPOSIT_DATE_ASSUMED,
        f"No deposit date: interest runs from the {basis.field} "
        f"{chosen.isoformat()}. Duties paid on a periodic monthly statement were deposited "
        "later (deposit='pms').",
    )


def attach_interest(
    principal: Decimal,
    principal_high: Decimal | None,
    *,
    entry: Entry,
    deposited: date,
    until: date | None,
    corporate: bool,
    rates: RateTable | None,
    project: bool,
    conventions: InterestConventions,
    warnings: list[RefundWarning],
    lean: bool = False,
) -> tuple[InterestDetail | SegmentedInterest | Decimal | None, str | None]:
    """Interest on ``principal`` to ``until``, or None with a warning saying why.

    An entry with more than one deposit event (supplemental deposits, pre-liquidation
    refunds) gets :func:`segmented_interest`; otherwise one accrual from ``deposited``.
    ``lean``: the one accrual's interest figure alone, as :func:`interest_growth` documents
    it (``round_interest`` of the principal times the span's growth: the figure
    :func:`interest_detail` gives, without its per-quarter split).
    """
    table = rates or default_rate_table()
    if until is None:
        warnings.append(
            entry_warning(
                WarningCode.NO_INTEREST_UNLIQUIDATED,
                "The entry is not liquidated and no interest_until was given: interest "
                "accrues to the (re)liquidation date, so there is no interest figure yet.",
            )
        )
        return None, table.data_version
    if principal < 0:
        warnings.append(
            warning(
                code=WarningCode.UNDERPAYMENT,
                message=f"Removing the IEEPA numbers leaves {-principal} more duty owed than was "
                "paid: CBP would bill it, with underpayment interest, rather than refund.",
            )
        )
    if principal <= 0:
        return None, table.data_version
    if until < deposited:
        warnings.append(
            warning(
                WarningCode.INTEREST_BEFORE_DEPOSIT,
                f"No interest figure: interest would run to {until.isoformat()}, before the deposit "
                f"date {deposited.isoformat()}. Check the dates.",
            )
        )
        return None, table.data_version
    if principal > MAX_PRINCIPAL:
        # A typo or a unit slip in the input, not a refund: no interest figure, said so.
        warnings.append(
            warning(
                code=WarningCode.IMPLAUSIBLE_PRINCIPAL,
                message=f"No interest figure: a principal of {principal:,} is more than "
                f"{MAX_PRINCIPAL:,}, no plausible refund; check the amounts in the input.",
            )
        )
        return None, table.data_version
    if len(entry.deposits) == 1 and entry.deposits[0].signed < principal:
        # A one-row history still says how much was deposited: below the refund, the single
        # accrual would pay interest on money the history says was never deposited.
        warnings.append(_below_refund(entry.deposits[0].signed, principal))
        return None, table.data_version
    if entry.deposits and (mismatch := duty_mismatch(entry)) and mismatch.net >= principal:
        # Below the refund DEPOSITS_BELOW_REFUND says it (for several events, in _segmented).
        # Otherwise a history that is not the duty paid gave interest on money the ES-003
        # says was never on deposit, or was never refunded (t65/01-02): withheld, said so.
        warnings.append(_not_duty_paid(entry, mismatch, principal))
        return None, table.data_version
    if len(entry.deposits) > 1:
        segmented = _segmented(
            principal, entry, until, corporate, table, project, conventions, warnings
        )
        if segmented[0] is not None:
            _established(principal, principal_high, warnings)
        return segmented
    # The lean road needs only the span's growth; the full one its per-quarter detail. A rate
    # table that does not reach ``until`` gives no figure either way, said so once.
    try:
        if lean:
            growth = _growth(
                deposited,
                until,
                corporate=corporate,
                rates=table,
                project=project,
                conventions=conventions,
            )
            projected = growth.projected
        else:
            detail = interest_detail(
                principal,
                deposited=deposited,
                until=until,
                corporate=corporate,
                rates=table,
                project=project,
                conventions=conventions,
            )
            projected = detail.projected
    except RateNotCovered as exc:
        warnings.append(
            warning(code=WarningCode.RATE_NOT_COVERED, message=f"No interest figure: {exc}.")
        )
        return None, table.data_version
    _projected(projected, warnings)
    _established(principal, principal_high, warnings)
    if lean:
        figure = round_interest(
            apply_growth(principal, growth.total), rounding=conventions.rounding
        )
        return figure, table.data_version
    return detail, table.data_version


# The lean road asks for a span's growth once per (deposit, end) pair and choices, not once
# per entry: the dates and choices were checked when the entry and options were made, and a
# million-row file holds about 6,000 pairs (sized as the engine's own growth cache).
# A span the rate table does not cover raises each time (lru_cache keeps no exception).
_growth = lru_cache(maxsize=1 << 15)(interest_growth)


def _established(
    principal: Decimal, principal_high: Decimal | None, warnings: list[RefundWarning]
) -> None:
    if principal_high != principal:
        warnings.append(
            entry_warning(
                WarningCode.INTEREST_ON_ESTABLISHED_PRINCIPAL,
                "Interest is computed on the established principal; the refund may be "
                "larger, and its interest with it.",
            )
        )


def _projected(projected: bool, warnings: list[RefundWarning]) -> None:
    if projected:
        warnings.append(
            entry_warning(
                WarningCode.RATE_PROJECTED,
                "Interest past the rate table's end uses the last known rate, as asked: "
                "the real rate for those quarters is not yet published.",
            )
        )


def _segmented(
    principal: Decimal,
    entry: Entry,
    until: date,
    corporate: bool,
    table: RateTable,
    project: bool,
    conventions: InterestConventions,
    warnings: list[RefundWarning],
) -> tuple[SegmentedInterest | None, str]:
    # The deposits and the refund principal are in the same terms only if the deposits cover
    # it: what stays due at liquidation is what was deposited less what is refunded.
    deposited = sum((event.signed for event in entry.deposits), Decimal(0))
    if deposited < principal:
        warnings.append(_below_refund(deposited, principal))
        return None, table.data_version
    last = entry.deposits[-1]
    if last.date > until:
        warnings.append(
            warning(
                WarningCode.INTEREST_BEFORE_DEPOSIT,
                f"No interest figure: interest would run to {until.isoformat()}, before the "
                f"{last.kind} of {last.date.isoformat()}. Check the dates.",
            )
        )
        return None, table.data_version
    try:
        detail = segmented_interest(
            entry.deposits,
            final_amount_due=deposited - principal,
            until=until,
            corporate=corporate,
            rates=table,
            project=project,
            conventions=conventions,
        )
    except RateNotCovered as exc:
        warnings.append(
            warning(code=WarningCode.RATE_NOT_COVERED, message=f"No interest figure: {exc}.")
        )
        return None, table.data_version
    _projected(detail.projected, warnings)
    if detail.government_interest:
        warnings.append(
            warning(
                code=WarningCode.INTEREST_NETTED,
                message=f"The Government is owed {detail.government_interest} of interest on "
                "the spans where less than the final duty was on deposit; it is netted against "
                f"the importer's {detail.importer_interest} (19 CFR 24.36(a)(1)).",
            )
        )
    return detail, table.data_version


def _below_refund(deposited: Decimal, principal: Decimal) -> RefundWarning:
    return warning(
        code=WarningCode.DEPOSITS_BELOW_REFUND,
        message=f"No interest figure: the deposits on record net to {deposited}, less "
        f"than the refund principal {principal}. Check the deposits' amounts.",
    )


def _not_duty_paid(entry: Entry, mismatch: DutyMismatch, principal: Decimal) -> RefundWarning:
    """DEPOSITS_NOT_DUTY_PAID: its first sentence names both sums (the next action quotes it)."""
    net, refunded, duty = mismatch.net, mismatch.refunded, mismatch.duty
    moved = (
        f"deposits {mismatch.deposited} less pre-liquidation refunds {refunded}"
        if refunded
        else f"deposits {mismatch.deposited}"
    )
    paid = (
        f"the {duty} of duty its lines report as paid"
        if mismatch.whole
        else f"at least the {duty} of duty its lines report (some not reported or rows rejected)"
    )
    message = (
        f"No interest figure: the deposit history of entry {entry.display_number} nets to {net} "
        f"({moved}), not {paid}. The ES-003's duties are the entry as it stands after any "
        "correction, so the two must be equal: correct the history's amounts (a typo, a row "
        "missing or too many) or the ES-003, and run again."
    )
    if refunded and net < duty:
        # The principal is the ES-003's paid less owed: it counts none of the early refund
        # as repaid, and the data cannot say which input is wrong, so no other is worked out.
        message += (
            f" If CBP did refund {refunded} before liquidation, part of the refund principal "
            f"{principal} (from the ES-003) may already be repaid: no other principal is "
            "worked out."
        )
    return warning(code=WarningCode.DEPOSITS_NOT_DUTY_PAID, message=message)
