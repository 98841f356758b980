"""The completeness check: built-in rules from the field definitions and the definition's declarative
checks, each shown passing and failing."""

from __future__ import annotations

import copy
import random
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalog.schema import CredentialDefinition
from submissions.checks import DraftState, Finding, findings_for, is_blocked
from submissions.models import Draft
from submissions.services import completeness_check, evidence_remove
from submissions.values import word_count
from submissions.values import words as words_of
from tests.submissions import files
from tests.submissions.helpers import (
    DELIVERED,
    complete_portfolio,
    portfolio_answers,
    portfolio_ratings,
    save,
    upload,
    words,
)


@pytest.fixture
def definition(portfolio) -> CredentialDefinition:
    return portfolio.current_version.spec


def state(
    changes: dict[str, Any] | None = None,
    *,
    ratings: dict[str, Any] | None = None,
    evidence: dict[str, int] | None = None,
    first_written: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> DraftState:
    """A complete portfolio draft's state with `changes` applied (None removes a field)."""
    responses: dict[str, dict[str, Any]] = {}
    merged = {**portfolio_answers(), **(changes or {})}
    for ref, value in merged.items():
        if ref in drop or value is None:
            continue
        part, field = ref.split(".")
        responses.setdefault(part, {})[field] = copy.deepcopy(value)
    return DraftState(
        responses=responses,
        self_evaluation=portfolio_ratings() if ratings is None else ratings,
        evidence_counts={"plan.lesson_files": 1} if evidence is None else evidence,
        first_written_at=first_written or {},
    )


def found(findings: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.check, f.field or f.criterion) for f in findings}


def test_a_complete_draft_has_no_findings(definition):
    assert findings_for(definition, state()) == []


# ----- word counting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("one", 1),
        ("  two   words\n", 2),
        ("don't e.g. 2024", 3),
        ("a - b — c • d", 4),
        ("Œuvre naïve 数学", 3),
        ("<p>hello</p>", 1),
        ("... !!! ---", 0),
    ],
)
def test_word_count_counts_whitespace_separated_tokens_with_a_letter_or_digit(text, count):
    assert word_count(text) == count


def test_word_count_is_the_definition_for_every_character_and_for_random_texts():
    """word_count finds the words with one regex; the definition is str.split() and str.isalnum(). The regex's
    classes are those two on every code point, and the counts agree on texts mixing the edge cases."""
    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    assert set(re.findall(r"[^\W_]", every)) == {c for c in every if c.isalnum()}
    assert set(re.findall(r"\s", every)) == {c for c in every if c.isspace()}
    pieces = [
        " ",
        "\t",
        "\n",
        "\u00a0",
        "\u2003",
        "\x1c",
        "\x85",
        "_",
        "-",
        "'",
        ".",
        "a",
        "É",
        "5",
        "٣",
        "½",
        "数",
        "\u200b",
    ]
    chosen = random.Random(7)
    for _ in range(5000):
        text = "".join(chosen.choice(pieces) for _ in range(chosen.randint(0, 14)))
        assert word_count(text) == sum(1 for token in text.split() if any(ch.isalnum() for ch in token)), repr(text)
        assert words_of(text) == [token for token in text.split() if any(ch.isalnum() for ch in token)], repr(text)


# ----- built-in rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("context.grade_band", "Grade band: choose an option."),
        ("context.school_name", "School: fill this in."),
        ("plan.lesson_plan", "Lesson plan: write your answer."),
        ("plan.plan_elements", "My lesson plan includes: tick the items that apply."),
        ("plan.delivery_date", "Date the lesson was delivered: enter the date."),
        ("plan.interactions", "Planning interactions: add at least one interaction."),
    ],
)
def test_a_required_field_left_empty_blocks_with_what_to_do(definition, ref, message):
    findings = findings_for(definition, state(drop=(ref,)))
    required = [f for f in findings if f.check == "required"]
    assert [(f.field, f.message, f.severity) for f in required] == [(ref, message, "blocking")]


def test_an_optional_field_may_stay_empty(definition):
    assert findings_for(definition, state(drop=("context.subjects", "context.class_codes", "plan.resources"))) == []


def test_a_required_file_field_needs_evidence(definition):
    findings = findings_for(definition, state(evidence={}))
    assert found(findings) == {("required", "plan.lesson_files")}
    assert findings[0].message == "Lesson materials: attach at least one file."


def test_max_words_blocks_when_exceeded_and_passes_at_the_limit(definition):
    over = findings_for(definition, state({"plan.narrative": words(61)}))
    assert [(f.check, f.message) for f in over] == [
        ("max_words", "Collaboration narrative has 61 words; shorten it to 60 or fewer.")
    ]
    assert findings_for(definition, state({"plan.narrative": words(60)})) == []


def test_min_words_blocks_when_short(definition):
    under = findings_for(definition, state({"plan.narrative": "Too short"}))
    assert [(f.check, f.message) for f in under] == [
        ("min_words", "Collaboration narrative has 2 words; write at least 5.")
    ]


def test_a_checklist_with_require_all_needs_every_item(definition):
    findings = findings_for(definition, state({"plan.plan_elements": ["goal"]}))
    assert found(findings) == {("require_all", "plan.plan_elements")}
    assert "Alignment to standards; Essential questions" in findings[0].message


def test_a_list_needs_its_minimum_number_of_entries(definition):
    entries = portfolio_answers()["plan.interactions"][:2]
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert ("min_items", "plan.interactions") in found(findings)
    assert "at least 3 entries are needed and there are 2; add 1 more" in findings[0].message


def test_a_required_item_missing_in_an_entry_names_the_entry(definition):
    entries = copy.deepcopy(portfolio_answers()["plan.interactions"])
    del entries[1]["with_whom"]
    entries[2]["ideas"] = words(41)
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert {(f.check, f.field, f.entry) for f in findings} == {
        ("required", "plan.interactions.with_whom", 2),
        ("max_words", "plan.interactions.ideas", 3),
    }


def test_empty_entries_do_not_count_towards_the_minimum(definition):
    entries = [*portfolio_answers()["plan.interactions"][:2], {"id": "blank"}]
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert ("min_items", "plan.interactions") in found(findings)


# ----- optional parts -----------------------------------------------------------------------------


def test_an_untouched_optional_part_is_not_checked(definition):
    # The reflection part has a required checklist ("I confirm") and a rubric criterion of its own.
    assert findings_for(definition, state()) == []


def test_an_optional_part_is_checked_once_anything_in_it_is_filled(definition):
    findings = findings_for(definition, state({"reflection.reflection_text": "What went well: the pizzas."}))
    assert found(findings) == {("required", "reflection.agreed"), ("self_evaluation_level", "reflecting")}


# ----- self-evaluation ----------------------------------------------------------------------------


def test_self_evaluation_needs_every_criterion_rated(definition):
    findings = findings_for(definition, state(ratings={"planning": portfolio_ratings()["planning"]}))
    assert found(findings) == {("self_evaluation_level", "overall")}
    assert findings[0].message == "Self-evaluation, Overall: choose the level that describes your work."


def test_self_evaluation_needs_a_justification_when_required(definition):
    ratings = {**portfolio_ratings(), "overall": {"level": "exemplary"}}
    findings = findings_for(definition, state(ratings=ratings))
    assert found(findings) == {("self_evaluation_justification", "overall")}
    assert "say briefly why you chose Exemplary" in findings[0].message


def test_self_evaluation_justification_has_a_word_limit(definition):
    ratings = {**portfolio_ratings(), "overall": {"level": "exemplary", "justification": words(13)}}
    findings = findings_for(definition, state(ratings=ratings))
    assert [(f.check, f.criterion) for f in findings] == [("self_evaluation_words", "overall")]
    assert "has 13 words; shorten it to 12 or fewer" in findings[0].message


# ----- declarative checks -------------------------------------------------------------------------


def test_list_has_each_names_the_missing_kinds(definition):
    entries = copy.deepcopy(portfolio_answers()["plan.interactions"])
    entries[1]["kind"] = "peer"
    entries[2]["kind"] = "peer"
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert found(findings) == {("each_kind", "plan.interactions")}
    assert findings[0].message == (
        "Add at least one interaction of each kind. "
        "Still needed: Expert or educator mentor; Online professional network."
    )


def test_dates_before_all_flags_each_interaction_after_delivery(definition):
    entries = copy.deepcopy(portfolio_answers()["plan.interactions"])
    entries[2]["when"] = "2025-03-11"
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert [(f.check, f.entry) for f in findings] == [("before_delivery", 3)]
    assert (
        "Planning interactions, entry 3: Date is 2025-03-11; Date the lesson was delivered is 2025-03-10."
        in findings[0].message
    )


def test_dates_before_allows_planning_on_the_delivery_day_when_days_is_zero(definition):
    entries = copy.deepcopy(portfolio_answers()["plan.interactions"])
    entries[2]["when"] = DELIVERED
    assert findings_for(definition, state({"plan.interactions": entries})) == []


def test_dates_before_earliest_needs_planning_to_start_a_day_ahead(definition):
    entries = copy.deepcopy(portfolio_answers()["plan.interactions"])
    for entry in entries:
        entry["when"] = DELIVERED
    findings = findings_for(definition, state({"plan.interactions": entries}))
    assert [(f.check, f.field) for f in findings] == [("planned_ahead", "plan.interactions.when")]
    entries[0]["when"] = "2025-03-09"
    assert findings_for(definition, state({"plan.interactions": entries})) == []


def test_dates_before_waits_for_both_dates(definition):
    assert not [f for f in findings_for(definition, state(drop=("plan.delivery_date",))) if f.check != "required"]


def test_at_least_one_with_only_if_any_is_quiet_until_the_part_is_started(definition):
    assert findings_for(definition, state()) == []
    ratings = {**portfolio_ratings(), "reflecting": {"level": "accomplished", "justification": "I reflected."}}
    started = findings_for(definition, state({"reflection.agreed": ["mine"]}, ratings=ratings))
    assert found(started) == {("reflection_in_some_form", "reflection.reflection_text")}
    assert started[0].message.startswith("Write the reflection, upload a recording or paste a video link")


@pytest.mark.parametrize(
    ("changes", "evidence"),
    [
        ({"reflection.reflection_text": "It went well."}, {}),
        ({"reflection.reflection_video": "https://video.example/v/1"}, {}),
        ({}, {"reflection.reflection_audio": 1}),
    ],
)
def test_at_least_one_is_satisfied_by_any_of_its_fields(definition, changes, evidence):
    ratings = {**portfolio_ratings(), "reflecting": {"level": "accomplished", "justification": "I reflected."}}
    result = findings_for(
        definition,
        state(
            {**changes, "reflection.agreed": ["mine"]}, ratings=ratings, evidence={"plan.lesson_files": 1, **evidence}
        ),
    )
    assert result == []


def test_written_within_is_an_advisory_when_the_text_was_first_written_later(definition):
    late = timezone.make_aware(datetime(2025, 3, 14, 9, 0)).isoformat()
    findings = findings_for(definition, state(first_written={"plan.narrative": late}))
    assert [(f.check, f.severity) for f in findings] == [("narrative_fresh", "advisory")]
    assert "first written on 2025-03-14" in findings[0].message
    assert not is_blocked(findings)


def test_written_within_passes_when_written_in_time(definition):
    on_time = timezone.make_aware(datetime(2025, 3, 11, 20, 0)).isoformat()
    assert findings_for(definition, state(first_written={"plan.narrative": on_time})) == []


# ----- on a real draft ----------------------------------------------------------------------------


def test_the_check_on_a_new_draft_lists_what_to_do(draft):
    findings = completeness_check(submission=draft)
    assert is_blocked(findings)
    assert ("required", "context.grade_band") in found(findings)
    assert ("required", "plan.lesson_files") in found(findings)
    assert ("self_evaluation_level", "planning") in found(findings)


def test_the_check_on_a_completed_draft_is_clear_apart_from_the_freshness_advisory(draft, educator):
    complete_portfolio(draft, educator)
    # The narrative was first typed today, long after the 2025 delivery date.
    findings = completeness_check(submission=draft)
    assert [(f.check, f.severity) for f in findings] == [("narrative_fresh", "advisory")]
    # Delivered yesterday: the text written today is within a day.
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    entries = Draft.objects.get(pk=draft.pk).responses["plan"]["interactions"]
    for entry in entries:
        entry["when"] = (timezone.localdate() - timedelta(days=5)).isoformat()
    save(draft, educator, {"plan.delivery_date": yesterday, "plan.interactions": entries})
    assert completeness_check(submission=draft) == []


def test_the_check_counts_only_the_files_still_in_the_draft(draft, educator):
    complete_portfolio(draft, educator)
    item = draft.evidence.get()
    evidence_remove(evidence=item, actor=educator)
    assert ("required", "plan.lesson_files") in found(completeness_check(submission=draft))
    upload(draft, educator, "plan.lesson_files", "again.pdf", files.pdf())
    assert ("required", "plan.lesson_files") not in found(completeness_check(submission=draft))
