"""The CAPE Declaration file as ACE takes it: one home for the writer and the checker.

CBP's template ``ACEP_CapeEntryNumberUploadTemplate``: a CSV with one column,
header ``Entry Number``, one entry number a row and nothing else. At most
9,999 entries (CBP fact sheet; CSMS #68340863; OMB 1651-0149), a file "under
1 MB". ACE strips dashes, so the bare 11 characters are written. The encoding
is not specified: ASCII, no BOM, CRLF line ends, no blank trailing rows.
"""

from __future__ import annotations

__all__ = ["ENCODING", "HEADER", "LINE_END", "MAX_BYTES", "MAX_ENTRIES", "file_bytes"]

HEADER = "Entry Number"
#: CBP's cap per declaration (a third-party page says 10,000; 9,999 is CBP's figure).
MAX_ENTRIES = 9999
#: ACE takes files "under 1 MB"; read here as 1 MiB, the larger reading.
MAX_BYTES = 1 << 20
ENCODING = "ascii"
LINE_END = "\r\n"


def file_bytes(numbers: list[str]) -> bytes:
    """The bytes of a declaration holding ``numbers`` (bare 11-character entry numbers)."""
    return "".join(f"{line}{LINE_END}" for line in (HEADER, *numbers)).encode(ENCODING)
