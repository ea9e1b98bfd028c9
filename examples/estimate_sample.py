"""Refunds with interest, and the payments they form, for the bundled sample entries.

    python examples/estimate_sample.py [FILE.json] [--as-of YYYY-MM-DD]

Until the ``ieepa-refund`` command exists this is the main job on the bundled
sample: entries covering China stacking (301 + fentanyl + reciprocal), an EU
15% all-in entry in both filing patterns, a Canada USMCA exemption, India with
9903.01.84 and a Section 122 entry after 2026-02-24.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from ieepa_refund import (
    Entry,
    compute_refund,
    consolidate,
    default_rate_table,
    default_registry,
)

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=HERE / "sample_entries.json")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="interest date for unliquidated entries (a what-if; default: none)",
    )
    args = parser.parse_args(argv)
    raw = json.loads(args.file.read_text(encoding="utf-8"))
    entries = [Entry.model_validate(item) for item in raw]
    registry, rates = default_registry(), default_rate_table()
    print(
        f"Chapter 99 data {registry.data_version}, interest rates {rates.data_version} "
        f"(to {rates.covers_to}); duty half-up to the cent per HTS number; interest compounded "
        "daily from deposit to liquidation, actual/actual days, half-up per entry."
    )
    print("Estimates, not legal advice.\n")
    print(f"{'entry':15} {'principal':>10} {'interest':>9} {'deposited':>10}  warnings")
    refunds = [
        compute_refund(e, registry=registry, rates=rates, interest_until=args.as_of)
        for e in entries
    ]
    for entry, refund in zip(entries, refunds, strict=True):
        interest = "-" if refund.interest is None else str(refund.interest)
        codes = ", ".join(sorted(set(refund.warning_codes))) or "-"
        print(
            f"{entry.display_number:15} {refund.principal:>10} {interest:>9} "
            f"{refund.deposit_date!s:>10}  {codes}"
        )
    total = sum((r.principal for r in refunds), Decimal(0))
    print(f"{'principal':15} {total:>10}\n")
    result = consolidate(refunds)
    print("Payments as CBP consolidates them (payee, liquidation date):")
    for payment in result:
        print(
            f"  {payment.payee:14} {payment.liquidation_date}  principal {payment.principal:>9}  "
            f"interest {payment.interest:>7}  net {payment.net:>9}  entries: {len(payment.entries)}"
        )
    if result.unliquidated:
        print(f"  not yet liquidated, no payment: {', '.join(result.unliquidated)}")
    if result.nothing_to_pay:
        print(f"  nothing to refund: {', '.join(result.nothing_to_pay)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
