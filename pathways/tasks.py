"""Counting an earner's pathways after each badge, in the background.

workflow queues `pathways_check_task` on commit beside the badge's own task (awards never calls up to
pathways). The task issues the attempt's badge first (awards.badge_issue is idempotent, so whichever task runs
first issues it and the other finds it), then every pathway it completes (pathways_award_due, exactly once
each). `pathways_issue_due` sweeps up any earner whose task was lost, as awards_issue_due does for badges.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from accounts.models import User
from awards.models import Badge
from awards.services import NotEarned, badge_issue
from pathways.models import Pathway
from pathways.services import pathways_award_due
from submissions.models import Attempt

logger = logging.getLogger(__name__)


@task()
def pathways_check_task(attempt_id: int) -> list[str]:
    attempt = Attempt.objects.select_related("submission__educator").get(pk=attempt_id)
    try:
        badge_issue(attempt=attempt)
    except NotEarned:
        return []  # overridden since it was queued: nothing new is held
    return [str(award.badge.uuid) for award in pathways_award_due(earner=attempt.submission.educator)]


def pathways_check_on_commit(*, attempt: Attempt) -> None:
    """Queue the pathways check of an attempt just decided earned, once the decision is committed."""
    attempt_id = attempt.pk
    transaction.on_commit(lambda: pathways_check_task.enqueue(attempt_id))


def pathways_issue_due() -> list[str]:
    """Issue every completed pathway not yet issued, for every earner holding a credential of a published one."""
    credential_ids = Pathway.objects.filter(is_published=True).values("credentials")
    earner_ids = (
        Badge.objects.filter(credential_id__in=credential_ids, revoked_at__isnull=True)
        .values_list("earner_id", flat=True)
        .distinct()
    )
    issued: list[str] = []
    for earner in User.objects.filter(pk__in=list(earner_ids)).order_by("pk"):
        try:
            issued += [str(award.badge.uuid) for award in pathways_award_due(earner=earner)]
        except Exception:  # one earner's failure must not stop the sweep; it is logged and retried next run
            logger.exception("issuing the pathways of user %s failed", earner.pk)
    return issued
