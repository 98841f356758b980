"""A JSON body parser whose refusals say where the problem is.

ninja's own parser answers any undecodable body with "Cannot parse request body". This one names
the field whose text is not valid UTF-8 (or holds characters no text may, such as lone surrogates,
which PostgreSQL would refuse to store), and the line and column of a JSON syntax error. ninja wraps
whatever a parser raises in a 400 HttpError; api.api's handler unwraps `BodyError` to show its message.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

_BAD = re.compile("[\ud800-\udfff]")


class BodyError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)


def _bad_text_path(value: Any, path: str = "") -> str | None:
    if isinstance(value, str):
        return (path or "(body)") if _BAD.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _BAD.search(key):
                return child
            found = _bad_text_path(item, child)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


class StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        raw = request.body
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # Decode again keeping the bad bytes as surrogates, only to find which field holds them.
            try:
                where = _bad_text_path(json.loads(raw.decode("utf-8", "surrogateescape")))
            except ValueError:
                where = None
            place = f"in {where}" if where else f"at byte {error.start}"
            raise BodyError(
                f"the request body is not valid UTF-8 ({place}); send JSON encoded as UTF-8", where
            ) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise BodyError(
                f"the request body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
            ) from None
        where = _bad_text_path(data)
        if where:
            raise BodyError(f"{where} holds characters that are not valid Unicode text (lone surrogates)", where)
        return cast(DictStrAny, data)
