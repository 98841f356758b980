"""Who may read what: the checks every other selector starts from.

Anyone who may not see an object gets Http404 from the selectors, as if it did not exist; these helpers
answer the underlying questions (is this a signed-in, active user; which issuers do they administer).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import IssuerMembership, User
from reviews.models import LIVE_STATES, AssignmentState, SeatRole
from submissions.models import Attempt, AttemptEvidence

# Whoever a request acts for: pages pass request.user, which may be anonymous.
Viewer = User | AnonymousUser


def active_user(user: Viewer | None) -> User | None:
    """The user when they are signed in and active; None for anyone else."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    return user


def active_user_id(user: Viewer | None) -> int | None:
    """The key of active_user(user)."""
    found = active_user(user)
    return found.pk if found is not None else None


def is_issuer_admin(*, user: Viewer | None, issuer_id: int) -> bool:
    """An admin of this issuer, or a platform admin."""
    found = active_user(user)
    if found is None:
        return False
    if found.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=found, issuer_id=issuer_id, role=IssuerMembership.Role.ADMIN).exists()


def issuer_admins(*, issuer_id: int) -> list[User]:
    """Whom to tell about the issuer's queue; the platform admins when the issuer has no admin yet."""
    admins = list(
        User.objects.filter(
            is_active=True, memberships__issuer_id=issuer_id, memberships__role=IssuerMembership.Role.ADMIN
        ).distinct()
    )
    return admins or list(User.objects.filter(is_active=True, is_superuser=True))


def admin_issuer_ids(user: Viewer | None) -> list[int] | None:
    """The issuers this user administers (None: every issuer, for a platform admin); 404 for anyone else."""
    found = active_user(user)
    if found is None:
        raise Http404("no such page")
    if found.is_superuser:
        return None
    ids = list(
        IssuerMembership.objects.filter(user=found, role=IssuerMembership.Role.ADMIN).values_list(
            "issuer_id", flat=True
        )
    )
    if not ids:
        raise Http404("no such page")
    return ids


def scoped(queryset: QuerySet[Any], path: str, ids: list[int] | None) -> QuerySet[Any]:
    """The rows whose issuer (reached by `path`) is one of `ids`; all of them for a platform admin (None)."""
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


def _reviewed_by(user_id: int) -> Q:
    # A reviewer's need for the files ends with the decision: an attempt decided (earned or not, overridden
    # or not) is out of every reviewer's reach, though their assignment and review stay theirs to read. The
    # adjudicating lead still reaches it, since adjudication comes before the decision.
    # An appeal's fresh reviewer reaches the decided attempt while their assignment is open.
    return Q(
        attempt__review_assignments__reviewer_id=user_id,
        attempt__review_assignments__state__in=LIVE_STATES,
        attempt__decision__isnull=True,
    ) | Q(
        attempt__review_assignments__reviewer_id=user_id,
        attempt__review_assignments__state=AssignmentState.OPEN,
        attempt__review_assignments__seat__role=SeatRole.APPEAL,
    )


def evidence_visible_to_reviewer(*, user_id: int) -> Q:
    """The evidence files of the undecided attempts this user holds a live assignment on (the hook
    submissions' evidence download asks, through workflow.selectors)."""
    files = AttemptEvidence.objects.filter(_reviewed_by(user_id)).values("evidence_id")
    return Q(pk__in=files)


def evidence_reviewer_attempt(*, user_id: int, evidence_id: int) -> Attempt | None:
    """The undecided attempt through which this reviewer may open this file, for the audit log's record of it."""
    link = (
        AttemptEvidence.objects.filter(_reviewed_by(user_id), evidence_id=evidence_id)
        .select_related("attempt__submission__credential")
        .order_by("-attempt_id")
        .first()
    )
    return link.attempt if link is not None else None
