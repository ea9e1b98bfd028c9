"""Build frozen models from values this library computed and checked itself.

pydantic validation costs 3-10 us a model. On the hot paths that build
millions of them (results per HTS number, rows the ES-003 reader has already
checked field by field) that is most of the run time, and it re-checks what
the code just made. ``trusted`` builds the instance directly instead.

It is used only for values produced or checked by this library, never for a
caller's input; ``tests/test_trusted.py`` re-validates objects built this way
and checks they equal what validation makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type[BaseModel], tuple[int, set[str]]] = {}
"""Each class's field count and the set of its field names, fixed when the class is made."""
_new = object.__new__
_set = object.__setattr__
#: BaseModel's own slots, set through their descriptors: what ``object.__setattr__`` does
#: for them once it has looked the name up through the class's MRO (about a fifth less a call).
_SLOTS = {
    key: vars(BaseModel)[name].__set__
    for key, name in (
        ("fields_set", "__pydantic_fields_set__"),
        ("extra", "__pydantic_extra__"),
        ("private", "__pydantic_private__"),
    )
}


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` holding ``values``, which must name every field."""
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = (len(cls.model_fields), set(cls.model_fields))
    count, names = known
    if len(values) != count:
        missing = sorted(set(cls.model_fields) - set(values))
        raise TypeError(f"{cls.__name__}: every field must be given; missing {missing}")
    instance = _new(cls)
    _set(instance, "__dict__", values)
    # Every field is set, so every instance of a class shares one set of names (a set of a
    # dozen names is 700 bytes, as much as the values of a small result). pydantic never
    # changes it in place: model_copy copies it first, and adding a name already there is no
    # change.
    _set(instance, "__pydantic_fields_set__", names)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


def builder(cls: type[M], names: tuple[str, ...] | None = None, /) -> Callable[..., M]:
    """A function building ``cls`` from the value of every field, given in the order of
    ``names`` (default: field order), which is also the order the instance dumps, prints and
    iterates in (as ``trusted(cls, **dict(zip(names, values)))`` would).

    What :func:`trusted` makes, with less memory: the values are set one by one, as attributes,
    so that CPython keeps them in the instance's own shared-key layout (about 8 bytes a field)
    rather than in a dict per instance (a dict of 6 fields is 270 bytes; of 24, 1.2 KB). The
    reader builds millions of tariffs, lines and entries this way, and a notebook holds them.

    CPython shares a class's attribute names only when they are first learned from attributes
    set one by one; instances made otherwise (pydantic's validation sets a whole dict) teach it
    nothing, and after a few dozen of those it stops offering the layout. So one instance is
    built here, when the builder is made, to teach every name at once, in that order.
    """
    if names is None:
        names = tuple(cls.model_fields)
    elif len(names) != len(cls.model_fields) or set(names) != set(cls.model_fields):
        raise TypeError(f"{cls.__name__}: every field must be named once; got {names}")
    everything = set(names)
    arguments = ", ".join(f"v{index}" for index in range(len(names)))
    body = "".join(f"    put(instance, {name!r}, v{index})\n" for index, name in enumerate(names))
    # Generated, as dataclasses generates __init__: a loop over the names costs twice as much,
    # and the reader calls this for every tariff of a file.
    source = (
        f"def build({arguments}):\n"
        "    instance = new(cls)\n"
        f"{body}"
        "    fields_set(instance, everything)\n"
        "    extra(instance, None)\n"
        "    private(instance, None)\n"
        "    return instance\n"
    )
    scope: dict[str, Any] = {"new": _new, "put": _set, "cls": cls, "everything": everything}
    scope.update(_SLOTS)
    # Compiled under the class's name, so that tracemalloc (bench/bench_memory.py) shows what
    # each class's instances hold rather than one line for every class.
    code = compile(source, f"<build {cls.__name__}>", "exec")
    exec(code, scope)  # the text is made above, from the class's own field names
    build: Callable[..., M] = scope["build"]
    build(*([None] * len(names)))  # teaches CPython the names (see above); then dropped
    return build
