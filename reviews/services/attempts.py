"""An issuer admin's say over attempts: one more attempt than the policy allows, or an attempt sent back as
incomplete (it then does not count against the limit). How many are allowed and used is read by
reviews.selectors.attempts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from core.audit import audit_record
from core.errors import InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send
from reviews import links
from reviews.models import Assignment, AssignmentState, AttemptGrant
from reviews.selectors.access import is_issuer_admin
from reviews.selectors.attempts import attempts_allowed
from reviews.services._shared import issuer_id_of, lock_attempt, reason_required
from reviews.services.deadlines import assignment_end
from reviews.services.panels import seats_fill_waiting_after_commit
from submissions.models import Attempt, EventKind, Status, Submission
from submissions.services import attempt_transition


def attempt_grant_extra(*, admin: User, submission: Submission, reason: str) -> AttemptGrant:
    """An issuer admin allows one attempt beyond the policy's limit, with a reason (audited; the educator
    is told)."""
    text = reason_required(reason, what="say why another attempt is granted")
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("credential", "educator")
            .get(pk=submission.pk)
        )
        if not is_issuer_admin(user=admin, issuer_id=locked.credential.issuer_id):
            raise NotAllowed(gettext("only an admin of this credential's issuer can grant another attempt"))
        if locked.status == Status.EARNED:
            raise InvalidState(gettext("this submission earned the credential; it needs no further attempt"))
        before = attempts_allowed(submission=locked)
        grant = AttemptGrant.objects.create(submission=locked, granted_by=admin, reason=text, granted_at=now)
        audit_record(
            action="submission.extra_attempt_granted",
            subject=locked,
            actor=admin,
            old=str(before),
            new=str(before + 1),
            data={"reason": text, "grant": grant.pk},
            issuer_id=locked.credential.issuer_id,
            at=now,
        )
        notification_send(
            user=locked.educator,
            kind=NotificationKind.EXTRA_ATTEMPT_GRANTED,
            context={"credential": locked.credential.title, "allowed": before + 1},
            url=f"/submissions/{locked.pk}/",
        )
    return grant


def attempt_return_incomplete(*, admin: User, attempt: Attempt, reason: str) -> Attempt:
    """An issuer admin sends an attempt back as incomplete (an unreadable file, say): its open assignments are
    cancelled, its seats closed, and the educator is told why. It does not count against the limit."""
    text = reason_required(reason, what="tell the educator what is missing")
    now = timezone.now()
    with transaction.atomic():
        submission, locked = lock_attempt(attempt)
        if not is_issuer_admin(user=admin, issuer_id=locked.version.credential.issuer_id):
            raise NotAllowed(gettext("only an admin of this credential's issuer can return an attempt"))
        for assignment in (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("reviewer")
            .filter(attempt=locked, state=AssignmentState.OPEN)
        ):
            assignment_end(
                assignment=assignment,
                attempt=locked,
                state=AssignmentState.CANCELLED,
                actor=admin,
                reason="the attempt was returned to the educator as incomplete",
                now=now,
                action="assignment.cancelled",
            )
            notification_send(
                user=assignment.reviewer,
                kind=NotificationKind.ASSIGNMENT_ENDED,
                context={"credential": locked.version.spec.title, "how": "cancelled", "reason": assignment.end_reason},
                url=links.reviewer_queue_path(),
            )
        locked.review_seats.filter(closed_at__isnull=True).update(closed_at=now)
        attempt_transition(attempt=locked, actor=admin, kind=EventKind.RETURNED_INCOMPLETE, data={"reason": text})
        audit_record(
            action="attempt.returned_incomplete",
            subject=locked,
            actor=admin,
            old=attempt.status,
            new=locked.status,
            data={"reason": text},
            issuer_id=issuer_id_of(locked),
            at=now,
        )
        notification_send(
            user=submission.educator,
            kind=NotificationKind.ATTEMPT_RETURNED_INCOMPLETE,
            context={"credential": locked.version.spec.title, "attempt_number": locked.number, "reason": text},
            url=links.attempt_path(locked),
        )
        seats_fill_waiting_after_commit()
    attempt.status, attempt.status_changed_at = locked.status, locked.status_changed_at
    return attempt
