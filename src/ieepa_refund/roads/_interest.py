"""The fast path of a CAPE road's interest: to the expected (re)liquidation from the span's
growth alone, with the growth kept per refund options, rate table and span."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from ..entry import Entry
from ..errors import RateNotCovered
from ..interest import MAX_PRINCIPAL, RateTable, apply_growth, default_rate_table, interest_growth
from ..money import exact, round_interest
from ..refund import DepositBasis, EntryRefund, RefundFigures, RefundOptions
from ..registry import Registry, default_registry
from ._results import ZERO


def _interest_to(
    expected: date,
    entry: Entry,
    refund: EntryRefund | RefundFigures,
    options: RefundOptions,
    registry: Registry | None,
    rates: RateTable | None,
) -> tuple[Decimal | None, date] | None:
    """The interest and its end date ``compute_refund`` gives the entry (re)liquidated on
    ``expected``, from the span's growth alone; None when only ``compute_refund`` can say.

    Only the interest changes with the liquidation date: the principal, its bounds, the
    deposit date and the payee do not (so ``refund``'s stand), and the interest is
    ``attach_interest``'s one accrual from the deposit date, which the interest engine
    computes as ``round_interest(apply_growth(principal, growth))`` (one public function
    both take). Several deposit events take the segmented computation, and a refund not
    made with ``options`` (another method, rounding, registry, rate table or deposit
    choice) may have another principal: both go to ``compute_refund``.
    """
    deposited, basis = refund.deposit_date, refund.deposit_basis
    table = rates or default_rate_table()
    pms = options.deposit == "pms"
    if (
        entry.deposits  # a history's amounts may withhold the interest (DEPOSITS_BELOW_REFUND)
        or deposited is None
        or deposited < entry.entry_date  # compute_refund withholds it (DEPOSIT_BEFORE_*)
        or basis is None
        or refund.method != options.method
        or refund.rounding != options.rounding
        or refund.rates_version != table.data_version
        or refund.data_version != (registry or default_registry()).data_version
        or (basis is not DepositBasis.REPORTED and (basis is DepositBasis.PMS) != pms)
    ):
        return None
    principal = refund.principal
    if principal <= 0:
        return ZERO, expected  # as compute_refund: no interest owed on nothing, said as 0
    if expected < deposited or principal > MAX_PRINCIPAL:
        return None, expected  # compute_refund's warnings say why; the road has no figure
    total = _growth(deposited, expected, options, table)
    if total is None:
        return None, expected  # past the rate table's end: compute_refund has no figure either
    with exact():  # compute_refund's context, so the same cents
        interest = apply_growth(principal, total)
        return round_interest(interest, rounding=options.interest_conventions.rounding), expected


#: Each span's growth (None: past the rate table), per refund options and rate table, keyed
#: by their identity and holding both so an id is never reused: the command passes the same
#: two for every entry, and a file shares a few thousand (deposit, expected) spans.
_GROWTH: dict[tuple[int, int], tuple[RefundOptions, RateTable, dict[tuple[date, date], Any]]] = {}


def _growth(
    deposited: date, expected: date, options: RefundOptions, table: RateTable
) -> Decimal | None:
    scope = _GROWTH.get((id(options), id(table)))
    if scope is None or scope[0] is not options or scope[1] is not table:
        if len(_GROWTH) >= 16:  # a caller making options over and over: start again
            _GROWTH.clear()
        scope = _GROWTH[(id(options), id(table))] = (options, table, {})
    spans = scope[2]
    span = (deposited, expected)
    found = spans.get(span, spans)  # the dict itself: not seen yet (None is an answer)
    if found is spans:
        try:
            found = interest_growth(
                deposited,
                expected,
                corporate=options.corporate,
                rates=table,
                project=options.project,
                conventions=options.interest_conventions,
            ).total
        except RateNotCovered:
            found = None
        if len(spans) >= 1 << 16:
            spans.clear()
        spans[span] = found
    return cast("Decimal | None", found)
