"""Two checks of one earner's pathway at the same moment issue its credential once: real threads, each on its own
connection, on PostgreSQL (SQLite serialises writers, so no race can happen there)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from awards.models import Badge
from notifications.models import Notification
from pathways.models import Pathway, PathwayAward
from pathways.services import pathway_award_issue
from tests.reviews.test_concurrency import one_waited_for_another, start_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serialises writers (BEGIN IMMEDIATE): no race can happen there"
    ),
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def pathway_held(pathway_id: int) -> Iterator[None]:
    """Hold the pathway's row from a third connection while the body runs, so both checks are inside their
    transactions, past their first look for an award, when it is let go."""
    locked, release = threading.Event(), threading.Event()

    def locker() -> None:
        try:
            with transaction.atomic():
                list(Pathway.objects.select_for_update().filter(pk=pathway_id))
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


def test_two_checks_at_once_issue_the_pathway_credential_once(educator, classkick, ck_more, make_pathway, issue):
    pathway = make_pathway([classkick, ck_more[0]])
    issue(educator, classkick)
    issue(educator, ck_more[0])

    pids: list[int] = []
    with pathway_held(pathway.pk):
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
