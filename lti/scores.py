"""Scores back to the course (Assignment and Grade Services) when an attempt launched from it is earned.

The decision's transaction writes one `ScorePost` per grade target of that person and credential (the outbox
row) and queues `score_post_task` for after the commit; the task claims the row with a conditional UPDATE, so a
duplicated task sends nothing twice, and `lti_scores_send_due` picks up any row whose task was lost or whose
platform was down. The score is 1 of 1, "Completed" and "FullyGraded": microcred decides earned or not, and a
"not yet earned" is not a grade to post.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import requests
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from core.audit import audit_record
from lti.models import GradeTarget, ScorePost
from lti.services import LINEITEM_SCOPE, SCORE_SCOPE
from lti.tool import ToolRegistration, platform_session
from submissions.models import Attempt

logger = logging.getLogger(__name__)

MAX_TRIES = 5
# A row claimed this long ago whose sender never finished (a worker that died) is offered again.
STALE_CLAIM = timedelta(minutes=15)


def score_posts_queue(*, attempt: Attempt) -> list[ScorePost]:
    """In the decision's transaction: an outbox row per course link this person launched the credential from."""
    submission = attempt.submission
    targets = GradeTarget.objects.filter(
        user_id=submission.educator_id,
        resource_link__credential_id=submission.credential_id,
        resource_link__registration__is_active=True,
    )
    posts = []
    for target in targets:
        if SCORE_SCOPE not in target.scopes or not (target.lineitem_url or target.lineitems_url):
            continue
        post, created = ScorePost.objects.get_or_create(
            target=target, attempt=attempt, defaults={"score_given": Decimal(1), "score_maximum": Decimal(1)}
        )
        if created:
            posts.append(post)
    ids = [post.pk for post in posts]
    if ids:
        transaction.on_commit(lambda: [score_post_task.enqueue(post_id) for post_id in ids])
    return posts


@task()
def score_post_task(post_id: int) -> str:
    return score_post_send(post_id=post_id)


def _claim(post_id: int) -> bool:
    now = timezone.now()
    waiting = ScorePost.objects.filter(pk=post_id, status=ScorePost.Status.PENDING)
    stale = ScorePost.objects.filter(pk=post_id, status=ScorePost.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    claimed = (waiting | stale).update(status=ScorePost.Status.SENDING, claimed_at=now, tries=F("tries") + 1)
    return claimed == 1


def score_post_send(*, post_id: int) -> str:
    """Send one score; its status afterwards ("sent", "pending" for another try, "failed", or "skipped" when
    another worker has it)."""
    if not _claim(post_id):
        return "skipped"
    post = ScorePost.objects.select_related(
        "target__resource_link__registration", "target__resource_link__credential", "attempt"
    ).get(pk=post_id)
    target = post.target
    link = target.resource_link
    connector = ServiceConnector(ToolRegistration(link.registration), platform_session())
    service = AssignmentsGradesService(
        connector, {"scope": target.scopes, "lineitem": target.lineitem_url, "lineitems": target.lineitems_url}
    )
    grade = (
        Grade()
        .set_score_given(float(post.score_given))
        .set_score_maximum(float(post.score_maximum))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(timezone.now().isoformat())
        .set_user_id(target.sub)
    )
    try:
        if target.lineitem_url:
            service.put_grade(grade)
        else:
            if LINEITEM_SCOPE not in target.scopes:
                raise LtiException("the platform named no line item and does not let us create one")
            item = (
                LineItem()
                .set_tag(f"microcred:{link.credential.slug}")
                .set_label(link.credential.title)
                .set_score_maximum(float(post.score_maximum))
                .set_resource_link_id(link.resource_link_id)
            )
            service.put_grade(grade, item)
    except (LtiException, requests.RequestException, ValueError) as error:
        status = ScorePost.Status.FAILED if post.tries >= MAX_TRIES else ScorePost.Status.PENDING
        ScorePost.objects.filter(pk=post.pk).update(status=status, last_error=str(error)[:2000])
        logger.warning("sending LTI score %s failed (try %s): %s", post.pk, post.tries, error)
        return str(status)
    with transaction.atomic():
        ScorePost.objects.filter(pk=post.pk).update(status=ScorePost.Status.SENT, sent_at=timezone.now(), last_error="")
        audit_record(
            action="lti_score.sent",
            subject=post,
            actor=None,
            new=f"{post.score_given}/{post.score_maximum}",
            issuer_id=link.credential.issuer_id,
            data={"attempt": post.attempt_id, "lineitem": target.lineitem_url or target.lineitems_url},
        )
    return str(ScorePost.Status.SENT)


def lti_scores_send_due() -> dict[str, int]:
    """Send every score still waiting (a lost task, a platform that was down); counts by outcome."""
    now = timezone.now()
    due = ScorePost.objects.filter(status=ScorePost.Status.PENDING) | ScorePost.objects.filter(
        status=ScorePost.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    counts: dict[str, int] = {}
    for post_id in due.order_by("created_at").values_list("pk", flat=True):
        outcome = score_post_send(post_id=post_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
