"""The choices a refund computation rests on."""

from __future__ import annotations

from typing import Literal

__all__ = ["Deposit", "Method"]

Method = Literal["paid", "recalculate"]
Deposit = Literal["reported", "pms"]
