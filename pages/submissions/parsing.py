"""Reading a posted step back into the shape the draft stores, so `draft_save` validates it exactly as it
validates the API's JSON; and the fingerprints that let a posted step send only the fields the educator changed.

Form names: a field is posted under its reference (`part.field`), an item of a list entry as
`part.list.<n>.item` with the entry's id in `part.list.<n>.id`, a self-evaluation rating as `se.<criterion>.level`
and `se.<criterion>.justification`, and the fingerprint of each field as `_digest.<ref>` (`_digest.se.<criterion>`).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

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
from submissions.values import FieldErrors, clean_change, clean_self_evaluation, is_filled

DIGEST_PREFIX = "_digest."
SELF_EVALUATION_PREFIX = "se."
# A self-evaluation rating's key where fields and ratings share one namespace (conflicts, the page's script).
RATING_KEY_PREFIX = "self_evaluation:"


# ----- fingerprints ----------------------------------------------------------------------------------


def _strip_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id"}
    return value


def digest(value: Any) -> str:
    """A short fingerprint of a stored value (list entry ids ignored), sent with the page so that a posted
    step only saves the fields the educator changed: a field left alone must not conflict with another
    tab's newer save of it."""
    canonical = json.dumps(_strip_ids(value), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def posted_digests(data: QueryDict) -> dict[str, str]:
    return {key[len(DIGEST_PREFIX) :]: str(data.get(key, "")) for key in data if key.startswith(DIGEST_PREFIX)}


def changed_only(
    definition: CredentialDefinition, posted: Mapping[str, Any], digests: Mapping[str, str]
) -> dict[str, Any]:
    """The posted fields whose value differs from the one the page was rendered with."""
    out: dict[str, Any] = {}
    for ref, raw in posted.items():
        try:
            cleaned = clean_change(definition, ref, raw)
        except FieldErrors:
            out[ref] = raw  # let the save refuse it, naming the field
            continue
        if digests.get(ref) != digest(cleaned):
            out[ref] = raw
    return out


def changed_ratings(
    definition: CredentialDefinition, posted: Mapping[str, Any], digests: Mapping[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for criterion, raw in posted.items():
        try:
            cleaned = clean_self_evaluation(definition, criterion, raw)
        except FieldErrors:
            out[criterion] = raw
            continue
        if digests.get(SELF_EVALUATION_PREFIX + criterion) != digest(cleaned):
            out[criterion] = raw
    return out


def differs(definition: CredentialDefinition, key: str, raw: Any, stored: Any) -> bool:
    """Whether a posted value says something else than the stored one (a value that cannot be cleaned does)."""
    try:
        if key.startswith(RATING_KEY_PREFIX):
            cleaned = clean_self_evaluation(definition, key.removeprefix(RATING_KEY_PREFIX), raw)
        else:
            cleaned = clean_change(definition, key, raw)
    except FieldErrors:
        return True
    return digest(cleaned) != digest(stored)


def as_strings(value: Any) -> list[str]:
    """A stored value (nothing, one value or a list of them) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float)]
    return [str(value)]


# ----- a posted step ---------------------------------------------------------------------------------


def _parse_simple(spec: SubmissionField | ItemField, name: str, data: QueryDict) -> Any:
    if isinstance(spec, TextField | DateField):
        return data.get(name, "")
    if isinstance(spec, ShortTextField):
        return data.getlist(name) if spec.multiple else data.get(name, "")
    if isinstance(spec, ChoiceField):
        return data.getlist(name) if spec.multiple else (data.get(name) or None)
    if isinstance(spec, ChecklistField | LinkField):
        return data.getlist(name)
    return None


def _entry_positions(name: str, data: QueryDict) -> list[int]:
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.id$")
    found = {int(m.group(1)) for key in data if (m := pattern.match(key))}
    return sorted(found)


def parse_list(spec: ListField, name: str, data: QueryDict) -> list[dict[str, Any]]:
    """The entries of a posted list, in page order. A new entry (no id yet) left entirely blank is not an
    entry: the page pads lists with blank ones to show their shape."""
    entries: list[dict[str, Any]] = []
    for position in _entry_positions(name, data):
        prefix = f"{name}.{position}"
        entry: dict[str, Any] = {item.id: _parse_simple(item, f"{prefix}.{item.id}", data) for item in spec.item_fields}
        entry_id = data.get(f"{prefix}.id", "")
        if entry_id:
            entry = {"id": entry_id, **entry}
        elif not is_filled(entry):
            continue
        entries.append(entry)
    return entries


def apply_list_action(data: QueryDict, action: str) -> QueryDict:
    """The posted data as the list buttons (the way to edit a list without JavaScript) leave it:
    "add_entry:<ref>" adds a blank entry; "remove_entry:<ref>:<n>" drops the entry shown as number n.
    Removing works on the posted names, before blank entries are skipped, so n is the number on the page."""
    kind, _, rest = action.partition(":")
    if kind == "add_entry" and rest:
        changed = data.copy()
        positions = _entry_positions(rest, data)
        # An id marks an entry as one to keep (the parser skips blank entries without one): the new entry, and the
        # blank ones shown before it, so that it comes after every entry the page showed, as the button says.
        for shown in [*positions, (positions[-1] if positions else 0) + 1]:
            if not changed.get(f"{rest}.{shown}.id"):
                changed[f"{rest}.{shown}.id"] = secrets.token_hex(6)
        return changed
    if kind == "remove_entry":
        ref, _, position = rest.rpartition(":")
        prefix = f"{ref}.{position}."
        changed = data.copy()
        for key in [k for k in changed if k.startswith(prefix)]:
            del changed[key]
        return changed
    return data


def parse_part(part: Part, data: QueryDict) -> dict[str, Any]:
    """{ref: raw value} for every field of the part but its files (uploads are separate)."""
    out: dict[str, Any] = {}
    for spec in part.fields:
        ref = f"{part.id}.{spec.id}"
        if isinstance(spec, FileField):
            continue
        if isinstance(spec, ListField):
            out[ref] = parse_list(spec, ref, data)
        else:
            out[ref] = _parse_simple(spec, ref, data)
    return out


def parse_self_evaluation(definition: CredentialDefinition, data: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for criterion in definition.rubric.criteria:
        prefix = f"{SELF_EVALUATION_PREFIX}{criterion.id}"
        rating: dict[str, Any] = {"level": data.get(f"{prefix}.level") or None}
        if definition.self_evaluation.justification != "none":
            rating["justification"] = data.get(f"{prefix}.justification", "")
        out[criterion.id] = rating
    return out
