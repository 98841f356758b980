"""The draft markers in a definition: every place the platform wrote text for the issuer to revise, which the
pages mark "Draft wording from the platform" (catalog/_draft.html). A marker is either an item carrying
`draft: true` (a section, field, check, level, criterion, partner, a whole review policy, renewal, retention, one
language's translation) or
an entry of a `draft_fields` list (the definition's summary, competency statement and grade bands; a policy's
single rules). Pure functions over the definition as JSON, so a draft that does not validate yet still lists
its markers."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language_info

from authoring.paths import join, resolve, segment

# What a list's items are called, by the key that holds the list.
_NOUNS = {
    "introduction": "Introduction",
    "method_components": "Method component",
    "suggested_activities": "Suggested activity",
    "notes": "Note",
    "fields": "Question",
    "item_fields": "List item",
    "checks": "Completeness check",
    "levels": "Rubric level",
    "criteria": "Rubric criterion",
    "partners": "Graduate credit partner",
    "parts": "Part",
}
# What a marked object that is not in a list is called, by its key.
_OBJECTS = {
    "review_policy": "Review policy (all of it)",
    "renewal": "Renewal",
    "retention": "How long evidence is kept",
    "self_evaluation": "Self-evaluation",
    "graduate_credit": "Graduate credit",
}
_TOP_FIELDS = {
    "summary": "Summary",
    "competency_statement": "Competency statement",
    "grade_bands": "Grade bands",
    "pd_hours": "Professional-development hours",
}
_NAME_KEYS = ("label", "title", "name", "message")
_QUOTE_LIMIT = 80


@dataclass(frozen=True)
class Marker:
    path: str  # an item's path, or "<container>.draft_fields.<entry>"
    label: str
    kind: str  # "item" (draft: true) or "field" (a draft_fields entry)


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1].rstrip() + "…"
    return f"“{text}”"


def _name(node: dict[str, Any]) -> str:
    for key in _NAME_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return _quoted(value)
    return ""


def _item_label(trail: list[tuple[str, dict[str, Any]]], node: dict[str, Any], key: str, in_list: bool) -> str:
    if trail and trail[-1][0] == "translations":
        return f"Translation into {_language_name(key)}"
    if not in_list:
        return _OBJECTS.get(key, key.replace("_", " ").capitalize())
    noun = _NOUNS.get(key, key.replace("_", " ").capitalize())
    label = " ".join(bit for bit in (noun, _name(node)) if bit)
    # A question is found by its part, a list's item by its list.
    owner = next(((k, n) for k, n in reversed(trail) if k in ("parts", "fields")), None)
    if key in ("fields", "item_fields") and owner is not None:
        owner_noun = "part" if owner[0] == "parts" else "list"
        label += f" in {owner_noun} {_name(owner[1])}"
    return label


def _field_label(container_key: str, entry: str) -> str:
    if container_key == "":
        return _TOP_FIELDS.get(entry, entry.replace("_", " ").capitalize())
    owner = _OBJECTS.get(container_key, container_key.replace("_", " ").capitalize()).replace(" (all of it)", "")
    return f"{owner}: {entry.replace('_', ' ')}"


def markers_list(definition: dict[str, Any]) -> list[Marker]:
    """Every draft marker, in the definition's order."""
    found: list[Marker] = []

    def walk(node: Any, path: tuple[str, ...], key: str, in_list: bool, trail: list[tuple[str, Any]]) -> None:
        if isinstance(node, dict):
            if node.get("draft") is True:
                found.append(Marker(join(path), _item_label(trail, node, key, in_list), "item"))
            entries = node.get("draft_fields")
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, str):
                        found.append(
                            Marker(join((*path, "draft_fields", entry)), _field_label(join(path), entry), "field")
                        )
            for child_key, value in node.items():
                walk(value, (*path, child_key), child_key, False, [*trail, (key, node)])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*path, segment(node, index)), key, True, trail)

    walk(definition, (), "", False, [])
    return found


def marker_remove(definition: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of the definition without the marker at `path` (its `draft` set to false, or its entry taken out
    of `draft_fields`); KeyError when the definition has no such marker."""
    if path not in {marker.path for marker in markers_list(definition)}:
        raise KeyError(path)
    changed = copy.deepcopy(definition)
    container, _, entry = path.rpartition(".draft_fields.")
    if path.startswith("draft_fields."):
        container, entry = "", path.removeprefix("draft_fields.")
    if entry and (container or path.startswith("draft_fields.")):
        owner = resolve(changed, container)
        owner["draft_fields"] = [value for value in owner["draft_fields"] if value != entry]
    else:
        resolve(changed, path)["draft"] = False
    return changed
