"""Issuing badges in the background.

An earned decision enqueues `badge_issue_task` when its transaction commits. `badge_issue` is idempotent
(one badge per attempt, under a row lock), so a retried or duplicated task issues nothing twice.
`awards_issue_due` sweeps up any earned attempt whose task was lost (a worker that died between the
commit and the task), which a scheduler runs like the other periodic commands.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from awards.models import Badge
from awards.services import badge_issue
from submissions.models import Attempt, AttemptStatus

logger = logging.getLogger(__name__)


@task()
def badge_issue_task(attempt_id: int) -> str:
    attempt = Attempt.objects.get(pk=attempt_id)
    return str(badge_issue(attempt=attempt).uuid)


def badge_issue_on_commit(*, attempt: Attempt) -> None:
    """Queue the badge for an attempt just decided earned, once the decision is committed."""
    attempt_id = attempt.pk
    transaction.on_commit(lambda: badge_issue_task.enqueue(attempt_id))


def awards_issue_due() -> list[str]:
    """Issue the badge of every earned attempt that has none yet; the issued badges' ids."""
    due = Attempt.objects.filter(status=AttemptStatus.EARNED).exclude(pk__in=Badge.objects.values("attempt_id"))
    issued = []
    for attempt in due.order_by("pk"):
        try:
            issued.append(str(badge_issue(attempt=attempt).uuid))
        except Exception:  # one bad attempt must not stop the sweep; it is logged and retried next run
            logger.exception("issuing the badge of attempt %s failed", attempt.pk)
    return issued
