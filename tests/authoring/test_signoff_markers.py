"""The draft markers of a definition: found in the real programs, labelled, and removed one at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from authoring.markers import marker_remove, markers_list
from catalog.schema import CredentialDefinition


def _program(name: str) -> dict[str, Any]:
    return yaml.safe_load((Path(settings.CREDENTIALS_DIR) / f"{name}.yaml").read_text())


@pytest.fixture(scope="module")
def rising() -> dict[str, Any]:
    return _program("educators-rising-collaboration")


def test_the_educators_rising_program_carries_38_markers(rising: dict[str, Any]) -> None:
    markers = markers_list(rising)
    # 34 items marked `draft: true` (12 questions, 5 checks, 2 levels, 9 criteria, 2 partners, the review policy,
    # retention, the Spanish translation, the planning log's confirmations), the summary, grade bands and
    # professional-development hours in `draft_fields`, and the appeal window in the review policy's.
    assert len(markers) == 38
    assert len({m.path for m in markers}) == 38
    assert markers[-1].path == "translations.es"
    assert sum(m.kind == "field" for m in markers) == 4
    assert [m.path for m in markers[:2]] == ["draft_fields.summary", "draft_fields.grade_bands"]


def test_each_marker_has_a_readable_label_and_a_path_of_ids(rising: dict[str, Any]) -> None:
    by_path = {m.path: m.label for m in markers_list(rising)}
    assert by_path["draft_fields.summary"] == "Summary"
    assert by_path["review_policy"] == "Review policy (all of it)"
    assert by_path["rubric.levels.developing"] == "Rubric level “Developing”"
    assert by_path["parts.artifacts.fields.planning_log"] == "Question “Planning log” in part “Part 2. Artifacts”"
    assert by_path["graduate_credit.partners.demo-state-university"].startswith("Graduate credit partner “Demo State")
    assert by_path["checks.planning_before_delivery"].startswith("Completeness check “Every planning interaction")
    assert by_path["translations.es"] == "Translation into Spanish"


def test_a_policy_rule_is_a_marker_of_its_own() -> None:
    by_path = {m.path: m.label for m in markers_list(_program("classkick-collaboration"))}
    assert by_path["review_policy.draft_fields.due_days"] == "Review policy: due days"
    assert by_path["draft_fields.competency_statement"] == "Competency statement"


@pytest.mark.parametrize(
    "path",
    ["draft_fields.summary", "rubric.criteria.instructional_context", "review_policy", "retention", "translations.es"],
)
def test_removing_a_marker_takes_out_that_one_and_keeps_the_text_valid(rising: dict[str, Any], path: str) -> None:
    before = markers_list(rising)
    after = marker_remove(rising, path)
    assert [m.path for m in markers_list(after)] == [m.path for m in before if m.path != path]
    assert len(markers_list(rising)) == 38  # the input is left alone
    CredentialDefinition.model_validate(after)


def test_a_policy_rule_marker_leaves_the_policys_list() -> None:
    classkick = _program("classkick-collaboration")
    after = marker_remove(classkick, "review_policy.draft_fields.grace_days")
    assert "grace_days" not in after["review_policy"]["draft_fields"]
    assert "due_days" in after["review_policy"]["draft_fields"]


def test_removing_a_marker_that_is_not_there_is_refused(rising: dict[str, Any]) -> None:
    with pytest.raises(KeyError):
        marker_remove(rising, "parts.artifacts.fields.narrative")  # the program's own question
    with pytest.raises(KeyError):
        marker_remove(marker_remove(rising, "draft_fields.summary"), "draft_fields.summary")


def test_signing_off_a_translation_keeps_its_text_and_clears_only_its_mark(rising: dict[str, Any]) -> None:
    after = marker_remove(rising, "translations.es")
    assert after["translations"]["es"]["draft"] is False
    assert after["translations"]["es"]["text"] == rising["translations"]["es"]["text"]
    assert "translations.es" not in {m.path for m in markers_list(after)}
    assert len(markers_list(after)) == 37
