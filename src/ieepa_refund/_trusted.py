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

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type[BaseModel], int] = {}  # the classes' field counts: fixed when a class is made


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` holding ``values``, which must name every field."""
    count = _FIELDS.get(cls)
    if count is None:
        count = _FIELDS[cls] = len(cls.model_fields)
    if len(values) != count:
        missing = sorted(set(cls.model_fields) - set(values))
        raise TypeError(f"{cls.__name__}: every field must be given; missing {missing}")
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
