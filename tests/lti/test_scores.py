"""Assignment and Grade Services: an earned decision on an attempt launched from a course posts its score to the
test platform's line item, with the bearer token the platform issued for our signed client assertion."""

from __future__ import annotations

from django.core.management import call_command

from core.models import AuditEvent
from lti.models import PlatformAccount, ScorePost
from lti.scores import lti_scores_send_due
from tests.lti.conftest import AGS_CLAIM, ISS, SCORE_SCOPE, SUB, launch
from tests.reviews.helpers import submit_attempt
from tests.reviews.reliability_panels import decided_attempt
from tests.reviews.test_decisions import decide_classkick


def test_an_earned_decision_posts_the_score_to_the_course(
    lms_client, platform, registration, classkick, educator, ck_panel, django_capture_on_commit_callbacks
):
    PlatformAccount.objects.create(issuer=ISS, sub=SUB, user=educator, registration=registration)
    assert launch(lms_client, platform).status_code == 302
    attempt = submit_attempt(educator, classkick)
    assert platform.state.scores == [], "nothing before the decision"

    with django_capture_on_commit_callbacks(execute=True):
        decision = decide_classkick(attempt, classkick)
    assert decision.outcome == "earned"

    (received,) = platform.state.scores
    assert received["path"] == "/courses/7/lineitems/1/scores"
    assert received["bearer"] in platform.state.issued_tokens
    assert received["type"] == "application/vnd.ims.lis.v1.score+json"
    body = received["body"]
    assert (body["userId"], body["scoreGiven"], body["scoreMaximum"]) == (SUB, 1, 1)
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "FullyGraded")
    (asked,) = platform.state.token_requests
    assert asked["grant_type"] == "client_credentials"
    assert SCORE_SCOPE in asked["scope"].split()
    post = ScorePost.objects.get()
    assert (post.attempt, post.status, post.tries) == (attempt, "sent", 1)
    assert AuditEvent.objects.filter(action="lti_score.sent", subject_id=post.pk).exists()


def test_a_platform_that_is_down_gets_the_score_from_the_sweep_once(
    lms_client, platform, registration, classkick, educator, make_user, django_capture_on_commit_callbacks
):
    PlatformAccount.objects.create(issuer=ISS, sub=SUB, user=educator, registration=registration)
    launch(lms_client, platform)
    platform.state.scores_fail = True
    with django_capture_on_commit_callbacks(execute=True):
        decided_attempt(classkick, educator, {})
    post = ScorePost.objects.get()
    assert (post.status, post.tries) == ("pending", 1)
    assert "503" in post.last_error or post.last_error

    platform.state.scores_fail = False
    assert lti_scores_send_due() == {"sent": 1}
    assert lti_scores_send_due() == {}, "and nothing twice"
    call_command("lti_scores_send_due")
    assert len(platform.state.scores) == 1
    post.refresh_from_db()
    assert (post.status, post.tries) == ("sent", 2)


def test_no_score_without_a_course_launch_or_without_the_score_scope(
    lms_client, platform, registration, classkick, educator, educator2, django_capture_on_commit_callbacks
):
    PlatformAccount.objects.create(issuer=ISS, sub=SUB, user=educator, registration=registration)
    launch(lms_client, platform, **{AGS_CLAIM: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]}})
    with django_capture_on_commit_callbacks(execute=True):
        decided_attempt(classkick, educator, {})
        decided_attempt(classkick, educator2, {})
    assert not ScorePost.objects.exists()
    assert platform.state.scores == []
