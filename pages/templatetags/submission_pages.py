"""Template tags for the two places other apps' pages show submissions: the dashboard and the credential page.

They read through the submissions selectors, so the dashboard view and the catalog view need not know this
app; the dashboard's rows come from one query however many submissions there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse

from pages.submissions.context import STEP_MEMORY
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
    if attempt:
        return f"View attempt {attempt}", reverse("submissions:attempt", args=[submission.pk, attempt])
    return "View", reverse("submissions:detail", args=[submission.pk])


@register.simple_tag(takes_context=True)
def dashboard_submissions(context: template.Context) -> list[DashboardRow]:
    request = context["request"]
    remembered: dict[str, int] = request.session.get(STEP_MEMORY, {})
    rows = []
    for submission in selectors.submissions_list_for_educator(user=request.user):
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
def open_submission(context: template.Context, credential: Any) -> Submission | None:
    """The signed-in educator's open submission for this credential, if there is one."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return (
        selectors.submissions_list_for_educator(user=request.user).filter(credential=credential, is_open=True).first()
    )
