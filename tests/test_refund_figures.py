"""``compute_figures`` tied to ``compute_refund``: every entry-level field the same, to the text.

The lean road builds no per-line or per-number result and no per-quarter interest split; it
must still give the very principal, bound, interest, dates, warnings and versions the full
refund gives, for every entry and every choice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ieepa_refund import (
    DepositEvent,
    Entry,
    EntryLine,
    EntryRefund,
    RefundFigures,
    RefundOptions,
    Tariff,
    WarningCode,
    compute_figures,
    compute_refund,
    consolidate,
)
from ieepa_refund.registry import is_ieepa_status
from tests.strategies import (
    china_entries,
    es003_entries,
    refund_options,
    registry_entries,
    road_entries,
)

ENTRIES = st.one_of(
    es003_entries(),
    china_entries(),
    china_entries(rated=True),
    registry_entries().map(lambda drawn: drawn[0]),
    road_entries(),
)
UNTIL = st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2027, 6, 30)))

SHARED = tuple(RefundFigures.model_fields)


def _same_figures(figures: RefundFigures, refund: EntryRefund) -> None:
    """Every field the two share, compared by value and by text (1.0 and 1.00 differ)."""
    assert set(SHARED) <= set(EntryRefund.model_fields)
    for name in SHARED:
        mine, full = getattr(figures, name), getattr(refund, name)
        assert mine == full, name
        assert repr(mine) == repr(full), name
    assert (figures.payee, figures.total, figures.uncertain, figures.warning_codes) == (
        refund.payee,
        refund.total,
        refund.uncertain,
        refund.warning_codes,
    )
    # The JSON of the figures is the full refund's, less its detail.
    dumped = refund.model_dump(
        mode="json", exclude={"lines", "interest_detail", "interest_segments"}
    )
    assert figures.model_dump(mode="json") == dumped


def test_the_figures_hold_every_entry_level_field_of_a_refund() -> None:
    """Nothing at the entry level is left out: the figures are the refund less its detail."""
    detail = {"lines", "interest_detail", "interest_segments"}
    assert set(RefundFigures.model_fields) == set(EntryRefund.model_fields) - detail


@given(ENTRIES, refund_options, UNTIL)
def test_figures_are_the_refunds_entry_level_values(
    entry: Entry, options: RefundOptions, until: date | None
) -> None:
    """For any entry, options and interest end, the lean figures are the full refund's."""
    figures = compute_figures(entry, options=options, interest_until=until)
    refund = compute_refund(entry, options=options, interest_until=until)
    _same_figures(figures, refund)


@given(ENTRIES, refund_options)
def test_ieepa_paid_is_the_duty_paid_on_the_ieepa_numbers(
    entry: Entry, options: RefundOptions
) -> None:
    """``ieepa_paid`` is the paid of every number of an IEEPA status (estimates included),
    summed from 0.00 in order: the command's figure, to the text (the figures equal it above)."""
    refund = compute_refund(entry, options=options)
    ieepa = [t.paid for t in refund.tariffs if is_ieepa_status(t.status)]
    assert repr(refund.ieepa_paid) == repr(sum(ieepa, Decimal("0.00")))


def _entry(*tariffs: Tariff, **changes: object) -> Entry:
    line = EntryLine(number=1, country_of_origin="CN", tariffs=tariffs)
    fields: dict[str, object] = {
        "entry_number": "B76-0324527-8",
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": date(2025, 6, 2),
        "liquidation_date": date(2026, 3, 2),
        "deposit_date": date(2025, 6, 20),
        "lines": (line,),
    }
    return Entry.model_validate({**fields, **changes})


IEEPA = Tariff(hts="9903.01.24", duty=Decimal("20.00"))
GOODS = Tariff(hts="8471.30.0100", value=Decimal("1000.00"), duty=Decimal("0.00"))


def _both(entry: Entry, **options: object) -> tuple[RefundFigures, EntryRefund]:
    figures = compute_figures(entry, **options)  # type: ignore[arg-type]
    refund = compute_refund(entry, **options)  # type: ignore[arg-type]
    _same_figures(figures, refund)
    return figures, refund


def test_a_plain_entry_has_its_interest_to_the_cent() -> None:
    figures, refund = _both(_entry(IEEPA, GOODS))
    assert figures.principal == Decimal("20.00")
    assert figures.interest is not None
    assert figures.interest > 0
    assert refund.interest_detail is not None  # the full road keeps the per-quarter split


def test_an_estimated_duty_warns_alike() -> None:
    """A missing IEEPA duty estimated from the value: the estimate and its warning."""
    figures, _ = _both(_entry(Tariff(hts="9903.01.24"), GOODS))
    assert WarningCode.ESTIMATED_DUTY in figures.warning_codes
    assert figures.principal == Decimal("200.00")  # the heading's 20% of 1000.00


def test_an_unknown_bound_and_interest_on_the_established_principal() -> None:
    """No value to estimate from: principal 0, no upper bound, said so."""
    figures, _ = _both(_entry(IEEPA, Tariff(hts="9903.01.25"), Tariff(hts="8471.30.0100")))
    assert figures.principal_high is None
    assert WarningCode.UNCERTAIN in figures.warning_codes


def test_an_incomplete_entry_has_no_bound_and_no_established_principal() -> None:
    figures, _ = _both(_entry(IEEPA, GOODS, incomplete_rows=2))
    assert figures.principal == 0
    assert figures.principal_high is None
    assert WarningCode.INCOMPLETE_ENTRY in figures.warning_codes


def test_an_unliquidated_entry_has_no_interest_figure_unless_an_end_is_given() -> None:
    figures, _ = _both(_entry(IEEPA, GOODS, liquidation_date=None))
    assert figures.interest is None
    assert WarningCode.NO_INTEREST_UNLIQUIDATED in figures.warning_codes
    figures, _ = _both(_entry(IEEPA, GOODS, liquidation_date=None), interest_until=date(2026, 7, 1))
    assert figures.interest is not None
    assert figures.interest_until == date(2026, 7, 1)


def test_interest_past_the_rate_table_is_none_or_projected_alike() -> None:
    late = _entry(IEEPA, GOODS, liquidation_date=None)
    figures, _ = _both(late, interest_until=date(2035, 1, 1))
    assert figures.interest is None
    assert WarningCode.RATE_NOT_COVERED in figures.warning_codes
    figures, _ = _both(late, interest_until=date(2035, 1, 1), project=True)
    assert figures.interest is not None
    assert WarningCode.RATE_PROJECTED in figures.warning_codes


def test_several_deposits_give_the_segmented_figure() -> None:
    deposits = (
        # 15 + 5: the 20.00 of duty the entry reports as paid (t65: DEPOSITS_NOT_DUTY_PAID).
        DepositEvent(kind="deposit", date=date(2025, 6, 20), amount=Decimal("15.00")),
        DepositEvent(kind="deposit", date=date(2025, 8, 1), amount=Decimal("5.00")),
    )
    figures, refund = _both(_entry(IEEPA, GOODS, deposits=deposits))
    assert refund.interest_segments is not None
    assert figures.interest == refund.interest_segments.interest


def test_an_assumed_deposit_date_and_the_pms_rule() -> None:
    figures, _ = _both(_entry(IEEPA, GOODS, deposit_date=None))
    assert WarningCode.DEPOSIT_DATE_ASSUMED in figures.warning_codes
    figures, _ = _both(_entry(IEEPA, GOODS, deposit_date=None), deposit="pms")
    assert figures.deposit_basis == "periodic monthly statement (15th working day)"


def test_nothing_to_refund_has_interest_zero() -> None:
    figures, _ = _both(_entry(GOODS))
    assert figures.interest == 0
    assert WarningCode.NO_IEEPA_HTS_ON_ENTRY in figures.warning_codes


def test_consolidate_pays_figures_as_it_pays_refunds() -> None:
    """Payments built from the lean figures are the payments built from full refunds."""
    entries = [
        _entry(IEEPA, GOODS, entry_number=number, liquidation_date=day)
        for number, day in (
            ("B76-0324527-8", date(2026, 3, 2)),
            ("B76-0324528-6", date(2026, 3, 2)),
            ("B76-0324529-4", date(2026, 4, 1)),
        )
    ]
    lean = consolidate([compute_figures(entry) for entry in entries])
    full = consolidate([compute_refund(entry) for entry in entries])
    assert lean == full
    assert len(lean) == 2


def test_the_figures_table_and_summary_are_the_refunds_entry_level() -> None:
    """One entry row, as the refund's entry table writes it; a notebook summary without detail."""
    figures, refund = _both(_entry(IEEPA, GOODS, deposit_date=None))
    assert figures.to_records() == refund.to_records(level="entry")
    shown = figures.summary_html()
    assert "B7603245278" in shown
    assert "DEPOSIT_DATE_ASSUMED" in shown
