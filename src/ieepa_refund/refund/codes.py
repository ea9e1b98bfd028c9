"""Every warning code a refund can carry, with what it means."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from .._trusted import builder
from .results import RefundWarning

__all__ = ["INPUT_FAULTS", "WARNING_CODES", "WarningCode", "fix_first"]


class WarningCode(StrEnum):
    """Every warning code :func:`compute_refund` can give, with what it means.

    A :class:`~enum.StrEnum`: ``warning.code == "UNCERTAIN"`` holds, and a code
    written to a CSV or JSON file is its bare name.
    """

    meaning: str

    def __new__(cls, value: str, meaning: str) -> WarningCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    INVALID_HTS = (
        "INVALID_HTS",
        "an IEEPA number used outside its period; CAPE answers 'INVALID HTS'",
    )
    COUNTRY_MISMATCH = (
        "COUNTRY_MISMATCH",
        "an IEEPA heading whose countries do not include the line's origin",
    )
    NO_IEEPA_HTS_ON_ENTRY = (
        "NO_IEEPA_HTS_ON_ENTRY",
        "no IEEPA duty heading on the entry; CAPE answers 'NO IEEPA HTS ON ENTRY'",
    )
    DUAL_PURPOSE_EXEMPTION = (
        "DUAL_PURPOSE_EXEMPTION",
        "an exemption that also exempts Section 232 duty: recalculation must keep it",
    )
    UNKNOWN_CH99 = "UNKNOWN_CH99", "a Chapter 99 number that no data describes"
    EXEMPTION_WITH_DUTY = (
        "EXEMPTION_WITH_DUTY",
        "an exemption or exception heading reported with a duty amount",
    )
    SUSPENDED_HEADING = (
        "SUSPENDED_HEADING",
        "a heading reported in a period when its rate was suspended",
    )
    ESTIMATED_DUTY = (
        "ESTIMATED_DUTY",
        "an IEEPA duty amount missing from the data, estimated from the registry",
    )
    UNCERTAIN = (
        "UNCERTAIN",
        "a figure that cannot be known from the data; the result carries bounds",
    )
    RATE_UNUSABLE = (
        "RATE_UNUSABLE",
        "a rate that cannot be applied (no quantity, another unit); reported duty kept",
    )
    RATE_MISSING = (
        "RATE_MISSING",
        "recalculation kept the reported duty of numbers with no rate text",
    )
    METHODS_DISAGREE = (
        "METHODS_DISAGREE",
        "the paid-lines and recalculation methods give different principals",
    )
    DEPOSIT_DATE_ASSUMED = (
        "DEPOSIT_DATE_ASSUMED",
        "no deposit date given: interest runs from an assumed date",
    )
    NO_INTEREST_UNLIQUIDATED = (
        "NO_INTEREST_UNLIQUIDATED",
        "no liquidation date and no interest_until: no interest figure",
    )
    RATE_NOT_COVERED = (
        "RATE_NOT_COVERED",
        "interest needs a rate past the rate table's end: no interest figure",
    )
    RATE_PROJECTED = "RATE_PROJECTED", "interest uses the last known rate past the rate table's end"
    INTEREST_ON_ESTABLISHED_PRINCIPAL = (
        "INTEREST_ON_ESTABLISHED_PRINCIPAL",
        "interest is on the established principal, not its upper bound",
    )
    UNDERPAYMENT = (
        "UNDERPAYMENT",
        "removing the IEEPA numbers leaves more duty owed than paid: a bill, not a refund",
    )
    INTEREST_BEFORE_DEPOSIT = (
        "INTEREST_BEFORE_DEPOSIT",
        "the interest end date is before the deposit date: no interest figure",
    )
    IMPLAUSIBLE_PRINCIPAL = (
        "IMPLAUSIBLE_PRINCIPAL",
        "a principal over a trillion dollars (a typo in the input): no interest figure",
    )
    DEPOSITS_BELOW_REFUND = (
        "DEPOSITS_BELOW_REFUND",
        "the entry's deposits total less than its refund principal: no interest figure",
    )
    DEPOSITS_NOT_DUTY_PAID = (
        "DEPOSITS_NOT_DUTY_PAID",
        "the entry's deposits less its pre-liquidation refunds are not the duty its lines report "
        "as paid: no interest figure",
    )
    INTEREST_NETTED = (
        "INTEREST_NETTED",
        "the Government is owed interest on part of the deposit history: the interest is netted",
    )
    INCOMPLETE_ENTRY = (
        "INCOMPLETE_ENTRY",
        "rows of the entry were rejected on reading: no principal is established until they are fixed",
    )
    LIQUIDATION_INCONSISTENT = (
        "LIQUIDATION_INCONSISTENT",
        "the liquidation status and date disagree: the interest end is in doubt",
    )
    DEPOSIT_BEFORE_IEEPA = (
        "DEPOSIT_BEFORE_IEEPA",
        "the deposit date is before the entry's IEEPA heading came into force: no interest figure",
    )
    DEPOSIT_BEFORE_ENTRY = (
        "DEPOSIT_BEFORE_ENTRY",
        "the deposit date is before the entry date (a typo, or a summary paid before release): "
        "no interest figure",
    )
    LIQUIDATION_AFTER_AS_OF = (
        "LIQUIDATION_AFTER_AS_OF",
        "the liquidation date is after the as-of date (interest_until): interest runs to it",
    )
    LIQUIDATION_SCHEDULED = (
        "LIQUIDATION_SCHEDULED",
        "an open (unliquidated) status with a liquidation date after the as-of date: read as a "
        "scheduled liquidation, the entry refunded as unliquidated",
    )
    BAD_CHECK_DIGIT = (
        "BAD_CHECK_DIGIT",
        "the entry number's check digit does not match: ACE may not know the entry",
    )


#: Every warning code compute_refund can give, with what it means (read from WarningCode).
WARNING_CODES: dict[str, str] = {code.value: code.meaning for code in WarningCode}

#: The warnings that withhold the interest figure for a fault found in the input (its dates
#: or amounts), each saying how to fix it: no option (--project, another rate table) gives
#: the figure until the input is fixed, and an estimate with one is done with problems.
INPUT_FAULTS: frozenset[str] = frozenset(
    code.value
    for code in (
        WarningCode.INTEREST_BEFORE_DEPOSIT,
        WarningCode.IMPLAUSIBLE_PRINCIPAL,
        WarningCode.DEPOSITS_BELOW_REFUND,
        WarningCode.DEPOSITS_NOT_DUTY_PAID,
        WarningCode.DEPOSIT_BEFORE_IEEPA,
        WarningCode.DEPOSIT_BEFORE_ENTRY,
    )
)


def fix_first(warnings: Iterable[RefundWarning], action: str) -> str:
    """``action`` (an entry's next action) after the fix its first input fault asks for, if
    one withholds its interest: the action alone would leave the bad input unsaid (t62/07).

    Not INTEREST_BEFORE_DEPOSIT: its message names where the interest ends, on a road the
    expected date, which the refund given to the road (to its as-of date) does not know."""
    for w in warnings:
        if w.code in INPUT_FAULTS and w.code != WarningCode.INTEREST_BEFORE_DEPOSIT:
            # The fault's first sentence names the values (both dates, or both amounts).
            cause = w.message.removeprefix("No interest figure: ").split(". ")[0]
            return (
                f"Fix the input first, no interest figure until then ({w.code}: {cause}); "
                f"then: {action}"
            )
    return action


def warning(
    code: WarningCode, message: str, line: int | None = None, hts: str | None = None
) -> RefundWarning:
    return _new_warning(code, message, line, hts)


# Built as attributes (a warning about one line is made per refund, and a notebook keeps it).
_new_warning = builder(RefundWarning, ("code", "message", "line", "hts"))


@lru_cache(maxsize=4096)
def entry_warning(code: WarningCode, message: str) -> RefundWarning:
    """:func:`warning` about a whole entry, made once per message and shared (a warning is
    frozen): for the messages that recur across a portfolio, fixed or naming a date."""
    return warning(code, message)
