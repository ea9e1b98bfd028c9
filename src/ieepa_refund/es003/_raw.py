"""The shape every opened ES-003 source yields, and how far down a file its header is sought.

The reader's flow: :mod:`._open` turns a path, open file or DataFrame into numbered raw rows
(text through :mod:`._text`, workbooks through :mod:`._xlsx`); :mod:`._header` finds the header
among the first :data:`HEADER_SEARCH_ROWS` of them; :mod:`._rows` yields the data rows after it.
This module is the contract between those steps, and imports none of them.
"""

from __future__ import annotations

from typing import Any

#: How far down a file the header row is looked for (title rows above it are skipped).
HEADER_SEARCH_ROWS = 50

Raw = tuple[int, int, "list[Any] | str"]
"""(first line, lines spanned, cells) or, for a row that cannot be read, the reason (a str)."""
