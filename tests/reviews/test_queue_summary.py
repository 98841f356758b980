"""The reviewer's queue in numbers (the dashboard's reviewing panel), and the clock as part of it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Assignment, AssignmentState
from reviews.selectors import queue_summary, queue_summary_state

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


def test_the_summary_says_when_the_clock_alone_next_changes_it(ck_attempt):
    opened = Assignment.objects.filter(attempt=ck_attempt, state=AssignmentState.OPEN).select_related("reviewer")
    reviewer = opened[0].reviewer
    due = Assignment.objects.filter(reviewer=reviewer, state=AssignmentState.OPEN).order_by("due_at")[0].due_at
    assert queue_summary_state(user=reviewer, now=due - timedelta(seconds=1))[1] == due
    later = queue_summary_state(user=reviewer, now=due)[1]
    assert later is None or later > due


def test_a_review_falling_due_is_on_the_reviewers_next_dashboard_view_with_no_write(client, ck_attempt):
    """The kept dashboard goes by the change log while no write touches the reviewer's scope; an assignment falling
    due is no write, and the page is drawn again from that moment."""
    assignment = Assignment.objects.filter(attempt=ck_attempt, state=AssignmentState.OPEN).select_related("reviewer")[0]
    reviewer = assignment.reviewer
    due = timezone.now() + timedelta(seconds=1)
    Assignment.objects.filter(reviewer=reviewer, state=AssignmentState.OPEN).update(due_at=due + timedelta(days=3))
    Assignment.objects.filter(pk=assignment.pk).update(due_at=due)
    client.force_login(reviewer)
    dashboard = reverse("accounts:dashboard")
    assert "overdue</strong>" not in client.get(dashboard).content.decode()
    with CaptureQueriesContext(connection) as kept:
        assert "overdue</strong>" not in client.get(dashboard).content.decode()
    assert not any("reviews_assignment" in q["sql"] for q in kept.captured_queries)
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)
    assert "<strong>1 overdue</strong>" in client.get(dashboard).content.decode()
