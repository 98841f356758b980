"""Signing off draft markers: the list, the confirmation, the POST, who and when, the audit row, the draft it
starts, the publish hook; and who may do it, by persona, on the pages and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from authoring.markers import markers_list
from authoring.models import CredentialDraft, MarkerSignoff
from authoring.services.drafts import draft_publish
from authoring.services.signoff import marker_signoff
from catalog.models import Credential
from core.errors import InvalidInput
from core.models import AuditEvent
from tests.catalog.catalog_helpers import Html, text_of

CK = "classkick"
RULE = "review_policy.draft_fields.grace_days"


def url(name: str, credential: Credential) -> str:
    return reverse(f"authoring:{name}", args=[credential.issuer.slug, credential.slug])


def signoff_url(credential: Credential, marker: str = RULE) -> str:
    return url("marker_signoff", credential) + f"?marker={marker}"


@pytest.fixture
def reviewer(reviewer_staff: User) -> User:
    return reviewer_staff


@pytest.mark.parametrize("persona", ["educator", "reviewer", "other_issuer_admin"])
def test_anyone_but_the_issuers_admins_gets_404_and_signs_off_nothing(client, request, persona, classkick):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("markers", classkick)).status_code == 404
    assert client.get(signoff_url(classkick)).status_code == 404
    assert client.post(url("marker_signoff", classkick), {"marker": RULE}).status_code == 404
    assert not MarkerSignoff.objects.exists()
    assert not CredentialDraft.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, classkick):
    for response in (
        client.get(url("markers", classkick)),
        client.get(signoff_url(classkick)),
        client.post(url("marker_signoff", classkick), {"marker": RULE}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not MarkerSignoff.objects.exists()


def test_another_issuers_credential_is_not_reached_through_ones_own_issuer(client, issuer_admin, educators_rising):
    client.force_login(issuer_admin)
    address = reverse("authoring:markers", args=[CK, educators_rising.slug])
    assert client.get(address).status_code == 404


def test_the_list_shows_every_open_marker_with_a_sign_off_link(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    page = Html(client.get(url("markers", classkick)).content)
    expected = markers_list(classkick.current_version.definition)
    rows = page.all("table.markers tbody tr")
    assert [text_of(row.query("th")) for row in rows] == [m.label for m in expected]
    assert all("Open" in text_of(row) for row in rows)
    assert page.texts("table.markers th[scope=col]")[:3] == ["Marker", "Where in the definition", "Status"]
    links = page.all("table.markers a")
    assert links[0].etree_element.get("aria-label") == f"Sign off: {expected[0].label}"


def test_signing_off_confirms_first_then_records_who_and_when_and_leaves_the_draft(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    confirm = client.get(signoff_url(classkick))
    assert confirm.status_code == 200
    assert "Review policy: grace days" in text_of(Html(confirm.content).one("h1"))
    assert not CredentialDraft.objects.exists()  # looking changes nothing

    response = client.post(url("marker_signoff", classkick), {"marker": RULE})
    assert response.status_code == 302
    assert response.url == url("markers", classkick)

    signoff = MarkerSignoff.objects.get()
    assert (signoff.marker, signoff.signed_by, signoff.published_version) == (RULE, issuer_admin, None)
    draft = CredentialDraft.objects.get(credential=classkick)
    assert draft.revision == 2
    assert draft.updated_by == issuer_admin
    assert "grace_days" not in draft.definition["review_policy"]["draft_fields"]
    assert "due_days" in draft.definition["review_policy"]["draft_fields"]
    event = AuditEvent.objects.get(action="credential.marker_signed_off")
    assert (event.actor, event.subject_id, event.issuer_id) == (issuer_admin, classkick.pk, classkick.issuer_id)
    assert event.data["marker"] == RULE

    page = Html(client.get(response.url).content)
    assert RULE not in page.texts("table.markers td code")[: len(markers_list(draft.definition))]
    signed = [text_of(row) for row in page.all("#signed-caption ~ tbody tr")]
    assert len(signed) == 1
    assert "Ada Admin" in signed[0]
    assert "leaves the pages when it is published" in signed[0]
    assert "Signed off: Review policy: grace days" in page.text


def test_a_marker_already_signed_off_is_refused_with_a_message(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    client.post(url("marker_signoff", classkick), {"marker": RULE})
    response = client.post(url("marker_signoff", classkick), {"marker": RULE}, follow=True)
    assert "signed off or edited away meanwhile" in response.content.decode()
    assert MarkerSignoff.objects.count() == 1
    assert client.get(signoff_url(classkick)).status_code == 404


def test_the_service_refuses_a_path_that_is_no_marker_naming_the_field(issuer_admin, classkick):
    with pytest.raises(InvalidInput) as refusal:
        marker_signoff(actor=issuer_admin, credential=classkick, marker="rubric.passing_level")
    assert refusal.value.errors[0].field == "marker"
    assert not MarkerSignoff.objects.exists()


def test_publishing_puts_the_sign_offs_in_the_new_version_and_the_pages_drop_the_marker(
    client, issuer_admin, classkick
):
    marker_signoff(actor=issuer_admin, credential=classkick, marker="draft_fields.summary")
    draft = CredentialDraft.objects.get(credential=classkick)
    draft_publish(actor=issuer_admin, draft=draft)
    classkick.refresh_from_db()
    version = classkick.current_version
    assert version.number == 2
    signoff = MarkerSignoff.objects.get()
    assert signoff.published_version == version
    assert "summary" not in version.spec.draft_fields

    # The public page no longer marks the summary as the platform's.
    detail = Html(client.get(reverse("catalog:detail", args=[classkick.slug])).content)
    assert not detail.all("p.lede .draft-note")

    client.force_login(issuer_admin)
    page = Html(client.get(url("markers", classkick)).content)
    assert "Removed in version 2" in page.text
    assert "draft_fields.summary" not in page.texts("#open-caption ~ tbody td code")


def _count(client: Any, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_list_keeps_a_flat_query_count_as_sign_offs_grow(client, issuer_admin, platform_admin, classkick):
    client.force_login(issuer_admin)
    paths = [m.path for m in markers_list(classkick.current_version.definition)]
    marker_signoff(actor=issuer_admin, credential=classkick, marker=paths[0])
    few = _count(client, url("markers", classkick))
    for path in paths[1:]:
        marker_signoff(actor=platform_admin, credential=classkick, marker=path)
    assert MarkerSignoff.objects.count() == len(paths) > 5
    assert _count(client, url("markers", classkick)) == few


def test_a_platform_admin_may_sign_off(client, platform_admin, classkick):
    client.force_login(platform_admin)
    assert client.post(url("marker_signoff", classkick), {"marker": RULE}).status_code == 302
    assert MarkerSignoff.objects.get().signed_by == platform_admin


# ----- the API ---------------------------------------------------------------------------------------------------


def api(credential: Credential, rest: str) -> str:
    return f"/api/v1/issuers/{credential.issuer.slug}/credentials/{credential.slug}/{rest}"


@pytest.mark.parametrize("persona", ["educator", "reviewer", "other_issuer_admin"])
def test_the_api_answers_404_to_anyone_but_the_issuers_admins(client, request, persona, classkick):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(api(classkick, "markers")).status_code == 404
    response = client.post(api(classkick, "markers/signoff"), {"marker": RULE}, content_type="application/json")
    assert response.status_code == 404
    assert not MarkerSignoff.objects.exists()


def test_the_api_answers_401_without_a_session(client, classkick):
    assert client.get(api(classkick, "markers")).status_code == 401
    response = client.post(api(classkick, "markers/signoff"), {"marker": RULE}, content_type="application/json")
    assert response.status_code == 401


def test_the_api_lists_and_signs_off(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    listed = client.get(api(classkick, "markers")).json()
    assert [row["status"] for row in listed] == ["open"] * len(listed)
    assert RULE in [row["path"] for row in listed]

    done = client.post(api(classkick, "markers/signoff"), {"marker": RULE}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["status"] == "signed_off"
    assert done.json()["signed_by"] == issuer_admin.email

    again = client.post(api(classkick, "markers/signoff"), {"marker": RULE}, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "marker"
    after = client.get(api(classkick, "markers")).json()
    assert [row["status"] for row in after].count("signed_off") == 1
    assert len(after) == len(listed)
