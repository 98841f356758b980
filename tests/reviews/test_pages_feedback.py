"""The educator's side of a decision, without JavaScript: no scores before it, the feedback after it (reviewers
anonymous), the resubmission with the earlier feedback beside each part, and the pointer to coaching past the
attempt limit. Also what the reviewer of a resubmission and a lead assessor see."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Decision, DecisionOutcome
from reviews.services import attempt_grant_extra
from submissions.models import Attempt, AttemptStatus, Status, Submission
from tests.reviews.helpers import open_assignments, review, scores, submit_attempt
from tests.submissions.helpers import save
from workflow.services import attempt_submit

REASONING = "The Balance evidence shows planning happened only once."  # tests.reviews.helpers.scores' words
SUGGESTION = "Schedule regular Balance planning and show its effect on students."
REVIEWERS = ("Sam Staff", "Sid Staff", "Mia Mentor", "Max Mentor", "sam@classkick.example", "mia@mentors.example")


def as_user(user) -> Any:  # a Client whose responses carry the test attributes (url, context)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(response.content.decode())


def words_of(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    text = " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())
    return re.sub(r" ([:.,])", r"\1", text)


def decide(attempt: Attempt, credential, **overrides: str) -> Decision:
    """Every open assignment reviewed: the first with `overrides`, the others at the passing level."""
    for n, assignment in enumerate(open_assignments(attempt).values()):
        review(assignment, credential, **(overrides if n == 0 else {}))
    return Decision.objects.get(attempt=attempt)


@pytest.fixture
def attempt(educator, classkick, ck_panel, issuer_admin):
    return submit_attempt(educator, classkick)


def detail_url(attempt: Attempt) -> str:
    return reverse("submissions:detail", args=[attempt.submission_id])


def attempt_url(attempt: Attempt) -> str:
    return reverse("submissions:attempt", args=[attempt.submission_id, attempt.number])


def test_the_candidate_sees_no_scores_or_comments_before_the_decision(attempt, educator, classkick):
    # Three of four reviews are in, one of them with a failing level and its comments.
    assignments = list(open_assignments(attempt).values())
    review(assignments[0], classkick, balance="developing")
    review(assignments[1], classkick)
    review(assignments[2], classkick)
    edna = as_user(educator)

    for url in (detail_url(attempt), attempt_url(attempt)):
        html = text_of(edna.get(url))
        assert "Decision on attempt" not in html
        assert REASONING not in html
        assert "Developing" not in html
    assert edna.get(f"/api/v1/reviews/feedback/{attempt.submission_id}/1").status_code == 404


def test_after_a_not_yet_earned_decision_the_educator_reads_the_feedback_per_criterion_anonymously(
    attempt, educator, classkick
):
    decision = decide(attempt, classkick, balance="developing")
    assert decision.outcome == DecisionOutcome.NOT_YET_EARNED
    edna = as_user(educator)

    for url in (detail_url(attempt), attempt_url(attempt)):
        response = edna.get(url)
        html, words = text_of(response), words_of(response)
        assert "Decision on attempt 1: Not yet earned" in words
        assert "Balance: not yet" in words
        assert "Implementation: passes" in words
        assert "Reviewer 1: Developing (does not pass)" in words
        assert "Reviewer 4: Accomplished (passes)" in words
        assert f"Reasoning: {REASONING}" in words
        assert f"Suggestion: {SUGGESTION}" in words
        assert "What to do next" in words
        assert "Revise what the reviewers describe for: Balance." in words
        assert "2 attempts left" in words
        for name in REVIEWERS:
            assert name not in html, name
        first_step = reverse("submissions:part", args=[attempt.submission_id, "method"])
        assert f'<a class="button" href="{first_step}">Revise and resubmit</a>' in html


@pytest.mark.parametrize("who", ["educator2", "a reviewer on the panel", "issuer_admin", "anonymous"])
def test_nobody_else_reads_the_candidates_feedback_on_the_educators_pages(attempt, classkick, ck_panel, who, request):
    decide(attempt, classkick, balance="developing")
    people = {"a reviewer on the panel": ck_panel["sam"], "anonymous": None}
    user = people[who] if who in people else request.getfixturevalue(who)
    for url in (detail_url(attempt), attempt_url(attempt)):
        response = as_user(user).get(url)
        assert response.status_code in (302, 404)
        assert REASONING not in text_of(response)


def test_resubmitting_shows_the_earlier_feedback_beside_each_part_and_freezes_attempt_2(attempt, educator, classkick):
    decide(attempt, classkick, balance="developing")
    edna = as_user(educator)
    submission = Submission.objects.get(pk=attempt.submission_id)

    step = words_of(edna.get(reverse("submissions:part", args=[submission.pk, "evidence"])))
    assert "Feedback on attempt 1 for this part" in step
    assert "Balance: not yet" in step
    assert REASONING in step
    # The draft still holds what attempt 1 said, ready to revise.
    assert attempt.responses["evidence"]["balance"] in step
    method = text_of(edna.get(reverse("submissions:part", args=[submission.pk, "method"])))
    assert "Feedback on attempt 1" not in method  # no criterion judges that part

    save(submission, educator, {"evidence.balance": "We now plan together every Tuesday; three teachers rotate."})
    summary = text_of(edna.get(reverse("submissions:summary", args=[submission.pk])))
    assert "Resubmit for review" in summary

    response = edna.post(reverse("submissions:submit", args=[submission.pk]))
    assert response.status_code == 302
    second = Attempt.objects.get(submission=submission, number=2)
    assert response.url == reverse("submissions:submitted", args=[submission.pk, 2])
    assert second.responses["evidence"]["balance"].startswith("We now plan together")
    assert second.status in (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


def test_the_reviewer_of_a_resubmission_sees_what_changed_and_the_earlier_feedback(
    attempt, educator, classkick, ck_panel
):
    decide(attempt, classkick, balance="developing")
    submission = Submission.objects.get(pk=attempt.submission_id)
    save(submission, educator, {"evidence.balance": "We now plan together every Tuesday; three teachers rotate."})
    second = attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)
    assignment = next(iter(open_assignments(second).values()))

    page = as_user(assignment.reviewer).get(reverse("reviews:score", args=[assignment.pk]))
    html = text_of(page)

    assert "What changed since attempt 1" in html
    assert "1 answer changed:" in html
    assert '<a href="#f-evidence-balance-answer">Balance</a>' in html
    assert "Changed since attempt 1" in html
    assert attempt.responses["evidence"]["balance"] in html  # attempt 1's text, in a disclosure
    assert "Feedback on attempt 1: did not pass" in words_of(page)
    assert REASONING in html
    for name in ("Edna", "edna@example.org", "Lincoln"):
        assert name not in html


def test_past_the_attempt_limit_the_educator_is_pointed_to_coaching_until_an_admin_grants_another(
    attempt, educator, classkick, issuer_admin
):
    current = attempt
    for number in (1, 2, 3):
        decide(current, classkick, balance="developing")
        if number < 3:
            current = attempt_submit(submission=Submission.objects.get(pk=attempt.submission_id), actor=educator)
    submission = Submission.objects.get(pk=attempt.submission_id)
    assert submission.status == Status.NOT_YET_EARNED
    edna = as_user(educator)

    html = words_of(edna.get(detail_url(current)))
    assert "Decision on attempt 3:" in html
    assert "You have used all 3 attempts" in html
    assert "Revise and resubmit" not in html
    coaching = reverse("catalog:detail", args=[classkick.slug])
    assert f'href="{coaching}' in text_of(edna.get(detail_url(current)))
    assert "Build your practice with the credential's resources" in html
    refused = edna.post(reverse("submissions:submit", args=[submission.pk]), follow=True)
    assert "You have used all 3 attempts" in text_of(refused)
    assert submission.attempts.count() == 3

    attempt_grant_extra(admin=issuer_admin, submission=submission, reason="A family emergency during attempt 3.")
    assert "Revise and resubmit" in text_of(edna.get(detail_url(current)))


def test_an_earned_decision_shows_the_outcome_and_no_resubmission(attempt, educator, classkick):
    decide(attempt, classkick)
    html = words_of(as_user(educator).get(detail_url(attempt)))
    assert "Decision on attempt 1: Earned" in html
    assert "Congratulations: you have earned this credential." in html
    assert "Revise and resubmit" not in html
    assert "Build your practice" not in html


# ----- the lead assessor ---------------------------------------------------------------------------------


def test_the_lead_assessor_is_told_which_criteria_are_disputed_but_not_how_anyone_scored_them(
    educator, educators_rising, er_panel, other_issuer_admin
):
    attempt = submit_attempt(educator, educators_rising)
    assessors = open_assignments(attempt)
    ann, bob = assessors["ann@assessors.example"], assessors["bob@educatorsrising.example"]
    review(ann, educators_rising)
    review(bob, educators_rising, future_collaboration="developing")
    lead = open_assignments(attempt)["lea@educatorsrising.example"]

    page = as_user(er_panel["lea"]).get(reverse("reviews:score", args=[lead.pk]))
    html = text_of(page)

    assert "You are the lead assessor" in html
    assert "disagreed on whether Reflection: collaboration going forward passes" in words_of(page)
    assert "Disputed: your level decides" in html
    assert html.count("Disputed: your level decides") == 1
    bobs_words = scores(educators_rising, future_collaboration="developing")["future_collaboration"]["reasoning"]
    assert bobs_words not in html
    for name in ("Ann Assessor", "Bob Assessor", "Edna", "Lincoln"):
        assert name not in html
