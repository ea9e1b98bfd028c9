"""``to_records`` and ``to_dataframe`` on every result type (see :mod:`ieepa_refund.tables`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .tables import Decimals


class Tabular:
    """Mixed into result models and collections; the work is in :mod:`ieepa_refund.tables`."""

    __slots__ = ()

    def to_records(self, *, level: str | None = None) -> list[dict[str, Any]]:
        """Plain records, one dict per row at ``level``."""
        from .tables import records

        return records(self, level=level)

    def to_dataframe(
        self, *, level: str | None = None, decimals: Decimals = "exact"
    ) -> pd.DataFrame:
        """A tidy DataFrame with typed columns (needs the ``pandas`` extra)."""
        from .tables import to_dataframe

        return to_dataframe(self, level=level, decimals=decimals)

    def _repr_html_(self) -> str:
        """A compact summary for notebooks, readable however many entries lie behind it."""
        from .tables import html_for

        return html_for(self)
