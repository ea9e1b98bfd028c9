"""Kept for imports written before 0.2 (``from ieepa_refund import plots``): see :mod:`ieepa_refund.portfolio.plots`."""

from .portfolio.plots import (
    cash_timeline,
    deadline_cliff,
    money_by_road,
    payments_chart,
    refund_by_program,
    road_deadlines,
)

__all__ = [
    "cash_timeline",
    "deadline_cliff",
    "money_by_road",
    "payments_chart",
    "refund_by_program",
    "road_deadlines",
]
