"""CAPE screening rules as dated data (``data/cape_rules/``).

Sources number CAPE's phases differently, so rules are keyed by the date
they take effect, not by phase: each row is one rule in force from
``effective_from`` (inclusive) to ``effective_to`` (exclusive; blank = still
in force), with its value, the message CBP gives (``cbp_text``) or ours, the
confidence of the research and its source. The rule *names* are fixed by the
screening code; their dates, values and messages are data, so a later change
(finally liquidated entries, a new exclusion) is a new row, and a caller can
load a folder of their own.
"""

from __future__ import annotations

from datetime import date
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .._resources import as_dir, once, read_csv, read_manifest
from ..errors import DataError

__all__ = [
    "CapeRules",
    "RULE_NAMES",
    "Rule",
    "RuleSet",
    "default_cape_rules",
]

RULE_NAMES = frozenset(
    {
        "cape_open",
        "lookback_days",
        "exclude_entry_type",
        "at_liquidation_entry_type",
        "at_liquidation_status",
        "recon_flag",
        "drawback_claim",
        "protest",
        "adcvd_pending",
        "summary_cancelled",
        "surety_paid",
        "no_ieepa",
        "invalid_hts",
        "finally_liquidated",
    }
)
COLUMNS = (
    "effective_from",
    "effective_to",
    "rule",
    "value",
    "code",
    "message",
    "cbp_text",
    "confidence",
    "source",
)
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Rule(BaseModel):
    """One screening rule over one period."""

    model_config = _FROZEN

    effective_from: date
    effective_to: date | None
    rule: str
    value: str
    code: str
    message: str
    cbp_text: bool
    """True when ``message`` is CBP's own wording (an ACE/CAPE message)."""
    confidence: str
    source: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


class RuleSet(BaseModel):
    """The rules in force on one declaration date."""

    model_config = _FROZEN

    on: date
    rules: tuple[Rule, ...]
    data_version: str

    def all(self, name: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.rule == name)

    def first(self, name: str) -> Rule | None:
        found = self.all(name)
        return found[0] if found else None


class CapeRules:
    """Every rule row, looked up by declaration date."""

    __slots__ = ("data_version", "rows")

    def __init__(self, rows: list[Rule] | tuple[Rule, ...], *, data_version: str) -> None:
        for row in rows:
            if row.rule not in RULE_NAMES:
                raise DataError(
                    f"unknown CAPE rule {row.rule!r}; known rules: {sorted(RULE_NAMES)}"
                )
            if row.effective_to is not None and row.effective_to <= row.effective_from:
                raise DataError(f"CAPE rule {row.rule} ({row.value}) ends before it starts")
        self.rows = tuple(sorted(rows, key=lambda r: (r.rule, r.value, r.effective_from)))
        self.data_version = data_version

    def __repr__(self) -> str:
        return f"<CapeRules {self.data_version}: {len(self.rows)} rows>"

    @classmethod
    def load(cls, where: str | Path | Traversable | None = None) -> CapeRules:
        """Load a rules folder (the shipped ``data/cape_rules`` when None)."""
        folder = as_dir(where, "cape_rules")
        manifest = read_manifest(folder)
        rows = []
        for number, row in enumerate(read_csv(folder, "rules.csv", COLUMNS), start=2):
            try:
                rows.append(
                    Rule(
                        effective_from=date.fromisoformat(row["effective_from"]),
                        effective_to=date.fromisoformat(row["effective_to"])
                        if row["effective_to"]
                        else None,
                        rule=row["rule"].strip(),
                        value=row["value"].strip(),
                        code=row["code"].strip(),
                        message=row["message"].strip(),
                        cbp_text=row["cbp_text"].strip() == "1",
                        confidence=row["confidence"].strip(),
                        source=row["source"].strip(),
                    )
                )
            except ValueError as exc:
                raise DataError(f"rules.csv row {number}: {exc}") from None
        return cls(rows, data_version=str(manifest["data_version"]))

    def in_force(self, on: date) -> RuleSet:
        return RuleSet(
            on=on,
            rules=tuple(r for r in self.rows if r.in_force(on)),
            data_version=self.data_version,
        )


@once
def default_cape_rules() -> CapeRules:
    """The shipped rules, loaded once per process."""
    return CapeRules.load()
