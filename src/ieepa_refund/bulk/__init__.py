"""The columnar bulk engine: whole ES-003 files at the speed of reading them (``pip install ieepa-refund[bulk]``).

:func:`estimate` gives the answers of the per-entry path (``read_es003``,
``compute_refund``, ``cape.screen``, ``consolidate``, ``cape.write_declarations``)
for whole files, computed column by column on `polars <https://pola.rs>`_:

- every used column is dictionary-encoded and each distinct cell is parsed once by
  the ES-003 reader's own parsers, so the reading rules stay in one place;
- money is held in integer cents; each distinct (HTS number, entry date, origin) is
  classified once by the registry; each distinct (deposit date, interest end) gets
  its growth from the interest engine itself (:func:`~ieepa_refund.interest.interest_growth`),
  applied in integers with a Decimal recomputation of any product near a half cent;
- each distinct set of the facts CAPE screening reads is screened once by
  :func:`~ieepa_refund.cape.screen` itself.
- with ``roads=True``, each distinct set of the facts an entry's road reads (its
  screening facts, its declaration, whether its refund is zero) is put on its road once
  by the roads' own code, the interest to the expected (re)liquidation applied in columns
  from the same growth.

An entry the columnar rules do not cover goes whole to the per-entry path: rows that
do not parse, repeat or disagree; a wrong check digit; a missing IEEPA duty (an
estimate); exemptions, 15% all-in deals, suspended headings or headings not in force;
rate text; a liquidation status at odds with its date (an open status with any date: after
the as-of or declaration date the per-entry path reads it as a scheduled liquidation,
``LIQUIDATION_SCHEDULED``, on or before as a conflict); a deposit or summary date before the
entry date, or a liquidation date after the as-of date; spans past the interest table.
When in doubt, the per-entry path decides; the ``path`` column says which computed a
row, and :func:`explain` re-runs the per-entry path for one entry's full working.
Files polars would read differently from the csv module (other encodings or
delimiters, multi-line cells, workbooks) are read whole by the per-entry reader.

polars is imported only when a function here is called: the core never needs it.
:mod:`ieepa_refund.bulk.lean` is the same rules in pure Python on the per-entry reader's
own pass, with no extra: the same rows, a few times slower than polars, a few times faster
than the per-entry path.

Memory: polars' allocator (its bundled jemalloc) keeps freed pages for a while, 50-80 MB of
a 1M-row run's peak. The ``ieepa-refund`` command sets ``_RJEM_MALLOC_CONF`` to
``ieepa_refund.cli._main.MALLOC_CONF`` (``dirty_decay_ms:100,muzzy_decay_ms:0``) unless it
is set already; this library sets nothing (the setting is the whole process's). A program
that wants the same sets it in the environment before polars is first imported, e.g.
``_RJEM_MALLOC_CONF=dirty_decay_ms:100,muzzy_decay_ms:0 python job.py`` (docs/scale.md).

CPU: the engine reads the next chunk in a thread of its own while this one is parsed, so
polars' own pool of one thread per CPU mostly waits beside it, and waiting is CPU time.
The command sets ``POLARS_MAX_THREADS`` to one fewer than the CPUs
(``ieepa_refund.cli._main.polars_threads``) unless it is set already; on 2 cores about 10%
less CPU for the same wall time. A program sets it, like the allocator, before polars is
first imported: ``POLARS_MAX_THREADS=1 python job.py`` on 2 cores.
"""

from ._engine import ENTRY_COLUMNS, BulkReport, BulkResult, estimate, explain

__all__ = ["BulkReport", "BulkResult", "ENTRY_COLUMNS", "estimate", "explain"]
