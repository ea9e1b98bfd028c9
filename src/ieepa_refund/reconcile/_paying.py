"""Paid: CBP's payments (payee and (re)liquidation date) against bank deposits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..es003.report import Problem
from ..payments import consolidate
from ._figures import _parts
from ._trades import _gross
from ._work import EARLY_DAYS, ZERO, _problem, _Work
from .files import (
    BankDeposit,
    BankDeposits,
    CbpRefund,
    TradeRefund,
)
from .results import (
    DepositMatch,
    PaymentReconciliation,
    PaymentStatus,
)


@dataclass
class _Payable:
    entry_number: str
    payee: str
    liquidation_date: date | None
    principal: Decimal
    interest: Decimal | None


@dataclass
class _Pay:
    key: str
    anchor: date
    net: Decimal
    principal: Decimal
    interest: Decimal
    split: bool
    parts: set[str] = field(default_factory=set)
    deposits: list[BankDeposit] = field(default_factory=list)
    deposited: Decimal = ZERO
    how: list[str] = field(default_factory=list)
    issued: date | None = None
    """The refund date (the first issue) of a payment returned and reissued."""
    returned: date | None = None
    """The date REV-603 reports a reissued payment returned: what posted by then is not it."""

    @property
    def open(self) -> bool:
        return not self.parts


def _payments(
    works: Iterable[_Work],
    deposits: BankDeposits | None,
    window_days: int,
    problems: list[Problem],
) -> tuple[tuple[PaymentReconciliation, ...], tuple[DepositMatch, ...]]:
    by_id: dict[str, _Share] = {}
    payables: list[_Payable] = []
    for w in works:
        v = w.values
        if v.get("status") not in ("refunded", "issued", "diverted", "returned") or not _gross(w):
            continue
        when = v.get("liquidation_date") or v.get("refund_date")
        if when is None:
            w.notes.append("no (re)liquidation or refund date reported: in no payment")
            continue
        for share in _shares(w):
            by_id[share.id] = share
            payables.append(
                _Payable(
                    share.id,
                    v.get("payee") or "unknown",
                    share.when or when,
                    share.principal,
                    share.interest,
                )
            )
    grouped = consolidate(payables)
    for number in grouped.nothing_to_pay:
        by_id[number].work.notes.append("CBP reports no principal: in no payment")
    pays: list[_Pay] = []
    for p in grouped:
        shares = [by_id[n] for n in p.entries]
        offset = sum((s.offset for s in shares), ZERO)
        dates = [s.refund_date for s in shares if s.refund_date]
        anchor = max(dates) if dates else p.liquidation_date
        # A payment returned and reissued arrives after its reissue (REV-603 Check/ACH
        # Reissued): the window counts from there, and nothing posted up to the return is it
        # (that was the issue the bank sent back, t66/06).
        reissued = [s.reissued for s in shares if s.reissued]
        backs = [s.returned for s in shares if s.returned]
        pays.append(
            _Pay(
                key=f"{p.payee}@{p.liquidation_date.isoformat()}",
                anchor=max(anchor, *reissued) if reissued else anchor,
                net=p.principal + p.interest - offset,
                principal=p.principal,
                interest=p.interest,
                split=offset == 0 and p.principal > 0 and p.interest > 0,
                issued=anchor,
                returned=max(backs) if reissued and backs else None,
            )
        )
    rows = sorted(deposits.rows if deposits else (), key=lambda d: (d.date, d.file, d.row))
    matched = _match(pays, rows, window_days)
    debits = deposits.debits if deposits else ()
    _sent_back(pays, rows, debits, matched, window_days)
    results = []
    paid_parts: dict[str, list[bool]] = {}
    counts = Counter(by_id[n].work.number for p in grouped for n in p.entries)
    for p, pay in zip(grouped, pays, strict=True):
        shares = [by_id[n] for n in p.entries]
        members = list({id(s.work): s.work for s in shares}.values())
        offset = p.principal + p.interest - pay.net
        status: PaymentStatus
        returned = any(m.values.get("status") == "returned" for m in members)
        paid = not returned and ("net" in pay.parts or {"principal", "interest"} <= pay.parts)
        if returned:
            # CBP says the payment came back (REV-603 Check/ACH Returned, after its issue): a
            # deposit of its amount is not this payment arriving, whatever the bank shows.
            status = "returned"
            for d in pay.deposits:
                problems.append(
                    _problem(
                        d.file, d.row, "RETURNED_DEPOSIT",
                        f"matched to the payment to {p.payee} liquidated "
                        f"{p.liquidation_date.isoformat()}, but CBP reports that payment "
                        "returned (REV-603 Check/ACH Returned): not counted as paid; check "
                        "whether the bank reversed it and the payee's ACH enrolment (REV-613)",
                    )
                )  # fmt: skip
            pay.deposited = ZERO
        elif paid:
            status = "paid"
        elif pay.parts:
            status = "part_paid"
        elif offset and pay.net == 0:
            status = "diverted"
        else:
            status = "unpaid"
        amounts = {s.rows[-1].payment_amount for s in shares if s.rows}
        numbers = tuple(
            dict.fromkeys(r.payment_number for s in shares for r in s.rows if r.payment_number)
        )
        cbp_amount = amounts.pop() if len(amounts) == 1 else None
        keys = tuple(d.key for d in pay.deposits)
        for s in shares:
            paid_parts.setdefault(s.work.number, []).append(paid)
        for m in members:
            m.values["deposits"] = (*m.values.get("deposits", ()), *keys)
            # An entry refunded twice is paid when both its payments are.
            done = all(paid_parts[m.number]) and len(paid_parts[m.number]) == counts[m.number]
            if done and m.values["status"] in ("refunded", "issued"):
                m.values["status"] = "paid"
        results.append(
            PaymentReconciliation(
                payee=p.payee,
                liquidation_date=p.liquidation_date,
                entries=tuple(m.number for m in members),
                estimate=sum(
                    (
                        (s.work.values.get("principal_estimate") or ZERO)
                        + (s.work.values.get("interest_estimate") or ZERO)
                        for s in shares
                        if s.last
                    ),
                    ZERO,
                ),
                principal=p.principal,
                interest=p.interest,
                offset=offset,
                net=pay.net,
                payment_numbers=numbers,
                cbp_amount=cbp_amount,
                cbp_difference=None if cbp_amount is None else cbp_amount - p.gross,
                deposited=pay.deposited,
                deposits=keys,
                status=status,
                how=", ".join(dict.fromkeys(pay.how)),
            )
        )
    problems.extend(_reversals(rows, matched, debits, window_days))
    return tuple(results), tuple(_deposit_results(rows, matched))


@dataclass
class _Share:
    """One refund of an entry, as it is paid: an entry refunded at liquidation and again at
    reliquidation is in two payments (t66/08)."""

    id: str
    work: _Work
    when: date | None
    principal: Decimal
    interest: Decimal
    offset: Decimal
    refund_date: date | None
    rows: list[CbpRefund]
    reissued: date | None
    returned: date | None
    last: bool
    """The entry's latest refund: its payment carries the entry's estimate (counted once)."""


def _history(trades: list[TradeRefund]) -> tuple[date | None, date | None]:
    """(the latest reissue date, the latest return date) of REV-603 rows."""
    reissued = [t.refund_date for t in trades if t.status == "reissued" and t.refund_date]
    returned = [t.refund_date for t in trades if t.status == "returned" and t.refund_date]
    return (max(reissued) if reissued else None), (max(returned) if returned else None)


def _shares(w: _Work) -> list[_Share]:
    v = w.values
    parts = _parts(w.reported) if w.reported else []
    if len(parts) <= 1:
        reissued, returned = _history(w.trades)
        return [
            _Share(
                w.number, w, None, v.get("principal_reported") or ZERO,
                v.get("interest_reported") or ZERO, v.get("offset", ZERO),
                v.get("refund_date"), list(w.reported), reissued, returned, True,
            )
        ]  # fmt: skip
    shares = []
    offset = v.get("offset", ZERO)
    for k, (part, rows) in enumerate(parts):
        numbers = {r.refund_number for r in rows if r.refund_number}
        mine = sum((w.offsets.get(n, ZERO) for n in numbers), ZERO)
        offset -= mine
        reissued, returned = _history([t for t in w.trades if t.refund_number in numbers])
        shares.append(
            _Share(
                w.number if k == 0 else f"{w.number}#{k}", w, part.liquidation_date,
                part.principal or ZERO, part.interest or ZERO, mine, part.refund_date, rows,
                reissued, returned, k == len(parts) - 1,
            )
        )  # fmt: skip
    # A diversion no part's refund number names (a row linked by entry) is the latest's.
    shares[-1].offset += offset
    return shares


def _sent_back(
    pays: list[_Pay],
    rows: list[BankDeposit],
    debits: Sequence[BankDeposit],
    matched: dict[int, tuple[str, list[_Pay]]],
    window: int,
) -> None:
    """A payment CBP reports returned and reissued: the deposit of its first issue, posted by
    the return and taken back by a debit of its amount, is that issue coming and going (part
    ``returned``): it pays nothing, and with its debit it is accounted for (t66/06)."""
    spent: set[int] = set()
    for p in pays:
        if p.returned is None or p.issued is None:
            continue
        for i, d in enumerate(rows):
            if i in matched or d.amount != p.net:
                continue
            if not p.issued - timedelta(days=EARLY_DAYS) <= d.date <= p.returned:
                continue
            back = next(
                (
                    k
                    for k, debit in enumerate(debits)
                    if k not in spent
                    and debit.amount == d.amount
                    and d.date <= debit.date <= d.date + timedelta(days=window)
                ),
                None,
            )
            if back is None:
                continue
            spent.add(back)
            matched[i] = ("returned", [p])
            p.how.append("its first issue returned")
            break


def _reversals(
    rows: list[BankDeposit],
    matched: dict[int, tuple[str, list[_Pay]]],
    debits: Iterable[BankDeposit],
    window: int,
) -> list[Problem]:
    """A debit of a matched refund deposit's exact amount, on or after it within the window:
    the bank may have reversed the refund (an ACH return), so the payment may not be kept."""
    found = []
    for debit in debits:
        for i, d in enumerate(rows):
            if i not in matched or d.amount != debit.amount:
                continue
            if matched[i][0] == "returned":
                break  # CBP reports it returned: the debit is the return, accounted for
            if not d.date <= debit.date <= d.date + timedelta(days=window):
                continue
            payments = ", ".join(p.key for p in matched[i][1])
            found.append(
                _problem(
                    debit.file, debit.row, "REVERSED_DEPOSIT",
                    f"a debit of {debit.amount} on {debit.date.isoformat()}, the amount of "
                    f"deposit {d.key} matched to {payments}: if it reverses that refund, the "
                    "payment did not stay paid; check it with the bank and CBP's REV-603 "
                    "(Check/ACH Returned)",
                )
            )  # fmt: skip
            break
    return found


def _match(
    pays: list[_Pay], deposits: list[BankDeposit], window: int
) -> dict[int, tuple[str, list[_Pay]]]:
    """Deposit index -> (part, payments). Exact amounts only; between candidates the nearest in
    date wins (:func:`_nearest`)."""
    found: dict[int, tuple[str, list[_Pay]]] = {}

    def near(d: BankDeposit, p: _Pay) -> bool:
        if p.returned is not None and d.date <= p.returned:
            return False
        return p.anchor - timedelta(days=EARLY_DAYS) <= d.date <= p.anchor + timedelta(days=window)

    def take(i: int, d: BankDeposit, part: str, members: list[_Pay], how: str) -> None:
        found[i] = (part, members)
        for p in members:
            p.parts.add("net" if part in ("net", "sum") else part)
            p.deposits.append(d)
            p.deposited += p.net if part in ("net", "sum") else getattr(p, part)
            p.how.append(how)

    # 1. one payment, whole.
    for i, p in _nearest(
        pays, deposits, lambda d, p: p.open and p.net == d.amount and near(d, p), found
    ):
        take(i, deposits[i], "net", [p], "net")
    # 2. several payments refunded on one date, in one deposit.
    for i, d in enumerate(deposits):
        if i in found:
            continue
        by_day: dict[date, list[_Pay]] = {}
        for p in pays:
            if p.open and near(d, p):
                by_day.setdefault(p.anchor, []).append(p)
        for day in sorted(by_day, key=lambda day: abs((d.date - day).days)):
            group = by_day[day]
            if len(group) > 1 and sum((p.net for p in group), ZERO) == d.amount:
                take(i, d, "sum", group, "with others")
                break
    # 3. principal and interest apart, for payments with no offset.
    for part in ("principal", "interest"):

        def apart(d: BankDeposit, p: _Pay, part: str = part) -> bool:
            return (
                p.split
                and "net" not in p.parts
                and part not in p.parts
                and near(d, p)
                and getattr(p, part) == d.amount
            )

        for i, p in _nearest(pays, deposits, apart, found):
            take(i, deposits[i], part, [p], "principal and interest apart")
    # 4. the principals (or interests) of payments refunded on one date, in one deposit.
    for part in ("principal", "interest"):
        for i, d in enumerate(deposits):
            if i in found:
                continue
            by_day = {}
            for p in pays:
                if p.split and "net" not in p.parts and part not in p.parts and near(d, p):
                    by_day.setdefault(p.anchor, []).append(p)
            for day in sorted(by_day, key=lambda day: abs((d.date - day).days)):
                group = by_day[day]
                if len(group) > 1 and sum((getattr(p, part) for p in group), ZERO) == d.amount:
                    found[i] = ("sum", group)
                    for p in group:
                        p.parts.add(part)
                        p.deposits.append(d)
                        p.deposited += getattr(p, part)
                        p.how.append(f"{part} with others")
                    break
    return found


def _nearest(
    pays: list[_Pay],
    deposits: list[BankDeposit],
    fits: Callable[[BankDeposit, _Pay], bool],
    taken: Mapping[int, object],
) -> list[tuple[int, _Pay]]:
    """Deposit index and payment, each deposit and payment at most once, the pairs nearest in
    date first (a deposit is the payment arriving: the one closest to its date is the likeliest,
    t66/05). A tie in distance goes to the deposit on or after the payment's date (money is
    not paid before it is issued; an early posting is the exception the window allows), then
    to the earlier deposit, then to the file and row, then to the payment key: one answer
    whatever the order the files were given in."""
    pairs = sorted(
        (abs((d.date - p.anchor).days), d.date < p.anchor, d.date, d.file, d.row, p.key, i, j)
        for i, d in enumerate(deposits)
        if i not in taken
        for j, p in enumerate(pays)
        if fits(d, p)
    )
    used_deposits: set[int] = set()
    used_pays: set[int] = set()
    chosen = []
    for *_, i, j in pairs:
        if i in used_deposits or j in used_pays:
            continue
        used_deposits.add(i)
        used_pays.add(j)
        chosen.append((i, pays[j]))
    return chosen


def _deposit_results(
    deposits: list[BankDeposit], matched: dict[int, tuple[str, list[_Pay]]]
) -> list[DepositMatch]:
    out = []
    for i, d in enumerate(deposits):
        part, members = matched.get(i, ("unmatched", []))
        out.append(
            DepositMatch(
                file=d.file,
                row=d.row,
                date=d.date,
                amount=d.amount,
                reference=d.reference,
                payments=tuple(p.key for p in members),
                part=part,
            )
        )
    return out
