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
  accepted it inside the look-back, so no payment is predicted.

Only the CAPE roads predict a date: the expected (re)liquidation (the timing
data, :mod:`ieepa_refund.roads.timing`), with interest recomputed to it, and
the expected money date. :meth:`Roads.payments` groups that money by payee and
expected (re)liquidation date, as CBP consolidates it; protest and closed money
is never in it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, cast, overload

from pydantic import BaseModel, ConfigDict

from .._model import check_date, check_instance, check_items
from .._tabular import Tabular
from .._trusted import builder
from ..cape.deadlines import PROTEST_DAYS, days_since, expected_liquidation, within
from ..cape.declarations import Ledger, read_ledger
from ..cape.rules import CapeRules, default_cape_rules
from ..cape.screen import INPUT_SOURCE, Reason, Screening, screen
from ..entry import Entry
from ..errors import InputFileError, InvalidFormat, RateNotCovered
from ..interest import MAX_PRINCIPAL, RateTable, apply_growth, default_rate_table, interest_growth
from ..money import exact, round_interest
from ..payments import Consolidation, consolidate
from ..refund import DepositBasis, EntryRefund, RefundOptions, compute_refund
from ..registry import Registry, default_registry
from ..tables import Level, column, detail_html, summary_html
from .timing import CapeTiming, default_cape_timing

__all__ = ["EntryRoad", "Road", "RoadTotal", "Roads", "entry_road", "entry_roads", "road_totals"]

ZERO = Decimal("0.00")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Road(StrEnum):
    """The road an entry's refund is on; ``label`` says it in plain words."""

    CAPE_NOW = "cape_now"
    CAPE_AT_LIQUIDATION = "cape_at_liquidation"
    CAPE_LATER = "cape_later"
    PROTEST = "protest"
    WINDOW_CLOSED = "window_closed"
    EXCLUDED = "excluded"
    INPUT_PROBLEM = "input_problem"
    NOTHING_TO_REFUND = "nothing_to_refund"
    DECLARED_UNCONFIRMED = "declared_unconfirmed"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def through_cape(self) -> bool:
        """Whether CBP pays this money through CAPE (the only roads a payment is predicted on)."""
        return self in (Road.CAPE_NOW, Road.CAPE_AT_LIQUIDATION, Road.CAPE_LATER)


_LABELS = {
    Road.CAPE_NOW: "CAPE now: refunded at (re)liquidation",
    Road.CAPE_AT_LIQUIDATION: "CAPE, refunded when the entry liquidates",
    Road.CAPE_LATER: "CAPE later: a later phase admits it",
    Road.PROTEST: "Protest within 180 days of liquidation",
    Road.WINDOW_CLOSED: "Window closed: only litigation remains",
    Road.EXCLUDED: "Excluded from CAPE",
    Road.INPUT_PROBLEM: "Input problem: fix it first",
    Road.NOTHING_TO_REFUND: "Nothing to refund",
    Road.DECLARED_UNCONFIRMED: "Declared; acceptance unknown - check the claim status",
}


class EntryRoad(Tabular, BaseModel):
    """One entry's road on one declaration date: its money, next action, deadline and dates."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "entry",
            column("entry_number", "str"), column("payee", "str"),
            column("road", "str", lambda r: r.road.value), column("label", "str"),
            column("declared_on", "date"), column("liquidation_date", "date"),
            column("principal", "money"), column("principal_high", "money"),
            column("interest", "money"), column("interest_until", "date"),
            column("next_action", "str"), column("deadline", "date"),
            column("declare_from", "date"), column("declared_in", "str"),
            column("expected_liquidation", "date"), column("expected_payment", "date"),
            column("reasons", "str", lambda r: " ".join(r.reason_codes)),
            column("rules_version", "str"), column("timing_version", "str"),
        ),
    )  # fmt: skip

    entry_number: str
    payee: str
    road: Road
    declared_on: date
    liquidation_date: date | None
    principal: Decimal
    principal_high: Decimal | None
    interest: Decimal | None
    """Interest to ``interest_until``: on a CAPE road the expected (re)liquidation."""
    interest_until: date | None
    next_action: str
    deadline: date | None
    """The last day of the next action (declare, protest, fix), None when none is known."""
    declare_from: date | None
    """CAPE later: the first declaration date a rule in the data admits the entry."""
    declared_in: str | None
    """The declaration file the ledger names ("" when it names none); None: not declared."""
    expected_liquidation: date | None
    """The (re)liquidation that pays a CAPE refund; None off the CAPE roads or when unknown."""
    expected_payment: date | None
    """When the money is expected; None off the CAPE roads: no payment is predicted there."""
    reasons: tuple[Reason, ...]
    rules_version: str
    timing_version: str

    @property
    def label(self) -> str:
        return self.road.label

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def summary_html(self) -> str:
        rows = [
            ("entry", self.entry_number),
            ("road", self.label),
            ("next action", self.next_action),
            ("deadline", self.deadline),
            ("principal", self.principal),
            ("interest", self.interest),
            ("expected payment", self.expected_payment),
        ]
        return summary_html("Where this refund stands", rows, Counter(self.reason_codes))


class RoadTotal(Tabular, BaseModel):
    """The entries and money on one road, and the first deadline among them."""

    model_config = _FROZEN
    __tables__: ClassVar[tuple[Level, ...]] = (
        Level(
            "road",
            column("road", "str", lambda t: t.road.value), column("label", "str"),
            column("entries", "int"), column("principal", "money"), column("interest", "money"),
            column("interest_missing", "int"), column("next_deadline", "date"),
        ),
    )  # fmt: skip

    road: Road
    entries: int
    principal: Decimal
    interest: Decimal
    """The interest known; ``interest_missing`` entries with a refund have no figure."""
    interest_missing: int
    next_deadline: date | None

    @property
    def label(self) -> str:
        return self.road.label

    def summary_html(self) -> str:
        rows = [
            ("road", self.label),
            ("entries", self.entries),
            ("principal", self.principal),
            ("interest", self.interest),
            ("next deadline", self.next_deadline),
        ]
        return summary_html("Money on one road", rows)


@dataclass(frozen=True, slots=True)
class _Due:
    """What :func:`consolidate` needs of a CAPE refund: its expected date as the liquidation date."""

    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    interest: Decimal | None


@dataclass(frozen=True, slots=True, repr=False)
class Roads(Tabular, Sequence[EntryRoad]):
    """Every entry's road, in input order: an immutable sequence with totals per road."""

    roads: tuple[EntryRoad, ...]

    def __repr__(self) -> str:
        counts = Counter(r.road.value for r in self.roads)
        return f"<Roads: {len(self.roads)} entries, {dict(sorted(counts.items()))}>"

    def __len__(self) -> int:
        return len(self.roads)

    @overload
    def __getitem__(self, index: int) -> EntryRoad: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[EntryRoad, ...]: ...
    def __getitem__(self, index: int | slice) -> EntryRoad | tuple[EntryRoad, ...]:
        return self.roads[index]

    def __iter__(self) -> Iterator[EntryRoad]:
        return iter(self.roads)

    def items_for_tables(self) -> tuple[EntryRoad, ...]:
        return self.roads

    def on(self, road: Road) -> tuple[EntryRoad, ...]:
        """The entries on ``road``."""
        return tuple(r for r in self.roads if r.road is road)

    def totals(self) -> tuple[RoadTotal, ...]:
        """Entries and money per road, in :class:`Road` order, roads with no entry left out."""
        return road_totals(self.roads)

    def payments(
        self, *, offsets: Mapping[str, Decimal | int | str] | None = None
    ) -> Consolidation:
        """The money CBP is expected to pay through CAPE, by payee and expected (re)liquidation date.

        Only the CAPE roads; an entry whose (re)liquidation date is unknown
        (suspended, extended...) is in ``unliquidated``.
        """
        return consolidate(
            (
                _Due(r.entry_number, r.payee, r.expected_liquidation, r.principal, r.interest)
                for r in self.roads
                if r.road.through_cape
            ),
            offsets=offsets,
        )

    def summary_html(self) -> str:
        totals = self.totals()
        rows = [(t.label, t.principal + t.interest) for t in totals]
        detail = detail_html(
            ("road", "entries", "principal", "interest", "next deadline"),
            ((t.label, t.entries, t.principal, t.interest, t.next_deadline or "") for t in totals),
        )
        return summary_html(
            "Where each refund dollar stands",
            [("entries", len(self.roads)), *rows],
            Counter(c for r in self.roads for c in r.reason_codes),
            detail=detail,
        )


def road_totals(roads: Iterable[EntryRoad]) -> tuple[RoadTotal, ...]:
    """Entries and money per road (also used by the command, which keeps no :class:`Roads`)."""
    # One pass, in input order (so each sum adds in the same order as a sum per road would).
    found: dict[Road, list[Any]] = {}  # entries, principal, interest, missing, first deadline
    for r in roads:
        into = found.get(r.road)
        if into is None:
            into = found[r.road] = [0, ZERO, ZERO, 0, None]
        into[0] += 1
        into[1] += r.principal
        into[2] += r.interest or ZERO
        if r.interest is None and r.principal > 0:
            into[3] += 1
        if r.deadline is not None and (into[4] is None or r.deadline < into[4]):
            into[4] = r.deadline
    return tuple(
        RoadTotal(
            road=road,
            entries=into[0],
            principal=into[1],
            interest=into[2],
            interest_missing=into[3],
            next_deadline=into[4],
        )
        for road in Road
        if (into := found.get(road)) is not None
    )


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
        if not path.is_file():
            # A mistyped ledger read as empty would put declared entries back on "declare".
            raise InputFileError(f"{path}: no such ledger file", field="ledger", value=str(path))
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
    refund: EntryRefund | None = None,
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

    ``refund`` is the entry's refund under ``options`` when already computed.
    ``options`` are the refund's choices (interest on a CAPE road always runs
    to the expected (re)liquidation); ``timing`` the expected days (default:
    the shipped ``data/cape_timing``); ``ledger`` maps entries already declared
    to their declaration file (a :class:`~ieepa_refund.cape.declarations.Ledger`
    read from a file also says when each was declared, where its row has the
    date); ``declared_dates`` maps a declared entry to the date it was declared,
    where known, and comes before the ledger's date; ``plaintiffs`` as
    :func:`~ieepa_refund.cape.screen`. CAPE acceptance is taken to be the
    declaration date (or, on the CAPE-later road, the first date a rule admits
    the entry). A ledger row alone does not prove the look-back was met: an
    entry past it today is screened on its declaration date when known, else it
    is ``DECLARED_UNCONFIRMED`` with no payment predicted.
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
    refund: EntryRefund | None,
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
    if refund is None:
        refund = compute_refund(entry, options=options, registry=registry, rates=rates)
    elif check_instance(refund, EntryRefund, field="refund").entry_number != entry.entry_number:
        raise InvalidFormat(
            f"the refund of entry {entry.entry_number} is expected",
            field="refund",
            value=refund.entry_number,
        )
    files = (ledger or {}).get(entry.entry_number)
    # An entry resubmitted after CBP failed it is in several files: the latest one stands.
    declared_in = (files[-1] if files else "") if isinstance(files, tuple) else files
    when: date | None = None
    if declared_in is not None:
        when = _dates(declared_dates).get(entry.entry_number)
        if when is None and isinstance(ledger, Ledger):
            # The ledger's own record of the day the declaration was made for.
            when = ledger.declared_on.get(entry.entry_number)
        if when is not None and when > declared_on:
            # A declaration after the day of the road (2062 for 2026) is a typo that would
            # put the entry on another road unseen.
            raise InvalidFormat(
                f"entry {entry.entry_number} was declared on {when.isoformat()}, after "
                f"{declared_on.isoformat()}, the date of this road: fix the ledger or "
                "declared_dates",
                field="declared_dates",
                value=when,
            )
    facts = _facts(rules) if fast else _RuleFacts(rules)
    road, accepted, later = _road(
        entry, now, refund, declared_in, when, rules, facts, registry, plaintiffs, fast
    )

    expected: date | None = None
    payment: date | None = None
    interest, interest_until = refund.interest, refund.interest_until
    if road.through_cape and accepted is not None:
        unknown = road is Road.CAPE_AT_LIQUIDATION and entry.liquidation_date is None
        if not unknown:
            expected = expected_liquidation(
                entry.liquidation_date,
                accepted=accepted,
                liquidate_within=timing.liquidation_after_acceptance_days,
                reliquidate_within=timing.reliquidation_after_liquidation_days,
            )
            # The refund is paid after the (re)liquidation, with interest to it (19 CFR 24.36).
            payment = max(expected, accepted + timedelta(days=timing.payment_after_acceptance_days))
            known = (
                _interest_to(expected, entry, refund, options, registry, rates) if fast else None
            )
            if known is not None:
                interest, interest_until = known
            else:
                paid_at = (
                    entry
                    if entry.liquidation_date is None
                    else entry.model_copy(update={"liquidation_date": expected})
                )
                refund = compute_refund(
                    paid_at,
                    options=options,
                    registry=registry,
                    rates=rates,
                    interest_until=expected,
                )
                interest, interest_until = refund.interest, refund.interest_until
    screening = later or now
    action, deadline = _next(road, entry, screening, now, declared_in, expected, rules, facts)
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


_new_road = builder(EntryRoad)
#: One object for the defaults: the spans' growth is kept per options object (see _growth).
_DEFAULT_OPTIONS = RefundOptions()


def _interest_to(
    expected: date,
    entry: Entry,
    refund: EntryRefund,
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
        len(entry.deposits) > 1
        or deposited is None
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


class _RuleFacts:
    """What the roads ask of a rule set for every entry: found once, kept with the rule set
    (a :class:`CapeRules` is never changed once made)."""

    __slots__ = ("_changed", "_codes", "_names", "changes", "rules")

    def __init__(self, rules: CapeRules) -> None:
        self.rules = rules
        rows = rules.rows
        found = {r.effective_from for r in rows} | {
            r.effective_to for r in rows if r.effective_to is not None
        }
        self.changes: tuple[date, ...] = tuple(sorted(found))
        """Every date a rule starts or ends on, in order."""
        self._codes: dict[str, frozenset[str]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._changed: dict[tuple[date, date], frozenset[str]] = {}

    def codes(self, name: str) -> frozenset[str]:
        """The reason codes of the rule ``name`` on any date."""
        found = self._codes.get(name)
        if found is None:
            found = self._codes[name] = frozenset(r.code for r in self.rules.rows if r.rule == name)
        return found

    def names(self, code: str) -> frozenset[str]:
        """The rules that give reason ``code`` on any date (none: a code of no rule)."""
        found = self._names.get(code)
        if found is None:
            found = self._names[code] = frozenset(r.rule for r in self.rules.rows if r.code == code)
        return found

    def changed(self, on: date, later: date) -> frozenset[str]:
        """The rules whose rows in force on ``later`` are not those in force on ``on``."""
        found = self._changed.get((on, later))
        if found is None:
            before, after = self.rules.in_force(on), self.rules.in_force(later)
            names = {r.rule for r in before.rules} | {r.rule for r in after.rules}
            found = frozenset(n for n in names if before.all(n) != after.all(n))
            if len(self._changed) >= 4096:  # a caller sweeping declaration dates: start again
                self._changed.clear()
            self._changed[(on, later)] = found
        return found


#: Keyed by the rule set's identity, holding it so the id is never reused.
_FACTS: dict[int, _RuleFacts] = {}


def _facts(rules: CapeRules) -> _RuleFacts:
    found = _FACTS.get(id(rules))
    if found is None or found.rules is not rules:
        if len(_FACTS) >= 64:  # a caller loading rule sets over and over: start again
            _FACTS.clear()
        found = _FACTS[id(rules)] = _RuleFacts(rules)
    return found


def _road(
    entry: Entry,
    now: Screening,
    refund: EntryRefund,
    declared_in: str | None,
    declared_when: date | None,
    rules: CapeRules,
    facts: _RuleFacts,
    registry: Registry | None,
    plaintiffs: Collection[str],
    fast: bool,
) -> tuple[Road, date | None, Screening | None]:
    """The road, the CAPE acceptance date it assumes, and the later screening that admits it."""
    # Every input fault, a bad check digit too: the number may be mistyped and ACE may not know it.
    if any(r.source == INPUT_SOURCE for r in now.reasons):
        return Road.INPUT_PROBLEM, None, None
    if refund.principal_high is not None and refund.principal_high <= 0:
        return Road.NOTHING_TO_REFUND, None, None
    lookback = facts.codes("lookback_days")
    excludes = [r for r in now.reasons if r.effect == "exclude"]
    if declared_in is not None and any(r.code in lookback for r in excludes):
        # Declared, but past the look-back today: CAPE took it only if it was inside the
        # look-back on the day it was declared. Known date: screen on it; unknown: say so.
        if declared_when is None:
            if all(r.code in lookback for r in excludes):
                return Road.DECLARED_UNCONFIRMED, None, None
        else:
            then = screen(
                entry, declared_on=declared_when, rules=rules, registry=registry,
                plaintiffs=plaintiffs,
            )  # fmt: skip
            if not any(r.code in lookback for r in then.reasons if r.effect == "exclude"):
                excludes = [r for r in excludes if r.code not in lookback]
                if not excludes:
                    if now.status == "eligible_at_liquidation":
                        return Road.CAPE_AT_LIQUIDATION, declared_when, None
                    return Road.CAPE_NOW, declared_when, None
    if not excludes:
        if now.status == "eligible_at_liquidation":
            return Road.CAPE_AT_LIQUIDATION, now.declared_on, None
        return Road.CAPE_NOW, now.declared_on, None
    if (later := _later(entry, now, rules, facts, registry, plaintiffs, fast)) is not None:
        return Road.CAPE_LATER, later.declared_on, later
    # Refused for time alone (past the look-back, or CAPE not yet open and no later date
    # admits it): the protest window of 19 U.S.C. 1514 is the route left.
    timed = lookback | facts.codes("cape_open")
    if entry.liquidation_date is not None and all(r.code in timed for r in excludes):
        if within(entry.liquidation_date, now.declared_on, PROTEST_DAYS):
            return Road.PROTEST, None, None
        return Road.WINDOW_CLOSED, None, None
    return Road.EXCLUDED, None, None


def _later(
    entry: Entry,
    now: Screening,
    rules: CapeRules,
    facts: _RuleFacts,
    registry: Registry | None,
    plaintiffs: Collection[str],
    fast: bool,
) -> Screening | None:
    """The screening on the first later date a rule starts or ends on that admits ``entry``.

    Fast: a date is screened only if the rules that changed since ``now`` can lift one of
    today's exclusions (see :func:`_holds`); the straightforward road screens every date.
    """
    changes = facts.changes
    for on in changes[bisect_right(changes, now.declared_on) :]:
        if fast and _holds(entry, now, facts.changed(now.declared_on, on), facts, plaintiffs):
            continue
        found = screen(entry, declared_on=on, rules=rules, registry=registry, plaintiffs=plaintiffs)
        if found.eligible:
            return found
    return None


#: The other rules an exclusion by a rule also rests on, as :func:`~ieepa_refund.cape.screen`
#: applies them: the look-back lets a CIT plaintiff's entry through where the finally
#: liquidated rule says so; a closed PSC window is told only of the faults a PSC fixes.
_RESTS_ON = {
    "lookback_days": ("finally_liquidated",),
    "psc_window": ("invalid_hts", "hts_relationship", "goods_value_ch1_97"),
}


def _holds(
    entry: Entry,
    now: Screening,
    changed: frozenset[str],
    facts: _RuleFacts,
    plaintiffs: Collection[str],
) -> bool:
    """Whether one of today's exclusions still holds on a later date where ``changed`` rules
    differ, with no need to screen the entry again.

    Each rule's exclusion depends on the entry's facts, the rules it rests on and the
    declaration date, and the date only ever adds exclusions, never lifts one: the days since
    liquidation only grow past the look-back, and a PSC window once closed stays closed. So
    an exclusion by rules all in force unchanged on the later date still excludes the entry
    there. A code no rule gives (or one a changed rule gives) proves nothing: screen again.
    """
    for reason in now.reasons:
        if reason.effect != "exclude":
            continue
        names = facts.names(reason.code)
        if not names:
            continue
        rests = set(names)
        for name in names:
            rests.update(_RESTS_ON.get(name, ()))
        if "finally_liquidated" in rests and entry.importer_number not in plaintiffs:
            rests.discard("finally_liquidated")  # it lets through only the plaintiffs' entries
        if not rests & changed:
            return True
    return False


def _why(reasons: Iterable[Reason]) -> str:
    return "; ".join(r.message for r in reasons if r.effect == "exclude")


def _next(
    road: Road,
    entry: Entry,
    screening: Screening,
    now: Screening,
    declared_in: str | None,
    expected: date | None,
    rules: CapeRules,
    facts: _RuleFacts,
) -> tuple[str, date | None]:
    """The next action in words, and its deadline."""
    window = screening.deadlines.cape_window_closes
    liquidated = entry.liquidation_date
    if road is Road.INPUT_PROBLEM:
        faults = "; ".join(r.message for r in now.reasons if r.source == INPUT_SOURCE)
        return f"Fix the input first: {faults}", window
    if road is Road.NOTHING_TO_REFUND:
        return "Nothing to do: no IEEPA duty to refund on this entry", None
    when = f" (expected {expected.isoformat()})" if expected else ""
    if road in (Road.CAPE_NOW, Road.CAPE_AT_LIQUIDATION) and declared_in is not None:
        where = f"in {declared_in}" if declared_in else "(in the ledger)"
        return (
            f"Declared {where}: follow its claim status in the ACE Portal's CAPE tab; "
            f"CBP refunds it at (re)liquidation{when}",
            None,
        )
    if road is Road.CAPE_NOW:
        if liquidated is None:
            return f"Declare in CAPE; CBP refunds it when it liquidates{when}", window
        return (
            f"Declare in CAPE before the look-back ends; CBP refunds it at reliquidation{when}",
            window,
        )
    if road is Road.CAPE_AT_LIQUIDATION:
        held = "; ".join(r.message for r in screening.reasons if r.effect == "at_liquidation")
        return (
            f"Declare in CAPE; accepted, refunded only when the entry liquidates ({held})",
            window,
        )
    if road is Road.CAPE_LATER:
        return (
            f"Declare in CAPE on or after {screening.declared_on.isoformat()}; today: "
            f"{_why(now.reasons)}",
            window,
        )
    protest = _protest(entry, now)
    if road is Road.DECLARED_UNCONFIRMED:
        where = f"in {declared_in}" if declared_in else "(in the ledger)"
        text = (
            f"Declared {where}, but the ledger does not say when, and the entry is past CAPE's "
            "look-back today: acceptance unknown - check the claim status in the ACE Portal's "
            "CAPE tab. No payment is predicted"
        )
        if protest is not None:
            return f"{text}; if CBP failed it, {protest[0]}", protest[1]
        return text, None
    assert liquidated is not None or road is Road.EXCLUDED
    if road is Road.PROTEST:
        assert liquidated is not None
        due = now.deadlines.protest_window_closes
        days = days_since(liquidated, now.declared_on)
        return (
            f"File a protest (CBP Form 19 or the ACE protest module) by {due}: liquidated "
            f"{days} days before, past CAPE's look-back (19 U.S.C. 1514)",
            due,
        )
    if road is Road.WINDOW_CLOSED:
        return (
            "Finally liquidated over 180 days ago: no CAPE refund and no protest; only "
            "litigation remains (Court of International Trade, 28 U.S.C. 1581(i), two-year "
            "limit): ask counsel. No payment is predicted",
            None,
        )
    codes = set(now.reason_codes)
    psc = facts.codes("psc_window")
    fixable = codes & (facts.codes("invalid_hts") | facts.codes("hts_relationship"))
    if codes & psc:
        return (
            f"Not refundable in this CAPE phase: {_why(now.reasons)}. Keep the entry and watch "
            "for a later CAPE deployment",
            None,
        )
    if fixable and (rule := rules.in_force(now.declared_on).first("psc_window")) is not None:
        # The fault is in the entry's data: a post-summary correction fixes it while the PSC
        # window is open (rules data: days from the entry summary), then the entry is declared.
        summary = entry.entry_summary_date or entry.entry_date
        due = summary + timedelta(days=rule.days or 0)
        return (
            f"File a post-summary correction by {due.isoformat()} ({_why(now.reasons)}), then "
            "declare it in CAPE (CAPE blocks corrections once it accepts an entry)",
            due,
        )
    if codes & facts.codes("protest"):
        return (
            f"Follow the protest already on file: the refund comes through it ({_why(now.reasons)})",
            None,
        )
    if protest is not None:
        # Liquidated and excluded from CAPE: the protest window still runs (19 U.S.C. 1514).
        return f"CAPE does not take this entry ({_why(now.reasons)}); {protest[0]}", protest[1]
    return (
        f"CAPE does not take this entry ({_why(now.reasons)}); ask CBP (IEEPARefunds@cbp.dhs.gov) "
        "or counsel whether another route applies",
        None,
    )


def _protest(entry: Entry, now: Screening) -> tuple[str, date] | None:
    """The protest a liquidated entry still has (19 U.S.C. 1514: 180 days), None once closed."""
    liquidated = entry.liquidation_date
    if liquidated is None or not within(liquidated, now.declared_on, PROTEST_DAYS):
        return None
    due = now.deadlines.protest_window_closes or liquidated + timedelta(days=PROTEST_DAYS)
    return (
        f"file a protest (CBP Form 19 or the ACE protest module) by {due.isoformat()} "
        "(19 U.S.C. 1514)",
        due,
    )
