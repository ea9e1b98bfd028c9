"""The library API: bad input raises only ``IeepaRefundError`` subclasses, named for the argument."""

from __future__ import annotations

import contextlib
import decimal
import hashlib
import itertools
import json
import shutil
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

import ieepa_refund as ir
from ieepa_refund import (
    Assumptions,
    DataError,
    Entry,
    IeepaRefundError,
    InputFileError,
    InterestConventions,
    InvalidFormat,
    ModelValidationError,
    RateTable,
    Registry,
    ValidationError,
    accrue_interest,
    compare,
    compute_refunds,
    consolidate,
    read_es003,
    sample_es003,
    screen_all,
)
from ieepa_refund._resources import data_dir
from ieepa_refund.cape import screen
from ieepa_refund.cape.rules import CapeRules

ENTRIES = read_es003(sample_es003()).entries
REFUNDS = compute_refunds(ENTRIES, interest_until=date(2026, 11, 28))
BAD_VALUES: list[Any] = [
    None,
    "x",
    "",
    1.5,
    -1,
    10**30,
    Decimal("NaN"),
    Decimal("-1"),
    datetime(2026, 1, 2, 3, 4),
    "2026-01-02",
    date.max,
    object(),
    [],
    {},
]

#: Each public function with arguments that work; each argument is then replaced by each bad value.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "accrue_interest": (
        (Decimal("100"),),
        {
            "deposited": date(2025, 4, 15),
            "until": date(2026, 6, 30),
            "corporate": False,
            "project": False,
            "day_count": "actual/365",
            "compounding": "daily",
            "accrual": "after_deposit",
            "rounding": "ROUND_HALF_UP",
            "large_corporate_rate": False,
        },
    ),
    "interest_detail": (
        (Decimal("100"),),
        {"deposited": date(2025, 4, 15), "until": date(2026, 6, 30), "corporate": False},
    ),
    "delinquency_interest": (
        (Decimal("100"),),
        {"liquidated": date(2025, 4, 15), "paid_on": date(2026, 6, 30)},
    ),
    "growth_factor": ((date(2025, 4, 15), date(2026, 6, 30)), {"corporate": False}),
    "compute_refund": (
        (ENTRIES[0],),
        {
            "method": "paid",
            "corporate": False,
            "interest_until": date(2026, 6, 30),
            "project": False,
            "deposit": "reported",
        },
    ),
    "compute_refunds": ((ENTRIES,), {"interest_until": date(2026, 6, 30)}),
    "consolidate": ((REFUNDS,), {}),
    "deadline_calendar": ((REFUNDS,), {"start": date(2026, 12, 1), "weeks": 4}),
    "screen_all": ((ENTRIES,), {"declared_on": date(2026, 7, 1)}),
    "evaluate": ((ENTRIES, Assumptions()), {}),
    "compare": ((ENTRIES, Assumptions()), {}),
    "parse_rate": (("2.5%",), {}),
}


def _variants() -> list[tuple[str, int | str, Any]]:
    cases = []
    for name, (args, kwargs) in CALLS.items():
        slots: list[int | str] = [*range(len(args)), *kwargs]
        cases += [(name, slot, bad) for slot, bad in itertools.product(slots, BAD_VALUES)]
    return cases


@pytest.mark.parametrize(("name", "slot", "bad"), _variants())
def test_public_functions_raise_only_our_errors_for_bad_arguments(
    name: str, slot: int | str, bad: Any
) -> None:
    """A bad argument is refused by one of our errors (or accepted), never a raw Python error."""
    args, kwargs = CALLS[name]
    changed_args, changed_kwargs = list(args), dict(kwargs)
    if isinstance(slot, int):
        changed_args[slot] = bad
    else:
        changed_kwargs[slot] = bad
    function: Callable[..., Any] = getattr(ir, name)
    with contextlib.suppress(IeepaRefundError):
        function(*changed_args, **changed_kwargs)


def test_every_call_in_the_audit_works_with_good_arguments() -> None:
    for name, (args, kwargs) in CALLS.items():
        getattr(ir, name)(*args, **kwargs)


def test_model_errors_are_our_validation_error_and_pydantics() -> None:
    """One exception answers both except clauses, and keeps pydantic's errors()."""
    with pytest.raises(ValidationError) as ours:
        Entry.model_validate({"entry_number": "x"})
    assert isinstance(ours.value, pydantic.ValidationError)
    assert isinstance(ours.value, ModelValidationError)
    assert ours.value.field == "entry_number"
    assert ours.value.error_count() >= 1
    with pytest.raises(pydantic.ValidationError):
        Assumptions(liquidation_after_filing_days=-1)
    with pytest.raises(ValidationError):
        Assumptions.model_validate_json('{"method": "guess"}')


def test_a_nested_model_error_names_its_path() -> None:
    line = {"number": 1, "country_of_origin": "CN", "tariffs": [{"hts": "9903.01.24", "duty": 1.5}]}
    with pytest.raises(ValidationError) as info:
        Entry.model_validate(
            {
                "entry_number": "B76-0324527-8",
                "entry_type": "01",
                "importer_number": "12-3456789AB",
                "entry_date": "2025-06-02",
                "lines": [line],
            }
        )
    assert info.value.field == "lines.0.tariffs.0.duty"


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    """A time silently truncated is a figure nobody asked for: models and functions refuse it."""
    with pytest.raises(ValidationError) as model:
        Assumptions(interest_until=datetime(2026, 6, 30, 12))
    assert model.value.field == "interest_until"
    with pytest.raises(ValidationError):
        Assumptions(declared_on=datetime(2026, 6, 30))  # midnight too: pydantic would keep it
    for name in ("deposited", "until"):
        dates = {"deposited": date(2025, 4, 15), "until": date(2026, 6, 30)}
        dates[name] = datetime.combine(dates[name], datetime.min.time())
        with pytest.raises(InvalidFormat) as function:
            accrue_interest(Decimal(100), **dates)
        assert function.value.field == name
    with pytest.raises(InvalidFormat) as refund:
        compute_refunds(ENTRIES, interest_until=datetime(2026, 6, 30, 9))
    assert refund.value.field == "interest_until"


def test_a_date_string_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(InvalidFormat, match="fromisoformat") as info:
        accrue_interest(Decimal(100), deposited=date(2025, 4, 15), until="2026-06-30")  # type: ignore[arg-type]
    assert info.value.field == "until"
    with pytest.raises(InvalidFormat):
        compute_refunds(ENTRIES, interest_until="2026-06-30")


def test_the_last_date_python_has_is_refused_not_overflowed() -> None:
    with pytest.raises(InvalidFormat):
        accrue_interest(Decimal(100), deposited=date(2025, 4, 15), until=date.max)
    with pytest.raises(ir.RateNotCovered, match="at most 10 years"):
        accrue_interest(
            Decimal(100), deposited=date(2025, 4, 15), until=date(9999, 12, 30), project=True
        )


def test_named_interest_options_are_validated_like_the_model() -> None:
    """compounding='Daily' used to fall through to simple interest without a word."""
    with pytest.raises(ValidationError) as info:
        accrue_interest(
            Decimal(10000),
            deposited=date(2025, 4, 15),
            until=date(2026, 6, 30),
            compounding="Daily",  # type: ignore[arg-type]
        )
    assert info.value.field == "compounding"
    for option, value in (("day_count", "30/360"), ("accrual", "on_deposit"), ("rounding", "up")):
        with pytest.raises(ValidationError):
            accrue_interest(
                Decimal(1), deposited=date(2025, 4, 15), until=date(2026, 6, 30), **{option: value}
            )
    with pytest.raises(ValidationError):
        InterestConventions(compounding="Daily")  # type: ignore[arg-type]


# --- data folders passed in: checked against their manifest ----------------------------------


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(str(data_dir(name)), folder)
    return folder


def _rehash(folder: Path, file: str) -> None:
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((folder / file).read_bytes()).hexdigest()
    manifest["files"][file]["sha256"] = digest
    (folder / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")


LOADERS: list[tuple[str, str, Callable[[Path], object]]] = [
    ("interest_rates", "overpayment_rates.csv", RateTable.load),
    ("htsus_ch99", "ieepa_headings.csv", Registry.load),
    ("cape_rules", "rules.csv", CapeRules.load),
]


@pytest.mark.parametrize(("name", "file", "load"), LOADERS)
def test_an_unchanged_data_folder_loads(
    tmp_path: Path, name: str, file: str, load: Callable[[Path], object]
) -> None:
    assert load(_copy(tmp_path, name)) is not None


@pytest.mark.parametrize(("name", "file", "load"), LOADERS)
def test_a_data_file_edited_after_its_manifest_is_refused(
    tmp_path: Path, name: str, file: str, load: Callable[[Path], object]
) -> None:
    folder = _copy(tmp_path, name)
    with (folder / file).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(DataError, match="sha256"):
        load(folder)


@pytest.mark.parametrize(("name", "file", "load"), LOADERS)
def test_a_listed_data_file_that_is_missing_is_refused(
    tmp_path: Path, name: str, file: str, load: Callable[[Path], object]
) -> None:
    folder = _copy(tmp_path, name)
    (folder / file).unlink()
    with pytest.raises(DataError, match="missing"):
        load(folder)


@pytest.mark.parametrize(("name", "file", "load"), LOADERS)
def test_an_unlisted_csv_in_a_data_folder_is_refused(
    tmp_path: Path, name: str, file: str, load: Callable[[Path], object]
) -> None:
    folder = _copy(tmp_path, name)
    (folder / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"extra\.csv"):
        load(folder)


@pytest.mark.parametrize(("name", "file", "load"), LOADERS)
def test_a_short_data_row_is_a_data_error_naming_file_and_row(
    tmp_path: Path, name: str, file: str, load: Callable[[Path], object]
) -> None:
    """A row cut short used to escape as AttributeError (None.strip())."""
    folder = _copy(tmp_path, name)
    lines = (folder / file).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].split(",")[0] + ",x\n"
    (folder / file).write_text("".join(lines), encoding="utf-8")
    _rehash(folder, file)
    with pytest.raises(DataError, match=rf"{file} row 2"):
        load(folder)


def test_a_bad_rate_row_is_a_data_error_naming_file_and_row(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "interest_rates")
    path = folder / "overpayment_rates.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[3] = "700"  # the non-corporate rate, percent
    lines[3] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    _rehash(folder, "overpayment_rates.csv")
    with pytest.raises(DataError, match=r"overpayment_rates\.csv row 4"):
        RateTable.load(folder)


# --- caches: first use from many threads ------------------------------------------------------


def test_interest_caches_built_from_many_threads_match_sequential_results() -> None:
    """The lazily extended interest index, raced by threads at a tiny switch interval."""
    from ieepa_refund.interest import _engine

    days = [date(2024, 1, 1) + (date(2026, 12, 31) - date(2024, 1, 1)) * k / 40 for k in range(41)]
    jobs = [(d, u) for d, u in itertools.combinations(days, 2)][::7]
    jobs.sort(key=lambda job: job[0] - job[1])  # the longest span first: one long extension

    def run(start: threading.Barrier | None = None) -> list[Decimal]:
        if start is not None:
            start.wait()  # all threads ask for the first, longest index together
        return [
            accrue_interest(Decimal("12345.67"), deposited=d, until=u, corporate=c)
            for d, u in jobs
            for c in (False, True)
        ]

    def clear() -> None:
        _engine._new_index.cache_clear()
        _engine._growth.cache_clear()

    clear()
    sequential = run()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):  # a race shows in some runs, not every one
            clear()
            start = threading.Barrier(8)
            results: list[list[Decimal]] = []
            threads = [
                threading.Thread(target=lambda r=results, b=start: r.append(run(b)))
                for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(results) == 8
            assert all(result == sequential for result in results)
    finally:
        sys.setswitchinterval(interval)


def test_compare_past_the_rate_table_is_interest_incomplete_not_no_change() -> None:
    """Interest to a date past the table used to vanish: compare() reported no change."""
    # Entries with a principal (an incomplete entry establishes none, so has no interest to miss).
    unliquidated = [e for e in ENTRIES if e.liquidation_date is None and not e.incomplete_rows]
    inside = Assumptions(interest_until=date(2026, 12, 31))
    past = Assumptions(interest_until=date(2027, 6, 30))
    result = compare(unliquidated, past, baseline=inside)
    assert result.total_change is None
    assert result.scenario_total is None
    assert not result.interest_complete
    assert {d.scenario.interest_missing for d in result.incomplete} == {"RATE_NOT_COVERED"}
    assert result.scenario_known < (result.baseline_total or 0)
    assert "INTEREST_INCOMPLETE" in result._repr_html_()
    rows = result.to_records()
    assert {row["interest_missing"] for row in rows} == {"RATE_NOT_COVERED"}
    assert all(row["change"] is None for row in rows)
    projected = compare(unliquidated, past.model_copy(update={"project": True}), baseline=inside)
    assert projected.total_change is not None
    assert projected.total_change > 0


def test_equal_outcomes_without_interest_differ_by_zero_but_their_totals_stay_unknown() -> None:
    """The same unknown interest on both sides cancels; the totals themselves are not known."""
    unliquidated = [e for e in ENTRIES if e.liquidation_date is None]
    same = compare(unliquidated, Assumptions(), baseline=Assumptions())
    assert same.total_change == 0
    assert same.baseline_total is None
    assert not same.interest_complete
    assert len(same.incomplete) == len(
        [r for r in compute_refunds(unliquidated) if r.interest is None and r.principal > 0]
    )
    corporate = compare(unliquidated, Assumptions(corporate=True), baseline=Assumptions())
    assert corporate.total_change is None  # unknown interest at another rate does not cancel


def test_a_data_folder_that_is_not_a_path_is_refused_by_name() -> None:
    with pytest.raises(InvalidFormat) as info:
        RateTable.load(123)  # type: ignore[arg-type]
    assert info.value.field == "where"
    with pytest.raises(InvalidFormat):
        RateTable([1], data_version="x")  # type: ignore[list-item]


def test_money_is_exact_whatever_the_callers_decimal_context() -> None:
    """A caller who lowered the decimal precision gets the same cents as anyone else."""
    entries = read_es003(sample_es003()).entries
    until = date(2026, 11, 28)
    expected = compute_refunds(entries, interest_until=until)
    payments = consolidate(expected)
    with decimal.localcontext() as ctx:
        ctx.prec = 4
        ctx.rounding = decimal.ROUND_DOWN
        low = compute_refunds(entries, interest_until=until)
        assert [(r.principal, r.interest) for r in low] == [
            (r.principal, r.interest) for r in expected
        ]
        assert (low.principal, low.interest_known) == (expected.principal, expected.interest_known)
        assert [p.net for p in consolidate(low)] == [p.net for p in payments]


def test_screening_arguments_are_checked_by_name() -> None:
    entry = read_es003(sample_es003()).entries[0]
    with pytest.raises(InvalidFormat, match="declared_on"):
        screen(entry, declared_on="2026-07-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="declared_on"):
        screen(entry, declared_on=datetime(2026, 7, 1, 3))
    with pytest.raises(InvalidFormat, match="entry"):
        screen(None, declared_on=date(2026, 7, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="plaintiffs"):
        screen(entry, declared_on=date(2026, 7, 1), plaintiffs="12-3456789AB")
    with pytest.raises(TypeError):
        screen_all([entry], declared_on=date(2026, 7, 1), registy=None)  # type: ignore[call-arg]


def test_a_source_that_is_not_a_file_is_refused_by_name() -> None:
    with pytest.raises(InputFileError, match="a path, an open file, or a pandas DataFrame"):
        read_es003(None)  # type: ignore[arg-type]


def test_a_registry_of_junk_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"periods\[0\]"):
        Registry([1], data_version="x")  # type: ignore[list-item]


def test_a_mapping_or_offsets_of_the_wrong_type_are_our_errors() -> None:
    with pytest.raises(InputFileError, match="mapping"):
        read_es003(sample_es003(), mapping=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidFormat, match="offsets"):
        consolidate(compute_refunds(ENTRIES[:2]), offsets=[1])  # type: ignore[arg-type]


def test_a_lying_workbook_is_an_input_error_not_an_internal_one(tmp_path: Path) -> None:
    """A member whose CRC is false shows only when inflated: still the file's fault."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["Entry Summary Number", "HTS Number - Full"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    data = bytearray(good.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(name)  # in the central directory: the CRC-32 is 30 bytes before the name
    data[at - 30 : at - 26] = b"\x00\x00\x00\x00"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"not a readable \.xlsx workbook"):
        read_es003(bad)
