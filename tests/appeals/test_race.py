"""Two appeals of one attempt sent at the same moment (say, two tabs): exactly one is made. Real threads on
PostgreSQL, each on its own connection; skipped on SQLite, which serialises writers (see
tests/reviews/test_concurrency.py, whose helpers prove the race happened)."""

from __future__ import annotations

import pytest
from django.db import connection

from core.models import AuditEvent
from notifications.models import Notification, NotificationKind
from reviews.models import Appeal, Seat, SeatRole
from submissions.models import Submission
from tests.appeals.conftest import CONTESTED, REASON
from tests.reviews.test_concurrency import one_waited_for_another, rows_held, start_at_once
from workflow.services import appeal_request

pytestmark = [
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; this race needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_two_appeals_sent_at_once_make_exactly_one(decided, educator, fresh):
    pids: list[int] = []
    with rows_held(Submission.objects.filter(pk=decided.submission_id)):
        finish = start_at_once(
            *[
                lambda: appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
                for _ in range(2)
            ],
            pids=pids,
        )
        waited = one_waited_for_another(pids)
    outcomes = finish()

    assert waited, "neither appeal's transaction ever waited for the other's lock: the race did not happen"
    assert outcomes.count("ok") == 1
    assert ["already been appealed" in outcome for outcome in outcomes if outcome != "ok"] == [True]
    assert Appeal.objects.filter(attempt=decided).count() == 1
    assert Seat.objects.filter(attempt=decided, role=SeatRole.APPEAL).count() == 1
    assert AuditEvent.objects.filter(action="appeal.requested").count() == 1
    assert Notification.objects.filter(user=educator, kind=NotificationKind.APPEAL_RECEIVED).count() == 1
