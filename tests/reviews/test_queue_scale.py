"""The reviewer's queue reads one page through the assignment_reviewer_due index on each engine, rather than
sorting all of a reviewer's rows; its submitted-reviews pages cost the same number of queries however many
there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ReviewerProfile
from reviews.models import Assignment, AssignmentState
from reviews.selectors import queue
from tests.reviews.helpers import submit_attempt
from tests.submissions.api_client import as_session

API = "/api/v1/reviews"

pytestmark = pytest.mark.django_db


def _plan(qs: QuerySet[Assignment]) -> str:
    """The plan the engine picks; on PostgreSQL with sequential scans ruled out, since over a nearly empty test
    table a scan is cheapest whatever the indexes (at 100k rows the planner needs no such nudge)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            return qs.explain()
    return qs.explain()


@pytest.mark.parametrize(
    "qs",
    [
        pytest.param(lambda uid: queue.assignments_for_reviewer(user=uid), id="open"),
        pytest.param(lambda uid: queue.submitted_assignments_for_reviewer(user=uid), id="submitted"),
        # The API's include_submitted reads the submitted ones after the open ones, soonest due first.
        pytest.param(
            lambda uid: queue.assignments_in_pages_for_reviewer(user=uid, include_submitted=True).submitted_rows,
            id="api-submitted",
        ),
    ],
)
def test_each_queue_list_is_read_in_the_index_order_without_a_sort(qs, reviewer_staff) -> None:
    plan = _plan(qs(reviewer_staff)[:26])
    assert "assignment_reviewer_due" in plan
    # SQLite says "USE TEMP B-TREE FOR ORDER BY" and PostgreSQL "Sort" when the order is not the index's.
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan


def test_the_api_pages_open_then_submitted_in_the_queue_order_with_flat_queries(
    classkick, ck_panel, make_user, django_assert_num_queries
) -> None:
    ReviewerProfile.objects.update(capacity=20)
    teachers = [
        make_user(f"teacher{n}@example.org", organisation=f"School {n}", email_verified_at=timezone.now())
        for n in range(9)
    ]
    for teacher in teachers[:6]:
        submit_attempt(teacher, classkick)
    sam = ck_panel["sam"]
    sams = Assignment.objects.filter(reviewer=sam)
    ids = list(sams.order_by("id").values_list("id", flat=True))
    assert len(ids) == 6
    Assignment.objects.filter(pk__in=ids[::2]).update(state=AssignmentState.SUBMITTED)
    # Due dates against the ids, so the order is the due date's and not the insertion's.
    for n, pk in enumerate(ids):
        Assignment.objects.filter(pk=pk).update(due_at=timezone.now() + timedelta(days=10 - n))
    expected = list(
        sams.order_by("state", "due_at", "id").values_list("id", flat=True)
    )  # open before submitted, as the one query over both states orders them

    client = as_session(sam)
    url = f"{API}/assignments?include_submitted=true&limit=2"
    client.get(url)  # a warm session
    # The session with its user (one statement), the two counts, the open page and the submitted one.
    with django_assert_num_queries(5):
        assert client.get(f"{url}&offset=2").status_code == 200
    seen: list[int] = []
    for offset in range(0, 8, 2):
        body = client.get(f"{url}&offset={offset}").json()
        assert body["count"] == 6
        seen += [row["id"] for row in body["items"]]
    assert seen == expected
    assert [row["id"] for row in client.get(f"{API}/assignments?limit=10").json()["items"]] == expected[:3]

    for teacher in teachers[6:]:
        submit_attempt(teacher, classkick)
    Assignment.objects.filter(reviewer=sam, state=AssignmentState.OPEN).exclude(pk__in=ids).update(
        state=AssignmentState.SUBMITTED
    )
    with django_assert_num_queries(5):
        assert client.get(f"{url}&offset=2").json()["count"] == 9
    # An ended assignment is neither in the queue nor in its count; the open ones alone count without the flag.
    Assignment.objects.filter(pk__in=ids[:2]).update(state=AssignmentState.DECLINED)
    assert client.get(url).json()["count"] == 7
    assert client.get(f"{API}/assignments?limit=1").json()["count"] == 2
