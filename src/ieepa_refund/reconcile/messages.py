"""CAPE's entry-level messages as data: each text's cause, fix path and deadline rule.

``data/cape_messages/messages.csv`` holds one row per message CBP returns in a CAPE Claim
Details ``ERROR_DESCRIPTION``, dated by when CBP used it (CSMS #69056483 of 2026-06-25 split
``HTS RELATIONSHIP/SEQUENCE MISMATCH`` into ``INVALID HTS`` and ``HTS RELATIONSHIP MISMATCH``
and removed the goods-value check), with the fix brokers follow (brief section 9):

    >>> default_cape_messages().explain("invalid  hts").fix_path
    'correct_then_resubmit'
    >>> default_cape_messages().explain("entry summary is in final liquidation status. ").cause
    'finally_liquidated'
    >>> default_cape_messages().explain("SOMETHING NEW") is None
    True

A message the data does not hold is reported as unknown, never guessed.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._resources import as_dir, read_csv, read_manifest
from ..errors import DataError

__all__ = [
    "CapeMessage",
    "CapeMessages",
    "DeadlineRule",
    "FixPath",
    "default_cape_messages",
    "load_cape_messages",
]

FixPath = Literal[
    "correct_then_resubmit",
    "resubmit",
    "wait_and_resubmit",
    "write_to_cbp",
    "protest",
    "protest_or_litigation",
    "none",
    "nothing",
]
DeadlineRule = Literal["psc_window", "protest_180", "none"]
Resubmit = Literal["yes", "no", "after_correction"]
COLUMNS = (
    "message",
    "match",
    "since",
    "until",
    "cause",
    "meaning",
    "fix_path",
    "fix",
    "deadline_rule",
    "resubmit",
    "source",
)


class CapeMessage(BaseModel):
    """One CBP message: what it means, what to do, and by when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str
    match: Literal["exact", "contains"]
    since: date
    until: date | None
    """The last day CBP used the text (None: still in use)."""
    cause: str
    meaning: str
    fix_path: FixPath
    fix: str
    deadline_rule: DeadlineRule
    resubmit: Resubmit
    """``yes``: declare again as it is; ``after_correction``: after a post-summary correction."""
    source: str


def _key(text: str) -> str:
    # ACE's wording varies in case, spacing and a closing full stop: none changes the meaning.
    return " ".join(text.upper().split()).rstrip(" .;:,!")


class CapeMessages:
    """The message table, looked up by CBP's text (case and spacing ignored)."""

    def __init__(self, messages: tuple[CapeMessage, ...], *, data_version: str) -> None:
        self.messages = messages
        self.data_version = data_version
        self._exact = {_key(m.message): m for m in messages if m.match == "exact"}
        # The longest contained text first, so the most specific row wins.
        self._contains = sorted(
            (m for m in messages if m.match == "contains"), key=lambda m: -len(m.message)
        )

    def __repr__(self) -> str:
        return f"<CapeMessages {self.data_version}: {len(self.messages)} messages>"

    def __len__(self) -> int:
        return len(self.messages)

    def explain(self, text: str | None) -> CapeMessage | None:
        """The row for CBP's message ``text``, or None when the data does not hold it."""
        if not text:
            return None
        key = _key(text)
        found = self._exact.get(key)
        if found is not None:
            return found
        for message in self._contains:
            if _key(message.message) in key:
                return message
        # ACE may list several messages in one cell: the first one the data knows explains it.
        for part in (p for sep in (";", "|") for p in key.split(sep) if sep in key):
            found = self._exact.get(_key(part))
            if found is not None:
                return found
        return None


def load_cape_messages(where: str | Path | Traversable | None = None) -> CapeMessages:
    """The messages of a folder (the shipped ``data/cape_messages`` when None), checked."""
    folder = as_dir(where, "cape_messages")
    manifest = read_manifest(folder)
    messages: list[CapeMessage] = []
    seen: set[str] = set()
    for number, row in enumerate(read_csv(folder, "messages.csv", COLUMNS), start=2):
        where_ = f"messages.csv row {number}"
        try:
            message = CapeMessage(
                message=row["message"].strip(),
                match=row["match"].strip(),
                since=date.fromisoformat(row["since"].strip()),
                until=date.fromisoformat(row["until"].strip()) if row["until"].strip() else None,
                cause=row["cause"].strip(),
                meaning=row["meaning"].strip(),
                fix_path=row["fix_path"].strip(),
                fix=row["fix"].strip(),
                deadline_rule=row["deadline_rule"].strip(),
                resubmit=row["resubmit"].strip(),
                source=row["source"].strip(),
            )
        except ValueError as exc:
            raise DataError(f"{where_}: {exc}") from None
        if not message.message or not message.source:
            raise DataError(f"{where_}: every message has its text and a source")
        if _key(message.message) in seen:
            raise DataError(f"{where_}: {message.message!r} is listed twice")
        seen.add(_key(message.message))
        messages.append(message)
    return CapeMessages(tuple(messages), data_version=str(manifest["data_version"]))


@cache
def default_cape_messages() -> CapeMessages:
    """The shipped message table, loaded once per process."""
    return load_cape_messages()
