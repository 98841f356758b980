"""A JSON body parser whose refusals say where the problem is.

ninja's own parser answers any undecodable body with "Cannot parse request body". This one names
the field whose text is not valid UTF-8 (or holds characters no text may: lone surrogates, or a NUL,
which PostgreSQL refuses to store and which must not be dropped without a word), and the line and
column of a JSON syntax error; a body nested deeper than core.json_input allows is refused before it
is parsed. ninja wraps whatever a parser raises in a 400 HttpError; api.api's handler unwraps
`BodyError` to show its message with its own status.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.parser import Parser
from ninja.types import DictStrAny

from core import json_input

_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL = re.compile("\x00")


class BodyError(Exception):
    """`message` is for the field's entry in `errors`; `detail`, the whole answer's sentence, repeats it."""

    def __init__(self, message: str, field: str | None = None, status: int = 400, detail: str | None = None) -> None:
        self.message = message
        self.field = field
        self.status = status
        self.detail = detail or message
        super().__init__(self.detail)


def _bad_text_path(value: Any, bad: re.Pattern[str]) -> str | None:
    """Where the first text, key or value, holding a character `bad` matches is.

    Walks with a stack rather than recursion: the depth is bounded before parsing, but this must not
    be the one place that is not."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if bad.search(item):
                return path or "(body)"
        elif isinstance(item, dict):
            children: list[tuple[str, Any]] = []
            for key, child in item.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and bad.search(key):
                    return where
                children.append((where, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            # Dotted like the validation errors' fields (api.api), so one client reads both alike.
            stack.extend(
                reversed([(f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item)])
            )
    return None


class StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        raw = request.body
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # Decode again keeping the bad bytes as surrogates, only to find which field holds them.
            try:
                where = _bad_text_path(json_input.loads(raw.decode("utf-8", "surrogateescape")), _SURROGATE)
            except ValueError:
                where = None
            place = (
                gettext("in %(field)s") % {"field": where}
                if where
                else gettext("at byte %(offset)s") % {"offset": error.start}
            )
            raise BodyError(
                gettext("the request body is not valid UTF-8 (%(place)s); send JSON encoded as UTF-8")
                % {"place": place},
                where,
            ) from None
        try:
            data = json_input.loads(text)
        except json.JSONDecodeError as error:
            _refuse_null(_raw_control_characters(text))
            raise BodyError(
                gettext("the request body is not valid JSON: %(problem)s at line %(line)s, column %(column)s")
                % {"problem": error.msg, "line": error.lineno, "column": error.colno}
            ) from None
        except json_input.TooDeep as error:
            raise BodyError(gettext("the request body cannot be read: %(problem)s") % {"problem": error}) from None
        if "\\u" not in text:
            # Only a \u escape can put either into the value: a raw NUL is not valid JSON, and text decoded from
            # UTF-8 holds no lone surrogate. Most bodies have no escape, and are not walked.
            return cast(DictStrAny, data)
        _refuse_null(data)
        where = _bad_text_path(data, _SURROGATE)
        if where:
            raise BodyError(
                gettext("%(field)s holds characters that are not valid Unicode text (lone surrogates)")
                % {"field": where},
                where,
            )
        return cast(DictStrAny, data)


def _raw_control_characters(text: str) -> Any:
    """The body read leniently, with control characters typed raw inside strings (which JSON forbids), only
    to find whether one of them is a NUL and in which field; None when it cannot be read even so."""
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _refuse_null(data: Any) -> None:
    # Dropping a NUL silently would store something other than what was sent, and PostgreSQL cannot store
    # it at all: the sender is told which field holds it.
    where = _bad_text_path(data, _NUL)
    if where:
        message = gettext("remove the null character (U+0000): text may not contain it")
        raise BodyError(message, where, 422, detail=f"{where}: {message}")
