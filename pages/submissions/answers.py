"""Saved values in words, read-only: for the summary step, a frozen attempt, the reviewer's page and both sides of
a conflict (an answer changed in another tab or device after the page was opened).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    FileField,
    ItemField,
    LinkField,
    ListField,
    Part,
    ShortTextField,
    SubmissionField,
    TextField,
)
from core.errors import FieldConflict
from pages.submissions.parsing import RATING_KEY_PREFIX, as_strings
from pages.submissions.steps import criterion_id, field_id
from submissions.values import is_filled, word_count


@dataclass
class Answer:
    """A saved value in words, for the summary step, a frozen attempt and a conflict."""

    label: str
    kind: str
    html_id: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    entries: list[tuple[str, list[Answer]]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    words: int | None = None
    max_words: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.items or self.links or self.entries or self.files)


def _date_words(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%-d %B %Y")
    except ValueError:
        return value


def answer_for(spec: SubmissionField | ItemField, value: Any, *, ref: str, files: Sequence[Any] = ()) -> Answer:
    answer = Answer(label=spec.label, kind=spec.kind, html_id=field_id(ref))
    if isinstance(spec, TextField):
        answer.text = value if isinstance(value, str) else ""
        answer.words = word_count(answer.text)
        answer.max_words = spec.max_words
    elif isinstance(spec, ShortTextField):
        answer.items = as_strings(value)
    elif isinstance(spec, ChoiceField):
        chosen = as_strings(value)
        answer.items = [o.label for o in spec.options if o.id in chosen]
    elif isinstance(spec, ChecklistField):
        ticked = as_strings(value)
        answer.items = [item.label for item in spec.items if item.id in ticked]
    elif isinstance(spec, DateField):
        answer.text = _date_words(value) if isinstance(value, str) else ""
    elif isinstance(spec, LinkField):
        answer.links = as_strings(value)
    elif isinstance(spec, FileField):
        answer.files = list(files)
    elif isinstance(spec, ListField):
        entries = value if isinstance(value, list) else []
        for position, entry in enumerate(e for e in entries if isinstance(e, Mapping) and is_filled(e)):
            answer.entries.append(
                (
                    f"{spec.item_label} {position + 1}",
                    [answer_for(item, entry.get(item.id), ref=f"{ref}.{item.id}") for item in spec.item_fields],
                )
            )
    return answer


def part_answers(
    part: Part, responses: Mapping[str, Mapping[str, Any]], files: Sequence[Mapping[str, Any]]
) -> list[Answer]:
    """`files` are manifest-shaped dicts ({"id", "field", "name", "size", ...})."""
    saved = responses.get(part.id, {})
    out = []
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        out.append(answer_for(spec, saved.get(spec.id), ref=ref, files=[f for f in files if f.get("field") == ref]))
    return out


def rating_answers(definition: CredentialDefinition, ratings: Mapping[str, Any]) -> list[dict[str, Any]]:
    levels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for criterion in definition.rubric.criteria:
        rating = ratings.get(criterion.id) or {}
        out.append(
            {
                "criterion": criterion,
                "level": levels.get(rating.get("level", ""), ""),
                "justification": rating.get("justification", ""),
            }
        )
    return out


@dataclass
class ConflictView:
    label: str
    html_id: str
    yours: Answer
    theirs: Answer
    key: str  # the field reference, or "self_evaluation:<criterion>"


def conflict_views(definition: CredentialDefinition, conflicts: Sequence[FieldConflict]) -> list[ConflictView]:
    levels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for conflict in conflicts:
        if conflict.section == "self_evaluation":
            title = next((c.title for c in definition.rubric.criteria if c.id == conflict.field), conflict.field)

            def rating(value: Any, title: str = title) -> Answer:
                value = value if isinstance(value, Mapping) else {}
                level = levels.get(value.get("level") or "", _("no level chosen"))
                return Answer(label=title, kind="text", html_id="", text=f"{level}. {value.get('justification') or ''}")

            out.append(
                ConflictView(
                    _("Self-evaluation: %(title)s") % {"title": title},
                    criterion_id(conflict.field),
                    rating(conflict.yours),
                    rating(conflict.theirs),
                    RATING_KEY_PREFIX + conflict.field,
                )
            )
            continue
        spec = definition.field_at(conflict.field)
        out.append(
            ConflictView(
                spec.label,
                field_id(conflict.field),
                answer_for(spec, conflict.yours, ref=conflict.field),
                answer_for(spec, conflict.theirs, ref=conflict.field),
                conflict.field,
            )
        )
    return out
