"""Delivery of queued email through Django's email backend, with retries and backoff.

Each row is delivered by `email_deliver`, enqueued when the transaction that wrote it commits. A send
that fails is released with `next_attempt_at` pushed out exponentially (1, 2, 4 ... minutes, at most
six hours) and retried by `notifications_deliver_due`, which a scheduler runs every minute or so (the
management command of the same name, or the task below on a database-backed worker). After
MAX_ATTEMPTS failures the row is given up (`failed_at`) and stays visible in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from notifications.models import Email

MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_LONGEST = timedelta(hours=6)
# A claim older than this belongs to a worker that died mid-send (a live one gives up on SMTP after
# EMAIL_TIMEOUT, 20 s): the row may be claimed again. The price is a possible duplicate if that worker
# had in fact sent the message and died just before recording it; losing the email would be worse.
STALE_CLAIM = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt before the next one."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_LONGEST)


def email_render(
    *, name: str, context: dict[str, Any], parts: Iterable[str] = ("subject", "text", "html")
) -> tuple[str, str, str]:
    """Render templates/emails/<name>/{subject.txt,body.txt,body.html} into (subject, text, html).

    Only the parts asked for are rendered; the others come back empty."""
    wanted = set(parts)
    full = {"site_url": settings.SITE_URL, **context}
    # A header cannot hold a line break; a template's trailing newline must not become one.
    subject = " ".join(render_to_string(f"emails/{name}/subject.txt", full).split()) if "subject" in wanted else ""
    text = render_to_string(f"emails/{name}/body.txt", full) if "text" in wanted else ""
    html = render_to_string(f"emails/{name}/body.html", full) if "html" in wanted else ""
    return subject, text, html


def _claimable(now: datetime) -> Q:
    return (
        Q(sent_at__isnull=True, failed_at__isnull=True)
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


@task()
def email_deliver(email_id: int) -> bool:
    """Send one queued email; answers False when another worker already claimed or sent it, or when its
    next attempt is not due yet."""
    now = timezone.now()
    # The conditional UPDATE is the claim: of two workers handed the same id, exactly one sees 1 row.
    claimed = Email.objects.filter(_claimable(now), pk=email_id).update(claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    email = Email.objects.get(pk=email_id)
    try:
        # In the recipient's language, whatever the worker's (a row older than the column has none: the default).
        with translation.override(email.language or settings.LANGUAGE_CODE):
            subject, text, html = email_render(name=email.name, context=email.context)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[email.to])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception as error:
        # Released so a retry can claim it again, not before its backoff; the error stays on the row.
        failed = timezone.now()
        given_up = email.attempts >= MAX_ATTEMPTS
        Email.objects.filter(pk=email_id).update(
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}",
            next_attempt_at=None if given_up else failed + backoff(email.attempts),
            failed_at=failed if given_up else None,
        )
        raise
    # Links in the context (password reset, verification) are secrets: once delivered they need not be kept.
    Email.objects.filter(pk=email_id).update(sent_at=timezone.now(), context={}, last_error="", next_attempt_at=None)
    return True


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int
    skipped: int


def emails_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of the emails that may be (re)tried now, oldest first."""
    return list(
        Email.objects.filter(_claimable(now or timezone.now()))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(*, limit: int = 500) -> DeliveryReport:
    """Try every due email once. A failure is recorded on its row (and retried later), never raised."""
    sent = failed = skipped = 0
    for email_id in emails_due(limit=limit):
        try:
            if email_deliver.call(email_id=email_id):
                sent += 1
            else:
                skipped += 1
        except Exception:  # recorded on the row by email_deliver; the next email must still go
            failed += 1
    return DeliveryReport(sent=sent, failed=failed, skipped=skipped)


@task()
def notifications_deliver_due() -> dict[str, int]:
    """The periodic retry of undelivered email, for a database-backed worker's scheduler."""
    report = deliver_due()
    return {"sent": report.sent, "failed": report.failed, "skipped": report.skipped}
