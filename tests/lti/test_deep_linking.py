"""Deep linking: an instructor's launch, the picker, and the signed LtiDeepLinkingResponse our JWKS verifies."""

from __future__ import annotations

import html
import re

import jwt
import pytest
from django.test import Client

from core.models import AuditEvent
from lti.models import CoursePlacement, ResourceLink
from tests.lti.conftest import CLAIM, CLIENT_ID, DEPLOYMENT, DL_CLAIM, INSTRUCTOR, ISS, LEARNER, launch


def deep_link_claims(platform, **extra):
    return {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "roles": [INSTRUCTOR],
        CLAIM + "resource_link": None,
        CLAIM + "custom": None,
        "sub": "canvas-teacher-7",
        "email": "teacher@district.example",
        DL_CLAIM + "deep_linking_settings": {
            "deep_link_return_url": platform.url + "/courses/7/deep_link_return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["window", "iframe"],
            "data": "opaque-platform-data",
        },
        **extra,
    }


def test_an_instructor_places_a_credential_and_the_platform_gets_a_response_our_jwks_verifies(
    lms_client, platform, registration, classkick, educators_rising
):
    response = launch(lms_client, platform, **deep_link_claims(platform))
    assert response.status_code == 302
    assert response["Location"] == "/lti/deep-link/"
    picker = lms_client.get("/lti/deep-link/")
    assert picker.status_code == 200
    text = picker.content.decode()
    assert classkick.title in text
    assert educators_rising.title in text
    assert "Algebra 1" in text

    token = lms_client.cookies["csrftoken"].value
    answer = lms_client.post("/lti/deep-link/", {"credential": classkick.slug, "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'action="{platform.url}/courses/7/deep_link_return"' in page
    # Our pages post only to ourselves, except this one, to the platform that asked.
    assert f"form-action 'self' {platform.url}" in answer["Content-Security-Policy"]
    found = re.search(r'name="JWT" value="([^"]+)"', page)
    assert found is not None
    response_jwt = html.unescape(found.group(1))

    keys = Client().get("/lti/jwks.json").json()["keys"]
    header = jwt.get_unverified_header(response_jwt)
    jwk = next(key for key in keys if key["kid"] == header["kid"])
    claims = jwt.decode(response_jwt, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=ISS)
    assert claims["iss"] == CLIENT_ID
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "deployment_id"] == DEPLOYMENT
    assert claims[DL_CLAIM + "data"] == "opaque-platform-data"
    (item,) = claims[DL_CLAIM + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"].endswith("/lti/launch/")
    assert item["custom"]["credential"] == classkick.slug
    assert item["lineItem"]["scoreMaximum"] == 1
    placement = CoursePlacement.objects.get()
    assert item["custom"]["placement"] == str(placement.uuid)
    assert (placement.credential, placement.context_title) == (classkick, "Algebra 1")
    assert AuditEvent.objects.filter(action="lti_placement.created", subject_id=placement.pk).exists()

    # A response signed with any other key does not verify against our JWKS.
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(response_jwt[:-4] + "AAAA", jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=ISS)

    # The choice is answered once; the picker is gone after it.
    assert lms_client.get("/lti/deep-link/").status_code == 404

    # The platform saves the link and a student launches it: the custom parameters come back signed.
    student = Client(enforce_csrf_checks=True)
    opened = launch(student, platform, **{CLAIM + "custom": item["custom"], CLAIM + "resource_link": {"id": "rl-9"}})
    assert opened["Location"] == f"/credentials/{classkick.slug}/"
    assert ResourceLink.objects.get(resource_link_id="rl-9").placement == placement


def test_the_picker_names_a_missing_choice(lms_client, platform, registration, classkick):
    launch(lms_client, platform, **deep_link_claims(platform))
    lms_client.get("/lti/deep-link/")
    token = lms_client.cookies["csrftoken"].value
    for value in ["", "no-such-credential"]:
        answer = lms_client.post("/lti/deep-link/", {"credential": value, "csrfmiddlewaretoken": token})
        assert answer.status_code == 422
        assert "Choose one of the credentials listed" in answer.content.decode()
    assert not CoursePlacement.objects.exists()


def test_a_learner_cannot_place_a_credential(lms_client, platform, registration, classkick):
    response = launch(lms_client, platform, **deep_link_claims(platform, **{CLAIM + "roles": [LEARNER]}))
    assert response.status_code == 403
    assert "instructors can add a credential" in response.content.decode()


def test_a_deep_linking_request_without_settings_is_refused(lms_client, platform, registration, classkick):
    claims = deep_link_claims(platform, **{DL_CLAIM + "deep_linking_settings": None})
    assert launch(lms_client, platform, **claims).status_code == 403


def test_the_picker_belongs_to_the_launch_that_opened_it(client, educator, educator2):
    assert client.get("/lti/deep-link/").status_code == 302, "anonymous: to sign in"
    client.force_login(educator2)
    assert client.get("/lti/deep-link/").status_code == 404, "signed in, but no deep-linking launch"


def test_another_person_signing_in_on_that_browser_cannot_use_the_choice(
    lms_client, platform, registration, classkick, educator2
):
    launch(lms_client, platform, **deep_link_claims(platform))
    lms_client.force_login(educator2)
    assert lms_client.get("/lti/deep-link/").status_code == 404


def test_the_jwks_is_public_and_lists_only_active_registrations(client, registration, educator):
    keys = client.get("/lti/jwks.json").json()["keys"]
    assert [key["kid"] for key in keys] == [registration.tool_kid]
    assert {"kty", "n", "e", "alg", "use"} <= set(keys[0])
    assert "d" not in keys[0], "never the private part"
    registration.is_active = False
    registration.save()
    assert client.get("/lti/jwks.json").json() == {"keys": []}
