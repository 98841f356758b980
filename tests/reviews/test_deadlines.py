"""Deadlines, declining and reassignment. Time is moved by handing `now` to reviews_tick; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import ReviewerRole
from core.errors import InvalidInput, InvalidState, NotAllowed
from core.models import AuditEvent
from notifications.models import Notification
from reviews.models import Assignment, AssignmentState, Review, Seat
from reviews.services import assignment_decline, assignment_reassign, review_save, reviews_tick
from tests.reviews.helpers import open_assignments, scores

STAFF, MENTOR = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR


@pytest.fixture
def sams(ck_attempt):
    return open_assignments(ck_attempt)["sam@classkick.example"]


def kinds_for(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_nothing_happens_before_the_reminder_date(sams):
    assert reviews_tick(now=sams.remind_at - timedelta(minutes=1)).reminded == 0
    assert "review_reminder" not in kinds_for(sams.reviewer)


def test_a_reminder_is_sent_once_reminder_days_before_the_due_date(sams, ck_panel):
    report = reviews_tick(now=sams.remind_at + timedelta(minutes=1))
    assert report.reminded == 4  # all four were assigned together
    assert reviews_tick(now=sams.remind_at + timedelta(hours=5)).reminded == 0
    assert kinds_for(sams.reviewer).count("review_reminder") == 1
    reminder = Notification.objects.get(user=sams.reviewer, kind="review_reminder")
    assert "is due on" in reminder.title
    assert reminder.url == f"/reviews/assignments/{sams.pk}/"


def test_an_assignment_past_its_due_date_is_marked_overdue_once_and_the_admins_told(sams, issuer_admin):
    due = sams.due_at
    report = reviews_tick(now=due + timedelta(minutes=1))
    assert report.overdue == 4
    assert report.expired == 0
    reviews_tick(now=due + timedelta(days=1))
    sams.refresh_from_db()
    assert sams.overdue_at == due + timedelta(minutes=1)
    assert sams.state == AssignmentState.OPEN
    assert kinds_for(sams.reviewer).count("review_overdue") == 1
    assert kinds_for(issuer_admin).count("review_overdue_admin") == 4  # one per overdue review


def test_after_the_grace_period_the_assignment_expires_and_the_seat_goes_to_someone_else(
    sams, make_reviewer, classkick, issuer_admin
):
    spare = make_reviewer("sue@classkick.example", STAFF, classkick)
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"level": "exemplary"}})
    others = [a for a in open_assignments(sams.attempt).values() if a.pk != sams.pk]
    # The other three submitted in time; only Sam lets it lapse.
    from tests.reviews.helpers import review

    for assignment in others[:-1]:
        review(assignment, classkick)
    Assignment.objects.filter(pk=others[-1].pk).update(expires_at=sams.expires_at + timedelta(days=30))

    report = reviews_tick(now=sams.expires_at + timedelta(minutes=1))

    assert report.expired == 1
    sams.refresh_from_db()
    assert sams.state == AssignmentState.EXPIRED
    assert sams.end_reason == "not submitted within 3 days after the due date"
    seat = Seat.objects.get(pk=sams.seat_id)
    assert seat.reviewer == spare
    replacement = Assignment.objects.get(seat=seat, state=AssignmentState.OPEN)
    assert replacement.reviewer == spare
    assert replacement.due_at == sams.expires_at + timedelta(minutes=1) + timedelta(days=14)
    audit = AuditEvent.objects.get(action="assignment.expired")
    assert (audit.subject_id, audit.old, audit.new, audit.actor) == (sams.pk, "open", "expired", None)
    assert "assignment_ended" in kinds_for(sams.reviewer)
    assert "review_assigned" in kinds_for(spare)
    # Sam's draft scores stay with the expired assignment and never count.
    assert Review.objects.get(assignment=sams).state == "draft"
    assert reviews_tick(now=sams.expires_at + timedelta(days=1)).expired == 0


def test_an_expired_seat_with_nobody_to_take_it_waits_and_the_admins_are_told(sams, issuer_admin):
    reviews_tick(now=sams.expires_at + timedelta(minutes=1))
    assert Seat.objects.filter(attempt=sams.attempt, reviewer__isnull=True).count() == 4
    # Each seat was vacated by its own expiry, so each is announced once.
    assert kinds_for(issuer_admin).count("seat_waiting") == 4
    reviews_tick(now=sams.expires_at + timedelta(days=2))
    assert kinds_for(issuer_admin).count("seat_waiting") == 4


def test_a_reviewer_declines_with_a_reason_and_the_seat_is_refilled(sams, make_reviewer, classkick):
    spare = make_reviewer("sue@classkick.example", STAFF, classkick)
    replacement = assignment_decline(assignment=sams, reviewer=sams.reviewer, reason="I coached this school last year")
    sams.refresh_from_db()
    assert sams.state == AssignmentState.DECLINED
    assert sams.end_reason == "I coached this school last year"
    assert replacement is not None
    assert replacement.reviewer == spare
    assert replacement.seat_id == sams.seat_id
    audit = AuditEvent.objects.get(action="assignment.declined")
    assert (audit.actor, audit.old, audit.new, audit.data["reason"]) == (
        sams.reviewer,
        "open",
        "declined",
        "I coached this school last year",
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_declining_needs_a_reason(sams, reason):
    with pytest.raises(InvalidInput) as refused:
        assignment_decline(assignment=sams, reviewer=sams.reviewer, reason=reason)
    assert refused.value.errors[0].field == "reason"
    assert "a reason is required" in refused.value.errors[0].message
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN


def test_a_declined_seat_never_goes_back_to_the_reviewer_who_declined(sams):
    assert assignment_decline(assignment=sams, reviewer=sams.reviewer, reason="No time this month") is None
    assert Seat.objects.get(pk=sams.seat_id).reviewer is None
    with pytest.raises(InvalidState):
        assignment_decline(assignment=sams, reviewer=sams.reviewer, reason="again")


def test_only_the_assigned_reviewer_can_decline(sams, ck_panel):
    with pytest.raises(NotAllowed):
        assignment_decline(assignment=sams, reviewer=ck_panel["sid"], reason="not mine")


def test_an_admin_reassigns_to_a_chosen_reviewer(sams, make_reviewer, classkick, issuer_admin):
    chosen = make_reviewer("sue@classkick.example", STAFF, classkick)
    replacement = assignment_reassign(assignment=sams, admin=issuer_admin, reason="Sam is on leave", to_reviewer=chosen)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.REASSIGNED
    assert replacement is not None
    assert (replacement.reviewer, replacement.assigned_by, replacement.seat_id) == (chosen, issuer_admin, sams.seat_id)
    audit = AuditEvent.objects.get(action="assignment.reassigned")
    assert (audit.actor, audit.data["reason"]) == (issuer_admin, "Sam is on leave")
    assert AuditEvent.objects.filter(
        action="assignment.created", subject_id=replacement.pk, actor=issuer_admin
    ).exists()
    assert "assignment_ended" in kinds_for(sams.reviewer)


def test_an_admin_reassigns_to_whoever_the_rules_pick(sams, make_reviewer, classkick, issuer_admin):
    spare = make_reviewer("sue@classkick.example", STAFF, classkick)
    replacement = assignment_reassign(assignment=sams, admin=issuer_admin, reason="Sam is on leave")
    assert replacement is not None
    assert replacement.reviewer == spare


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("sid@classkick.example", "already holds or held a seat"),
        ("mo@mentors.example", "is not issuer staff"),
        ("sue@classkick.example", "has declared a conflict"),
    ],
)
def test_a_reassignment_to_an_ineligible_reviewer_is_refused_and_changes_nothing(
    sams, make_reviewer, classkick, issuer_admin, target, why
):
    make_reviewer("mo@mentors.example", MENTOR, classkick)
    make_reviewer("sue@classkick.example", STAFF, classkick, conflicts="Lincoln High School")
    from accounts.models import User

    with pytest.raises(InvalidInput) as refused:
        assignment_reassign(
            assignment=sams, admin=issuer_admin, reason="balance", to_reviewer=User.objects.get(email=target)
        )
    assert refused.value.errors[0].field == "to_reviewer"
    assert why in refused.value.errors[0].message
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN


def test_only_an_admin_of_the_issuer_can_reassign(sams, other_issuer_admin, ck_panel):
    for someone in (other_issuer_admin, ck_panel["sid"]):
        with pytest.raises(NotAllowed):
            assignment_reassign(assignment=sams, admin=someone, reason="mine now")
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN


def test_reassigning_needs_a_reason(sams, issuer_admin):
    with pytest.raises(InvalidInput, match="reason"):
        assignment_reassign(assignment=sams, admin=issuer_admin, reason=" ")


def test_two_ticks_at_once_remind_only_once(sams):
    """The claim is a conditional UPDATE: a second tick over the same rows finds nothing left to claim."""
    later = sams.remind_at + timedelta(minutes=1)
    first = reviews_tick(now=later)
    second = reviews_tick(now=later)
    assert (first.reminded, second.reminded) == (4, 0)
    assert Notification.objects.filter(kind="review_reminder").count() == 4


def test_scores_of_a_due_review_can_still_be_saved_until_it_expires(sams, classkick):
    reviews_tick(now=sams.due_at + timedelta(hours=1))
    review_save(assignment=sams, reviewer=sams.reviewer, scores=scores(classkick))
    assert Review.objects.get(assignment=sams).scores.count() == 4
