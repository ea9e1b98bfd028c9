"""The bulk engine's cell parsers: each distinct cell of a column parsed once by the
library's own parsers (the ES-003 reader's, so the reading rules stay in one place),
plain amounts and entry numbers in columns, and the entry-number keys and check digits as
column expressions. Split out of :mod:`._read`, which reads the files into chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import entry_number as _entry_number
from ..errors import IeepaRefundError, ValidationError
from ..es003._cells import (
    DATE_FIELDS,
    ENTRY_PARSERS,
    BadCell,
    cell_text,
    parse_amount,
    parse_country,
    parse_date,
    parse_entry_number,
    parse_hts,
    parse_line_number,
    parse_ordinal,
    parse_protest_number,
    parse_quantity,
    protest_placeholder,
)
from ..es003._columns import ENTRY_FIELDS

if TYPE_CHECKING:
    import polars as pl


_PARSE_ERRORS = (BadCell, ValidationError, ArithmeticError, IeepaRefundError)


#: Distinct cells a memo keeps per column (:func:`distinct`): a file's common cells (codes,
#: dates, line numbers) recur in every chunk and are parsed once; past this many, a cell
#: not kept is parsed in each chunk it is in, as without a memo. Bounded so that a column
#: of mostly distinct odd cells (amounts with a space after them) holds at most about
#: 1 MB here, whatever the file.
MEMO_CELLS = 1 << 12


def distinct(
    series: pl.Series,
    parse: Callable[[str], Any],
    dtype: Any,
    memo: dict[Any, Any] | None = None,
) -> pl.Series:
    """``parse`` applied to each distinct value of ``series`` once, joined back per row.

    A value ``parse`` refuses becomes null, and so does a value it reads as None; callers
    that must tell the two apart parse into a sentinel first.

    ``memo``: what ``parse`` gave for cells seen before (None for a refusal), kept by the
    caller for the chunks of one run, and filled here (:data:`MEMO_CELLS` at most). It
    must only ever be given cells for the same ``parse``: a value depends on the cell alone.
    A Categorical ``dtype``: the few parsed values made codes, then joined back per row
    (not each row's text made a code).
    """
    import polars as pl

    if not len(series):
        return pl.Series(series.name, [], dtype=dtype)
    uniques = series.unique()
    parsed: list[Any] = []
    for raw in uniques.to_list():
        if memo is not None and raw in memo:
            parsed.append(memo[raw])
            continue
        try:
            value = parse(raw)
        except _PARSE_ERRORS:
            value = None
        if memo is not None and len(memo) < MEMO_CELLS:
            memo[raw] = value
        parsed.append(value)
    if dtype == pl.Categorical:
        values = pl.Series(series.name, parsed, dtype=pl.String).cast(pl.Categorical)
    else:
        values = pl.Series(series.name, parsed, dtype=dtype)
    if series.dtype == pl.String and not uniques.null_count():
        # Each cell's place among the distinct values, then the parsed value at that place.
        return values.gather(series.cast(pl.Enum(uniques)).to_physical())
    return series.replace_strict(uniques, values, return_dtype=dtype)


def by_runs(
    series: pl.Series,
    parse: Callable[[str], Any],
    dtype: Any,
    memo: dict[Any, Any] | None = None,
) -> pl.Series:
    """:func:`distinct` of a column whose cells come in runs (an entry's own fields, repeated
    on each of its rows): each run's cell once, given back to every row of the run."""
    run = series.rle_id()
    heads = series.filter(run.ne_missing(run.shift(1)))
    return distinct(heads, parse, dtype, memo).gather(run)


def _with_plain(
    series: pl.Series,
    plain: pl.Expr,
    value: pl.Expr,
    parse: Callable[[str], Any],
    dtype: Any,
    memo: dict[Any, Any] | None = None,
) -> pl.Series:
    """Cells matching ``plain`` read by ``value`` in columns; every other distinct cell by
    ``parse`` (the library's parser), once (``memo``: see :func:`distinct`). ``plain`` must
    only match cells for which the two are provably the same (the parser's own fast case)."""
    import polars as pl

    both = pl.DataFrame({"s": series}).select(p=plain.fill_null(False), v=value.cast(dtype))
    flags = both.to_series(0)
    fast = both.to_series(1).alias(series.name)
    if flags.all():
        return fast
    # The few other cells are parsed once each, and only their rows are written over.
    where = (~flags).arg_true()
    odd = series.gather(where)
    return fast.scatter(where, distinct(odd, parse, dtype, memo))


# parse_amount's fast case (_cells._PLAIN_MONEY, ASCII digits), within AMOUNT_BOUND.
_PLAIN_MONEY = r"^\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,13})(?:\.[0-9]{1,2})?$"


def amounts(series: pl.Series, memo: dict[Any, Any] | None = None) -> pl.Series:
    """:func:`amount_cents` of every cell: plain ``$1,234.5`` in columns, the rest parsed
    (``memo``: see :func:`distinct`)."""
    import polars as pl

    s, value, size = pl.col("s"), pl.col("v"), pl.col("n")
    # A decimal with two places is held as its integer count of cents: exact, no float.
    # In a cell of the fast case a "$" stands only first and a comma only between digit
    # groups: taking every "$" and comma out in one pass is the same as taking the "$" off
    # the front and the commas out (what a cell outside the fast case gives is not used).
    frame = pl.DataFrame({"s": series}).with_columns(
        v=s.str.replace_all("[$,]", "")
        .cast(pl.Decimal(18, 2), strict=False)
        .to_physical()
        .cast(pl.Int64),
        n=s.str.len_bytes(),
    )
    # Under 10**12 dollars: the fast case's own bound; anything else goes to the parser.
    # A blank cell (most goods values of Chapter 99 rows) is BLANK, as amount_cents says.
    # Two eager steps, not one lazy plan: the plan would inline the cents into both
    # outputs and compute them twice (measured: a fifth more CPU).
    both = frame.select(
        p=(
            (s.str.contains(_PLAIN_MONEY) & (size <= 19) & (value < 10**14)) | (size == 0)
        ).fill_null(False),
        v=pl.when(size == 0).then(BLANK).otherwise(value),
    )
    del frame
    flags = both.to_series(0)
    fast = both.to_series(1).alias(series.name)
    if flags.all():
        return fast
    # The few other cells are parsed once each, and only their rows are written over.
    where = (~flags).arg_true()
    return fast.scatter(where, distinct(series.gather(where), amount_cents, pl.Int64, memo))


# Amounts of at most 12 whole digits in parse_amount's fast case: under AMOUNT_BOUND.
_SMALL_MONEY = r"^\$?(?:[0-9]{1,3}(?:,[0-9]{3}){0,3}|[0-9]{1,12})(?:\.[0-9]{1,2})?$"


def amounts_ok(series: pl.Series) -> pl.Series:
    """Whether :func:`amount_cents` takes each cell (True, or null where it refuses)."""
    import polars as pl

    plain = pl.col("s").str.contains(_SMALL_MONEY)
    return _with_plain(series, plain, pl.lit(True), _amount_ok, pl.Boolean)


def _amount_ok(raw: str) -> bool:
    amount_cents(raw)
    return True


def entry_numbers(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(:func:`parse_entry_number`, check digit right) of every cell; numbers of the compact
    shape (filer code, 8 digits) checked in columns.

    A cell the parser refuses is null, and so not right.
    """
    import polars as pl

    numbers = parse_numbers(series)
    keys = pl.DataFrame({"s": numbers}).select(
        d=pl.col("s").str.contains(SHAPED).fill_null(False), k=entry_key(pl.col("s"))
    )
    right = pl.col("d") & check_digit_right(pl.col("k")).fill_null(False)
    valid = keys.select(right).to_series().alias(series.name)
    # Numbers of any other shape: the library's check, once each (it refuses them all).
    other = (~keys.to_series(0) & numbers.is_not_null()).arg_true()
    if len(other):
        valid.scatter(other, distinct(numbers.gather(other), _entry_number.is_valid, pl.Boolean))
    return numbers, valid


#: The compact shape of an entry number (entry_number._SHAPE): 3 filer characters, 8 digits.
SHAPED = r"^[0-9A-Z]{3}[0-9]{8}$"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FILER = 10**8


def entry_key(number: pl.Expr) -> pl.Expr:
    """An entry number of the compact shape (:data:`SHAPED`) as an Int64 key: its filer code
    read in base 36 (digits, then capital letters) times 10**8, plus its 8 digits.

    The key orders as the numbers do (in ASCII a digit sorts before a letter, as in base
    36), and 36**3 * 10**8 is far inside Int64. Other shapes are null (or meaningless:
    callers keep only shaped numbers).
    """
    import polars as pl

    filer = number.str.slice(0, 3).str.to_integer(base=36, strict=False)
    digits = number.str.slice(3).str.to_integer(strict=False)
    return (filer.cast(pl.Int64) * _FILER + digits.cast(pl.Int64)).alias("key")


def _filer_chars(key: pl.Expr) -> list[pl.Expr]:
    """The values (0-35) of a key's three filer characters, left to right."""
    filer = key // _FILER
    return [filer // 36**2, filer // 36 % 36, filer % 36]


def key_number(key: pl.Expr) -> pl.Expr:
    """The entry number of a key (:func:`entry_key`)."""
    import polars as pl

    chars = [
        v.replace_strict(list(range(36)), list(_ALNUM), default=None, return_dtype=pl.String)
        for v in _filer_chars(key)
    ]
    return pl.concat_str([*chars, (key % _FILER).cast(pl.String).str.zfill(8)])


def parse_numbers(series: pl.Series, memo: dict[Any, Any] | None = None) -> pl.Series:
    """:func:`parse_entry_number` of every cell (null where it refuses); 11 ASCII digits as
    they are, every other distinct cell through the parser once (``memo``: see
    :func:`distinct`)."""
    import polars as pl

    plain = pl.col("s").str.contains(r"^[0-9]{11}$")
    return _with_plain(series, plain, pl.col("s"), parse_entry_number, pl.String, memo)


def check_digit_right(key: pl.Expr) -> pl.Expr:
    """Whether an entry number, held as its key (:func:`entry_key`), has the right check digit.

    CATAIR Appendix E, as :mod:`ieepa_refund.entry_number` computes it: filer-code letters
    A-I are 1-9, J-R 1-9, S-Z 2-9; then Luhn over the ten digits before the check digit,
    from the right (the rightmost doubled).
    """
    import polars as pl

    low = key % _FILER
    # From the right: the 7 transaction digits, then the filer code's last, middle, first.
    digits = [low // 10 ** (position + 1) % 10 for position in range(7)]
    digits.extend(_as_digit(v) for v in reversed(_filer_chars(key)))
    total = pl.lit(0, dtype=pl.Int64)
    for position, digit in enumerate(digits):
        if position % 2 == 0:
            digit = digit * 2
            digit = pl.when(digit > 9).then(digit - 9).otherwise(digit)
        total = total + digit
    return (10 - total % 10) % 10 == low % 10


def _as_digit(value: pl.Expr) -> pl.Expr:
    """A filer character's value (0-35) as the digit Appendix E maps it to (a digit is itself;
    A-I 1-9, J-R 1-9, S-Z 2-9: entry_number._LETTER_DIGITS)."""
    import polars as pl

    return (
        pl.when(value < 10)
        .then(value)
        .when(value < 19)
        .then(value - 9)
        .when(value < 28)
        .then(value - 18)
        .otherwise(value - 26)
    )


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value.scaleb(2))


#: What a cell that parses to None becomes in an integer column: distinct from a refusal (null).
BLANK = -1


def amount_cents(raw: str) -> int:
    """An amount cell in cents (BLANK when empty), refused (raised) when negative."""
    value = parse_amount(raw)
    if value is None:
        return BLANK
    if value < 0:
        raise BadCell("a negative amount")
    cents = _cents(value)
    assert cents is not None
    return cents


def quantity_ok(raw: str) -> bool:
    value = parse_quantity(raw)
    if value is not None and value < 0:
        raise BadCell("a negative quantity")
    return True


def ordinal(raw: str) -> int:
    found = parse_ordinal(raw)
    return BLANK if found is None else found


def rate_blank(raw: str) -> bool:
    """Only a blank rate cell is read here: rate text is the per-entry path's."""
    return not cell_text(raw)


#: The tariff cells read in columns. A unit cell is not read here: the rows whose unit the
#: reader may refuse (a plain number, see ``unit_odd``) are the per-entry path's.
PARSERS: dict[str, Callable[[str], Any]] = {
    "entry_number": parse_entry_number,
    "line_number": parse_line_number,
    "country_of_origin": parse_country,
    "hts": parse_hts,
    "tariff_ordinal": ordinal,
    "value": amount_cents,
    "duty": amount_cents,
    "quantity": quantity_ok,
    "rate": rate_blank,
}


def entry_field_parser(name: str) -> Callable[[str], Any]:
    if name in DATE_FIELDS:
        cache: dict[str, Any] = {}
        return lambda raw: parse_date(raw, cache)
    if name == "protest_number":
        return _protest_number
    return ENTRY_PARSERS[name]


def _protest_number(raw: str) -> str | None:
    """The reader's parser, but a placeholder ('N/A', '0') is refused: the reader reads it as
    no protest with a warning naming its row, so its entry goes to the per-entry path."""
    if protest_placeholder(raw):
        raise BadCell("a protest number placeholder: the per-entry path warns of it")
    return parse_protest_number(raw)


__all__ = [
    "BLANK",
    "ENTRY_FIELDS",
    "PARSERS",
    "SHAPED",
    "by_runs",
    "check_digit_right",
    "distinct",
    "entry_field_parser",
    "entry_key",
    "key_number",
]
