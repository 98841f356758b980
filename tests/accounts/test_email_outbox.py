"""The notifications outbox that carries the account emails: written in the transaction, sent once after it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist

from notifications.models import Email
from notifications.services import email_queue
from notifications.tasks import email_deliver

CONTEXT = {"name": "Edna", "verify_url": "https://example.org/v/abc", "valid_days": 3}


@pytest.mark.django_db
def test_an_email_is_sent_only_after_the_transaction_commits(committed, outbox):
    with committed():
        email = email_queue(name="verify_email", to="edna@example.org", context=CONTEXT)
        assert outbox == []

    [message] = outbox
    assert message.subject == "Confirm your email address for microcred"
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    # The secret link is not kept once delivered.
    assert email.context == {}


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(committed, outbox):
    def failing_caller():
        with transaction.atomic():
            email_queue(name="verify_email", to="edna@example.org", context=CONTEXT)
            raise RuntimeError("the caller failed")

    with committed(), pytest.raises(RuntimeError):
        failing_caller()

    assert outbox == []
    assert not Email.objects.exists()


@pytest.mark.django_db
def test_an_email_is_delivered_at_most_once(outbox):
    email = Email.objects.create(name="verify_email", to="edna@example.org", context=CONTEXT)

    assert email_deliver.call(email_id=email.pk) is True
    assert email_deliver.call(email_id=email.pk) is False

    assert len(outbox) == 1


@pytest.mark.django_db
def test_a_failed_delivery_is_recorded_and_released_for_a_retry(outbox):
    email = Email.objects.create(name="no_such_message", to="edna@example.org", context=CONTEXT)

    with pytest.raises(TemplateDoesNotExist):
        email_deliver.call(email_id=email.pk)

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.claimed_at is None
    assert email.last_error.startswith("TemplateDoesNotExist")
    assert email.context == CONTEXT
    assert outbox == []


@pytest.mark.django_db
def test_text_templates_are_not_html_escaped(outbox):
    email = Email.objects.create(
        name="verify_email",
        to="edna@example.org",
        context={**CONTEXT, "name": "Ann & Bo <3", "verify_url": "x?a=1&b=2"},
    )

    email_deliver.call(email_id=email.pk)

    [message] = outbox
    assert "Hello Ann & Bo <3," in message.body
    assert "x?a=1&b=2" in message.body
    html = message.alternatives[0][0]
    assert "Ann &amp; Bo &lt;3" in html
