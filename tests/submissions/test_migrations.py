"""The move of a submission's events into the one audit log (submissions 0002) keeps every row: its
moment, actor, old and new status and data, with the attempt it concerned, and back again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.models import AuditEvent
from tests.submissions.helpers import complete_portfolio
from workflow.services import attempt_submit

pytestmark = pytest.mark.usefixtures("real_migrations")

BEFORE = [("submissions", "0001_initial"), ("core", "0001_initial")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    # A fresh executor each time: the loader caches which migrations were applied.
    return MigrationExecutor(connection)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_events_move_into_the_audit_log_and_back(draft, educator, north_reviewer):
    complete_portfolio(draft, educator)
    attempt = attempt_submit(submission=draft, actor=educator)
    issuer_id = draft.credential.issuer_id
    started = AuditEvent.objects.get(subject_type="submission", action="submission.started")
    when = timezone.now() - timedelta(days=3)
    try:
        executor = _migrate(BEFORE)
        Event = executor.loader.project_state(BEFORE).apps.get_model("submissions", "Event")
        # Backwards, the log's rows of the submission went back into the recreated table.
        assert not AuditEvent.objects.filter(subject_type="submission").exists()
        assert list(
            Event.objects.order_by("at", "id").values_list("kind", "attempt_id", "old_status", "new_status")
        ) == [
            ("started", None, "", "started"),
            ("saved", None, "started", "in_progress"),
            ("submitted", attempt.pk, "in_progress", "submitted"),
        ]
        assert Event.objects.get(kind="started").data == {"version": draft.version_id}
        Event.objects.create(
            submission_id=draft.pk,
            attempt_id=attempt.pk,
            kind="in_review",
            actor_id=north_reviewer.pk,
            at=when,
            old_status="submitted",
            new_status="in_review",
            data={"panel": "assigned", "attempt_status": ["submitted", "in_review"]},
        )
    finally:
        _migrate()

    copied = AuditEvent.objects.get(subject_type="submission", action="submission.in_review")
    assert (copied.subject_id, copied.issuer_id, copied.actor_id, copied.at) == (
        draft.pk,
        issuer_id,
        north_reviewer.pk,
        when,
    )
    assert (copied.old, copied.new) == ("submitted", "in_review")
    assert copied.data == {
        "panel": "assigned",
        "attempt_status": ["submitted", "in_review"],
        "attempt": attempt.pk,
        "attempt_number": 1,
    }
    again = AuditEvent.objects.get(subject_type="submission", action="submission.started")
    assert (again.at, again.actor_id, again.issuer_id, again.old, again.new, again.data) == (
        started.at,
        started.actor_id,
        started.issuer_id,
        started.old,
        started.new,
        started.data,
    )
