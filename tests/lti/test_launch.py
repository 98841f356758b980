"""LTI 1.3 launches signed by the test platform's key: accepted and signed in, or refused with a 4xx page."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from accounts.erasure import account_erased
from accounts.models import User
from core.models import AuditEvent
from lti.models import GradeTarget, LaunchNonce, PlatformAccount, ResourceLink
from tests.conftest import reviewer_role_give
from tests.lti.conftest import CLAIM, CLIENT_ID, ISS, SUB, id_token, launch, login_start, rsa_pem_pair


def signed_in_email(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert "lti/refused.html" in [t.name for t in response.templates]
    assert words in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_first_launch_makes_an_account_signs_it_in_and_lands_on_the_credential(
    lms_client, platform, registration, classkick
):
    response = launch(lms_client, platform)
    assert response.status_code == 302
    assert response["Location"] == "/credentials/classkick-collaboration/"
    page = lms_client.get(response["Location"])
    assert page.status_code == 200
    assert page.wsgi_request.user.email == "edna.lms@district.example"
    link = PlatformAccount.objects.get(issuer=ISS, sub=SUB)
    assert link.user.email == "edna.lms@district.example"
    assert link.user.email_verified_at is None, "this platform is not trusted to verify addresses"
    assert AuditEvent.objects.filter(action="lti_account.created", subject_id=link.pk).exists()
    course = ResourceLink.objects.get(resource_link_id="rl-algebra-1")
    assert (course.credential, course.context_title) == (classkick, "Algebra 1")
    assert GradeTarget.objects.get(user=link.user).lineitem_url == platform.lineitem_url

    # The same person again, from another browser: the same account, by (iss, sub), whatever the email says.
    again = Client(enforce_csrf_checks=True)
    assert launch(again, platform, email="renamed@district.example").status_code == 302
    assert signed_in_email(again) == "edna.lms@district.example"
    assert PlatformAccount.objects.count() == 1


def test_a_trusted_platform_makes_verified_accounts(lms_client, platform, registration, classkick):
    registration.emails_verified = True
    registration.save()
    assert launch(lms_client, platform).status_code == 302
    assert PlatformAccount.objects.get(sub=SUB).user.email_verified_at is not None


def test_a_replayed_id_token_is_refused(lms_client, platform, registration, classkick):
    state, nonce = login_start(lms_client)
    token = id_token(platform, nonce=nonce)
    assert lms_client.post("/lti/launch/", {"id_token": token, "state": state}).status_code == 302
    replay = lms_client.post("/lti/launch/", {"id_token": token, "state": state})
    assert replay.status_code == 403
    assert "already used" in replay.content.decode()
    # From another process's point of view too: the nonce is a used row in the database.
    assert LaunchNonce.objects.get(nonce=nonce).used_at is not None


def test_a_replay_under_a_fresh_login_is_refused(lms_client, platform, registration, classkick):
    state, nonce = login_start(lms_client)
    token = id_token(platform, nonce=nonce)
    assert lms_client.post("/lti/launch/", {"id_token": token, "state": state}).status_code == 302
    other = Client(enforce_csrf_checks=True)
    fresh_state, _fresh_nonce = login_start(other)
    assert_refused(other.post("/lti/launch/", {"id_token": token, "state": fresh_state}), 403, "already used")


def test_a_token_signed_by_another_key_is_refused(lms_client, platform, registration, classkick):
    forger_private, _public = rsa_pem_pair()
    response = launch(lms_client, platform, key_pem=forger_private)
    assert_refused(response, 403, "signature")
    assert not PlatformAccount.objects.exists()


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        pytest.param({"aud": "someone-else"}, "not registered", id="wrong-audience"),
        pytest.param({"aud": [CLIENT_ID, "other-tool"]}, "not registered", id="several-audiences-no-azp"),
        pytest.param({"iss": "https://moodle.elsewhere.example"}, "not registered", id="unknown-issuer"),
        pytest.param({"nonce": "a-nonce-we-never-issued"}, "already used", id="wrong-nonce"),
        pytest.param({CLAIM + "deployment_id": "2:unknown"}, "deployment", id="unknown-deployment"),
        pytest.param({"exp": int(time.time()) - 60}, "expired", id="expired"),
        pytest.param({"exp": None}, "expired", id="no-expiry"),
        pytest.param({CLAIM + "version": "1.1"}, "not valid", id="wrong-version"),
        pytest.param({CLAIM + "message_type": "LtiSomethingElse"}, "not valid", id="unknown-message"),
        pytest.param({CLAIM + "resource_link": "rl-as-a-string"}, "not valid", id="odd-shape"),
        pytest.param({"sub": None}, "not valid", id="no-sub"),
    ],
)
def test_a_forged_or_wrong_launch_is_refused(lms_client, platform, registration, classkick, claims, words):
    response = launch(lms_client, platform, **claims)
    assert response.status_code in (400, 403, 422)
    assert "lti/refused.html" in [t.name for t in response.templates]
    assert words in response.content.decode()
    assert not PlatformAccount.objects.exists()


def test_a_launch_without_the_login_state_cookie_is_refused(platform, registration, classkick):
    starter = Client()
    state, nonce = login_start(starter)
    stranger = Client(enforce_csrf_checks=True)
    response = stranger.post("/lti/launch/", {"id_token": id_token(platform, nonce=nonce), "state": state})
    assert_refused(response, 403, "not started from this browser")


@pytest.mark.parametrize(
    "data",
    [{}, {"id_token": "not.a.jwt", "state": "x"}, {"id_token": "abc", "state": "x"}],
    ids=["nothing", "garbage", "one-part"],
)
def test_a_malformed_launch_is_a_4xx_page(lms_client, registration, data):
    response = lms_client.post("/lti/launch/", data)
    assert 400 <= response.status_code < 500
    assert "lti/refused.html" in [t.name for t in response.templates]


def test_a_launch_is_post_only(lms_client):
    assert lms_client.get("/lti/launch/").status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        {"iss": "https://unknown.example", "login_hint": "x"},
        {"iss": ISS},
        {},
    ],
    ids=["unknown-issuer", "no-login-hint", "nothing"],
)
def test_login_initiation_refuses_what_is_not_registered(lms_client, registration, data):
    response = lms_client.post("/lti/login/", data)
    assert response.status_code == 403
    assert "not registered" in response.content.decode()


def test_login_initiation_refuses_an_inactive_registration(lms_client, registration):
    registration.is_active = False
    registration.save()
    assert lms_client.get("/lti/login/", {"iss": ISS, "login_hint": "x"}).status_code == 403


def test_a_link_naming_no_credential_is_refused(lms_client, platform, registration, classkick):
    response = launch(lms_client, platform, **{CLAIM + "custom": {"credential": "no-such-credential"}})
    assert response.status_code == 422
    assert "does not name a credential" in response.content.decode()


def test_an_address_with_an_account_here_is_not_linked_until_its_owner_signs_in(
    lms_client, platform, registration, classkick, educator
):
    response = launch(lms_client, platform, email=educator.email)
    assert response.status_code == 302
    assert response["Location"] == "/lti/link/"
    assert not PlatformAccount.objects.exists()
    assert "_auth_user_id" not in lms_client.session
    page = lms_client.get("/lti/link/")
    assert page.status_code == 200
    assert educator.email in page.content.decode()

    lms_client.force_login(educator)
    assert lms_client.get("/lti/link/").status_code == 200
    confirmed = lms_client.post("/lti/link/", {"csrfmiddlewaretoken": lms_client.cookies["csrftoken"].value})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/credentials/classkick-collaboration/"
    assert PlatformAccount.objects.get(issuer=ISS, sub=SUB).user == educator
    assert AuditEvent.objects.filter(action="lti_account.linked").count() == 1

    later = Client(enforce_csrf_checks=True)
    assert launch(later, platform, email=educator.email).status_code == 302
    assert signed_in_email(later) == educator.email


def test_the_link_page_needs_a_pending_launch(client, educator):
    assert client.get("/lti/link/").status_code == 404
    client.force_login(educator)
    assert client.get("/lti/link/").status_code == 404


def test_a_reviewer_is_not_signed_in_by_a_course(lms_client, platform, registration, classkick, educator2):
    reviewer_role_give(educator2, classkick.issuer, "mentor", ["middle_school"])
    PlatformAccount.objects.create(issuer=ISS, sub=SUB, user=educator2, registration=registration)
    response = launch(lms_client, platform)
    assert_refused(response, 403, "Sign in on microcred directly")


def test_the_deployment_must_belong_to_the_registration(lms_client, platform, registration, classkick):
    registration.deployments.all().delete()
    assert_refused(launch(lms_client, platform), 403, "deployment")


def test_a_closed_account_is_not_signed_in(lms_client, platform, registration, classkick, educator):
    PlatformAccount.objects.create(issuer=ISS, sub=SUB, user=educator, registration=registration)
    educator.is_active = False
    educator.save()
    assert_refused(launch(lms_client, platform), 403, "closed")


def test_an_erased_account_keeps_no_platform_identity(lms_client, platform, registration, classkick):
    launch(lms_client, platform)
    user = PlatformAccount.objects.get(sub=SUB).user
    assert GradeTarget.objects.filter(user=user).exists()
    account_erased.send(sender=User, user=user)
    assert not PlatformAccount.objects.filter(user=user).exists()
    assert not GradeTarget.objects.filter(user=user).exists()
