"""Bounds of what the database can hold, shared by both faces (the API's types, the pages' URL converter).

A 64-bit signed integer column (SQLite's INTEGER, PostgreSQL's bigint) holds at most MAX_ID; SQLite cannot
even bind a bigger Python int, and PostgreSQL refuses it as out of range, so a bigger id, count or offset
from a request is answered as missing or invalid before it reaches a query.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
