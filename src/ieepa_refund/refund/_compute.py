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

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from .._model import check_instance, check_optional_date
from .._trusted import builder
from ..entry import Entry
from ..interest import (
    InterestConventions,
    InterestDetail,
    RateTable,
    SegmentedInterest,
    default_rate_table,
)
from ..money import exact
from ..registry import Registry, default_registry
from ._dates import early_deposit, late_liquidation, scheduled_liquidation
from ._interest import attach_interest, deposit_date
from ._lines import LineWork, classifier, may_carry_ieepa_duty
from ._paid import (
    LineFigures,
    figures_of,
    ieepa_paid_of,
    paid_line,
    paid_line_figures,
    topup_line_figures,
)
from ._shared import ZERO, same, shared_tuple, sum_high, sum_of
from .closures import default_federal_closures
from .codes import WarningCode, entry_warning, warning
from .options import Deposit, Method, RefundOptions
from .results import DepositBasis, EntryRefund, LineRefund, RefundFigures, RefundWarning

__all__ = ["compute_figures", "compute_refund", "with_overrides"]

HUNDRED = Decimal(100)
DEFAULT_OPTIONS = RefundOptions()


def compute_refund(
    entry: Entry,
    *,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    method: Method | None = None,
    rounding: str | None = None,
    corporate: bool | None = None,
    interest_until: date | None = None,
    project: bool | None = None,
    deposit: Deposit | None = None,
    interest_conventions: InterestConventions | None = None,
) -> EntryRefund:
    """The refund of ``entry``: principal per HTS number, line and entry, and interest.

    The choices are ``options`` (a :class:`RefundOptions`; default: the
    library's defaults); each of the keyword options of the same name, where
    given, replaces that one choice, and the result is checked as
    :class:`RefundOptions` checks it. ``registry`` defaults to the shipped
    Chapter 99 data and ``rates`` to the shipped interest rates.

    ``rounding`` is the rounding mode of each HTS number's duty to the cent
    (ACE's is not published; half-up by default). Interest (19 CFR 24.36) runs
    from the deposit date to the entry's ``liquidation_date``; an unliquidated
    entry runs to ``interest_until`` when the caller gives one (a what-if, such
    as an expected liquidation about 45 days after CAPE acceptance), and
    otherwise gets no interest figure and a warning. The deposit date is
    ``entry.deposit_date``; failing that, with ``deposit="reported"``, the
    entry summary date (or the entry date) as a flagged assumption; with
    ``deposit="pms"``, the 15th working day of the month after release
    (periodic monthly statement), skipping the federal closures. ``corporate``
    picks the corporate overpayment rate; ``project`` carries the last known
    rate past the rate table's end; ``interest_conventions`` sets the open
    conventions.
    """
    chosen = {
        "method": method,
        "rounding": rounding,
        "corporate": corporate,
        "interest_until": interest_until,
        "project": project,
        "deposit": deposit,
        "interest_conventions": interest_conventions,
    }
    opts = _prepare(entry, options, registry, chosen)
    with exact():  # the same cents whatever decimal context the caller has set
        return _compute(entry, opts, registry or default_registry(), rates)


def compute_figures(
    entry: Entry,
    *,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    method: Method | None = None,
    rounding: str | None = None,
    corporate: bool | None = None,
    interest_until: date | None = None,
    project: bool | None = None,
    deposit: Deposit | None = None,
    interest_conventions: InterestConventions | None = None,
) -> RefundFigures:
    """The entry-level figures :func:`compute_refund` gives, without its detail.

    Takes the same arguments and gives, for the same entry and choices, the same
    principal, bound, paid, owed, interest, deposit date, warnings and versions as
    :func:`compute_refund`'s :class:`EntryRefund`; it builds no per-line or per-number
    result and no per-quarter interest split, so a large file costs less time and
    memory. An entry whose figures need a person's look still says why in ``warnings``;
    :func:`compute_refund` shows the working.
    """
    chosen = {
        "method": method,
        "rounding": rounding,
        "corporate": corporate,
        "interest_until": interest_until,
        "project": project,
        "deposit": deposit,
        "interest_conventions": interest_conventions,
    }
    opts = _prepare(entry, options, registry, chosen)
    with exact():
        return _figures(entry, opts, registry or default_registry(), rates)


def _prepare(
    entry: Entry,
    options: RefundOptions | None,
    registry: Registry | None,
    chosen: dict[str, Any],
) -> RefundOptions:
    """The arguments both entry points take, checked by name; the options to use."""
    check_instance(entry, Entry, field="entry")
    chosen["interest_until"] = check_optional_date(chosen["interest_until"], field="interest_until")
    if registry is not None:
        check_instance(registry, Registry, field="registry")
    if options is not None:
        check_instance(options, RefundOptions, field="options")
    return with_overrides(options, chosen)


def with_overrides(options: RefundOptions | None, chosen: Mapping[str, Any]) -> RefundOptions:
    """``options`` (default: the defaults) with each choice that is not None, checked again."""
    given = tuple((name, value) for name, value in chosen.items() if value is not None)
    if not given:
        return options or DEFAULT_OPTIONS
    try:
        hash(given)
    except TypeError:  # a value of the wrong type: let RefundOptions name it
        return _check(options, given)
    return _checked(options, given)


def _check(options: RefundOptions | None, given: tuple[tuple[str, Any], ...]) -> RefundOptions:
    if options is None:
        return RefundOptions(**dict(given))
    return RefundOptions(**{**dict(options), **dict(given)})


# Cached: a caller looping compute_refund(entry, interest_until=...) over a portfolio passes
# the same few choices each time; they are checked once, not once per entry.
_checked = lru_cache(maxsize=256)(_check)


def _compute(
    entry: Entry,
    options: RefundOptions,
    registry: Registry,
    rates: RateTable | None,
    *,
    fast: bool = True,
) -> EntryRefund:
    # ``fast=False`` sends every line through LineWork: the tests compare the two roads.
    method = options.method
    warnings: list[RefundWarning] = []
    # A scheduled liquidation date is not one that happened: refunded as unliquidated.
    entry = scheduled_liquidation(entry, options.interest_until, warnings)
    classify = classifier(registry, entry)
    built: list[LineRefund] = []
    # Recalculation's principal less the paid method's (None: undetermined), summed line by
    # line; and the numbers whose reported duty recalculation kept for want of a rate.
    delta: Decimal | None = ZERO
    missing_rates = 0
    carries = False
    fast = fast and method == "paid"
    for line in entry.lines:
        done = paid_line(line, classify) if fast else None
        if done is None:
            work = LineWork(line, classify, method, options.rounding, warnings)
            result = work.result()
            line_delta, missing_rates = work.recalc_delta, missing_rates + work.kept_without_rate
            carries = carries or any(may_carry_ieepa_duty(t) for t in result.tariffs)
        else:
            # A fast line's other numbers have no rate text: recalculation is undetermined.
            result, others, ieepa = done
            line_delta = None if others else ZERO
            carries = carries or ieepa
        built.append(result)
        delta = None if delta is None or line_delta is None else delta + line_delta
    e = _entry(entry, options, registry, rates, built, warnings, delta, missing_rates, carries)
    ieepa_paid = _shared_paid(sum((ieepa_paid_of(line.tariffs) for line in built), ZERO), e)
    detail = e.interest
    assert not isinstance(detail, Decimal)  # only the lean road gives the bare figure
    return _new_refund(
        entry.entry_number,
        entry.importer_number,
        entry.notify_party,
        entry.liquidation_date,
        detail.interest if detail else e.no_interest,
        detail if isinstance(detail, InterestDetail) else None,
        detail if isinstance(detail, SegmentedInterest) else None,
        e.deposited,
        e.basis,
        e.until,
        e.rates_version,
        method,
        e.paid,
        ieepa_paid,
        e.owed,
        e.principal,
        e.principal_high,
        tuple(built),
        e.warnings,
        registry.data_version,
        options.rounding,
    )


def _figures(
    entry: Entry, options: RefundOptions, registry: Registry, rates: RateTable | None
) -> RefundFigures:
    """:func:`_compute`'s road, keeping each line's sums only and the interest figure only."""
    method = options.method
    warnings: list[RefundWarning] = []
    # A scheduled liquidation date is not one that happened: refunded as unliquidated.
    entry = scheduled_liquidation(entry, options.interest_until, warnings)
    classify = classifier(registry, entry)
    sums: list[LineFigures] = []
    delta: Decimal | None = ZERO
    missing_rates = 0
    carries = False
    fast = method == "paid"
    for line in entry.lines:
        done = paid_line_figures(line, classify) if fast else None
        if done is None and fast and (topup := topup_line_figures(line, classify, warnings)):
            # A 15% all-in line (one file row in four in the benchmark): its sums, not the
            # full working, with the same warnings and delta.
            figures, line_delta = topup
            carries = True
            sums.append(figures)
        elif done is None:  # a rarer line: its full working, kept only for its sums
            work = LineWork(line, classify, method, options.rounding, warnings)
            result = work.result()
            line_delta, missing_rates = work.recalc_delta, missing_rates + work.kept_without_rate
            carries = carries or any(may_carry_ieepa_duty(t) for t in result.tariffs)
            sums.append(figures_of(result))
        else:
            figures, others, ieepa = done
            line_delta = None if others else ZERO
            carries = carries or ieepa
            sums.append(figures)
        delta = None if delta is None or line_delta is None else delta + line_delta
    e = _entry(
        entry, options, registry, rates, sums, warnings, delta, missing_rates, carries, lean=True
    )
    figure = e.interest
    if figure is not None and not isinstance(figure, Decimal):
        figure = figure.interest  # several deposits: the segmented road's netted figure
    return _new_figures(
        entry.entry_number,
        entry.importer_number,
        entry.notify_party,
        entry.liquidation_date,
        e.no_interest if figure is None else figure,
        e.deposited,
        e.basis,
        e.until,
        e.rates_version,
        method,
        e.paid,
        _shared_paid(sum((line.ieepa_paid for line in sums), ZERO), e),
        e.owed,
        e.principal,
        e.principal_high,
        e.warnings,
        registry.data_version,
        options.rounding,
    )


def _shared_paid(ieepa_paid: Decimal, e: _Entry) -> Decimal:
    """The IEEPA duty paid as the principal's or the duty paid's own object when it is that
    number written the same way (the common case: the refund is the IEEPA duty), so the field
    costs a refund no Decimal of its own (about 100 bytes, 20 MB at 1M rows)."""
    return same(same(ieepa_paid, e.principal), e.paid)


class _Entry(NamedTuple):
    """An entry's figures from its lines' sums: what both roads share."""

    paid: Decimal
    owed: Decimal
    principal: Decimal
    principal_high: Decimal | None
    interest: InterestDetail | SegmentedInterest | Decimal | None
    no_interest: Decimal | None
    """The interest figure where no interest is computed: 0 for nothing to refund, else None."""
    deposited: date
    basis: DepositBasis
    until: date | None
    rates_version: str | None
    warnings: tuple[RefundWarning, ...]


def _entry(
    entry: Entry,
    options: RefundOptions,
    registry: Registry,
    rates: RateTable | None,
    lines: Sequence[LineFigures | LineRefund],
    warnings: list[RefundWarning],
    delta: Decimal | None,
    missing_rates: int,
    carries: bool,
    *,
    lean: bool = False,
) -> _Entry:
    method = options.method
    paid = sum_of(tuple([line.paid for line in lines]))
    for line_refund in lines:
        if not (
            line_refund.owed is ZERO
            and line_refund.refund is line_refund.paid
            and line_refund.refund_high is line_refund.paid
        ):
            # Each as an object the refund already holds when it is that number written the
            # same way (a line restoring MFN duty owes what it paid, refunds 0.00 and has the
            # duty paid as its bound): about 100 bytes a figure, nothing in its value or text.
            owed = same(sum_of(tuple([line.owed for line in lines])), paid)
            principal = same(same(paid - owed, paid), ZERO)
            principal_high = sum_high(line.refund_high for line in lines)
            if principal_high is not None:
                principal_high = same(same(principal_high, principal), paid)
            break
    else:  # every line refunds what it paid: the sums below are paid's, written alike
        owed = ZERO
        principal = principal_high = same(paid - owed, paid)
    if entry.incomplete_rows:
        # Nothing is established. A rejected row may hold more IEEPA duty (no ceiling), or the
        # Chapter 1-97 number whose MFN duty a 15% deal restores (the rows kept then overstate
        # the refund): the bounds are 0 and none. The rows kept stay in paid, owed and lines.
        kept = principal
        principal, principal_high = min(principal, ZERO), None
        warnings.append(
            warning(
                code=WarningCode.INCOMPLETE_ENTRY,
                message=f"{entry.incomplete_rows} row(s) of this entry were rejected on reading: "
                f"the rows kept give {kept} (paid {paid} less owed {owed}), but a rejected row "
                "may add IEEPA duty or restore duty owed, so no principal is established and "
                "there is no upper bound until the input is fixed.",
            )
        )
    if (conflict := entry.liquidation_conflict) is not None:
        warnings.append(
            warning(
                code=WarningCode.LIQUIDATION_INCONSISTENT,
                message=f"The {conflict}: the interest end and the CAPE window depend on which "
                "is right; check the entry in ACE.",
            )
        )
    if entry.bad_check_digit:
        warnings.append(
            entry_warning(
                WarningCode.BAD_CHECK_DIGIT,
                "The entry number's check digit does not match (CATAIR Appendix E): "
                "the number may be mistyped, and ACE may not know it.",
            )
        )

    if not carries:
        warnings.append(
            entry_warning(
                WarningCode.NO_IEEPA_HTS_ON_ENTRY,
                "No IEEPA duty heading on this entry (only exemptions, exceptions or "
                "non-IEEPA numbers): nothing to refund, and CAPE answers 'NO IEEPA HTS ON ENTRY'.",
            )
        )
    # Only recalculation keeps a reported duty for want of a rate; the paid method counts none.
    if missing_rates and method == "recalculate":
        warnings.append(
            warning(
                code=WarningCode.RATE_MISSING,
                message=f"{missing_rates} non-IEEPA HTS number(s) have no rate text; "
                "their reported duty was kept as owed instead of being recalculated.",
            )
        )
    # The methods differ only on non-IEEPA numbers whose reported duty is not what their rate
    # gives: recalculation's principal = paid lines' principal + the sum of those differences.
    if principal_high == principal and delta:
        # delta is not zero, so the two principals always differ here.
        other = principal + delta if method == "paid" else principal - delta
        paid_p, recalc_p = (principal, other) if method == "paid" else (other, principal)
        warnings.append(
            warning(
                code=WarningCode.METHODS_DISAGREE,
                message=f"Paid lines give {paid_p}, recalculation from the rates gives "
                f"{recalc_p}: a person should review this entry before relying on either.",
            )
        )
    closures = default_federal_closures() if options.closures is None else options.closures
    deposited, basis = deposit_date(entry, options.deposit, closures, warnings)
    until = entry.liquidation_date or options.interest_until
    late_liquidation(entry, options.interest_until, warnings)
    # A deposit date before the entry date withholds the figure, whatever its cause.
    withheld = principal > 0 and deposited < entry.entry_date
    if withheld:
        early_deposit(entry, deposited, basis, registry, warnings)
    detail, table_version = (
        (None, (rates or default_rate_table()).data_version)
        if withheld
        else attach_interest(
            principal,
            principal_high,
            entry=entry,
            deposited=deposited,
            until=until,
            corporate=options.corporate,
            rates=rates,
            project=options.project,
            conventions=options.interest_conventions,
            warnings=warnings,
            lean=lean,
        )
    )
    return _Entry(
        paid,
        owed,
        principal,
        principal_high if principal_high is None else same(principal_high, principal),
        detail,
        ZERO if principal <= 0 and until else None,
        deposited,
        basis,
        until,
        table_version,
        shared_tuple(warnings),
    )


# The field order of every EntryRefund compute_refund has made (its JSON's key order).
_new_refund = builder(
    EntryRefund,
    (
        "entry_number",
        "importer_number",
        "notify_party",
        "liquidation_date",
        "interest",
        "interest_detail",
        "interest_segments",
        "deposit_date",
        "deposit_basis",
        "interest_until",
        "rates_version",
        "method",
        "paid",
        "ieepa_paid",
        "owed",
        "principal",
        "principal_high",
        "lines",
        "warnings",
        "data_version",
        "rounding",
    ),
)

# The field order of every RefundFigures compute_figures has made (EntryRefund's, less detail).
_new_figures = builder(
    RefundFigures,
    (
        "entry_number",
        "importer_number",
        "notify_party",
        "liquidation_date",
        "interest",
        "deposit_date",
        "deposit_basis",
        "interest_until",
        "rates_version",
        "method",
        "paid",
        "ieepa_paid",
        "owed",
        "principal",
        "principal_high",
        "warnings",
        "data_version",
        "rounding",
    ),
)
