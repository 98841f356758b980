"""The consent page and the token endpoint: the earner signs in and approves in our layout; PKCE with S256 is
required; a denied request or a code without its verifier gets no token; the connected-apps page ends access."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, RefreshToken

from core.models import AuditEvent
from ob3.scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY
from tests.ob3api.conftest import (
    ALL_SCOPES,
    authorize_query,
    bearer,
    consent,
    exchange,
    pkce,
    register,
    token_for,
)

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_sign_in_first(app_client):
    _, challenge = pkce()
    answer = Client().get(f"/oauth/authorize?{authorize_query(app_client.client_id, challenge, CREDENTIAL_READONLY)}")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=/oauth/authorize")


def test_the_consent_page_names_the_app_and_what_it_asks_for(educator):
    answer = register(
        Client(),
        client_uri="https://backpack.example/",
        policy_uri="https://backpack.example/privacy",
        scope=ALL_SCOPES,
    ).json()
    browser = Client()
    browser.force_login(educator)
    _, challenge = pkce()
    page = browser.get(f"/oauth/authorize?{authorize_query(answer['client_id'], challenge, CREDENTIAL_READONLY)}")
    html = page.content.decode()
    assert "Allow Test Backpack to use your microcred account?" in html
    assert "It asks to do the following for you, Edna Educator:" in html
    assert "Read the Open Badges credentials you have earned on microcred" in html
    assert "Change the name on your profile" not in html  # not asked for in this request
    assert "https://backpack.example/privacy" in html
    assert 'name="allow"' in html


def test_approval_gives_a_code_that_pkce_exchanges_for_a_token_with_the_scopes_asked(educator, app_client):
    query, _ = consent(educator, app_client, f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    assert query["state"] == ["s1"]
    # Without its verifier, the code is refused.
    wrong = exchange(app_client, query["code"][0], "x" * 50)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    query, verifier = consent(educator, app_client, f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    token = exchange(app_client, query["code"][0], verifier).json()
    assert token["scope"].split() == [CREDENTIAL_READONLY, PROFILE_READONLY]
    assert token["token_type"] == "Bearer"
    assert AuditEvent.objects.filter(action="oauth_client.consented", actor=educator).count() == 2


def test_the_token_carries_only_the_scopes_approved(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    assert token["scope"] == CREDENTIAL_READONLY
    assert token["refresh_token"]
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(token)).status_code == 200
    assert Client().get("/ims/ob/v3p0/profile", **bearer(token)).status_code == 403


def test_a_code_is_good_once(educator, app_client):
    query, verifier = consent(educator, app_client, CREDENTIAL_READONLY)
    assert exchange(app_client, query["code"][0], verifier).status_code == 200
    assert exchange(app_client, query["code"][0], verifier).status_code == 400


def test_a_denied_request_redirects_with_access_denied_and_the_api_stays_closed(educator, app_client):
    query, _ = consent(educator, app_client, CREDENTIAL_READONLY, allow=False)
    assert query["error"] == ["access_denied"]
    assert "code" not in query
    assert not AccessToken.objects.exists()
    answer = Client().get("/ims/ob/v3p0/credentials")
    assert answer.status_code == 401
    assert (
        answer.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "unauthorizedrequest"
    )


def test_pkce_is_required_and_plain_is_refused(educator, app_client):
    browser = Client()
    browser.force_login(educator)
    without = browser.get(
        f"/oauth/authorize?response_type=code&client_id={app_client.client_id}&scope={CREDENTIAL_READONLY}"
        "&redirect_uri=https://backpack.example/callback&state=s"
    )
    assert "error=invalid_request" in without["Location"]
    plain = authorize_query(app_client.client_id, "p" * 50, CREDENTIAL_READONLY, method="plain")
    page = browser.get(f"/oauth/authorize?{plain}")
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None} if page.status_code == 200 else {}
    if form:
        page = browser.post(f"/oauth/authorize?{plain}", {**form, "allow": "on"})
    assert page.status_code == 302
    assert "error=invalid_request" in page["Location"]
    assert "code=" not in page["Location"]


def test_a_client_cannot_ask_for_a_scope_it_did_not_register(educator):
    answer = register(Client(), scope=CREDENTIAL_READONLY).json()
    browser = Client()
    browser.force_login(educator)
    _, challenge = pkce()
    page = browser.get(f"/oauth/authorize?{authorize_query(answer['client_id'], challenge, CREDENTIAL_UPSERT)}")
    assert page.status_code == 302
    assert "error=invalid_scope" in page["Location"]


def test_an_unknown_client_is_shown_an_error_in_our_layout(educator):
    browser = Client()
    browser.force_login(educator)
    page = browser.get(f"/oauth/authorize?{authorize_query('nobody', 'c' * 43, CREDENTIAL_READONLY)}")
    assert page.status_code == 400
    assert "This app's request cannot be accepted" in page.content.decode()


def test_the_revocation_endpoint_ends_a_token(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    answer = Client().post(
        "/oauth/revoke",
        {"token": token["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=app_client.basic(),
    )
    assert answer.status_code == 200
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(token)).status_code == 401


def test_a_refresh_token_gets_a_new_access_token(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    answer = Client().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        HTTP_AUTHORIZATION=app_client.basic(),
    )
    assert answer.status_code == 200
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(answer.json())).status_code == 200


def test_the_earner_sees_and_disconnects_a_connected_app(educator, educator2, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    browser = Client()
    browser.force_login(educator)
    page = browser.get("/connected-apps/")
    assert "Test Backpack" in page.content.decode()
    assert "Read the Open Badges credentials you have earned" in page.content.decode()

    # Another earner sees none of it and cannot disconnect it.
    other = Client()
    other.force_login(educator2)
    assert "Test Backpack" not in other.get("/connected-apps/").content.decode()
    assert other.post(f"/connected-apps/{app_client.client_id}/disconnect").status_code == 404
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(token)).status_code == 200

    answer = browser.post(f"/connected-apps/{app_client.client_id}/disconnect", follow=True)
    assert "is disconnected" in answer.content.decode()
    assert "No app is connected to your account." in answer.content.decode()
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(token)).status_code == 401
    refreshed = Client().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        HTTP_AUTHORIZATION=app_client.basic(),
    )
    assert refreshed.status_code == 400
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    assert AuditEvent.objects.filter(action="oauth_client.disconnected", actor=educator).exists()


def test_the_connected_apps_page_needs_a_signed_in_person():
    assert Client().get("/connected-apps/").status_code == 302
    assert Client().post("/connected-apps/abc/disconnect").status_code == 302


def test_a_changed_password_disconnects_every_app(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    educator.set_password("a-new-password-1234")
    educator.save()
    assert Client().get("/ims/ob/v3p0/credentials", **bearer(token)).status_code == 401
