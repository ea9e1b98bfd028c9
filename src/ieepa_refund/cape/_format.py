"""The CAPE Declaration file as ACE takes it: one home for the writer and the checker.

CBP's template ``ACEP_CapeEntryNumberUploadTemplate``: a CSV with one column,
header ``Entry Number``, one entry number a row and nothing else. At most
9,999 entries (CBP fact sheet; CSMS #68340863; OMB 1651-0149), a file "under
1 MB". ACE strips dashes, so the bare 11 characters are written. The encoding
is not specified: ASCII, no BOM, CRLF line ends, no blank trailing rows.
"""

from __future__ import annotations

import re

from ..errors import InvalidFormat

__all__ = [
    "ENCODING",
    "HEADER",
    "LINE_END",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "file_bytes",
    "filer_code",
]

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


#: A filer code as an entry number holds it (CATAIR Appendix E): 3 digits or capitals.
_FILER_CODE = re.compile(r"[0-9A-Z]{3}")


def filer_code(value: str | None) -> str | None:
    """``value`` as a filer code (stripped, upper-cased), or None; one rule for writer and check.

    ACE rejects a whole file whose entries' first 3 characters are not the broker account's
    filer code (domain brief section 6), so a code that no entry number can start with
    (``'31'``, ``'3 1'``) is refused, not compared.
    """
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not (code.isascii() and _FILER_CODE.fullmatch(code)):
        raise InvalidFormat(
            "a filer code has 3 characters, digits or letters", field="filer_code", value=value
        )
    return code
