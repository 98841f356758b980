"""Decided attempts with their panels' scores, written as rows of the real models, for the reliability tests.

Driving hundreds of attempts through submission and scoring would take minutes; the reliability figures read
only the rows (seats, assignments, submitted reviews, their scores and the decision), so these are written
directly, shaped as the services leave them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from catalog.loader import credential_load
from catalog.models import Credential, CredentialVersion
from catalog.schema import CredentialDefinition
from reviews.models import (
    Assignment,
    AssignmentState,
    Decision,
    DecisionOutcome,
    Review,
    ReviewState,
    Score,
    Seat,
    SeatRole,
)
from submissions.models import Attempt, AttemptStatus, Submission


def decided_attempt(
    credential: Credential,
    educator: User,
    levels: Mapping[User, Mapping[str, str]],
    *,
    at: datetime | None = None,
    version: CredentialVersion | None = None,
    adjudicator: tuple[User, Mapping[str, str]] | None = None,
) -> Attempt:
    """One decided attempt: each reviewer of `levels` held a panel seat and submitted these levels per
    criterion (a criterion left out was not scored); decided at `at`, each review submitted an hour before."""
    at = at or timezone.now()
    version = version or credential.current_version
    assert version is not None
    submission = Submission.objects.create(
        educator=educator, credential=credential, version=version, is_open=False, status="earned"
    )
    attempt = Attempt.objects.create(
        submission=submission,
        number=1,
        version=version,
        responses={},
        submitted_by=educator,
        submitted_at=at - timedelta(days=3),
        status=AttemptStatus.EARNED,
    )
    seats: list[tuple[User, Mapping[str, str], str]] = [(r, given, SeatRole.PANEL) for r, given in levels.items()]
    if adjudicator is not None:
        seats.append((adjudicator[0], adjudicator[1], SeatRole.ADJUDICATOR))
    for position, (reviewer, given, role) in enumerate(seats, start=1):
        seat = Seat.objects.create(
            attempt=attempt, position=position, role=role, kind="any", reviewer=reviewer, created_at=at
        )
        assignment = Assignment.objects.create(
            seat=seat,
            attempt=attempt,
            reviewer=reviewer,
            state=AssignmentState.SUBMITTED,
            assigned_at=at - timedelta(days=2),
            due_at=at + timedelta(days=10),
            expires_at=at + timedelta(days=13),
            ended_at=at - timedelta(hours=1),
        )
        review = Review.objects.create(
            assignment=assignment,
            attempt=attempt,
            reviewer=reviewer,
            state=ReviewState.SUBMITTED,
            created_at=at - timedelta(days=1),
            updated_at=at - timedelta(hours=1),
            submitted_at=at - timedelta(hours=1),
        )
        Score.objects.bulk_create(
            Score(review=review, criterion=criterion, level=level, updated_at=at) for criterion, level in given.items()
        )
    Decision.objects.create(
        attempt=attempt,
        outcome=DecisionOutcome.EARNED,
        original_outcome=DecisionOutcome.EARNED,
        results={},
        inputs=[],
        version=version,
        policy_hash="",
        rubric_hash="",
        decided_at=at,
    )
    return attempt


def five_level_version(credential: Credential) -> CredentialVersion:
    """A new version of the credential whose rubric has a fifth, lowest level ("emerging"), loaded by the real
    loader; level ranks then run 1 (emerging) to 5 (the first level)."""
    assert credential.current_version is not None
    data: dict[str, Any] = credential.current_version.spec.model_dump(mode="json", exclude_defaults=True)
    rubric = data["rubric"]
    rubric["levels"].append({"id": "emerging", "label": "Emerging"})
    for criterion in rubric["criteria"]:
        criterion["descriptors"]["emerging"] = "Little of this is evident yet."
    definition = CredentialDefinition.model_validate(data)
    credential_load(definition=definition, source_name="five-levels.yaml")
    credential.refresh_from_db()
    assert credential.current_version is not None
    return credential.current_version


def level_of(version: CredentialVersion, rank: int) -> str:
    """The level id of this rank (1: the lowest level) in the version's rubric."""
    levels = [level.id for level in version.spec.rubric.levels]
    return levels[len(levels) - rank]


def with_threshold(credential: Credential, *, severity_beyond: float, min_reviews: int) -> CredentialVersion:
    """A new version of the credential whose review policy flags reviewers for recalibration, loaded by the
    real loader (the rubric is unchanged, so calibration already done still counts)."""
    assert credential.current_version is not None
    data: dict[str, Any] = credential.current_version.spec.model_dump(mode="json", exclude_defaults=True)
    calibration = data["review_policy"].setdefault("calibration", {})
    calibration["recalibrate_when"] = {"severity_beyond": severity_beyond, "min_reviews": min_reviews}
    credential_load(definition=CredentialDefinition.model_validate(data), source_name="threshold.yaml")
    credential.refresh_from_db()
    assert credential.current_version is not None
    return credential.current_version
