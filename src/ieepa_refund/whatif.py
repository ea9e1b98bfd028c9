"""Kept for imports written before 0.2: see :mod:`ieepa_refund.portfolio`."""

from .portfolio.deadlines import DeadlineCalendar, DeadlineWeek, deadline_calendar
from .portfolio.whatif import Assumptions, Comparison, Difference, Outcome, compare, evaluate

__all__ = [
    "Assumptions",
    "Comparison",
    "DeadlineCalendar",
    "DeadlineWeek",
    "Difference",
    "Outcome",
    "compare",
    "deadline_calendar",
    "evaluate",
]
