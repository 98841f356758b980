"""reviews.0002 folds the reviews' own audit table (AuditLog) into the one audit log (core.AuditEvent).

The database is migrated back to before it, a row is written to AuditLog through the historical model, and
the migration is run forward again, on whichever database the suite runs on (SQLite and PostgreSQL alike).
Migrating changes the schema, so these tests run outside the per-test transaction and put every app back
at its latest migration when they finish.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import AuditEvent
from reviews.models import Assignment
from submissions.models import Attempt

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_migrations")]

BEFORE = [("reviews", "0001_initial")]
OLD_TABLE = ("reviews", "AuditLog")  # gone from the current models, so only the historical one exists
AFTER = [("reviews", "0002_audit_log_to_core")]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to `targets` and answer the historical models as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_old_audit_rows_are_copied_into_the_one_audit_log_with_their_new_names(
    ck_attempt: Attempt, classkick: Any, issuer_admin: Any, latest: None
) -> None:
    assignments = list(Assignment.objects.filter(attempt=ck_attempt).values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="assignment.created", subject_id__in=assignments).count() == 4

    old = migrate(BEFORE)
    AuditLog: Any = old.get_model(*OLD_TABLE)
    # Going back hands the reviews' rows back to their own table, under their old names.
    assert not AuditEvent.objects.filter(action="assignment.created").exists()
    assert AuditLog.objects.filter(action="assignment_created", subject_id__in=assignments).count() == 4
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    AuditLog.objects.create(
        actor_id=issuer_admin.pk,
        action="adjudication_requested",
        subject_type="attempt",
        subject_id=ck_attempt.pk,
        old="",
        new="needs_adjudication",
        data={"disputed": ["balance"], "reasons": ["the assessors disagree on Balance"]},
        at=at,
    )

    migrate(AFTER)

    copied = AuditEvent.objects.get(action="attempt.adjudication_requested")
    assert (copied.subject_type, copied.subject_id) == ("attempt", ck_attempt.pk)
    assert copied.issuer_id == classkick.issuer_id  # found through the attempt's credential
    assert (copied.actor_id, copied.at, copied.new) == (issuer_admin.pk, at, "needs_adjudication")
    assert copied.data == {"disputed": ["balance"], "reasons": ["the assessors disagree on Balance"]}
    created = AuditEvent.objects.filter(action="assignment.created", subject_id__in=assignments)
    assert created.count() == 4
    assert {(row.subject_type, row.issuer_id, row.new) for row in created} == {
        ("assignment", classkick.issuer_id, "open")
    }
    assert not AuditEvent.objects.filter(action__in=["assignment_created", "adjudication_requested"]).exists()
    assert "reviews_auditlog" not in connection.introspection.table_names()
