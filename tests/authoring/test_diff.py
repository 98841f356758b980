"""The definition diff: path by path from the data, list items matched by id, and line by line as YAML."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from authoring.diff import definition_diff, show, yaml_diff


@pytest.fixture(scope="module")
def rising() -> dict[str, Any]:
    path = Path(settings.CREDENTIALS_DIR) / "educators-rising-collaboration.yaml"
    return yaml.safe_load(path.read_text())


def _field(definition: dict[str, Any], part: str, field: str) -> dict[str, Any]:
    found = next(p for p in definition["parts"] if p["id"] == part)
    return next(f for f in found["fields"] if f["id"] == field)


def test_it_finds_nothing_between_equal_texts(rising: dict[str, Any]) -> None:
    assert definition_diff(rising, copy.deepcopy(rising)) == []
    assert yaml_diff(rising, copy.deepcopy(rising), old_name="a", new_name="b") == []


def test_it_names_a_changed_limit_by_its_path_of_ids(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    _field(changed, "artifacts", "narrative")["max_words"] = 600
    [change] = definition_diff(rising, changed)
    assert change.path == "parts.artifacts.fields.narrative.max_words"
    assert (change.kind, change.old, change.new) == ("changed", 500, 600)
    assert str(change) == "parts.artifacts.fields.narrative.max_words: 500 → 600"


def test_it_matches_moved_items_by_id_and_reports_the_new_order(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    changed["rubric"]["criteria"].reverse()
    changes = definition_diff(rising, changed)
    assert [c.kind for c in changes] == ["reordered"]
    assert changes[0].path == "rubric.criteria"
    assert changes[0].new[0] == rising["rubric"]["criteria"][-1]["id"]


def test_it_reports_added_and_removed_items_and_keys(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    part = next(p for p in changed["parts"] if p["id"] == "artifacts")
    removed = part["fields"].pop(0)
    part["fields"].append({"id": "extra", "kind": "text", "label": "Anything else"})
    del changed["license"]
    changed["validity_days"] = 730
    found = {(c.path, c.kind) for c in definition_diff(rising, changed)}
    assert (f"parts.artifacts.fields.{removed['id']}", "removed") in found
    assert ("parts.artifacts.fields.extra", "added") in found
    assert ("license", "removed") in found
    assert ("validity_days", "added") in found


def test_a_list_of_values_changes_as_a_whole(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    changed["grade_bands"] = [*rising["grade_bands"], "college"]
    [change] = definition_diff(rising, changed)
    assert change.path == "grade_bands"
    assert change.new[-1] == "college"


def test_items_without_an_id_are_compared_by_position(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    changed["method_components"][0]["title"] = "A new title"
    [change] = definition_diff(rising, changed)
    assert change.path == "method_components.0.title"
    assert change.new == "A new title"


def test_a_value_of_another_type_is_a_change() -> None:
    [change] = definition_diff({"a": 1}, {"a": True})
    assert (change.old, change.new) == (1, True)


def test_show_keeps_values_to_one_short_line() -> None:
    assert show("two\n  lines") == "two lines"
    assert show(None) == "null"
    assert show(False) == "false"
    assert show({"a": [1, 2]}) == '{"a": [1, 2]}'
    assert len(show("x" * 1000)) == 200


def test_the_yaml_diff_marks_each_line(rising: dict[str, Any]) -> None:
    changed = copy.deepcopy(rising)
    _field(changed, "artifacts", "narrative")["max_words"] = 600
    lines = yaml_diff(rising, changed, old_name="version 1", new_name="the draft")
    assert [line.text.strip() for line in lines if line.kind == "removed"] == ["max_words: 500"]
    assert [line.text.strip() for line in lines if line.kind == "added"] == ["max_words: 600"]
    assert lines[0].kind == "hunk"
    assert sum(line.kind == "context" for line in lines) == 6
