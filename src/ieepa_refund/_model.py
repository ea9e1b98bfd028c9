"""The base of every model a caller builds, and the checks on date arguments.

A model built from bad fields raises :class:`~ieepa_refund.errors.ModelValidationError`,
which is both ``ieepa_refund.ValidationError`` and ``pydantic.ValidationError``:

    >>> from ieepa_refund import InterestConventions, ValidationError
    >>> try:
    ...     InterestConventions(compounding="Daily")
    ... except ValidationError as exc:
    ...     print(exc.field)
    compounding

A ``datetime`` is a ``date`` to Python, and pydantic quietly drops a midnight
time; a time that is dropped is a figure the caller did not ask for, so a
``datetime`` where a date is expected is refused by name:

    >>> from datetime import date, datetime
    >>> check_date(datetime(2026, 1, 2, 15, 30), field="until")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidFormat: until: a date is expected, not a datetime: its time would be dropped (got datetime.datetime(2026, 1, 2, 15, 30))
    >>> check_date("2026-01-02", field="until")
    Traceback (most recent call last):
    ...
    ieepa_refund.InvalidFormat: until: a datetime.date is expected, not text: pass date.fromisoformat('2026-01-02')
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar, Self, TypeVar

import pydantic
from pydantic import BaseModel, model_validator

from .errors import InvalidFormat, ModelValidationError

T = TypeVar("T")

__all__ = ["Model", "check_date", "check_instance", "check_items", "check_optional_date"]


def check_date(value: Any, *, field: str) -> date:
    """``value`` if it is a plain ``date``; else :class:`InvalidFormat` naming ``field``."""
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        raise InvalidFormat(
            "a date is expected, not a datetime: its time would be dropped",
            field=field,
            value=value,
        )
    if isinstance(value, str):
        raise InvalidFormat(
            f"a datetime.date is expected, not text: pass date.fromisoformat({value!r})",
            field=field,
            value=value,
        )
    if isinstance(value, date):  # a subclass other than datetime (pandas has none; be strict)
        return date(value.year, value.month, value.day)
    raise InvalidFormat(
        f"a datetime.date is expected, not {type(value).__name__}", field=field, value=value
    )


def check_optional_date(value: Any, *, field: str) -> date | None:
    """:func:`check_date`, allowing None."""
    return None if value is None else check_date(value, field=field)


def check_instance(value: Any, cls: type[T], *, field: str) -> T:
    """``value`` if it is a ``cls``; else :class:`InvalidFormat` naming ``field``."""
    if not isinstance(value, cls):
        raise InvalidFormat(f"{_a(cls.__name__)} is expected", field=field, value=value)
    return value


def check_items(items: Any, cls: type[T], *, field: str) -> tuple[T, ...]:
    """The items of ``items``, each a ``cls``; else :class:`InvalidFormat` naming the item.

    A string is refused though it is iterable: its items are characters, not results.
    """
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidFormat(f"a sequence of {cls.__name__} is expected", field=field, value=items)
    return tuple(
        check_instance(item, cls, field=f"{field}[{number}]") for number, item in enumerate(items)
    )


def _a(name: str) -> str:
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


def _is_date_field(annotation: Any) -> bool:
    if annotation is date:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return date in typing.get_args(annotation)
    return False


class Model(BaseModel):
    """A pydantic model whose construction errors are ``ieepa_refund.ValidationError`` too.

    pydantic raises its own ``ValidationError``, which ours cannot be a base of;
    so the entry points a caller uses (the constructor and the ``model_validate*``
    class methods) convert it to :class:`ModelValidationError`, which subclasses
    both. Nested models are validated by pydantic's core, not by these methods,
    so an error is converted once, at the outermost model.
    """

    _date_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._date_fields = tuple(
            name for name, info in cls.model_fields.items() if _is_date_field(info.annotation)
        )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise ModelValidationError.from_pydantic(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError.from_pydantic(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError.from_pydantic(exc) from None

    @classmethod
    def model_validate_strings(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate_strings(obj, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError.from_pydantic(exc) from None

    @model_validator(mode="before")
    @classmethod
    def _no_datetimes(cls, data: Any) -> Any:
        # A date field given a datetime: pydantic keeps the date of a midnight time and
        # refuses others with a message about "zero time"; both deserve the plain words.
        if isinstance(data, dict):
            for name in cls._date_fields:
                value = data.get(name)
                if isinstance(value, datetime):
                    check_date(value, field=name)
        return data
