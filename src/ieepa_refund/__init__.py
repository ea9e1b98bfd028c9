"""ieepa-refund: what IEEPA duty refund an importer is owed, with interest, and the CAPE filings.

Figures are estimates built from the user's entry data and the shipped public
data; they are not legal advice. Every result names the data version it used.
"""

from collections.abc import Mapping as _Mapping
from inspect import isroutine as _isroutine
from types import MappingProxyType as _MappingProxyType
from typing import get_type_hints as _get_type_hints

from .cape import (
    CapeRules,
    Deadlines,
    DeclarationBatch,
    DeclarationCheck,
    DeclarationFile,
    DeclarationProblem,
    Reason,
    Rule,
    RuleSet,
    Screening,
    Skipped,
)
from .cape.declarations import CheckDigits, Ledger, read_ledger
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
    ModelValidationError,
    NotInTable,
    RateNotCovered,
    ValidationError,
)
from .es003 import (
    AmbiguousColumn,
    DepositsAttached,
    DepositsImport,
    Es003Import,
    Es003Report,
    Es003Stream,
    FileReport,
    Problem,
    read_deposits,
    read_es003,
    sample_es003,
    stream_es003,
    with_deposits,
)
from .interest import (
    Accrual,
    Compounding,
    DayCount,
    DelinquencyDetail,
    DepositEvent,
    InterestConventions,
    InterestDetail,
    InterestPeriod,
    InterestSegment,
    RatePeriod,
    RateTable,
    SegmentedInterest,
    accrue_interest,
    default_rate_table,
    delinquency_interest,
    growth_factor,
    interest_detail,
    segmented_interest,
)
from .payments import Allocation, Consolidation, Payable, PayeeWarning, Payment, consolidate
from .portfolio import (
    Assumptions,
    Comparison,
    DeadlineCalendar,
    DeadlineWeek,
    Difference,
    Outcome,
    Refunds,
    Screenings,
    compare,
    compute_refunds,
    deadline_calendar,
    evaluate,
    screen_all,
)
from .rates import Rate, SpecificRate, parse_rate
from .reconcile import (
    BankDeposit,
    BankDeposits,
    CapeMessage,
    CapeMessages,
    CbpFileRead,
    CbpRefund,
    CbpRefunds,
    ClaimDetails,
    ClaimOutcome,
    ClaimRow,
    DeadlineRule,
    DepositMatch,
    EntryReconciliation,
    EntryStatus,
    FixPath,
    PaymentReconciliation,
    PaymentStatus,
    Reconciliation,
    TradeRefund,
    TradeRefunds,
    TradeStatus,
    default_cape_messages,
    load_cape_messages,
    read_bank_deposits,
    read_claims,
    read_refunds,
    read_trade_refunds,
    reconcile,
    resubmit,
)
from .refund import (
    WARNING_CODES,
    Deposit,
    DepositBasis,
    EntryRefund,
    LineRefund,
    Method,
    RefundFigures,
    RefundOptions,
    RefundWarning,
    TariffRefund,
    WarningCode,
    compute_figures,
    compute_refund,
)
from .registry import Ch99Range, Classification, HeadingPeriod, Registry, default_registry
from .roads import (
    CapeTiming,
    EntryRoad,
    Road,
    Roads,
    RoadTotal,
    default_cape_timing,
    entry_road,
    entry_roads,
)

__version__ = "0.1.0"

#: The version of each shipped data set, apart from the package version (tzdata's
#: IANA_VERSION): a test ties each to its data set's MANIFEST.json.
DATA_VERSIONS: _Mapping[str, str] = _MappingProxyType(
    {
        "cape_messages": "2026.1",
        "cape_rules": "2026.7",
        "cape_timing": "2026.1",
        "federal_closures": "2026.1",
        "htsus_ch99": "2026.3",
        "interest_rates": "2026.4",
    }
)

__all__ = [
    "Accrual",
    "Allocation",
    "AmbiguousColumn",
    "Assumptions",
    "BankDeposit",
    "BankDeposits",
    "CapeMessage",
    "CapeMessages",
    "CapeRules",
    "CapeTiming",
    "CbpFileRead",
    "CbpRefund",
    "CbpRefunds",
    "Ch99Range",
    "CheckDigits",
    "ClaimDetails",
    "ClaimOutcome",
    "ClaimRow",
    "Classification",
    "Comparison",
    "Compounding",
    "Consolidation",
    "DATA_VERSIONS",
    "DataError",
    "DayCount",
    "DeadlineCalendar",
    "DeadlineRule",
    "DeadlineWeek",
    "Deadlines",
    "DeclarationBatch",
    "DeclarationCheck",
    "DeclarationFile",
    "DeclarationProblem",
    "DelinquencyDetail",
    "Deposit",
    "DepositBasis",
    "DepositEvent",
    "DepositMatch",
    "DepositsAttached",
    "DepositsImport",
    "Difference",
    "Entry",
    "EntryLine",
    "EntryReconciliation",
    "EntryRefund",
    "EntryRoad",
    "EntryStatus",
    "Es003Import",
    "Es003Report",
    "Es003Stream",
    "FileReport",
    "FixPath",
    "FloatRefused",
    "HeadingNotFound",
    "HeadingNotInForce",
    "HeadingPeriod",
    "IeepaRefundError",
    "InputFileError",
    "InterestConventions",
    "InterestDetail",
    "InterestPeriod",
    "InterestSegment",
    "InvalidChecksum",
    "InvalidFormat",
    "InvalidLength",
    "InvalidPeriod",
    "InvalidRate",
    "Ledger",
    "LineRefund",
    "Method",
    "ModelValidationError",
    "NotInTable",
    "Outcome",
    "Payable",
    "PayeeWarning",
    "Payment",
    "PaymentReconciliation",
    "PaymentStatus",
    "Problem",
    "Rate",
    "RateNotCovered",
    "RatePeriod",
    "RateTable",
    "Reason",
    "Reconciliation",
    "RefundFigures",
    "RefundOptions",
    "RefundWarning",
    "Refunds",
    "Registry",
    "Road",
    "RoadTotal",
    "Roads",
    "Rule",
    "RuleSet",
    "Screening",
    "Screenings",
    "SegmentedInterest",
    "Skipped",
    "SpecificRate",
    "Tariff",
    "TariffRefund",
    "TradeRefund",
    "TradeRefunds",
    "TradeStatus",
    "ValidationError",
    "WARNING_CODES",
    "WarningCode",
    "__version__",
    "accrue_interest",
    "compare",
    "compute_figures",
    "compute_refund",
    "compute_refunds",
    "consolidate",
    "deadline_calendar",
    "default_cape_messages",
    "default_cape_timing",
    "default_rate_table",
    "default_registry",
    "delinquency_interest",
    "entry_road",
    "entry_roads",
    "evaluate",
    "growth_factor",
    "interest_detail",
    "load_cape_messages",
    "parse_rate",
    "read_bank_deposits",
    "read_claims",
    "read_deposits",
    "read_es003",
    "read_ledger",
    "read_refunds",
    "read_trade_refunds",
    "reconcile",
    "resubmit",
    "sample_es003",
    "screen_all",
    "segmented_interest",
    "stream_es003",
    "with_deposits",
]


def _rehome(member: object) -> None:
    """Name ``member`` as ``ieepa_refund.<name>`` (reprs, pickles, docs), as httpx does.

    A class's annotations are text (``from __future__ import annotations``) that
    ``typing.get_type_hints`` and pydantic read in the namespace of the class's
    ``__module__``; they are resolved first, where the class was written, so that
    they still read once the module name is the package's
    (``tests/test_exported_members.py`` checks hints, schemas, pickles, TypeAdapter).
    """
    if isinstance(member, type):
        own = vars(member).get("__annotations__", {})
        hints = _get_type_hints(member, include_extras=True)
        member.__annotations__ = {name: hints[name] for name in own}
        for field in getattr(member, "__dataclass_fields__", {}).values():
            field.type = hints[field.name]  # what pydantic reads of a dataclass
    elif not _isroutine(member):
        return  # a Literal alias or a constant: nothing to name
    member.__module__ = __name__


for _name in __all__:
    _rehome(globals()[_name])
del _name
