"""Two-step sign-in (allauth's MFA): required for reviewers, issuer admins and staff, optional for educators."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.mfa import mfa_required
from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
ENROL = reverse("mfa_activate_totp")
CODE = reverse("mfa_authenticate")
QUEUE = reverse("reviews:queue")
DEACTIVATE = reverse("mfa_deactivate_totp")


def totp(secret: str, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for `secret` now (RFC 6238: HMAC-SHA1, 30-second steps)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _sign_in(client: Client, user: User, **extra: str):
    return client.post(LOGIN, {"username": user.email, "password": PASSWORD, **extra})


def _enrol(client: Client) -> str:
    """Set up an authenticator app on the page a person is sent to, as they would: read the key, type a code."""
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'<code class="totp-secret" id="totp-secret"[^>]*>([A-Z2-7]+)</code>', html)
    assert secret, "the page shows the key to type into the app"
    assert "<svg" in html, "and its QR code, drawn inline (the Content-Security-Policy refuses data: images)"
    response = client.post(ENROL, {"code": totp(secret.group(1))})
    assert response.status_code == 302, response.content.decode()
    return secret.group(1)


@pytest.fixture
def enforced(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.fixture
def reviewer(reviewer_staff: User) -> User:
    # Setting up a second factor needs a confirmed address (allauth's rule), as the demo's reviewers have.
    reviewer_staff.email_verified_at = timezone.now()
    reviewer_staff.save()
    return reviewer_staff


@pytest.mark.django_db
def test_who_must_use_a_second_factor(reviewer, issuer_admin, platform_admin, educator):
    assert mfa_required(user=reviewer)
    assert mfa_required(user=issuer_admin)
    assert mfa_required(user=platform_admin)
    assert not mfa_required(user=educator)


@pytest.mark.django_db
def test_a_reviewer_without_a_second_factor_is_sent_to_set_one_up_and_cannot_open_the_queue(client, enforced, reviewer):
    assert _sign_in(client, reviewer).status_code == 302
    assert _signed_in(client)

    for page in (QUEUE, reverse("accounts:dashboard"), reverse("notifications:index")):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == ENROL

    enrol = client.get(ENROL, follow=True).content.decode()
    assert "needs a second step at sign-in" in enrol
    assert reverse("mfa_add_webauthn") in enrol  # a security key is offered too
    # The session API answers in JSON rather than redirecting.
    assert client.get("/api/v1/credentials").status_code == 403


@pytest.mark.django_db
def test_after_setting_up_an_app_the_reviewer_is_asked_for_a_code_at_every_sign_in(client, enforced, reviewer):
    _sign_in(client, reviewer)
    secret = _enrol(client)
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    assert client.get(QUEUE).status_code == 200
    client.post(reverse("accounts:logout"))

    asked = _sign_in(client, reviewer)
    assert asked.status_code == 302
    assert asked.url == CODE
    assert not _signed_in(client), "the password alone does not sign in"
    assert client.get(QUEUE).status_code == 302

    wrong = client.post(CODE, {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert 'role="alert"' in wrong.content.decode()
    assert not _signed_in(client)

    right = client.post(CODE, {"code": totp(secret)})
    assert right.status_code == 302
    assert right.url == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(reviewer.pk)
    assert client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_an_issuer_admin_cannot_reach_the_admin_or_the_workspace_without_one(client, enforced, issuer_admin):
    _sign_in(client, issuer_admin)

    assert client.get("/admin/").url == ENROL
    assert client.get(reverse("issuers:reviewers_home")).url == ENROL


@pytest.mark.django_db
def test_a_reviewer_may_not_remove_their_only_second_factor(client, enforced, reviewer):
    _sign_in(client, reviewer)
    _enrol(client)
    # Removing a factor asks for the password again, however recent the sign-in.
    assert client.post(DEACTIVATE).url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    refused = client.post(DEACTIVATE)

    assert refused.status_code == 200
    assert 'role="alert"' in refused.content.decode()
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_it_is_optional_for_an_educator_who_may_still_turn_it_on(client, enforced, educator):
    _sign_in(client, educator)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert reverse("mfa_index") in client.get(reverse("accounts:profile")).content.decode()

    secret = _enrol(client)
    client.post(reverse("accounts:logout"))

    assert _sign_in(client, educator).url == CODE
    assert client.post(CODE, {"code": totp(secret)}).status_code == 302
    assert _signed_in(client)

    # And may turn it off again.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.post(DEACTIVATE).status_code == 302
    assert not Authenticator.objects.filter(user=educator, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_an_educator_pays_no_query_for_the_check_and_a_role_given_later_counts_at_once(
    client, settings, educator, classkick
):
    """The requirement is asked afresh on every request of a person without a factor (nothing remembers "not
    required"), in the query that reads the signed-in person: no query of its own."""
    client.force_login(educator)
    profile = reverse("accounts:profile")
    client.get(profile)  # a warm session
    settings.MFA_REQUIRED_FOR_STAFF = False
    with CaptureQueriesContext(connection) as off:
        assert client.get(profile).status_code == 200
    settings.MFA_REQUIRED_FOR_STAFF = True
    with CaptureQueriesContext(connection) as on:
        assert client.get(profile).status_code == 200
    assert len(on) == len(off)
    # Read with the person: the query that reads the user asks about the factor, memberships and roles too.
    user_reads = [q["sql"] for q in on.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert any("mfa_authenticator" in sql and "accounts_reviewerrole" in sql for sql in user_reads)

    membership_grant(actor=None, user=educator, issuer=classkick.issuer, role=IssuerMembership.Role.STAFF)
    response = client.get(profile)
    assert response.status_code == 302
    assert response.url == ENROL


@pytest.mark.django_db
def test_with_the_requirement_off_a_reviewer_signs_in_with_a_password(client, settings, reviewer):
    settings.MFA_REQUIRED_FOR_STAFF = False
    _sign_in(client, reviewer)

    assert client.get(QUEUE).status_code == 200
