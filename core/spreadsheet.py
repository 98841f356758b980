"""Values as spreadsheet cells, for every export: text a spreadsheet would run as a formula made inert.

A cell starting with = + - @ (or a tab or carriage return, as OWASP lists) is evaluated by spreadsheet programs;
names, answers and notes are text anyone could have typed, so such a cell is prefixed with an apostrophe and reads
as the text it is. Kept in core so that every room that exports (the issuers' exports in workflow, a group's in
cohorts) uses the one rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | None


def cell_safe(value: Any) -> Cell:
    """A value as a cell: booleans as yes or no, datetimes in ISO 8601 (UTC), dates in ISO 8601, numbers as
    numbers, and text that a spreadsheet would run as a formula prefixed with an apostrophe."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
