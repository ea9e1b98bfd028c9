"""Where each refund dollar stands: each entry's road, next action, deadline and expected money.

Above the stages (it uses CAPE screening, refunds and payments), below the
portfolio and the command.
"""

from ._roads import EntryRoad, Road, Roads, RoadTotal, entry_road, entry_roads, road_totals
from .timing import CapeTiming, default_cape_timing

__all__ = [
    "CapeTiming",
    "EntryRoad",
    "Road",
    "RoadTotal",
    "Roads",
    "default_cape_timing",
    "entry_road",
    "entry_roads",
    "road_totals",
]
