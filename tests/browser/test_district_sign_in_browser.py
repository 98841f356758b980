"""Sign in with your district, in a real browser, through a real OpenID Connect provider in its own process.

The provider is django-oauth-toolkit's (tests/idp/), started once for this module on a free port with its own
database, signing key, registered client and directory user. Chromium starts on our sign-in page, is sent to the
provider's own login form, signs in there and comes back signed in here: discovery, the authorization code with
PKCE, the RS256 ID token checked against the provider's keys, and userinfo, all over loopback HTTP."""

from __future__ import annotations

import contextlib
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import User
from sso.models import District
from sso.services import ProviderSettings, district_save
from tests.idp.process import idp_running

CLIENT_ID = "microcred-springfield"
CLIENT_SECRET = "a-secret-only-these-tests-know"
CALLBACK = "/accounts/oidc/district-springfield/login/callback/"


def _first_request(origin: str) -> None:
    # A path that needs no database (this runs outside any test's database access) and answers 404.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(f"{origin}/district-sign-in/no-such-page/", timeout=60).read()


@pytest.fixture(scope="module")
def identity_provider(live_server: Any) -> Iterator[str]:
    client = {
        "id": CLIENT_ID,
        "secret": CLIENT_SECRET,
        # RFC 8252 loopback addresses: any port, so the live server's port need not be known in advance.
        "redirect_uris": [f"http://localhost{CALLBACK}", f"http://127.0.0.1{CALLBACK}"],
    }
    user = {
        "username": "dora",
        "password": "district directory pass",
        "email": "dora@springfield.example",
        "first_name": "Dora",
        "last_name": "Diaz",
    }
    # The live server's first request imports every view module, seconds on a busy machine; made while the
    # provider process starts, the two waits overlap instead of adding up.
    warm = threading.Thread(target=_first_request, args=(live_server.url,))
    warm.start()
    with idp_running(client=client, user=user) as origin:
        warm.join()
        yield origin


@pytest.mark.django_db(transaction=True)
def test_an_educator_signs_in_through_their_districts_provider(page, identity_provider: str, platform_admin: User):
    district_save(
        actor=platform_admin,
        district=None,
        name="Springfield Public Schools",
        slug="springfield",
        method=District.Method.OPENID_CONNECT,
        domains=["springfield.example"],
        provider=ProviderSettings(
            server_url=f"{identity_provider}/o", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        ),
    )

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your district").click()
    page.get_by_label("Work email address").fill("dora@springfield.example")
    page.get_by_role("button", name="Continue to your district").click()

    # The provider's own sign-in form, on its own origin.
    expect(page).to_have_url(re.compile(re.escape(identity_provider) + "/login/"))
    page.get_by_label("Directory username").fill("dora")
    page.get_by_label("Directory password").fill("district directory pass")
    page.get_by_role("button", name="Sign in to the district").click()

    expect(page).to_have_url(re.compile(r"/accounts/dashboard/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    user = User.objects.get(email="dora@springfield.example")
    assert user.name == "Dora Diaz"
    assert user.email_verified_at is not None
    assert SocialAccount.objects.get(user=user).provider == "district-springfield"
