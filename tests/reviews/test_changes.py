"""The change log the queue and the pipeline are kept by (core/changes.py, reviews/changes.py): the database's own
triggers note each write that changes either page, under the scopes it touches, and a kept page is sent without
reading its state only while none came after the mark it was drawn at."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerProfile, User
from catalog.models import Credential
from core import changes
from core.models import Change
from reviews.changes import NAMES, issuer_scope, reviewer_scope
from reviews.models import Assignment, Review, Seat
from reviews.selectors import pipeline_page_state, queue_page_state
from tests.reviews.helpers import open_assignments
from tests.reviews.test_pages import as_user, text_of


@pytest.fixture
def sams(ck_attempt: Any) -> Assignment:
    return open_assignments(ck_attempt)["sam@classkick.example"]


def test_every_watched_table_has_its_triggers_on_this_engine(db: None) -> None:
    watched = {w.table for w in changes.watches()}
    assert len(watched) == 22
    assert changes.installed() == watched


def test_the_tables_the_queue_and_the_pipeline_read_are_all_watched(sams: Assignment, issuer_admin: User) -> None:
    """Whatever either page's state reads, a write to it is noted: a state that came to read a new table would
    fail here until that table is watched."""
    tables = set(connection.introspection.table_names())
    with CaptureQueriesContext(connection) as captured:
        queue_page_state(user=sams.reviewer, now=timezone.now())
        pipeline_page_state(user=issuer_admin, page=1, now=timezone.now())
    read = {name for query in captured.captured_queries for name in re.findall(r'"(\w+)"', query["sql"])}
    assert read & tables >= {"reviews_assignment", "submissions_attempt", "reviews_calibrationresult"}
    assert read & tables <= {w.table for w in changes.watches()}


def test_a_write_is_a_change_for_its_own_scopes_only(sams: Assignment, ck_panel: dict[str, User]) -> None:
    sam, sid, issuer = ck_panel["sam"], ck_panel["sid"], sams.attempt.version.credential.issuer_id
    before = changes.mark()
    assert before.last > 0  # the fixtures' own writes
    # Through a bulk update: no save(), no signal, as a script or another process would write.
    Assignment.objects.filter(pk=sams.pk).update(due_at=F("due_at") + timedelta(hours=1))
    assert not changes.unchanged([reviewer_scope(sam.pk)], before)
    assert not changes.unchanged([issuer_scope(issuer)], before)
    assert changes.unchanged([reviewer_scope(sid.pk)], before)
    assert changes.unchanged([NAMES], before)


def test_writes_no_page_shows_are_no_change(sams: Assignment, ck_panel: dict[str, User]) -> None:
    """A draft review autosaved, a reminder sent, a sign-in recorded: no row in the log, so no page is read again."""
    now = timezone.now()
    review = Review.objects.create(
        assignment=sams, attempt=sams.attempt, reviewer=sams.reviewer, created_at=now, updated_at=now
    )
    before = Change.objects.count()
    Review.objects.filter(pk=review.pk).update(saved_step=2, updated_at=timezone.now())
    Assignment.objects.filter(pk=sams.pk).update(reminded_at=timezone.now())
    User.objects.filter(pk=ck_panel["sam"].pk).update(last_login=timezone.now())
    ReviewerProfile.objects.filter(user=ck_panel["sam"]).update(capacity=F("capacity") + 1)
    assert Change.objects.count() == before
    Review.objects.filter(pk=review.pk).update(state="submitted")
    assert set(Change.objects.order_by("id")[before:].values_list("scope", flat=True)) == {
        reviewer_scope(ck_panel["sam"].pk)
    }


def test_a_seats_new_title_is_a_change_for_each_reviewer_on_it_and_its_issuer(
    sams: Assignment, ck_panel: dict[str, User]
) -> None:
    assert not Assignment.objects.filter(seat_id=sams.seat_id, reviewer=ck_panel["sid"]).exists()
    before = changes.mark()
    Seat.objects.filter(pk=sams.seat_id).update(title="A new title")
    assert not changes.unchanged([reviewer_scope(ck_panel["sam"].pk)], before)
    assert changes.unchanged([reviewer_scope(ck_panel["sid"].pk)], before)  # not on this seat
    assert not changes.unchanged([issuer_scope(sams.attempt.version.credential.issuer_id)], before)


def test_a_log_that_went_back_is_not_taken_for_the_same(sams: Assignment) -> None:
    """A restored backup numbers its rows from where it was: the marked row is gone, or another row has its id."""
    before = changes.mark()
    scope = [reviewer_scope(sams.reviewer_id)]
    assert changes.unchanged(scope, before)
    Change.objects.filter(pk=before.last).update(nonce=F("nonce") + 1)
    assert not changes.unchanged(scope, before)
    Change.objects.filter(pk=before.last).delete()
    assert not changes.unchanged(scope, before)
    assert not changes.unchanged(
        scope, changes.Mark(0, None, before.running, before.horizon, before.own)
    )  # names no row


def test_old_changes_are_pruned_and_a_mark_too_old_is_not_trusted(sams: Assignment) -> None:
    Change.objects.update(at=timezone.now() - changes.PRUNE_AFTER - timedelta(minutes=1))
    fresh = Change.objects.create(scope="reviewer:0", nonce=7)  # as a trigger would write it
    assert changes.prune() > 0
    assert list(Change.objects.values_list("pk", flat=True)) == [fresh.pk]
    stale = changes.mark()
    aged = changes.Mark(
        stale.last, stale.nonce, stale.running, stale.horizon, stale.own, stale.read_at - changes.MARK_TRUSTED - 1
    )
    assert changes.unchanged(["reviewer:0"], stale)
    assert not changes.unchanged(["reviewer:0"], aged)


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_after_the_mark_is_a_change_though_it_was_numbered_before(
    sams: Assignment, ck_panel: dict[str, User]
) -> None:
    """On PostgreSQL rows are numbered as they are inserted, not as they are committed: a transaction that wrote
    its change before the mark was read and commits after it is still found (its writer was running then)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: rows are numbered in the order they are committed")
    written, release, failure = threading.Event(), threading.Event(), []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                Assignment.objects.filter(pk=sams.pk).update(due_at=F("due_at") + timedelta(hours=1))
                written.set()
                release.wait(10)
        except Exception as error:  # reported by the test below
            failure.append(error)
        finally:
            close_old_connections()
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert written.wait(10)
    # Another writer commits a change numbered after the slow one's, so the mark's last row comes after it.
    Seat.objects.filter(pk=sams.seat_id).update(title="Numbered after")
    mark = changes.mark()
    release.set()
    writer.join(10)
    assert not failure
    slow = Change.objects.filter(scope=issuer_scope(sams.attempt.version.credential.issuer_id)).order_by("id")
    assignment_rows = [pk for pk in slow.values_list("pk", flat=True) if pk < mark.last]
    # The race happened: the slow writer's row was numbered before the mark's last row and committed after it.
    committed_after = Change.objects.filter(pk__lt=mark.last, xact__in=mark.running).exists()
    assert assignment_rows
    assert committed_after
    assert not changes.unchanged([reviewer_scope(ck_panel["sam"].pk)], mark)


def test_a_kept_queue_shows_an_assignment_overdue_once_it_falls_due_with_no_write_at_all(
    sams: Assignment, ck_panel: dict[str, User]
) -> None:
    sam, queue = as_user(ck_panel["sam"]), reverse("reviews:queue")
    soon = timezone.now() + timedelta(seconds=1)
    Assignment.objects.filter(pk=sams.pk).update(due_at=soon)
    assert "Overdue" not in text_of(sam.get(queue))
    with CaptureQueriesContext(connection) as kept:
        assert "Overdue" not in text_of(sam.get(queue))
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    with CaptureQueriesContext(connection) as due:
        assert "Overdue" in text_of(sam.get(queue))
    assert len(kept.captured_queries) < len(due.captured_queries)


def test_a_kept_pipeline_is_sent_without_reading_its_state_until_its_issuer_changes(
    sams: Assignment, issuer_admin: User, classkick: Credential
) -> None:
    admin, pipeline = as_user(issuer_admin), reverse("reviews:pipeline")
    first = text_of(admin.get(pipeline))
    with CaptureQueriesContext(connection) as kept:
        assert text_of(admin.get(pipeline)).split("<h1>", 1)[1] == first.split("<h1>", 1)[1]
    # The session and its person, then the log's one read: no row of the page.
    assert not any("submissions_attempt" in q["sql"] for q in kept.captured_queries)
    assert sum(changes.TABLE in q["sql"] for q in kept.captured_queries) == 1
    Credential.objects.filter(pk=classkick.pk).update(title="Collaboration, renamed")
    assert "Collaboration, renamed" in text_of(admin.get(pipeline))


def test_making_the_triggers_again_after_a_migrate_is_a_change_for_every_scope(sams: Assignment) -> None:
    """A migration's own writes run with the triggers off: what was kept before it is not taken as it was."""
    before = changes.mark()
    assert changes.unchanged([reviewer_scope(sams.reviewer_id)], before)
    assert changes.install()
    assert not changes.unchanged([reviewer_scope(sams.reviewer_id)], before)
    assert not changes.unchanged([NAMES], before)


def test_the_triggers_come_off_before_migrations_and_back_after(sams: Assignment) -> None:
    changes.uninstall()
    assert changes.installed() == set()
    before = Change.objects.count()
    Assignment.objects.filter(pk=sams.pk).update(due_at=F("due_at") + timedelta(hours=1))
    assert Change.objects.count() == before  # nothing notes a write while they are off
    changes.install()
    assert changes.installed() == {w.table for w in changes.watches()}


def test_a_migrate_that_fails_half_way_leaves_no_mark_trusted(sams: Assignment) -> None:
    """The triggers come off before the migrations run and back after them: if a migration fails in between, they
    stay off, and no write is noted, so no page may be sent on the log's word until they are made again."""
    before = changes.mark()
    changes.uninstall()
    assert not changes.unchanged([reviewer_scope(sams.reviewer_id)], before)
    during = changes.mark()
    assert during.last == 0
    assert not changes.unchanged([reviewer_scope(sams.reviewer_id)], during)
    changes.install()
    after = changes.mark()
    assert after.last > 0
    assert changes.unchanged([reviewer_scope(sams.reviewer_id)], after)


def test_an_attempts_new_number_is_a_change_for_each_reviewer_assigned_to_it(
    sams: Assignment, ck_panel: dict[str, User]
) -> None:
    from submissions.models import Attempt

    before = changes.mark()
    Attempt.objects.filter(pk=sams.attempt_id).update(number=F("number") + 1)
    assert not changes.unchanged([reviewer_scope(ck_panel["sam"].pk)], before)
