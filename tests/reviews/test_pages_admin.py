"""The issuer admin's pages without JavaScript, by persona: the pipeline, an attempt's record and audit log,
reassignment, extra attempts and decision overrides. Only the issuer's admins (and platform admins) get in."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from reviews.models import Assignment, AssignmentState, AttemptGrant, Decision, DecisionOutcome
from reviews.services import reviews_tick
from submissions.models import AttemptStatus
from tests.reviews.helpers import open_assignments, review, submit_attempt

CANDIDATE = ("Edna Educator", "edna@example.org", "Lincoln High School")


def as_user(user) -> Any:  # a Client whose responses carry the test attributes (url, context)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(response.content.decode())


def words_of(response) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())
    return re.sub(r" ([:.,])", r"\1", text)


@pytest.fixture
def attempt(educator, classkick, ck_panel, issuer_admin, unassigned, other_staff):
    return submit_attempt(educator, classkick)


@pytest.fixture
def sams(attempt):
    return open_assignments(attempt)["sam@classkick.example"]


def decide(attempt, classkick, **overrides):
    for n, assignment in enumerate(open_assignments(attempt).values()):
        review(assignment, classkick, **(overrides if n == 0 else {}))
    return Decision.objects.get(attempt=attempt)


def record_url(attempt) -> str:
    return reverse("reviews:attempt_record", args=[attempt.pk])


# ----- who gets in -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["issuer_admin", "platform_admin"])
def test_the_issuers_admins_see_the_pipeline_with_candidates_by_reference_only(attempt, who, request):
    response = as_user(request.getfixturevalue(who)).get(reverse("reviews:pipeline"))

    assert response.status_code == 200
    words = words_of(response)
    assert f"C-{attempt.submission_id}, attempt 1" in words
    assert "In review" in words
    assert "Sam Staff" in words
    for identity in CANDIDATE:
        assert identity not in text_of(response)


def test_another_issuers_admin_sees_their_own_pipeline_without_this_issuers_attempts(attempt, other_issuer_admin):
    response = as_user(other_issuer_admin).get(reverse("reviews:pipeline"))
    assert response.status_code == 200
    assert f"C-{attempt.submission_id}" not in text_of(response)
    assert "Nothing else is in review." in text_of(response)


@pytest.mark.parametrize("who", ["educator", "educator2", "reviewer", "other_staff"])
def test_the_pipeline_is_not_found_for_anyone_who_administers_no_issuer(attempt, who, request, ck_panel):
    user = ck_panel["sam"] if who == "reviewer" else request.getfixturevalue(who)
    assert as_user(user).get(reverse("reviews:pipeline")).status_code == 404


@pytest.mark.parametrize("who", ["other_issuer_admin", "educator", "reviewer", "anonymous"])
def test_nobody_but_the_issuers_admins_opens_an_attempt_record_or_acts_on_it(attempt, sams, who, request, ck_panel):
    decision_less = [
        record_url(attempt),
        reverse("reviews:reassign", args=[sams.pk]),
        reverse("reviews:extra_attempt", args=[attempt.submission_id]),
    ]
    user = {"reviewer": ck_panel["sam"], "anonymous": None}.get(who) or (
        request.getfixturevalue(who) if who not in ("reviewer", "anonymous") else None
    )
    client = as_user(user)
    for url in decision_less:
        got = client.get(url)
        if user is None:
            assert got.status_code == 302, url
            assert got.url.startswith(reverse("accounts:login")), url
        else:
            assert got.status_code == 404, url
    for url in decision_less[1:]:
        posted = client.post(url, {"reason": "Because I can", "to_reviewer": ""})
        assert posted.status_code == (302 if user is None else 404), url
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN
    assert not AttemptGrant.objects.exists()


@pytest.mark.parametrize("who", ["other_issuer_admin", "educator", "reviewer"])
def test_nobody_but_the_issuers_admins_overrides_a_decision(attempt, classkick, who, request, ck_panel):
    decision = decide(attempt, classkick, balance="developing")
    user = ck_panel["sam"] if who == "reviewer" else request.getfixturevalue(who)
    url = reverse("reviews:override", args=[decision.pk])
    assert as_user(user).get(url).status_code == 404
    assert as_user(user).post(url, {"outcome": "earned", "reason": "I say so"}).status_code == 404
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.NOT_YET_EARNED


# ----- the pipeline's groups -------------------------------------------------------------------------------


def test_the_pipeline_groups_waiting_overdue_in_review_and_decided(
    classkick, ck_panel, issuer_admin, educator, educator2, make_user
):
    from django.utils import timezone

    waiting = submit_attempt(educator, classkick, band="college")  # no mentor reviews college work
    late = submit_attempt(educator2, classkick)
    decided_teacher = make_user("dee@example.org", "Dee", organisation="Elm School", email_verified_at=timezone.now())
    decided = submit_attempt(decided_teacher, classkick, band="middle_school")
    for assignment in open_assignments(decided).values():
        review(assignment, classkick)
    # Two weeks and a day go by for the late attempt: its reviews fall due, and the tick marks them overdue.
    Assignment.objects.filter(attempt=late).update(due_at=timezone.now() - timedelta(days=1))
    reviews_tick()

    words = words_of(as_user(issuer_admin).get(reverse("reviews:pipeline")))

    sections = {
        name: words[words.index(name) :]
        for name in ("Waiting for reviewers Attempts with", "Overdue Attempts with", "Decided The latest")
    }
    assert f"C-{waiting.submission_id}, attempt 1" in sections["Waiting for reviewers Attempts with"]
    assert "2 waiting for a reviewer" in words
    assert f"C-{late.submission_id}, attempt 1" in sections["Overdue Attempts with"]
    assert "Overdue" in sections["Overdue Attempts with"]
    assert f"C-{decided.submission_id}, attempt 1 Collaboration Earned" in sections["Decided The latest"]


# ----- the attempt record and its audit log ----------------------------------------------------------------


def test_the_attempt_record_shows_the_panel_the_decision_and_the_audit_log(attempt, classkick, issuer_admin):
    decide(attempt, classkick, balance="developing")
    response = as_user(issuer_admin).get(record_url(attempt))

    assert response.status_code == 200
    words = words_of(response)
    assert f"C-{attempt.submission_id}, attempt 1: Collaboration" in words
    assert "1. Formal educator on the Classkick Team Sam Staff" in words
    assert "Decision on attempt 1: Not yet earned" in words
    assert "Reviewer 1: Developing (does not pass)" in words
    assert words.count("Reviewer assigned") == 4
    assert words.count("Review submitted") == 4
    assert "Decision made" in words
    assert "in_review" not in words.split("Audit log")[0]
    assert "Override this decision" in words
    for identity in CANDIDATE:
        assert identity not in text_of(response)


def test_an_admin_reassigns_a_review_with_a_reason_automatically_or_to_a_chosen_reviewer(
    attempt, sams, issuer_admin, make_reviewer, classkick
):
    from accounts.models import ReviewerRole

    spare = make_reviewer("zoe@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, name="Zoe Spare")
    admin = as_user(issuer_admin)
    url = reverse("reviews:reassign", args=[sams.pk])
    form = text_of(admin.get(url))
    assert "Automatic: whoever the rules pick" in form
    assert "Zoe Spare (Issuer staff)" in form
    assert "Sam Staff (" not in form  # not offered his own review

    missing = admin.post(url, {"to_reviewer": "", "reason": ""})
    assert missing.status_code == 422
    assert '<a href="#id_reason">Why the review is moved: Say why the review is moved to someone else</a>' in text_of(
        missing
    )

    una = admin.post(url, {"to_reviewer": "una@classkick.example", "reason": "Sam is away for a month."})
    assert una.status_code == 422  # Una has no capacity left: the service says so, at the field
    assert "New reviewer: Una already has 0 open reviews, their capacity" in text_of(una)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN

    done = admin.post(url, {"to_reviewer": spare.email, "reason": "Sam is away for a month."}, follow=True)
    assert "The review is reassigned to Zoe Spare." in text_of(done)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.REASSIGNED
    new = Assignment.objects.get(seat_id=sams.seat_id, state=AssignmentState.OPEN)
    assert new.reviewer == spare
    assert new.assigned_by == issuer_admin
    log = words_of(admin.get(record_url(attempt)))
    assert "Assignment reassigned: Sam Staff" in log
    assert "Sam is away for a month." in log
    assert "Reviewer assigned: Zoe Spare" in log
    assert "Ada Admin" in log

    automatic = admin.post(
        reverse("reviews:reassign", args=[new.pk]), {"to_reviewer": "", "reason": "Zoe has a conflict."}
    )
    assert automatic.status_code == 302
    assert AuditEvent.objects.filter(action="assignment.reassigned").count() == 2


def test_an_admin_grants_another_attempt_with_a_reason(attempt, classkick, issuer_admin, educator):
    decide(attempt, classkick, balance="developing")
    admin = as_user(issuer_admin)
    url = reverse("reviews:extra_attempt", args=[attempt.submission_id]) + f"?from={record_url(attempt)}"
    assert "has used 1 of 3 attempts" in words_of(admin.get(url))

    missing = admin.post(url, {"reason": "", "next_attempt": record_url(attempt)})
    assert missing.status_code == 422
    assert "Say why another attempt is granted" in text_of(missing)
    assert not AttemptGrant.objects.exists()

    done = admin.post(url, {"reason": "Illness during the attempt.", "next_attempt": record_url(attempt)})
    assert done.status_code == 302
    assert done.url == record_url(attempt)
    grant = AttemptGrant.objects.get()
    assert (grant.reason, grant.granted_by) == ("Illness during the attempt.", issuer_admin)
    assert "1 of 4 used" in words_of(admin.get(record_url(attempt)))

    elsewhere = admin.post(url, {"reason": "Again.", "next_attempt": "https://evil.example/"})
    assert elsewhere.url == reverse("reviews:pipeline")  # only a path on this site is followed


def test_an_admin_overrides_a_decision_with_an_outcome_and_a_reason(attempt, classkick, issuer_admin, educator):
    decision = decide(attempt, classkick, balance="developing")
    admin = as_user(issuer_admin)
    url = reverse("reviews:override", args=[decision.pk])
    assert "The decision is now Not yet earned." in words_of(admin.get(url))

    refused = admin.post(url, {"outcome": "", "reason": ""})
    assert refused.status_code == 422
    html = text_of(refused)
    assert '<a href="#id_outcome">New outcome: Choose the new outcome</a>' in html
    assert "Say why the decision is overridden" in html

    same = admin.post(url, {"outcome": "not_yet_earned", "reason": "Checking."})
    assert same.status_code == 422
    assert "The decision is already not yet earned" in text_of(same)

    done = admin.post(url, {"outcome": "earned", "reason": "Reviewer 1 misread the schedule."}, follow=True)
    assert "The decision is now earned." in text_of(done)
    decision.refresh_from_db()
    assert (decision.outcome, decision.original_outcome) == (DecisionOutcome.EARNED, DecisionOutcome.NOT_YET_EARNED)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EARNED
    log = words_of(admin.get(record_url(attempt)))
    assert "Decision overridden" in log
    assert "not_yet_earned → earned" in log
    assert "Reviewer 1 misread the schedule." in log
    assert "The issuer changed this decision: Reviewer 1 misread the schedule." in words_of(
        as_user(educator).get(reverse("submissions:detail", args=[attempt.submission_id]))
    )


def test_the_attempt_record_keeps_a_flat_query_count_as_its_audit_log_grows(
    attempt, sams, issuer_admin, make_reviewer, classkick, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import ReviewerRole

    admin = as_user(issuer_admin)
    admin.get(record_url(attempt))
    with CaptureQueriesContext(connection) as before:
        admin.get(record_url(attempt))
    count = len(before.captured_queries)  # read now: the next request resets the connection's query log
    for n in range(3):
        make_reviewer(f"spare{n}@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, name=f"Spare {n}")
    current = sams
    for n in range(3):
        admin.post(reverse("reviews:reassign", args=[current.pk]), {"to_reviewer": "", "reason": f"Round {n}."})
        current = Assignment.objects.get(seat_id=sams.seat_id, state=AssignmentState.OPEN)

    with django_assert_num_queries(count):
        words = words_of(admin.get(record_url(attempt)))
    assert words.count("Assignment reassigned") == 3
