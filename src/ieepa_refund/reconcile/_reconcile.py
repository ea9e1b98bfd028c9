"""Estimate -> declaration -> claim -> refund -> deposit, entry by entry, and why figures differ.

Money is compared exactly: a difference is ``match`` only at 0. A difference becomes explained
only when our figure, recomputed under a named cause, equals CBP's to the cent:

* interest (19 CFR 24.36(a)(1): from deposit to the date of liquidation or reliquidation):
  ``end_date`` (recomputed to CBP's (re)liquidation date), ``rate_column`` (the other 6621
  column: corporate or not), ``day_count`` (the other accrual convention, or the end a day
  either side), ``principal`` (interest on the principal CBP refunded), or several joined by ``+``;
* principal: ``netted_other_duties`` (CBP's reliquidation re-rates the whole entry and nets
  other duties, 19 CFR 159.1: the report's netted amount, or our full recalculation, gives
  CBP's figure), ``rerated_15_all_in`` (within our bounds on an entry with a 15% all-in line
  whose MFN restoration is uncertain), ``within_bounds`` (within our bounds otherwise).

Anything else is ``unexplained``, with its size. Payments are CBP's grouping
(:func:`ieepa_refund.consolidate`: payee and (re)liquidation date), matched to deposits by
exact amount within a date window; see :func:`reconcile`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from .._model import check_instance, check_optional_date
from ..cape import read_ledger
from ..cape.declarations import not_a_ledger
from ..entry import Entry
from ..errors import InputFileError, InvalidFormat
from ..es003.report import Problem
from ..interest import RateTable
from ..refund import RefundOptions, compute_refund
from ..registry import Registry, default_registry
from .files import (
    BankDeposits,
    CbpRefund,
    CbpRefunds,
    ClaimDetails,
    ClaimRow,
    TradeRefunds,
)
from .messages import CapeMessages, default_cape_messages
from .messages import _key as _message_key
from .results import (
    EntryReconciliation,
    Reconciliation,
)

__all__ = ["reconcile"]

from ._claims import _claim_path
from ._figures import _refund_path
from ._paying import _payments
from ._trades import _trade_path
from ._work import MAX_WINDOW_DAYS, _problem, _Work


def reconcile(
    entries: Iterable[Entry],
    *,
    ledger: str | Path | Mapping[str, Sequence[str]] | None = None,
    claims: ClaimDetails | None = None,
    refunds: CbpRefunds | None = None,
    trade_refunds: TradeRefunds | None = None,
    deposits: BankDeposits | None = None,
    options: RefundOptions | None = None,
    registry: Registry | None = None,
    rates: RateTable | None = None,
    messages: CapeMessages | None = None,
    as_of: date | None = None,
    window_days: int = 45,
    plaintiffs: Collection[str] = (),
) -> Reconciliation:
    """Reconcile ``entries`` (read from the ES-003) with the ledger and CBP's files.

    Each entry is estimated with ``options`` (:func:`compute_refund`), placed on its path
    (declared in ``ledger`` -> CAPE Claim Details -> REV-615/ES-022 -> REV-603 -> deposits), its
    CBP message mapped to a cause and fix path (``messages``, default the shipped table) and its
    reported figures compared with the estimate. ``as_of`` (never the clock) tells which fix
    deadlines have passed. A deposit matches a payment when its amount is exactly the payment's
    net (or principal, or interest, or the sum of payments refunded on one date) and its date is
    from :data:`EARLY_DAYS` before to ``window_days`` after the refund date (the (re)liquidation
    date when no refund date is reported; the reissue date of a payment returned and reissued),
    the nearest in date first. An entry refunded on two (re)liquidation dates is two payments.

    A failed entry CBP's message would let be declared again is ready to resubmit only when
    :func:`~ieepa_refund.cape.screen` (``plaintiffs`` as for ``cape``) takes it on ``as_of``:
    otherwise its fix names the rules that exclude it and ``resubmit`` is ``"no"``.
    """
    as_of = check_optional_date(as_of, field="as_of")
    if isinstance(plaintiffs, str | bytes) or not isinstance(plaintiffs, Collection):
        raise InvalidFormat(
            "a collection of importer numbers", field="plaintiffs", value=plaintiffs
        )
    if (
        not isinstance(window_days, int)
        or isinstance(window_days, bool)
        or not 0 <= window_days <= MAX_WINDOW_DAYS
    ):
        # Bounded: a window past any real payment delay only matches unrelated deposits, and
        # a date that far from the refund date is past the calendar's end (an OverflowError).
        raise InvalidFormat(
            f"a number of days from 0 to {MAX_WINDOW_DAYS}", field="window_days", value=window_days
        )
    for name, value, kind in (
        ("claims", claims, ClaimDetails),
        ("refunds", refunds, CbpRefunds),
        ("trade_refunds", trade_refunds, TradeRefunds),
        ("deposits", deposits, BankDeposits),
    ):
        if value is not None:
            check_instance(value, kind, field=name)
    opts = options or RefundOptions()
    check_instance(opts, RefundOptions, field="options")
    registry = registry or default_registry()
    table = messages or default_cape_messages()
    works: dict[str, _Work] = {}
    if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
        raise InvalidFormat("a sequence of entries is expected", field="entries", value=entries)
    for position, entry in enumerate(entries):
        check_instance(entry, Entry, field=f"entries[{position}]")
        if entry.entry_number in works:
            raise InvalidFormat(
                "an entry may be reconciled once", field="entries", value=entry.entry_number
            )
        works[entry.entry_number] = _Work(
            entry.entry_number,
            entry,
            compute_refund(entry, options=opts, registry=registry, rates=rates),
        )

    def work(number: str) -> _Work:
        if number not in works:
            works[number] = _Work(number)
            works[number].notes.append("not in the ES-003 input: no estimate")
        return works[number]

    held = _ledger(ledger)
    for number, files in held.items():
        work(number).files = tuple(files)
    problems = [
        p for read in (claims, refunds, trade_refunds, deposits) if read for p in read.problems
    ]
    for row in _distinct_claims(claims.rows if claims else (), problems):
        work(row.entry_number).claims.append(row)
    for cbp in _distinct(refunds.rows if refunds else (), problems):
        work(cbp.entry_number).reported.append(cbp)
    trades = trade_refunds.rows if trade_refunds else ()
    by_refund: dict[str, list[_Work]] = {}
    for w in works.values():
        for cbp in w.reported:
            if cbp.refund_number and w not in by_refund.setdefault(cbp.refund_number, []):
                by_refund[cbp.refund_number].append(w)
    for trade in trades:
        linked = by_refund.get(trade.refund_number) or (
            [work(trade.entry_number)] if trade.entry_number else []
        )
        for w in linked:
            w.trades.append(trade)
    unlinked = [t for t in trades if not by_refund.get(t.refund_number) and not t.entry_number]
    for trade in unlinked:
        problems.append(
            _problem(
                trade.file, trade.row, "UNLINKED_REFUND",
                f"refund {trade.refund_number} is in no refund report row and names no entry",
            )
        )  # fmt: skip

    for w in works.values():
        _claim_path(w, table, as_of, plaintiffs)
        _refund_path(w, opts, registry, rates)
        _cbp_payee(w, problems)
    _trade_path(works.values(), problems)
    payments, deposit_matches = _payments(works.values(), deposits, window_days, problems)
    results = tuple(_result(w) for w in works.values())
    return Reconciliation(
        entries=results,
        payments=payments,
        deposits=deposit_matches,
        problems=tuple(problems),
        messages_version=table.data_version,
    )


def _cbp_payee(w: _Work, problems: list[Problem]) -> None:
    """The payee is whom CBP paid: the one its refund report names stands over the ES-003's
    (importer or notify party), so payments are grouped as CBP paid them. A payee other than
    ours (compared without dashes or spaces, as ACE writes them either way) is noted on the
    entry and reported as ``PAYEE_DIFFERS``: a Form 4811 filed since, or CBP's error, and
    either way the money went to someone the ES-003 does not name."""
    named = [r for r in w.reported if r.payee]
    if not named:
        return
    row = named[-1]
    cbp = row.payee
    assert cbp is not None
    ours = w.values.get("payee")
    if ours is not None and _compact(ours) == _compact(cbp):
        return
    w.values["payee"] = cbp
    if ours is None:
        return
    w.notes.append(
        f"CBP reports the refund paid to {cbp}, not the ES-003's payee {ours}: grouped in "
        "CBP's payment to it"
    )
    problems.append(
        _problem(
            row.file, row.row, "PAYEE_DIFFERS",
            f"CBP's payee {cbp} is not the ES-003's {ours} (importer or notify party): the "
            "payment is CBP's to its payee; check for a Form 4811 filed since, or ask CBP "
            "to correct it",
            w.number,
        )
    )  # fmt: skip


def _compact(payee: str) -> str:
    return payee.replace("-", "").replace(" ", "").upper()


def _meaning(row: CbpRefund) -> tuple[object, ...]:
    """What tells one refund from another whatever the report's form: the entry, the
    (re)liquidation date (a date, whatever its format), the figures and the payee with its
    punctuation and case dropped (``12-3456789AB`` is ``123456789AB``). The refund date is not
    in it: one refund has one (re)liquidation date and one payment, and two reports may date
    its payment differently (a difference the duplicate's problem names)."""
    payee = "".join(c for c in row.payee if c.isalnum()).upper() if row.payee else None
    return (
        row.entry_number,
        row.liquidation_date,
        row.principal,
        row.interest,
        row.netted,
        payee,
    )


def _distinct(rows: Iterable[CbpRefund], problems: list[Problem]) -> list[CbpRefund]:
    """The refund rows once each (t65/08, t66/04). A row meaning the same refund as one kept
    (:func:`_meaning`, and the same refund number, or a number on one side only: ES-022 and
    some REV-615 layouts carry none) is that refund read again (reports whose dates overlap, or
    ES-022 beside REV-615): a ``DUPLICATE_ROW``, counted once, the numbered copy kept. A
    different row for a refund number and entry already kept is a ``CONFLICTING_ROW``, set
    aside (the first stands), never added to it. Rows that differ in a figure or date are
    separate refunds (an entry refunded at liquidation and again at reliquidation)."""
    out: list[CbpRefund] = []
    by_meaning: dict[tuple[object, ...], list[int]] = {}
    by_number: dict[tuple[str, str], int] = {}
    for row in rows:
        meaning = _meaning(row)
        numbered = by_number.get((row.entry_number, row.refund_number or ""))
        if numbered is not None and _meaning(out[numbered]) != meaning:
            kept = out[numbered]
            problems.append(
                _problem(
                    row.file, row.row, "CONFLICTING_ROW", f"refund {row.refund_number} of "
                    f"this entry is also on {kept.file} row {kept.row} with other figures: "
                    "that row is used, this one is set aside; check the refund in ACE",
                    row.entry_number,
                )
            )  # fmt: skip
            continue
        same = [
            i
            for i in by_meaning.get(meaning, [])
            if None in (out[i].refund_number, row.refund_number)
            or out[i].refund_number == row.refund_number
        ]
        if not same:
            if row.refund_number is not None:
                by_number[(row.entry_number, row.refund_number)] = len(out)
            by_meaning.setdefault(meaning, []).append(len(out))
            out.append(row)
            continue
        i = same[0]
        kept = out[i]
        if kept.refund_number is None and row.refund_number is not None:
            # The numbered copy links the REV-603 rows by refund number: it is the one kept,
            # and the unnumbered one read before it is the copy reported.
            out[i], row, kept = row, kept, row
            by_number[(kept.entry_number, kept.refund_number or "")] = i
        number = kept.refund_number or row.refund_number
        about = f"refund {number}" if number else "no refund number"
        if row.refund_date != kept.refund_date:
            dated = (d.isoformat() if d else "none" for d in (row.refund_date, kept.refund_date))
            about += ", refund date {} here, {} there: the latter kept".format(*dated)
        problems.append(
            _problem(
                row.file, row.row, "DUPLICATE_ROW",
                f"the same refund as {kept.file} row {kept.row} ({about}; entry, "
                "(re)liquidation date, figures and payee alike): counted once; if CBP did refund the entry twice "
                "alike, map the report's refund number column (--refunds-map) so the two "
                "can be told apart",
                row.entry_number,
            )
        )  # fmt: skip
    return out


def _distinct_claims(rows: Iterable[ClaimRow], problems: list[Problem]) -> list[ClaimRow]:
    """The claim answers once each. The same row read twice (a download saved twice, or
    downloads that overlap) is one answer of CBP's, a ``DUPLICATE_ROW``: counted twice, it
    would outnumber the ledger's declarations and make an entry declared again look failed.
    Rows are compared as the message table matches them (docs/reconcile.md): status and
    message without regard to case, spacing or a closing full stop, so a copy spelled
    ``FAILED`` is still a copy. Rows that differ in substance (another status, message or
    claim number) are all kept."""
    kept: dict[tuple[object, ...], ClaimRow] = {}
    out: list[ClaimRow] = []
    for row in rows:
        key = (
            row.entry_number,
            row.claim_number,
            _message_key(row.status),
            _message_key(row.message or ""),
        )
        first = kept.get(key)
        if first is None:
            kept[key] = row
            out.append(row)
            continue
        claim = f"claim {row.claim_number}" if row.claim_number else "no claim number"
        problems.append(
            _problem(
                row.file, row.row, "DUPLICATE_ROW",
                f"repeats {first.file} row {first.row} ({claim}, {row.status}): one answer "
                "of CBP's, counted once; remove the copy from the claim files",
                row.entry_number,
            )
        )  # fmt: skip
    return out


def _ledger(ledger: str | Path | Mapping[str, Sequence[str]] | None) -> dict[str, Sequence[str]]:
    if ledger is None:
        return {}
    if isinstance(ledger, str | Path):
        path = Path(ledger)
        if refused := not_a_ledger(path):
            # Read as empty, a mistyped path would show every declared entry as not declared.
            raise InputFileError(refused, field="ledger", value=str(path))
        return dict(read_ledger(path))
    if isinstance(ledger, Mapping):
        found: dict[str, Sequence[str]] = {}
        for number, files in ledger.items():
            if isinstance(files, str):
                files = (files,)
            if not isinstance(number, str) or not (
                isinstance(files, Sequence) and all(isinstance(f, str) for f in files)
            ):
                raise InvalidFormat(
                    "a mapping of entry number to its declaration files (text)",
                    field="ledger",
                    value=number,
                )
            found[number] = tuple(files)
        return found
    raise InvalidFormat("a ledger path or a mapping of entries", field="ledger", value=ledger)


def _result(w: _Work) -> EntryReconciliation:
    v = dict(w.values)
    v.setdefault("payee", None)
    return EntryReconciliation(
        entry_number=w.number,
        declaration_files=tuple(w.files),
        notes=tuple(w.notes),
        **v,
    )
