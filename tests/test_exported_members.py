"""``__all__`` is sorted, complete and honest (as httpx's tests keep theirs)."""

from __future__ import annotations

import builtins
import enum
import importlib
import inspect
import pickle
import re
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

import ieepa_refund
import ieepa_refund.cape

MODULES = [
    "ieepa_refund",
    "ieepa_refund.bulk",
    "ieepa_refund.bulk.lean",
    "ieepa_refund.cape",
    "ieepa_refund.cape.check",
    "ieepa_refund.cape.declarations",
    "ieepa_refund.cape.rules",
    "ieepa_refund.cape.screen",
    "ieepa_refund.cli",
    "ieepa_refund.dates",
    "ieepa_refund.entry_number",
    "ieepa_refund.errors",
    "ieepa_refund.es003",
    "ieepa_refund.hts",
    "ieepa_refund.interest",
    "ieepa_refund.models",
    "ieepa_refund.money",
    "ieepa_refund.payments",
    "ieepa_refund.reconcile",
    "ieepa_refund.plots",
    "ieepa_refund.rates",
    "ieepa_refund.refund",
    "ieepa_refund.registry",
    "ieepa_refund.results",
    "ieepa_refund.tables",
    "ieepa_refund.whatif",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    assert len(set(module.__all__)) == len(module.__all__)
    for member in module.__all__:
        assert hasattr(module, member), f"{name}.{member} is in __all__ but missing"


def test_package_exports_every_public_name() -> None:
    public = {
        name
        for name in dir(ieepa_refund)
        if not name.startswith("_")
        and not isinstance(getattr(ieepa_refund, name), type(ieepa_refund))
    }
    assert public == set(ieepa_refund.__all__) - {"__version__"}


# --- every type in a public signature is exported, under the package's name ------------------

#: Names an annotation may use that come from an optional extra, imported only for type checking.
EXTRAS = {"pd", "Figure"}
NAME = re.compile(r"[A-Za-z_]\w*")


def _ours(obj: object) -> bool:
    return isinstance(obj, type) and obj.__module__.split(".")[0] == "ieepa_refund"


def _annotations(member: object) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, annotation, namespace to read it in) for every annotation of ``member``."""
    member = getattr(member, "__wrapped__", member)  # functools.cache
    if inspect.isfunction(member):
        for param, text in member.__annotations__.items():
            yield f"{member.__qualname__}:{param}", text, member.__globals__
        return
    assert isinstance(member, type)
    hints = typing.get_type_hints(member)  # resolved: a field may name a class
    for field, hint in hints.items():
        if not field.startswith("_") and typing.get_origin(hint) is not typing.ClassVar:
            yield f"{member.__name__}.{field}", hint, {}
    for cls in member.__mro__:
        if not _ours(cls):
            continue
        for name, attribute in vars(cls).items():
            if name.startswith("_") and name not in ("__init__", "__getitem__", "__iter__"):
                continue
            function = attribute.fget if isinstance(attribute, property) else attribute
            function = getattr(function, "__func__", function)  # classmethod, staticmethod
            if inspect.isfunction(function):
                yield from _annotations(function)


def _named(annotation: Any, namespace: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The (name, object) pairs an annotation refers to; text is read in ``namespace``."""
    if isinstance(annotation, str):
        code = re.sub(r"\.\w+|'[^']*'|\"[^\"]*\"", "", annotation)  # no attributes, no literals
        for name in NAME.findall(code):
            if name in namespace:
                yield name, namespace[name]
            elif not hasattr(builtins, name):
                assert name in EXTRAS, f"{name!r} in {annotation!r} cannot be read"
        return
    if isinstance(annotation, type):
        yield annotation.__name__, annotation
    if typing.get_origin(annotation) is typing.Literal:
        return  # its arguments are values, not types
    for argument in typing.get_args(annotation):
        yield from _named(argument, namespace)


def _public_signatures() -> Iterator[tuple[str, str, Any, bool]]:
    """(where, name, object, is a parameter of a function) over the public API, transitively:
    the package root and the CAPE namespace, then every one of our classes they mention."""
    todo: list[object] = [getattr(ieepa_refund, name) for name in ieepa_refund.__all__]
    todo += [getattr(ieepa_refund.cape, name) for name in ieepa_refund.cape.__all__]
    seen: set[int] = set()
    while todo:
        member = todo.pop()
        if id(member) in seen or not (isinstance(member, type) or inspect.isroutine(member)):
            continue
        seen.add(id(member))
        if isinstance(member, type) and not _ours(member):
            continue
        function = not isinstance(member, type)
        for where, annotation, namespace in _annotations(member):
            for name, obj in _named(annotation, namespace):
                if _ours(obj):
                    todo.append(obj)
                parameter = function and not where.endswith(":return")
                yield where, name, obj, parameter


def test_every_type_in_a_public_signature_is_exported() -> None:
    """Every class of ours a public signature names, and every Literal alias a public function
    takes, can be imported from ``ieepa_refund`` as that very object."""
    missing = set()
    for where, name, obj, parameter in _public_signatures():
        alias = typing.get_origin(obj) is typing.Literal
        if (_ours(obj) or (alias and parameter)) and getattr(ieepa_refund, name, None) is not obj:
            missing.add(f"{name} (in {where})")
    assert not missing, sorted(missing)


def test_signature_walk_sees_nested_types() -> None:
    """The walk reaches a class only a field of a result names (so the test above can fail)."""
    names = {name for _, name, _, _ in _public_signatures()}
    assert {"Reason", "Deadlines", "InterestPeriod", "Allocation", "Method"} <= names


EXPORTED = [
    name
    for name in ieepa_refund.__all__
    if isinstance(getattr(ieepa_refund, name), type)
    or inspect.isroutine(getattr(ieepa_refund, name))
]


@pytest.mark.parametrize("name", EXPORTED)
def test_exported_members_are_named_by_the_package(name: str) -> None:
    """Reprs and docs show ``ieepa_refund.Name``, and annotations still resolve."""
    member = getattr(ieepa_refund, name)
    assert member.__module__ == "ieepa_refund"
    if isinstance(member, type):
        # An enum class's repr never names its module (Python's EnumType.__repr__).
        shown = (
            f"<enum '{name}'>"
            if issubclass(member, enum.Enum)
            else f"<class 'ieepa_refund.{name}'>"
        )
        assert repr(member) == shown
        typing.get_type_hints(member)
        if issubclass(member, BaseModel):
            member.model_json_schema()


def test_results_survive_pickle_and_pydantic_after_renaming() -> None:
    """A result pickles, round-trips through JSON, nests in a user's model and in a TypeAdapter."""
    entries = ieepa_refund.read_es003(ieepa_refund.sample_es003()).entries
    refund = next(
        r
        for r in (
            ieepa_refund.compute_refund(e, interest_until=date(2026, 11, 28)) for e in entries
        )
        if r.liquidation_date is not None and r.principal > 0
    )
    assert pickle.loads(pickle.dumps(refund)) == refund
    assert ieepa_refund.EntryRefund.model_validate_json(refund.model_dump_json()) == refund

    class Mine(BaseModel):
        refund: ieepa_refund.EntryRefund

    assert Mine.model_validate({"refund": refund.model_dump()}).refund == refund
    payments = ieepa_refund.consolidate([refund])
    dumped = TypeAdapter(ieepa_refund.Consolidation).dump_python(payments)
    assert dumped["payments"][0]["entries"] == (refund.entry_number,)
    error = ieepa_refund.InvalidFormat("bad", field="f", value="v")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
