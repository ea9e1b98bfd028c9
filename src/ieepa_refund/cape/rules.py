"""CAPE screening rules as dated data (``data/cape_rules/``).

Sources number CAPE's phases differently, so rules are keyed by the date
they take effect, not by phase: each row is one rule in force from
``effective_from`` (inclusive) to ``effective_to`` (exclusive; blank = still
in force), with its value, the message CBP gives (``cbp_text``) or ours, the
confidence of the research and its source. The rule *names* are fixed by the
screening code; their dates, values and messages are data, so a later change
(finally liquidated entries, a new exclusion) is a new row, and a caller can
load a folder of their own.

Each value is parsed into a typed field when a row is built (``days`` for the
look-back; ``entry_types`` for entry-type rules and the reconciliation
allow-list; ``terms`` for status phrases), so a bad value is a
:class:`DataError` naming the file and row when the rules load, not halfway
through a portfolio. Status phrases match whole words (:func:`has_term`):
``SUSPENDED`` matches ``LIQUIDATION SUSPENDED`` but not ``UNSUSPENDED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator
from pydantic import ValidationError as PydanticValidationError

from .._resources import as_dir, once, read_csv, read_manifest
from ..errors import DataError

__all__ = [
    "CapeRules",
    "RULE_NAMES",
    "Rule",
    "RuleSet",
    "default_cape_rules",
    "has_term",
    "words",
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
        "no_ieepa_duty",
        "invalid_hts",
        "hts_relationship",
        "goods_value_ch1_97",
        "not_in_ace",
        "psc_window",
        "psc_before_liquidation",
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

#: Rules that only switch on: their value is always ``exclude``.
_SWITCHES = frozenset(
    {
        "drawback_claim",
        "protest",
        "adcvd_pending",
        "surety_paid",
        "no_ieepa",
        "no_ieepa_duty",
        "invalid_hts",
        "hts_relationship",
        "goods_value_ch1_97",
        "not_in_ace",
    }
)
#: Rules whose value is a whole number of days.
_DAY_RULES = frozenset({"lookback_days", "psc_window", "psc_before_liquidation"})
#: Rules whose value is one ACE entry type (two digits).
_ENTRY_TYPE_RULES = frozenset({"exclude_entry_type", "at_liquidation_entry_type"})
#: Rules whose value is status phrases, ``;``-separated, matched as whole words.
_STATUS_RULES = frozenset({"at_liquidation_status", "summary_cancelled"})
#: From 2026-06-29 (CSMS #69035485): flagged entries of these types pass if no type 09 was filed.
_RECON_ALLOW = "allow_if_no_09:"
_ENTRY_TYPE = re.compile(r"[0-9]{2}")
_WORD = re.compile(r"[A-Z0-9]+")


@lru_cache(maxsize=1024)  # a portfolio repeats a handful of status texts
def words(text: str) -> tuple[str, ...]:
    """The upper-case words of a status text (``'Liquidation-Suspended'`` -> ``('LIQUIDATION', 'SUSPENDED')``)."""
    return tuple(_WORD.findall(text.upper()))


def has_term(status: str | None, term: tuple[str, ...]) -> bool:
    """Whether ``term`` (a phrase's words) occurs in ``status`` as whole consecutive words."""
    return bool(status) and _holds(words(status or ""), term)


def _holds(found: tuple[str, ...], term: tuple[str, ...]) -> bool:
    size = len(term)
    if size == 1:
        return term[0] in found
    return size > 0 and any(found[i : i + size] == term for i in range(len(found) - size + 1))


def _entry_types(text: str, rule: str) -> tuple[str, ...]:
    types = tuple(part.strip() for part in text.split(";"))
    for item in types:
        if not _ENTRY_TYPE.fullmatch(item):
            raise ValueError(f"{rule}: {item!r} is not a two-digit entry type")
    return types


def _typed(rule: str, value: str) -> dict[str, Any]:
    """The typed fields of one rule's value; ValueError naming the rule if it does not parse."""
    if rule in _DAY_RULES:
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise ValueError(f"{rule}: {value!r} is not a whole number of days")
        return {"days": int(value)}
    if rule in _ENTRY_TYPE_RULES:
        if ";" in value:
            raise ValueError(f"{rule}: one entry type per row (got {value!r})")
        return {"entry_types": _entry_types(value, rule)}
    if rule in _STATUS_RULES:
        terms = tuple(words(part) for part in value.split(";"))
        if not value or not all(terms):
            raise ValueError(f"{rule}: {value!r} is not ';'-separated status words")
        return {"terms": terms}
    if rule == "recon_flag":
        if value == "exclude":
            return {}
        if value.startswith(_RECON_ALLOW):
            return {"entry_types": _entry_types(value.removeprefix(_RECON_ALLOW), rule)}
        raise ValueError(f"recon_flag: expected 'exclude' or '{_RECON_ALLOW}TT;TT' (got {value!r})")
    if rule in _SWITCHES and value != "exclude":
        raise ValueError(f"{rule}: expected 'exclude' (got {value!r})")
    if rule == "finally_liquidated" and value != "cit_plaintiffs":
        raise ValueError(f"finally_liquidated: expected 'cit_plaintiffs' (got {value!r})")
    if rule == "cape_open" and value:
        raise ValueError(f"cape_open: takes no value (got {value!r})")
    return {}


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
    days: int | None = None
    """``lookback_days``: the days after liquidation an entry can still be declared;
    ``psc_window``: the days after the entry summary a post-summary correction can be filed;
    ``psc_before_liquidation``: the days before the scheduled liquidation it must be filed by."""
    entry_types: tuple[str, ...] = ()
    """Entry-type rules: the type; ``recon_flag``: the types allowed if no type 09 was filed."""
    terms: tuple[tuple[str, ...], ...] = ()
    """Status rules: each phrase as its words, matched with :func:`has_term`."""

    @model_validator(mode="before")
    @classmethod
    def _parse_value(cls, data: Any) -> Any:
        # The typed fields come from the value alone, so the two can never disagree.
        if isinstance(data, dict) and isinstance(data.get("rule"), str):
            rule, value = data["rule"], data.get("value", "")
            if rule in RULE_NAMES and isinstance(value, str):
                return {**data, **_typed(rule, value)}
        return data

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def matches_status(self, status: str | None) -> bool:
        """Whether ``status`` holds one of this rule's ``terms`` as whole words."""
        if not status:
            return False
        found = words(status)
        return any(_holds(found, term) for term in self.terms)


class RuleSet(BaseModel):
    """The rules in force on one declaration date."""

    model_config = _FROZEN

    on: date
    rules: tuple[Rule, ...]
    data_version: str
    # Screening asks for rules by name a dozen times an entry: grouped once, when the set is made
    # (derived from ``rules`` alone, so two equal sets hold equal groups).
    _by_name: dict[str, tuple[Rule, ...]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        groups: dict[str, list[Rule]] = {}
        for rule in self.rules:
            groups.setdefault(rule.rule, []).append(rule)
        self._by_name = {name: tuple(found) for name, found in groups.items()}

    def all(self, name: str) -> tuple[Rule, ...]:
        # Read from the private slot directly: pydantic's __getattr__ for private attributes
        # costs more than the lookup itself.
        private = self.__pydantic_private__
        assert private is not None
        found: tuple[Rule, ...] = private["_by_name"].get(name, ())
        return found

    def first(self, name: str) -> Rule | None:
        found = self.all(name)
        return found[0] if found else None

    @property
    def lookback_days(self) -> int | None:
        """The CAPE look-back in force (None: no rule in force, as before CAPE opened)."""
        rule = self.first("lookback_days")
        return rule.days if rule is not None else None


class CapeRules:
    """Every rule row, looked up by declaration date."""

    __slots__ = ("_in_force", "data_version", "rows", "screened")

    def __init__(self, rows: Iterable[Rule], *, data_version: str) -> None:
        rows = tuple(rows)
        for row in rows:
            if row.rule not in RULE_NAMES:
                raise DataError(
                    f"unknown CAPE rule {row.rule!r}; known rules: {sorted(RULE_NAMES)}"
                )
            if row.effective_to is not None and row.effective_to <= row.effective_from:
                raise DataError(f"CAPE rule {row.rule} ({row.value}) ends before it starts")
        self.rows = tuple(sorted(rows, key=lambda r: (r.rule, r.value, r.effective_from)))
        self.data_version = data_version
        self._in_force: dict[date, RuleSet] = {}
        self.screened: dict[tuple[object, ...], tuple[object, ...]] = {}
        """Screening's memo of answers that follow from these rules and the facts each key
        holds (:func:`ieepa_refund.cape.screen`; bounded there): never a different answer."""

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
            except PydanticValidationError as exc:
                raise DataError(f"rules.csv row {number}: {_first_error(exc)}") from None
            except ValueError as exc:  # a date that is not ISO
                raise DataError(f"rules.csv row {number}: {exc}") from None
        return cls(rows, data_version=str(manifest["data_version"]))

    def in_force(self, on: date) -> RuleSet:
        # Resolved once per declaration date: a portfolio screens every entry on the same date.
        found = self._in_force.get(on)
        if found is None:
            found = RuleSet(
                on=on,
                rules=tuple(r for r in self.rows if r.in_force(on)),
                data_version=self.data_version,
            )
            if len(self._in_force) < 1024:  # a caller sweeping dates does not grow it forever
                self._in_force[on] = found
        return found


def _first_error(exc: PydanticValidationError) -> str:
    """Pydantic's first complaint in our words: the value parser's own message where it raised."""
    first = exc.errors()[0]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"


@once
def default_cape_rules() -> CapeRules:
    """The shipped rules, loaded once per process."""
    return CapeRules.load()
