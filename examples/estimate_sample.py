"""Compute the refund principal of the bundled sample entries and print a summary.

    python examples/estimate_sample.py [FILE.json]

Until the ``ieepa-refund`` command exists this is the main job on the bundled
sample: five entries covering China stacking (301 + fentanyl + reciprocal), an
EU 15% all-in entry in both filing patterns, a Canada USMCA exemption, India
with 9903.01.84 and a Section 122 entry after 2026-02-24.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ieepa_refund import Entry, compute_refund, default_registry

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else HERE / "sample_entries.json"
    entries = [Entry.model_validate(raw) for raw in json.loads(path.read_text(encoding="utf-8"))]
    registry = default_registry()
    print(
        f"Chapter 99 data {registry.data_version}; duty rounded half-up to the cent per HTS number."
    )
    print("Estimates, not legal advice.\n")
    print(f"{'entry':15} {'paid':>10} {'owed':>10} {'principal':>10}  warnings")
    total = 0
    for entry in entries:
        refund = compute_refund(entry, registry=registry)
        total += refund.principal
        codes = ", ".join(sorted(set(refund.warning_codes))) or "-"
        print(
            f"{entry.display_number:15} {refund.paid:>10} {refund.owed:>10} "
            f"{refund.principal:>10}  {codes}"
        )
    print(f"{'total':15} {'':>10} {'':>10} {total:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
