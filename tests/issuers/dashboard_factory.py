"""Decided attempts for the dashboard's tests, written directly with bulk_create (as bench.bench_awards'
`earned_attempts` does): what is measured is reading them, not making them. Each attempt gets one seat, one
assignment and one submitted review per reviewer given, a score per criterion, and its decision."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accounts.models import User
from catalog.models import Credential
from reviews.models import (
    Assignment,
    AssignmentState,
    Decision,
    DecisionOutcome,
    Review,
    ReviewState,
    Score,
    Seat,
)
from submissions.models import Attempt, AttemptStatus, Status, Submission


@dataclass
class Case:
    """One attempt as a test wants it: when it was submitted and, if decided, after how long and how."""

    submitted_at: datetime
    took: timedelta | None = None  # None: not decided yet (its review stays open)
    earned: bool = False
    band: str = "middle_school"
    levels: dict[str, str] = field(default_factory=dict)  # criterion -> level; unset: the outcome's usual level
    number: int = 1  # > 1: a resubmission of the case before it, which must be number - 1 of the same educator
    review_due: timedelta = timedelta(days=14)  # from submission
    review_late: bool = False  # the review came in after its due date


def attempts_make(credential: Credential, cases: list[Case], reviewer: User) -> list[Attempt]:
    """The cases as attempts of `credential`, reviewed by `reviewer`; a case with number > 1 continues the
    submission of the case before it."""
    version = credential.current_version
    assert version is not None
    rubric = version.spec.rubric
    passing, failing = rubric.passing_level, rubric.levels[-1].id
    tag = secrets.token_hex(4)
    firsts = [case for case in cases if case.number == 1]
    users = User.objects.bulk_create(
        [User(email=f"d{i}-{tag}@dash.example", name=f"Educator {i}", password="!") for i in range(len(firsts))]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                educator=user,
                credential=credential,
                version=version,
                status=Status.EARNED,
                is_open=False,
                created_at=case.submitted_at - timedelta(days=1),
            )
            for user, case in zip(users, firsts, strict=True)
        ]
    )
    owners: list[Submission] = []
    index = -1
    for case in cases:
        index += case.number == 1
        owners.append(submissions[index])
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                submission=owner,
                number=case.number,
                version=version,
                responses={},
                submitted_by=owner.educator,
                submitted_at=case.submitted_at,
                grade_band=case.band,
                status=(
                    AttemptStatus.IN_REVIEW
                    if case.took is None
                    else AttemptStatus.EARNED
                    if case.earned
                    else AttemptStatus.NOT_YET_EARNED
                ),
                status_changed_at=case.submitted_at + (case.took or timedelta()),
            )
            for owner, case in zip(owners, cases, strict=True)
        ]
    )
    seats = Seat.objects.bulk_create(
        [
            Seat(attempt=a, position=1, kind="issuer_staff", reviewer=reviewer, created_at=case.submitted_at)
            for a, case in zip(attempts, cases, strict=True)
        ]
    )
    assignments = []
    for seat, attempt, case in zip(seats, attempts, cases, strict=True):
        due = case.submitted_at + case.review_due
        ended = (
            None if case.took is None else due + timedelta(hours=1) if case.review_late else due - timedelta(hours=1)
        )
        assignments.append(
            Assignment(
                seat=seat,
                attempt=attempt,
                reviewer=reviewer,
                state=AssignmentState.OPEN if case.took is None else AssignmentState.SUBMITTED,
                assigned_at=case.submitted_at,
                due_at=due,
                expires_at=due + timedelta(days=3),
                ended_at=ended,
            )
        )
    Assignment.objects.bulk_create(assignments)
    decided = [(a, x, c) for a, x, c in zip(assignments, attempts, cases, strict=True) if c.took is not None]
    reviews = Review.objects.bulk_create(
        [
            Review(
                assignment=assignment,
                attempt=attempt,
                reviewer=reviewer,
                state=ReviewState.SUBMITTED,
                created_at=case.submitted_at,
                updated_at=assignment.ended_at or case.submitted_at,
                submitted_at=assignment.ended_at,
            )
            for assignment, attempt, case in decided
        ]
    )
    Score.objects.bulk_create(
        [
            Score(
                review=review,
                criterion=criterion.id,
                level=case.levels.get(criterion.id, passing if case.earned else failing),
                updated_at=case.submitted_at,
            )
            for review, (_, _, case) in zip(reviews, decided, strict=True)
            for criterion in rubric.criteria
        ]
    )
    Decision.objects.bulk_create(
        [
            Decision(
                attempt=attempt,
                outcome=DecisionOutcome.EARNED if case.earned else DecisionOutcome.NOT_YET_EARNED,
                original_outcome=DecisionOutcome.EARNED if case.earned else DecisionOutcome.NOT_YET_EARNED,
                results={},
                inputs=[],
                version=version,
                policy_hash="-",
                rubric_hash="-",
                decided_at=case.submitted_at + case.took,
            )
            for _, attempt, case in decided
            if case.took is not None
        ]
    )
    return attempts
