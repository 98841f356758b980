"""Dynamic client registration (RFC 7591) at the discovery document's x-imssf-registrationUrl: open to any
client, every field checked, each refusal naming its field; nothing registered can act until an earner allows it."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import Application

from core.models import AuditEvent
from ob3.models import ClientRegistration
from ob3.scopes import CREDENTIAL_READONLY, PROFILE_READONLY
from tests.ob3api.conftest import ALL_SCOPES, REDIRECT, register

pytestmark = pytest.mark.django_db


def test_it_registers_a_client_with_its_metadata_and_a_secret_kept_hashed():
    answer = register(
        Client(),
        client_uri="https://backpack.example/",
        logo_uri="https://backpack.example/logo.png",
        tos_uri="https://backpack.example/terms",
        policy_uri="https://backpack.example/privacy",
        software_id="c88b6ed8-269e-448e-99be-7e2ff47167d1",
        software_version="4.0",
        token_endpoint_auth_method="client_secret_basic",
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        contacts=["ops@backpack.example"],
    )
    assert answer.status_code == 201
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["client_name"] == "Test Backpack"
    assert body["redirect_uris"] == [REDIRECT]
    assert body["scope"] == ALL_SCOPES
    assert body["client_secret_expires_at"] == 0
    assert body["software_version"] == "4.0"
    application = Application.objects.get(client_id=body["client_id"])
    assert application.client_secret != body["client_secret"]  # hashed at rest
    assert application.authorization_grant_type == "authorization-code"
    assert not application.skip_authorization
    registration = ClientRegistration.objects.get(application=application)
    assert registration.policy_uri == "https://backpack.example/privacy"
    assert AuditEvent.objects.filter(action="oauth_client.registered", subject_id=registration.pk).exists()


def test_it_gives_a_client_that_names_no_scope_reading_only():
    answer = register(Client(), scope=None)
    assert answer.status_code == 201
    assert answer.json()["scope"].split() == [CREDENTIAL_READONLY, PROFILE_READONLY]


def test_it_accepts_a_loopback_http_redirect_for_a_native_app():
    answer = register(Client(), redirect_uris=["http://127.0.0.1:49152/cb", "http://[::1]/cb", "http://localhost/cb"])
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"client_name": None}, "invalid_client_metadata", "client_name"),
        ({"client_name": "  "}, "invalid_client_metadata", "client_name"),
        ({"client_name": 12}, "invalid_client_metadata", "client_name"),
        ({"client_name": "x" * 101}, "invalid_client_metadata", "client_name"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": "https://a.example/cb"}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["http://backpack.example/cb"]}, "invalid_redirect_uri", "redirect_uris[0]"),
        ({"redirect_uris": [REDIRECT, "javascript:alert(1)"]}, "invalid_redirect_uri", "redirect_uris[1]"),
        ({"redirect_uris": ["https://backpack.example/cb#x"]}, "invalid_redirect_uri", "redirect_uris[0]"),
        ({"redirect_uris": ["https://user:pw@backpack.example/cb"]}, "invalid_redirect_uri", "redirect_uris[0]"),
        ({"redirect_uris": ["/relative"]}, "invalid_redirect_uri", "redirect_uris[0]"),
        ({"redirect_uris": ["https://backpack.example:99999/cb"]}, "invalid_redirect_uri", "redirect_uris[0]"),
        ({"client_uri": "http://backpack.example/"}, "invalid_client_metadata", "client_uri"),
        ({"logo_uri": 5}, "invalid_client_metadata", "logo_uri"),
        ({"tos_uri": "ftp://backpack.example/terms"}, "invalid_client_metadata", "tos_uri"),
        ({"policy_uri": ""}, "invalid_client_metadata", "policy_uri"),
        ({"software_id": ["x"]}, "invalid_client_metadata", "software_id"),
        ({"software_version": "v\n1"}, "invalid_client_metadata", "software_version"),
        ({"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/everything"}, "invalid_client_metadata", "scope"),
        ({"scope": ""}, "invalid_client_metadata", "scope"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types"),
        ({"grant_types": ["authorization_code", "implicit"]}, "invalid_client_metadata", "grant_types"),
        ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata", "token_endpoint_auth_method"),
    ],
)
def test_it_refuses_bad_metadata_naming_the_field(change, error, field):
    body = {"client_name": "Test Backpack", "redirect_uris": [REDIRECT], **change}
    body = {k: v for k, v in body.items() if v is not None}
    answer = Client().post("/oauth/register", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] == error
    assert answer.json()["error_description"].startswith(f"{field}: ")
    assert not Application.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[]", b'"text"', b"[" * 500 + b"]" * 500])
def test_it_refuses_a_body_that_is_not_a_json_object(body):
    answer = Client().post("/oauth/register", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"
    assert answer.json()["error_description"].startswith("body: ")


def test_it_answers_only_post():
    answer = Client().get("/oauth/register")
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"


def test_registrations_from_one_network_are_counted(settings):
    settings.ACCOUNT_THROTTLES = {**settings.ACCOUNT_THROTTLES, "oauth_register_network": {"limit": 2, "window": 3600}}
    assert [register(Client()).status_code for _ in range(3)] == [201, 201, 429]
    assert Application.objects.count() == 2
