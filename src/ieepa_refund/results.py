"""Kept for imports written before 0.2: see :mod:`ieepa_refund.portfolio`."""

from .portfolio.collections import Refunds, Screenings, compute_refunds, screen_all

__all__ = ["Refunds", "Screenings", "compute_refunds", "screen_all"]
