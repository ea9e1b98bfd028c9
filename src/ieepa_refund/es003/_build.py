"""An Entry built from its rows: directly from checked values, or by the model when in doubt."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic

from .. import entry_number as _entry_number
from .._trusted import builder
from ..entry import Entry, EntryLine, Tariff
from ..errors import InvalidChecksum, ValidationError
from ..interest import DepositEvent
from ..interest._segments import check_events
from ._acc import _Acc
from ._cells import LINE_MAX, cell_text
from ._columns import DEPOSIT_FIELDS
from ._parsing import _State
from .report import Problem


def _finish_plain(acc: _Acc, state: _State) -> Entry | _Acc | None:
    """:func:`_finish`, but an entry it would build as it stands (:func:`_checked_entry`)
    with nothing to report is handed over as its accumulator, counted as :func:`_kept`
    counts it: the lean engine computes most entries from their rows, and builds the rest
    with :func:`build_plain`.

    Nothing to report: no conflicting, repeated or rejected row, a number of the compact
    shape with its check digit right, and no deposit history.
    """
    number = acc.number
    fields = acc.fields
    if (
        acc.conflicts
        or acc.duplicates
        or state.bad_rows.get(number)
        or not fields.keys().isdisjoint(_DEPOSIT_NAMES)
        or not _entry_number.shaped(number)
        or not _entry_number.check_digit_matches(number)
        or not _as_kept(fields, state)
    ):
        return _finish(acc, state)
    del state.accs[number]
    state.bad_rows.pop(number, None)
    state.entries += 1
    return acc


def _as_kept(own: dict[str, Any], state: _State) -> bool:
    """Whether :func:`_checked_entry` builds an entry of these own fields as it stands."""
    kept = state.kept
    for name, value in own.items():
        check = kept.get(name)
        if check is None or not check[value]:
            return False
    if not own.keys() >= _OWN_REQUIRED:
        return False
    liquidated = own.get("liquidation_date")
    return liquidated is None or liquidated >= own["entry_date"]


def build_plain(acc: _Acc, state: _State) -> Entry:
    """The Entry :func:`_finish` builds of an accumulator :func:`_finish_plain` handed over."""
    given = {"entry_number": acc.number, **acc.fields, "lines": _lines(acc)}
    entry = _checked_entry(given, acc.fields, state)
    if entry is None:  # _finish_plain checked what _checked_entry checks
        raise RuntimeError(f"entry {acc.number} is not plain")
    return entry


def _finish(acc: _Acc, state: _State) -> Entry | None:
    """Turn a complete entry's rows into an Entry, or into problems; forget the rows.

    An entry some of whose rows were rejected is still built from the rest, flagged with
    ``incomplete_rows``; one whose number has a wrong check digit is built, flagged with
    ``bad_check_digit``: their money is seen, and refunds and screening say what is wrong.
    """
    del state.accs[acc.number]
    missing = state.bad_rows.pop(acc.number, 0)
    if acc.conflicts:
        # Every row of the entry is kept out, repeats included: they are folded into the
        # conflict, so that what is reported does not depend on the order of the rows.
        first, *rest = acc.conflicts
        state.problems.append(first.model_copy(update={"rows": acc.rows + len(acc.duplicates)}))
        state.problems.extend(p.model_copy(update={"rows": 0}) for p in rest)
        state.rejected += acc.rows + len(acc.duplicates)
        state.entries_rejected += 1
        state.rejected_numbers.append(acc.number)
        return None
    flags: dict[str, Any] = {}
    notes: list[Problem] = []
    # The check digit is computed once here: an entry built below is not validated again.
    shaped = _entry_number.shaped(acc.number)
    if (
        not _entry_number.check_digit_matches(acc.number)
        if shaped
        else _bad_check_digit(acc.number)
    ):
        flags["bad_check_digit"] = True
        notes.append(
            Problem(
                code="BAD_CHECK_DIGIT",
                message="the entry number's check digit does not match: the entry is kept, "
                "flagged, and CAPE declarations treat it as check_digits says",
                file=acc.file,
                row=acc.first_row,
                column="entry_number",
                value=acc.number,
                entry_number=acc.number,
                rows=0,
            )
        )
    if missing:
        flags["incomplete_rows"] = missing
        notes.append(
            Problem(
                code="INCOMPLETE_ENTRY",
                message=f"{missing} of this entry's rows were rejected (each named in a "
                f"problem of its own): the entry is built from its other {acc.rows} row(s) "
                "and flagged incomplete",
                file=acc.file,
                row=acc.first_row,
                entry_number=acc.number,
                rows=0,
            )
        )
    deposits = _deposits(acc, notes)
    if deposits:
        flags["deposits"] = deposits
    # The entry's own fields: acc.fields holds no None (see _acc._merge), and mostly no
    # deposit column, when it is that dict as it stands (the entry is built from a copy).
    fields = acc.fields
    own = (
        fields
        if fields.keys().isdisjoint(_DEPOSIT_NAMES)
        else {name: value for name, value in fields.items() if name not in _DEPOSIT_NAMES}
    )
    given = {
        "entry_number": acc.number,
        **own,
        "lines": _lines(acc, state.held, state.held_tariffs),
        **flags,
    }
    # The rows' values were checked one by one above, and so were the entry's own fields
    # when they are as the Entry model keeps them: such an entry is built as it stands. Any
    # other goes to the model, which says what is wrong in its own words.
    entry = _checked_entry(given, own, state) if shaped else None
    if entry is not None:
        return _kept(entry, acc, state, notes, missing)
    try:
        entry = Entry.model_validate(given)
    except pydantic.ValidationError as exc:
        state.rejected += acc.rows + len(acc.duplicates)
        state.entries_rejected += 1
        state.rejected_numbers.append(acc.number)
        for index, error in enumerate(exc.errors(include_url=False)):
            location = ".".join(str(part) for part in error["loc"])
            # The validator's own exception says what is wrong (pydantic's msg wraps it).
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, ValidationError):
                text = cause.reason
            elif isinstance(cause, Exception):
                text = str(cause)
            else:
                text = error["msg"]
            # An empty location: a check across fields, whose text names them.
            message = (
                text if not location or text.startswith(f"{location}:") else f"{location}: {text}"
            )
            state.problems.append(
                Problem(
                    code="BAD_ENTRY",
                    message=message,
                    file=acc.file,
                    row=acc.where.get(location, acc.first_row),
                    column=location or None,
                    value=_shown(error.get("input")),
                    entry_number=acc.number,
                    rows=acc.rows + len(acc.duplicates) if index == 0 else 0,
                )
            )
        return None
    # Entries of one file set the same few combinations of fields: one shared set of names for
    # each, not a set per entry (a set of 20 names is 1-2 KB, a quarter of an entry).
    names = entry.__pydantic_fields_set__
    shared = state.fields_sets.setdefault(tuple(sorted(names)), names)
    object.__setattr__(entry, "__pydantic_fields_set__", shared)
    return _kept(entry, acc, state, notes, missing)


def _shown(given: Any) -> str | None:
    """The value a problem shows for pydantic's input: a cell, or nothing. A field missing
    (its cell blank) or a check across fields has the whole entry as its input, not a cell."""
    if given is None or isinstance(given, (dict, list, tuple)):
        return None
    return cell_text(given)[:80]


def _kept(entry: Entry, acc: _Acc, state: _State, notes: list[Problem], missing: int) -> Entry:
    state.problems.extend(acc.duplicates)
    state.duplicate += len(acc.duplicates)
    state.rejected += len(acc.duplicates)
    state.problems.extend(notes)
    state.entries += 1
    state.incomplete += bool(missing)
    return entry


def _deposits(acc: _Acc, notes: list[Problem]) -> tuple[DepositEvent, ...]:
    """The entry's deposit history from the supplemental deposit and pre-liquidation refund columns.

    The duty amounts of an ES-003 are the entry summary as it stands, after any post-summary
    correction, so the original deposit is their sum less the supplemental deposit plus the
    refund. Anything that keeps the history from being whole (a date without an amount, no
    deposit date, a duty not reported) leaves the entry on its single deposit, with a note.
    """
    if acc.fields.keys().isdisjoint(DEPOSIT_FIELDS):
        return ()  # blank: nothing moved
    found = {name: acc.fields.get(name) for name in DEPOSIT_FIELDS}
    moves = [
        ("deposit", found["supplemental_deposit_amount"], found["supplemental_deposit_date"]),
        ("refund", found["pre_liquidation_refund_amount"], found["pre_liquidation_refund_date"]),
    ]
    if not any(amount or day for _, amount, day in moves):
        return ()  # blank or zero: nothing moved

    def unused(why: str) -> tuple[DepositEvent, ...]:
        notes.append(
            Problem(
                code="DEPOSITS_NOT_USED",
                message=f"{why}: interest runs from the single deposit date",
                file=acc.file,
                row=acc.first_row,
                entry_number=acc.number,
                rows=0,
            )
        )
        return ()

    for kind, amount, day in moves:
        if bool(amount) != (day is not None):
            what = "supplemental deposit" if kind == "deposit" else "pre-liquidation refund"
            return unused(
                f"the {what} has {'an amount' if amount else 'a date'} but no "
                f"{'date' if amount else 'amount'}"
            )
    first = acc.fields.get("deposit_date")
    if first is None:
        return unused(
            "a supplemental deposit or pre-liquidation refund needs the date of the "
            "original deposit (the deposit_date column)"
        )
    duties = [t[4] for slot in acc.tariffs.values() for t in slot.values()]
    if any(duty is None for duty in duties):
        return unused("a duty amount is not reported, so the original deposit is not known")
    net = sum(duties, Decimal(0))
    added = sum((amount or 0 for kind, amount, _ in moves if kind == "deposit"), Decimal(0))
    taken = sum((amount or 0 for kind, amount, _ in moves if kind == "refund"), Decimal(0))
    original = net - added + taken
    if original <= 0:
        return unused(
            f"the duties ({net}) less the supplemental deposit ({added}) plus the "
            f"refund ({taken}) leave no original deposit"
        )
    events = [DepositEvent(kind="deposit", date=first, amount=original)]
    for kind, amount, day in moves:
        if amount and day is not None:
            if day < first:
                return unused(
                    f"a {kind} on {day.isoformat()} is before the deposit date {first.isoformat()}"
                )
            events.append(DepositEvent(kind=kind, date=day, amount=amount))
    try:
        return check_events(events)
    except ValidationError as exc:
        return unused(str(exc))


def _bad_check_digit(number: str) -> bool:
    """The right shape for an entry number, but a check digit that does not match."""
    try:
        _entry_number.validate(number)
    except InvalidChecksum:
        return True
    except ValidationError:
        return False
    return False


_make_tariff = builder(Tariff)
_make_line = builder(EntryLine)
_make_entry = builder(Entry)
#: Every field of an Entry with its default, in field order (None for the required ones,
#: which :func:`_checked_entry` makes sure are given).
_ENTRY_DEFAULTS = {
    name: None if info.is_required() else info.default for name, info in Entry.model_fields.items()
}
_ENTRY_REQUIRED = frozenset(name for name, info in Entry.model_fields.items() if info.is_required())
_OWN_REQUIRED = _ENTRY_REQUIRED - {"entry_number", "lines"}


def _held(held: dict[Decimal, Decimal], amount: Decimal | None) -> Decimal | None:
    """``amount`` as the object ``held`` has for it when that one is written alike, else
    ``amount`` (kept in ``held`` when it is the first of its value)."""
    if amount is None:
        return None
    known = held.setdefault(amount, amount)
    return known if known is not amount and not known.compare_total(amount) else amount


def _lines(
    acc: _Acc,
    held: dict[Decimal, Decimal] | None = None,
    held_tariffs: dict[tuple[Any, ...], Tariff] | None = None,
) -> tuple[EntryLine, ...]:
    # Sorted on every key, so the tariffs' order never depends on the order of the rows.
    # Without ordinals, ACE's own order: Chapter 99 numbers before the Chapter 1-97 number.
    # (line, ordinal, HTS number) is unique, so the sort never compares the tariffs themselves.
    # A blank ordinal sorts after every ordinal (LINE_MAX is the largest).
    found = [
        (line_no, _NO_ORDINAL if ordinal is None else ordinal, hts[:2] != "99", hts, tariff)
        for (line_no, hts), slot in acc.tariffs.items()
        for ordinal, tariff in slot.items()
    ]
    found.sort()  # in place: a list comprehension and sort cost less than sorted(generator)
    lines: list[EntryLine] = []
    countries = acc.countries
    current = found[0][0]
    tariffs: list[Tariff] = []
    # Two headings of one rate on a line (a 25% and a 25%, a 10% and a 10%) report one duty
    # twice: held as one object (as ``same`` does for results: equal and written alike), about
    # 100 bytes an entry held in memory. The cells' own cache keeps only the commonest amounts.
    # When every entry is kept (``held``, see ``_State.held``), the same for every amount of
    # every entry read so far, goods values included.
    duties: dict[Decimal, Decimal] = {} if held is None else held
    for line_no, _, _, hts, (value, quantity, unit, rate, duty) in found:
        if line_no != current:
            lines.append(_make_line(current, countries[current], tuple(tariffs)))
            current, tariffs = line_no, []
        if duty is not None:
            known = duties.setdefault(duty, duty)
            if known is not duty and not known.compare_total(duty):
                duty = known
        if held is None or held_tariffs is None:
            tariffs.append(_make_tariff(hts, value, quantity, unit, rate, duty))
            continue
        value, quantity = _held(held, value), _held(held, quantity)
        # Then a tariff equal to one of an entry read before, amounts written alike (one object
        # each by now), is that tariff: at a million rows a third of them are (155 bytes each).
        key = (hts, value, quantity, unit, rate, duty)
        tariff = held_tariffs.get(key)
        if (
            tariff is None
            or tariff.value is not value
            or tariff.duty is not duty
            or tariff.quantity is not quantity
        ):  # equal amounts of other exponents compare equal in the key: never mixed up
            tariff = _make_tariff(hts, value, quantity, unit, rate, duty)
            held_tariffs.setdefault(key, tariff)
        tariffs.append(tariff)
    lines.append(_make_line(current, countries[current], tuple(tariffs)))
    return tuple(lines)


def _checked_entry(given: dict[str, Any], own: dict[str, Any], state: _State) -> Entry | None:
    """The Entry the model would make of ``given``, built without validating it again; None
    when any of the entry's own fields (``own``) is not as the model keeps it (the model
    then decides).

    The rest of ``given`` is made by :func:`_finish`: an entry number of the compact shape
    whose check digit was computed there (``bad_check_digit`` says how it came out), lines
    built from checked rows, a count of rejected rows, and deposits from :func:`check_events`.
    """
    kept = state.kept
    for name, value in own.items():
        check = kept.get(name)
        if check is None or not check[value]:
            return None
    if not given.keys() >= _ENTRY_REQUIRED or not given["lines"]:
        return None
    liquidated = given.get("liquidation_date")
    if liquidated is not None and liquidated < given["entry_date"]:
        return None
    deposits = given.get("deposits")
    if deposits and given.get("deposit_date") not in (None, deposits[0].date):
        return None
    values = _ENTRY_DEFAULTS.copy()
    values.update(given)  # every name given is a field: the order stays the fields' order
    entry = _make_entry(*values.values())
    # Set as validation sets it, to the fields given; one shared set for each combination.
    key = tuple(given)
    names = state.fields_sets.get(key)
    if names is None:
        names = state.fields_sets[key] = set(key)
    object.__setattr__(entry, "__pydantic_fields_set__", names)
    return entry


_NO_ORDINAL = LINE_MAX + 1
_DEPOSIT_NAMES = frozenset(DEPOSIT_FIELDS)
