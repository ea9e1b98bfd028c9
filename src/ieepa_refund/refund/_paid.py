"""The paid method's fast paths: an entry line's figures without the full per-number
working of :class:`._lines.LineWork`, for the lines where the two are provably the same
(``tests/test_refund_fast.py`` ties each to it on drawn entries). Split out of
:mod:`._lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

from ..entry import EntryLine
from ..registry import (
    EXEMPT_KINDS,
    IEEPA_STATUSES,
    Classification,
    HeadingPeriod,
)
from ._lines import (
    _SUSPENDED,
    _TOPUP,
    _display,
    _line,
    _line_sums,
    _new_line,
    _new_tariff,
    _refunded,
    _restore_bounded,
    _tariff,
    _unchanged,
    refund_figures,
)
from ._shared import ZERO, sum_of
from .codes import WarningCode, warning
from .results import LineRefund, RefundWarning, TariffRefund


def paid_line(
    line: EntryLine, classify: Callable[[str], Classification]
) -> tuple[LineRefund, bool, bool] | None:
    """The paid method's refund of a line with nothing to warn about or estimate; else None.

    The common line: IEEPA headings in force with their duty reported, beside numbers that
    are not IEEPA and carry no rate text. :class:`LineWork` gives the same result for it
    (``tests/test_refund_fast.py`` compares the two on drawn entries), by a longer road: it
    asks every question a rarer line needs. Returns the line's refund; whether it holds a
    number that is not IEEPA (then recalculation, which needs every such number's rate, is
    undetermined); and whether it holds an IEEPA number (all of them carry duty here).
    None: the line needs :class:`LineWork`.
    """
    number, country = line.number, line.country_of_origin
    tariffs: list[TariffRefund] = []
    others = ieepa = False
    plain = True  # every result refunds what it paid, owes nothing and has that as its bound
    for tariff in line.tariffs:
        cls = classify(tariff.hts)
        status = cls.status
        if status in IEEPA_STATUSES:
            period, duty = cls.period, tariff.duty
            if period is None or duty is None or not _plain_ieepa(status, period, country):
                return None
            reason = _refunded(period.program)
            if duty is ZERO or (duty - ZERO).compare_total(duty):
                # Written otherwise than in cents (20 gives 20.00): the general build.
                tariffs.append(_tariff(number, tariff, cls, duty, ZERO, duty, reason, False))
                plain = False
            else:  # what _tariff makes of it: the refund and its bound are the duty itself
                tariffs.append(
                    _new_tariff(
                        number,
                        tariff.hts,
                        status,
                        cls.authority,
                        period,
                        duty,
                        ZERO,
                        duty,
                        duty,
                        False,
                        reason,
                    )
                )
            ieepa = True
        else:
            if tariff.rate is not None or (tariff.hts[:2] == "99" and cls.authority is None):
                return None
            paid = tariff.duty or ZERO
            tariffs.append(
                _tariff(number, tariff, cls, paid, paid, ZERO, _unchanged(cls.authority), False)
            )
            plain = plain and paid is ZERO  # then the shared result of ZEROs
            others = True
    if plain:
        # What _line gives when every result's refund and bound are its paid and it owes
        # ZERO: the sums of refunds and bounds are the sum of paid, written alike.
        paid = sum_of(tuple([t.paid for t in tariffs]))
        return _new_line(number, country, paid, ZERO, paid, paid, tuple(tariffs)), others, ieepa
    return _line(line, tuple(tariffs)), others, ieepa


def _plain_ieepa(status: str, period: HeadingPeriod, country: str) -> bool:
    """An IEEPA number in force whose reported duty is simply refunded (the fast roads)."""
    return not (
        status != "ieepa"
        or period.kind in EXEMPT_KINDS
        or period.rate_type == _TOPUP
        or period.rate_type == _SUSPENDED
        or period.applies_to(country) is False
    )


class LineFigures(NamedTuple):
    """A line's sums as its :class:`LineRefund` holds them, without the per-number results."""

    paid: Decimal
    owed: Decimal
    refund: Decimal
    refund_high: Decimal | None
    ieepa_paid: Decimal
    """What :func:`ieepa_paid_of` gives of the line's numbers."""


def figures_of(line: LineRefund) -> LineFigures:
    return LineFigures(
        line.paid, line.owed, line.refund, line.refund_high, ieepa_paid_of(line.tariffs)
    )


def ieepa_paid_of(tariffs: Iterable[TariffRefund]) -> Decimal:
    """The duty paid on the numbers of an IEEPA status (in force, out of its period, or unknown),
    estimates included: the figure of a refund's ``ieepa_paid``, summed from 0.00 in the order of
    the numbers (a sum of lines' sums is the same number, written alike: additions are exact)."""
    return sum((t.paid for t in tariffs if t.status in IEEPA_STATUSES), ZERO)


def paid_line_figures(
    line: EntryLine, classify: Callable[[str], Classification]
) -> tuple[LineFigures, bool, bool] | None:
    """What :func:`paid_line` gives, as the line's sums only: the same questions, the same
    values written alike (``refund_figures`` and ``_line_sums`` are what ``_tariff`` and
    ``_line`` compute), and no :class:`TariffRefund` or :class:`LineRefund` built.
    ``tests/test_refund_figures.py`` compares the two on drawn entries."""
    country = line.country_of_origin
    paids: list[Decimal] = []
    # The IEEPA numbers' paid, summed as ieepa_paid_of sums them (from 0.00, in order).
    ieepa_paid = ZERO
    figures: list[tuple[Decimal, Decimal, Decimal, Decimal | None]] = []
    others = ieepa = False
    plain = True
    for tariff in line.tariffs:
        cls = classify(tariff.hts)
        status = cls.status
        if status in IEEPA_STATUSES:
            period, duty = cls.period, tariff.duty
            # _plain_ieepa, written out: this runs for most numbers of a file.
            if (
                period is None
                or duty is None
                or status != "ieepa"
                or period.kind in EXEMPT_KINDS
                or period.rate_type == _TOPUP
                or period.rate_type == _SUSPENDED
                or period.applies_to(country) is False
            ):
                return None
            if duty is ZERO or (duty - ZERO).compare_total(duty):
                refund, high = refund_figures(duty, ZERO, duty)
                figures.append((duty, ZERO, refund, high))
                plain = False
            else:
                figures.append((duty, ZERO, duty, duty))
            paids.append(duty)
            ieepa_paid = ieepa_paid + duty
            ieepa = True
        else:
            if tariff.rate is not None or (tariff.hts[:2] == "99" and cls.authority is None):
                return None
            paid = tariff.duty or ZERO
            if paid is ZERO:  # what refund_figures gives for nothing paid and nothing owed
                figures.append(_NOTHING)
            else:
                refund, high = refund_figures(paid, paid, ZERO)
                figures.append((paid, paid, refund, high))
                plain = False
            paids.append(paid)
            others = True
    if plain:
        paid = sum_of(tuple(paids))
        return LineFigures(paid, ZERO, paid, paid, ieepa_paid), others, ieepa
    return LineFigures(*_line_sums(figures), ieepa_paid), others, ieepa


def topup_line_figures(
    line: EntryLine, classify: Callable[[str], Classification], warnings: list[RefundWarning]
) -> tuple[LineFigures, Decimal | None] | None:
    """The paid method's sums of a 15% all-in line, as :class:`LineWork` gives them; else None.

    The line :func:`paid_line_figures` declines most: a 15% all-in heading (in force, its duty
    reported) beside Chapter 1-97 numbers without rate text, whose MFN duty, folded into the
    heading, is restored and bounded by the heading's amount (one ``UNCERTAIN`` warning each,
    appended to ``warnings`` as :class:`LineWork` appends it). Every other IEEPA number must
    be one the plain road takes. Returns the line's sums and its recalculation delta
    (:attr:`LineWork.recalc_delta`); the line always holds an IEEPA number that may carry
    duty. ``tests/test_refund_fast.py`` compares it with :class:`LineWork` on drawn entries.
    """
    country, number = line.country_of_origin, line.number
    classes = [classify(t.hts) for t in line.tariffs]
    ieepa_paid = topup_paid = ZERO
    has_topup = False
    for tariff, cls in zip(line.tariffs, classes, strict=True):
        status = cls.status
        if status in IEEPA_STATUSES:
            period, duty = cls.period, tariff.duty
            if (
                period is None
                or duty is None
                or status != "ieepa"
                or period.kind in EXEMPT_KINDS
                or period.rate_type == _SUSPENDED
                or period.applies_to(country) is False
            ):
                return None
            ieepa_paid = ieepa_paid + duty
            if period.rate_type == _TOPUP:
                has_topup = True
                topup_paid = sum_of((topup_paid, duty))  # as LineWork.result sums it
        elif tariff.rate is not None or (tariff.hts[:2] == "99" and cls.authority is None):
            return None
    if not has_topup:
        return None
    figures: list[tuple[Decimal, Decimal, Decimal, Decimal | None]] = []
    delta: Decimal | None = ZERO
    for tariff, cls in zip(line.tariffs, classes, strict=True):
        if cls.status in IEEPA_STATUSES:
            duty = tariff.duty
            assert duty is not None
            refund, high = refund_figures(duty, ZERO, duty)
            figures.append((duty, ZERO, refund, high))
        elif tariff.hts[:2] != "99" and not tariff.duty:  # LineWork._restores
            warnings.append(
                warning(
                    code=WarningCode.UNCERTAIN,
                    message=_restore_bounded(_display(tariff), topup_paid),
                    line=number,
                    hts=tariff.hts,
                )
            )
            owed = sum_of((ZERO, topup_paid))
            refund, high = refund_figures(ZERO, owed, ZERO)
            figures.append((ZERO, owed, refund, high))
        else:  # unchanged; recalculation, wanting this number's rate, is undetermined
            delta = None
            paid = tariff.duty or ZERO
            refund, high = refund_figures(paid, paid, ZERO)
            figures.append((paid, paid, refund, high))
    return LineFigures(*_line_sums(figures), ieepa_paid), delta


#: A number's figures when it paid nothing and owes nothing: all the shared ZERO.
_NOTHING: tuple[Decimal, Decimal, Decimal, Decimal | None] = (ZERO, ZERO, ZERO, ZERO)
