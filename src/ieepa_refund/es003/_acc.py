"""An entry's accumulator: what its rows have gathered so far, and a row added to it."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import hts as _hts
from .report import Problem


@dataclass(slots=True)
class _Acc:
    """What one entry has gathered so far."""

    number: str
    file: str
    first_row: int
    fields: dict[str, Any] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    """Field -> the row its value was first read on, when not the entry's first row."""
    countries: dict[int, str] = field(default_factory=dict)
    tariffs: dict[tuple[int, str], dict[int | None, list[Any]]] = field(default_factory=dict)
    """(line, HTS number) -> tariff ordinal -> [value, quantity, unit, rate, duty]."""
    rows: int = 0
    duplicates: list[Problem] = field(default_factory=list)
    """Repeats of a row already read: reported once the entry is known to be kept."""
    conflicts: list[Problem] = field(default_factory=list)
    raw: tuple[Any, ...] | None = None
    """The raw cells of the entry's own fields last parsed: a row repeating them needs no parse."""


def _add_repeat(
    acc: _Acc,
    file: str,
    number: int,
    line_no: int,
    ordinal: int | None,
    hts: str,
    tariff: list[Any],
    ordinals: dict[int | None, list[Any]],
) -> None:
    """A row for a line and HTS number the entry has already: a new tariff ordinal, a repeat
    merged into the first, or a conflict.

    Whether rows repeat or conflict never depends on their order: a repeat is a row whose
    every cell equals the earlier one's or is blank on one side (the values of both are
    kept), and a conflict is two different values for one cell, whichever comes first.
    """
    seen = ordinals.get(ordinal)
    repeat = False
    if seen is None and ordinals and (ordinal is None or None in ordinals):
        # A blank ordinal against a present one: the same tariff or a second one? Never a guess.
        other = next(o for o in ordinals if o != ordinal)
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no}, {_hts.format(hts)} has a tariff ordinal on one row "
                f"({other if ordinal is None else ordinal}) and none on another",
                file=file,
                row=number,
                column="tariff_ordinal",
                entry_number=acc.number,
            )
        )
    elif seen is None:
        ordinals[ordinal] = tariff
    elif _compatible(seen, tariff):
        repeat = True
        _fill(seen, tariff)
        acc.duplicates.append(
            Problem(
                code="DUPLICATE_ROW",
                message=f"repeats an earlier row of line {line_no}, {_hts.format(hts)} "
                "(blank cells filled from either); counted once",
                file=file,
                row=number,
                entry_number=acc.number,
            )
        )
    else:
        acc.conflicts.append(
            Problem(
                code="CONFLICTING_ROWS",
                message=f"line {line_no}, {_hts.format(hts)} appears twice with different values"
                f" ({_differing(seen, tariff)})",
                file=file,
                row=number,
                entry_number=acc.number,
            )
        )
    if not repeat:
        acc.rows += 1


def _compatible(seen: Sequence[Any], tariff: Sequence[Any]) -> bool:
    return all(a is None or b is None or a == b for a, b in zip(seen, tariff, strict=True))


def _fill(seen: list[Any], tariff: Sequence[Any]) -> None:
    for index, value in enumerate(tariff):
        if seen[index] is None:
            seen[index] = value


#: Free-text fields in which case, spacing and accents are cosmetic, not a second value.
_TEXT_FIELDS = frozenset({"importer_name", "port_of_entry", "liquidation_status", "summary_status"})


def _fold(text: str) -> str:
    """The form two spellings share when they differ only in case, spacing or accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


#: Party numbers, whose dashes say the number's kind: EIN NN-NNNNNNNXX, SSN
#: NNN-NN-NNNNXX and CBP-assigned YYDDPP-NNNNN can share their characters, so two dashed
#: forms are two numbers; the same characters without dashes are one of them, unspelled.
_PARTY_FIELDS = frozenset({"importer_number", "notify_party"})


def _agree(name: str, known: Any, value: Any) -> bool:
    if known == value:
        return True
    if name in _PARTY_FIELDS:
        a, b = str(known), str(value)
        return ("-" in a) != ("-" in b) and a.replace("-", "") == b.replace("-", "")
    return name in _TEXT_FIELDS and _fold(str(known)) == _fold(str(value))


def _spelling(name: str, known: Any, value: Any) -> Any:
    """The one spelling kept of two that agree, the same whatever the order of the rows."""
    if name in _PARTY_FIELDS:
        return known if "-" in str(known) else value  # the dashed form says the kind
    return min(known, value)


def _merge(
    acc: _Acc,
    fields: Mapping[str, Any],
    file: str,
    number: int,
    headers: list[Any],
    columns: Mapping[str, int],
) -> None:
    for name, value in fields.items():
        if value is None:
            continue
        known = acc.fields.get(name)
        if known is None:
            acc.fields[name] = value
            acc.where[name] = number
        elif _agree(name, known, value):
            if known != value:
                acc.fields[name] = _spelling(name, known, value)
        else:
            acc.conflicts.append(
                Problem(
                    code="CONFLICTING_ENTRY_VALUES",
                    message=f"two values for {name} on one entry "
                    f"(first at row {acc.where.get(name, acc.first_row)})",
                    file=file,
                    row=number,
                    column=str(headers[columns[name]]),
                    value=" / ".join(sorted((str(known), str(value)))),
                    entry_number=acc.number,
                )
            )


#: The cells of a tariff as :class:`_Acc` holds them, named for a problem.
_TARIFF_CELLS = ("goods value", "quantity", "unit", "rate", "duty")


def _differing(first: list[Any], second: list[Any]) -> str:
    """The cells two rows of one tariff give different values for: "duty 1300.00 and
    1250.00" (the values as read, the earlier row's first)."""
    return "; ".join(
        f"{name} {a} and {b}"
        for name, a, b in zip(_TARIFF_CELLS, first, second, strict=True)
        if a is not None and b is not None and a != b
    )
