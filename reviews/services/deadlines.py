"""Assignments that end before a review is submitted: declined by the reviewer, reassigned by an admin,
expired past the grace period (reviews_tick, which also reminds before the due date and marks overdue at
it), or cancelled with their attempt. Each ending frees the seat, and the seat is filled again at once
when someone eligible has capacity. Lock order: see reviews.services._shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send, notification_send_many
from reviews import links
from reviews.models import Assignment, AssignmentState, Seat
from reviews.selectors.access import is_issuer_admin, issuer_admins
from reviews.services._shared import date_text, issuer_id_of, lock_assignment, reason_required
from reviews.services.panels import (
    Reviewer,
    reviewers_at,
    seat_assign,
    seat_refill,
    seat_refusal,
    seats_fill_waiting_after_commit,
)
from submissions.models import Attempt


def assignment_end(
    *, assignment: Assignment, attempt: Attempt, state: str, actor: User | None, reason: str, now: datetime, action: str
) -> None:
    """End the locked assignment (of the locked attempt) as `state`, audited as `action`, and free its seat.
    Refilling the seat is the caller's choice: a returned attempt's seats are closed instead."""
    old = assignment.state
    assignment.state = state
    assignment.ended_at = now
    assignment.end_reason = reason
    assignment.save(update_fields=["state", "ended_at", "end_reason"])
    Seat.objects.filter(pk=assignment.seat_id).update(reviewer=None, waiting_since=now, admins_notified_at=None)
    audit_record(
        action=action,
        subject=assignment,
        actor=actor,
        old=old,
        new=state,
        data={
            "attempt": assignment.attempt_id,
            "seat": assignment.seat_id,
            "reviewer": assignment.reviewer_id,
            "reason": reason,
        },
        issuer_id=issuer_id_of(attempt),
        at=now,
    )


def assignment_decline(*, assignment: Assignment, reviewer: User, reason: str) -> Assignment | None:
    """The reviewer hands the seat back, with a reason; it is refilled at once (never with them).
    Answers the new assignment of the seat, or None when it waits in the queue."""
    text = reason_required(reason, what="say why you decline (for example a conflict of interest, or no time)")
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = lock_assignment(assignment)
        if locked.reviewer_id != reviewer.pk:
            raise NotAllowed(gettext("only the assigned reviewer can decline this review"))
        if locked.state != AssignmentState.OPEN:
            raise InvalidState(
                gettext("this assignment is %(state)s; it can no longer be declined")
                % {"state": locked.get_state_display().lower()}
            )
        assignment_end(
            assignment=locked,
            attempt=attempt,
            state=AssignmentState.DECLINED,
            actor=reviewer,
            reason=text,
            now=now,
            action="assignment.declined",
        )
        replacement = seat_refill(attempt=attempt, seat_id=locked.seat_id, now=now)
        seats_fill_waiting_after_commit()
    assignment.state = locked.state
    return replacement


def assignment_reassign(
    *, assignment: Assignment, admin: User, reason: str, to_reviewer: User | None = None
) -> Assignment | None:
    """An issuer admin takes an open assignment from its reviewer and gives the seat to `to_reviewer`
    (who must be eligible and within capacity) or, without one, to whoever the rules pick. Answers the
    new assignment, or None when the seat waits in the queue."""
    text = reason_required(reason, what="say why the review is moved to someone else")
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = lock_assignment(assignment)
        if not is_issuer_admin(user=admin, issuer_id=attempt.version.credential.issuer_id):
            raise NotAllowed(gettext("only an admin of this credential's issuer can reassign its reviews"))
        if locked.state != AssignmentState.OPEN:
            raise InvalidState(
                gettext("this assignment is %(state)s; only an open one can be reassigned")
                % {"state": locked.get_state_display().lower()}
            )
        target: Reviewer | None = None
        if to_reviewer is not None:
            found = reviewers_at(issuer_id=attempt.version.credential.issuer_id, user_ids=[to_reviewer.pk])
            if not found:
                raise InvalidInput(
                    [FieldError("to_reviewer", gettext("is not a reviewer for this credential's issuer"))]
                )
            target = found[0]
            why = seat_refusal(seat=locked.seat, reviewer=target, attempt=attempt)
            if why:
                raise InvalidInput([FieldError("to_reviewer", f"{to_reviewer.name or to_reviewer.email} {why}")])
        old_reviewer = locked.reviewer
        assignment_end(
            assignment=locked,
            attempt=attempt,
            state=AssignmentState.REASSIGNED,
            actor=admin,
            reason=text,
            now=now,
            action="assignment.reassigned",
        )
        notification_send(
            user=old_reviewer,
            kind=NotificationKind.ASSIGNMENT_ENDED,
            context={"credential": attempt.version.spec.title, "how": "reassigned", "reason": text},
            url=links.reviewer_queue_path(),
        )
        if target is not None:
            seat = Seat.objects.get(pk=locked.seat_id)
            replacement: Assignment | None = seat_assign(
                seat=seat, user=target.profile.user, attempt=attempt, now=now, by=admin
            )
        else:
            replacement = seat_refill(attempt=attempt, seat_id=locked.seat_id, now=now)
        seats_fill_waiting_after_commit()
    assignment.state = locked.state
    return replacement


@dataclass(frozen=True)
class TickReport:
    reminded: int
    overdue: int
    expired: int


def reviews_tick(*, now: datetime | None = None) -> TickReport:
    """Deadlines: remind before the due date (once), mark overdue at it (once; the reviewer and the admins
    are told), and after the grace period end the assignment as expired and give the seat to someone
    else. Each step claims its row with a conditional UPDATE, so two ticks running at once act once."""
    now = now or timezone.now()
    reminded = overdue = expired = 0
    due_soon = Assignment.objects.filter(
        state=AssignmentState.OPEN, reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now
    ).values_list("pk", flat=True)
    for pk in list(due_soon):
        with transaction.atomic():
            if Assignment.objects.filter(pk=pk, state=AssignmentState.OPEN, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                item = Assignment.objects.select_related("reviewer", "attempt__version").get(pk=pk)
                notification_send(
                    user=item.reviewer,
                    kind=NotificationKind.REVIEW_REMINDER,
                    context={"credential": item.attempt.version.spec.title, "due_on": date_text(item.due_at)},
                    url=links.assignment_path(pk),
                )
                reminded += 1
    late = Assignment.objects.filter(state=AssignmentState.OPEN, overdue_at__isnull=True, due_at__lte=now)
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            if Assignment.objects.filter(pk=pk, state=AssignmentState.OPEN, overdue_at__isnull=True).update(
                overdue_at=now
            ):
                item = Assignment.objects.select_related("reviewer", "attempt__version__credential").get(pk=pk)
                definition = item.attempt.version.spec
                context = {
                    "credential": definition.title,
                    "due_on": date_text(item.due_at),
                    "reassign_on": date_text(item.expires_at),
                }
                notification_send(
                    user=item.reviewer,
                    kind=NotificationKind.REVIEW_OVERDUE,
                    context=context,
                    url=links.assignment_path(pk),
                )
                notification_send_many(
                    users=issuer_admins(issuer_id=item.attempt.version.credential.issuer_id),
                    kind=NotificationKind.REVIEW_OVERDUE_ADMIN,
                    context={
                        **context,
                        "assignment": pk,
                        "attempt_ref": f"{item.attempt.submission_id}-{item.attempt.number}",
                    },
                    url=links.pipeline_path(),
                )
                overdue += 1
    lapsed = Assignment.objects.filter(state=AssignmentState.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(lapsed):
        with transaction.atomic():
            attempt, locked = lock_assignment(Assignment.objects.select_related("attempt").get(pk=pk))
            if locked.state != AssignmentState.OPEN or locked.expires_at > now:
                continue  # another tick, a submit or a decline got there first
            grace = attempt.version.spec.review_policy.grace_days
            assignment_end(
                assignment=locked,
                attempt=attempt,
                state=AssignmentState.EXPIRED,
                actor=None,
                reason=ngettext(
                    "not submitted within %(n)d day after the due date",
                    "not submitted within %(n)d days after the due date",
                    grace,
                )
                % {"n": grace},
                now=now,
                action="assignment.expired",
            )
            notification_send(
                user=locked.reviewer,
                kind=NotificationKind.ASSIGNMENT_ENDED,
                context={"credential": attempt.version.spec.title, "how": "expired", "reason": locked.end_reason},
                url=links.reviewer_queue_path(),
            )
            seat_refill(attempt=attempt, seat_id=locked.seat_id, now=now)
            seats_fill_waiting_after_commit()
            expired += 1
    return TickReport(reminded=reminded, overdue=overdue, expired=expired)
