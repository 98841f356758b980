"""Reads that span rooms, with their access checks: each answers 404 to anyone not entitled."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404

from accounts.models import User
from reviews.selectors import evidence_visible_to_reviewer
from submissions.models import Evidence


def evidence_get_for_user(*, user: User | AnonymousUser | None, evidence_id: int) -> Evidence:
    """An evidence file the user may open: the educator who uploaded it, or a reviewer holding a live
    assignment on an attempt that references it (reviews decides which assignments count). 404 otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("no such file")
    visible = Q(submission__educator_id=user.pk) | evidence_visible_to_reviewer(user_id=user.pk)
    item = Evidence.objects.select_related("submission").filter(visible, pk=evidence_id).first()
    if item is None:
        raise Http404("no such file")
    return item
