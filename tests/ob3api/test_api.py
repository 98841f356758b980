"""The Open Badges 3.0 resource endpoints by persona: the earner's token reads the earner's credentials and
profile; another earner's token reads only theirs; a token without the endpoint's scope gets 403; no token, a
bad or a revoked one 401; every refusal in the Imsx_StatusInfo shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from core.models import AuditEvent
from ob3.scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE
from tests.ob3api.conftest import bearer, token_for

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/ims/ob/v3p0/credentials", CREDENTIAL_READONLY),
    ("post", "/ims/ob/v3p0/credentials", CREDENTIAL_UPSERT),
    ("get", "/ims/ob/v3p0/profile", PROFILE_READONLY),
    ("put", "/ims/ob/v3p0/profile", PROFILE_UPDATE),
]


def minor(answer: Any) -> str:
    info = answer.json()
    assert info["imsx_codeMajor"] == "failure"
    assert info["imsx_severity"] == "error"
    assert info["imsx_description"]
    return info["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def call(method: str, path: str, token: Any = None, body: Any = None, content_type: str = "application/json") -> Any:
    extra = bearer(token) if token is not None else {}
    if method == "get":
        return Client().get(path, **extra)
    data = json.dumps(body if body is not None else {}) if content_type.endswith("json") else body
    return getattr(Client(), method)(path, data, content_type=content_type, **extra)


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_no_token_is_401(method, path, scope):
    answer = call(method, path)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert minor(answer) == "unauthorizedrequest"


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_a_bad_token_is_401(method, path, scope):
    answer = call(method, path, "not-a-token")
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer["WWW-Authenticate"]


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_a_token_without_the_scope_is_403(educator, app_client, method, path, scope):
    others = " ".join(s for s, *_ in [(e[2],) for e in ENDPOINTS] if s != scope)
    token = token_for(educator, app_client, others)
    answer = call(method, path, token)
    assert answer.status_code == 403
    assert minor(answer) == "forbidden"
    assert "insufficient_scope" in answer["WWW-Authenticate"]


def test_a_session_is_not_a_token(educator, issued):
    browser = Client()
    browser.force_login(educator)
    assert browser.get("/ims/ob/v3p0/credentials").status_code == 401


def test_the_earner_gets_their_signed_credentials_byte_for_byte(educator, app_client, issued):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    answer = call("get", "/ims/ob/v3p0/credentials", token)
    assert answer.status_code == 200
    assert answer["X-Total-Count"] == "2"
    body = answer.content.decode()
    for badge in issued:
        assert badge.document_text in body  # the signed text itself, not a re-serialisation
    documents = answer.json()["credential"]
    assert [d["id"] for d in documents] == [f"urn:uuid:{b.uuid}" for b in issued]
    assert all(d["proof"] for d in documents)


def test_another_earners_token_reads_only_their_own(educator, educator2, app_client, issued):
    token = token_for(educator2, app_client, f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    answer = call("get", "/ims/ob/v3p0/credentials", token)
    assert answer.json() == {"credential": []}
    assert answer["X-Total-Count"] == "0"
    assert call("get", "/ims/ob/v3p0/profile", token).json()["email"] == educator2.email


def test_paging_with_limit_offset_total_and_links(educator, app_client, issued, settings):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    first = call("get", "/ims/ob/v3p0/credentials?limit=1", token)
    assert [d["id"] for d in first.json()["credential"]] == [f"urn:uuid:{issued[0].uuid}"]
    assert first["X-Total-Count"] == "2"
    base = f"{settings.SITE_URL}/ims/ob/v3p0/credentials"
    assert first["Link"] == (
        f'<{base}?limit=1&offset=1>; rel="next", <{base}?limit=1&offset=1>; rel="last", '
        f'<{base}?limit=1&offset=0>; rel="first"'
    )
    second = call("get", "/ims/ob/v3p0/credentials?limit=1&offset=1", token)
    assert [d["id"] for d in second.json()["credential"]] == [f"urn:uuid:{issued[1].uuid}"]
    assert 'rel="next"' not in second["Link"]
    assert f'<{base}?limit=1&offset=0>; rel="prev"' in second["Link"]
    later = call("get", "/ims/ob/v3p0/credentials?since=2999-01-01T00:00:00Z", token)
    assert later.json() == {"credential": []}


def test_listing_reads_a_constant_number_of_queries(educator, app_client, issued, django_assert_max_num_queries):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    with django_assert_max_num_queries(8):
        assert call("get", "/ims/ob/v3p0/credentials", token).status_code == 200


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("limit=" + "9" * 30, "limit"),
        ("since=yesterday", "since"),
        ("since=2026-01-01T00:00:00", "since"),
    ],
)
def test_bad_paging_parameters_are_400_naming_them(educator, app_client, query, name):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    answer = call("get", f"/ims/ob/v3p0/credentials?{query}", token)
    assert answer.status_code == 400
    assert minor(answer) == "invalid_query_parameter"
    assert answer.json()["imsx_description"].startswith(f"{name}: ")


def test_upsert_accepts_our_own_credential_unchanged_in_either_form(educator, app_client, issued):
    token = token_for(educator, app_client, CREDENTIAL_UPSERT)
    badge = issued[0]
    answer = call("post", "/ims/ob/v3p0/credentials", token, badge.document)
    assert answer.status_code == 200
    assert answer.content.decode() == badge.document_text
    jws = call("post", "/ims/ob/v3p0/credentials", token, badge.jwt, content_type="text/plain")
    assert jws.status_code == 200
    assert jws.content.decode() == badge.jwt


def test_upsert_refuses_an_altered_a_foreign_or_someone_elses_credential(educator, educator2, app_client, issued):
    token = token_for(educator, app_client, CREDENTIAL_UPSERT)
    altered = {**issued[0].document, "name": "Something else"}
    foreign = {**issued[0].document, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    for body in (
        altered,
        foreign,
        {"id": "https://elsewhere.example/credentials/1"},
        {"id": "urn:uuid:bad"},
        {"id": "urn:uuid:" + "z" * 36},
    ):
        answer = call("post", "/ims/ob/v3p0/credentials", token, body)
        assert answer.status_code == 400
        assert minor(answer) == "invalid_data"
    other = token_for(educator2, app_client, CREDENTIAL_UPSERT)
    answer = call("post", "/ims/ob/v3p0/credentials", other, issued[0].document)
    assert answer.status_code == 400
    assert minor(answer) == "invalid_data"
    tampered_jwt = issued[0].jwt[:-4] + ("AAAA" if not issued[0].jwt.endswith("AAAA") else "BBBB")
    assert call("post", "/ims/ob/v3p0/credentials", token, tampered_jwt, content_type="text/plain").status_code == 400
    assert call("post", "/ims/ob/v3p0/credentials", token, "not a jws", content_type="text/plain").status_code == 400
    assert call("post", "/ims/ob/v3p0/credentials", token, "<x/>", content_type="application/xml").status_code == 415
    assert call("post", "/ims/ob/v3p0/credentials", token, "{", content_type="text/plain").status_code == 400


def test_upsert_refuses_a_body_that_is_not_json(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_UPSERT)
    answer = Client().post("/ims/ob/v3p0/credentials", b"{not json", content_type="application/json", **bearer(token))
    assert answer.status_code == 400
    assert minor(answer) == "invalid_data"
    assert call("post", "/ims/ob/v3p0/credentials", token, [1, 2]).status_code == 400


def test_the_profile_reads_and_updates_the_name_only(educator, app_client, settings):
    token = token_for(educator, app_client, f"{PROFILE_READONLY} {PROFILE_UPDATE}")
    profile = call("get", "/ims/ob/v3p0/profile", token).json()
    assert profile["type"] == "Profile"
    assert profile["name"] == "Edna Educator"
    assert profile["email"] == educator.email
    assert profile["id"].startswith(settings.SITE_URL)

    answer = call("put", "/ims/ob/v3p0/profile", token, {**profile, "name": "Edna E. Educator"})
    assert answer.status_code == 200
    assert answer.json()["name"] == "Edna E. Educator"
    educator.refresh_from_db()
    assert educator.name == "Edna E. Educator"
    event = AuditEvent.objects.get(action="profile.updated_by_app")
    assert (event.old, event.new) == ("Edna Educator", "Edna E. Educator")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "someone@else.example"}, "email"),
        ({"id": "https://elsewhere.example/p/1"}, "id"),
        ({"phone": "111-222-3333"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_a_profile_update_refuses_what_it_cannot_change_naming_the_field(educator, app_client, change, field):
    token = token_for(educator, app_client, f"{PROFILE_READONLY} {PROFILE_UPDATE}")
    profile = call("get", "/ims/ob/v3p0/profile", token).json()
    answer = call("put", "/ims/ob/v3p0/profile", token, {**profile, **change})
    assert answer.status_code == 400
    assert minor(answer) == "invalid_data"
    assert answer.json()["imsx_description"].startswith(f"{field}: ")
    educator.refresh_from_db()
    assert educator.name == "Edna Educator"


def test_a_revoked_token_is_401(educator, app_client, issued):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    Client().post("/oauth/revoke", {"token": token["access_token"]}, HTTP_AUTHORIZATION=app_client.basic())
    assert call("get", "/ims/ob/v3p0/credentials", token).status_code == 401


def test_a_token_in_the_query_string_is_not_read(educator, app_client):
    token = token_for(educator, app_client, CREDENTIAL_READONLY)
    assert Client().get(f"/ims/ob/v3p0/credentials?access_token={token['access_token']}").status_code == 401


def test_unknown_paths_and_methods_answer_in_the_spec_shape():
    answer = Client().get("/ims/ob/v3p0/nothing")
    assert answer.status_code == 404
    assert minor(answer) == "not_found"
    answer = Client().delete("/ims/ob/v3p0/credentials")
    assert answer.status_code == 405
    assert minor(answer) == "not_allowed"


def test_discovery_describes_the_api_and_where_to_register(settings):
    answer = Client().get("/ims/ob/v3p0/discovery")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.0")
    assert document["servers"] == [{"url": f"{settings.SITE_URL}/ims/ob/v3p0"}]
    assert set(document["paths"]) == {"/credentials", "/profile", "/discovery"}
    assert document["paths"]["/credentials"]["get"]["operationId"] == "getCredentials"
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"{settings.SITE_URL}/oauth/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{settings.SITE_URL}/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{settings.SITE_URL}/oauth/token"
    assert set(flow["scopes"]) == {CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE}
    assert document["info"]["x-imssf-privacyPolicyUrl"]
