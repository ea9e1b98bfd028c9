from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ieepa_refund import DataError, Entry, EntryLine, ValidationError, default_registry
from ieepa_refund import entry_number as en
from ieepa_refund.cape import (
    PROTEST_DAYS,
    RELIQUIDATION_DAYS,
    CapeRules,
    Rule,
    check_declaration,
    deadlines,
    default_cape_rules,
    screen,
    write_declarations,
)
from ieepa_refund.cape.rules import RULE_NAMES, RuleSet, has_term
from tests.strategies import entry_numbers, es003_entries, road_entries

LIQ = date(2026, 4, 24)


def entry(**kw: Any) -> Entry:
    data: dict[str, Any] = {
        "entry_number": "B76-0324527-8",
        "entry_type": "01",
        "importer_number": "12-3456789AB",
        "entry_date": "2025-06-02",
        "lines": [
            {
                "number": 1,
                "country_of_origin": "CN",
                "tariffs": [{"hts": "9903.01.24", "duty": "10"}],
            }
        ],
    }
    return Entry.model_validate({**data, **kw})


# --- screening --------------------------------------------------------------------------------


def test_liquidated_80_days_before_is_in_81_is_out() -> None:
    liquidated = entry(liquidation_date=LIQ)
    inside = screen(liquidated, declared_on=LIQ + timedelta(days=80))
    outside = screen(liquidated, declared_on=LIQ + timedelta(days=81))
    assert inside.status == "eligible"
    assert outside.status == "excluded"
    assert outside.reason_codes == ("LIQUIDATED_OVER_80_DAYS",)
    assert outside.reasons[0].message.startswith("ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS")
    assert inside.deadlines.cape_window_closes == LIQ + timedelta(days=80)
    assert inside.deadlines.reliquidation_window_closes == LIQ + timedelta(days=90)
    assert inside.deadlines.protest_window_closes == LIQ + timedelta(days=180)


@pytest.mark.parametrize(
    ("declared_on", "entry_type", "type09", "status", "code"),
    [
        (date(2026, 6, 28), "01", False, "excluded", "RECON_FLAGGED"),
        (date(2026, 6, 29), "01", False, "eligible", "RECON_FLAGGED_ALLOWED"),
        (date(2026, 6, 29), "01", None, "eligible", "RECON_FLAGGED_ALLOWED"),
        (date(2026, 6, 29), "01", True, "excluded", "RECON_FLAGGED"),
        (date(2026, 6, 29), "11", False, "excluded", "RECON_FLAGGED"),
    ],
)
def test_reconciliation_flag_before_and_after_2026_06_29(
    declared_on: date, entry_type: str, type09: bool | None, status: str, code: str
) -> None:
    result = screen(
        entry(entry_type=entry_type, reconciliation_flag=True, type09_filed=type09),
        declared_on=declared_on,
    )
    assert (result.status, result.reason_codes) == (status, (code,))
    if code == "RECON_FLAGGED":
        assert result.reasons[0].message == "ENTRY SUMMARY FLAGGED FOR RECON"
        assert result.reasons[0].cbp_message


@pytest.mark.parametrize(
    ("facts", "code", "message"),
    [
        ({"drawback_claim": True}, "ON_DRAWBACK", "ENTRY ON DRAWBACK"),
        (
            {"protest_number": "270425100123", "protest_status": "open"},
            "PROTEST_ON_ENTRY",
            "PROTEST ON ENTRY",
        ),
        ({"protest_number": "270425100123"}, "PROTEST_ON_ENTRY", None),
        (
            {"summary_status": "CANCELLED"},
            "CANCELLED_OR_REJECTED",
            "ENTRY SUMMARY IS CANCELLED/REJECTED",
        ),
        ({"entry_type": "09"}, "ENTRY_TYPE_09", None),
        ({"entry_type": "08"}, "ENTRY_TYPE_08", None),
        ({"entry_type": "47"}, "ENTRY_TYPE_47", None),
        ({"adcvd_instructions_pending": True}, "ADCVD_INSTRUCTIONS_PENDING", None),
        ({"surety_paid": True}, "SURETY_PAID", None),
        # Before 2026-06-25 CBP gave this fault as HTS RELATIONSHIP/SEQUENCE MISMATCH (CSMS #69056483).
        ({"entry_date": "2026-03-02"}, "INVALID_HTS", "HTS RELATIONSHIP/SEQUENCE MISMATCH"),
    ],
)
def test_exclusions(facts: dict[str, Any], code: str, message: str | None) -> None:
    result = screen(entry(**facts), declared_on=date(2026, 5, 1))
    assert result.status == "excluded"
    assert not result.eligible
    assert code in result.reason_codes
    if message is not None:
        (reason,) = [r for r in result.reasons if r.code == code]
        assert reason.message == message
        assert reason.cbp_message


def test_no_ieepa_hts_on_entry() -> None:
    exempt = entry(
        lines=[
            {
                "number": 1,
                "country_of_origin": "CA",
                "tariffs": [{"hts": "9903.01.14", "duty": "0"}],
            }
        ]
    )
    result = screen(exempt, declared_on=date(2026, 5, 1))
    assert result.reason_codes == ("NO_IEEPA_HTS_ON_ENTRY",)
    assert result.reasons[0].message == "NO IEEPA HTS ON ENTRY"


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"liquidation_status": "Suspended"}, "LIQUIDATION_SUSPENDED"),
        ({"entry_type": "21"}, "WAREHOUSE_ENTRY"),
    ],
)
def test_accepted_but_refunded_at_liquidation(facts: dict[str, Any], code: str) -> None:
    result = screen(entry(**facts), declared_on=date(2026, 5, 1))
    assert result.status == "eligible_at_liquidation"
    assert result.eligible
    assert result.reason_codes == (code,)


def test_cape_not_open_before_2026_04_20() -> None:
    assert screen(entry(), declared_on=date(2026, 4, 19)).reason_codes == ("CAPE_NOT_OPEN",)
    assert screen(entry(), declared_on=date(2026, 4, 20)).status == "eligible"


def test_finally_liquidated_cit_plaintiffs_from_2026_10_06() -> None:
    old = entry(liquidation_date=date(2026, 1, 15))
    assert (
        screen(old, declared_on=date(2026, 10, 5), plaintiffs={"12-3456789AB"}).status == "excluded"
    )
    allowed = screen(old, declared_on=date(2026, 10, 6), plaintiffs={"12-3456789AB"})
    assert (allowed.status, allowed.reason_codes) == ("eligible", ("FINALLY_LIQUIDATED_CIT",))
    assert screen(old, declared_on=date(2026, 10, 6)).status == "excluded"


def test_a_caller_supplied_rule_set() -> None:
    later = Rule(
        effective_from=date(2027, 1, 1), effective_to=None, rule="lookback_days", value="180",
        code="LIQUIDATED_OVER_180_DAYS", message="past 180 days", cbp_text=False, confidence="what-if",
        source="a what-if",
    )  # fmt: skip
    rows = (
        [r for r in default_cape_rules().rows if r.rule != "lookback_days"]
        + [
            r.model_copy(update={"effective_to": date(2027, 1, 1)})
            for r in default_cape_rules().rows
            if r.rule == "lookback_days"
        ]
        + [later]
    )
    rules = CapeRules(rows, data_version="what-if")
    old = entry(liquidation_date=date(2026, 9, 1))
    assert screen(old, declared_on=date(2026, 12, 31), rules=rules).status == "excluded"
    result = screen(old, declared_on=date(2027, 1, 2), rules=rules)
    assert (result.status, result.rules_version) == ("eligible", "what-if")
    with pytest.raises(DataError, match="unknown CAPE rule"):
        CapeRules([later.model_copy(update={"rule": "made_up"})], data_version="x")


RULES_HEADER = "effective_from,effective_to,rule,value,code,message,cbp_text,confidence,source\n"


def _rules_folder(tmp_path: Path, row: str) -> Path:
    data = (RULES_HEADER + row + "\n").encode("utf-8")
    (tmp_path / "rules.csv").write_bytes(data)
    # A manifest that matches: the bad value, not the checksum, is what must be reported.
    manifest = {"data_version": "t", "files": {"rules.csv": {"sha256": sha256(data).hexdigest()}}}
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [
        ("lookback_days", "eighty", "lookback_days: 'eighty' is not a whole number of days"),
        ("lookback_days", "0", "not a whole number of days"),
        ("exclude_entry_type", "8", "exclude_entry_type: '8' is not a two-digit entry type"),
        ("at_liquidation_entry_type", "21;22", "one entry type per row"),
        ("at_liquidation_status", ";", "not ';'-separated status words"),
        ("recon_flag", "allow:01", "recon_flag: expected 'exclude'"),
        ("recon_flag", "allow_if_no_09:1", "'1' is not a two-digit entry type"),
        ("protest", "include", "protest: expected 'exclude'"),
        ("finally_liquidated", "everyone", "expected 'cit_plaintiffs'"),
    ],
)
def test_a_bad_rule_value_is_a_data_error_at_load_naming_the_row(
    tmp_path: Path, rule: str, value: str, message: str
) -> None:
    folder = _rules_folder(tmp_path, f"2026-04-20,,{rule},{value},X,text,0,likely,src")
    with pytest.raises(DataError, match=f"^rules.csv row 2: {rule}: ") as info:
        CapeRules.load(folder)
    assert message in str(info.value)
    assert "Value error" not in str(info.value)


def test_rule_values_are_typed_when_loaded() -> None:
    ruleset = default_cape_rules().in_force(date(2026, 7, 1))
    assert ruleset.lookback_days == 80
    (recon,) = ruleset.all("recon_flag")
    assert recon.entry_types == ("01", "02", "06")
    (cancelled,) = ruleset.all("summary_cancelled")
    assert cancelled.terms == (
        ("CANCELLED",),
        ("CANCELED",),
        ("CANCEL",),
        ("DELETED",),
        ("REJECTED",),
    )
    assert default_cape_rules().in_force(date(2026, 4, 19)).lookback_days is None


def test_a_rule_set_looked_up_by_name_gives_what_a_scan_of_its_rules_gives() -> None:
    rules = default_cape_rules()
    for on in (date(2026, 4, 19), date(2026, 4, 20), date(2026, 7, 1), date(2027, 1, 1)):
        ruleset = rules.in_force(on)
        # Resolved once per date, and equal to a set built afresh.
        assert rules.in_force(on) is ruleset
        assert ruleset == RuleSet(on=on, rules=ruleset.rules, data_version=ruleset.data_version)
        for name in RULE_NAMES:
            assert ruleset.all(name) == tuple(r for r in ruleset.rules if r.rule == name)


@pytest.mark.parametrize(
    ("status", "term", "found"),
    [
        ("Suspended", ("SUSPENDED",), True),
        ("LIQUIDATION-SUSPENDED", ("SUSPENDED",), True),
        ("UNSUSPENDED", ("SUSPENDED",), False),
        ("Entry under review", ("UNDER", "REVIEW"), True),
        ("REVIEW UNDER WAY", ("UNDER", "REVIEW"), False),
        (None, ("SUSPENDED",), False),
    ],
)
def test_statuses_match_as_whole_words(
    status: str | None, term: tuple[str, ...], found: bool
) -> None:
    assert has_term(status, term) is found


def test_a_status_word_inside_another_word_does_not_match() -> None:
    # Substring matching took 'UNSUSPENDED' for 'SUSPENDED' and 'PREEXTENDED' for 'EXTENDED'.
    assert screen(entry(liquidation_status="UNSUSPENDED"), declared_on=date(2026, 5, 1)).status == (
        "eligible"
    )
    assert screen(
        entry(summary_status="NOT-REJECTED-YET"), declared_on=date(2026, 5, 1)
    ).status == ("excluded")
    assert screen(entry(summary_status="UNCANCELLEDX"), declared_on=date(2026, 5, 1)).status == (
        "eligible"
    )


def test_screening_deadlines_come_from_the_one_rule() -> None:
    liquidated = entry(liquidation_date=LIQ)
    result = screen(liquidated, declared_on=date(2026, 5, 1))
    assert result.deadlines == deadlines(LIQ, lookback=80)
    assert result.deadlines.reliquidation_window_closes == LIQ + timedelta(days=RELIQUIDATION_DAYS)
    assert result.deadlines.protest_window_closes == LIQ + timedelta(days=PROTEST_DAYS)
    assert (RELIQUIDATION_DAYS, PROTEST_DAYS) == (90, 180)  # 19 U.S.C. 1501, 1514(c)(3)
    before = screen(liquidated, declared_on=date(2026, 4, 19))
    assert before.deadlines.cape_window_closes is None  # no look-back in force: none invented


# --- declarations -----------------------------------------------------------------------------


def numbers(count: int, filer: str = "316") -> list[str]:
    return [f"{filer}{i:07d}" + en.calc_check_digit(f"{filer}{i:07d}") for i in range(count)]


def test_20005_entries_give_9999_9999_and_7(tmp_path: Path) -> None:
    given_numbers = numbers(20_005)
    batch = write_declarations([en.format(n) for n in given_numbers], tmp_path)
    assert [f.count for f in batch.files] == [9999, 9999, 7]
    assert list(batch.declared) == given_numbers  # input order kept
    last = (tmp_path / batch.files[-1].name).read_bytes()
    assert last == ("Entry Number\r\n" + "".join(f"{n}\r\n" for n in given_numbers[-7:])).encode(
        "ascii"
    )
    assert not last.startswith(b"\xef\xbb\xbf")
    assert not last.endswith(b"\r\n\r\n")
    for f in batch.files:
        assert check_declaration(tmp_path / f.name).ok
    manifest = (tmp_path / Path(batch.manifest).name).read_text()
    assert batch.files[0].sha256 in manifest


def test_a_second_run_with_the_same_ledger_declares_nothing(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    first = write_declarations(numbers(12), tmp_path / "one", ledger=ledger)
    second = write_declarations(numbers(12), tmp_path / "two", ledger=ledger)
    assert first.count == 12
    assert second.count == 0
    assert second.files == ()
    assert {s.code for s in second.skipped} == {"ALREADY_DECLARED"}
    third = write_declarations(numbers(14), tmp_path / "three", ledger=ledger)
    assert list(third.declared) == numbers(14)[12:]


def test_skips_and_check_digit_policies(tmp_path: Path) -> None:
    good = numbers(3)
    bad_digit = good[0][:10] + str((int(good[0][10]) + 1) % 10)
    given_numbers = [good[0], "junk", good[0], "B76-0324527-8", bad_digit, good[1]]
    batch = write_declarations(given_numbers, tmp_path / "a", filer_code="316")
    assert [(s.position, s.code) for s in batch.skipped] == [
        (1, "MALFORMED"),
        (2, "DUPLICATE"),
        (3, "OTHER_FILER"),
    ]
    assert [f.holds for f in batch.files] == ["entries", "check_digit_failures"]
    assert batch.declared == (good[0], good[1], bad_digit)
    skip = write_declarations(given_numbers, tmp_path / "b", check_digits="skip")
    assert "BAD_CHECK_DIGIT" in {s.code for s in skip.skipped}
    keep = write_declarations([bad_digit, good[1]], tmp_path / "c", check_digits="keep")
    assert [f.count for f in keep.files] == [2]
    with pytest.raises(ValidationError):
        write_declarations(good, tmp_path / "d", max_entries=10_000)
    with pytest.raises(ValidationError):
        write_declarations(good, tmp_path / "d", filer_code="31")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(st.lists(st.one_of(entry_numbers(), st.text(max_size=14)), max_size=60), st.integers(1, 25))
def test_write_then_check_round_trip(tmp_path: Path, given_numbers: list[str], size: int) -> None:
    """Every input is declared once or skipped with a reason; every file written checks clean."""
    out = tmp_path / f"run{abs(hash((tuple(given_numbers), size)))}"
    batch = write_declarations(given_numbers, out, max_entries=size, check_digits="skip")
    assert len(batch.declared) + len(batch.skipped) == len(given_numbers)
    assert len(set(batch.declared)) == len(batch.declared)
    for f in batch.files:
        assert check_declaration(out / f.name).ok
        assert f.count <= size


# --- checking files made elsewhere ------------------------------------------------------------


def codes(path: Path, **kw: Any) -> set[str]:
    return {p.code for p in check_declaration(path, **kw).problems}


def test_file_level_faults(tmp_path: Path) -> None:
    good = numbers(2)

    def make(name: str, data: bytes) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    assert codes(make("a.txt", b"Entry Number\r\n" + good[0].encode() + b"\r\n")) == {"EXTENSION"}
    assert codes(make("b.csv", b"")) == {"EMPTY"}
    assert codes(make("c.csv", b"Entry No\r\n" + good[0].encode() + b"\r\n")) == {"HEADER"}
    assert codes(make("d.csv", b"\xef\xbb\xbfEntry Number\r\n" + good[0].encode() + b"\r\n")) == {
        "BYTE_ORDER_MARK"
    }
    dup = make("e.csv", f"Entry Number\r\n{good[0]}\r\n{en.format(good[0])}\r\n".encode())
    (problem,) = check_declaration(dup).problems
    assert (problem.code, problem.row, problem.level) == ("DUPLICATE", 3, "file")
    assert codes(make("f.csv", b"Entry Number\r\n1234567890\r\n")) == {"LENGTH"}
    assert codes(make("g.csv", f"Entry Number\r\n{good[0]}\r\n\r\n{good[1]}\r\n".encode())) == {
        "BLANK_ROW"
    }
    assert codes(make("h.csv", f"Entry Number\r\n{good[0]},x\r\n".encode())) == {"EXTRA_COLUMNS"}
    many = make(
        "i.csv", ("Entry Number\r\n" + "".join(f"{n}\r\n" for n in numbers(10_000))).encode()
    )
    assert codes(many) == {"TOO_MANY"}
    big = make("j.csv", b"Entry Number\r\n" + b"x" * (1 << 20))
    assert "TOO_LARGE" in codes(big)
    assert not check_declaration(big).file_ok


def test_entry_level_faults(tmp_path: Path) -> None:
    good = numbers(1)[0]
    bad = good[:10] + str((int(good[10]) + 1) % 10)
    path = tmp_path / "x.csv"
    path.write_bytes(f"Entry Number\r\n{bad}\r\nB7603245278\r\n".encode())
    result = check_declaration(path, filer_code="316")
    # Another filer's number is a file-level fault (t67/04): ACE rejects the whole file.
    assert {(p.code, p.row, p.level) for p in result.problems} == {
        ("CHECK_DIGIT", 2, "entry"),
        ("FILER_CODE", 3, "file"),
    }
    assert not result.file_ok
    assert not result.ok


# --- screening's one pass over the tariffs, and its shared reasons ---------------------------


@given(es003_entries(), st.sampled_from([date(2026, 4, 1), date(2026, 5, 1), date(2026, 7, 1)]))
def test_screening_is_what_validation_builds(entry: Entry, declared_on: date) -> None:
    """A screening (built without validation, sharing reasons) validates back to itself,
    to the JSON text, and its HTS faults are the reference definitions'."""
    from ieepa_refund.cape import Screening
    from ieepa_refund.cape._hts import _missing_companion, _value_not_on_ch1_97

    screening = screen(entry, declared_on=declared_on)
    again = Screening.model_validate(screening.model_dump())
    assert again == screening
    assert again.model_dump_json() == screening.model_dump_json()
    assert repr(again) == repr(screening)
    codes = set(screening.reason_codes)
    rules = default_cape_rules().in_force(declared_on)
    for name, fault in (
        ("hts_relationship", _missing_companion(entry)),
        ("goods_value_ch1_97", _value_not_on_ch1_97(entry)),
    ):
        named = {rule.code for rule in rules.all(name)}
        if named and not (named & {r.code for n in RULE_NAMES - {name} for r in rules.all(n)}):
            assert bool(named & codes) == fault, name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(road_entries(), min_size=1, max_size=4),
    declared_on=st.sampled_from(
        [date(2026, 4, 19), date(2026, 4, 20), date(2026, 6, 25), date(2026, 7, 1)]
    ),
)
def test_entry_and_status_rules_cached_are_the_rules_applied(
    entries: list[Entry], declared_on: date
) -> None:
    # The cache of the entry-level rules' reasons, keyed on the facts they read, gives what the
    # rules give applied to each entry, whichever entries with which facts came before.
    from ieepa_refund.cape.screen import (
        _entry_facts_rules,
        _entry_rules,
        _liquidation_rules,
        _status_rules,
    )

    ruleset = default_cape_rules().in_force(declared_on)
    lookback = ruleset.lookback_days
    for entry in entries * 2:
        assert _entry_rules(entry, ruleset) == _entry_facts_rules(entry, ruleset)
        if entry.liquidation_date is None:
            cached = _liquidation_rules(entry, ruleset, declared_on, lookback, ())
            assert cached == _status_rules(entry.liquidation_status, ruleset)


def _hts_variants(entry: Entry) -> list[Entry]:
    """``entry`` and entries of its numbers with other facts the HTS rules read: every duty 0,
    no goods value, all its numbers on one line, another entry date."""
    zero, lines = Decimal("0.00"), entry.lines

    def tariffs(update: dict[str, object]) -> tuple[EntryLine, ...]:
        return tuple(
            line.model_copy(
                update={"tariffs": tuple(t.model_copy(update=update) for t in line.tariffs)}
            )
            for line in lines
        )

    one_line = lines[0].model_copy(
        update={"tariffs": tuple(t for line in lines for t in line.tariffs)}
    )
    later = entry.entry_date + timedelta(days=200)
    return [
        entry,
        entry.model_copy(update={"lines": tariffs({"duty": zero})}),
        entry.model_copy(update={"lines": tariffs({"value": None})}),
        entry.model_copy(update={"lines": (one_line,)}),
        entry.model_copy(
            update={"entry_date": later, "liquidation_date": None, "entry_summary_date": None}
        ),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(road_entries(), min_size=1, max_size=3),
    declared_on=st.sampled_from([date(2026, 4, 20), date(2026, 6, 25), date(2026, 7, 1)]),
)
def test_hts_rules_memoised_are_the_rules_applied(entries: list[Entry], declared_on: date) -> None:
    # The memo of the HTS rules' reasons, keyed on the facts they read, gives what the rules
    # give applied to each entry, whichever entries with which facts came before.
    from ieepa_refund.cape._hts import _hts_facts_rules, _hts_rules

    ruleset = default_cape_rules().in_force(declared_on)
    registry, memo = default_registry(), {}
    drawn = [variant for entry in entries for variant in _hts_variants(entry)]
    for entry in drawn * 2:
        assert _hts_rules(entry, ruleset, registry, memo) == _hts_facts_rules(
            entry, ruleset, registry
        )
    assert memo  # the memo was used, and its answers were the rules'
