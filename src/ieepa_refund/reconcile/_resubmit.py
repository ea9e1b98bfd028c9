"""Resubmission: failed entries that are ready, declared again through the ledger."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path

from .._model import check_instance
from ..cape import DeclarationBatch, read_ledger, write_declarations
from ..cape._format import MAX_ENTRIES
from ..cape.declarations import Skipped
from ..entry import Entry
from ..errors import InvalidFormat
from ._claims import EXCLUDED_NOTE, excluded_on
from .results import (
    Reconciliation,
)


def resubmit(
    reconciliation: Reconciliation,
    out_dir: str | Path,
    *,
    ledger: str | Path,
    corrected: Collection[str] = (),
    filer_code: str | None = None,
    max_entries: int = MAX_ENTRIES,
    declared_on: date | None = None,
    entries: Iterable[Entry] | None = None,
    plaintiffs: Collection[str] = (),
) -> DeclarationBatch:
    """Declare again, through the ledger, the failed entries that are ready.

    ``declared_on``: the date the resubmission is made for, recorded in each new
    ledger row (see :func:`~ieepa_refund.cape.write_declarations`).

    Ready: failed with a cause resubmission fixes (``resubmit == "ready"``: the goods-value
    check CBP removed, a statement not yet processed), or failed on a data error fixed by a
    post-summary correction and named in ``corrected``. Accepted entries are never declared
    again: they are neither listed nor let past the ledger, which blocks them; nor is an entry
    the ledger shows declared again since ``reconciliation`` was made.

    ``entries`` (the ES-003's, as given to :func:`reconcile`) with ``declared_on``: each
    ready entry is screened on ``declared_on`` as ``cape`` screens (:func:`~ieepa_refund.cape.
    screen`, the rules in force that day, ``plaintiffs``), and only those CAPE takes are
    declared; the rest are skipped (``EXCLUDED``, naming each rule in its words), as is an
    entry ``entries`` does not hold (``NOT_SCREENED``). Entries the reconciliation itself found
    excluded on its ``as_of`` are skipped as ``EXCLUDED`` too. Without ``entries`` no entry is
    screened again: pass them (t67/01).
    """
    if entries is not None and declared_on is None:
        raise InvalidFormat(
            "a declaration date to screen the entries on", field="declared_on", value=None
        )
    if isinstance(plaintiffs, str | bytes) or not isinstance(plaintiffs, Collection):
        raise InvalidFormat(
            "a collection of importer numbers", field="plaintiffs", value=plaintiffs
        )
    check_instance(reconciliation, Reconciliation, field="reconciliation")
    if not isinstance(out_dir, str | Path):
        raise InvalidFormat("a folder path", field="out_dir", value=out_dir)
    if isinstance(corrected, str | bytes) or not isinstance(corrected, Collection):
        raise InvalidFormat(
            "a collection of entry numbers (a correction filed for each)",
            field="corrected",
            value=corrected,
        )
    if not all(isinstance(n, str) for n in corrected):
        raise InvalidFormat("entry numbers as text", field="corrected", value=list(corrected))
    fixed = {n.replace("-", "").strip() for n in corrected}
    # An entry the ledger shows declared since this reconciliation was made is resubmitted already.
    now = read_ledger(ledger)
    ready = [
        e.entry_number
        for e in reconciliation.entries
        if e.status == "failed"
        and (
            e.resubmit == "ready" or (e.resubmit == "after_correction" and e.entry_number in fixed)
        )
        and len(now.get(e.entry_number, ())) <= len(e.declaration_files)
    ]
    left_out: list[Skipped] = [
        Skipped(
            position=i,
            value=e.entry_number,
            code="EXCLUDED",
            message=next(n for n in e.notes if n.startswith(EXCLUDED_NOTE)),
        )
        for i, e in enumerate(reconciliation.entries)
        if e.status == "failed" and any(n.startswith(EXCLUDED_NOTE) for n in e.notes)
    ]
    if entries is not None and declared_on is not None:
        given: dict[str, Entry] = {}
        for at, item in enumerate(entries):
            check_instance(item, Entry, field=f"entries[{at}]")
            given[item.entry_number] = item
        position = {e.entry_number: i for i, e in enumerate(reconciliation.entries)}
        screened = []
        for number in ready:
            entry = given.get(number)
            why = (
                excluded_on(entry, declared_on, plaintiffs)
                if entry is not None
                else "not in the entries given: it cannot be screened, so it is not declared"
            )
            if why is None:
                screened.append(number)
                continue
            code = "EXCLUDED" if entry is not None else "NOT_SCREENED"
            if entry is not None:
                why = f"{EXCLUDED_NOTE} {declared_on.isoformat()}: {why}"
            left_out.append(
                Skipped(position=position[number], value=number, code=code, message=why)
            )
        ready = screened
    batch = write_declarations(
        ready,
        out_dir,
        ledger=ledger,
        filer_code=filer_code,
        max_entries=max_entries,
        redeclare=ready,
        declared_on=declared_on,
    )
    excluded = {s.value for s in left_out}
    ignored = [
        s
        for s in _ignored_corrections(reconciliation, corrected, set(ready))
        if s.value.replace("-", "").strip() not in excluded  # said once, as EXCLUDED
    ]
    if ignored or left_out:
        batch = batch.model_copy(update={"skipped": (*batch.skipped, *left_out, *ignored)})
    return batch


def _ignored_corrections(
    reconciliation: Reconciliation, corrected: Collection[str], ready: set[str]
) -> list[Skipped]:
    """Each entry named as corrected that is not declared again, and why (never silently)."""
    by_number = {e.entry_number: e for e in reconciliation.entries}
    out = []
    for position, value in enumerate(corrected):
        number = value.replace("-", "").strip()
        if number in ready:
            continue
        e = by_number.get(number)
        if e is None:
            code, why = "CORRECTED_UNKNOWN", "not in the reconciliation"
        elif e.status != "failed":
            code, why = "CORRECTED_NOT_FAILED", f"its status is {e.status}: nothing to resubmit"
        elif e.resubmit == "no":
            closed = [n for n in e.notes if "window closed" in n]
            code = "CORRECTION_WINDOW_CLOSED" if closed else "CORRECTED_NOT_RESUBMITTABLE"
            why = closed[0] if closed else f"CBP's message ({e.cause}) is not cured by resubmitting"
        else:
            code, why = "CORRECTED_ALREADY_DECLARED", "the ledger shows it declared again already"
        out.append(Skipped(position=position, value=value, code=code, message=why))
    return out
