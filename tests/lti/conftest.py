"""A test LMS for the LTI tests: its own RSA key, and its key set, token endpoint and grade (AGS) endpoints served
over real HTTP by a thread on 127.0.0.1, so pylti1p3 fetches and posts exactly as it would to Canvas or Moodle.

The platform signs id_tokens with its key (`id_token`); the token endpoint checks our client assertion against
the tool key of the registration under test and issues a random bearer token; the score endpoint accepts only a
token it issued and records what it received.

Personas besides the shared ones: the platform's person "canvas-user-42" (sub) and the course "Algebra 1".
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]

from awards.keys import encrypt_private
from lti.models import PlatformDeployment, PlatformRegistration
from tests.reviews.conftest import ck_panel, make_reviewer, private_media, samples  # noqa: F401

ISS = "https://canvas.district.example"
CLIENT_ID = "10000000000042"
DEPLOYMENT = "1:district-canvas"
KID = "platform-key-1"
SUB = "canvas-user-42"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private.decode(), public.decode()


@dataclass
class PlatformState:
    tool_public_pem: str = ""
    issued_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    scores_fail: bool = False


@dataclass
class Platform:
    url: str
    private_pem: str
    public_pem: str
    state: PlatformState

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    @property
    def lineitem_url(self) -> str:
        return self.url + "/courses/7/lineitems/1"


def _handler(platform: Callable[[], Platform]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/jwks":
                jwk = json.loads(JWK.from_pem(platform().public_pem.encode()).export_public())
                jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
                return self._answer(200, {"keys": [jwk]})
            return self._answer(404, {})

        def do_POST(self) -> None:
            state = platform().state
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            path = urlsplit(self.path).path
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(body).items()}
                try:
                    claims = jwt.decode(
                        form["client_assertion"],
                        state.tool_public_pem,
                        algorithms=["RS256"],
                        audience=platform().token_url,
                    )
                except (jwt.InvalidTokenError, KeyError) as error:
                    state.refused.append(f"token: {error}")
                    return self._answer(401, {"error": "invalid_client"})
                if claims["iss"] != CLIENT_ID or claims["sub"] != CLIENT_ID:
                    return self._answer(401, {"error": "invalid_client"})
                token = secrets.token_urlsafe(16)
                state.issued_tokens.add(token)
                state.token_requests.append(form)
                return self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
            if path.endswith("/scores"):
                bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if bearer not in state.issued_tokens:
                    state.refused.append("score: unknown bearer token")
                    return self._answer(401, {})
                if state.scores_fail:
                    return self._answer(503, {})
                state.scores.append(
                    {"path": path, "bearer": bearer, "type": self.headers.get("Content-Type"), "body": json.loads(body)}
                )
                return self._answer(200, {})
            return self._answer(404, {})

    return Handler


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    private_pem, public_pem = rsa_pem_pair()
    holder: list[Platform] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(lambda: holder[0]))
    holder.append(Platform(f"http://127.0.0.1:{server.server_address[1]}", private_pem, public_pem, PlatformState()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def tool_key() -> tuple[str, str, str]:
    """One tool key pair for the session's registrations (made by registration_save in the admin test)."""
    private_pem, public_pem = rsa_pem_pair()
    return private_pem, public_pem, JWK.from_pem(public_pem.encode()).thumbprint()


@pytest.fixture
def registration(db: Any, platform: Platform, tool_key: tuple[str, str, str]) -> PlatformRegistration:
    private_pem, public_pem, kid = tool_key
    row = PlatformRegistration.objects.create(
        name="District Canvas",
        issuer=ISS,
        client_id=CLIENT_ID,
        auth_login_url=ISS + "/api/lti/authorize_redirect",
        auth_token_url=platform.token_url,
        key_set_url=platform.url + "/jwks",
        tool_private_key_encrypted=encrypt_private(private_pem.encode()),
        tool_public_key_pem=public_pem,
        tool_kid=kid,
    )
    PlatformDeployment.objects.create(registration=row, deployment_id=DEPLOYMENT)
    platform.state = PlatformState(tool_public_pem=public_pem)
    return row


def id_token(platform: Platform, *, nonce: str, key_pem: str | None = None, **claims: Any) -> str:
    """An id_token as the platform signs it; a claim given as None is left out."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISS,
        "aud": CLIENT_ID,
        "sub": SUB,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "name": "Edna Launch",
        "email": "edna.lms@district.example",
        CLAIM + "deployment_id": DEPLOYMENT,
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "roles": [LEARNER],
        CLAIM + "target_link_uri": "http://testserver/lti/launch/",
        CLAIM + "resource_link": {"id": "rl-algebra-1"},
        CLAIM + "context": {"id": "course-7", "title": "Algebra 1"},
        CLAIM + "custom": {"credential": "classkick-collaboration"},
        AGS_CLAIM: {"scope": [SCORE_SCOPE], "lineitem": platform.lineitem_url},
    }
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode(body, key_pem or platform.private_pem, algorithm="RS256", headers={"kid": KID})


def login_start(client: Client) -> tuple[str, str]:
    """The platform's login initiation; our redirect's state and nonce."""
    response = client.post(
        "/lti/login/",
        {
            "iss": ISS,
            "login_hint": "hint-42",
            "client_id": CLIENT_ID,
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(ISS + "/api/lti/authorize_redirect?")
    return query["state"][0], query["nonce"][0]


def launch(client: Client, platform: Platform, **claims: Any) -> Any:
    state, nonce = login_start(client)
    claims.setdefault("nonce", nonce)
    token = id_token(platform, **claims)
    return client.post("/lti/launch/", {"id_token": token, "state": state})


@pytest.fixture
def lms_client() -> Client:
    # The platform posts across sites without our CSRF token: the launch must not need one.
    return Client(enforce_csrf_checks=True)
