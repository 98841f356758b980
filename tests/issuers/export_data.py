"""Decided attempts for the export tests, written directly (bulk_create): reaching thousands through the services
is not what these tests measure. Each attempt has one submitted review with a level per criterion, a decision and,
when earned, a badge (unsigned: the exports read its columns, never its document) with a credit application."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from awards.models import ApplicationStatus, Badge, CreditApplication, IssuerKey, Partner, StatusList
from catalog.models import Credential
from reviews.models import Assignment, AssignmentState, Decision, DecisionOutcome, Review, ReviewState, Score, Seat
from submissions.models import Attempt, AttemptStatus, Status, Submission


def _signing(credential: Credential) -> tuple[IssuerKey, StatusList]:
    issuer = credential.issuer
    key = IssuerKey.objects.filter(issuer=issuer, is_active=True).first() or IssuerKey.objects.create(
        issuer=issuer,
        number=900,
        algorithm=IssuerKey.Algorithm.values[0],
        public_key_multibase="z",
        private_key_encrypted="x",
    )
    status_list = StatusList.objects.filter(issuer=issuer).first() or StatusList.objects.create(issuer=issuer)
    return key, status_list


def decided_attempts(
    n: int,
    credential: Credential,
    reviewer: User,
    *,
    at: datetime | None = None,
    reasoning: str = "Clear evidence of shared planning.",
    educator_name: str = "Earner",
) -> list[Attempt]:
    """N attempts of `credential`, each decided earned (a badge, a credit application) on `at` (default now)."""
    assert credential.current_version is not None
    version = credential.current_version
    at = at or timezone.now()
    tag = secrets.token_hex(4)
    users = User.objects.bulk_create(
        [User(email=f"earner{i}-{tag}@export.example", name=f"{educator_name} {i}", password="!") for i in range(n)]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(educator=u, credential=credential, version=version, status=Status.EARNED, is_open=False)
            for u in users
        ]
    )
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                submission=s,
                number=1,
                version=version,
                responses={},
                submitted_by=s.educator,
                submitted_at=at,
                status=AttemptStatus.EARNED,
                status_changed_at=at,
            )
            for s in submissions
        ]
    )
    seats = Seat.objects.bulk_create(
        [
            Seat(
                attempt=a,
                position=1,
                kind="issuer_staff",
                title="Reviewer 1",
                reviewer=reviewer,
                created_at=at,
                closed_at=at,
            )
            for a in attempts
        ]
    )
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                seat=seat,
                attempt=seat.attempt,
                reviewer=reviewer,
                state=AssignmentState.SUBMITTED,
                assigned_at=at,
                due_at=at + timedelta(days=7),
                expires_at=at + timedelta(days=10),
            )
            for seat in seats
        ]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                assignment=a,
                attempt=a.attempt,
                reviewer=reviewer,
                state=ReviewState.SUBMITTED,
                created_at=at,
                updated_at=at,
                submitted_at=at,
            )
            for a in assignments
        ]
    )
    rubric = version.spec.rubric
    Score.objects.bulk_create(
        [
            Score(review=r, criterion=c.id, level=rubric.passing_level, reasoning=reasoning, updated_at=at)
            for r in reviews
            for c in rubric.criteria
        ]
    )
    Decision.objects.bulk_create(
        [
            Decision(
                attempt=a,
                outcome=DecisionOutcome.EARNED,
                original_outcome=DecisionOutcome.EARNED,
                results={},
                inputs=[],
                version=version,
                policy_hash="p",
                rubric_hash="r",
                decided_at=at,
            )
            for a in attempts
        ]
    )
    key, status_list = _signing(credential)
    start = (
        Badge.objects.filter(status_list=status_list)
        .order_by("-status_index")
        .values_list("status_index", flat=True)
        .first()
        or 0
    ) + 1
    badges = Badge.objects.bulk_create(
        [
            Badge(
                attempt=a,
                earner=u,
                credential=credential,
                version=version,
                issuer=credential.issuer,
                title=credential.title,
                issued_at=at,
                status_list=status_list,
                status_index=start + i,
                signing_key=key,
                jwt_key=key,
                jwt="x",
            )
            for i, (a, u) in enumerate(zip(attempts, users, strict=True))
        ]
    )
    partner, _ = Partner.objects.get_or_create(
        slug="export-state-university",
        defaults={"name": "Export State University", "contact_email": "credit@esu.example"},
    )
    CreditApplication.objects.bulk_create(
        [
            CreditApplication(
                badge=b,
                partner=partner,
                earner=b.earner,
                credits=Decimal("1.00"),
                fee_usd=Decimal("45.00"),
                status=ApplicationStatus.SUBMITTED,
                submitted_at=at,
            )
            for b in badges
        ]
    )
    return attempts
