"""The reads an issuer admin's bulk actions need: the chosen attempts, all of them the admin's or none (404 for
the whole list, so a foreign id is neither acted on nor confirmed to exist), and the reviewers who could take
their reviews over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import Http404

from accounts.models import ReviewerRole
from core.errors import FieldError, InvalidInput
from reviews.selectors.access import Viewer, admin_issuer_ids, scoped
from submissions.models import Attempt

MAX_ATTEMPTS = 200


def bulk_attempts(*, user: Viewer | None, attempt_ids: Sequence[int], issuer_id: int | None = None) -> list[Attempt]:
    """The chosen attempts, in key order (the order the bulk actions lock them), each with its credential; 404
    unless every one is of an issuer the user administers (and of `issuer_id`, when given)."""
    ids = admin_issuer_ids(user)
    wanted = sorted(set(attempt_ids))
    if not wanted:
        raise InvalidInput([FieldError("attempts", "choose at least one attempt")])
    if len(wanted) > MAX_ATTEMPTS:
        raise InvalidInput([FieldError("attempts", f"choose at most {MAX_ATTEMPTS} attempts at once")])
    found = scoped(Attempt.objects.filter(pk__in=wanted), "version__credential__issuer_id", ids)
    if issuer_id is not None:
        found = found.filter(version__credential__issuer_id=issuer_id)
    attempts = list(
        found.select_related("version__credential")
        .defer("responses", "self_evaluation", "evidence_manifest", "version__definition")
        .order_by("pk")
    )
    if len(attempts) != len(wanted):
        raise Http404("no such attempt")
    return attempts


@dataclass(frozen=True)
class BulkReviewer:
    email: str
    label: str  # "Name (Issuer staff, Mentor)"


def bulk_reviewer_choices(*, attempts: Sequence[Attempt]) -> list[BulkReviewer]:
    """The active reviewers holding a role at the issuers of these attempts, by name: whom the admin may choose to
    take their reviews over (whether each seat may go to them is the service's check, reported per review)."""
    issuers = {a.version.credential.issuer_id for a in attempts}
    roles = (
        ReviewerRole.objects.filter(issuer_id__in=issuers, user__is_active=True, user__reviewer_profile__is_active=True)
        .select_related("user")
        .order_by("user__name", "user__email", "kind")
    )
    found: dict[int, tuple[str, str, list[str]]] = {}
    for role in roles:
        entry = found.setdefault(role.user_id, (role.user.email, role.user.name or role.user.email, []))
        kind = str(role.get_kind_display())
        if kind not in entry[2]:
            entry[2].append(kind)
    return [BulkReviewer(email=email, label=f"{name} ({', '.join(kinds)})") for email, name, kinds in found.values()]
