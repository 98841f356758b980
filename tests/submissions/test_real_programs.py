"""The two real programs under credentials/, driven through the same generic services: no program has
code of its own, so these tests only feed each definition what it asks for."""

from __future__ import annotations

import copy

import pytest

from core.errors import InvalidInput
from submissions.checks import is_blocked
from submissions.errors import NotReady
from submissions.models import AttemptStatus
from submissions.services import completeness_check, submission_start
from tests.submissions import files
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload, words
from workflow.services import attempt_submit


def start_and_fill(educator, credential):
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    save(submission, educator, answers_for(definition), ratings_for(definition) or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    return submission, definition


@pytest.mark.parametrize("which", ["classkick", "educators_rising"])
def test_each_program_can_be_completed_and_submitted(request, educator, which):
    credential = request.getfixturevalue(which)
    submission, definition = start_and_fill(educator, credential)
    findings = completeness_check(submission=submission)
    assert not is_blocked(findings), [f.message for f in findings]
    attempt = attempt_submit(submission=submission, actor=educator)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.version == credential.current_version
    assert (
        attempt.grade_band
        == definition.parts[0].fields[[f.id for f in definition.parts[0].fields].index("grade_band")].options[0].id
    )


def test_a_new_classkick_draft_asks_for_the_method_evidence_and_self_evaluation(educator, classkick):
    submission, _ = submission_start(educator=educator, credential=classkick)
    findings = {(f.check, f.field or f.criterion) for f in completeness_check(submission=submission)}
    assert {
        ("required", "method.method"),
        ("required", "method.grade_band"),
        ("required", "evidence.explanation"),
        ("required", "evidence.implementation"),
        ("required", "evidence.balance"),
        ("required", "evidence.analysis"),
        ("required", "evidence.evidence_files"),
        ("self_evaluation_level", "implementation"),
        ("self_evaluation_level", "balance"),
        ("self_evaluation_level", "analysis"),
        ("self_evaluation_level", "evidence"),
    } <= findings
    assert not any(ref and ref.startswith("reflection.") for _, ref in findings), "the reflection is optional"


def test_classkick_accepts_the_reflection_as_an_audio_recording(educator, classkick):
    submission, _ = start_and_fill(educator, classkick)
    upload(submission, educator, "reflection.reflection_audio", "reflection.wav", files.wav())
    assert not is_blocked(completeness_check(submission=submission))


def test_classkick_refuses_a_recording_in_the_evidence_field(educator, classkick):
    submission, _ = submission_start(educator=educator, credential=classkick)
    with pytest.raises(InvalidInput, match="This field accepts: PDF document"):
        upload(submission, educator, "evidence.evidence_files", "grades.wav", files.wav())


def test_classkick_self_evaluation_needs_a_justification_within_150_words(educator, classkick):
    submission, definition = start_and_fill(educator, classkick)
    ratings = ratings_for(definition)
    ratings["balance"] = {"level": "exemplary", "justification": words(151)}
    save(submission, educator, ratings=ratings)
    findings = completeness_check(submission=submission)
    assert [(f.check, f.criterion) for f in findings if f.severity == "blocking"] == [
        ("self_evaluation_words", "balance")
    ]
    with pytest.raises(NotReady):
        attempt_submit(submission=submission, actor=educator)


def test_educators_rising_needs_each_kind_of_planning_interaction(educator, educators_rising):
    submission, definition = start_and_fill(educator, educators_rising)
    log = copy.deepcopy(answers_for(definition)["artifacts.planning_log"])
    for entry in log:
        entry["kind"] = "peer"
    save(submission, educator, {"artifacts.planning_log": log})
    findings = [f for f in completeness_check(submission=submission) if f.severity == "blocking"]
    assert [(f.check, f.field) for f in findings] == [("three_kinds_of_interaction", "artifacts.planning_log")]


def test_educators_rising_needs_planning_before_delivery_and_advises_a_day_ahead(educator, educators_rising):
    submission, definition = start_and_fill(educator, educators_rising)
    log = copy.deepcopy(answers_for(definition)["artifacts.planning_log"])
    for entry in log:
        entry["held_on"] = "2025-03-10"  # the delivery day itself
    log[0]["held_on"] = "2025-03-12"
    save(submission, educator, {"artifacts.planning_log": log})
    findings = completeness_check(submission=submission)
    assert {(f.check, f.severity, f.entry) for f in findings if f.check.startswith("planning_")} == {
        ("planning_before_delivery", "blocking", 1),
        # The program says the lesson "should" be planned a day or two ahead: advice, on the earliest entry.
        ("planning_starts_in_advance", "advisory", 2),
    }


def test_educators_rising_narrative_over_500_words_is_kept_but_blocks(educator, educators_rising):
    submission, _ = start_and_fill(educator, educators_rising)
    saved = save(submission, educator, {"artifacts.narrative": words(501)})
    assert len(saved.responses["artifacts"]["narrative"].split()) == 501
    findings = [f for f in completeness_check(submission=submission) if f.severity == "blocking"]
    assert [(f.check, f.field) for f in findings] == [("max_words", "artifacts.narrative")]


def test_educators_rising_advises_writing_the_narrative_and_essay_within_a_day(educator, educators_rising):
    submission, _ = start_and_fill(educator, educators_rising)
    advisories = [f.check for f in completeness_check(submission=submission) if f.severity == "advisory"]
    # Delivered in 2025, written today: both texts get the advisory, and neither blocks.
    assert advisories == ["narrative_written_fresh", "reflection_written_fresh"]
    assert attempt_submit(submission=submission, actor=educator).number == 1
