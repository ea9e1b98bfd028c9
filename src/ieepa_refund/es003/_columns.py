"""ES-003 column names: canonical fields, the headers seen for each, and header normalisation."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field


def norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Canonical field -> header names seen in ES-003 exports and broker files (brief, section 7).
COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": (
        "Entry Summary Number",
        "Entry Number",
        "Entry No",
        "Entry #",
        "Entry Nbr",
        "Entry",
    ),
    "line_number": (
        "Entry Summary Line Number",
        "Line Number",
        "Line No",
        "Line #",
        "Line Nbr",
        "Line",
    ),
    "entry_type": ("Entry Type Code", "Entry Type", "Type"),
    "importer_number": (
        "Importer Number",
        "Importer of Record Number",
        "IOR Number",
        "IOR No",
        "IOR",
        "Importer No",
    ),
    "importer_name": ("Importer Name", "IOR Name", "Importer of Record Name"),
    "port_of_entry": ("Port of Entry Code", "Port of Entry", "Port Code", "Port"),
    "entry_date": ("Entry Date", "Date of Entry", "Release Date"),
    "entry_summary_date": ("Entry Summary Date", "Summary Date", "ES Date"),
    "reconciliation_flag": (
        "Reconciliation Indicator",
        "Recon Indicator",
        "Reconciliation Flag",
        "Recon Flag",
    ),
    "liquidation_date": ("Liquidation Date", "Liq Date", "Liquidated Date"),
    "liquidation_status": ("Liquidation Status", "Liquidation Status Code", "Liq Status"),
    "protest_number": ("Protest Number", "Protest No", "Protest Nbr"),
    "protest_status": ("Protest Status",),
    "country_of_origin": (
        "Country of Origin Code",
        "Country of Origin",
        "Origin Country",
        "COO",
        "Origin",
    ),
    "spi": ("Line SPI Code", "SPI Code", "SPI"),
    "tariff_ordinal": ("Tariff Ordinal Number", "Tariff Ordinal", "HTS Ordinal", "Ordinal"),
    "hts": (
        "HTS Number - Full",
        "HTS Number",
        "HTSUS Number",
        "HTS Code",
        "HTS",
        "Tariff Number",
        "Harmonized Tariff Number",
    ),
    "value": (
        "Line Tariff Goods Value Amount",
        "Goods Value Amount",
        "Goods Value",
        "Entered Value",
        "Line Value",
        "Value",
    ),
    "duty": ("Line Tariff Duty Amount", "Duty Amount", "Line Duty", "Duty"),
    "quantity": (
        "Line Tariff Quantity (1)",
        "Line Tariff Quantity",
        "Quantity (1)",
        "Quantity",
        "Qty",
    ),
    "unit": (
        "Line Tariff UOM (1) Code",
        "Line Tariff UOM Code",
        "UOM (1)",
        "UOM",
        "Unit of Measure",
        "Unit",
    ),
    "rate": ("HTS Rate", "Duty Rate", "Rate Text", "Column 1 Rate", "Rate"),
    "notify_party": (
        "Notify Party",
        "Notify Party Number",
        "Form 4811 Party",
        "4811 Party",
        "Refund Payee",
    ),
    "deposit_date": ("Deposit Date", "Duty Payment Date", "Payment Date", "Statement Payment Date"),
    "type09_filed": ("Type 09 Filed", "Reconciliation Entry Filed", "Recon Entry Filed"),
    "drawback_claim": (
        "Drawback Claim",
        "On Drawback Claim",
        "Drawback Designated",
        "Drawback Indicator",
    ),
    "adcvd_instructions_pending": (
        "ADCVD Instructions Pending",
        "AD/CVD Liquidation Instructions Pending",
        "ADCVD Liquidation Instructions Pending",
    ),
    "surety_paid": ("Surety Paid", "Paid by Surety"),
    "summary_status": ("Entry Summary Status", "Summary Status", "ES Status"),
    # Money moved before liquidation beyond the original deposit (19 CFR 24.36(a)(1)): one
    # supplemental deposit and one pre-liquidation refund per entry; more go in a deposits file.
    "supplemental_deposit_amount": (
        "Supplemental Deposit Amount",
        "Supplemental Deposit",
        "Supplemental Payment Amount",
        "Supplemental Duty Amount",
    ),
    "supplemental_deposit_date": ("Supplemental Deposit Date", "Supplemental Payment Date"),
    "pre_liquidation_refund_amount": (
        "Pre-Liquidation Refund Amount",
        "Pre-Liquidation Refund",
        "PSC Refund Amount",
    ),
    "pre_liquidation_refund_date": ("Pre-Liquidation Refund Date", "PSC Refund Date"),
}
#: Fields without which no figure can be made: a file lacking one is refused, naming the field
#: and the file's nearest headers. Without the duty column every duty would become an estimate
#: from rate text, so a misspelt duty header must stop the read, not change the method.
REQUIRED = (
    "entry_number",
    "line_number",
    "entry_type",
    "importer_number",
    "entry_date",
    "country_of_origin",
    "hts",
    "duty",
)
#: Fields whose absence changes the answer without stopping it: a file-level warning each.
#: (A missing liquidation date is warned about only when the status column says liquidated.)
ANSWER_CHANGING = {
    "deposit_date": "interest runs from an assumed date (entry summary date, entry date or the monthly-statement rule), not the deposit date",
    "liquidation_status": "liquidation status is unknown for every entry",
}
ENTRY_FIELDS = (
    "entry_type",
    "importer_number",
    "importer_name",
    "port_of_entry",
    "entry_date",
    "entry_summary_date",
    "reconciliation_flag",
    "liquidation_date",
    "liquidation_status",
    "protest_number",
    "protest_status",
    "notify_party",
    "deposit_date",
    "type09_filed",
    "drawback_claim",
    "adcvd_instructions_pending",
    "surety_paid",
    "summary_status",
    "supplemental_deposit_amount",
    "supplemental_deposit_date",
    "pre_liquidation_refund_amount",
    "pre_liquidation_refund_date",
)
#: The entry fields that become :attr:`Entry.deposits` rather than fields of their own.
DEPOSIT_FIELDS = (
    "supplemental_deposit_amount",
    "supplemental_deposit_date",
    "pre_liquidation_refund_amount",
    "pre_liquidation_refund_date",
)
ALIASES = {norm(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def _rank(
    field_name: str, key: str, columns: Mapping[str, tuple[str, ...]] = COLUMNS
) -> tuple[int, int, int]:
    """How specific an alias is: the ES-003 name first, then longer (more specific) aliases."""
    aliases = [norm(alias) for alias in columns[field_name]]
    position = aliases.index(key)
    return (0 if position == 0 else 1, -len(key), position)


RANK = {key: _rank(name, key) for key, name in ALIASES.items()}


@dataclass(frozen=True)
class ColumnSet:
    """Another file's fields and their headers (CBP's reports), matched as ES-003 columns are."""

    columns: Mapping[str, tuple[str, ...]]
    aliases: Mapping[str, str] = field(init=False)
    rank: Mapping[str, tuple[int, int, int]] = field(init=False)

    def __post_init__(self) -> None:
        aliases = {norm(a): name for name, names in self.columns.items() for a in names}
        object.__setattr__(self, "aliases", aliases)
        rank = {key: _rank(name, key, self.columns) for key, name in aliases.items()}
        object.__setattr__(self, "rank", rank)


@dataclass
class ColumnMatch:
    """How a header row's columns were matched to fields."""

    columns: dict[str, int]
    """Field -> column index."""
    mapped: dict[str, str] = field(default_factory=dict)
    """Field -> header, for the fields named by ``mapping``."""
    ignored: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, str, str]] = field(default_factory=list)
    """(header not used, field it also names, header used instead)."""


def match_columns(
    headers: list[str], overrides: Mapping[str, str], *, columns: ColumnSet | None = None
) -> ColumnMatch:
    """Match headers to fields; ``overrides`` maps a normalised header to a field (``mapping=``).

    A mapped header always wins its field. Otherwise, when two headers name one field, the
    more specific alias wins (see :func:`_rank`; the leftmost among equals) and the others
    are reported as ambiguous, never dropped silently.
    """
    aliases, rank = (ALIASES, RANK) if columns is None else (columns.aliases, columns.rank)
    match = ColumnMatch(columns={})
    candidates: dict[str, list[tuple[tuple[int, int, int], int]]] = {}
    for index, header in enumerate(headers):
        key = norm(header)
        name = overrides.get(key)
        if name is not None:
            if name in match.columns:
                used = headers[match.columns[name]]
                match.ambiguous.append((header, name, used))
            else:
                match.columns[name] = index
                match.mapped[name] = header
            continue
        name = aliases.get(key)
        if name is None:
            if header:
                match.ignored.append(header)
            continue
        candidates.setdefault(name, []).append((rank[key], index))
    for name, found in candidates.items():
        found.sort()
        if name not in match.columns:
            match.columns[name] = found.pop(0)[1]
        used = headers[match.columns[name]]
        match.ambiguous.extend((headers[index], name, used) for _, index in found)
    return match


def nearest(
    name: str,
    headers: list[str],
    *,
    limit: int = 3,
    columns: Mapping[str, tuple[str, ...]] = COLUMNS,
) -> list[str]:
    """The file's headers closest to the names of field ``name``, best first (difflib)."""
    scores: dict[str, float] = {}
    targets = [norm(alias) for alias in columns.get(name, ())] or [norm(name)]
    for header in headers:
        key = norm(header)
        if not key:
            continue
        score = max(difflib.SequenceMatcher(None, key, target).ratio() for target in targets)
        if score >= 0.6:
            scores[header] = max(score, scores.get(header, 0.0))
    return sorted(scores, key=lambda header: -scores[header])[:limit]


def missing_message(
    name: str, headers: list[str], *, columns: Mapping[str, tuple[str, ...]] = COLUMNS
) -> str:
    """``no duty column (duty); did you mean 'Line Tarrif Duty Amt'?``"""
    text = f"no {name.replace('_', ' ')} column ({name})"
    close = nearest(name, headers, columns=columns)
    if close:
        text += "; did you mean " + " or ".join(repr(header) for header in close) + "?"
    return text
