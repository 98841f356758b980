"""Platform registrations in the admin site: the platform admin's alone, with a tool key made on creation."""

from __future__ import annotations

import pytest

from awards.keys import decrypt_private
from core.models import AuditEvent
from lti.models import PlatformRegistration
from tests.lti.conftest import CLIENT_ID, ISS

ADD = "/admin/lti/platformregistration/add/"
LIST = "/admin/lti/platformregistration/"


def form(platform) -> dict[str, str]:
    return {
        "name": "District Moodle",
        "is_active": "on",
        "issuer": ISS,
        "client_id": CLIENT_ID,
        "auth_login_url": ISS + "/mod/lti/auth.php",
        "auth_token_url": platform.token_url,
        "auth_audience": "",
        "key_set_url": platform.url + "/jwks",
        "deployments-TOTAL_FORMS": "1",
        "deployments-INITIAL_FORMS": "0",
        "deployments-MIN_NUM_FORMS": "0",
        "deployments-MAX_NUM_FORMS": "1000",
        "deployments-0-deployment_id": "7",
    }


def test_the_platform_admin_registers_a_platform_and_its_tool_key_is_made(client, platform_admin, platform):
    client.force_login(platform_admin)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(platform))
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = PlatformRegistration.objects.get()
    assert list(registration.deployments.values_list("deployment_id", flat=True)) == ["7"]
    assert registration.tool_kid
    assert decrypt_private(registration.tool_private_key_encrypted).startswith(b"-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE" not in registration.tool_private_key_encrypted, "encrypted at rest"
    assert AuditEvent.objects.filter(action="lti_registration.created", actor=platform_admin).exists()
    page = client.get(f"{LIST}{registration.pk}/change/").content.decode()
    assert "/lti/jwks.json" in page
    assert "/lti/login/" in page
    assert registration.tool_private_key_encrypted not in page

    keys = client.get("/lti/jwks.json").json()["keys"]
    assert [key["kid"] for key in keys] == [registration.tool_kid]

    old_kid = registration.tool_kid
    rotated = client.post(LIST, {"action": "rotate_key", "_selected_action": [registration.pk]})
    assert rotated.status_code == 302
    registration.refresh_from_db()
    assert registration.tool_kid != old_kid
    assert AuditEvent.objects.filter(action="lti_registration.key_rotated").exists()


def test_a_registration_needs_its_urls(client, platform_admin, platform):
    client.force_login(platform_admin)
    data = {**form(platform), "auth_token_url": "not a url"}
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "auth_token_url" in response.content.decode()
    assert not PlatformRegistration.objects.exists()


@pytest.mark.parametrize("persona", ["issuer_admin", "educator", "anonymous"])
def test_nobody_else_sees_or_adds_registrations(client, request, registration, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url in (LIST, ADD, f"{LIST}{registration.pk}/change/", "/admin/lti/platformaccount/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    if persona == "issuer_admin":
        assert "LTI" not in client.get("/admin/").content.decode()
