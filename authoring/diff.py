"""What changed between two texts of a definition: path by path from the data (list items matched by their id or
slug, so a moved field is one change of order rather than a cascade), and line by line as unified YAML."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from authoring.paths import item_key, join, segment

_MISSING: Any = object()
_SHOW_LIMIT = 200


@dataclass(frozen=True)
class Change:
    path: str
    kind: Literal["added", "removed", "changed", "reordered"]
    old: Any = None
    new: Any = None

    @property
    def old_text(self) -> str:
        return show(self.old) if self.kind != "added" else ""

    @property
    def new_text(self) -> str:
        return show(self.new) if self.kind != "removed" else ""

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added {self.new_text}"
        if self.kind == "removed":
            return f"{self.path}: removed {self.old_text}"
        return f"{self.path}: {self.old_text} → {self.new_text}"


def show(value: Any) -> str:
    """A value as one short line: scalars as themselves, anything bigger as compact JSON, cut at a limit."""
    if isinstance(value, str):
        text = " ".join(value.split())
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"


def _keyed(items: list[Any]) -> bool:
    keys = [item_key(item) for item in items]
    return all(key is not None for key in keys) and len(set(keys)) == len(keys)


def _walk(old: Any, new: Any, path: tuple[str, ...], out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            _walk(old.get(key, _MISSING), new.get(key, _MISSING), (*path, key), out)
    elif isinstance(old, list) and isinstance(new, list) and old and new and _keyed(old) and _keyed(new):
        old_by = {item_key(item): item for item in old}
        new_by = {item_key(item): item for item in new}
        common_old = [key for key in old_by if key in new_by]
        common_new = [key for key in new_by if key in old_by]
        if common_old != common_new:
            out.append(Change(join(path), "reordered", common_old, common_new))
        for key in [*old_by, *(k for k in new_by if k not in old_by)]:
            _walk(old_by.get(key, _MISSING), new_by.get(key, _MISSING), (*path, str(key)), out)
    elif (
        isinstance(old, list) and isinstance(new, list) and any(isinstance(item, dict | list) for item in [*old, *new])
    ):
        for index in range(max(len(old), len(new))):
            bit = segment(old, index) if index < len(old) else segment(new, index)
            _walk(
                old[index] if index < len(old) else _MISSING,
                new[index] if index < len(new) else _MISSING,
                (*path, bit),
                out,
            )
    elif old is _MISSING:
        out.append(Change(join(path), "added", new=new))
    elif new is _MISSING:
        out.append(Change(join(path), "removed", old=old))
    elif old != new or type(old) is not type(new):
        out.append(Change(join(path), "changed", old, new))


def definition_diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, in the order of the definition; an empty list when they are the same.
    Lists of values (grade bands, prompts) change as a whole; lists of named items item by item."""
    out: list[Change] = []
    _walk(old, new, (), out)
    return out


def definition_yaml(definition: dict[str, Any]) -> str:
    """The definition as YAML in its own key order, as the diff reads it line by line."""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


@dataclass(frozen=True)
class DiffLine:
    kind: Literal["added", "removed", "context", "hunk"]
    text: str


def yaml_diff(old: dict[str, Any], new: dict[str, Any], *, old_name: str, new_name: str) -> list[DiffLine]:
    """A unified diff of the two definitions as YAML (three lines of context), line by line with its kind."""
    lines = difflib.unified_diff(
        definition_yaml(old).splitlines(),
        definition_yaml(new).splitlines(),
        fromfile=old_name,
        tofile=new_name,
        lineterm="",
    )
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("removed", line[1:]))
        else:
            out.append(DiffLine("context", line[1:]))
    return out
