"""The appeal pages: who reaches them (every persona), the form's refusals naming their field, the window's
message, the link on the attempt page, the reasons on the fresh reviewer's scoring page and the appeal on the
admins' record page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Appeal, Assignment, Decision, SeatRole
from tests.appeals.conftest import CONTESTED, REASON
from tests.reviews.helpers import review
from workflow.services import appeal_request

PERSONAS = [
    ("anonymous", 302),
    ("owner", 200),
    ("other_educator", 404),
    ("panel_reviewer", 404),
    ("fresh_reviewer", 404),
    ("issuer_admin", 404),
    ("other_issuer_admin", 404),
    ("platform_admin", 404),
]


@pytest.fixture
def personas(educator, educator2, ck_panel, fresh, issuer_admin, other_issuer_admin, platform_admin):
    return {
        "anonymous": None,
        "owner": educator,
        "other_educator": educator2,
        "panel_reviewer": ck_panel["sam"],
        "fresh_reviewer": fresh,
        "issuer_admin": issuer_admin,
        "other_issuer_admin": other_issuer_admin,
        "platform_admin": platform_admin,
    }


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_only_the_owner_reaches_the_appeal_form_and_its_status(decided, personas, educator):
    form_url = reverse("appeals:request", args=[decided.pk])
    for name, expected in PERSONAS:
        response = _client(personas[name]).get(form_url)
        assert response.status_code == expected, name
        if name == "anonymous":
            assert "login" in response["Location"]
        if name != "owner":  # and nobody but the owner can post one
            assert _client(personas[name]).post(form_url, {f"reason_{CONTESTED}": REASON}).status_code == expected
    assert not Appeal.objects.exists()
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    status_url = reverse("appeals:status", args=[appeal.pk])
    for name, expected in PERSONAS:
        response = _client(personas[name]).get(status_url)
        assert response.status_code == expected, name
    # The owner's form now leads to the appeal made.
    assert _client(educator).get(form_url)["Location"] == status_url


def test_the_form_names_each_problem_and_sends_the_appeal(decided, educator, fresh):
    client = _client(educator)
    url = reverse("appeals:request", args=[decided.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Your reason for contesting Balance" in page.content
    assert b"Your reason for contesting Analysis" not in page.content  # it passed
    empty = client.post(url, {f"reason_{CONTESTED}": ""})
    assert empty.status_code == 422
    assert b"Contest at least one criterion" in empty.content
    short = client.post(url, {f"reason_{CONTESTED}": "It was fine"})
    assert short.status_code == 422
    text = short.content.decode()
    assert "Your reason for contesting Balance: Your reason for Balance has 3 words: write at least 5 words" in text
    assert "It was fine" in text  # what was typed is kept
    sent = client.post(url, {f"reason_{CONTESTED}": REASON}, follow=True)
    appeal = Appeal.objects.get()
    assert sent.redirect_chain[-1][0] == reverse("appeals:status", args=[appeal.pk])
    assert b"Your appeal is sent" in sent.content
    assert b"A reviewer who did not score your attempt before is reviewing it now." in sent.content


def test_a_closed_window_is_refused_with_its_date(decided, educator):
    window = decided.version.spec.review_policy.appeals.window_days
    Decision.objects.filter(attempt=decided).update(decided_at=timezone.now() - timedelta(days=window + 1))
    client = _client(educator)
    url = reverse("appeals:request", args=[decided.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f"The window to appeal closed {window} days after the decision".encode() in page.content
    assert b"Send my appeal" not in page.content
    refused = client.post(url, {f"reason_{CONTESTED}": REASON})
    assert refused.status_code == 409
    assert not Appeal.objects.exists()
    # The attempt page no longer offers it.
    attempt_page = client.get(reverse("submissions:attempt", args=[decided.submission_id, decided.number]))
    assert b"Appeal this decision" not in attempt_page.content


def test_the_feedback_links_to_the_form_then_the_appeal(decided, educator, fresh):
    client = _client(educator)
    pages = [
        reverse("submissions:attempt", args=[decided.submission_id, decided.number]),
        reverse("submissions:detail", args=[decided.submission_id]),
    ]
    for url in pages:
        assert f'href="{reverse("appeals:request", args=[decided.pk])}"' in client.get(url).content.decode()
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    for url in pages:
        page = client.get(url).content.decode()
        assert f'href="{reverse("appeals:status", args=[appeal.pk])}"' in page
        assert "Appeal: Open" in page


def test_the_fresh_reviewer_reads_the_reasons_anonymised_and_reaches_the_files(decided, educator, fresh, ck_panel):
    identifying = "As Edna Educator at Lincoln High School I showed both teachers sharing every station equally."
    appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: identifying})
    assignment = Assignment.objects.get(attempt=decided, seat__role=SeatRole.APPEAL)
    page = _client(fresh).get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert "You are reviewing an appeal" in page
    assert "Contested: Balance" in page
    assert "sharing every station equally" in page
    assert "Edna" not in page
    assert "Lincoln" not in page
    assert "no longer available to reviewers" not in page  # the decided attempt's files are open to them
    sams = Assignment.objects.get(attempt=decided, reviewer=ck_panel["sam"])
    theirs = _client(ck_panel["sam"]).get(reverse("reviews:score", args=[sams.pk])).content.decode()
    assert "You are reviewing an appeal" not in theirs
    assert "sharing every station" not in theirs


def test_the_record_page_shows_the_appeal_to_the_issuers_admins(
    decided, educator, fresh, issuer_admin, platform_admin, other_issuer_admin
):
    appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    url = reverse("reviews:attempt_record", args=[decided.pk])
    for admin in (issuer_admin, platform_admin):
        page = _client(admin).get(url).content.decode()
        assert 'id="appeal-record-title"' in page
        assert "Zoe Fresh" in page
        assert REASON in page
        assert "Appeal requested" in page or "appeal.requested" in page
    assert _client(other_issuer_admin).get(url).status_code == 404


def test_after_an_upheld_appeal_the_feedback_says_why_it_reads_not_yet_under_earned(
    decided, educator, classkick, fresh, django_capture_on_commit_callbacks
):
    url = reverse("submissions:attempt", args=[decided.submission_id, decided.number])
    appeal = appeal_request(attempt=decided, educator=educator, reasons={CONTESTED: REASON})
    assert "Your appeal was upheld" not in _client(educator).get(url).content.decode()
    assignment = Assignment.objects.get(attempt=decided, seat__role=SeatRole.APPEAL)
    with django_capture_on_commit_callbacks(execute=True):
        review(assignment, classkick)  # the fresh reviewer passes every criterion
    page = _client(educator).get(url).content.decode()
    assert "Your appeal was upheld" in page
    assert f'href="{reverse("appeals:status", args=[appeal.pk])}"' in page
    assert "not yet" in page  # the panel's first scoring is still shown, now explained
