"""An OAuth client of the Open Badges 3.0 API, driven through the Django test client: it registers (RFC 7591),
sends the earner to the consent page, exchanges the code with its PKCE verifier and calls the API."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from accounts.models import User
from awards.models import Badge
from awards.services import badge_issue
from ob3 import scopes
from tests.awards.conftest import earn

REDIRECT = "https://backpack.example/callback"
ALL_SCOPES = " ".join(scopes.OB_SCOPES)


def register(client: Client, **overrides: Any) -> Any:
    body = {"client_name": "Test Backpack", "redirect_uris": [REDIRECT], "scope": ALL_SCOPES, **overrides}
    return client.post("/oauth/register", body, content_type="application/json")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(client_id: str, challenge: str, scope: str, *, method: str = "S256", state: str = "s1") -> str:
    return urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": method,
        }
    )


@dataclass
class Registered:
    client_id: str
    client_secret: str

    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()


@pytest.fixture
def app_client(db: Any) -> Registered:
    answer = register(Client()).json()
    return Registered(answer["client_id"], answer["client_secret"])


def consent(user: User, registered: Registered, scope: str, *, allow: bool = True) -> tuple[dict[str, list[str]], str]:
    """The earner signs in and answers the consent page; returns the redirect's query and the PKCE verifier."""
    browser = Client()
    browser.force_login(user)
    verifier, challenge = pkce()
    query = authorize_query(registered.client_id, challenge, scope)
    page = browser.get(f"/oauth/authorize?{query}")
    assert page.status_code == 200, page.content[:500]
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    if allow:
        form["allow"] = "on"
    answer = browser.post(f"/oauth/authorize?{query}", form)
    assert answer.status_code == 302, answer.content[:500]
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query), verifier


def exchange(registered: Registered, code: str, verifier: str) -> Any:
    return Client().post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        HTTP_AUTHORIZATION=registered.basic(),
    )


def token_for(user: User, registered: Registered, scope: str = ALL_SCOPES) -> dict[str, Any]:
    query, verifier = consent(user, registered, scope)
    answer = exchange(registered, query["code"][0], verifier)
    assert answer.status_code == 200, answer.content
    return answer.json()


def bearer(token: dict[str, Any] | str) -> dict[str, Any]:
    value = token if isinstance(token, str) else token["access_token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


@pytest.fixture
def issued(
    educator: User, classkick: Any, educators_rising: Any, django_capture_on_commit_callbacks: Any
) -> list[Badge]:
    """Two credentials of Edna's, newest first."""
    badges = []
    for credential in (classkick, educators_rising):
        attempt = earn(educator, credential)
        with django_capture_on_commit_callbacks(execute=True):
            badges.append(badge_issue(attempt=attempt))
    return sorted(badges, key=lambda b: (b.issued_at, b.pk), reverse=True)
