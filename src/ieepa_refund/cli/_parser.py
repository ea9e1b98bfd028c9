"""The command line: every option with its help, examples and the exit statuses in ``--help``."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..dates import EARLIEST_DATE, LATEST_DATE
from ..entry import PARTY_NUMBER
from ..es003 import COLUMNS
from ..reconcile import CLAIM_COLUMNS, DEPOSIT_COLUMNS, REFUND_COLUMNS, TRADE_REFUND_COLUMNS

__all__ = ["EXIT_STATUS", "INPUT_OPTIONS", "build_parser", "input_file"]

EXIT_STATUS = """\
exit status:
  0  done
  1  done, with problems: rejected rows, excluded entries or faults found
     (also when stdout is closed early, as by `| head`: the output was not all written)
  2  usage error, unreadable input, or an output that cannot be written
  3  internal error (a bug): a one-line message; --debug shows the traceback"""

_EXAMPLES = {
    "": """\
examples:
  ieepa-refund demo
  ieepa-refund estimate ES003.csv --as-of 2026-11-28 --out refunds.xlsx
  ieepa-refund cape ES003.csv --out declarations/ --declared-on 12/01/2026 --ledger declared.csv \\
      --new-ledger    (the first run; later runs name the same ledger without it)
  ieepa-refund check declarations/cape_0123456789ab_316_12-3456789AB_001.csv \\
      --filer-code 316""",
    "estimate": """\
example:
  ieepa-refund estimate ES003.csv more.xlsx --as-of 2026-11-28 --out refunds.csv \\
      --problems problems.csv
  ieepa-refund estimate ES003.csv --declared-on 2026-12-01 --liquidation-after-days 30 --project
  ieepa-refund estimate big.csv --no-roads --engine bulk --out refunds.csv

Each entry gets a road (CAPE now, CAPE at liquidation, CAPE later, protest,
window closed, excluded, input problem, nothing to refund), its next action,
the deadline of that action and, on the CAPE roads, the expected
(re)liquidation and payment dates.""",
    "cape": """\
example:
  ieepa-refund cape ES003.csv --out declarations/ --declared-on 2026-12-01 \\
      --ledger declared.csv --filer-code 316

The first run starts the ledger: add --new-ledger (a --ledger that does not
exist is refused without it, so a mistyped path never starts a second one).
The ledger is locked (declared.csv.lock beside it) for the whole run's read
and write, so two runs on one ledger never declare an entry twice.""",
    "check": """\
example:
  ieepa-refund check declarations/cape_0123456789ab_316_12-3456789AB_001.csv \\
      --filer-code 316

Give it the declaration files cape lists under "Declarations in" (the
manifest's files holding "entries"): not the check-digit review file
(..._check_digit_001.csv) nor the screening report, which a glob over the
folder also takes.""",
    "reconcile": """\
example:
  ieepa-refund reconcile ES003.csv --ledger declared.csv --claims ClaimDetails.csv \\
      --refunds REV615.csv --trade-refunds REV603.csv --deposits bank.csv --out reconciled.csv

CBP has not published the headers of REV-615, ES-022 or REV-603: columns are
matched by meaning (docs/reconcile.md lists the names read); name any other
with --refunds-map FIELD=HEADER (and --claims-map, --trade-refunds-map,
--deposits-map). Try it on the bundled sample: ieepa-refund demo --reconcile.""",
    "demo": """\
example:
  ieepa-refund demo --as-of 2026-11-28
  ieepa-refund demo --reconcile --as-of 2026-11-28

The sample holds problems on purpose (rejected rows, a wrong check digit,
failed claims): the demo exits 0 whenever it ran, while estimate and
reconcile on the same files exit 1 for those problems.""",
}

#: The demo's exit statuses: 1 never (the sample's problems are its point, t68/09).
_DEMO_EXIT_STATUS = """\
exit status:
  0  done, the sample's problems shown (estimate/reconcile on the same files exit 1)
  2  usage error, or an output that cannot be written
  3  internal error (a bug): a one-line message; --debug shows the traceback"""

# The forms the ES-003 reader takes (es003/_cells.DATE_FORMATS), matched whole: no time, no
# two-digit year. The range keeps dates where the calendar arithmetic and the data make sense.
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _date(text: str) -> date:
    iso, us = _ISO.fullmatch(text.strip()), _US.fullmatch(text.strip())
    try:
        if iso:
            found = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif us:
            found = date(int(us[3]), int(us[1]), int(us[2]))
        else:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD or MM/DD/YYYY): {text!r}"
        ) from None
    if not EARLIEST_DATE <= found <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
        )
    return found


def _importer_number(text: str) -> str:
    number = text.strip().upper().replace(" ", "")
    if not PARTY_NUMBER.fullmatch(number):
        raise argparse.ArgumentTypeError(
            f"not an importer number (8-19 letters, digits and dashes, e.g. 12-3456789AB): {text!r}"
        )
    return number


def input_file(text: str) -> Path:
    """The type of every option naming a file the command reads.

    An output may never be one of these: ``build_parser`` lists each command's
    options of this type under ``INPUT_OPTIONS`` (see ``_output.input_files``),
    so an input option added later is refused as an output without more code.
    """
    return Path(text)


#: The ``args`` attribute listing the dests of a command's input-file options.
INPUT_OPTIONS = "input_options"


def _listing_inputs(sub: argparse.ArgumentParser) -> None:
    sub.set_defaults(**{INPUT_OPTIONS: tuple(a.dest for a in sub._actions if a.type is input_file)})


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 3650:
        raise argparse.ArgumentTypeError(f"not a number of days from 0 to 3650: {text!r}")
    return int(text)


def _mapping(text: str) -> tuple[str, str]:
    field, sep, header = text.partition("=")
    if not sep or field not in COLUMNS:
        raise argparse.ArgumentTypeError(
            f"expected FIELD=HEADER with FIELD one of {sorted(COLUMNS)}, got {text!r}"
        )
    return field, header


def _cbp_mapping(columns: dict[str, tuple[str, ...]]) -> Any:
    def parse(text: str) -> tuple[str, str]:
        field, sep, header = text.partition("=")
        if not sep or field not in columns:
            raise argparse.ArgumentTypeError(
                f"expected FIELD=HEADER with FIELD one of {sorted(columns)}, got {text!r}"
            )
        return field, header

    return parse


def _sub(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    sub = commands.add_parser(
        name,
        help=text,
        description=text,
        epilog=f"{_EXAMPLES[name]}\n\n{_DEMO_EXIT_STATUS if name == 'demo' else EXIT_STATUS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # SUPPRESS: a subcommand's default must not undo a --debug given before the subcommand.
    sub.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )
    return sub


def _inputs(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "files",
        nargs="+",
        type=input_file,
        metavar="FILE",
        help="ES-003 exports (.csv, .txt, .xlsx)",
    )
    sub.add_argument(
        "--map",
        dest="mapping",
        action="append",
        type=_mapping,
        default=[],
        metavar="FIELD=HEADER",
        help="a column the file names differently, e.g. entry_number='Entry No.'",
    )
    sub.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the text files' delimiter, when detection is not wanted (e.g. ';'); "
        "default: detected among comma, tab and semicolon",
    )
    sub.add_argument(
        "--problems",
        type=Path,
        metavar="FILE",
        help="also write the column report and every input problem to this CSV",
    )


def _estimating(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="interest on unliquidated entries accrues to this date, YYYY-MM-DD or "
        "MM/DD/YYYY (default: today)",
    )
    sub.add_argument(
        "--declared-on",
        type=_date,
        default=None,
        metavar="DATE",
        help="the CAPE declaration date each entry's road is judged on, YYYY-MM-DD or "
        "MM/DD/YYYY (default: the --as-of date)",
    )
    sub.add_argument(
        "--liquidation-after-days",
        type=_days,
        default=None,
        metavar="N",
        help="days from CAPE acceptance to the liquidation of an unliquidated entry "
        "(default: 45, CBP's stated aim, CSMS #68340863; data/cape_timing)",
    )
    sub.add_argument(
        "--ledger",
        type=input_file,
        metavar="FILE",
        help="CSV of entries already declared (as `cape --ledger` writes it): read only, so "
        "their road says where they were declared",
    )
    sub.add_argument(
        "--duty-deposits",
        type=input_file,
        action="append",
        default=[],
        metavar="FILE",
        help="a file of each entry's deposits and pre-liquidation refunds (entry number, date, "
        "amount, kind): interest is computed per segment (19 CFR 24.36(a)(1)); repeatable",
    )
    sub.add_argument("--corporate", action="store_true", help="use the corporate overpayment rate")
    sub.add_argument(
        "--method",
        choices=("paid", "recalculate"),
        default="paid",
        help="principal from the IEEPA duty paid (default), or recalculated from the HTS rates",
    )
    sub.add_argument(
        "--deposit",
        choices=("reported", "pms"),
        default="reported",
        help="deposit-date convention: the date reported in the file (default), or the "
        "periodic monthly statement date",
    )
    sub.add_argument(
        "--project",
        action="store_true",
        help="carry the last known interest rate past the end of the rate table (without it, "
        "an --as-of past the table is refused)",
    )
    sub.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write one row per entry; the extension chooses the format: .csv, .json or "
        ".xlsx (needs openpyxl)",
    )
    sub.add_argument(
        "--json",
        action="store_true",
        help="write the rows as JSON to stdout (with --out, name the file .json instead)",
    )
    sub.add_argument(
        "--engine",
        choices=("auto", "bulk", "lean", "entry"),
        default="auto",
        help="auto (default): the columnar bulk engine when polars is installed and it gives "
        "every output asked for (roads too, but no JSON detail, --duty-deposits or --delimiter), else "
        "the per-entry path; without polars, the lean engine where it gives every output "
        "asked for; bulk: the bulk engine or exit 2 saying what is missing; lean: the bulk "
        "engine's rules in pure Python, no extra needed (roads too; no JSON detail or "
        "--duty-deposits), or exit 2 saying what is missing; entry: the per-entry path. All "
        "give the same figures",
    )
    sub.add_argument(
        "--no-roads",
        dest="roads",
        action="store_false",
        help="leave out each entry's road: no money-by-road table, no payments CAPE is "
        "expected to make, road columns blank (a faster run: the roads take about 30%% of it)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ieepa-refund",
        description="IEEPA duty refunds with interest, and CAPE filings, from ACE ES-003 exports. "
        "Figures are estimates, not legal advice.",
        epilog=f"{_EXAMPLES['']}\n\n{EXIT_STATUS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    estimate = _sub(commands, "estimate", "refunds with interest and the payments they form")
    _inputs(estimate)
    _estimating(estimate)
    _listing_inputs(estimate)
    estimate.set_defaults(command="estimate")

    cape = _sub(commands, "cape", "screen entries and write CAPE declarations")
    _inputs(cape)
    cape.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder for the declarations, their manifest and the screening report",
    )
    cape.add_argument(
        "--declared-on",
        type=_date,
        default=None,
        metavar="DATE",
        help="the declaration date the rules are applied on, YYYY-MM-DD or MM/DD/YYYY "
        "(default: today)",
    )
    cape.add_argument(
        "--ledger",
        type=input_file,
        metavar="FILE",
        help="CSV of entries already declared: read, then appended to, under a lock; "
        "it must exist (a mistyped path is refused), unless --new-ledger",
    )
    cape.add_argument(
        "--new-ledger",
        action="store_true",
        help="the ledger may be new: start it at --ledger FILE when no file is there (the "
        "summary says which)",
    )
    cape.add_argument(
        "--filer-code", metavar="XXX", help="skip entries of other filer codes (ACE rejects them)"
    )
    cape.add_argument(
        "--check-digits",
        choices=("separate", "skip", "keep"),
        default="separate",
        help="entries whose check digit fails: in a declaration of their own (default), "
        "left out, or kept with the others",
    )
    cape.add_argument(
        "--plaintiff",
        action="append",
        type=_importer_number,
        default=[],
        metavar="IOR",
        help="a CIT plaintiff's importer number (repeat for several)",
    )
    cape.add_argument(
        "--engine",
        choices=("auto", "bulk", "lean", "entry"),
        default="auto",
        help="auto (default): the columnar bulk engine when polars is installed and it can "
        "read the input (not with --delimiter), else the per-entry path; without polars, the "
        "lean engine; bulk: the bulk engine or exit 2 saying what is missing; lean: the bulk "
        "engine's rules in pure Python, no extra needed; entry: the per-entry path. All write "
        "the same files",
    )
    _listing_inputs(cape)
    cape.set_defaults(command="cape")

    check = _sub(commands, "check", "check CAPE declaration files made elsewhere")
    check.add_argument(
        "files", nargs="+", type=input_file, metavar="FILE", help="CAPE declaration CSVs to check"
    )
    check.add_argument(
        "--filer-code", metavar="XXX", help="flag entries whose filer code is not this one"
    )
    _listing_inputs(check)
    check.set_defaults(command="check")

    rec = _sub(
        commands, "reconcile", "reconcile the estimate with CBP's claims, refunds and deposits"
    )
    _inputs(rec)
    rec.add_argument(
        "--ledger",
        type=input_file,
        metavar="FILE",
        help="the ledger of entries declared (cape --ledger)",
    )
    for name, columns, what in (
        ("claims", CLAIM_COLUMNS, "CAPE Claim Details downloads (ACE, CAPE tab, Claim Status)"),
        ("refunds", REFUND_COLUMNS, "REV-615 CAPE Details Refunds or ES-022 reports"),
        ("trade-refunds", TRADE_REFUND_COLUMNS, "REV-603 Trade Refund Reports"),
        ("deposits", DEPOSIT_COLUMNS, "bank deposits: a CSV of date, amount, reference"),
    ):
        dest = name.replace("-", "_")
        rec.add_argument(
            f"--{name}", dest=dest, action="append", type=input_file, default=[], metavar="FILE",
            help=f"{what} (repeat for several files)",
        )  # fmt: skip
        rec.add_argument(
            f"--{name}-map", dest=f"{dest}_map", action="append", type=_cbp_mapping(columns),
            default=[], metavar="FIELD=HEADER", help=f"a column of the {name} file named otherwise",
        )  # fmt: skip
    rec.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="the date fix deadlines are judged on, YYYY-MM-DD or MM/DD/YYYY (default: today)",
    )
    rec.add_argument("--corporate", action="store_true", help="estimate at the corporate rate")
    rec.add_argument(
        "--method", choices=("paid", "recalculate"), default="paid", help="principal method"
    )
    rec.add_argument(
        "--deposit", choices=("reported", "pms"), default="reported", help="deposit-date rule"
    )
    rec.add_argument(
        "--project",
        action="store_true",
        help="carry the last known interest rate past the end of the rate table, so interest "
        "to a (re)liquidation date past it can be recomputed (without it, such a difference is "
        "unexplained and says so)",
    )
    rec.add_argument(
        "--window-days",
        type=_days,
        default=45,
        metavar="N",
        help="a deposit matches a refund up to N days after its refund date (default 45, at "
        "most 3650)",
    )
    rec.add_argument(
        "--out", type=Path, metavar="FILE", help="write one row per entry (.csv or .json)"
    )
    rec.add_argument(
        "--resubmit",
        type=Path,
        metavar="DIR",
        help="write a declaration of the failed entries ready to resubmit, through --ledger",
    )
    rec.add_argument(
        "--corrected",
        action="append",
        default=[],
        metavar="ENTRY",
        help="an entry whose post-summary correction is filed: resubmit it too (repeat)",
    )
    rec.add_argument(
        "--plaintiff",
        action="append",
        type=_importer_number,
        default=[],
        metavar="IOR",
        help="a CIT plaintiff's importer number, as for cape: a failed entry is ready to "
        "resubmit only if cape would declare it on --as-of (repeat for several)",
    )
    _listing_inputs(rec)
    rec.set_defaults(command="reconcile")

    demo = _sub(commands, "demo", "run estimate on the bundled synthetic ES-003 sample")
    _estimating(demo)
    demo.add_argument(
        "--reconcile",
        action="store_true",
        help="reconcile the sample with its synthetic claim, refund and deposit files instead",
    )
    _listing_inputs(demo)
    demo.set_defaults(command="demo")
    return parser
