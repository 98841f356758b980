"""Pseudonymising kept rows when a person's account is erased: their name and address replaced in place.

Erasure keeps some rows on purpose (decisions, audit rows, scores reviewers gave) and these may quote the
person in free text or JSON (an override reason naming them, an address in an audit row's `new`). `rows_scrub`
rewrites exactly those values and nothing else. It writes through the model's base manager, past the guards
that keep the audit log append-only and attempts and badges frozen: erasure is the one rewrite of history the
law asks for, and it changes only the words that identify the person, never what happened.

The match is by whole words, case-insensitive. It cannot tell two people of the same full name apart: a kept
row quoting someone else of exactly that name loses the name too. That over-redacts a quote and never removes
a record, which is the safer side to err on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast


def needle_pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every needle, longest first (so "Edna Educator" wins over "Edna")."""
    words = sorted({n.strip() for n in needles if n and len(n.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return None
    # Whole words only: erasing "Sam" must not turn "Samples" into "[erased]ples".
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def scrub(value: Any, pattern: re.Pattern[str], marker: str) -> Any:
    """`value` (a string, or JSON of any depth) with every match replaced by `marker`; keys too."""
    if isinstance(value, str):
        return pattern.sub(marker, value)
    if isinstance(value, list):
        return [scrub(item, pattern, marker) for item in value]
    if isinstance(value, dict):
        return {scrub(k, pattern, marker): scrub(v, pattern, marker) for k, v in value.items()}
    return value


def _escaped(needle: str) -> str:
    # SQLite keeps JSON as json.dumps wrote it, non-ASCII as \uXXXX; PostgreSQL's jsonb as the characters.
    return json.dumps(needle)[1:-1]


def rows_scrub(queryset: models.QuerySet[Any], *, fields: list[str], needles: Iterable[str], marker: str) -> int:
    """Replace the needles in `fields` of the rows of `queryset`; answers how many rows changed.

    The database narrows the rows first (a case-insensitive contains on each field, JSON cast to text), so a
    large table is read only where it quotes the person; Python then makes the exact replacement."""
    words = [n for n in needles if n and len(n.strip()) >= 3]
    pattern = needle_pattern(words)
    if pattern is None:
        return 0
    model = queryset.model
    json_fields = {f for f in fields if isinstance(model._meta.get_field(f), models.JSONField)}
    annotations = {f"_scrub_{f}": Cast(f, TextField()) for f in json_fields}
    condition = Q()
    for field in fields:
        column = f"_scrub_{field}" if field in json_fields else field
        for word in words:
            condition |= Q(**{f"{column}__icontains": word})
            if field in json_fields and _escaped(word) != word:
                condition |= Q(**{f"{column}__icontains": _escaped(word)})
    changed = 0
    for row in queryset.annotate(**annotations).filter(condition).only("pk", *fields).iterator():
        updates = {}
        for field in fields:
            before = getattr(row, field)
            after = scrub(before, pattern, marker)
            if after != before:
                updates[field] = after
        if updates:
            model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed
