"""Why an entry is or is not eligible: :class:`Reason`, one rule's word on one entry, made
once per rule and effect and shared (frozen), or from the screening's own checks' texts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._trusted import trusted
from .rules import Rule

__all__ = ["Effect", "Reason"]

Effect = Literal["exclude", "at_liquidation", "note"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Reason(BaseModel):
    """Why an entry is (or is not) eligible, as one rule says."""

    model_config = _FROZEN

    code: str
    message: str
    effect: Effect
    cbp_message: bool
    """True when ``message`` is CBP's own text, as CAPE shows it."""
    source: str


def _reason(rule: Rule, effect: Effect, extra: str = "") -> Reason:
    if not extra:
        # One Reason per rule and effect, shared by every entry it applies to (frozen). Keyed
        # by the rule's identity, kept alive by the value so the id is never reused.
        known = _SHARED.get((id(rule), effect))
        if known is not None:
            return known[1]
    reason = _made(
        code=rule.code,
        message=rule.message + extra,
        effect=effect,
        cbp_message=rule.cbp_text and not extra,
        source=rule.source,
    )
    if not extra:
        if len(_SHARED) >= 4096:  # a caller loading rule sets over and over: start again
            _SHARED.clear()
        _SHARED[(id(rule), effect)] = (rule, reason)
    return reason


_SHARED: dict[tuple[int, str], tuple[Rule, Reason]] = {}


def _made(*, code: str, message: str, effect: Effect, cbp_message: bool, source: str) -> Reason:
    """A Reason from the rules' own (validated) fields and this module's texts."""
    return trusted(
        Reason, code=code, message=message, effect=effect, cbp_message=cbp_message, source=source
    )
