"""Queueing email and in-app notifications: rows are written in the caller's transaction, the send
happens after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from core.pseudonymise import rows_scrub
from notifications.models import Email, Notification, NotificationKind


class Recipient(Protocol):
    """Whom a notification is for: the user model, seen from below it.

    Notifications sit under accounts (accounts sends its own emails through them), so they name what
    they read of a person rather than import the model.
    """

    @property
    def pk(self) -> Any: ...

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def language(self) -> str: ...


def recipient_language(user: Recipient | None = None, *, address: str = "") -> str:
    """The language to write to someone in: their saved choice; else, for a person with none, the site's own;
    else, for an address with no account behind it, the language of the page that caused the email."""
    if user is None and address:
        # By the address, for callers that name only it: one read of the unique email index.
        saved = get_user_model().objects.filter(email=address.strip().lower()).values_list("language", flat=True)
        found = saved.first()
        if found is not None:
            return str(found) or settings.LANGUAGE_CODE
    if user is not None:
        return user.language or settings.LANGUAGE_CODE
    return translation.get_language() or settings.LANGUAGE_CODE


def email_queue(*, name: str, to: str, context: dict[str, Any], language: str | None = None) -> Email:
    """Record an email and deliver it once the surrounding transaction commits.

    `context` must be JSON (it is stored, and a database-backed task worker may render it in another
    process). A rolled-back transaction leaves neither the row nor a sent message behind. `language` is the
    recipient's (`recipient_language`); left out, the saved choice of the account with that address, else the
    language active now (the page that caused it).
    """
    from notifications.tasks import email_deliver

    email = Email.objects.create(name=name, to=to, context=context, language=language or recipient_language(address=to))
    transaction.on_commit(lambda: email_deliver.enqueue(email_id=email.pk))
    return email


def notification_send(*, user: Recipient, kind: str, context: dict[str, Any], url: str = "") -> Notification:
    """Tell one person about an event: an in-app notification and an email, both in the caller's transaction.

    `kind` is a NotificationKind (its templates live in templates/emails/<kind>/); `url` is the path of
    the page the event concerns, made absolute for the email. `context` must be JSON and must not hold
    anything the recipient may not see (reviewers are never sent a candidate's identity).
    """
    from notifications.tasks import email_render

    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    full = {"name": user.name, "url": settings.SITE_URL + url if url else settings.SITE_URL, **context}
    language = recipient_language(user)
    with translation.override(language):
        subject, _, _ = email_render(name=kind, context=full, parts=("subject",))
    email = email_queue(name=kind, to=user.email, context=full, language=language)
    return Notification.objects.create(user_id=user.pk, kind=kind, title=subject[:300], url=url, email=email)


def notification_send_many(
    *, users: Iterable[Recipient], kind: str, context: dict[str, Any], url: str = ""
) -> list[Notification]:
    """The same notification to several people (say, every admin of an issuer), once each."""
    seen: set[int] = set()
    out = []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        out.append(notification_send(user=user, kind=kind, context=context, url=url))
    return out


def notifications_mark_read(*, user: Recipient, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (those listed, or all); answers how many changed."""
    rows = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def notifications_erase(*, user: Recipient, needles: Iterable[str], marker: str) -> int:
    """An erased account's notifications and every email to its address go; emails to others that quote the
    person (a partner told who applied) keep their record with the quote replaced. Answers rows removed."""
    with transaction.atomic():
        removed, _ = Notification.objects.filter(user_id=user.pk).delete()
        gone, _ = Email.objects.filter(to__iexact=user.email).delete()
        words = list(needles)
        rows_scrub(Email.objects.all(), fields=["to", "context", "last_error"], needles=words, marker=marker)
        rows_scrub(Notification.objects.all(), fields=["title"], needles=words, marker=marker)
    return removed + gone
