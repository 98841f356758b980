"""Template tags for the two places other apps' pages show submissions: the dashboard and the credential page.

They read through the submissions selectors, so the dashboard view and the catalog view need not know this
app; the dashboard's rows come from one query however many submissions there are, one row per credential
(the open submission where there is one: a renewal in progress is shown, the badge it renews is under My
achievements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from awards.models import Badge
from pages.submissions.context import STEP_MEMORY
from pages.submissions.start import StartAction, start_action
from submissions import selectors
from submissions.models import EDITABLE_STATUSES, Status, Submission

register = template.Library()


@dataclass(frozen=True)
class DashboardRow:
    id: int
    title: str
    issuer: str
    status: str
    status_label: str
    attempt: int | None
    updated_at: datetime
    next_label: str
    next_url: str
    next_hint: str


def _next_action(submission: Submission, attempt: int | None, step: int) -> tuple[str, str]:
    if submission.status in EDITABLE_STATUSES:
        return _("Continue step %(step)s") % {"step": step}, reverse("submissions:resume", args=[submission.pk])
    badge = getattr(submission, "badge_uuid", None)
    if submission.status == Status.EARNED and badge:
        return _("View your badge"), reverse("awards:detail", args=[badge])
    if attempt:
        return _("View attempt %(number)s") % {"number": attempt}, reverse(
            "submissions:attempt", args=[submission.pk, attempt]
        )
    return _("View"), reverse("submissions:detail", args=[submission.pk])


def _one_per_credential(user: Any) -> list[Submission]:
    """The educator's submissions, one per credential: the open one where there is one, else the latest.
    Rows that were earned carry their badge's uuid (in the same query)."""
    badge = Badge.objects.filter(attempt__submission=OuterRef("pk"), revoked_at__isnull=True).order_by("-issued_at")
    chosen: dict[int, Submission] = {}
    for submission in selectors.submissions_list_for_educator(user=user).annotate(
        badge_uuid=Subquery(badge.values("uuid")[:1])
    ):
        current = chosen.get(submission.credential_id)
        if current is None or (submission.is_open and not current.is_open):
            chosen[submission.credential_id] = submission
    return sorted(chosen.values(), key=lambda s: (s.updated_at, s.pk), reverse=True)


@register.simple_tag(takes_context=True)
def dashboard_submissions(context: template.Context) -> list[DashboardRow]:
    request = context["request"]
    remembered: dict[str, int] = request.session.get(STEP_MEMORY, {})
    rows = []
    for submission in _one_per_credential(request.user):
        attempt = getattr(submission, "latest_attempt", None)
        label, url = _next_action(submission, attempt, int(remembered.get(str(submission.pk), 1)))
        rows.append(
            DashboardRow(
                id=submission.pk,
                title=submission.credential.title,
                issuer=submission.credential.issuer.name,
                status=submission.status,
                status_label=str(Status(submission.status).label),
                attempt=attempt,
                updated_at=submission.updated_at,
                next_label=label,
                next_url=url,
                next_hint=selectors.next_step(submission),
            )
        )
    return rows


@register.simple_tag(takes_context=True)
def credential_start_action(context: template.Context, credential: Any) -> StartAction | None:
    """What the credential page offers the signed-in educator (see pages.submissions.start); None when
    signed out."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return start_action(request.user, credential)


@register.filter
def translated_each(words: list[str]) -> list[str]:
    """Words stored in English and marked where they are written (the cleaners' labels), in the page's language."""
    return [gettext(word) for word in words]


# The words static/js/submission.js shows (its `t`), keyed by their English, which is also their msgid here.
SCRIPT_MESSAGES = (
    gettext_noop("Saving…"),
    gettext_noop("Saved"),
    gettext_noop("Not saved — retrying"),
    gettext_noop("Not saved — this answer changed in another tab"),
    gettext_noop("Not saved."),
    gettext_noop("Uploading…"),
    gettext_noop("This answer"),
    gettext_noop("%(words)s / %(max)s words"),
    gettext_noop("%(words)s word"),
    gettext_noop("%(words)s words"),
    gettext_noop("%(over)s over the limit"),
    gettext_noop("%(label)s is over the %(max)s-word limit."),
    gettext_noop("%(label)s is within the %(max)s-word limit again."),
    gettext_noop("Check your connection; what you typed is kept on this device"),
    gettext_noop("You may have been signed out: sign in again in another tab. What you typed is kept on this device"),
    gettext_noop("An answer on this step was changed in another tab or device; the page now shows the saved version."),
    gettext_noop("Restored 1 answer typed on this device that had not been saved yet."),
    gettext_noop("Restored %(count)s answers typed on this device that had not been saved yet."),
    gettext_noop(
        "Not sent: the connection failed. Try again when you are back online; what you typed is kept on this device."
    ),
    gettext_noop("Not sent: the server refused it. Reload the page; what you typed is kept on this device."),
)


@register.simple_tag
def script_messages() -> str:
    """The script's words in the page's language, as a JSON data block (not run, so the CSP allows it)."""
    return json_script({text: gettext(text) for text in SCRIPT_MESSAGES}, "script-messages")
