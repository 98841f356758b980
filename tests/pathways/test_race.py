"""Two checks of one earner's pathway at the same moment issue its credential once: real threads, each on its own
connection, on PostgreSQL (SQLite serialises writers, so no race can happen there)."""

from __future__ import annotations

import pytest
from django.db import connection

from awards.models import Badge
from notifications.models import Notification
from pathways.models import Pathway, PathwayAward
from pathways.services import pathway_award_issue
from tests.reviews.test_concurrency import one_waited_for_another, rows_held, start_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serialises writers (BEGIN IMMEDIATE): no race can happen there"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_checks_at_once_issue_the_pathway_credential_once(educator, classkick, ck_more, make_pathway, issue):
    pathway = make_pathway([classkick, ck_more[0]])
    issue(educator, classkick)
    issue(educator, ck_more[0])

    pids: list[int] = []
    with rows_held(Pathway.objects.filter(pk=pathway.pk)):
        finish = start_at_once(
            *[lambda: pathway_award_issue(pathway=pathway, earner=educator) for _ in range(2)], pids=pids
        )
        waited = one_waited_for_another(pids)
    outcomes = finish()

    assert waited, "neither check ever waited for the other's lock: the race did not happen"
    assert outcomes == ["ok", "ok"]
    assert PathwayAward.objects.count() == 1
    assert Badge.objects.filter(attempt__isnull=True).count() == 1
    assert Notification.objects.filter(kind="pathway_earned").count() == 1
