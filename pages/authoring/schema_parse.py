"""Reading a posted editor page back into the definition's JSON (the inverse of schema_forms' drawing), and the
editor's buttons (add, remove, move, add or remove an optional part) applied to that JSON.

Whatever the author typed is kept, even a number that is not one yet: validation reports it at its field, and
the page shows it again for them to correct."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args, get_origin

from django.http import QueryDict
from pydantic import BaseModel

from catalog.schema import CredentialDefinition
from pages.authoring.schema_forms import (
    COUNT,
    DKEY,
    DVAL,
    FIXED,
    KIND,
    MISSING,
    ORDERED,
    PRESENT,
    join,
    shape,
    union_members,
)

# No editor page draws more entries than this in one list; a forged count larger than it is cut to it.
MAX_ENTRIES = 500


def _default(info: Any) -> Any:
    if info.is_required():
        return MISSING
    default = info.get_default(call_default_factory=True)
    return MISSING if isinstance(default, BaseModel) else default


def form_parse(data: QueryDict, definition: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """`definition` with its top-level `keys` replaced by what the form posted."""
    new = dict(definition)
    for key in keys:
        info = CredentialDefinition.model_fields[key]
        value = _parse(
            key, key, info.annotation, list(info.metadata), data, definition.get(key, MISSING), _default(info)
        )
        if value is MISSING:
            new.pop(key, None)
        else:
            new[key] = value
    return new


def _count(data: QueryDict, path: str) -> int:
    try:
        return max(0, min(int(data.get(COUNT + path, "0")), MAX_ENTRIES))
    except ValueError:
        return 0


def _text(raw: str) -> str:
    return raw.replace("\r\n", "\n").strip()


def _number(raw: str) -> Any:
    text = raw.strip()
    for convert in (int, float):
        try:
            number = convert(text)
        except ValueError:
            continue
        if number == number and number not in (float("inf"), float("-inf")):  # not NaN, not infinite
            return number
    return text


def _model(model: type[BaseModel], path: str, data: QueryDict, old: Any, tag: str | None = None) -> dict[str, Any]:
    previous = old if isinstance(old, dict) else {}
    # Keys the schema does not know (from an imported file) are kept, so their error still shows rather than
    # the text vanishing unseen.
    out: dict[str, Any] = {k: v for k, v in previous.items() if k not in model.model_fields}
    if tag is not None:
        out["kind"] = tag
    for key, info in model.model_fields.items():
        if tag is not None and key == "kind":
            continue
        value = _parse(
            key, join(path, key), info.annotation, list(info.metadata), data, previous.get(key, MISSING), _default(info)
        )
        if value is not MISSING:
            out[key] = value
    return out


def _parse(name: str, path: str, annotation: Any, meta: list[Any], data: QueryDict, old: Any, default: Any) -> Any:
    if path in FIXED:
        return old
    form = shape(annotation, meta)
    base = form.base
    members = union_members(base)
    if members:
        tag = data.get(join(path, "kind"), "")
        if tag in members:
            return _model(members[tag], path, data, old, tag)
        kept = dict(old) if isinstance(old, dict) else {}
        if tag:
            kept["kind"] = tag
        return kept
    if isinstance(base, type) and issubclass(base, BaseModel):
        if form.optional and PRESENT + path not in data:
            return MISSING
        return _model(base, path, data, old)
    origin = get_origin(base)
    if origin is list:
        return _list(name, path, get_args(base)[0], data, old, default)
    if origin is dict:
        return _mapping(path, data, old, default)
    if base is bool:
        value: Any = data.get(path) is not None
    else:
        raw = data.get(path)
        if raw is None or not raw.strip():
            return MISSING
        value = _number(raw) if base in (int, float) else _text(raw)
    if value == default and old is MISSING:
        return MISSING
    return value


def _list(name: str, path: str, item: Any, data: QueryDict, old: Any, default: Any) -> Any:
    previous = old if isinstance(old, list) else []
    item_shape = shape(item)
    if get_origin(item_shape.base) is Literal and path not in ORDERED:
        allowed = [str(v) for v in get_args(item_shape.base)]
        chosen = set(data.getlist(path)) & set(allowed)
        kept = [v for v in previous if v in chosen]
        values: list[Any] = kept + [v for v in allowed if v in chosen and v not in kept]
    else:
        values = []
        for index in range(_count(data, path)):
            value = _parse(
                name, join(path, index), item, [], data, previous[index] if index < len(previous) else MISSING, MISSING
            )
            if value is not MISSING:
                values.append(value)
    if not values and default == [] and old is MISSING:
        return MISSING
    return values


def _mapping(path: str, data: QueryDict, old: Any, default: Any) -> Any:
    out: dict[str, Any] = {}
    for index in range(_count(data, path)):
        slot = join(path, index)
        key = _text(data.get(DKEY + slot, ""))
        value = _text(data.get(DVAL + slot, ""))
        while key in out:  # two entries given the same key: keep both texts, the second under a marked key
            key = f"{key}_again"
        out[key] = value
    if not out and old is MISSING and default is not MISSING:
        return MISSING
    return out


# ----- the editor's buttons -----------------------------------------------------------------------


def _tokens(path: str) -> list[str | int]:
    return [int(index) if index else key for index, key in re.findall(r"\[(\d+)\]|\.?([^.\[\]]+)", path)]


def _container(root: dict[str, Any], tokens: list[str | int]) -> Any:
    node: Any = root
    for token in tokens:
        if isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node = node[token]
            continue
        if isinstance(node, dict) and isinstance(token, str) and token in node:
            node = node[token]
            continue
        return None
    return node


def action_apply(definition: dict[str, Any], action: str, data: QueryDict) -> tuple[dict[str, Any], str]:
    """Apply one button (`verb:path`) to the definition; returns it and the path to show open afterwards.
    A button whose path leads nowhere (a stale page, a forged value) changes nothing."""
    verb, _, path = action.partition(":")
    tokens = _tokens(path)
    if not tokens:
        return definition, ""
    *parent_tokens, last = tokens
    parent = _container(definition, parent_tokens)
    if verb in {"add-item", "add-text", "add-kind"} and isinstance(parent, dict) and isinstance(last, str):
        target = parent.setdefault(last, [])
        if not isinstance(target, list):
            return definition, path
        new: Any = {} if verb == "add-item" else ""
        if verb == "add-kind":
            new = {"kind": data.get(KIND + path, "")[:40]}
        target.append(new)
        return definition, join(path, len(target) - 1)
    if verb == "add-entry" and isinstance(parent, dict) and isinstance(last, str):
        target = parent.setdefault(last, {})
        if isinstance(target, dict):
            key = ""
            while key in target:
                key += "_"
            target[key] = ""
        return definition, path
    if verb == "create" and isinstance(parent, dict) and isinstance(last, str):
        parent[last] = parent.get(last) or {}
        return definition, path
    if verb == "drop" and isinstance(parent, dict) and isinstance(last, str):
        parent.pop(last, None)
        return definition, ""
    if verb in {"remove", "up", "down"} and isinstance(last, int):
        if isinstance(parent, list) and 0 <= last < len(parent):
            if verb == "remove":
                parent.pop(last)
            else:
                other = last - 1 if verb == "up" else last + 1
                if 0 <= other < len(parent):
                    parent[last], parent[other] = parent[other], parent[last]
                    return definition, join(_join(parent_tokens), other)
            return definition, _join(parent_tokens)
        if isinstance(parent, dict) and 0 <= last < len(parent) and verb == "remove":
            key = list(parent)[last]
            parent.pop(key)
            return definition, _join(parent_tokens)
    return definition, path


def _join(tokens: list[str | int]) -> str:
    out = ""
    for token in tokens:
        out = join(out, token)
    return out
