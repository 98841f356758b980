"""The reviewer-agreement page (/issuers/<slug>/reliability/) and its API (/api/v1/issuers/<slug>/reliability):
who may see it and act on it, by persona; the figures and the send-back action; bad filters named; flat
queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from catalog.models import Credential
from core.models import AuditEvent
from reviews.models import Recalibration
from reviews.selectors import calibration_status
from tests.reviews.reliability_panels import decided_attempt, level_of, with_threshold
from tests.submissions.api_client import as_session, as_token

CK = "classkick"
API = f"/api/v1/issuers/{CK}/reliability"


def page(slug: str = CK) -> str:
    return reverse("issuers:reliability", args=[slug])


def send_back_url(credential: Credential, user: User, slug: str = CK) -> str:
    return reverse("issuers:reliability_send_back", args=[slug, credential.slug, user.pk])


@pytest.fixture
def history(classkick: Credential, ck_panel: dict[str, User], make_user: Callable[..., User]) -> dict[str, User]:
    """Three decided attempts on which Sam scores 3 levels under the rest of the panel: Sam is flagged."""
    with_threshold(classkick, severity_beyond=0.75, min_reviews=3)
    version = classkick.current_version
    assert version is not None
    criteria = [c.id for c in version.spec.rubric.criteria]
    past = make_user("past@example.org", "Past Educator")
    for _ in range(3):
        decided_attempt(
            classkick,
            past,
            {p: {c: level_of(version, 1 if key == "sam" else 4) for c in criteria} for key, p in ck_panel.items()},
        )
    return ck_panel


@pytest.mark.parametrize("persona", ["educator", "reviewer", "other_issuer_admin"])
def test_anyone_but_the_issuers_admins_gets_404_and_changes_nothing(
    client: Client, request: pytest.FixtureRequest, persona: str, history: dict[str, User], classkick: Credential
) -> None:
    who = history["sid"] if persona == "reviewer" else request.getfixturevalue(persona)
    client.force_login(who)
    sam = history["sam"]
    assert client.get(page()).status_code == 404
    assert client.post(send_back_url(classkick, sam)).status_code == 404
    for api in (as_session(who), as_token(who)):
        assert api.get(API).status_code == 404
        assert api.post(f"{API}/{classkick.slug}/reviewers/{sam.pk}/send-back").status_code == 404
    assert not Recalibration.objects.exists()
    assert not AuditEvent.objects.filter(action="calibration.sent_back").exists()


def test_anonymous_is_sent_to_sign_in_or_told_401(
    client: Client, history: dict[str, User], classkick: Credential
) -> None:
    response = client.get(page())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(send_back_url(classkick, history["sam"])).status_code == 302
    anonymous = as_session(None)
    assert anonymous.get(API).status_code == 401
    assert anonymous.post(f"{API}/{classkick.slug}/reviewers/{history['sam'].pk}/send-back").status_code == 401
    assert not Recalibration.objects.exists()


def test_the_admin_reads_the_figures_and_sends_a_flagged_reviewer_back(
    client: Client, issuer_admin: User, history: dict[str, User], classkick: Credential
) -> None:
    client.force_login(issuer_admin)
    response = client.get(page())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Agreement per criterion of Collaboration" in html
    assert "Krippendorff" in html
    assert "median of the other panel members" in html
    assert '<th scope="row">Sam Staff</th>' in html
    assert "<strong>Flagged</strong>: \u22123.00 over 3 reviews" in html
    assert 'role="img"' in html  # the drift line, named by its title
    assert html.count("Send back to calibration") == 4  # every calibrated reviewer may be sent back

    sam = history["sam"]
    back = f"{page()}?credential={classkick.slug}"
    response = client.post(send_back_url(classkick, sam), {"back": back}, follow=True)
    assert response.redirect_chain == [(back, 302)]
    html = response.content.decode()
    assert "is sent back through calibration" in html
    assert "not calibrated again yet" in html
    assert html.count("Send back to calibration") == 3
    row = Recalibration.objects.get()
    assert (row.reviewer, row.sent_by, row.severity, row.reviews) == (sam, issuer_admin, -3.0, 3)
    assert not calibration_status(reviewer=sam, credential=classkick).calibrated

    # Pressed again (a second tab): refused with the reason, nothing more recorded.
    response = client.post(send_back_url(classkick, sam), follow=True)
    assert "was not sent back" in response.content.decode()
    assert Recalibration.objects.count() == 1


def test_a_posted_back_address_elsewhere_is_not_followed(
    client: Client, issuer_admin: User, history: dict[str, User], classkick: Credential
) -> None:
    client.force_login(issuer_admin)
    response = client.post(send_back_url(classkick, history["sam"]), {"back": "https://evil.example/"})
    assert response["Location"] == f"{page()}?credential={classkick.slug}"


def test_the_api_gives_the_same_figures_and_sends_back(
    issuer_admin: User, platform_admin: User, history: dict[str, User], classkick: Credential
) -> None:
    api = as_token(issuer_admin)
    body = api.get(f"{API}?credential={classkick.slug}").json()
    assert body["credential"] == classkick.slug
    assert body["threshold"] == {"severity_beyond": 0.75, "min_reviews": 3}
    assert body["attempts"] == 3
    reviewers = {r["email"]: r for r in body["reviewers"]}
    assert reviewers["sam@classkick.example"]["flagged"] is True
    assert reviewers["sam@classkick.example"]["severity"] == -3.0
    assert [c["reading"] for c in body["criteria"]] == ["low"] * len(body["criteria"])
    assert as_session(platform_admin).get(API).status_code == 200

    sam = history["sam"]
    response = api.post(f"{API}/{classkick.slug}/reviewers/{sam.pk}/send-back")
    assert response.status_code == 200
    assert response.json()["reviewer"] == sam.email
    assert Recalibration.objects.get().sent_by == issuer_admin
    again = api.post(f"{API}/{classkick.slug}/reviewers/{sam.pk}/send-back")
    assert again.status_code == 409
    assert "not calibrated" in again.json()["detail"]
    # Someone with no panel review of the credential is not in its figures.
    assert api.post(f"{API}/{classkick.slug}/reviewers/{issuer_admin.pk}/send-back").status_code == 404


def test_bad_filters_are_named_never_a_500(
    client: Client, issuer_admin: User, history: dict[str, User], educators_rising: Credential
) -> None:
    client.force_login(issuer_admin)
    response = client.get(page(), {"credential": educators_rising.slug, "version": "9", "from": "yesterday"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Credential: Is not a credential of Classkick" in html
    assert "Decided from: Enter a date as YYYY-MM-DD" in html
    assert "Collaboration" in html  # the figures are still shown, without those filters
    response = client.get(page(), {"from": "2026-03-02", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "Decided to: Is before From" in response.content.decode()

    api = as_session(issuer_admin)
    refused = api.get(f"{API}?credential={educators_rising.slug}")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "credential"
    refused = api.get(f"{API}?version=9")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "version"
    assert api.get(f"{API}?from=soon").status_code == 422


def test_the_page_takes_the_same_queries_for_few_and_many_attempts(
    client: Client, issuer_admin: User, classkick: Credential, ck_panel: dict[str, User], make_user: Callable[..., Any]
) -> None:
    version = classkick.current_version
    assert version is not None
    criteria = [c.id for c in version.spec.rubric.criteria]
    past = make_user("past@example.org", "Past Educator")
    people = list(ck_panel.values())

    def add(n: int) -> None:
        for i in range(n):
            levels = {p: {c: level_of(version, 1 + (i + j) % 4) for c in criteria} for j, p in enumerate(people)}
            decided_attempt(classkick, past, levels)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page()).status_code == 200
        return len(queries)

    client.force_login(issuer_admin)
    add(2)
    few = count()
    add(40)
    assert count() == few


def test_another_issuers_admin_reads_their_own_and_an_empty_credential_says_so(
    client: Client, other_issuer_admin: User, educators_rising: Credential
) -> None:
    client.force_login(other_issuer_admin)
    response = client.get(reverse("issuers:reliability", args=[educators_rising.issuer.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No panel review of a decided Collaboration attempt yet" in html
    assert "sets no threshold for recalibration" in html
    assert html.count("Not enough data") >= len(educators_rising.current_version.spec.rubric.criteria)  # type: ignore[union-attr]
