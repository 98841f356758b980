"""The confirmation pages by persona: the educator's page for one entry (`attestations:ask`, the draft's owner
only) and the collaborator's page behind the emailed link (`attestations:answer`, whoever holds the link, never the
educator), with the step's panel; what the collaborator is shown, and bad input answered beside its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerRole, User
from catalog.models import Credential
from notifications.models import Email
from submissions.attestations import attestation_link_get
from submissions.models import Attestation, Submission
from submissions.services import attestation_answer
from tests.attestations.conftest import DANA, LOG, ask, entry_id, log
from tests.conftest import reviewer_role_give
from tests.submissions.helpers import save

PERSONAS = ["anonymous", "educator2", "reviewer", "other_issuer_admin", "issuer_admin", "platform_admin"]


@pytest.fixture
def reviewer(make_user: Callable[..., User], educators_rising: Credential) -> User:
    user = make_user("rex@assessors.example", "Rex Reviewer")
    reviewer_role_give(user, educators_rising.issuer, ReviewerRole.Kind.MENTOR, ["middle_school"])
    return user


def as_persona(client: Client, request: pytest.FixtureRequest, persona: str) -> Client:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def ask_url(submission: Submission, position: int = 1) -> str:
    return reverse("attestations:ask", args=[submission.pk, LOG, entry_id(submission, position)])


def answer_url(token: str) -> str:
    return reverse("attestations:answer", args=[token])


# ----- the educator's page -------------------------------------------------------------------------------


def test_the_owner_sees_what_the_collaborator_will_see_and_asks(client, er_draft, educator):
    client.force_login(educator)
    page = client.get(ask_url(er_draft, 2))
    assert page.status_code == 200
    assert b"Ask your collaborator to confirm Planning interaction 2" in page.content
    assert b"Not asked yet" in page.content

    response = client.post(ask_url(er_draft, 2), {"email": DANA})

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{er_draft.pk}/parts/artifacts/#attestations"
    assert Email.objects.filter(to=DANA).count() == 1
    step = client.get(response["Location"])
    assert b"Confirmation by your collaborators" in step.content
    assert f"We emailed {DANA} on".encode() in step.content
    assert b"Waiting for an answer" in step.content


def test_a_bad_address_is_named_beside_its_field_and_nothing_is_sent(client, er_draft, educator):
    client.force_login(educator)
    response = client.post(ask_url(er_draft), {"email": "dana at school"})
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert b"Enter an email address in the form name@example.org." in response.content
    too_soon = client.post(ask_url(er_draft), {"email": DANA}), client.post(ask_url(er_draft), {"email": DANA})
    assert too_soon[1].status_code == 429
    assert b"give them time to open it" in too_soon[1].content
    assert Email.objects.filter(to=DANA).count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_owner_may_open_or_post_the_ask_page(client, request, persona, er_draft):
    as_persona(client, request, persona)
    url = ask_url(er_draft)
    got, posted = client.get(url), client.post(url, {"email": DANA})
    if persona == "anonymous":
        assert (got.status_code, posted.status_code) == (302, 302)
        assert got["Location"].startswith(reverse("accounts:login"))
    else:
        assert (got.status_code, posted.status_code) == (404, 404)
    assert not Attestation.objects.exists()
    assert not Email.objects.filter(to=DANA).exists()


def test_an_entry_that_is_not_in_the_draft_sends_the_owner_back(client, er_draft, educator):
    client.force_login(educator)
    url = reverse("attestations:ask", args=[er_draft.pk, LOG, "no-such-entry"])
    assert client.get(url).status_code == 302
    assert client.post(url, {"email": DANA}).status_code == 302
    assert not Attestation.objects.exists()


# ----- the collaborator's page ----------------------------------------------------------------------------


def test_the_collaborator_sees_only_the_entry_and_the_educators_name(client, er_draft, educator):
    token = ask(er_draft, educator, 2)
    page = client.get(answer_url(token))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirm a planning conversation for Edna Educator" in text
    entry = log(er_draft)[1]
    assert entry["ideas"] in text
    assert "An expert or educator mentor" in text
    # Not shown: the items the definition leaves out, and anything else of the draft.
    assert entry["with_whom"] not in text
    assert "Did these ideas go into your lesson plan?" not in text
    assert "Collaborative Narrative" not in text
    assert "Lesson Plan" not in text
    assert "edna@example.org" not in text
    assert "Lincoln High" not in text


def test_the_collaborator_answers_once_with_a_clear_message_for_each_problem(client, er_draft, educator):
    token = ask(er_draft, educator, 1)
    seen = attestation_link_get(token=token).digest
    missing = client.post(answer_url(token), {"seen": seen})
    assert missing.status_code == 422
    assert b"Choose whether you confirm this entry." in missing.content
    long = client.post(answer_url(token), {"seen": seen, "answer": "confirm", "note": "x" * 1001})
    assert long.status_code == 422
    assert b"Shorten your note to 1000 characters or fewer." in long.content

    done = client.post(answer_url(token), {"seen": seen, "answer": "confirm", "note": "We met."})

    assert done.status_code == 200
    assert b"Your answer is recorded: you confirmed the entry." in done.content
    assert Attestation.objects.get().state == "confirmed"
    again = client.get(answer_url(token))
    assert again.status_code == 410
    assert b"the link works only once" in again.content


def test_an_entry_changed_under_the_collaborator_is_shown_again(client, er_draft, educator):
    token = ask(er_draft, educator, 1)
    seen = attestation_link_get(token=token).digest
    entries = log(er_draft)
    entries[0]["ideas"] = "A better idea written later."
    save(er_draft, educator, {LOG: entries})

    response = client.post(answer_url(token), {"seen": seen, "answer": "confirm"})

    assert response.status_code == 409
    assert b"The entry changed while you were reading it" in response.content
    assert b"A better idea written later." in response.content
    assert Attestation.objects.get().state == "waiting"


@pytest.mark.parametrize("persona", PERSONAS)
def test_whoever_holds_the_link_may_answer_but_not_the_educator(client, request, persona, er_draft, educator):
    token = ask(er_draft, educator, 1)
    seen = attestation_link_get(token=token).digest
    as_persona(client, request, persona)
    assert client.get(answer_url(token)).status_code == 200
    assert client.post(answer_url(token), {"seen": seen, "answer": "decline"}).status_code == 200
    assert Attestation.objects.get().state == "declined"


def test_the_educator_may_not_answer_their_own_request(client, er_draft, educator):
    token = ask(er_draft, educator, 1)
    client.force_login(educator)
    assert client.get(answer_url(token)).status_code == 403
    seen = attestation_link_get(token=token).digest
    assert client.post(answer_url(token), {"seen": seen, "answer": "confirm"}).status_code == 403
    assert Attestation.objects.get().state == "waiting"


@pytest.mark.parametrize("kind", ["wrong", "used", "expired", "short"])
def test_a_link_that_does_not_work_says_why_and_records_nothing(client, er_draft, educator, kind: str):
    token = ask(er_draft, educator, 1)
    expected: dict[str, Any] = {"wrong": 404, "used": 410, "expired": 410, "short": 404}
    if kind == "used":
        attestation_answer(token=token, confirm=True, note="", seen=attestation_link_get(token=token).digest)
    if kind == "expired":
        Attestation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    url = {"wrong": answer_url("A" * 43), "short": "/confirm/abc/"}.get(kind, answer_url(token))
    before = Attestation.objects.get().state
    assert client.get(url).status_code == expected[kind]
    assert client.post(url, {"seen": "x", "answer": "decline"}).status_code == expected[kind]
    assert Attestation.objects.get().state == before


def test_the_step_panel_reads_its_entries_in_flat_queries(client, er_draft, educator):
    client.force_login(educator)
    step = reverse("submissions:part", args=[er_draft.pk, "artifacts"])

    def asked_of_each(count: int) -> int:
        entries = log(er_draft)
        entries = (entries * 10)[:count]
        save(er_draft, educator, {LOG: [{k: v for k, v in e.items() if k != "id"} for e in entries]})
        Attestation.objects.all().delete()
        now = timezone.now()
        for entry in log(er_draft):
            Attestation.objects.create(
                submission=er_draft,
                field_ref=LOG,
                entry_id=entry["id"],
                email=f"{entry['id']}@school.example",
                token_digest=entry["id"] * 2,
                expires_at=now + timedelta(days=1),
            )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(step)
        assert page.content.decode().count("Waiting for an answer") == count
        return len(queries)

    client.get(step)  # the session's first request does its own writes
    assert asked_of_each(3) == asked_of_each(25)
