"""ieepa-refund: what IEEPA duty refund an importer is owed, with interest, and the CAPE filings.

Figures are estimates built from the user's entry data and the shipped public
data; they are not legal advice. Every result names the data version it used.
"""

from collections.abc import Mapping as _Mapping
from types import MappingProxyType as _MappingProxyType

from .entry import Entry, EntryLine, Tariff
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
from .es003 import Es003Import, Es003Report, Es003Stream, read_es003, sample_es003, stream_es003
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
from .payments import Allocation, Consolidation, Payable, Payment, consolidate
from .portfolio import (
    Assumptions,
    Comparison,
    DeadlineCalendar,
    Refunds,
    Screenings,
    compare,
    compute_refunds,
    deadline_calendar,
    evaluate,
    screen_all,
)
from .rates import Rate, parse_rate
from .refund import (
    WARNING_CODES,
    DepositBasis,
    EntryRefund,
    LineRefund,
    RefundOptions,
    RefundWarning,
    TariffRefund,
    WarningCode,
    compute_refund,
)
from .registry import Classification, HeadingPeriod, Registry, default_registry

__version__ = "0.1.0"

#: The version of each shipped data set, apart from the package version (tzdata's
#: IANA_VERSION): a test ties each to its data set's MANIFEST.json.
DATA_VERSIONS: _Mapping[str, str] = _MappingProxyType(
    {
        "cape_rules": "2026.3",
        "federal_closures": "2026.1",
        "htsus_ch99": "2026.2",
        "interest_rates": "2026.4",
    }
)

__all__ = [
    "Allocation",
    "Assumptions",
    "Classification",
    "Comparison",
    "Consolidation",
    "DATA_VERSIONS",
    "DataError",
    "DeadlineCalendar",
    "DelinquencyDetail",
    "DepositBasis",
    "Entry",
    "EntryLine",
    "EntryRefund",
    "Es003Import",
    "Es003Report",
    "Es003Stream",
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
    "RefundOptions",
    "RefundWarning",
    "Refunds",
    "Registry",
    "Screenings",
    "Tariff",
    "TariffRefund",
    "ValidationError",
    "WARNING_CODES",
    "WarningCode",
    "__version__",
    "accrue_interest",
    "compare",
    "compute_refund",
    "compute_refunds",
    "consolidate",
    "deadline_calendar",
    "default_rate_table",
    "default_registry",
    "delinquency_interest",
    "evaluate",
    "growth_factor",
    "interest_detail",
    "parse_rate",
    "read_es003",
    "sample_es003",
    "screen_all",
    "stream_es003",
]
