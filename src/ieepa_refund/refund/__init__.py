"""The refund principal of an entry, and the interest on it.

:func:`compute_refund` takes an :class:`~ieepa_refund.Entry` and returns an
:class:`EntryRefund` traceable to every HTS number; the work is in private
modules: ``_lines`` (one entry line), ``_interest`` (deposit date and
interest), ``_compute`` (the entry). Results are in :mod:`.results`, warning
codes in :mod:`.codes`, the choices in :mod:`.options`.
"""

from ._compute import compute_refund
from .codes import WARNING_CODES
from .options import Deposit, Method
from .results import EntryRefund, LineRefund, RefundWarning, TariffRefund

__all__ = [
    "Deposit",
    "EntryRefund",
    "LineRefund",
    "Method",
    "RefundWarning",
    "TariffRefund",
    "WARNING_CODES",
    "compute_refund",
]
