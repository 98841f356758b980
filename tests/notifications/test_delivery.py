"""Email delivery with retries and backoff, and the in-app notifications written beside each email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications.models import Email, Notification, NotificationKind
from notifications.selectors import notifications_for_user
from notifications.services import notification_send, notifications_mark_read
from notifications.tasks import MAX_ATTEMPTS, STALE_CLAIM, backoff, deliver_due, email_deliver, emails_due

CONTEXT = {"credential": "Collaboration", "attempt_number": 1, "panel_size": 4}


def test_backoff_doubles_from_a_minute_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(20) == timedelta(hours=6)


@pytest.mark.django_db
def test_a_notification_writes_an_in_app_row_and_an_email_in_the_callers_transaction(educator):
    def failing_event() -> None:
        with transaction.atomic():
            notification_send(user=educator, kind=NotificationKind.ATTEMPT_SUBMITTED, context=CONTEXT, url="/x/")
            raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError):
        failing_event()
    assert not Notification.objects.exists()
    assert not Email.objects.exists()

    note = notification_send(user=educator, kind=NotificationKind.ATTEMPT_SUBMITTED, context=CONTEXT, url="/x/")
    assert note.title == "We received attempt 1 for Collaboration"
    assert note.email is not None
    assert note.email.to == educator.email
    assert note.email.context["url"].endswith("/x/")


@pytest.mark.django_db
def test_an_unknown_kind_is_refused(educator):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notification_send(user=educator, kind="party", context={})


@pytest.mark.django_db
def test_every_kind_has_an_email_trio_that_renders(educator):
    from notifications.tasks import email_render

    context = {
        "name": "Edna",
        "url": "https://example.org/x",
        "credential": "Collaboration",
        "issuer": "Classkick",
        "attempt_number": 2,
        "panel_size": 4,
        "reason": "a reason",
        "seat_title": "Mentor",
        "due_on": "March 5, 2026",
        "reassign_on": "March 8, 2026",
        "attempt_ref": "7-2",
        "seats": ["Mentor"],
        "count": 1,
        "outcome": "Earned",
        "earned": True,
        "attempts_left": 1,
        "allowed": 4,
        "how": "expired",
        "adjudicator": False,
        "assignment": 3,
    }
    for kind in NotificationKind.values:
        subject, text, html = email_render(name=kind, context=context)
        assert subject
        assert "\n" not in subject
        assert "https://example.org/x" in text
        assert 'href="https://example.org/x"' in html


@pytest.mark.django_db
def test_a_failed_send_waits_for_its_backoff_then_is_retried_by_deliver_due(educator, settings):
    email = Email.objects.create(name="attempt_submitted", to=educator.email, context={**CONTEXT, "name": "Edna"})
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        email_deliver.call(email_id=email.pk)
    email.refresh_from_db()
    assert (email.attempts, email.claimed_at, email.sent_at, email.failed_at) == (1, None, None, None)
    assert email.last_error == "ConnectionRefusedError: the mail server is down"
    assert email.next_attempt_at is not None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email.pk not in emails_due()
    assert email_deliver.call(email_id=email.pk) is False, "not before its backoff"
    assert deliver_due().sent == 0

    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_due().sent == 1
    email.refresh_from_db()
    assert (email.attempts, email.sent_at is not None, email.next_attempt_at) == (2, True, None)
    assert len(mail.outbox) == 1
    assert deliver_due().sent == 0  # delivered once, never again


@pytest.mark.django_db
def test_after_the_last_attempt_an_email_is_given_up_and_stays_visible(educator, settings):
    email = Email.objects.create(
        name="attempt_submitted", to=educator.email, context=CONTEXT, attempts=MAX_ATTEMPTS - 1
    )
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        email_deliver.call(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == MAX_ATTEMPTS
    assert email.failed_at is not None
    assert email.next_attempt_at is None
    assert email.pk not in emails_due(now=timezone.now() + timedelta(days=30))


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_over_after_a_while(educator):
    email = Email.objects.create(name="attempt_submitted", to=educator.email, context=CONTEXT)
    Email.objects.filter(pk=email.pk).update(claimed_at=timezone.now(), attempts=1)
    assert email_deliver.call(email_id=email.pk) is False, "a live claim is respected"
    Email.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))
    assert email_deliver.call(email_id=email.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_delivers_what_is_due(educator, capsys):
    Email.objects.create(name="attempt_submitted", to=educator.email, context=CONTEXT)
    call_command("notifications_deliver_due")
    assert "sent 1, failed 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_in_app_list_is_the_users_own_newest_first_in_one_query(educator, educator2, django_assert_num_queries):
    for n in range(3):
        notification_send(user=educator, kind="attempt_submitted", context={**CONTEXT, "attempt_number": n})
    notification_send(user=educator2, kind="attempt_submitted", context=CONTEXT)
    with django_assert_num_queries(1):
        titles = [n.title for n in notifications_for_user(user=educator)]
    assert titles == [f"We received attempt {n} for Collaboration" for n in (2, 1, 0)]
    assert notifications_mark_read(user=educator2, ids=[n.pk for n in Notification.objects.filter(user=educator)]) == 0
    assert notifications_mark_read(user=educator) == 3
    assert list(notifications_for_user(user=educator, unread_only=True)) == []


class FailingBackend:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError("the mail server is down")
