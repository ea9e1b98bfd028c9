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
    InputFileError,
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    InvalidPeriod,
    InvalidRate,
    NotInTable,
    RateNotCovered,
    ValidationError,
)
from .interest import (
    DelinquencyDetail,
    InterestConventions,
    InterestDetail,
    RateTable,
    accrue_interest,
    default_rate_table,
    delinquency_interest,
    growth_factor,
    interest_detail,
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
from .payments import Allocation, Consolidation, Payable, Payment, consolidate
from .rates import Rate, parse_rate
from .refund import WARNING_CODES, compute_refund
from .registry import Classification, HeadingPeriod, Registry, default_registry

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "Classification",
    "Consolidation",
    "DataError",
    "DelinquencyDetail",
    "Entry",
    "EntryLine",
    "EntryRefund",
    "FloatRefused",
    "HeadingNotFound",
    "HeadingNotInForce",
    "HeadingPeriod",
    "IeepaRefundError",
    "InputFileError",
    "InterestConventions",
    "InterestDetail",
    "InvalidChecksum",
    "InvalidFormat",
    "InvalidLength",
    "InvalidPeriod",
    "InvalidRate",
    "LineRefund",
    "NotInTable",
    "Payable",
    "Payment",
    "Rate",
    "RateNotCovered",
    "RateTable",
    "RefundWarning",
    "Registry",
    "Tariff",
    "TariffRefund",
    "ValidationError",
    "WARNING_CODES",
    "__version__",
    "accrue_interest",
    "compute_refund",
    "consolidate",
    "default_rate_table",
    "default_registry",
    "delinquency_interest",
    "growth_factor",
    "interest_detail",
    "parse_rate",
]
