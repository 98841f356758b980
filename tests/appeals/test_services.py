"""Appeals through the real services: a fresh reviewer decides, the badge follows once, the window and the
one-appeal rule hold, every step is audited and told, and a seat with nobody eligible waits visibly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import Badge
from awards.tasks import awards_issue_due
from core.errors import InvalidInput, InvalidState, NotAllowed
from core.models import AuditEvent
from notifications.models import Notification, NotificationKind
from notifications.tasks import email_render
from reviews.models import Appeal, AppealState, Assignment, AssignmentState, Decision, Seat, SeatRole
from reviews.services import seats_fill_waiting
from submissions.models import Submission
from tests.appeals.conftest import CONTESTED, REASON
from tests.reviews.helpers import review
from workflow.services import appeal_request, attempt_submit


def _text(notification: Notification) -> str:
    """The email as its recipient gets it: the one sent (its stored context is cleared once delivered), or every
    part rendered from the outbox row."""
    email = notification.email
    assert email is not None
    sent = [m for m in mail.outbox if m.to == [email.to] and m.subject == notification.title]
    if sent:
        return str(sent[-1].body)
    subject, text, html = email_render(name=email.name, context=email.context)
    assert subject == notification.title
    assert html.startswith("<!doctype html>")
    return text


def _fresh_assignment(attempt):
    return Assignment.objects.get(attempt=attempt, seat__role=SeatRole.APPEAL, state=AssignmentState.OPEN)


def test_an_upheld_appeal_goes_to_a_fresh_reviewer_and_issues_exactly_one_badge(
    decided, educator, classkick, ck_panel, fresh, issuer_admin, django_capture_on_commit_callbacks
):
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON, "analysis": ""})
    assert appeal.reasons == {CONTESTED: REASON}
    assignment = _fresh_assignment(decided)
    # Everyone who scored the attempt is left out; the policy's reviewer_kind (issuer staff) is the only one fitting.
    assert assignment.reviewer == fresh
    assert appeal.seat_id == assignment.seat_id
    assert assignment.seat.kind == "issuer_staff"
    assert Notification.objects.filter(user=fresh, kind=NotificationKind.REVIEW_ASSIGNED).count() == 1
    received = Notification.objects.filter(kind=NotificationKind.APPEAL_RECEIVED)
    assert {n.user for n in received} == {educator, issuer_admin}
    assert decided.version.spec.title in _text(received.get(user=educator))
    # The educator cannot resubmit while the appeal is open; the refusal says why.
    submission = Submission.objects.get(pk=decided.submission_id)
    with pytest.raises(InvalidState, match="appeal of the last decision is still open"):
        attempt_submit(submission=submission, actor=educator)

    with django_capture_on_commit_callbacks(execute=True):
        review(assignment, classkick)  # the fresh reviewer passes every criterion
    appeal.refresh_from_db()
    decided.refresh_from_db()
    decision = Decision.objects.get(attempt=decided)
    assert appeal.state == AppealState.UPHELD
    assert appeal.results == {CONTESTED: {"level": "accomplished", "passed": True}}
    assert (decision.outcome, decision.original_outcome) == ("earned", "not_yet_earned")
    assert decided.status == "earned"
    assert Badge.objects.filter(attempt=decided).count() == 1
    assert awards_issue_due() == []  # the sweep finds nothing left to issue
    assert Badge.objects.filter(attempt=decided).count() == 1
    assert Seat.objects.get(appeal=appeal).closed_at is not None
    actions = list(
        AuditEvent.objects.filter(action__startswith="appeal.").order_by("at", "id").values_list("action", flat=True)
    )
    assert actions == ["appeal.requested", "appeal.assigned", "appeal.decided"]
    decided_to = {n.user for n in Notification.objects.filter(kind=NotificationKind.APPEAL_DECIDED)}
    assert decided_to == {educator, issuer_admin}
    assert "was upheld" in _text(Notification.objects.get(user=educator, kind=NotificationKind.APPEAL_DECIDED))


def test_an_appeal_not_upheld_leaves_the_decision_and_lets_the_educator_resubmit(
    decided, educator, classkick, fresh, django_capture_on_commit_callbacks
):
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    with django_capture_on_commit_callbacks(execute=True):
        review(_fresh_assignment(decided), classkick, **{CONTESTED: "developing"})
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DENIED
    assert Decision.objects.get(attempt=decided).outcome == "not_yet_earned"
    assert not Badge.objects.exists()
    body = _text(Notification.objects.get(user=educator, kind=NotificationKind.APPEAL_DECIDED))
    assert "not upheld" in body
    assert "Still not passing: Balance" in body
    resubmitted = attempt_submit(submission=Submission.objects.get(pk=decided.submission_id), actor=educator)
    assert resubmitted.number == 2


def test_the_window_closes_after_the_policys_days(decided, educator, fresh):
    window = decided.version.spec.review_policy.appeals.window_days
    decision = Decision.objects.get(attempt=decided)
    # QuerySet.update: the decision's own save refuses any change but an override's.
    Decision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - timedelta(days=window, seconds=1))
    with pytest.raises(InvalidState, match=f"The window to appeal closed {window} days after the decision"):
        appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    assert not Appeal.objects.exists()
    Decision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - timedelta(days=window - 1))
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    assert appeal.window_ends_at == Decision.objects.get(pk=decision.pk).decided_at + timedelta(days=window)


def test_one_appeal_per_attempt(decided, educator, fresh):
    first = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    with pytest.raises(InvalidState, match="already been appealed"):
        appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    # The database holds the rule too, whatever a caller skips.
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            attempt=decided,
            decision=first.decision,
            educator=educator,
            reasons={CONTESTED: REASON},
            requested_at=timezone.now(),
            window_ends_at=timezone.now(),
        )
    assert Appeal.objects.count() == 1


def test_reasons_are_checked_and_named(decided, educator, educator2, fresh):
    with pytest.raises(InvalidInput) as none:
        appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: "  "})
    assert [e.field for e in none.value.errors] == ["reasons"]
    with pytest.raises(InvalidInput) as short:
        appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: "It was fine", "analysis": REASON})
    assert [(e.field, e.message) for e in short.value.errors] == [
        ("reasons.balance", "Your reason for Balance has 3 words: write at least 5 words"),
        ("reasons.analysis", "this criterion passed; only one that did not can be contested"),
    ]
    with pytest.raises(InvalidInput, match="shorten it to 300 words"):
        appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: "word " * 301})
    with pytest.raises(NotAllowed):
        appeal_request(attempt=decided, educator=educator2, reasons={CONTESTED: REASON})
    assert not Appeal.objects.exists()
    assert not Seat.objects.filter(role=SeatRole.APPEAL).exists()


def test_with_no_fresh_reviewer_the_seat_waits_and_is_filled_later(
    decided, educator, issuer_admin, make_reviewer, classkick
):
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    seat = Seat.objects.get(appeal=appeal)
    assert seat.is_waiting
    assert Notification.objects.filter(user=issuer_admin, kind=NotificationKind.SEAT_WAITING).count() == 1
    assert AuditEvent.objects.filter(action="seat.waiting", subject_id=seat.pk).exists()
    # The sweep keeps the seat of a decided attempt open while its appeal is, and fills it once someone fits.
    assert seats_fill_waiting() == 0
    seat.refresh_from_db()
    assert seat.closed_at is None
    make_reviewer("zoe@classkick.example", "issuer_staff", classkick, name="Zoe Fresh")
    assert seats_fill_waiting() == 1
    assert _fresh_assignment(decided).reviewer.email == "zoe@classkick.example"
