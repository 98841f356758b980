"""Races that only a database with row locks can show: real threads, each on its own connection.

SQLite is skipped: the settings open every SQLite transaction with BEGIN IMMEDIATE, so writers never
overlap there (and the in-memory test database refuses a second writer outright instead of waiting).
Run them on PostgreSQL: DATABASE_URL=postgres://... pytest tests/reviews/test_concurrency.py
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.models import QuerySet

from accounts.models import ReviewerRole
from awards.models import Badge
from core.models import AuditEvent
from notifications.models import Email, Notification
from reviews.models import Assignment, AssignmentState, Decision, Seat
from reviews.services import review_save
from tests.reviews.helpers import open_assignments, review, scores, submit_attempt
from tests.submissions.helpers import history
from workflow.services import review_submit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers (BEGIN IMMEDIATE), so no race can happen there; "
        "these tests need PostgreSQL's row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(*work: Callable[[], Any]) -> list[str]:
    """Run each callable in its own thread and connection, released together by a barrier."""
    return start_at_once(*work)()


def start_at_once(*work: Callable[[], Any], pids: list[int] | None = None) -> Callable[[], list[str]]:
    """Start each callable in its own thread and connection, together; answers a function that waits for
    them and gives their outcomes. Each thread's database backend pid is added to `pids` when given."""
    barrier = threading.Barrier(len(work))
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            if pids is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pids.append(int(cursor.fetchone()[0]))
            barrier.wait()
            job()
            outcomes.append("ok")
        except Exception as error:  # reported by the caller's assertion rather than lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()

    def finish() -> list[str]:
        for thread in threads:
            thread.join(timeout=60)
        return outcomes

    return finish


def one_waited_for_another(pids: list[int], *, within: float = 15.0) -> bool:
    """Whether, at some moment, one of these backends was blocked by a lock another of them held.

    pg_blocking_pids names who holds what a waiting backend needs; a backend blocked only by a third
    party (the row holder below) does not count. This is the proof that the race was real and that the
    application's own lock made one transaction wait for the other."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if len(pids) == 2:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
                for pid, blockers in cursor.fetchall():
                    if set(blockers) & (set(pids) - {pid}):
                        return True
        time.sleep(0.02)
    return False


@contextmanager
def rows_held(rows: QuerySet[Any]) -> Iterator[None]:
    """Hold these rows locked from a third connection while the body runs, then let go.

    Without it the second thread often starts after the first has committed (each transaction is short);
    with it both are inside their transactions, queued on the lock, when the rows are let go: the moment at
    which a missing lock would let each see only its own write."""
    locked, release = threading.Event(), threading.Event()

    def locker() -> None:
        try:
            with transaction.atomic():
                list(rows.select_for_update())
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=locker)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=30)


def test_the_last_two_reviews_submitted_at_once_make_exactly_one_decision(ck_attempt, classkick, educator):
    assignments = list(open_assignments(ck_attempt).values())
    for assignment in assignments[:2]:
        review(assignment, classkick)
    last_two = assignments[2:]
    for assignment in last_two:  # saved beforehand, so each thread's transaction is only the submit
        review_save(assignment=assignment, reviewer=assignment.reviewer, scores=scores(classkick))
    mail.outbox.clear()

    pids: list[int] = []
    with rows_held(Assignment.objects.filter(pk__in=[a.pk for a in last_two])):
        finish = start_at_once(
            *[lambda a=a: review_submit(assignment=a, reviewer=a.reviewer) for a in last_two], pids=pids
        )
        # The first thread to take the attempt's submission lock waits on the held rows; the second must be
        # seen queued behind the first, not merely behind the row holder.
        waited = one_waited_for_another(pids)
    outcomes = finish()

    assert waited, "neither review's transaction ever waited for the other's lock: the race did not happen"
    assert outcomes == ["ok", "ok"]
    assert Assignment.objects.filter(attempt=ck_attempt, state=AssignmentState.SUBMITTED).count() == 4
    assert Decision.objects.filter(attempt=ck_attempt).count() == 1
    assert AuditEvent.objects.filter(action="decision.made").count() == 1
    assert history(ck_attempt.submission, kind="earned", attempt=ck_attempt).count() == 1
    assert Notification.objects.filter(user=educator, kind="attempt_decided").count() == 1
    assert Email.objects.filter(to=educator.email, name="attempt_decided").count() == 1
    # One email of each kind: the decision, then the credential that the decision's on-commit task issued.
    assert sorted(m.subject for m in mail.outbox if m.to == [educator.email]) == [
        "You earned Collaboration",
        "Your Collaboration credential from Classkick is ready to share",
    ]
    assert Badge.objects.filter(attempt=ck_attempt).count() == 1


def test_two_attempts_assigned_at_once_never_exceed_a_reviewers_capacity(
    make_reviewer, classkick, samples, educator, educator2, issuer_admin
):
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    make_reviewer("sam@classkick.example", staff, classkick, capacity=2)
    make_reviewer("sid@classkick.example", staff, classkick, capacity=2)
    make_reviewer("m1@mentors.example", mentor, classkick, capacity=1)
    make_reviewer("m2@mentors.example", mentor, classkick, capacity=1)

    outcomes = at_once(lambda: submit_attempt(educator, classkick), lambda: submit_attempt(educator2, classkick))

    assert outcomes == ["ok", "ok"]
    for email in ("m1@mentors.example", "m2@mentors.example"):
        assert Assignment.objects.filter(reviewer__email=email, state=AssignmentState.OPEN).count() == 1
    # One attempt has both mentors; the other's two mentor seats wait.
    assert Seat.objects.filter(kind="mentor", reviewer__isnull=True).count() == 2
