from __future__ import annotations

import re

import pytest

from ieepa_refund import errors


def _tree_names() -> set[str]:
    assert errors.__doc__ is not None
    return set(re.findall(r"[├└]── (\w+)", errors.__doc__)) | {"IeepaRefundError"}


def test_docstring_tree_names_every_error_class() -> None:
    classes = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, Exception)
    }
    assert _tree_names() == classes


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ValidationError, ValueError),
        (errors.InvalidChecksum, ValueError),
        (errors.FloatRefused, ValueError),
        (errors.NotInTable, LookupError),
        (errors.HeadingNotFound, KeyError),
        (errors.RateNotCovered, LookupError),
    ],
)
def test_errors_subclass_the_builtin_that_fits(cls: type[Exception], builtin: type) -> None:
    assert issubclass(cls, builtin)
    assert issubclass(cls, errors.IeepaRefundError)


def test_validation_error_names_field_and_value() -> None:
    exc = errors.InvalidFormat("bad shape", field="hts", value="12")
    assert str(exc) == "hts: bad shape (got '12')"
    assert (exc.field, exc.value) == ("hts", "12")


def test_a_message_that_quotes_the_value_does_not_repeat_it() -> None:
    exc = errors.InvalidRate("cannot read component 'about 4%'", field="rate", value="about 4%")
    assert str(exc) == "rate: cannot read component 'about 4%'"
    assert exc.value == "about 4%"
    # Only a quoted text is taken as already said: a number in the words is not the value.
    exc = errors.InvalidFormat("expected 2 digits", field="n", value=2)
    assert str(exc) == "n: expected 2 digits (got 2)"
    exc = errors.InvalidFormat("not 'ab'", field="n", value="abc")
    assert str(exc) == "n: not 'ab' (got 'abc')"


def test_default_message() -> None:
    assert str(errors.InvalidChecksum()) == "the check digit does not match"
    assert str(errors.HeadingNotFound("9903.01.06 is not there")) == "9903.01.06 is not there"


def test_a_message_that_starts_with_its_value_does_not_repeat_it() -> None:
    """ "broken.csv: no ES-003 header ..." named the file first, then "(got 'broken.csv')"."""
    first = errors.InputFileError("broken.csv: no header found", field="file", value="broken.csv")
    assert str(first) == "file: broken.csv: no header found"
    inside = errors.InputFileError("no header in broken.csv", field="file", value="broken.csv")
    assert str(inside) == "file: no header in broken.csv (got 'broken.csv')"
