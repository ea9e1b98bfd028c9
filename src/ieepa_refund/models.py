"""Kept for imports written before 0.2: the models now live in ``entry`` and ``refund.results``."""

from .entry import Entry, EntryLine, Tariff
from .refund import EntryRefund, LineRefund, Method, RefundWarning, TariffRefund

__all__ = [
    "Entry",
    "EntryLine",
    "EntryRefund",
    "LineRefund",
    "Method",
    "RefundWarning",
    "Tariff",
    "TariffRefund",
]
