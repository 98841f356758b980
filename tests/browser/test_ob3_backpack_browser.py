"""A backpack pulls an earner's credentials through the Open Badges 3.0 API: it reads the discovery document and
registers over HTTP, the earner signs in and approves it on our consent page in Chromium (axe checks each page),
and the backpack exchanges the code with its PKCE verifier and fetches the signed credentials."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from awards.services import badge_issue
from ob3.scopes import CREDENTIAL_READONLY, PROFILE_READONLY
from tests.awards.conftest import earn
from tests.browser.submission_pages import PASSWORD, make_educator, prepare_site

CALLBACK_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open Backpack</title></head>'
    b"<body><main><h1>Open Backpack is connected</h1></main></body></html>"
)


class Callback(BaseHTTPRequestHandler):
    """The backpack's redirect URI on loopback (as a native app's is, RFC 8252): it keeps what it was sent."""

    received: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Callback.received.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'none'"
        )
        self.send_header("Permissions-Policy", "camera=()")
        self.end_headers()
        self.wfile.write(CALLBACK_PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def callback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Callback.received.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()
    server.server_close()


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    try:
        with urlopen(Request(url, data=data, headers=headers or {}), timeout=10) as answer:
            return answer.status, answer.headers, json.loads(answer.read())
    except HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_a_backpack_registers_gets_consent_and_pulls_the_credentials(page, live_server, settings, tmp_path, callback):
    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url
    educator = make_educator()
    badge = badge_issue(attempt=earn(educator, credentials["classkick-collaboration"]))

    # The backpack finds the registration URL in the discovery document and registers (RFC 7591).
    status, _, discovery = http(f"{live_server.url}/ims/ob/v3p0/discovery")
    assert status == 200
    scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    registration = {
        "client_name": "Open Backpack",
        "client_uri": "https://backpack.example/",
        "redirect_uris": [callback],
        "scope": f"{CREDENTIAL_READONLY} {PROFILE_READONLY}",
    }
    status, _, client = http(
        scheme["x-imssf-registrationUrl"],
        data=json.dumps(registration).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 201

    # Without the earner's consent there is no token, and the API answers 401.
    status, headers, refusal = http(f"{live_server.url}/ims/ob/v3p0/credentials")
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert refusal["imsx_codeMajor"] == "failure"

    # The earner is sent to the authorization URL with a PKCE challenge, signs in and approves.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": callback,
        "scope": CREDENTIAL_READONLY,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page.goto(f"{flow['authorizationUrl']}?{urlencode(query)}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email address").fill(educator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Allow Open Backpack to use your microcred account?")
    expect(page.get_by_role("listitem").filter(has_text="Read the Open Badges credentials")).to_be_visible()
    expect(page.get_by_role("link", name="https://backpack.example/")).to_be_visible()
    # By keyboard: Allow is a real button, answered with Enter.
    allow = page.get_by_role("button", name="Allow")
    allow.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Backpack is connected")
    page.axe_settle()

    answer = parse_qs(urlsplit(Callback.received[-1]).query)
    assert answer["state"] == ["xyz"]
    basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
    form = {
        "grant_type": "authorization_code",
        "code": answer["code"][0],
        "redirect_uri": callback,
        "code_verifier": verifier,
    }
    status, _, token = http(
        flow["tokenUrl"],
        data=urlencode(form).encode(),
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, token
    assert token["scope"] == CREDENTIAL_READONLY

    status, headers, listing = http(
        f"{discovery['servers'][0]['url']}/credentials", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert status == 200
    assert headers["X-Total-Count"] == "1"
    assert listing["credential"] == [badge.document]
    assert listing["credential"][0]["proof"]

    # The earner sees the backpack among their connected apps.
    page.goto("/connected-apps/")
    expect(page.get_by_role("heading", name="Open Backpack")).to_be_visible()
