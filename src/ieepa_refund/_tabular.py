"""``to_records``, ``to_dataframe`` and a notebook summary on every result type.

A result class declares its table forms in ``__tables__`` (see
:mod:`ieepa_refund.tables`, the engine that reads them) and its notebook
summary in ``summary_html()``; a collection declares no table form and hands
its results over with ``items_for_tables()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from . import tables
from .tables import Decimals, Level

if TYPE_CHECKING:
    import pandas as pd


class Tabular:
    """Mixed into result models and collections; the work is in :mod:`ieepa_refund.tables`."""

    __slots__ = ()

    __tables__: ClassVar[tuple[Level, ...]] = ()
    """The table forms of this type, the default first; empty for a collection."""

    def to_records(self, *, level: str | None = None) -> list[dict[str, Any]]:
        """Plain records, one dict per row at ``level``."""
        return tables.records(self, level=level)

    def to_dataframe(
        self, *, level: str | None = None, decimals: Decimals = "exact"
    ) -> pd.DataFrame:
        """A tidy DataFrame with typed columns (needs the ``pandas`` extra)."""
        return tables.to_dataframe(self, level=level, decimals=decimals)

    def _repr_html_(self) -> str:
        """The notebook view: the type's own ``summary_html()``, short at any size."""
        return tables.html_for(self)
