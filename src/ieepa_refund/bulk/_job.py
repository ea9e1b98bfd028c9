"""One run's job (:class:`._columnar._Job`) from an engine's arguments, checked where they
come in: both whole-file engines (the bulk engine, the lean engine) make theirs here."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._model import check_date, check_instance, check_optional_date
from ..cape import CapeRules, default_cape_rules
from ..errors import InvalidFormat
from ..interest import RateTable, default_rate_table
from ..refund import RefundOptions
from ..registry import Registry, default_registry
from ._columnar import _Job

__all__ = ["job_of"]


def job_of(
    *,
    as_of: Any,
    declared_on: Any,
    options: Any,
    registry: Any,
    rates: Any,
    rules: Any,
    plaintiffs: Any,
) -> _Job:
    """One run's job from an engine's arguments, each checked and named where it comes in
    (a text ``as_of`` would otherwise fail later as a raw TypeError); interest for an entry
    not yet liquidated ends on ``as_of`` unless ``options.interest_until`` says otherwise."""
    as_of = check_date(as_of, field="as_of")
    declared_on = check_optional_date(declared_on, field="declared_on")
    opts = (
        RefundOptions()
        if options is None
        else check_instance(options, RefundOptions, field="options")
    )
    # One number is not a collection of its characters; None or a number is no collection.
    if (
        isinstance(plaintiffs, str)
        or not isinstance(plaintiffs, Collection)
        or not all(isinstance(p, str) for p in plaintiffs)
    ):
        raise InvalidFormat(
            "a collection of importer numbers (text)", field="plaintiffs", value=plaintiffs
        )
    if opts.interest_until is None:
        opts = opts.model_copy(update={"interest_until": as_of})
    return _Job(
        opts,
        default_registry()
        if registry is None
        else check_instance(registry, Registry, field="registry"),
        default_rate_table() if rates is None else check_instance(rates, RateTable, field="rates"),
        default_cape_rules() if rules is None else check_instance(rules, CapeRules, field="rules"),
        declared_on or as_of,
        frozenset(plaintiffs),
    )
