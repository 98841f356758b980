"""Driving reviews through the real services in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.models import User
from catalog.models import Credential
from reviews.models import Assignment, AssignmentState
from submissions.models import Attempt, Submission
from submissions.services import submission_start
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit, review_submit

IDENTITY_TEXT = (
    "I am Edna Educator and I teach at Lincoln High School (email edna@example.org). "
    "At Lincoln High we plan every Thursday; Edna's team shares goals."
)


def submit_attempt(
    educator: User,
    credential: Credential,
    *,
    band: str = "middle_school",
    changes: dict[str, Any] | None = None,
    before_submit: Callable[[Submission], object] | None = None,
) -> Attempt:
    """Start the educator's submission (or take the open one, to resubmit), fill every required field, and
    submit it (after `before_submit`, given the filled draft)."""
    credential.refresh_from_db()
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission = Submission.objects.filter(educator=educator, credential=credential, is_open=True).first()
    created = submission is None
    if submission is None:
        submission, _ = submission_start(educator=educator, credential=credential)
    if created:
        answers = answers_for(definition)
        if definition.grade_band_field() is not None:
            part = next(p for p in definition.parts if definition.grade_band_field() in p.fields)
            answers[f"{part.id}.grade_band"] = band
        save(submission, educator, answers, ratings_for(definition) or None)
        for field, name, content in required_uploads(definition):
            upload(submission, educator, field, name, content)
    if changes:
        save(submission, educator, changes)
    if before_submit is not None:
        before_submit(submission)
    return attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)


def open_assignments(attempt: Attempt) -> dict[str, Assignment]:
    """The attempt's open assignments by the reviewer's email."""
    rows = Assignment.objects.filter(attempt=attempt, state=AssignmentState.OPEN).select_related("reviewer", "seat")
    return {a.reviewer.email: a for a in rows}


def scores(credential: Credential, level: str | None = None, **overrides: str | None) -> dict[str, dict[str, str]]:
    """A full set of scores at `level` (default: the passing level), with `overrides` per criterion; any level
    below passing comes with a reasoning and a suggestion."""
    assert credential.current_version is not None
    rubric = credential.current_version.spec.rubric
    passing = set(rubric.passing_levels())
    out = {}
    for criterion in rubric.criteria:
        chosen = overrides.get(criterion.id) or level or rubric.passing_level
        entry = {"level": chosen}
        if chosen not in passing:
            entry["reasoning"] = f"The {criterion.title} evidence shows planning happened only once."
            entry["suggestion"] = f"Schedule regular {criterion.title} planning and show its effect on students."
        out[criterion.id] = entry
    return out


def review(assignment: Assignment, credential: Credential, level: str | None = None, **overrides: str | None) -> None:
    review_submit(assignment=assignment, reviewer=assignment.reviewer, scores=scores(credential, level, **overrides))
