"""One submission per credential at a time: a second start is refused while one is open (whatever state it
is in, the two ways of closing without earning included) and once earned, unless the definition allows a
renewal and its time has come. Service, API and pages refuse alike."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from core.errors import InvalidState
from submissions.errors import StartRefused
from submissions.models import Attempt, Draft, EventKind, Status, Submission
from submissions.services import attempt_transition, attempt_withdraw, submission_start, submission_start_refusal
from tests.submissions.api_client import as_session
from tests.submissions.conftest import load_fixture
from tests.submissions.helpers import complete_portfolio, save
from workflow.services import attempt_submit

RENEWABLE = {"review_policy:\n": "renewal:\n  allowed: true\n  after_days: 30\nreview_policy:\n"}


def _refusal(educator: User, credential: Credential) -> StartRefused:
    with pytest.raises(StartRefused) as refused:
        submission_start(educator=educator, credential=credential)
    assert refused.value.status_code == 409
    return refused.value


def _submitted(submission: Submission, educator: User) -> Attempt:
    complete_portfolio(submission, educator)
    return attempt_submit(submission=submission, actor=educator)


def _earned(submission: Submission, educator: User) -> Attempt:
    attempt = _submitted(submission, educator)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.EARNED)
    return attempt


def _to(state: str, submission: Submission, educator: User) -> None:
    """Move a fresh draft of the Practice Portfolio to `state` through the real services."""
    if state == "draft":
        return
    attempt = _submitted(submission, educator)
    if state == "withdrawn":
        attempt_withdraw(attempt=attempt, actor=educator)
    elif state == "returned_incomplete":
        attempt_transition(attempt=attempt, actor=None, kind=EventKind.RETURNED_INCOMPLETE)
    elif state in ("in_review", "not_yet_earned"):
        attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
        if state == "not_yet_earned":
            attempt_transition(attempt=attempt, actor=None, kind=EventKind.NOT_YET_EARNED)


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ("draft", "a submission in progress for “Practice Portfolio” by North Academy: continue it"),
        ("submitted", "that is submitted: follow it"),
        ("in_review", "that is in review: follow it"),
        # The two ways work closes without earning leave the same draft open to revise: continue that one.
        ("withdrawn", "in progress for “Practice Portfolio” by North Academy: continue it"),
        ("not_yet_earned", "in progress for “Practice Portfolio” by North Academy: continue it"),
        ("returned_incomplete", "in progress for “Practice Portfolio” by North Academy: continue it"),
    ],
)
def test_a_second_start_is_refused_while_a_submission_is_open_in_any_state(draft, educator, portfolio, state, says):
    _to(state, draft, educator)
    refusal = _refusal(educator, portfolio)
    assert (refusal.submission, refusal.reason) == (draft, "open")
    assert says in refusal.message
    assert f"(submission {draft.pk})" in refusal.message
    assert Submission.objects.filter(educator=educator, credential=portfolio).count() == 1


def test_with_the_attempt_limit_used_up_a_fresh_start_cannot_reset_it(draft, educator, portfolio):
    # The Practice Portfolio allows two judged attempts; both were not yet earned.
    _to("not_yet_earned", draft, educator)
    save(draft, educator, {"plan.narrative": "Revised after the reviewers' feedback."})
    second = attempt_submit(submission=draft, actor=educator)
    attempt_transition(attempt=second, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=second, actor=None, kind=EventKind.NOT_YET_EARNED)
    with pytest.raises(InvalidState, match="used all 2 attempts"):
        attempt_submit(submission=draft, actor=educator)
    refusal = _refusal(educator, portfolio)
    assert (refusal.submission, refusal.reason) == (draft, "open")


def test_an_earned_credential_without_renewal_is_not_started_again(draft, educator, portfolio):
    _earned(draft, educator)
    refusal = _refusal(educator, portfolio)
    assert (refusal.submission, refusal.reason, refusal.renew_from) == (draft, "earned", None)
    assert refusal.message == (
        "You have already earned “Practice Portfolio” by North Academy: view your badge from your dashboard. "
        "This credential is earned once; it offers no renewal."
    )
    assert portfolio.current_version.spec.renewal.allowed is False  # the default


def test_a_definition_may_allow_renewal_once_its_days_have_passed(draft, educator, portfolio):
    attempt = _earned(draft, educator)
    renewable = load_fixture("practice-portfolio", replace=RENEWABLE)  # a new version that allows renewal
    earned_on = timezone.localdate(attempt.status_changed_at)
    refusal = _refusal(educator, renewable)
    renew_from = earned_on + timedelta(days=30)
    assert (refusal.reason, refusal.renew_from) == ("earned", renew_from)
    assert f"you can renew it from {renew_from.day} {renew_from:%B %Y}" in refusal.message

    Attempt.objects.filter(pk=attempt.pk).update(status_changed_at=attempt.status_changed_at - timedelta(days=30))
    assert submission_start_refusal(educator=educator, credential=renewable) is None
    renewal, _ = submission_start(educator=educator, credential=renewable)
    assert renewal != draft
    assert (renewal.status, renewal.version) == (Status.STARTED, renewable.current_version)
    draft.refresh_from_db()
    assert (draft.status, draft.is_open) == (Status.EARNED, False)  # the earned one stays as it was
    # The renewal is itself one submission at a time.
    assert _refusal(educator, renewable).submission == renewal


# ----- the API --------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_second_start_and_an_earned_one_with_409(educator, educator2, portfolio):
    api = as_session(educator)
    first = api.post("", {"credential": "practice-portfolio"})
    assert first.status_code == 201
    again = api.post("", {"credential": "practice-portfolio"})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "You already have a submission in progress for “Practice Portfolio” by North Academy: continue it "
        f"(submission {first.json()['id']}) rather than start another."
    )
    _earned(Submission.objects.get(pk=first.json()["id"]), educator)
    earned = api.post("", {"credential": "practice-portfolio"})
    assert earned.status_code == 409
    assert "You have already earned “Practice Portfolio”" in earned.json()["detail"]
    # Someone else's start is theirs alone.
    assert as_session(educator2).post("", {"credential": "practice-portfolio"}).status_code == 201


def test_the_api_starts_a_renewal_when_the_definition_allows_it(draft, educator, portfolio):
    _earned(draft, educator)
    # Renewal allowed with no waiting time (after_days defaults to 0).
    renewable = load_fixture(
        "practice-portfolio", replace={"review_policy:\n": "renewal:\n  allowed: true\nreview_policy:\n"}
    )
    response = as_session(educator).post("", {"credential": renewable.slug})
    assert response.status_code == 201
    assert response.json()["id"] != draft.pk
    assert response.json()["status"] == "started"


# ----- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client: Client, educator: User) -> Client:
    client.force_login(educator)
    return client


def _text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_page_refuses_a_second_start_with_a_link_to_the_submission_to_follow(signed_in, draft, educator):
    _to("submitted", draft, educator)
    response = signed_in.post(reverse("submissions:start", args=["practice-portfolio"]))
    assert response.status_code == 409
    assert "You cannot start this again" in _text(response)
    assert "that is submitted: follow it" in _text(response)
    detail = reverse("submissions:detail", args=[draft.pk])
    assert f'<a class="button" href="{detail}">See your submission (submitted)</a>' in response.content.decode()
    page = signed_in.get(reverse("catalog:detail", args=["practice-portfolio"])).content.decode()
    assert f'<a class="button" href="{detail}">See your submission (submitted)</a>' in page
    assert "Start this" not in page


def test_an_earned_credential_shows_earned_and_a_second_start_is_refused(signed_in, draft, educator):
    _earned(draft, educator)  # no badge yet: it is issued after the decision commits
    page = signed_in.get(reverse("catalog:detail", args=["practice-portfolio"])).content.decode()
    detail = reverse("submissions:detail", args=[draft.pk])
    assert f'<a class="button" href="{detail}">Earned — see your submission</a>' in page
    assert "Start this" not in page
    assert "Renew this" not in page
    response = signed_in.post(reverse("submissions:start", args=["practice-portfolio"]))
    assert response.status_code == 409
    assert "You have already earned “Practice Portfolio” by North Academy" in _text(response)
    assert Submission.objects.filter(educator=educator).count() == 1


def test_a_renewable_credential_offers_renewal_beside_earned_when_its_time_has_come(signed_in, draft, educator):
    attempt = _earned(draft, educator)
    load_fixture("practice-portfolio", replace=RENEWABLE)
    page = signed_in.get(reverse("catalog:detail", args=["practice-portfolio"])).content.decode()
    renew_from = timezone.localdate(attempt.status_changed_at) + timedelta(days=30)
    assert f"You can renew it from {renew_from.day} {renew_from:%B %Y}." in page
    assert "Renew this" not in page
    Attempt.objects.filter(pk=attempt.pk).update(status_changed_at=attempt.status_changed_at - timedelta(days=31))
    page = signed_in.get(reverse("catalog:detail", args=["practice-portfolio"])).content.decode()
    assert "Earned — see your submission" in page
    assert '<button type="submit">Renew this micro-credential</button>' in page
    response = signed_in.post(reverse("submissions:start", args=["practice-portfolio"]))
    renewal = Submission.objects.get(educator=educator, is_open=True)
    assert response.status_code == 302
    assert renewal != draft


def test_the_dashboard_lists_each_credential_once_preferring_the_open_submission(signed_in, draft, educator, portfolio):
    _earned(draft, educator)
    # A second submission beside the earned one, as the start used to allow (or a renewal): one row, the open one.
    again = Submission.objects.create(educator=educator, credential=portfolio, version=portfolio.current_version)
    Draft.objects.create(submission=again)
    response = signed_in.get(reverse("accounts:dashboard"))
    assert response.content.decode().count('<th scope="row">') == 1
    assert "Practice Portfolio by North Academy Started" in _text(response)
    Submission.objects.filter(pk=again.pk).delete()
    response = signed_in.get(reverse("accounts:dashboard"))
    assert response.content.decode().count('<th scope="row">') == 1
    assert "Practice Portfolio by North Academy Earned" in _text(response)
