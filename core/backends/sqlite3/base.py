"""Django's SQLite backend, except that a statement's placeholders are rewritten for sqlite3 once per statement text
instead of on every run.

Django writes SQL with `%s` placeholders, which sqlite3 does not take: its SQLite cursor rewrites them to `?` with a
regular expression on every execute, over the whole statement. Our pages run statements built once (core/compiled.py)
that are long (a dashboard's reach 2,000 characters), so on the bench's database that rewrite took a tenth of the
educator dashboard's time, more than some of its queries. The rewrite depends on the text alone, so it is kept per
text here, in a bounded cache: statements built by the ORM on each call have a few shapes per view, and a statement
whose text is new is rewritten as Django does. Named parameters (a mapping) are Django's path, unchanged.

Used as the ENGINE for every sqlite:// DATABASE_URL (microcred/env.py); the vendor is still "sqlite".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

# Distinct statement texts kept: far more than the project runs (each compiled statement is one text), few enough
# that statements whose text varies with their values (an IN list has a placeholder per value) cannot grow the
# process without bound: the least recently used text goes first.
STATEMENTS_KEPT = 4096


@lru_cache(maxsize=STATEMENTS_KEPT)
def qmark(query: str) -> str:
    """`query` with Django's `%s` placeholders as sqlite3's `?` and `%%` as `%`: what Django's own cursor makes."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        if param_names is None:
            return qmark(query)
        return str(super().convert_query(query, param_names=param_names))


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
