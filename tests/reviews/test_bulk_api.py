"""The bulk actions in the API (/api/v1/issuers/<slug>/bulk): the same services and permissions as the pipeline's
pages; bad input is a 422 naming the field, a list holding another issuer's attempt a 404 with nothing done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Credential
from reviews.models import Assignment, AssignmentState
from tests.reviews.helpers import submit_attempt
from tests.submissions.api_client import as_session, as_token

API = "/api/v1/issuers/classkick/bulk"


@pytest.fixture
def two(educator, educator2, classkick, ck_panel, issuer_admin):
    return [submit_attempt(educator, classkick), submit_attempt(educator2, classkick)]


def _due(attempts):
    return dict(Assignment.objects.filter(attempt__in=attempts, state=AssignmentState.OPEN).values_list("pk", "due_at"))


def test_an_admin_extends_the_deadline_of_the_chosen_attempts(two, issuer_admin):
    before = _due(two)
    response = as_session(issuer_admin).post(API, {"action": "extend", "attempts": [a.pk for a in two], "days": 10})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applied"], body["done"], body["refused"]) == (True, 8, 0)
    assert {line["reviewer"] for line in body["lines"]} == {"Sam Staff", "Sid Staff", "Mia Mentor", "Max Mentor"}
    assert all(_due(two)[pk] - due == timedelta(days=10) for pk, due in before.items())


def test_a_preview_changes_nothing(two, issuer_admin):
    before = _due(two)
    response = as_token(issuer_admin).post(API, {"action": "remind", "attempts": [two[0].pk], "preview": True})
    assert response.status_code == 200
    assert (response.json()["applied"], response.json()["done"]) == (False, 4)
    assert _due(two) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "extend", "attempts": [], "days": 5}, "attempts"),
        ({"action": "extend", "days": 61}, "days"),
        ({"action": "extend", "days": 0}, "days"),
        ({"action": "extend"}, "days"),
        ({"action": "shout"}, "action"),
        ({"action": "reassign", "reason": "away"}, "to_reviewer"),
        ({"action": "reassign", "to_reviewer": "sid@classkick.example"}, "reason"),
        ({"action": "remind", "attempts": ["one"]}, "attempts.0"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(two, issuer_admin, body, field):
    payload = {"attempts": [two[0].pk], **body}
    response = as_session(issuer_admin).post(API, payload)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_list_holding_another_issuers_attempt_is_refused_whole_with_404(two, issuer_admin, make_user, er_panel):
    teacher = make_user("faye@example.org", "Faye", email_verified_at=timezone.now())
    foreign = submit_attempt(teacher, Credential.objects.get(slug="educators-rising-collaboration"))
    before = _due(two)
    response = as_session(issuer_admin).post(API, {"action": "extend", "attempts": [two[0].pk, foreign.pk], "days": 5})
    assert response.status_code == 404
    assert _due(two) == before


@pytest.mark.parametrize("who", ["other_issuer_admin", "educator"])
def test_anyone_but_the_issuers_admins_gets_404(two, who, request):
    response = as_session(request.getfixturevalue(who)).post(
        API, {"action": "extend", "attempts": [two[0].pk], "days": 5}
    )
    assert response.status_code == 404


def test_a_reviewer_gets_404(two, ck_panel):
    response = as_session(ck_panel["sam"]).post(API, {"action": "remind", "attempts": [two[0].pk]})
    assert response.status_code == 404


def test_anonymous_gets_401(two):
    assert as_session(None).post(API, {"action": "remind", "attempts": [two[0].pk]}).status_code == 401
