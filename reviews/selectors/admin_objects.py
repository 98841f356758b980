"""The objects an issuer admin acts on from the pipeline, each read through their admin scope (404 for anyone else):
assignments to reassign (and who may take one over), decisions to override, submissions to grant another attempt,
attempts to return. A platform admin reaches every issuer's."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from accounts.models import ReviewerRole, User
from reviews.models import Assignment, Decision
from reviews.selectors.access import Viewer, admin_issuer_ids, scoped
from submissions.models import Attempt, Submission


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
