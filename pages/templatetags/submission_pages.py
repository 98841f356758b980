"""Template tags for the two places other apps' pages show submissions: the dashboard and the credential page.

They read through the submissions selectors, so the dashboard view and the catalog view need not know this
app; the dashboard's rows come from one query however many submissions there are, one row per credential
(the open submission where there is one: a renewal in progress is shown, the badge it renews is under My
achievements).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django import template
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import json_script
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from awards.models import Badge
from core.compiled import CompiledRows
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


def _next_action(pk: int, status: str, badge: uuid.UUID | None, attempt: int | None, step: int) -> tuple[str, str]:
    if status in EDITABLE_STATUSES:
        return _("Continue step %(step)s") % {"step": step}, reverse("submissions:resume", args=[pk])
    if status == Status.EARNED and badge:
        return _("View your badge"), reverse("awards:detail", args=[badge])
    if attempt:
        return _("View attempt %(number)s") % {"number": attempt}, reverse("submissions:attempt", args=[pk, attempt])
    return _("View"), reverse("submissions:detail", args=[pk])


def _dashboard_rows(user_id: int) -> QuerySet[Submission, Any]:
    badge = Badge.objects.filter(attempt__submission=OuterRef("pk"), revoked_at__isnull=True).order_by("-issued_at")
    # Only the columns a row shows: the selector's rows also carry the version with its whole definition, which
    # this panel never reads and which, grouped and decoded on every visit, cost the dashboard more than the rest
    # of this query.
    return (
        selectors.submissions_list_for_educator_id(user_id)
        .select_related(None)
        .annotate(badge_uuid=Subquery(badge.values("uuid")[:1]))
        .values_list(
            "pk",
            "credential_id",
            "status",
            "is_open",
            "saved_at",
            "credential__title",
            "credential__issuer__name",
            "latest_attempt",
            "badge_uuid",
        )
    )


# Read on every dashboard view: built once per connection (the ORM's building cost more than the query's running).
# Rows come back as the driver gives them, so the three typed columns are converted below.
_DASHBOARD_ROWS = CompiledRows(_dashboard_rows, int)


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite gives the text it stores (UTC, as Django writes it with USE_TZ); PostgreSQL an aware datetime.
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if parsed is None:
        raise ValueError(f"not a datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _as_uuid(value: object) -> uuid.UUID | None:
    return None if value is None else value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def dashboard_submissions_state(request: HttpRequest) -> tuple[Any, ...]:
    """What dashboard_submissions draws from: its query's rows, and the step each draft was left at (kept in the
    session). Equal states draw equal rows."""
    user_id = getattr(request.user, "pk", None)
    if user_id is None or not request.user.is_authenticated:
        return ()
    remembered: dict[str, int] = request.session.get(STEP_MEMORY, {})
    return tuple(_DASHBOARD_ROWS.fetch(user_id)), tuple(sorted(remembered.items()))


@register.simple_tag(takes_context=True)
def dashboard_submissions(context: template.Context) -> list[DashboardRow]:
    """The educator's submissions, one per credential: the open one where there is one, else the latest. Rows that
    were earned carry their badge's uuid (in the same query)."""
    request = context["request"]
    user_id = getattr(request.user, "pk", None)
    if user_id is None or not request.user.is_authenticated:
        return []
    chosen: dict[int, tuple[Any, ...]] = {}
    for row in _DASHBOARD_ROWS.fetch(user_id):
        current = chosen.get(row[1])
        if current is None or (row[3] and not current[3]):
            chosen[row[1]] = row
    remembered: dict[str, int] = request.session.get(STEP_MEMORY, {})
    rows = []
    for pk, _credential, status, _open, updated_at, title, issuer, attempt, badge in chosen.values():
        label, url = _next_action(pk, status, _as_uuid(badge), attempt, int(remembered.get(str(pk), 1)))
        rows.append(
            DashboardRow(
                id=pk,
                title=title,
                issuer=issuer,
                status=status,
                status_label=str(Status(status).label),
                attempt=attempt,
                updated_at=_as_datetime(updated_at),
                next_label=label,
                next_url=url,
                next_hint=selectors.next_step_for_status(status),
            )
        )
    return sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)


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
