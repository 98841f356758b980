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
        return f"Continue step {step}", reverse("submissions:resume", args=[submission.pk])
    badge = getattr(submission, "badge_uuid", None)
    if submission.status == Status.EARNED and badge:
        return "View your badge", reverse("awards:detail", args=[badge])
    if attempt:
        return f"View attempt {attempt}", reverse("submissions:attempt", args=[submission.pk, attempt])
    return "View", reverse("submissions:detail", args=[submission.pk])


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
