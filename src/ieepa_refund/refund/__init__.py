"""The refund principal of an entry, and the interest on it.

:func:`compute_refund` takes an :class:`~ieepa_refund.Entry` and returns an
:class:`EntryRefund` traceable to every HTS number; :func:`compute_figures` the same
entry-level figures as a :class:`RefundFigures`, without that detail. The work is in private
modules: ``_lines`` (one entry line), ``_interest`` (deposit date and
interest), ``_compute`` (the entry). Results are in :mod:`.results`, warning
codes in :mod:`.codes`, the choices in :mod:`.options`, the federal closures
the deposit-date rule skips in :mod:`.closures`.
"""

from ._compute import compute_figures, compute_refund, with_overrides
from .closures import Closure, default_federal_closures, load_federal_closures
from .codes import WARNING_CODES, WarningCode
from .options import Deposit, Method, RefundOptions
from .results import (
    DepositBasis,
    EntryRefund,
    LineRefund,
    RefundFigures,
    RefundWarning,
    TariffRefund,
)

__all__ = [
    "Closure",
    "Deposit",
    "DepositBasis",
    "EntryRefund",
    "LineRefund",
    "Method",
    "RefundFigures",
    "RefundOptions",
    "RefundWarning",
    "TariffRefund",
    "WARNING_CODES",
    "WarningCode",
    "compute_figures",
    "compute_refund",
    "default_federal_closures",
    "load_federal_closures",
    "with_overrides",
]
