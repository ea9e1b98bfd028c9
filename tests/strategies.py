"""The one home of the hypothesis strategies shared by the tests."""

from __future__ import annotations

import csv
import functools
import io
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume
from hypothesis import strategies as st

from ieepa_refund import (
    DepositEvent,
    Entry,
    EntryLine,
    EntryRefund,
    HeadingPeriod,
    InterestConventions,
    RefundOptions,
    Tariff,
    default_registry,
)
from ieepa_refund import entry_number as en
from ieepa_refund.cape._ledger import cape_opens
from ieepa_refund.es003 import COLUMNS

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

filer_codes = st.text(alphabet=ALNUM, min_size=3, max_size=3)
transactions = st.text(alphabet="0123456789", min_size=7, max_size=7)


@st.composite
def entry_numbers(draw: st.DrawFn) -> str:
    """A valid compact entry number."""
    first_ten = draw(filer_codes) + draw(transactions)
    return first_ten + en.calc_check_digit(first_ten)


def money(max_value: int = 1_000_000) -> st.SearchStrategy[Decimal]:
    """Non-negative amounts to the cent."""
    return st.integers(min_value=0, max_value=max_value * 100).map(lambda c: Decimal(c) / 100)


entry_dates = st.dates(min_value=date(2025, 2, 4), max_value=date(2026, 2, 23))

# IEEPA duty headings that apply to China on every date from 2025-04-10 to 2025-05-13,
# plus non-IEEPA Chapter 99 numbers and ordinary ones.
IEEPA_CN = ["9903.01.24", "9903.01.63"]
NON_IEEPA_CH99 = ["9903.88.01", "9903.88.15", "9903.80.01", "9903.85.08", "9903.03.01"]
ORDINARY = ["8471.30.0100", "9401.61.4011", "8504.40.9580", "6109.10.0012"]


@st.composite
def ieepa_tariffs(draw: st.DrawFn) -> Tariff:
    return Tariff(hts=draw(st.sampled_from(IEEPA_CN)), duty=draw(money(50_000)))


@st.composite
def non_ieepa_tariffs(draw: st.DrawFn) -> Tariff:
    """Non-IEEPA numbers with their duty reported: the paid method never touches them."""
    hts = draw(st.sampled_from(NON_IEEPA_CH99 + ORDINARY))
    return Tariff(hts=hts, value=draw(money(100_000)), duty=draw(money(50_000)))


@st.composite
def rated_tariffs(draw: st.DrawFn) -> Tariff:
    """Non-IEEPA numbers with rate text, their duty reported right, wrong or not at all."""
    hts = draw(st.sampled_from(NON_IEEPA_CH99 + ORDINARY))
    duty = draw(st.one_of(st.none(), money(5_000)))
    rate = draw(st.sampled_from(["Free", "2.5%", "7.5%", "25%", "16.5%"]))
    return Tariff(hts=hts, value=draw(money(20_000)), rate=rate, duty=duty)


@st.composite
def china_lines(draw: st.DrawFn, number: int, rated: bool = False) -> EntryLine:
    others = rated_tariffs() if rated else non_ieepa_tariffs()
    tariffs = draw(st.lists(st.one_of(ieepa_tariffs(), others), min_size=1, max_size=5))
    return EntryLine(number=number, country_of_origin="CN", tariffs=tuple(tariffs))


@st.composite
def china_entries(draw: st.DrawFn, rated: bool = False) -> Entry:
    """Entries of Chinese goods dated 2025-04-10 to 2025-05-13 (fentanyl 20%, reciprocal 125%).

    ``rated``: every non-IEEPA number has rate text, so both methods can be computed.
    """
    count = draw(st.integers(min_value=1, max_value=4))
    lines = tuple(draw(china_lines(n, rated)) for n in range(1, count + 1))
    return Entry(
        entry_number=draw(entry_numbers()),
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=draw(st.dates(min_value=date(2025, 4, 10), max_value=date(2025, 5, 13))),
        lines=lines,
    )


# --- interest and payments --------------------------------------------------------------

#: Deposit and end dates inside the shipped rate table's coverage (2024-01-01 to 2026-12-31).
covered_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))

#: Every combination of the open interest conventions.
interest_conventions = st.builds(
    InterestConventions,
    day_count=st.sampled_from(["actual/actual", "actual/365", "actual/360"]),
    compounding=st.sampled_from(["daily", "simple"]),
    accrual=st.sampled_from(["after_deposit", "from_deposit"]),
    large_corporate_rate=st.booleans(),
)

PAYEES = ["12-3456789AB", "98-7654321CD", "55-1122334AA"]
LIQUIDATION_DATES = [date(2026, 5, 1), date(2026, 5, 15), date(2026, 6, 12)]


@st.composite
def entry_refunds(draw: st.DrawFn) -> EntryRefund:
    """Refund results as consolidate() receives them: some unliquidated, some with nothing to pay."""
    principal = draw(
        st.one_of(money(100_000), st.just(Decimal("0.00")), money(500).map(lambda m: -m))
    )
    interest = draw(st.one_of(st.none(), money(5_000)))
    return EntryRefund(
        entry_number=draw(entry_numbers()),
        importer_number=draw(st.sampled_from(PAYEES)),
        notify_party=draw(st.one_of(st.none(), st.sampled_from(PAYEES))),
        liquidation_date=draw(st.one_of(st.none(), st.sampled_from(LIQUIDATION_DATES))),
        method="paid",
        paid=principal,
        ieepa_paid=Decimal("0.00"),
        owed=Decimal("0.00"),
        principal=principal,
        principal_high=principal,
        lines=(),
        warnings=(),
        data_version="test",
        rounding="ROUND_HALF_UP",
        interest=interest,
    )


@st.composite
def distinct_refunds(draw: st.DrawFn, max_size: int = 25) -> list[EntryRefund]:
    refunds = draw(st.lists(entry_refunds(), max_size=max_size))
    seen: dict[str, EntryRefund] = {}
    for refund in refunds:
        seen.setdefault(refund.entry_number, refund)
    return list(seen.values())


# --- drawn from the shipped registry: any heading, any day of its period, any country --------

#: Countries drawn for a heading open to every country ('*'), beside the ones named in the data.
SOME_COUNTRIES = ["CN", "MX", "CA", "IN", "BR", "VN", "DE", "JP", "KR", "CH", "GB", "ZA", "AU"]


@functools.cache
def _registry_periods() -> tuple[HeadingPeriod, ...]:
    registry = default_registry()
    return tuple(p for h in registry.headings for p in registry.periods_of(h) if p.effective_from)


def registry_periods(kind: str | None = None) -> st.SearchStrategy[HeadingPeriod]:
    """Any period of any heading in the shipped registry (of ``kind`` when given)."""
    periods = [p for p in _registry_periods() if kind is None or p.kind == kind]
    return st.sampled_from(periods)


def _countries(period: HeadingPeriod) -> list[str]:
    named = SOME_COUNTRIES if "*" in period.countries else sorted(period.countries - {"*"})
    return [c for c in named if c not in period.countries_except]


@st.composite
def registry_entries(draw: st.DrawFn) -> tuple[Entry, HeadingPeriod]:
    """An entry reporting one IEEPA duty heading on a day of its period, for a country it
    applies to, beside ordinary goods with their duty reported; and the period drawn."""
    period = draw(
        registry_periods("duty").filter(lambda p: bool(p.countries) and bool(_countries(p)))
    )
    assert period.effective_from is not None
    last = (period.effective_to or date(2026, 2, 24)) - timedelta(days=1)
    entry_date = draw(st.dates(min_value=period.effective_from, max_value=last))
    country = draw(st.sampled_from(_countries(period)))
    ieepa = Tariff(hts=period.display_heading, value=draw(money(100_000)), duty=draw(money(50_000)))
    ordinary = Tariff(
        hts=draw(st.sampled_from(ORDINARY)), value=draw(money(100_000)), duty=draw(money(5_000))
    )
    entry = Entry(
        entry_number=draw(entry_numbers()),
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=entry_date,
        lines=(EntryLine(number=1, country_of_origin=country, tariffs=(ordinary, ieepa)),),
    )
    return entry, period


#: Duties a Chapter 1-97 number beside a 15% all-in heading reports: none, zero written two
#: ways (both restore the MFN duty folded into the heading), or an amount (left unchanged).
_BESIDE_TOPUP_DUTIES = st.one_of(
    st.sampled_from([None, Decimal("0.00"), Decimal("0"), Decimal("0.0")]), money(5_000)
)


@st.composite
def topup_entries(draw: st.DrawFn) -> Entry:
    """An entry whose lines report a 15% all-in heading (``inclusive_15_topup``) on a day of its
    period, for a country it covers, beside Chapter 1-97 numbers mostly without rate text, other
    IEEPA headings and non-IEEPA Chapter 99 numbers: the refund's 15% all-in roads."""
    period = draw(
        registry_periods("duty").filter(
            lambda p: p.rate_type == "inclusive_15_topup" and bool(_countries(p))
        )
    )
    assert period.effective_from is not None
    last = (period.effective_to or date(2026, 2, 24)) - timedelta(days=1)
    entry_date = draw(st.dates(min_value=period.effective_from, max_value=last))
    country = draw(st.sampled_from(_countries(period)))
    amounts = st.one_of(money(50_000), st.sampled_from([Decimal("0.00"), Decimal("20")]))
    headings = st.one_of(
        st.just(period.display_heading), st.sampled_from(["9903.01.25", *NON_IEEPA_CH99])
    )

    def tariffs() -> st.SearchStrategy[Tariff]:
        heading = st.builds(
            Tariff,
            hts=headings,
            value=st.one_of(st.none(), money(100_000)),
            duty=st.one_of(amounts, amounts, st.none()),
        )
        ordinary = st.builds(
            Tariff,
            hts=st.sampled_from(ORDINARY),
            value=st.one_of(st.none(), money(100_000)),
            duty=_BESIDE_TOPUP_DUTIES,
            rate=st.sampled_from([None, None, None, "2.5%"]),
        )
        return st.one_of(heading, ordinary)

    count = draw(st.integers(min_value=1, max_value=3))
    lines = tuple(
        EntryLine(
            number=n,
            country_of_origin=draw(st.sampled_from([country, country, country, "CN"])),
            tariffs=(
                Tariff(hts=period.display_heading, value=None, duty=draw(amounts)),
                *draw(st.lists(tariffs(), max_size=3)),
            ),
        )
        for n in range(1, count + 1)
    )
    return Entry(
        entry_number=draw(entry_numbers()),
        entry_type="01",
        importer_number="12-3456789AB",
        entry_date=entry_date,
        lines=lines,
    )


# --- whole entries as an ES-003 holds them --------------------------------------------------

ES003_HTS = [*IEEPA_CN, *NON_IEEPA_CH99, *ORDINARY, "9903.01.25", "9903.02.20"]
ES003_RATES = [None, "Free", "2.5%", "25%", "7.5%"]


def quantities() -> st.SearchStrategy[Decimal]:
    """Non-negative quantities with up to 3 decimal places (kilograms to the gram)."""
    return st.integers(min_value=0, max_value=10**9).map(lambda q: Decimal(q) / 1000)


@st.composite
def es003_tariffs(draw: st.DrawFn) -> Tariff:
    """Any tariff row an ES-003 can carry: every field present or blank."""
    return Tariff(
        hts=draw(st.sampled_from(ES003_HTS)),
        value=draw(st.one_of(st.none(), money(10_000_000))),
        quantity=draw(st.one_of(st.none(), quantities())),
        unit=draw(st.sampled_from([None, "KG", "NO", "DOZ"])),
        rate=draw(st.sampled_from(ES003_RATES)),
        duty=draw(st.one_of(st.none(), money(5_000_000))),
    )


@st.composite
def es003_entries(draw: st.DrawFn) -> Entry:
    """Entries with the fields an ES-003 row carries, each present or blank where it may be."""
    count = draw(st.integers(min_value=1, max_value=4))
    numbers = draw(
        st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True).map(sorted)
    )
    lines = tuple(
        EntryLine(
            number=n,
            country_of_origin=draw(st.sampled_from(["CN", "DE", "VN", "MX", "IN"])),
            tariffs=tuple(draw(st.lists(es003_tariffs(), min_size=1, max_size=4))),
        )
        for n in numbers
    )
    entered = draw(entry_dates)
    later = st.dates(min_value=entered, max_value=date(2027, 12, 31))
    return Entry(
        entry_number=draw(entry_numbers()),
        entry_type=draw(st.sampled_from(["01", "03", "11"])),
        importer_number=draw(st.sampled_from(PAYEES)),
        notify_party=draw(st.one_of(st.none(), st.sampled_from(PAYEES))),
        entry_date=entered,
        entry_summary_date=draw(st.one_of(st.none(), later)),
        deposit_date=draw(st.one_of(st.none(), later)),
        liquidation_date=draw(st.one_of(st.none(), later)),
        liquidation_status=draw(st.sampled_from([None, "LIQUIDATED", "UNLIQUIDATED"])),
        importer_name=draw(st.sampled_from([None, "ACME IMPORTS LLC", "Société Générale"])),
        port_of_entry=draw(st.sampled_from([None, "2704", "3802"])),
        reconciliation_flag=draw(st.one_of(st.none(), st.booleans())),
        drawback_claim=draw(st.one_of(st.none(), st.booleans())),
        lines=lines,
    )


# --- CBP's reports after filing (reconcile readers) -------------------------------------------

#: Cells a CBP export may hold in an entry-number column: good, wrapped, or junk.
cbp_entry_cells = st.one_of(
    entry_numbers(),
    entry_numbers().map(lambda n: f'="{n}"'),
    st.sampled_from(["6.05761E+10", "#N/A", "NOT-AN-ENTRY", ""]),
)
cbp_amount_cells = st.one_of(
    money(100_000).map(str),
    money(100_000).map(lambda m: f"${m:,}"),
    st.sampled_from(["1.234,56", "abc", "-5.00", "", "12.345"]),
)
#: Cells an ES-003 amount column may hold: the common digits and cents, and every shape near it
#: (thousands commas, a dollar sign, more places, more digits, signs, blanks, junk, numbers).
es003_amount_cells = st.one_of(
    cbp_amount_cells,
    st.from_regex(r"[-$]?[0-9,]{0,16}(\.[0-9]{0,4})?", fullmatch=True),
    st.from_regex(r"\s?[0-9]{1,14}(\.[0-9]{0,3})?\s?", fullmatch=True),
    st.text(alphabet="0123456789.,$-+eE ()", max_size=18),
    st.integers(min_value=-10, max_value=10**13),
    money(100_000),
)
cbp_date_cells = st.one_of(
    covered_dates.map(lambda d: d.strftime("%m/%d/%Y")),
    covered_dates.map(lambda d: d.isoformat()),
    st.sampled_from(["13/45/2026", "06/02/26", "45123", ""]),
)


@st.composite
def claim_rows(draw: st.DrawFn) -> list[str]:
    """A CAPE Claim Details row, good or bad, as its four cells."""
    status = draw(st.sampled_from(["Entry Summary Updated", "Failed", "Rejected", "Bogus", ""]))
    message = draw(st.sampled_from(["", "INVALID HTS", "PROTEST ON ENTRY", "new text"]))
    claim = draw(st.sampled_from(['="100000241223"', "100000241224", "1.00000E+11", ""]))
    return [draw(cbp_entry_cells), claim, status, message]


@st.composite
def deposit_rows(draw: st.DrawFn) -> list[str]:
    """A bank deposit row, good or bad: date, amount, reference."""
    return [draw(cbp_date_cells), draw(cbp_amount_cells), draw(st.sampled_from(["", "TREAS 310"]))]


#: REV-615 rows for reconcile: a few entries and refund numbers (blank: a layout without one),
#: so that the same row, or another for the same refund, comes up often.
refund_report_rows = st.lists(
    st.tuples(
        st.sampled_from(["31600000017", "31600000025", "31600000033"]),
        st.sampled_from(["R1", "R2", ""]),
        st.sampled_from(["1000.00", "2000.00"]),
        st.sampled_from(["82.83", "0.00"]),
    ).map(list),
    max_size=8,
)
#: REV-603 Treasury Issued rows: refund number and an amount, right or not.
issued_rows = st.lists(
    st.tuples(
        st.sampled_from(["R1", "R2"]),
        st.sampled_from(["1000.00", "1082.83", "2000.00", "2082.83", "3082.83"]),
    ).map(list),
    max_size=3,
)


# --- whole ES-003 files (the reader's own output checked against validation) ------------------

#: The ES-003 fields a drawn file carries, under their ACE headers: every field the reader
#: turns into an Entry field, the deposit columns among them.
ES003_FILE_FIELDS = (
    "entry_number",
    "line_number",
    "tariff_ordinal",
    "entry_type",
    "importer_number",
    "importer_name",
    "port_of_entry",
    "entry_date",
    "entry_summary_date",
    "liquidation_date",
    "liquidation_status",
    "protest_number",
    "protest_status",
    "notify_party",
    "deposit_date",
    "reconciliation_flag",
    "surety_paid",
    "summary_status",
    "supplemental_deposit_amount",
    "supplemental_deposit_date",
    "pre_liquidation_refund_amount",
    "pre_liquidation_refund_date",
    "country_of_origin",
    "hts",
    "value",
    "duty",
    "quantity",
    "unit",
    "rate",
)


def _date_cells(low: date, high: date) -> st.SearchStrategy[str]:
    days = st.dates(min_value=low, max_value=high)
    return st.one_of(
        days.map(lambda d: d.strftime("%m/%d/%Y")), days.map(lambda d: d.isoformat()), st.just("")
    )


@st.composite
def _entry_cells(draw: st.DrawFn) -> dict[str, str]:
    """An entry's own cells as an export writes them: padded, lower-case, sometimes wrong."""
    low, high = date(2025, 2, 1), date(2026, 12, 31)
    party = st.sampled_from([*PAYEES, " 12-3456789ab ", "98 7654321CD", "NOT A PARTY", ""])
    text = st.sampled_from(["", "ACME IMPORTS LLC", " Société Générale ", "2704", "x"])
    flag = st.sampled_from(["", "Y", "n", "yes", "FALSE", "1"])
    amount = st.sampled_from(["", "0.00", "5.00", "$1,250.00", "90000.00"])
    return {
        "entry_type": draw(st.sampled_from(["01", "1", " 11 ", "03", "x1"])),
        "importer_number": draw(party),
        "importer_name": draw(text),
        "port_of_entry": draw(text),
        "entry_date": draw(_date_cells(low, high).filter(bool)),
        "entry_summary_date": draw(_date_cells(low, high)),
        "liquidation_date": draw(_date_cells(low, high)),
        "liquidation_status": draw(st.sampled_from(["", "LIQUIDATED", " unliquidated ", "Liq"])),
        "protest_number": draw(st.sampled_from(["", "2704-25-100001", " p1 "])),
        "protest_status": draw(st.sampled_from(["", "open", "DENIED", "suspended"])),
        "notify_party": draw(party),
        "deposit_date": draw(_date_cells(low, high)),
        "reconciliation_flag": draw(flag),
        "surety_paid": draw(flag),
        "summary_status": draw(st.sampled_from(["", "ACCEPTED", "cancelled "])),
        "supplemental_deposit_amount": draw(amount),
        "supplemental_deposit_date": draw(_date_cells(low, high)),
        "pre_liquidation_refund_amount": draw(amount),
        "pre_liquidation_refund_date": draw(_date_cells(low, high)),
    }


@st.composite
def es003_files(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """An ES-003 file as (header, rows): a few entries of a few rows each, their rows in any
    order, an entry's own cells mostly repeated on its rows and now and then different; one
    entry number may carry a wrong check digit."""
    numbers = draw(st.lists(entry_numbers(), min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        first = numbers[0]
        numbers[0] = first[:10] + str((int(first[10]) + 1) % 10)  # a wrong check digit
    rows: list[list[str]] = []
    for number in numbers:
        own = draw(_entry_cells())
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            if draw(st.integers(min_value=0, max_value=9)) == 0:
                own = draw(_entry_cells())  # a row disagreeing with the entry's others
            cells = {
                **own,
                "entry_number": draw(st.sampled_from([number, f'="{number}"', number.lower()])),
                "line_number": str(draw(st.integers(min_value=1, max_value=3))),
                "tariff_ordinal": draw(st.sampled_from(["", "1", "2", "01"])),
                "country_of_origin": draw(st.sampled_from(["CN", "cn", "DE", "C"])),
                "hts": draw(st.sampled_from(ES003_HTS)),
                "value": draw(st.sampled_from(["", "1000.00", "$2,500.50", "-3.00"])),
                "duty": draw(st.one_of(money(50_000).map(str), st.sampled_from(["", "0.00"]))),
                "quantity": draw(st.sampled_from(["", "10", "2.5"])),
                "unit": draw(st.sampled_from(["", "KG", "no"])),
                "rate": draw(st.sampled_from(["", *[r for r in ES003_RATES if r]])),
            }
            rows.append([cells[name] for name in ES003_FILE_FIELDS])
    return [COLUMNS[name][0] for name in ES003_FILE_FIELDS], draw(st.permutations(rows))


#: A few equal numbers, each written several ways: alike ("1000.00", "$1,000.00") and not
#: ("1000.0" and "1000" are equal to 1000.00 but keep their own exponents, "-0.00" its sign).
_EQUAL_AMOUNT_CELLS = [
    "1000.00",
    "$1,000.00",
    "1000.0",
    "1000",
    "0.00",
    "0",
    "-0.00",
    "3.00",
    "$3.00",
    "",
]


@st.composite
def es003_files_equal_amounts(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """An ES-003 file as :func:`es003_files` makes it, whose goods values and duties are drawn
    from a few equal numbers written in several ways: its entries hold equal amounts, some
    written alike (held once by ``read_es003``) and some not (never mixed up)."""
    header, rows = draw(es003_files())
    cells = st.sampled_from(_EQUAL_AMOUNT_CELLS)
    for row in rows:
        for name in ("value", "duty"):
            row[ES003_FILE_FIELDS.index(name)] = draw(cells)
    return header, rows


# --- ES-003 cells at the edges of the bulk engine's vectorised fast cases ---------------------

#: Money cells: plain and grouped amounts (some past the 10**12-dollar bound, some finer
#: than a cent), bare integers, and junk from the characters an amount is made of.
es003_amount_cells = st.one_of(
    st.integers(0, 10**15).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    st.integers(0, 10**15).map(lambda c: f"${c // 100:,}.{c % 100:02d}"),
    st.integers(0, 10**15).map(lambda c: f"{c // 10}.{c % 10}"),
    st.integers(0, 10**9).map(lambda c: f"{c // 1000}.{c % 1000:03d}"),
    st.integers(0, 10**16).map(str),
    st.text(alphabet="0123456789,.$- ", max_size=22),
    st.text(max_size=6),
)
#: Entry-number cells: valid, wrong check digit, spaced or wrapped, too short or long, junk.
es003_entry_cells = st.one_of(
    entry_numbers(),
    entry_numbers().map(lambda n: n[:10] + str((int(n[10]) + 1) % 10)),
    entry_numbers().map(lambda n: f"{n[:3]}-{n[3:10]}-{n[10]}"),
    entry_numbers().map(lambda n: f'="{n}"'),
    entry_numbers().map(str.lower),
    st.text(alphabet="0123456789", min_size=9, max_size=13),
    st.text(alphabet=ALNUM + '- ="', max_size=14),
)


# --- entry numbers whose filer code has letters (many real brokers') ---------------------------

#: Filer codes with at least one capital letter.
lettered_filer_codes = filer_codes.filter(lambda code: not code.isdigit())


@st.composite
def lettered_entry_numbers(draw: st.DrawFn) -> str:
    """A valid compact entry number whose filer code has a letter (``B76...``)."""
    first_ten = draw(lettered_filer_codes) + draw(transactions)
    return first_ten + en.calc_check_digit(first_ten)


# --- roads: entries on every road, with the options and ledger a road is computed with ------

#: Declaration dates around every CAPE rule change in the shipped data (2026-04-20 to
#: 2026-10-06), before CAPE opened and past the rate table's end.
road_declaration_dates = st.dates(min_value=date(2026, 3, 1), max_value=date(2027, 3, 31))

refund_options = st.builds(
    RefundOptions,
    method=st.sampled_from(["paid", "recalculate"]),
    corporate=st.booleans(),
    project=st.booleans(),
    deposit=st.sampled_from(["reported", "pms"]),
    rounding=st.sampled_from(["ROUND_HALF_UP", "ROUND_HALF_EVEN"]),
    interest_conventions=interest_conventions,
)


@st.composite
def road_entries(draw: st.DrawFn) -> Entry:
    """Entries that reach every road: an ES-003 entry or a clean China one, liquidated inside
    or past each window or not at all, with CAPE's screening facts and deposit events drawn."""
    # Mostly clean China entries (the CAPE roads), now and then any ES-003 entry.
    base = draw(es003_entries() if draw(st.integers(0, 3)) == 0 else china_entries())
    if draw(st.booleans()):
        # Every line with its Chapter 1-97 number, valued: no HTS fault for CAPE to refuse.
        goods = Tariff(hts=ORDINARY[0], value=draw(money(100_000).filter(bool)), duty=Decimal(0))
        lines = tuple(
            line.model_copy(update={"tariffs": (goods, *line.tariffs)}) for line in base.lines
        )
        base = base.model_copy(update={"lines": lines})
    entered = base.entry_date
    liquidated = draw(
        st.one_of(
            st.none(),
            st.dates(min_value=max(entered, date(2025, 9, 1)), max_value=date(2027, 1, 31)),
        )
    )
    # Mostly a status that agrees with the date; now and then one that does not.
    agreeing = ["LIQUIDATED"] if liquidated else [None, "UNLIQUIDATED", "SUSPENDED", "EXTENDED"]
    status = draw(
        st.sampled_from(agreeing)
        if draw(st.integers(0, 7))
        else st.sampled_from([None, "LIQUIDATED", "UNLIQUIDATED"])
    )
    deposited = draw(
        st.one_of(st.none(), st.dates(min_value=entered, max_value=entered + timedelta(days=60)))
    )
    deposits: tuple[DepositEvent, ...] = ()
    if deposited is not None and draw(st.integers(min_value=0, max_value=4)) == 0:
        # A supplemental deposit: the segmented interest, which only compute_refund knows.
        first = draw(money(500_000).filter(bool))
        deposits = (
            DepositEvent(kind="deposit", date=deposited, amount=first),
            DepositEvent(
                kind="deposit",
                date=deposited + timedelta(days=draw(st.integers(1, 90))),
                amount=draw(money(50_000).filter(bool)),
            ),
        )

    def rarely(value: object) -> object:
        return draw(st.sampled_from([None, None, None, None, None, None, value]))

    changes = {
        "entry_type": draw(st.sampled_from(["01"] * 6 + ["03", "11", "21", "08", "09"])),
        "liquidation_date": liquidated,
        "liquidation_status": status,
        "deposit_date": deposited,
        "deposits": deposits,
        "reconciliation_flag": rarely(True),
        "type09_filed": draw(st.one_of(st.none(), st.booleans())),
        "drawback_claim": rarely(True),
        "protest_number": rarely("2704-26-100001"),
        "protest_status": draw(st.sampled_from([None, None, None, "open", "closed"])),
        "summary_status": rarely("CANCELLED"),
        "incomplete_rows": rarely(1) or 0,
    }
    return Entry.model_validate({**base.model_dump(), **changes})


@st.composite
def road_ledgers(
    draw: st.DrawFn, entry: Entry, declared_by: date | None = None
) -> tuple[dict[str, str], dict[str, date]]:
    """A ledger that names ``entry`` or not, and the date it was declared on, when known
    (on or before ``declared_by``: a later one is refused as a typo; on or after CAPE's
    opening in the rules data: an earlier one is refused too)."""
    if not draw(st.booleans()):
        return {}, {}
    ledger = {entry.entry_number: draw(st.sampled_from(["", "cape_ab_001.csv"]))}
    opens = cape_opens()
    assert opens is not None
    dates = (
        road_declaration_dates.map(lambda d: max(d, opens))
        if declared_by is None
        else st.dates(min_value=opens, max_value=max(declared_by, opens))
    )
    if declared_by is not None and declared_by < opens:
        dates = st.none()  # no declaration can be dated before the road's date
    when = draw(st.one_of(st.none(), dates))
    return ledger, ({} if when is None else {entry.entry_number: when})


@st.composite
def road_runs(draw: st.DrawFn) -> tuple[int, date, int, float, bool]:
    """A run of the roads over a generated ES-003 (the bench generator's entries, 2025-09 to
    2025-11, liquidated 200-300 days later or not): (seed, declaration date, days to
    liquidation after acceptance, share of entries in the ledger, ledger rows dated)."""
    return (
        draw(st.integers(0, 10_000)),
        draw(st.dates(date(2026, 3, 1), date(2026, 12, 31))),
        draw(st.integers(1, 400)),
        draw(st.sampled_from((0.0, 0.3, 1.0))),
        draw(st.booleans()),
    )


@st.composite
def ledger_dated_runs(
    draw: st.DrawFn,
) -> tuple[date, date | None, tuple[date, date], date, tuple[int, int, int]]:
    """A declared entry's runs (test_roads' ledger-date property): (its ledger declaration
    date, from CAPE's opening, 2026-04-20; its liquidation date, up to 200 days before that or
    100 after (CAPE's own liquidation), or None; two road dates on or after it; the as-of date; the timing days: liquidation after
    acceptance, reliquidation window, payment after acceptance)."""
    declared = draw(st.dates(date(2026, 4, 20), date(2026, 12, 31)))
    liquidated = draw(st.one_of(st.none(), st.integers(-100, 200)))
    later = st.integers(0, 300).map(lambda n: declared + timedelta(days=n))
    return (
        declared,
        None if liquidated is None else declared - timedelta(days=liquidated),
        (draw(later), draw(later)),
        draw(later),
        (draw(st.integers(0, 120)), draw(st.integers(0, 120)), draw(st.integers(0, 120))),
    )


#: A ragged ES-003 text file's rows: (entry 0-4, blank cells past the header 0-2), several
#: rows of one entry apart or together; see test_es003_contract's usual-width tests.
ragged_rows = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from([0, 0, 1, 1, 2])), min_size=1, max_size=14
)


def _plain_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@st.composite
def shifted_rows(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, int, str, str, str, str]], int, str]:
    """ES-003 rows (entry 1-4, ordinal 1 for the Chapter 99 row or 2 for the goods row, goods
    value, duty, quantity, unit as written) with one amount of 1,000.00 or more written with
    its thousands comma unquoted, so that it splits: (rows, its entry, layout: "long" with
    columns after the unit, "short" ending at it). See test_es003_shift's property."""
    count = draw(st.integers(1, 4))
    units = st.sampled_from(["NO", "KG", "DOZ", "M2", "M3", "X", "PCS"])
    rows: list[tuple[int, int, str, str, str, str]] = []
    for n in range(1, count + 1):
        # A Chapter 99 row has no value; its quantity and unit mostly blank, as in ES-003.
        qty, unit = draw(st.sampled_from([("", ""), ("", ""), ("10", "NO")]))
        rows.append((n, 1, "", _plain_cents(draw(st.integers(0, 10**9))), qty, unit))
        qty = draw(st.sampled_from(["", "1", "10", "300", "2.5", "1200"]))
        unit = draw(units) if qty else ""
        value = _plain_cents(draw(st.integers(0, 10**9)))
        rows.append((n, 2, value, _plain_cents(draw(st.integers(0, 10**6))), qty, unit))
    where = draw(st.integers(0, len(rows) - 1))
    n, ordinal, value, duty, qty, unit = rows[where]
    # The amount to split: the duty on either row, or the goods row's value.
    column = draw(st.sampled_from(["duty", "value"] if ordinal == 2 else ["duty"]))
    cents = draw(st.integers(100_000, 10**13))
    split = f"{cents // 100:,}.{cents % 100:02d}"
    if draw(st.booleans()):
        split = "$" + split
    rows[where] = (
        (n, ordinal, split, duty, qty, unit)
        if column == "value"
        else (n, ordinal, value, split, qty, unit)
    )
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))
    return rows, n, draw(st.sampled_from(["long", "short"]))


@st.composite
def single_deposit_cases(draw: st.DrawFn) -> tuple[Entry, date, Decimal, date]:
    """(entry without a deposit date, a deposit date near its entry date, a surplus of at least a
    cent, an interest end): a one-row deposit history covering the refund by the surplus."""
    entry = draw(st.one_of(china_entries(), es003_entries()))
    entry = entry.model_copy(update={"deposit_date": None, "deposits": ()})
    entered = entry.entry_date
    # Now and then before the entry date, even before IEEPA: the warnings must agree too.
    deposited = draw(
        st.dates(min_value=entered - timedelta(days=400), max_value=entered + timedelta(days=90))
    )
    surplus = draw(money(50_000).filter(bool))
    until = draw(st.dates(min_value=entered, max_value=date(2026, 12, 31)))
    return entry, deposited, surplus, until


@st.composite
def copy_cases(draw: st.DrawFn) -> tuple[bytes, int, set[int], bool]:
    """(a file's bytes, header rows, line numbers kept, blank) for the bulk engine's copy of
    the rows it leaves (bulk._fallback._copy): lines of commas, quotes and text ended by LF,
    CRLF or (within a line) a lone CR, the last with or without its end; lines kept drawn
    anywhere, past the end included."""
    lines = draw(st.lists(st.text(alphabet='a,"\r', max_size=6).map(str.encode), max_size=40))
    ends = [draw(st.sampled_from([b"\n", b"\r\n", b"\n"])) for _ in lines]
    data = b"".join(line + end for line, end in zip(lines, ends, strict=True))
    if lines and draw(st.booleans()):
        data = data[: -len(ends[-1])]  # the last line without its end
    header = draw(st.integers(0, 3))
    keep = draw(st.sets(st.integers(1, len(lines) + 3)))
    return data, header, keep, draw(st.booleans())


@st.composite
def csv_chunks(draw: st.DrawFn) -> tuple[bytes, int]:
    """(a chunk of CSV lines, a header width) for the bulk reader's count of each line's
    cells (bulk._read._whole): commas, quoted cells with doubled quotes and commas, blank
    lines of commas, CRLF ends, the last line with or without its end."""
    cell = st.sampled_from(["", "a", "1,2", '"x,y"', '"a""b,"', '"', "\r", ",", " "])
    lines = draw(
        st.lists(
            st.lists(cell, max_size=5).map(",".join)
            | st.integers(0, 5).map(lambda n: "," * n)
            | st.integers(0, 5).map(lambda n: "," * n + "\r")
            # Commas and one other byte, anywhere: blank only when it is a CR at the end.
            | st.tuples(
                st.integers(0, 4), st.sampled_from(["a", "\r", '"']), st.integers(0, 4)
            ).map(lambda t: "," * t[0] + t[1] + "," * t[2]),
            min_size=1,
            max_size=30,
        )
    )
    # A chunk is never empty (bulk._read._chunks): at least one line, or its end.
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n"]))
    return (text or "\n").encode(), draw(st.integers(1, 6))


@st.composite
def cut_files(draw: st.DrawFn) -> tuple[str, int]:
    """(a clean ES-003 text, a place in its last row): entries of one to three rows, the last
    column an amount (a layout without the quantity columns) or the unit, cells quoted or
    not, amounts written with or without ``$`` and thousands commas; the text cut there is
    a download interrupted in its last row."""
    last = draw(st.sampled_from(["Line Tariff Duty Amount", "Line Tariff UOM (1) Code"]))
    header = [
        "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code",
        "Importer Number", "Entry Date", "Country of Origin Code", "HTS Number - Full",
        "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Line Tariff UOM (1) Code",
    ]  # fmt: skip
    header.remove(last)
    header.append(last)
    rows: list[dict[str, str]] = []
    for number in draw(st.lists(entry_numbers(), min_size=1, max_size=3, unique=True)):
        for line in range(1, draw(st.integers(1, 3)) + 1):
            duty = draw(money(100_000))
            written = draw(st.sampled_from(["{:f}", "${:,.2f}", "{:,.2f}"])).format(duty)
            rows.append({
                "Entry Summary Number": number, "Entry Summary Line Number": str(line),
                "Entry Type Code": "01", "Importer Number": "12-3456789AB",
                "Entry Date": "06/02/2025", "Country of Origin Code": "CN",
                "HTS Number - Full": "9903.01.25", "Line Tariff Goods Value Amount": "",
                "Line Tariff Duty Amount": written, "Line Tariff UOM (1) Code": "",
            })  # fmt: skip
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows([[row[name] for name in header] for row in rows])
    text = out.getvalue()
    start = text.rstrip("\r\n").rfind("\n") + 1
    return text, draw(st.integers(min_value=start + 1, max_value=len(text.rstrip("\r\n")) - 1))


# --- chunks of cells for the bulk engine's per-run memo of parsed cells ---------------------


@st.composite
def recurring_cell_chunks(draw: st.DrawFn) -> list[list[str]]:
    """Chunks of one column's cells drawn from a small pool, so most cells recur in several
    chunks (as a file's do): amounts, entry numbers, HTS numbers, origins, dates, line
    numbers and ordinals, each well-formed or not (bulk._cells.distinct's memo)."""
    pool = draw(
        st.lists(
            st.one_of(
                es003_amount_cells,
                es003_entry_cells,
                st.sampled_from(["9903.01.24", "9903.02.69", "8471300100", "8471.30.01", "99"]),
                st.sampled_from(["CN", "cn", " VN", "C", "XX1", "", "1", "01", "99999", "0"]),
                st.sampled_from(["09/22/2025", "2025-09-22", "22/09/2025", "9/2/25", "x"]),
            ),
            min_size=1,
            max_size=12,
        )
    )
    cells = st.sampled_from(pool)
    return draw(st.lists(st.lists(cells, max_size=25), min_size=1, max_size=5))


#: (unit, quantity) cells of an ES-003 row: units of letters, of digits, of neither, mixed;
#: quantities blank or not (bulk._read.unit_odd).
unit_quantity_cells = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(["NO", "KG", "", " ", "10", "1.5", "X1", "-", "k g", "٣"]),
            st.text(alphabet="0123456789AZaz .-", max_size=4),
        ),
        st.sampled_from(["", "10", "1,5", " "]),
    ),
    max_size=30,
)


# --- entry numbers of the compact shape, whatever their check digit ---------------------------

#: Ten characters of the compact shape: a filer code (digits or capitals) and 7 digits.
first_tens = st.builds(lambda code, transaction: code + transaction, filer_codes, transactions)
#: Eleven characters of the compact shape, the last digit any: right or wrong check digits.
shaped_entry_numbers = st.builds(
    lambda first, last: first + last, first_tens, st.sampled_from("0123456789")
)


@st.composite
def entry_field_cells(draw: st.DrawFn) -> tuple[str, list[str | None]]:
    """An entry field's name and a column of its cells as the bulk engine holds them: each
    entry's cell drawn as an export writes it, sometimes missing (null), values repeated."""
    name = draw(st.sampled_from(sorted(_ENTRY_CELL_NAMES)))
    values = draw(st.lists(_entry_cells().map(lambda cells: cells[name]), min_size=1, max_size=6))
    return name, draw(st.lists(st.one_of(st.sampled_from(values), st.none()), max_size=40))


_ENTRY_CELL_NAMES = frozenset(
    {"entry_type", "importer_number", "importer_name", "port_of_entry", "entry_date",
     "entry_summary_date", "liquidation_date", "liquidation_status", "protest_number",
     "protest_status", "notify_party", "deposit_date", "reconciliation_flag", "surety_paid",
     "summary_status"}
)  # fmt: skip


@st.composite
def duty_paid_histories(draw: st.DrawFn) -> tuple[Entry, tuple[DepositEvent, ...], Decimal]:
    """(a China entry, every duty reported, a deposit history, the history's net less the duty
    the entry reports as paid): the first deposit on or after the entry date, supplemental
    deposits and pre-liquidation refunds after it in any order, the balance never below zero;
    the net is the duty paid, or differs from it by at least a cent either way."""
    entry = draw(china_entries())
    paid = sum((t.duty or Decimal(0) for line in entry.lines for t in line.tariffs), Decimal(0))
    cents = int(paid * 100)
    assume(cents > 0)  # nothing paid: no history nets to it
    delta = 0 if draw(st.booleans()) else draw(st.integers(1 - cents, 1_000_000).filter(bool))
    target = cents + delta  # at least a cent, so a history can net to it
    supplements: list[int] = []
    room = target - 1  # supplements leave the first deposit, and every balance, above zero
    for _ in range(draw(st.integers(0, 3))):
        if room < 1:
            break
        supplements.append(draw(st.integers(1, room)))
        room -= supplements[-1]
    refunds = draw(st.lists(st.integers(1, 1_000_000), max_size=3))
    first = target - sum(supplements) + sum(refunds)
    start = entry.entry_date + timedelta(days=draw(st.integers(0, 30)))
    later = st.integers(1, 300).map(lambda days: start + timedelta(days=days))
    events = [DepositEvent(kind="deposit", date=start, amount=Decimal(first) / 100)]
    events += [
        DepositEvent(kind=kind, date=draw(later), amount=Decimal(amount) / 100)
        for kind, amounts in (("deposit", supplements), ("refund", refunds))
        for amount in amounts
    ]
    return entry, tuple(events), Decimal(delta) / 100


#: The header the repeated-header strategy's rows are read under (its entry number first).
REPEAT_HEADER = [
    "Entry Summary Number", "Entry Summary Line Number", "Entry Type Code", "Importer Number",
    "Entry Date", "Country of Origin Code", "HTS Number - Full", "Line Tariff Duty Amount",
]  # fmt: skip


@st.composite
def repeat_records(draw: st.DrawFn) -> list[tuple[int, int, list[object] | str]]:
    """Raw records after a header row (row 1) as the text reader gives them, of every kind the
    repeated-header check tells apart: data rows (entry cells starting with an ASCII digit, a
    Unicode digit, a letter, blank; number cells), repeats of the header in two spellings, a
    header with other columns, title rows, blank rows and records not read as rows."""
    entry_cells = st.one_of(
        entry_numbers(),
        st.sampled_from(["", " ", "٣1600094010", "²", "N/A", "ABC 123", "316-0009401-0"]),
        st.integers(min_value=0, max_value=10**11),
        st.text(alphabet="0123456789 -Aa٣²", max_size=6),
    )
    kinds = st.one_of(
        st.builds(
            lambda cell: [cell, "1", "01", "12-3456789AB", "06/02/2025", "CN", "99030125", "1.00"],
            entry_cells,
        ),
        st.just(list(REPEAT_HEADER)),
        st.just([cell.upper().replace(" ", "_") for cell in REPEAT_HEADER]),
        st.just([*REPEAT_HEADER[:-1], "Line Tariff Goods Value Amount"]),
        st.builds(
            lambda title: [title, *[""] * 7], st.sampled_from(["ES-003 Title", "Report", "x1"])
        ),
        st.just([""] * 8),
        st.just([]),
        st.just("not readable as CSV: field larger than field limit"),
    )
    rows = draw(st.lists(kinds, max_size=12))
    return [(number, 1, row) for number, row in enumerate(rows, start=2)]


@st.composite
def deposit_histories(
    draw: st.DrawFn, *, positive: bool = False
) -> tuple[list[DepositEvent], Decimal, date]:
    """(deposit events in date order, the amount finally due, the interest end) inside the shipped
    rate table: a first deposit, then up to three deposits or pre-liquidation refunds, some on one
    day. ``positive``: deposits only and a due below the first, so the excess (and with it the
    running account) stays in the importer's favour throughout."""
    first = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)))
    until = draw(st.dates(min_value=first, max_value=date(2026, 12, 31)))
    opening = draw(money(2_000_000).filter(lambda a: a >= Decimal("0.02")))
    events, balance, day = (
        [DepositEvent(kind="deposit", date=first, amount=opening)],
        opening,
        first,
    )
    for _ in range(draw(st.integers(0, 3))):
        day = draw(st.dates(min_value=day, max_value=until))
        if not positive and balance > Decimal("0.01") and draw(st.booleans()):
            amount = draw(money(2_000_000).filter(lambda a, b=balance: 0 < a < b))
            events.append(DepositEvent(kind="refund", date=day, amount=amount))
            balance -= amount
        else:
            amount = draw(money(500_000).filter(bool))
            events.append(DepositEvent(kind="deposit", date=day, amount=amount))
            balance += amount
    top = opening - Decimal("0.01") if positive else balance * 2
    due = draw(st.integers(0, int(top * 100)).map(lambda c: Decimal(c) / 100))
    return events, due, until


#: Amount text with exactly three decimals, not zero, and 1 to 3 digits before the dot: what a
#: dot-thousands locale writes for 2,500 once a "#.##0" format drops the cents ("2.500"), or
#: 1,234 ("1.234"); signed or with a dollar sign. Every amount parser must refuse it, never
#: read it one way.
three_decimal_amount_cells = st.builds(
    lambda thousandths, sign, dollar: (
        f"{sign}{dollar}{thousandths // 1000}.{thousandths % 1000:03d}"
    ),
    # 1 to 999 before the dot: the amounts a dot could group thousands in (t69/07).
    st.integers(1000, 999_999),
    st.sampled_from(["", "-"]),
    st.sampled_from(["", "$"]),
)


@st.composite
def claim_histories(draw: st.DrawFn) -> tuple[int, list[list[list[str]]], str]:
    """One entry's CAPE history: declared 1 to 3 times, each declaration but the last failed
    (so declared again), the last answered Failed, Pending or not yet; CBP's answers as
    Claim Details downloads, oldest first, a failed claim sometimes seen Pending in an older
    download, rows in any order within the newest. Returns (declarations, downloads, the
    status the latest declaration's answer gives)."""
    declared = draw(st.integers(1, 3))
    latest = draw(st.sampled_from(["failed", "pending", "none"]))
    outcomes = ["failed"] * (declared - 1) + ([] if latest == "none" else [latest])
    final: list[list[str]] = []
    stale: list[list[str]] = []
    for i, outcome in enumerate(outcomes):
        claim = f'="{100000000001 + i}"'
        if outcome == "failed":
            # A message whose fix is to resubmit: a wrong "failed" would be declared again.
            message = "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97"
            final.append(["31600000017", claim, "Failed", message])
            if draw(st.booleans()):
                stale.append(["31600000017", claim, "Pending", ""])
        else:
            final.append(["31600000017", claim, "Pending", ""])
    newest = draw(st.permutations(final))
    downloads = [stale, newest] if stale else [newest]
    expected = {"failed": "failed", "pending": "pending", "none": "declared"}[latest]
    return declared, downloads, expected


@st.composite
def equal_deposit_days(draw: st.DrawFn) -> list[int]:
    """Days from a refund date of deposits of one amount, all within the matching window
    (5 days early to 45 after), in any order and with repeats."""
    return draw(st.lists(st.integers(min_value=-5, max_value=45), min_size=1, max_size=6))


@st.composite
def refund_row_copies(draw: st.DrawFn) -> list[tuple[int, bool, bool, bool]]:
    """Refund rows as (which refund of three, with its refund number, payee dashed, ISO
    dates): copies of one refund in the forms two reports write it."""
    return draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.booleans(), st.booleans(), st.booleans()),
            min_size=1,
            max_size=8,
        )
    )


@st.composite
def refund_splits(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """An entry's refunds as (days after the first (re)liquidation, principal cents, interest
    cents), one per (re)liquidation date: refunded at liquidation, then at reliquidations."""
    days = draw(st.lists(st.integers(0, 300), min_size=1, max_size=3, unique=True))
    return [(d, draw(st.integers(1, 10**8)), draw(st.integers(0, 10**6))) for d in sorted(days)]


#: Characters that sink a declaration wherever they land in it (t67/02): the quote, the
#: controls str.splitlines splits at (VT, FF, FS-RS, NEL), a bare CR, NUL, DEL.
declaration_damage = st.sampled_from(
    ['"', "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\r", "\x00", "\x7f"]
)


@st.composite
def damaged_declarations(draw: st.DrawFn) -> tuple[list[str], str, int]:
    """Distinct valid entry numbers, a damaging character and where in the file's text (the
    header and numbers, CRLF-ended) it is inserted, or which character it replaces."""
    numbers = draw(st.lists(entry_numbers(), min_size=1, max_size=8, unique=True))
    return numbers, draw(declaration_damage), draw(st.integers(min_value=0))
