"""Read ACE ES-003 "Entry Summary Line Tariff Details" exports into :class:`Entry` models.

An ES-003 has one row per HTS number per entry line. Exports arrive as CSV,
tab-delimited text or ``.xlsx`` workbooks, often with title rows above the
header, columns renamed by a broker's system, amounts as ``$1,234.50`` or
``(12.00)``, dates as ``MM/DD/YYYY``, entry numbers wrapped as ``="00261103162"``
so that Excel keeps their leading zeros, and the rows of one entry scattered
through the file or across several files.

:func:`read_es003` takes all of that. Every row it reads ends up either in an
entry or in a reported :class:`Problem` (file, row, column, value, message),
and the counts add up: ``rows_read == rows_used + rows_rejected``. Rows that
are blank throughout carry no data and are counted apart (``rows_blank``).

Headers are matched without regard to case, spacing and punctuation
(``HTS Number - Full``, ``hts number full`` and ``HTS_NUMBER_FULL`` are one
column); ``mapping`` names the columns a file calls something else. Each
:class:`FileReport` says which columns were recognised, mapped, ignored and
ambiguous (two headers for one field: the more specific wins), with file-level
warnings for missing columns that change the answer. A missing required column
(:data:`REQUIRED`, the duty amount among them) or a mapped header not in the file
is an :class:`InputFileError` naming the nearest headers.

Values are never guessed: an amount that reads two ways (``1.234,56``), a
two-digit year, an Excel serial date, a line number like ``1.9`` is a row
problem; a date column whose day and month order is ambiguous is refused as a
whole. Sources may be paths, open files or pandas DataFrames; CSV, TSV,
semicolon text, UTF-16 and ``.xlsx`` (bounded against zip bombs) are read.

The input is streamed: rows are read one at a time and kept only as the
compact values an entry needs, never the file as a whole.
"""

from ._assemble import PROGRESS_EVERY, Es003Stream, read_es003, sample_es003, stream_es003
from ._columns import COLUMNS, REQUIRED
from ._deposits import (
    DEPOSIT_COLUMNS,
    DepositsAttached,
    DepositsImport,
    read_deposits,
    with_deposits,
)
from ._raw import HEADER_SEARCH_ROWS
from .report import AmbiguousColumn, Es003Import, Es003Report, FileReport, Problem

__all__ = [
    "AmbiguousColumn",
    "COLUMNS",
    "DEPOSIT_COLUMNS",
    "DepositsAttached",
    "DepositsImport",
    "Es003Import",
    "Es003Report",
    "Es003Stream",
    "FileReport",
    "HEADER_SEARCH_ROWS",
    "PROGRESS_EVERY",
    "Problem",
    "REQUIRED",
    "read_deposits",
    "read_es003",
    "sample_es003",
    "stream_es003",
    "with_deposits",
]
