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
from .results import (
    EntryReconciliation,
    Reconciliation,
)

__all__ = ["reconcile"]

from ._claims import _claim_path
from ._figures import _refund_path
from ._paying import _payments
from ._trades import _trade_path
from ._work import _problem, _Work


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
    date when no refund date is reported).

    A failed entry CBP's message would let be declared again is ready to resubmit only when
    :func:`~ieepa_refund.cape.screen` (``plaintiffs`` as for ``cape``) takes it on ``as_of``:
    otherwise its fix names the rules that exclude it and ``resubmit`` is ``"no"``.
    """
    as_of = check_optional_date(as_of, field="as_of")
    if isinstance(plaintiffs, str | bytes) or not isinstance(plaintiffs, Collection):
        raise InvalidFormat(
            "a collection of importer numbers", field="plaintiffs", value=plaintiffs
        )
    if not isinstance(window_days, int) or isinstance(window_days, bool) or window_days < 0:
        raise InvalidFormat("a number of days, 0 or more", field="window_days", value=window_days)
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


def _distinct(rows: Iterable[CbpRefund], problems: list[Problem]) -> list[CbpRefund]:
    """The refund rows once each: an identical row again (report date ranges that overlap) is
    a ``DUPLICATE_ROW``; a different row for the same refund number and entry is a
    ``CONFLICTING_ROW``, set aside (the first stands), never added to it."""
    kept: dict[tuple[str, str], CbpRefund] = {}
    out: list[CbpRefund] = []
    unnumbered: dict[tuple[object, ...], CbpRefund] = {}
    for row in rows:
        if row.refund_number is None:
            # Without a refund number only the whole row tells two refunds apart: the same
            # row again is the same refund read twice (reports whose dates overlap).
            same_row = tuple(row.model_dump(exclude={"file", "row"}).values())
            again = unnumbered.get(same_row)
            if again is None:
                unnumbered[same_row] = row
                out.append(row)
                continue
            problems.append(
                _problem(
                    row.file, row.row, "DUPLICATE_ROW",
                    f"repeats {again.file} row {again.row} (no refund number): counted once; "
                    "if CBP did refund the entry twice alike, map the report's refund number "
                    "column (--refunds-map) so the two can be told apart",
                    row.entry_number,
                )
            )  # fmt: skip
            continue
        key = (row.entry_number, row.refund_number)
        first = kept.get(key)
        if first is None:
            kept[key] = row
            out.append(row)
            continue
        same = first.model_dump(exclude={"file", "row"}) == row.model_dump(exclude={"file", "row"})
        where = f"{first.file} row {first.row}"
        problems.append(
            _problem(
                row.file, row.row, "DUPLICATE_ROW", f"repeats {where} (refund "
                f"{row.refund_number}): counted once", row.entry_number,
            )
            if same
            else _problem(
                row.file, row.row, "CONFLICTING_ROW", f"refund {row.refund_number} of this "
                f"entry is also on {where} with other figures: that row is used, this one is "
                "set aside; check the refund in ACE", row.entry_number,
            )
        )  # fmt: skip
    return out


def _distinct_claims(rows: Iterable[ClaimRow], problems: list[Problem]) -> list[ClaimRow]:
    """The claim answers once each. The same row read twice (a download saved twice, or
    downloads that overlap) is one answer of CBP's, a ``DUPLICATE_ROW``: counted twice, it
    would outnumber the ledger's declarations and make an entry declared again look failed.
    Rows that differ in anything (status, message, claim number) are all kept."""
    kept: dict[tuple[object, ...], ClaimRow] = {}
    out: list[ClaimRow] = []
    for row in rows:
        key = tuple(row.model_dump(exclude={"file", "row"}).values())
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
