"""CAPE declarations as one ACE account can submit them, and the screen's inputs read as meant
(t67/03, 06, 09, 10): a file per (importer of record, filer code), the US spellings of a
cancelled summary, a past --declared-on and a --plaintiff spelt without dashes."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ieepa_refund import Entry
from ieepa_refund.cape import check_declaration, screen, write_declarations
from ieepa_refund.cape.screen import is_plaintiff
from ieepa_refund.cli import main

DATA = Path(__file__).parent / "data"
NO_POLARS = importlib.util.find_spec("polars") is None
ENGINES = ["entry", pytest.param("bulk", marks=pytest.mark.skipif(NO_POLARS, reason="no polars"))]


def _cape_run(
    capsys: pytest.CaptureFixture[str], name: str, out: Path, *flags: str
) -> tuple[int, str, str]:
    code = main(["cape", str(DATA / name), "--out", str(out), *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- t67/03: one set of files per (importer, filer code) -------------------------------------


def test_the_writer_writes_a_file_per_filer_code_and_importer(tmp_path: Path) -> None:
    a, b, c = "31600000017", "B7600000015", "31600000025"
    batch = write_declarations(
        [a, b, c], tmp_path, importers={a: "12-3456789AB", b: "98-7654321CD", c: "98-7654321CD"}
    )
    whose = [(f.filer_code, f.importer_number, f.first, f.count) for f in batch.files]
    assert whose == [
        ("316", "12-3456789AB", a, 1),
        ("B76", "98-7654321CD", b, 1),
        ("316", "98-7654321CD", c, 1),
    ]
    assert batch.files[0].name == f"cape_{batch.batch_id}_316_12-3456789AB_001.csv"
    for f in batch.files:
        assert check_declaration(tmp_path / f.name, filer_code=f.filer_code).ok


def test_one_group_keeps_the_plain_names(tmp_path: Path) -> None:
    a, c = "31600000017", "31600000025"
    batch = write_declarations([a, c], tmp_path, importers={a: "12-3456789AB", c: "12-3456789AB"})
    (only,) = batch.files
    assert only.name == f"cape_{batch.batch_id}_001.csv"
    assert (only.filer_code, only.importer_number, only.count) == ("316", "12-3456789AB", 2)


@pytest.mark.parametrize("importer", ["../../etc", "12/3456789AB", "ab", "", 12345678])
def test_an_importer_that_is_no_party_number_is_refused_before_a_file_is_named(
    tmp_path: Path, importer: object
) -> None:
    """Importer numbers go into the file names of a batch of several groups: one that is not
    a party number's shape could name another folder or file."""
    from ieepa_refund import InvalidFormat

    a, b = "31600000017", "31600000025"
    with pytest.raises(InvalidFormat, match="importers"):
        write_declarations([a, b], tmp_path / "out", importers={a: "12-3456789AB", b: importer})  # type: ignore[dict-item]
    assert not (tmp_path / "out").exists()


def test_a_review_file_of_a_grouped_batch_is_not_declared(tmp_path: Path) -> None:
    """The ledger reads a check-digit file named by its group as for review too (t67/07 with
    t67/03's names): a later run must not skip the entry as declared."""
    from ieepa_refund.cape import read_ledger

    good, bad = "31600000017", "31600000018"
    ledger = tmp_path / "ledger.csv"
    batch = write_declarations(
        [good, bad], tmp_path / "out", ledger=ledger,
        importers={good: "12-3456789AB", bad: "98-7654321CD"},
    )  # fmt: skip
    names = [f.name for f in batch.files]
    assert names[-1] == f"cape_{batch.batch_id}_316_98-7654321CD_check_digit_001.csv"
    read = read_ledger(ledger)
    assert good in read  # a mapping of the entries declared
    assert bad not in read
    assert bad in read.review


@pytest.mark.parametrize("engine", ENGINES)
def test_cape_names_whose_each_file_is(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cape_run(
        capsys, "es003_t67_mixed_filers.csv", tmp_path, "--declared-on", "2026-07-01",
        "--engine", engine,
    )  # fmt: skip
    assert code == 0
    assert "2 sets of files, one per importer of record and filer code" in out
    assert "(entries; filer 316, importer 12-3456789AB)" in out
    assert "(entries; filer B76, importer 98-7654321CD)" in out
    written = sorted(tmp_path.glob("cape_*_0*.csv"))
    assert [p.name.split("_", 2)[2] for p in written] == [
        "316_12-3456789AB_001.csv",
        "B76_98-7654321CD_001.csv",
    ]
    assert [p.read_bytes().split(b"\r\n")[1] for p in written] == [b"31600000017", b"B7600000015"]
    assert all(check_declaration(p).ok for p in written)


# --- t67/06: the summary status spellings ----------------------------------------------------


def _entry(**kw: Any) -> Entry:
    data: dict[str, Any] = {
        "entry_number": "31600000017",
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


@pytest.mark.parametrize(
    "status", ["CANCELED", "Canceled", "CANCEL", "DELETED", "Summary Canceled", "cancelled"]
)
def test_cancelled_in_every_spelling_is_excluded(status: str) -> None:
    found = screen(_entry(summary_status=status), declared_on=date(2026, 7, 1))
    assert found.status == "excluded"
    assert "CANCELLED_OR_REJECTED" in found.reason_codes


@pytest.mark.parametrize("status", ["HOLD", "Pending", "X"])
def test_a_status_no_rule_reads_is_named(status: str) -> None:
    found = screen(_entry(summary_status=status), declared_on=date(2026, 7, 1))
    assert "SUMMARY_STATUS_UNKNOWN" in found.reason_codes
    (note,) = [r for r in found.reasons if r.code == "SUMMARY_STATUS_UNKNOWN"]
    assert repr(status) in note.message
    assert note.effect == "note"


@pytest.mark.parametrize("status", ["ACCEPTED", "Accepted", "", "CBP Review"])
def test_a_standing_status_is_neither_excluded_nor_named(status: str) -> None:
    found = screen(_entry(summary_status=status), declared_on=date(2026, 7, 1))
    assert found.status == "eligible"
    assert not found.reason_codes


@pytest.mark.parametrize("engine", ENGINES)
def test_cape_declares_no_canceled_summary(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = _cape_run(
        capsys, "es003_t67_summary_status.csv", tmp_path, "--declared-on", "2026-07-01",
        "--engine", engine,
    )  # fmt: skip
    assert "excluded CANCELLED_OR_REJECTED: 9" in out
    (declaration,) = tmp_path.glob("cape_*_001.csv")
    assert declaration.read_bytes().split(b"\r\n")[1:-1] == [
        b"31600000074",  # ACCEPTED
        b"31600000082",  # no status
        b"31600000108",  # Accepted
    ]


# --- t67/09: a past --declared-on ------------------------------------------------------------


@pytest.mark.parametrize("ledger", [False, True])
def test_a_past_declaration_date_is_warned(
    ledger: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cape_today: date,
) -> None:
    flags = ["--ledger", str(tmp_path / "ledger.csv"), "--new-ledger"] if ledger else []
    _, _, err = _cape_run(
        capsys, "es003_t67_past_declared_on.csv", tmp_path / "out", "--declared-on", "2026-07-01",
        *flags,
    )  # fmt: skip
    assert "warning: --declared-on 2026-07-01 is 151 days before today (2026-11-29)" in err
    assert ("the ledger records it as their declaration date" in err) is ledger


@pytest.mark.parametrize("when", ["2026-11-29", None])  # a later date: t68/01
def test_today_is_not_warned(
    when: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cape_today: date,
) -> None:
    flags = ["--declared-on", when] if when else []
    _, out, err = _cape_run(capsys, "es003_t67_past_declared_on.csv", tmp_path, *flags)
    assert "--declared-on" not in err
    assert f"declaration date {when or '2026-11-29'}" in out


# --- t67/10: --plaintiff compared without dashes, and named when it matches no importer ----


def test_a_plaintiff_matches_its_importer_spelt_with_or_without_dashes() -> None:
    assert is_plaintiff("123456789AB", ["12-3456789AB"])
    assert is_plaintiff("12-3456789AB", frozenset({"123456789ab"}))
    assert not is_plaintiff("98-7654321CD", ["12-3456789AB"])
    finally_liquidated = _entry(
        importer_number="123456789AB",
        liquidation_date="2025-07-01",
        liquidation_status="LIQUIDATED",
    )
    found = screen(finally_liquidated, declared_on=date(2026, 10, 6), plaintiffs=["12-3456789AB"])
    assert found.eligible
    assert "FINALLY_LIQUIDATED_CIT" in found.reason_codes


@pytest.mark.parametrize("engine", ENGINES)
def test_cape_declares_the_dashless_plaintiff_and_names_a_typo(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ("--declared-on", "2026-10-06", "--engine", engine)
    _, out, err = _cape_run(
        capsys, "es003_t67_plaintiffs.csv", tmp_path / "a", *flags, "--plaintiff", "12-3456789AB"
    )
    assert "2 eligible" in out
    assert "warning: --plaintiff" not in err
    declared = b"".join(p.read_bytes() for p in (tmp_path / "a").glob("cape_*_0*.csv"))
    assert b"31600000017" in declared
    assert b"31600000025" in declared
    _, out, err = _cape_run(
        capsys, "es003_t67_plaintiffs.csv", tmp_path / "b", *flags, "--plaintiff", "12-3456789XX"
    )
    assert "warning: --plaintiff 12-3456789XX matches no importer number in the input" in err
