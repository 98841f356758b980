"""Reading JSON that anyone may send, without letting its nesting exhaust the stack.

Python's json module (and everything that walks the result afterwards: pydantic, pyld, the JSON encoder,
templates) recurses once per level, so a body of a thousand `[` is a RecursionError, that is a 500, in
whichever of them gets there first. Nothing the platform reads is nested more than a few levels (a
credential about ten), so text nested deeper than MAX_DEPTH is refused before it is parsed, and an
object built elsewhere can be measured without recursion.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

# A string literal, closed or running to the end of the text, taken whole in one pass (possessive, so never
# retried from a later quote); what is left outside strings, reduced to its brackets, gives the depth.
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class TooDeep(ValueError):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"it is nested more than {limit} levels deep")


def text_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside one another.

    Exact for any text the parser could descend through; for text that is not JSON the answer does not
    matter, the parser refuses it. Linear in the text's length, as the regexes and C loops run it."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def value_depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed value nests lists and dicts more than `limit` levels, measured without recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes, *, limit: int = MAX_DEPTH) -> Any:
    """json.loads, refusing with TooDeep (a ValueError) text nested deeper than `limit`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if text_depth_exceeds(text, limit):
        raise TooDeep(limit)
    return json.loads(text)
