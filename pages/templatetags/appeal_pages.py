"""Template tags for the appeal blocks that other pages include: the educator's attempt page and the issuer
admins' attempt record. Each reads through the reviews selectors with the request's user, so an include line is
all those pages carry."""

from __future__ import annotations

from typing import Any

from django import template

from reviews.selectors.appeals import AppealForm, AppealView, appeal_for_admin, appeal_offer
from submissions.models import Attempt, Submission

register = template.Library()


@register.simple_tag(takes_context=True)
def appeal_offer_for(context: dict[str, Any], submission: Submission | None, number: int) -> AppealForm | None:
    """The appeal offer for the attempt the feedback is about (None where the page has no submission, as the
    authoring preview's)."""
    request = context.get("request")
    if not isinstance(submission, Submission):
        return None
    attempt = Attempt.objects.filter(submission=submission, number=number).select_related("submission").first()
    if attempt is None:
        return None
    return appeal_offer(user=getattr(request, "user", None), attempt=attempt)


@register.simple_tag(takes_context=True)
def appeal_for_record(context: dict[str, Any], attempt: Attempt) -> AppealView | None:
    request = context.get("request")
    return appeal_for_admin(user=getattr(request, "user", None), attempt=attempt)
