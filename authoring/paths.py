"""How a place in a definition is named for people and for the sign-off rows: dotted, with a list item named by
its `id` (or a partner by its `slug`) where it has one and by its position otherwise, so a path stays the same
when other items are added or moved: "parts.planning.fields.narrative.max_words", "introduction.0"."""

from __future__ import annotations

from typing import Any

KEYS = ("id", "slug")


def item_key(item: Any) -> str | None:
    """The name a list item goes by in a path, when it has one."""
    if isinstance(item, dict):
        for key in KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def segment(items: list[Any], index: int) -> str:
    return item_key(items[index]) or str(index)


def join(path: tuple[str, ...]) -> str:
    return ".".join(path)


def child(node: Any, bit: str) -> Any:
    """The part of `node` a path segment names; KeyError when there is none."""
    if isinstance(node, dict):
        return node[bit]
    if isinstance(node, list):
        for item in node:
            if item_key(item) == bit:
                return item
        if bit.isdigit() and int(bit) < len(node):
            return node[int(bit)]
    raise KeyError(bit)


def resolve(definition: Any, path: str) -> Any:
    """The node at a dotted path; KeyError naming the first segment that is not there."""
    node = definition
    for bit in path.split(".") if path else []:
        node = child(node, bit)
    return node
