"""Recompute the sha256 and row counts in a data set's MANIFEST.json.

Run after editing a data file, then review the diff:

    python tools/refresh_manifest.py src/ieepa_refund/data/htsus_ch99

The data version, retrieval date and coverage are edited by hand: they are
statements about the data, not facts this script can know.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path


def refresh(folder: Path) -> None:
    path = folder / "MANIFEST.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    files = {}
    for name in sorted(manifest["files"]):
        data = (folder / name).read_bytes()
        rows = sum(1 for _ in csv.reader(data.decode("utf-8").splitlines())) - 1
        files[name] = {
            **manifest["files"][name],
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": rows,
        }
    manifest["files"] = files
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["src/ieepa_refund/data/htsus_ch99"]:
        refresh(Path(arg))
