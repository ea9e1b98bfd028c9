"""Checks of an entry's dates against each other that decide whether its interest can be trusted.

A deposit date before the entry date withholds the interest figure: it may be an entry
summary certified and paid before release, or a typo (a deposit of 2025-03-11 for an entry
of 2025-12-01 gave 1.86 times the right interest, t62/03), and the data cannot tell which;
before the entry's IEEPA heading came into force it cannot hold any IEEPA duty at all. A
liquidation date after the as-of date cannot be a liquidation the export has seen: it is a
scheduled date or a typo. With a status that says the entry is open, such a date is read as
a scheduled liquidation (ACE shows one for open entries; what the ES-003 column holds for them
is not published): the entry is unliquidated as of the run, flagged LIQUIDATION_SCHEDULED.
"""

from __future__ import annotations

from datetime import date

from ..entry import Entry
from ..registry import Registry
from .codes import WarningCode, entry_warning, warning
from .results import DepositBasis, RefundWarning


def early_deposit(
    entry: Entry,
    deposited: date,
    basis: DepositBasis,
    registry: Registry,
    warnings: list[RefundWarning],
) -> None:
    """Say why the interest is withheld for a deposit date before the entry date.

    Call only when ``deposited < entry.entry_date``; the figure is withheld in every case.
    Before the date the entry's IEEPA heading came into force (the registry's first
    ``effective_from`` of the heading, not a date written here) no IEEPA duty can have been
    deposited: DEPOSIT_BEFORE_IEEPA. Otherwise DEPOSIT_BEFORE_ENTRY: a typo or an entry
    summary paid before release, which the data cannot tell apart. Each names both dates.
    """
    field = (basis.field or "deposit_date").replace("_", " ")
    start = _in_force_from(entry, registry)
    if start is not None and deposited < start[0]:
        warnings.append(
            warning(
                WarningCode.DEPOSIT_BEFORE_IEEPA,
                f"No interest figure: the {field} {deposited.isoformat()} is before the entry "
                f"date {entry.entry_date.isoformat()} and before {start[1]} came into force on "
                f"{start[0].isoformat()}, so no IEEPA duty can have been deposited then. Fix the "
                f"{field} (a typo in the year?) and run again.",
            )
        )
        return
    warnings.append(
        warning(
            WarningCode.DEPOSIT_BEFORE_ENTRY,
            f"No interest figure: the {field} {deposited.isoformat()} is before the entry "
            f"date {entry.entry_date.isoformat()}. It is a typo or an entry summary paid before "
            f"release, and the data cannot tell which: interest from a mistyped date would be "
            f"counted as fact. If it is a typo, fix the {field} and run again. If the duty was "
            f"truly deposited on {deposited.isoformat()}, no option or input gives this "
            f"interest (--deposit pms dates only entries with no date reported, and a "
            f"--duty-deposits history dated before the entry is withheld alike): the library's "
            f"interest_detail(principal, deposited=..., until=...) computes it from that date.",
        )
    )


def _in_force_from(entry: Entry, registry: Registry) -> tuple[date, str] | None:
    """The earliest date one of the entry's IEEPA duty headings came into force, and which."""
    found: tuple[date, str] | None = None
    for line in entry.lines:
        for tariff in line.tariffs:
            cls = registry.classify(tariff.hts, entry.entry_date)
            if cls.status != "ieepa" or not cls.carries_ieepa_duty:
                continue
            # Periods are oldest first: the first dated one is when the heading began.
            first = registry.periods_of(tariff.hts)[0]
            if first.effective_from is not None and (
                found is None or first.effective_from < found[0]
            ):
                found = (first.effective_from, first.display_heading)
    return found


def late_liquidation(entry: Entry, as_of: date | None, warnings: list[RefundWarning]) -> None:
    """Flag a liquidation date after ``as_of`` (the options' ``interest_until``): the figure is
    kept, interest running to that date, but an export cannot show a liquidation that has not
    happened yet. A date the status already contradicts is flagged LIQUIDATION_INCONSISTENT; an
    open status's later date is a schedule, dropped before (:func:`scheduled_liquidation`)."""
    liquidated = entry.liquidation_date
    if liquidated is None or as_of is None or liquidated <= as_of:
        return
    if entry.liquidation_conflict is not None:
        return
    warnings.append(
        warning(
            WarningCode.LIQUIDATION_AFTER_AS_OF,
            f"The liquidation date {liquidated.isoformat()} is after the as-of date "
            f"{as_of.isoformat()} (interest_until): a scheduled liquidation date or a typo, not "
            "a liquidation that has happened. Interest runs to it; check the entry in ACE.",
        )
    )


def scheduled_liquidation(entry: Entry, as_of: date | None, warnings: list[RefundWarning]) -> Entry:
    """The entry as the refund reads it on ``as_of`` (the options' ``interest_until``): an open
    status with a liquidation date after ``as_of`` is a scheduled liquidation
    (:meth:`~ieepa_refund.Entry.scheduled_liquidation`), so the entry is refunded as
    unliquidated, without the date, and the warning names it. Otherwise the entry itself: a
    date on or before ``as_of`` with an open status stays LIQUIDATION_INCONSISTENT, and with
    no ``as_of`` there is nothing to tell a schedule from a contradiction by."""
    scheduled = entry.scheduled_liquidation(as_of)
    if scheduled is None or as_of is None:
        return entry
    warnings.append(
        entry_warning(
            WarningCode.LIQUIDATION_SCHEDULED,
            f"The liquidation date {scheduled.isoformat()} is after the as-of date "
            f"{as_of.isoformat()} (interest_until) and the status {entry.liquidation_status!r} "
            "says the entry is open: read as a scheduled liquidation date, so the entry is "
            "refunded as unliquidated, interest to the as-of date. What the ES-003 column holds "
            "for an open entry is not published; check the entry in ACE.",
        )
    )
    return entry.unliquidated_as_of(as_of)
