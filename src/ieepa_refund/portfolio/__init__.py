"""A portfolio of entries: collections, what-if comparisons, the deadline calendar and plots.

Nothing below this package imports it. ``plots`` needs the ``plot`` extra and
is imported on its own (``from ieepa_refund.portfolio import plots``).
"""

from .collections import Refunds, Screenings, compute_refunds, screen_all
from .deadlines import DeadlineCalendar, DeadlineWeek, deadline_calendar
from .whatif import Assumptions, Comparison, Difference, Outcome, compare, evaluate

__all__ = [
    "Assumptions",
    "Comparison",
    "DeadlineCalendar",
    "DeadlineWeek",
    "Difference",
    "Outcome",
    "Refunds",
    "Screenings",
    "compare",
    "compute_refunds",
    "deadline_calendar",
    "evaluate",
    "screen_all",
]
