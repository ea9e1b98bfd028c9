"""After filing: read what CBP reports and pays, and reconcile it with the estimate.

CAPE answers a declaration in the CAPE Claim Details download (accepted, or failed with a
message), refunds accepted entries at (re)liquidation (REV-615 CAPE Details Refunds, ES-022
CAPE Entry Summary: principal and interest per entry), follows each refund to Treasury
(REV-603: Sent to Treasury, Treasury Issued, Funds Diverted, Check/ACH Returned, Reissued) and
pays one ACH payment per payee and (re)liquidation date. The readers here take those files as
tolerantly as the ES-003 reader takes an ES-003 (:mod:`ieepa_refund.reconcile.files`);
:func:`reconcile` follows every entry from the estimate to the bank deposit and says, for each
figure CBP reported, whether it matches ours and, where it does not, which cause explains the
difference (or that none does, and by how much); :func:`resubmit` declares again the failed
entries that are ready, through the ledger, never an accepted one.
"""

from ._reconcile import reconcile
from ._resubmit import resubmit
from .files import (
    CLAIM_COLUMNS,
    DEPOSIT_COLUMNS,
    REFUND_COLUMNS,
    TRADE_REFUND_COLUMNS,
    BankDeposit,
    BankDeposits,
    CbpFileRead,
    CbpRefund,
    CbpRefunds,
    ClaimDetails,
    ClaimOutcome,
    ClaimRow,
    TradeRefund,
    TradeRefunds,
    TradeStatus,
    read_bank_deposits,
    read_claims,
    read_refunds,
    read_trade_refunds,
)
from .messages import (
    CapeMessage,
    CapeMessages,
    DeadlineRule,
    FixPath,
    default_cape_messages,
    load_cape_messages,
)
from .results import (
    DepositMatch,
    EntryReconciliation,
    EntryStatus,
    PaymentReconciliation,
    PaymentStatus,
    Reconciliation,
)

__all__ = [
    "BankDeposit",
    "BankDeposits",
    "CLAIM_COLUMNS",
    "CapeMessage",
    "CapeMessages",
    "CbpFileRead",
    "CbpRefund",
    "CbpRefunds",
    "ClaimDetails",
    "ClaimOutcome",
    "ClaimRow",
    "DEPOSIT_COLUMNS",
    "DeadlineRule",
    "DepositMatch",
    "EntryReconciliation",
    "EntryStatus",
    "FixPath",
    "PaymentReconciliation",
    "PaymentStatus",
    "REFUND_COLUMNS",
    "Reconciliation",
    "TRADE_REFUND_COLUMNS",
    "TradeRefund",
    "TradeRefunds",
    "TradeStatus",
    "default_cape_messages",
    "load_cape_messages",
    "read_bank_deposits",
    "read_claims",
    "read_refunds",
    "read_trade_refunds",
    "reconcile",
    "resubmit",
]
