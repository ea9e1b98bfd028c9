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


def compact(cls: type[M], names: tuple[str, ...], /) -> Callable[..., M]:
    """A builder of ``cls`` instances from the values of ``names``, in that order, as
    :func:`trusted` builds them, whose field dicts share one table of keys.

    A dict of a dozen keys built from keywords holds its own keys table (470 bytes);
    the copy of a key-sharing dict (a class's attribute dict made one name at a time)
    holds only its values (CPython 3.11: 340 bytes). Worth it for a class of more than
    ten fields built a million times. The keys keep the order of ``names``, so the
    instances dump, print and iterate exactly as ``trusted(cls, **dict(zip(names, ...)))``
    does; ``tests/test_trusted.py`` checks it.
    """
    if len(names) != len(cls.model_fields) or set(names) != set(cls.model_fields):
        raise TypeError(f"{cls.__name__}: every field must be named once; got {names}")
    proto = _new(cls)
    for name in names:
        _set(proto, name, None)
    template = proto.__dict__
    fields, count = set(names), len(names)

    def build(*values: Any) -> M:
        if len(values) != count:
            raise TypeError(f"{cls.__name__}: {count} values expected, got {len(values)}")
        state = template.copy()
        state.update(zip(names, values))  # noqa: B905 - counted above, cheaper than strict
        instance = _new(cls)
        _set(instance, "__dict__", state)
        _set(instance, "__pydantic_fields_set__", fields)
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        return instance

    return build
