"""ieepa-refund: what IEEPA duty refund an importer is owed, with interest, and the CAPE filings.

Figures are estimates built from the user's entry data and the shipped public
data; they are not legal advice. Every result names the data version it used.
"""

from .errors import (
    DataError,
    FloatRefused,
    HeadingNotFound,
    HeadingNotInForce,
    IeepaRefundError,
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    InvalidPeriod,
    InvalidRate,
    NotInTable,
    RateNotCovered,
    ValidationError,
)
from .models import (
    Entry,
    EntryLine,
    EntryRefund,
    LineRefund,
    RefundWarning,
    Tariff,
    TariffRefund,
)
from .rates import Rate, parse_rate
from .refund import WARNING_CODES, compute_refund
from .registry import Classification, HeadingPeriod, Registry, default_registry

__version__ = "0.1.0"

__all__ = [
    "Classification",
    "DataError",
    "Entry",
    "EntryLine",
    "EntryRefund",
    "FloatRefused",
    "HeadingNotFound",
    "HeadingNotInForce",
    "HeadingPeriod",
    "IeepaRefundError",
    "InvalidChecksum",
    "InvalidFormat",
    "InvalidLength",
    "InvalidPeriod",
    "InvalidRate",
    "LineRefund",
    "NotInTable",
    "Rate",
    "RateNotCovered",
    "RefundWarning",
    "Registry",
    "Tariff",
    "TariffRefund",
    "ValidationError",
    "WARNING_CODES",
    "__version__",
    "compute_refund",
    "default_registry",
    "parse_rate",
]
