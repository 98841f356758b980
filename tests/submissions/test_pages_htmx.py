"""The step views answering htmx: the same views and templates as the pages without JavaScript, answering with the
step's form alone (request.htmx), so a button's action is shown in place. The browser tests drive the same paths
in Chromium; these pin what the server answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.models import Credential
from submissions.models import Draft, Submission
from submissions.services import submission_start
from tests.submissions.helpers import save
from tests.submissions.test_pages import form_values, hidden_inputs, part_url

HTMX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(client: Client, educator: User) -> Client:
    client.force_login(educator)
    return client


@pytest.fixture
def ck_draft(educator: User, classkick: Credential) -> Submission:
    return submission_start(educator=educator, credential=classkick)[0]


@pytest.fixture
def er_draft(educator: User, educators_rising: Credential) -> Submission:
    return submission_start(educator=educator, credential=educators_rising)[0]


def htmx_post(client: Client, url: str, values: dict[str, Any], *, action: str = "save") -> Any:
    page = client.get(url).content.decode()
    return client.post(url, {**form_values(page), **values, "action": action}, headers=HTMX)


def test_a_step_asked_for_by_htmx_is_its_form_alone_and_a_cache_keeps_the_two_apart(signed_in, ck_draft):
    url = part_url(ck_draft, "method")
    response = signed_in.get(url, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form")
    assert "<html" not in html
    assert 'id="step-form"' in html
    assert "HX-Request" in response["Vary"]
    assert "<html" in signed_in.get(url).content.decode()


def test_saving_through_htmx_draws_the_form_again_saved_and_says_so(signed_in, ck_draft):
    url = part_url(ck_draft, "method")
    response = htmx_post(signed_in, url, {"method.method": "feedback"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="saved">Saved</p>' in html
    assert '<p id="announcer" hx-swap-oob="innerHTML">Step 1 is saved.</p>' in html
    draft = Draft.objects.get(pk=ck_draft.pk)
    assert draft.responses["method"] == {"method": "feedback"}
    assert hidden_inputs(html)["revision"] == str(draft.revision)


def test_going_on_through_htmx_is_a_client_redirect_to_the_next_step(signed_in, ck_draft):
    response = htmx_post(signed_in, part_url(ck_draft, "method"), {}, action="next")
    assert response.status_code == 200
    assert response["HX-Redirect"] == part_url(ck_draft, "evidence")


def test_a_new_entry_is_drawn_in_place_with_the_cursor_in_it(signed_in, er_draft):
    response = htmx_post(signed_in, part_url(er_draft, "artifacts"), {}, action="add_entry:artifacts.planning_log")
    html = response.content.decode()
    # The three blank entries shown stay, so the new one is the fourth, as "Add another" promised.
    assert 'data-focus="f-artifacts-planning_log-4-held_on"' in html
    assert ">Planning interaction 4 added.</p>" in html
    assert len(Draft.objects.get(pk=er_draft.pk).responses["artifacts"]["planning_log"]) == 4


def test_a_stale_autosave_has_both_versions_drawn_and_nothing_saved(signed_in, educator, ck_draft):
    url = part_url(ck_draft, "evidence")
    page = signed_in.get(url).content.decode()
    save(ck_draft, educator, {"evidence.explanation": "Saved in the other tab."})
    revision = Draft.objects.get(pk=ck_draft.pk).revision
    response = signed_in.post(
        url,
        {
            **form_values(page),
            "evidence.explanation": "Typed here.",
            "action": "show_conflicts",
            "conflicted": "evidence.explanation",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This draft changed in another tab or device" in html
    assert "Typed here." in html
    assert "Saved in the other tab." in html
    assert 'data-state="conflict">Not saved — this answer changed in another tab</p>' in html
    assert hidden_inputs(html)["revision"] == str(revision)
    assert Draft.objects.get(pk=ck_draft.pk).revision == revision


def test_an_answer_no_longer_different_is_no_conflict(signed_in, educator, ck_draft):
    save(ck_draft, educator, {"evidence.explanation": "The same everywhere."})
    values = {"evidence.explanation": "The same everywhere.", "conflicted": "evidence.explanation"}
    response = htmx_post(signed_in, part_url(ck_draft, "evidence"), values, action="show_conflicts")
    assert response.status_code == 200
    assert "This draft changed in another tab or device" not in response.content.decode()


def test_checking_through_htmx_draws_the_results_in_the_step(signed_in, ck_draft):
    response = htmx_post(signed_in, part_url(ck_draft, "method"), {}, action="check")
    html = response.content.decode()
    assert '<section id="check-results"' in html
    assert "need to be fixed before you can submit" in html
    summary = signed_in.get(reverse("submissions:check", args=[ck_draft.pk]) + "?from=summary", headers=HTMX)
    assert summary.content.decode().lstrip().startswith('<section id="check-results"')


def test_an_ended_session_sends_htmx_to_sign_in_as_a_whole_page(client, ck_draft):
    response = client.post(part_url(ck_draft, "method"), {"action": "save"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?next=")
