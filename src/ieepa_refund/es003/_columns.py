"""ES-003 column names: canonical fields, the headers seen for each, and header normalisation."""

from __future__ import annotations

import re


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
}
REQUIRED = (
    "entry_number",
    "line_number",
    "entry_type",
    "importer_number",
    "entry_date",
    "country_of_origin",
    "hts",
)
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
)
ALIASES = {norm(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
