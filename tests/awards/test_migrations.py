"""The awards' own audit table folded into the one audit log (awards/migrations/0003): run backwards and
forwards on a database holding real rows, and on old rows written as the old code wrote them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from awards.models import IssuerKey, StatusList
from awards.services import application_decide, application_submit, badge_revoke, badge_visibility_set
from core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("real_migrations")

BEFORE_COPY = ("awards", "0002_badge")
AWARDS_ACTIONS = (
    "issuer_key.created",
    "issuer_key.retired",
    "badge.issued",
    "badge.revoked",
    "badge.visibility_changed",
    "status_list.signed",
    "credit_application.submitted",
    "credit_application.decided",
    "partners.synced",
)


def _targets(executor: MigrationExecutor, awards_node: tuple[str, str] | None) -> list[tuple[str, str]]:
    leaves = executor.loader.graph.leaf_nodes()
    if awards_node is None:
        return leaves
    return [node for node in leaves if node[0] != "awards"] + [awards_node]


def migrate(awards_node: tuple[str, str] | None):
    """Migrate awards to `awards_node` (None: every app to its latest) and return the historical apps there."""
    executor = MigrationExecutor(connection)
    targets = _targets(executor, awards_node)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_at_latest() -> Iterator[None]:
    # Whatever happens in the test, the next test in this worker finds the schema it expects.
    yield
    migrate(None)


def _rows(actions: tuple[str, ...] = AWARDS_ACTIONS) -> set[tuple]:
    return set(
        AuditEvent.objects.filter(action__in=actions).values_list(
            "at", "actor_id", "action", "subject_type", "subject_id", "issuer_id", "old", "new"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_award_events_go_back_and_come_forward_without_losing_a_row(
    back_at_latest, badge, badge_er, educator, partners, partner_staff, issuer_admin
):
    badge_visibility_set(earner=educator, badge=badge, visibility="public")
    application = application_submit(earner=educator, badge=badge_er, partner=partners["demo-state-university"])
    application_decide(staff=partner_staff, application=application, decision="accepted", note="Welcome")
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    # partners.synced names the program (catalog.Credential), which the old table could not point at: it
    # comes back naming the issuer, so it is compared on its own below.
    kept = tuple(a for a in AWARDS_ACTIONS if a != "partners.synced")
    written = _rows(kept)
    assert {row[2] for row in written} == set(kept) - {"issuer_key.retired"}
    assert AuditEvent.objects.filter(action="partners.synced").count() == 1

    old = migrate(BEFORE_COPY)
    AwardEvent = old.get_model("awards", "AwardEvent")
    assert not AuditEvent.objects.filter(action__in=AWARDS_ACTIONS).exists()
    assert AwardEvent.objects.count() == len(written) + 1
    revoked = AwardEvent.objects.get(kind="revoked")
    assert (revoked.awarded_id, revoked.actor_id, revoked.old_value, revoked.new_value) == (
        badge.pk,
        issuer_admin.pk,
        "valid",
        "revoked",
    )
    assert revoked.data == {"reason": "Issued in error, sorry."}
    decided = AwardEvent.objects.get(kind="decided")
    assert (decided.application_id, decided.awarded_id) == (application.pk, badge_er.pk)

    migrate(None)
    assert "awards_awardevent" not in connection.introspection.table_names()
    assert _rows(kept) == written
    (synced,) = AuditEvent.objects.filter(action="partners.synced")
    assert (synced.subject_type, synced.subject_id) == ("issuer", badge_er.issuer_id)


@pytest.mark.django_db(transaction=True)
def test_rows_written_by_the_old_code_find_their_subject_and_issuer(back_at_latest, badge_er, educator, partners):
    application = application_submit(earner=educator, badge=badge_er, partner=partners["demo-state-university"])
    key = IssuerKey.objects.get(issuer=badge_er.issuer, number=2)
    status_list = StatusList.objects.get(issuer=badge_er.issuer)

    old = migrate(BEFORE_COPY)
    AwardEvent = old.get_model("awards", "AwardEvent")
    AwardEvent.objects.all().delete()
    moments = iter(timezone.now() - timedelta(days=30, minutes=n) for n in range(5))
    # As the old services wrote them: no issuer on a visibility change or an application.
    visibility = AwardEvent.objects.create(
        at=next(moments),
        kind="visibility",
        actor_id=educator.pk,
        awarded_id=badge_er.pk,
        old_value="unlisted",
        new_value="public",
    )
    applied = AwardEvent.objects.create(
        at=next(moments),
        kind="applied",
        actor_id=educator.pk,
        awarded_id=badge_er.pk,
        application_id=application.pk,
        new_value="submitted",
    )
    created = AwardEvent.objects.create(
        at=next(moments),
        kind="key_created",
        issuer_id=badge_er.issuer_id,
        new_value="#key-2",
        data={"algorithm": "P-256"},
    )
    signed = AwardEvent.objects.create(
        at=next(moments), kind="status_list_signed", issuer_id=badge_er.issuer_id, new_value="0 revoked"
    )
    unknown_key = AwardEvent.objects.create(
        at=next(moments), kind="key_retired", issuer_id=badge_er.issuer_id, old_value="#key-99"
    )

    migrate(None)
    copied = {
        event.at: event
        for event in AuditEvent.objects.filter(action__in=AWARDS_ACTIONS).exclude(action="partners.synced")
    }
    assert len(copied) == 5

    def copy_of(row):
        event = copied[row.at]
        return (event.action, event.subject_type, event.subject_id, event.issuer_id, event.actor_id)

    issuer_id = badge_er.issuer_id
    assert copy_of(visibility) == ("badge.visibility_changed", "badge", badge_er.pk, issuer_id, educator.pk)
    assert copy_of(applied) == (
        "credit_application.submitted",
        "creditapplication",
        application.pk,
        issuer_id,
        educator.pk,
    )
    assert copied[applied.at].data == {"badge_id": badge_er.pk}
    assert copy_of(created) == ("issuer_key.created", "issuerkey", key.pk, issuer_id, None)
    assert copied[created.at].data == {"algorithm": "P-256"}
    assert copy_of(signed) == ("status_list.signed", "statuslist", status_list.pk, issuer_id, None)
    assert copy_of(unknown_key) == ("issuer_key.retired", "issuer", issuer_id, issuer_id, None)
    assert (copied[visibility.at].old, copied[visibility.at].new) == ("unlisted", "public")
