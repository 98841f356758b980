"""The issuer admin's pipeline: their issuers' attempts under review and the latest decisions, and the
objects an admin acts on from it (assignments to reassign, decisions to override, submissions to grant
another attempt, attempts to return). Candidates appear by reference only ("C-12"), never by name.
A platform admin sees every issuer's; anyone else gets 404."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import ReviewerRole, User
from catalog.models import CredentialVersion, Issuer
from reviews.models import Assignment, AssignmentState, Decision
from reviews.selectors.access import Viewer, admin_issuer_ids, scoped
from submissions.models import Attempt, AttemptStatus, Submission


@dataclass(frozen=True)
class PipelineAssignment:
    id: int
    reviewer: str  # admins see who reviews (not who is reviewed)
    reviewer_email: str
    seat: int
    seat_title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class PipelineRow:
    attempt_id: int
    candidate: str  # a reference, never the educator's name
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    status: str
    submitted_at: datetime
    seats: int
    seats_waiting: int
    reviews_submitted: int
    overdue: int
    next_due: datetime | None
    assignments: list[PipelineAssignment]


@dataclass(frozen=True)
class DecidedRow:
    decision_id: int
    attempt_id: int
    candidate: str
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    outcome: str
    decided_at: datetime
    overridden: bool


@dataclass(frozen=True)
class Pipeline:
    waiting: list[PipelineRow]
    overdue: list[PipelineRow]
    in_review: list[PipelineRow]
    decided: list[DecidedRow]
    page: int = 1  # attempts under review come per_page (50) a page, oldest submitted first
    has_next: bool = False  # not a page count: counting every attempt under review is what grows with them

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PAGE_SIZE = 50


def pipeline_for_admin(
    *,
    user: Viewer | None,
    now: datetime | None = None,
    decided_limit: int = 50,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Pipeline:
    """The admin's issuers' attempts under review, one page of `per_page` (oldest submitted first, the order
    the attempt_status_queue index serves), grouped: waiting for reviewers (some seat has none), overdue (else,
    some open assignment is past due), in review (the rest), and the latest decisions. A page past the last
    is a 404. Five queries whatever the numbers: scope, the page's ids, attempts with counts, their open
    assignments, decisions."""
    return _pipeline(
        admin_issuer_ids(user), now=now or timezone.now(), decided_limit=decided_limit, page=page, per_page=per_page
    )


def pipeline_page_for_admin(*, user: Viewer | None, page: int = 1) -> tuple[Pipeline, list[Issuer]]:
    """pipeline_for_admin's page and the issuers it spans (issuers_for_admin's, by name), the admin's scope read
    once for both: what the pipeline page shows. Six queries whatever the numbers."""
    ids = admin_issuer_ids(user)
    pipeline = _pipeline(ids, now=timezone.now(), decided_limit=50, page=page, per_page=PAGE_SIZE)
    issuers = Issuer.objects.order_by("name")
    return pipeline, list(issuers if ids is None else issuers.filter(pk__in=ids))


def _pipeline(ids: list[int] | None, *, now: datetime, decided_limit: int, page: int, per_page: int) -> Pipeline:
    # Rows are read as values, not models: a page holds a hundred or so rows across four tables, and building a
    # model for each (with its related models) cost more than the queries themselves.
    # Scoped by the attempt's own version (a small subquery) rather than through its submission: a join
    # there would make the database read every attempt under review to find one page of them.
    versions = scoped(CredentialVersion.objects.all(), "credential__issuer_id", ids).values("pk")
    under_review = Attempt.objects.filter(status__in=[AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW])
    if ids is not None:
        under_review = under_review.filter(version_id__in=versions)
    if page < 1:
        raise Http404("no such page of the pipeline")
    start = (page - 1) * per_page
    # The page is chosen on the bare filter (the attempt_status_queue index), one more than shown to learn
    # whether a next page exists, so the counts below are grouped for this page's attempts only.
    page_ids = list(
        under_review.order_by("submitted_at", "id").values_list("pk", flat=True)[start : start + per_page + 1]
    )
    if page > 1 and not page_ids:
        raise Http404("no such page of the pipeline")
    shown = page_ids[:per_page]
    attempts = (
        Attempt.objects.filter(pk__in=shown)
        .annotate(
            seat_count=Count("review_seats", filter=Q(review_seats__closed_at__isnull=True), distinct=True),
            waiting_count=Count(
                "review_seats",
                filter=Q(review_seats__reviewer__isnull=True, review_seats__closed_at__isnull=True),
                distinct=True,
            ),
            submitted_count=Count(
                "review_assignments", filter=Q(review_assignments__state=AssignmentState.SUBMITTED), distinct=True
            ),
            overdue_count=Count(
                "review_assignments",
                filter=Q(review_assignments__state=AssignmentState.OPEN, review_assignments__due_at__lte=now),
                distinct=True,
            ),
            next_due=Min("review_assignments__due_at", filter=Q(review_assignments__state=AssignmentState.OPEN)),
        )
        .order_by("submitted_at", "id")
        .values_list(
            "pk",
            "submission_id",
            "number",
            "submission__credential__title",
            "submission__credential__slug",
            "status",
            "submitted_at",
            "seat_count",
            "waiting_count",
            "submitted_count",
            "overdue_count",
            "next_due",
        )
    )
    assignments: dict[int, list[PipelineAssignment]] = {pk: [] for pk in shown}
    # In the assignments' own order (due, then id), as a prefetch of them would list them.
    for pk, attempt_id, name, email, position, title, due_at in (
        Assignment.objects.filter(attempt_id__in=shown, state=AssignmentState.OPEN)
        .order_by("due_at", "id")
        .values_list("pk", "attempt_id", "reviewer__name", "reviewer__email", "seat__position", "seat__title", "due_at")
    ):
        assignments[attempt_id].append(
            PipelineAssignment(
                id=pk,
                reviewer=name,
                reviewer_email=email,
                seat=position,
                seat_title=title,
                due_at=due_at,
                overdue=due_at <= now,
            )
        )
    waiting, overdue, in_review = [], [], []
    for (
        pk,
        submission_id,
        number,
        title,
        slug,
        status,
        submitted_at,
        seats,
        seats_waiting,
        reviews_submitted,
        overdue_count,
        next_due,
    ) in attempts:
        row = PipelineRow(
            attempt_id=pk,
            candidate=f"C-{submission_id}",
            submission_id=submission_id,
            attempt_number=number,
            credential=title,
            credential_slug=slug,
            status=status,
            submitted_at=submitted_at,
            seats=seats,
            seats_waiting=seats_waiting,
            reviews_submitted=reviews_submitted,
            overdue=overdue_count,
            next_due=next_due,
            assignments=assignments[pk],
        )
        if row.seats_waiting:
            waiting.append(row)
        elif row.overdue:
            overdue.append(row)
        else:
            in_review.append(row)
    decisions = (
        (Decision.objects.all() if ids is None else Decision.objects.filter(version_id__in=versions))
        .order_by("-decided_at", "-id")
        .values_list(
            "pk",
            "attempt_id",
            "attempt__submission_id",
            "attempt__number",
            "attempt__submission__credential__title",
            "attempt__submission__credential__slug",
            "outcome",
            "decided_at",
            "overridden_at",
        )[:decided_limit]
    )
    decided = [
        DecidedRow(
            decision_id=pk,
            attempt_id=attempt_id,
            candidate=f"C-{submission_id}",
            submission_id=submission_id,
            attempt_number=number,
            credential=title,
            credential_slug=slug,
            outcome=outcome,
            decided_at=decided_at,
            overridden=overridden_at is not None,
        )
        for pk, attempt_id, submission_id, number, title, slug, outcome, decided_at, overridden_at in decisions
    ]
    return Pipeline(
        waiting=waiting,
        overdue=overdue,
        in_review=in_review,
        decided=decided,
        page=page,
        has_next=len(page_ids) > per_page,
    )


def assignment_get_for_admin(*, user: Viewer | None, assignment_id: int) -> Assignment:
    ids = admin_issuer_ids(user)
    assignment = (
        scoped(Assignment.objects.all(), "attempt__submission__credential__issuer_id", ids)
        .select_related("seat", "reviewer", "attempt__version")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("no such assignment")
    return assignment


def decision_get_for_admin(*, user: Viewer | None, decision_id: int) -> Decision:
    """A decision with its inputs (the scores), for the issuer's admins only."""
    ids = admin_issuer_ids(user)
    decision = (
        scoped(Decision.objects.all(), "attempt__submission__credential__issuer_id", ids)
        .select_related("attempt__submission__credential", "version")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise Http404("no such decision")
    return decision


def submission_get_for_admin(*, user: Viewer | None, submission_id: int) -> Submission:
    ids = admin_issuer_ids(user)
    submission = (
        scoped(Submission.objects.all(), "credential__issuer_id", ids)
        .select_related("credential__current_version", "version", "educator")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


def attempt_get_for_admin(*, user: Viewer | None, attempt_id: int) -> Attempt:
    ids = admin_issuer_ids(user)
    attempt = (
        scoped(Attempt.objects.all(), "submission__credential__issuer_id", ids)
        .select_related("submission__credential", "version")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


@dataclass(frozen=True)
class ReviewerChoice:
    """A reviewer an admin may choose, with the roles the credential's issuer gave them ("Issuer staff")."""

    user: User
    roles: str


def reassign_choices(*, user: Viewer | None, assignment: Assignment) -> list[ReviewerChoice]:
    """The active reviewers holding a role at the assignment's issuer other than its holder, for an admin choosing
    who takes it over (whether one is eligible for this seat is the service's check). 404 for anyone but the
    issuer's admins. Two queries: the assignment and the roles."""
    assignment = assignment_get_for_admin(user=user, assignment_id=assignment.pk)
    roles = (
        ReviewerRole.objects.filter(
            issuer__credentials=assignment.attempt.version.credential_id,
            user__is_active=True,
            user__reviewer_profile__is_active=True,
        )
        .exclude(user_id=assignment.reviewer_id)
        .select_related("user")
        .order_by("user__name", "user__email", "kind")
    )
    found: dict[int, tuple[User, list[str]]] = {}
    for role in roles:
        found.setdefault(role.user_id, (role.user, []))[1].append(role.get_kind_display())
    return [ReviewerChoice(user=who, roles=", ".join(kinds)) for who, kinds in found.values()]
