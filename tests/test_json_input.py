"""core.json_input: the nesting depth of JSON text, judged before parsing and without recursion."""

from __future__ import annotations

import json
import time

import pytest

from core.json_input import MAX_DEPTH, TooDeep, loads, text_depth_exceeds, value_depth_exceeds


@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ('{"a":' * (MAX_DEPTH + 1), True),  # unfinished: still refused before the parser recurses
        ('["' + "[" * 200 + '"]', False),  # brackets inside a string are text
        ('["\\"' + "[" * 200 + '"]', False),  # an escaped quote does not end the string
        ('["\\\\"' + "[" * 200 + "]", True),  # an escaped backslash does, so these brackets count
        ("[" + "[]," * 500 + "[]]", False),  # wide is not deep
    ],
)
def test_the_depth_of_json_text(text: str, too_deep: bool) -> None:
    assert text_depth_exceeds(text) is too_deep


def test_loads_refuses_what_is_too_deep_and_reads_the_rest() -> None:
    with pytest.raises(TooDeep, match=f"more than {MAX_DEPTH} levels"):
        loads("[" * 100_000)
    assert loads(b'{"a": [[1]]}') == {"a": [[1]]}
    with pytest.raises(json.JSONDecodeError):
        loads("[" * 10 + "x")


def test_the_depth_of_a_parsed_value_is_measured_without_recursion() -> None:
    value: object = "x"
    for _ in range(5000):
        value = [value]
    assert value_depth_exceeds(value)
    assert not value_depth_exceeds({"a": [{"b": [1, 2]}]}, limit=4)
    assert value_depth_exceeds({"a": [{"b": [1, 2]}]}, limit=3)


def test_a_two_megabyte_body_is_measured_quickly_whatever_it_holds() -> None:
    # Unterminated strings full of escaped quotes would make a backtracking scanner quadratic.
    for text in ('"\\"' * 700_000 + "[" * 100, '["' + "\\n" * 1_000_000 + '"' + ",[]" * 100 + "]"):
        started = time.monotonic()
        text_depth_exceeds(text)
        assert time.monotonic() - started < 5
