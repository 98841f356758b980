"""The credential page and its downloads, visibility, revocation, My achievements, the verifier page and API:
who may see and do what, persona by persona."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from awards.models import Badge
from awards.selectors import badges_listed
from awards.services import badge_issue, badge_visibility_set
from core.models import AuditEvent
from tests.awards.conftest import earn

DOWNLOADS = ["credential.json", "credential.jwt", "badge.png", "badge.svg", "certificate.pdf"]


def sign_in(client, user):
    client.force_login(user)
    return client


def test_anyone_with_the_link_sees_an_unlisted_credential_with_every_check_passed(client, badge):
    response = client.get(f"/awards/{badge.uuid}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Earned by <strong>Edna Educator</strong> from <strong>Classkick</strong>" in html
    assert "Verified: every check passed." in html
    assert html.count("check-result check-passed") == 6
    assert "Rubric criteria:" in html
    assert "Implementation: Creating time to collaborate" in html
    assert 'role="img" aria-label="QR code linking to this page: http://testserver:8000/awards/' in html
    assert "<svg" in html
    # No visibility or revoke controls for an anonymous visitor.
    assert "Save visibility" not in html
    assert "Revoke this credential" not in html


def test_the_linkedin_link_is_the_documented_add_to_profile_url(client, badge):
    response = client.get(f"/awards/{badge.uuid}/")
    link = response.context["linkedin_url"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == "Collaboration"
    assert query["organizationName"] == "Classkick"
    assert query["certUrl"] == f"http://testserver:8000/awards/{badge.uuid}/"
    assert query["certId"] == str(badge.uuid)
    assert query["issueYear"] == str(badge.issued_at.year)
    assert query["issueMonth"] == str(badge.issued_at.month)


@pytest.mark.parametrize("name", DOWNLOADS)
def test_each_download_is_served_as_an_attachment(client, badge, name):
    response = client.get(f"/awards/{badge.uuid}/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="collaboration-')
    if name == "credential.json":
        assert json.loads(response.content) == badge.document
    if name == "credential.jwt":
        assert response.content.decode() == badge.jwt
    if name == "certificate.pdf":
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Edna Educator" in text
        assert "Collaboration" in text
        assert str(badge.uuid) in text


def test_a_private_credential_is_not_found_for_anyone_but_the_earner_and_the_issuers_admins(
    client, badge, educator, educator2, issuer_admin, other_issuer_admin, reviewer_staff, platform_admin
):
    badge_visibility_set(earner=educator, badge=badge, visibility="private")
    urls = [f"/awards/{badge.uuid}/"] + [f"/awards/{badge.uuid}/{name}" for name in DOWNLOADS]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for person in (educator2, other_issuer_admin, reviewer_staff):
        sign_in(client, person)
        assert all(client.get(url).status_code == 404 for url in urls), person
        client.logout()
    for person in (educator, issuer_admin, platform_admin):
        sign_in(client, person)
        assert client.get(urls[0]).status_code == 200, person
        client.logout()


def test_only_public_credentials_are_listed(client, badge, badge_er, educator):
    assert str(badge.uuid) not in client.get("/awards/").content.decode()  # unlisted by default
    badge_visibility_set(earner=educator, badge=badge, visibility="public")
    html = client.get("/awards/").content.decode()
    assert str(badge.uuid) in html
    assert str(badge_er.uuid) not in html


def test_the_public_list_keeps_a_flat_query_count(
    client, badge, educator, educator2, classkick, django_assert_num_queries
):
    badge_visibility_set(earner=educator, badge=badge, visibility="public")
    with django_assert_num_queries(1):
        client.get("/awards/")
    more = badge_issue(attempt=earn(educator2, classkick))
    badge_visibility_set(earner=educator2, badge=more, visibility="public")
    with django_assert_num_queries(1) as captured:
        assert client.get("/awards/").content.decode().count('<li class="card">') == 2
    listing = next(q["sql"] for q in captured.captured_queries if "awards_badge" in q["sql"] and "LIMIT" in q["sql"])
    assert "document_text" not in listing
    assert '"jwt"' not in listing
    assert {"document_text", "jwt"} <= badges_listed()[0].get_deferred_fields()


def test_only_the_earner_changes_visibility(client, badge, educator, educator2):
    url = f"/awards/{badge.uuid}/visibility/"
    assert client.post(url, {"visibility": "public"}).status_code == 302  # to sign in
    sign_in(client, educator2)
    assert client.post(url, {"visibility": "public"}).status_code == 404
    client.logout()
    sign_in(client, educator)
    response = client.post(url, {"visibility": "public"}, follow=True)
    assert "now public" in response.content.decode()
    badge.refresh_from_db()
    assert badge.visibility == "public"
    changes = AuditEvent.objects.filter(action="badge.visibility_changed", subject_type="badge", subject_id=badge.pk)
    assert [(e.old, e.new, e.actor) for e in changes] == [("unlisted", "public", educator)]
    response = client.post(url, {"visibility": "everyone"}, follow=True)
    assert "Choose who can see the credential" in response.content.decode()


def test_the_earners_page_offers_visibility_and_credit(client, badge_er, educator):
    sign_in(client, educator)
    html = client.get(f"/awards/{badge_er.uuid}/").content.decode()
    assert "Save visibility" in html
    assert "Apply for graduate credit" in html


def test_only_the_issuers_admin_can_open_the_revoke_page(client, badge, educator, other_issuer_admin, issuer_admin):
    url = f"/awards/{badge.uuid}/revoke/"
    assert client.get(url).status_code == 302
    for person in (educator, other_issuer_admin):
        sign_in(client, person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "Trying anyway"}).status_code == 404
        client.logout()
    sign_in(client, issuer_admin)
    assert "Revoke this credential" in client.get(f"/awards/{badge.uuid}/").content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for revoking" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    response = client.post(url, {"reason": "The evidence was not the educator's own."}, follow=True)
    html = response.content.decode()
    assert "The credential is revoked" in html
    assert "Revocation status: <strong>failed</strong>" in html
    badge.refresh_from_db()
    assert badge.revoked_by == issuer_admin


def test_my_achievements_lists_only_my_credentials_with_a_flat_query_count(
    client, badge, educator, educator2, classkick, educators_rising, django_assert_num_queries
):
    theirs = badge_issue(attempt=earn(educator2, classkick))
    sign_in(client, educator)
    client.get("/awards/mine/")  # warm the session
    # The session with its person (one statement, accounts/sessions.py), then the page's own reads.
    with django_assert_num_queries(3):
        html = client.get("/awards/mine/").content.decode()
    assert str(badge.uuid) in html
    assert str(theirs.uuid) not in html
    badge_issue(attempt=earn(educator, educators_rising))
    with django_assert_num_queries(3):
        assert client.get("/awards/mine/").content.decode().count('class="card award-card"') == 2


def test_my_achievements_needs_sign_in_and_shows_an_empty_state(client, educator2):
    assert client.get("/awards/mine/").status_code == 302
    sign_in(client, educator2)
    assert "You have not earned a credential yet" in client.get("/awards/mine/").content.decode()


def test_export_all_is_a_zip_of_my_credentials_only(client, badge, badge_er, educator, educator2, classkick):
    badge_issue(attempt=earn(educator2, classkick))
    sign_in(client, educator)
    response = client.get("/awards/mine/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert len(names) == 4
    assert {n.rsplit(".", 1)[1] for n in names} == {"json", "jwt"}
    documents = [json.loads(archive.read(n)) for n in names if n.endswith(".json")]
    assert {d["id"] for d in documents} == {f"urn:uuid:{badge.uuid}", f"urn:uuid:{badge_er.uuid}"}


def test_the_dashboard_links_to_my_achievements(client, educator):
    sign_in(client, educator)
    assert reverse("awards:mine") in client.get("/accounts/dashboard/").content.decode()


def test_the_verify_page_checks_pasted_json_and_jwt_and_uploaded_images(client, badge):
    assert client.get("/verify/").status_code == 200
    for pasted in (json.dumps(badge.document), badge.jwt):
        html = client.post("/verify/", {"credential": pasted}).content.decode()
        assert "Verified: every check passed." in html
    png = client.get(f"/awards/{badge.uuid}/badge.png").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = client.post("/verify/", {"image": SimpleUploadedFile("badge.png", png, "image/png")}).content.decode()
    assert "Verified: every check passed." in html
    assert "Read from a baked PNG badge image holding a JSON credential (Data Integrity proof)." in html


def test_the_verify_page_names_the_field_when_the_input_is_wrong(client, db):
    html = client.post("/verify/", {"credential": ""}).content.decode()
    assert "Paste a credential, or upload a baked badge image below" in html
    assert 'role="alert"' in html
    html = client.post("/verify/", {"credential": "not a credential"}).content.decode()
    assert 'href="#id_credential"' in html
    assert "paste a credential as JSON" in html


def test_the_verify_api_reports_each_check(client, badge):
    response = client.post("/api/v1/verify", badge.document, content_type="application/json")
    body = response.json()
    assert response.status_code == 200
    assert body["valid"] is True
    assert [c["id"] for c in body["checks"]] == ["structure", "terms", "signature", "issuer_key", "status", "dates"]
    response = client.post("/api/v1/verify", {"credential": badge.jwt}, content_type="application/json")
    assert response.json()["valid"] is True
    assert response.json()["form"] == "jwt"
    response = client.post("/api/v1/verify", badge.jwt, content_type="text/plain")
    assert response.json()["valid"] is True
    png = client.get(f"/awards/{badge.uuid}/badge.png").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/verify", {"file": SimpleUploadedFile("b.png", png, "image/png")})
    assert response.json()["valid"] is True
    assert response.json()["form"] == "png (json)"
    tampered = dict(badge.document, name="Forged")
    body = client.post("/api/v1/verify", tampered, content_type="application/json").json()
    assert body["valid"] is False
    assert {c["id"] for c in body["checks"] if c["outcome"] == "failed"} == {"signature"}


def test_the_verify_api_answers_bad_input_with_400_and_a_reason(client, db):
    response = client.post("/api/v1/verify", "nonsense", content_type="text/plain")
    assert response.status_code == 400
    assert "paste a credential as JSON" in response.json()["error"]
    response = client.post("/api/v1/verify", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    response = client.post("/api/v1/verify", [1, 2], content_type="application/json")
    assert response.status_code == 400
    assert "/api/v1/verify" in json.dumps(client.get("/api/v1/openapi.json").json()["paths"])


def test_issue_emails_the_earner_once(badge, educator):
    assert [m.to for m in mail.outbox] == [[educator.email]]
    assert f"/awards/{badge.uuid}/" in mail.outbox[0].body
    assert Badge.objects.count() == 1
