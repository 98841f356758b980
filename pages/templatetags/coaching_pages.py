"""Template tags that put coaching on the educator's step pages without the step views knowing of it: a line with
the Coaching page's link and the one form every "Resolve" button beside an answer submits (a form cannot sit
inside the step's form, so each button names it with `form=`), and a coach's open comments beside each answer.

The open comments of the draft are read once per page, through coaching.selectors, and only for the draft's own
educator (the step pages are theirs alone; the authoring preview draws the same templates with no draft).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from coaching.models import CoachComment
from coaching.selectors import coaching_for_coach_exists, comments_open_for_submission
from submissions.models import Submission

register = template.Library()

_CACHE = "_coaching_open_comments"


def _open_comments(context: Context) -> tuple[Submission | None, list[CoachComment]]:
    submission = context.get("submission")
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(submission, Submission) or submission.pk is None or user is None:
        return None, []
    if not user.is_authenticated or user.pk != submission.educator_id:
        return None, []
    if _CACHE not in submission.__dict__:
        submission.__dict__[_CACHE] = comments_open_for_submission(submission=submission)
    return submission, submission.__dict__[_CACHE]


@register.inclusion_tag("coaching/_step_panel_body.html", takes_context=True)
def coaching_step_panel(context: Context) -> dict[str, Any]:
    submission, comments = _open_comments(context)
    if submission is None:
        return {"submission": None}
    step = context.get("step")
    part = getattr(step, "part", None)
    here = [c for c in comments if part is None or c.field_ref.split(".")[0] == part.id]
    return {"submission": submission, "open_here": len(here), "open_all": len(comments), "on_part": part is not None}


@register.inclusion_tag("coaching/_field_comments_body.html", takes_context=True)
def coaching_field_comments(context: Context, ref: str, label: str = "") -> dict[str, Any]:
    submission, comments = _open_comments(context)
    mine = [c for c in comments if c.field_ref == ref] if submission is not None else []
    return {"comments": mine, "ref": ref, "label": label}


@register.inclusion_tag("coaching/_dashboard.html", takes_context=True)
def coaching_dashboard_panel(context: Context) -> dict[str, Any]:
    """On the dashboard, for a coach: the way to the drafts shared with them (one query)."""
    request = context.get("request")
    return {"coaching": coaching_for_coach_exists(user=getattr(request, "user", None))}
