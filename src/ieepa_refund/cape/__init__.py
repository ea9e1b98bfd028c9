"""CAPE: screening entries, writing declarations and checking declaration files."""

from .check import DeclarationCheck, DeclarationProblem, check_declaration
from .deadlines import PROTEST_DAYS, RELIQUIDATION_DAYS, Deadlines, deadlines
from .declarations import (
    DeclarationBatch,
    DeclarationFile,
    Ledger,
    Skipped,
    read_ledger,
    write_declarations,
)
from .rules import CapeRules, Rule, RuleSet, default_cape_rules
from .screen import Reason, Screening, screen

__all__ = [
    "CapeRules",
    "Deadlines",
    "DeclarationBatch",
    "DeclarationCheck",
    "DeclarationFile",
    "DeclarationProblem",
    "Ledger",
    "PROTEST_DAYS",
    "RELIQUIDATION_DAYS",
    "Reason",
    "Rule",
    "RuleSet",
    "Screening",
    "Skipped",
    "check_declaration",
    "deadlines",
    "default_cape_rules",
    "read_ledger",
    "screen",
    "write_declarations",
]
