"""Where each refund dollar stands on a declaration date: each entry's road, next action and deadline.

CBP pays a CAPE refund at the entry's (re)liquidation after the declaration,
with interest to that date (19 CFR 24.36(a)(1); T.D. 99-75). Money on an entry
whose CAPE window has closed comes, if at all, through a protest within 180
days of liquidation (19 U.S.C. 1514) or the Court of International Trade
(28 U.S.C. 1581(i)). :func:`entry_road` puts one entry on one :class:`Road`
from its :func:`~ieepa_refund.cape.screen` and its refund:

- a fault in the input comes first (``INPUT_PROBLEM``: fix it before anything);
- a refund known to be zero is ``NOTHING_TO_REFUND``;
- an entry CAPE takes is ``CAPE_NOW`` (or ``CAPE_AT_LIQUIDATION`` when CBP
  refunds it only when it liquidates: suspended, extended, under review, warehouse);
- an entry CAPE refuses today but a dated rule admits later is ``CAPE_LATER``,
  found by screening it again on each later date a rule starts or ends (so the
  rules data, not this code, says which phases exist);
- a liquidated entry refused only for CAPE's look-back (or because CAPE was not
  yet open) is on the ``PROTEST`` road while its 180 days run, then
  ``WINDOW_CLOSED``; any other refusal is ``EXCLUDED``, with CBP's reason (and,
  for a liquidated entry, the protest deadline while it runs: 19 U.S.C. 1514);
- an entry the ledger shows declared but that is past the look-back today is
  ``DECLARED_UNCONFIRMED`` unless its declaration date is known (``declared_dates``,
  or the ledger's declared-on column): an undated ledger row does not prove CAPE
  accepted it inside the look-back, so no payment is predicted. A known declaration
  date is the acceptance its expected dates count from, on every road; liquidated
  after it, CAPE's own liquidation refunded it (no reliquidation follows); its expected
  (re)liquidation passed before the data's date without the data showing it, the entry
  is overdue: no date is forecast (:attr:`EntryRoad.overdue`), never a passed one.

Only the CAPE roads predict a date: the expected (re)liquidation (the timing
data, :mod:`ieepa_refund.roads.timing`), with interest recomputed to it, and
the expected money date. :meth:`Roads.payments` groups that money by payee and
expected (re)liquidation date, as CBP consolidates it; protest and closed money
is never in it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

from .._model import check_date, check_instance, check_items
from .._trusted import builder
from ..cape.deadlines import expected_liquidation
from ..cape.declarations import Ledger, not_a_ledger, read_ledger
from ..cape.rules import CapeRules, default_cape_rules
from ..cape.screen import Screening, screen
from ..entry import Entry
from ..errors import InputFileError, InvalidFormat
from ..interest import RateTable
from ..refund import EntryRefund, RefundFigures, RefundOptions, compute_figures, compute_refund
from ..refund.codes import fix_first
from ..registry import Registry
from ._decide import _next, _road
from ._interest import _interest_to
from ._results import EntryRoad, Road, Roads, RoadTotal, road_totals
from ._rules import _facts, _RuleFacts
from .timing import CapeTiming, default_cape_timing

__all__ = ["EntryRoad", "Road", "RoadTotal", "Roads", "entry_road", "entry_roads", "road_totals"]


def entry_roads(
    entries: Iterable[Entry],
    refunds: Iterable[EntryRefund] | None = None,
    *,
    declared_on: date,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    timing: CapeTiming | None = None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None = None,
    declared_dates: Mapping[str, date] | None = None,
    plaintiffs: Collection[str] = (),
) -> Roads:
    """Each entry's road on ``declared_on`` (see :func:`entry_road`); ``ledger`` read once.

    ``refunds``: the entries' refunds already computed with ``options`` (matched
    by entry number; an entry without one is computed). ``ledger`` is a ledger
    file (:func:`~ieepa_refund.cape.declarations.read_ledger`) or a mapping of
    entry number to declaration file; a missing ledger file is refused
    (:class:`~ieepa_refund.errors.InputFileError`). ``declared_dates``: the date
    each declared entry was declared, where known (see :func:`entry_road`); a
    ledger file's own declared-on dates are used for the entries it does not name.
    """
    declared = _ledger(ledger)
    dated = _dates(declared_dates)
    if timing is not None:
        check_instance(timing, CapeTiming, field="timing")
    if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
        raise InvalidFormat("a sequence of entries is expected", field="entries", value=entries)
    known = {
        r.entry_number: r
        for r in (check_items(refunds, EntryRefund, field="refunds") if refunds is not None else ())
    }
    found = []
    for position, item in enumerate(entries):
        entry = check_instance(item, Entry, field=f"entries[{position}]")
        found.append(
            entry_road(
                entry,
                known.get(entry.entry_number),
                declared_on=declared_on,
                options=options,
                registry=registry,
                rates=rates,
                rules=rules,
                timing=timing,
                ledger=declared,
                declared_dates=dated,
                plaintiffs=plaintiffs,
            )
        )
    return Roads(tuple(found))


def _dates(declared_dates: Mapping[str, date] | None) -> Mapping[str, date]:
    if declared_dates is None:
        return {}
    if not isinstance(declared_dates, Mapping):
        raise InvalidFormat(
            "a mapping of entry number to declaration date is expected",
            field="declared_dates",
            value=declared_dates,
        )
    return {
        str(k): check_date(v, field=f"declared_dates[{k!r}]") for k, v in declared_dates.items()
    }


def _ledger(
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | str | Path | None,
) -> Mapping[str, str] | Mapping[str, tuple[str, ...]]:
    if ledger is None:
        return {}
    if isinstance(ledger, str | Path):
        path = Path(ledger)
        if refused := not_a_ledger(path):
            # A mistyped ledger read as empty would put declared entries back on "declare".
            raise InputFileError(refused, field="ledger", value=str(path))
        ledger = read_ledger(path)
    if not isinstance(ledger, Mapping) or not all(
        isinstance(k, str)
        and (isinstance(v, str) or (isinstance(v, tuple) and all(isinstance(f, str) for f in v)))
        for k, v in ledger.items()
    ):
        raise InvalidFormat(
            "a ledger file or a mapping of entry number to declaration file is expected",
            field="ledger",
            value=ledger,
        )
    return ledger


def entry_road(
    entry: Entry,
    refund: EntryRefund | RefundFigures | None = None,
    *,
    declared_on: date,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    rules: CapeRules | None = None,
    timing: CapeTiming | None = None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | None = None,
    declared_dates: Mapping[str, date] | None = None,
    plaintiffs: Collection[str] = (),
) -> EntryRoad:
    """The road of ``entry`` for a CAPE declaration made on ``declared_on``.

    ``refund`` is the entry's refund under ``options`` when already computed: an
    :class:`~ieepa_refund.EntryRefund` or its :class:`~ieepa_refund.RefundFigures` (a road
    reads only entry-level figures, so both give the same road).
    ``options`` are the refund's choices (interest on a CAPE road always runs
    to the expected (re)liquidation); ``timing`` the expected days (default:
    the shipped ``data/cape_timing``); ``ledger`` maps entries already declared
    to their declaration file (a :class:`~ieepa_refund.cape.declarations.Ledger`
    read from a file also says when each was declared, where its row has the
    date); ``declared_dates`` maps a declared entry to the date it was declared,
    where known, and comes before the ledger's date; ``plaintiffs`` as
    :func:`~ieepa_refund.cape.screen`. CAPE acceptance is taken to be the
    declaration date: for an entry declared on a known date, that date, liquidated
    or not, whatever ``declared_on`` is (on the CAPE-later road, the first date a
    rule admits the entry). A ledger row alone does not prove the look-back was met: an
    entry past it today is screened on its declaration date when known, else it
    is ``DECLARED_UNCONFIRMED`` with no payment predicted. An entry declared on a
    known date and liquidated after it was refunded by that liquidation, CAPE's: interest
    runs to it. One whose expected (re)liquidation is before the date the data are as of
    (``options.interest_until``, else ``declared_on``) and that the data do not show (still
    unliquidated, or no reliquidation) is overdue: no expected date or payment (its
    interest is the refund's, to that date or its liquidation), its next action says so and
    what to check. No payment is expected before that date. A declaration date before CAPE
    opened (the rules' ``cape_open``) raises :class:`~ieepa_refund.errors.InvalidFormat`.
    """
    return _entry_road(
        entry,
        refund,
        declared_on=declared_on,
        options=options,
        registry=registry,
        rates=rates,
        rules=rules,
        timing=timing,
        ledger=ledger,
        declared_dates=declared_dates,
        plaintiffs=plaintiffs,
    )


def _entry_road(
    entry: Entry,
    refund: EntryRefund | RefundFigures | None,
    *,
    declared_on: date,
    options: RefundOptions | None,
    registry: Registry | None,
    rates: RateTable | None,
    rules: CapeRules | None,
    timing: CapeTiming | None,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | None,
    declared_dates: Mapping[str, date] | None,
    plaintiffs: Collection[str],
    fast: bool = True,
) -> EntryRoad:
    # ``fast=False`` is the straightforward road (the refund recomputed whole at the expected
    # date, every later date screened, the result validated): the tests compare the two.
    check_instance(entry, Entry, field="entry")
    declared_on = check_date(declared_on, field="declared_on")
    if timing is not None:
        check_instance(timing, CapeTiming, field="timing")
    if ledger is not None and not isinstance(ledger, Mapping):
        raise InvalidFormat(
            "a mapping of entry number to declaration file is expected (entry_roads reads "
            "a ledger file)",
            field="ledger",
            value=ledger,
        )
    rules = rules or default_cape_rules()
    timing = timing or default_cape_timing()
    options = options or _DEFAULT_OPTIONS
    now = screen(
        entry, declared_on=declared_on, rules=rules, registry=registry, plaintiffs=plaintiffs
    )
    # A road reads only an entry's figures: the lean computation gives them, equal to the full
    # refund's (tests/test_refund_figures.py); the straightforward road keeps the full one.
    compute = compute_figures if fast else compute_refund
    if refund is None:
        refund = compute(entry, options=options, registry=registry, rates=rates)
    elif not isinstance(refund, EntryRefund | RefundFigures):
        raise InvalidFormat(
            "an EntryRefund or RefundFigures is expected", field="refund", value=refund
        )
    elif refund.entry_number != entry.entry_number:
        raise InvalidFormat(
            f"the refund of entry {entry.entry_number} is expected",
            field="refund",
            value=refund.entry_number,
        )
    # A scheduled liquidation date (an open status, a date after declared_on) is no
    # liquidation: the screening notes it (LIQUIDATION_SCHEDULED) and the road is an
    # unliquidated entry's. The road has no notion of a scheduled date: CAPE's liquidation
    # after acceptance is expected instead, as for any unliquidated entry. The refund above
    # is the entry's as given: its own as-of date decides there, as when a caller gives it.
    entry = entry.unliquidated_as_of(declared_on)
    facts = _facts(rules) if fast else _RuleFacts(rules)
    declared_in, when = _declared(
        entry.entry_number, declared_on, ledger, declared_dates, facts.opens
    )
    nothing = refund.principal_high is not None and refund.principal_high <= 0
    # The date the data are as of: where an unliquidated entry's interest ends.
    as_of = options.interest_until or declared_on
    road, later, _, expected, payment, action, deadline = _way(
        entry, now, nothing, declared_in, when, rules, timing, facts, registry, plaintiffs, fast,
        as_of,
    )  # fmt: skip
    interest, interest_until = refund.interest, refund.interest_until
    if expected is not None:
        known = _interest_to(expected, entry, refund, options, registry, rates) if fast else None
        if known is not None:
            interest, interest_until = known
        else:
            paid_at = (
                entry
                if entry.liquidation_date is None
                else entry.model_copy(update={"liquidation_date": expected})
            )
            refund = compute(
                paid_at, options=options, registry=registry, rates=rates, interest_until=expected
            )
            interest, interest_until = refund.interest, refund.interest_until
    if interest is None and refund.principal > 0:
        action = fix_first(refund.warnings, action)  # a withheld figure's fix comes first
    values = (
        entry.entry_number,
        refund.payee,
        road,
        declared_on,
        entry.liquidation_date,
        refund.principal,
        refund.principal_high,
        interest,
        interest_until,
        action,
        deadline,
        later.declared_on if later is not None else None,
        declared_in,
        expected,
        payment,
        now.reasons,
        now.rules_version,
        timing.data_version,
    )
    if fast:
        # Every value is checked above or made here from checked values: no validation again.
        return _new_road(*values)
    return EntryRoad(**dict(zip(EntryRoad.model_fields, values, strict=True)))


def _declared(
    entry_number: str,
    declared_on: date,
    ledger: Mapping[str, str] | Mapping[str, tuple[str, ...]] | None,
    declared_dates: Mapping[str, date] | None,
    opens: date | None = None,
) -> tuple[str | None, date | None]:
    """The file the ledger names for the entry (None: not declared) and when it was declared.

    ``opens``: the day CAPE opened (rules data); a declaration before it raises."""
    files = (ledger or {}).get(entry_number)
    # An entry resubmitted after CBP failed it is in several files: the latest one stands.
    declared_in = (files[-1] if files else "") if isinstance(files, tuple) else files
    when: date | None = None
    if declared_in is not None:
        when = _dates(declared_dates).get(entry_number)
        if when is None and isinstance(ledger, Ledger):
            # The ledger's own record of the day the declaration was made for.
            when = ledger.declared_on.get(entry_number)
        if when is not None and when > declared_on:
            # A declaration after the day of the road (2062 for 2026) is a typo that would
            # put the entry on another road unseen.
            raise InvalidFormat(
                f"entry {entry_number} was declared on {when.isoformat()}, after "
                f"{declared_on.isoformat()}, the date of this road: fix the ledger or "
                "declared_dates",
                field="declared_dates",
                value=when,
            )
        if when is not None and opens is not None and when < opens:
            # No declaration predates CAPE: its dates would forecast a refund in the past.
            raise InvalidFormat(
                f"entry {entry_number} was declared on {when.isoformat()}, before CAPE opened "
                f"on {opens.isoformat()}: fix the ledger or declared_dates",
                field="declared_dates",
                value=when,
            )
    return declared_in, when


def _way(
    entry: Entry,
    now: Screening,
    nothing: bool,
    declared_in: str | None,
    when: date | None,
    rules: CapeRules,
    timing: CapeTiming,
    facts: _RuleFacts,
    registry: Registry | None,
    plaintiffs: Collection[str],
    fast: bool,
    as_of: date,
) -> tuple[Road, Screening | None, date | None, date | None, date | None, str, date | None]:
    """Everything of the road but its money: (road, later screening, acceptance, expected
    (re)liquidation, expected payment, next action, deadline).

    It reads the entry's screening facts, whether its refund is known to be zero
    (``nothing``) and its declaration (file and date), never its amounts: the bulk engine
    computes it once per distinct set of those facts (:mod:`ieepa_refund.bulk`), so the rules
    stay here. ``as_of``, the date the data are as of, is one per run: an entry declared on
    ``when`` whose expected (re)liquidation is before it, not in the data, is overdue.
    The expected date is None where no interest is recomputed (off the CAPE roads, refunded
    at a liquidation whose date is unknown, or overdue).
    """
    road, accepted, later = _road(
        entry, now, nothing, declared_in, when, rules, facts, registry, plaintiffs, fast
    )
    expected: date | None = None
    payment: date | None = None
    overdue = None
    liquidated = entry.liquidation_date
    # Declared per the ledger on a known date (the acceptance the dates count from).
    dated = when is not None and accepted == when
    if road.through_cape and accepted is not None:
        unknown = road is Road.CAPE_AT_LIQUIDATION and liquidated is None
        if dated and liquidated is not None and accepted < liquidated:
            # Declared while unliquidated, liquidated since: that liquidation is CAPE's own,
            # with the IEEPA duty removed (domain brief 1), and it refunds; no reliquidation.
            expected = liquidated
        elif not unknown:
            expected = expected_liquidation(
                liquidated,
                accepted=accepted,
                liquidate_within=timing.liquidation_after_acceptance_days,
                reliquidate_within=timing.reliquidation_after_liquidation_days,
            )
            if when is not None and dated and expected < as_of:
                # Overdue: the (re)liquidation expected from the declaration passed before the
                # data's date and the data do not show it. Its date is unknown, not a past one:
                # no expected dates and no interest to them, as an entry with no date yet.
                overdue = (when, as_of, expected)
                expected = None
        if expected is not None:
            # The refund is paid after the (re)liquidation, with interest to it (19 CFR 24.36);
            # a forecast is never before the date the data are as of (money due by then that
            # the data cannot show paid is due on it).
            payment = max(
                expected, accepted + timedelta(days=timing.payment_after_acceptance_days), as_of
            )
    screening = later or now
    action, deadline = _next(
        road, entry, screening, now, declared_in, expected, rules, facts, overdue
    )
    return road, later, accepted, expected, payment, action, deadline


_new_road = builder(EntryRoad)
#: One object for the defaults: the spans' growth is kept per options object (see _growth).
_DEFAULT_OPTIONS = RefundOptions()
