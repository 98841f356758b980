"""Reads that span rooms, with their access checks: each answers 404 to anyone not entitled."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404

from accounts.models import User
from reviews.selectors import evidence_reviewer_attempt, evidence_visible_to_reviewer
from submissions.models import Attempt, Evidence


def evidence_get_for_user(*, user: User | AnonymousUser | None, evidence_id: int) -> tuple[Evidence, Attempt | None]:
    """An evidence file the user may open: the educator who uploaded it, or a reviewer holding a live
    assignment on an undecided attempt that references it (reviews decides which assignments count), with that
    attempt (None for the owner) for the audit log's record of the opening. 404 otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("no such file")
    visible = Q(submission__educator_id=user.pk) | evidence_visible_to_reviewer(user_id=user.pk)
    item = Evidence.objects.select_related("submission").filter(visible, pk=evidence_id).first()
    if item is None:
        raise Http404("no such file")
    if item.submission.educator_id == user.pk:
        return item, None
    return item, evidence_reviewer_attempt(user_id=user.pk, evidence_id=item.pk)
