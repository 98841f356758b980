"""The reviewer's queue in numbers (the dashboard's reviewing panel), and the clock as part of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews.models import Assignment, AssignmentState
from reviews.selectors import queue_summary

pytestmark = pytest.mark.django_db


def test_the_summary_counts_open_assignments_and_those_due_by_the_moment_asked(ck_attempt):
    """The same rows read at two moments either side of a due date are two summaries, so a kept dashboard whose
    state holds the summary changes the moment an assignment falls due."""
    assignment = Assignment.objects.filter(attempt=ck_attempt, state=AssignmentState.OPEN).select_related("reviewer")[0]
    reviewer = assignment.reviewer
    before = queue_summary(user=reviewer, now=assignment.due_at - timedelta(seconds=1))
    after = queue_summary(user=reviewer, now=assignment.due_at + timedelta(seconds=1))
    opened = Assignment.objects.filter(reviewer=reviewer, state=AssignmentState.OPEN).count()
    assert opened >= 1
    assert (before.open, after.open) == (opened, opened)
    assert after.overdue == before.overdue + 1


def test_a_signed_out_visitor_has_nothing_counted(ck_attempt):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    assert queue_summary(user=AnonymousUser(), now=timezone.now()) == queue_summary(user=None, now=timezone.now())
    assert queue_summary(user=None, now=timezone.now()).open == 0
