"""The `page` query parameter of the reviews pages' long lists."""

from __future__ import annotations

from django.http import HttpRequest

from core import limits


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page asked for, from 1. Anything that is not a positive whole number (a typo, an old bookmark, "0")
    gives page 1 rather than an error: the list itself is still worth showing. A page past the last is the
    selector's 404."""
    raw = request.GET.get(name, "")
    if not raw.isdigit() or not raw.isascii():
        return 1
    number = int(raw)
    return number if 1 <= number <= limits.MAX_ID else 1
