"""The one URL converter for ids and numbers in the pages' paths, registered once in PagesConfig.ready().

Django's own `<int:…>` takes any run of digits, and a number past what the database holds then fails the
query (a 500 on SQLite, where it cannot even be bound); `<pk:…>` takes 1 to core.limits.MAX_ID and
anything else does not match, so the page answers 404 like any other missing object.
"""

from __future__ import annotations

from core.limits import MAX_ID


class PositiveIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not an id")  # Django reads a ValueError as "no match": a 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
