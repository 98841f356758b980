"""Open Badges 2.0 assertions of another issuer, hosted and signed, checked against what the issuer's host serves
(a real HTTPS server on 127.0.0.1, reached as tests/awards/test_verify_remote.py explains)."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from awards.verify import verify_credential

# The fixtures `certificates`, `server`, `host` and `reachable`.
from tests.awards.verify_hosts import Host, Route, certificates_fixture, host_fixture, reachable_fixture, server_fixture  # noqa: F401

OB2 = "https://w3id.org/openbadges/v2"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def serve(host: Host, path: str, document: dict[str, Any], *, status: int = 200) -> None:
    host.routes[path] = Route(json.dumps(document).encode(), status=status)


def issuer_site(host: Host, *, key_pem: str | None = None, revoked: list[str] | None = None) -> None:
    profile: dict[str, Any] = {"@context": OB2, "type": "Issuer", "id": host.url("/issuer"), "name": "Teaching Lab"}
    if key_pem:
        profile["publicKey"] = host.url("/keys/1")
        serve(
            host,
            "/keys/1",
            {
                "@context": OB2,
                "type": "CryptographicKey",
                "id": host.url("/keys/1"),
                "owner": host.url("/issuer"),
                "publicKeyPem": key_pem,
            },
        )
    if revoked is not None:
        profile["revocationList"] = host.url("/revocations")
        serve(
            host,
            "/revocations",
            {
                "@context": OB2,
                "id": host.url("/revocations"),
                "type": "RevocationList",
                "issuer": host.url("/issuer"),
                "revokedAssertions": revoked,
            },
        )
    serve(host, "/issuer", profile)
    badge_class = {
        "@context": OB2,
        "type": "BadgeClass",
        "id": host.url("/badges/1"),
        "name": "Mentor",
        "description": "Mentored a new teacher for a year.",
        "image": host.url("/badges/1.png"),
        "criteria": {"narrative": "A year of weekly mentoring."},
        "issuer": host.url("/issuer"),
    }
    serve(host, "/badges/1", badge_class)


def assertion(host: Host, verification: dict[str, Any], *, number: int = 7) -> dict[str, Any]:
    return {
        "@context": OB2,
        "type": "Assertion",
        "id": host.url(f"/assertions/{number}") if verification["type"] == "hosted" else f"urn:uuid:0000-{number}",
        "recipient": {"type": "email", "hashed": False, "identity": "teacher@example.org"},
        "badge": host.url("/badges/1"),
        "verification": verification,
        "issuedOn": "2025-06-01T00:00:00Z",
    }


def outcomes(report: Any) -> dict[str, str]:
    return {check.id: check.outcome for check in report.checks}


# ----- hosted ----------------------------------------------------------------------------------------------------


def test_a_hosted_assertion_identical_to_the_issuers_copy_verifies(db, reachable):
    issuer_site(reachable)
    given = assertion(reachable, {"type": "hosted"})
    serve(reachable, "/assertions/7", given)
    report = verify_credential(json.dumps(given))
    assert report.valid, [(c.id, c.detail) for c in report.checks if not c.passed]
    assert set(outcomes(report)) == {"structure", "signature", "issuer_key", "status", "dates"}


def test_a_tampered_hosted_assertion_fails_on_the_hosted_copy(db, reachable):
    issuer_site(reachable)
    hosted = assertion(reachable, {"type": "hosted"})
    serve(reachable, "/assertions/7", hosted)
    tampered = {**copy.deepcopy(hosted), "issuedOn": "2024-01-01T00:00:00Z"}
    report = verify_credential(tampered)
    assert report.check("signature").reason == "hosted_mismatch"
    assert not report.valid


def test_a_hosted_assertion_the_issuer_answers_gone_is_revoked(db, reachable):
    issuer_site(reachable)
    given = assertion(reachable, {"type": "hosted"})
    serve(reachable, "/assertions/7", {**given, "revoked": True, "revocationReason": "Issued in error"}, status=410)
    report = verify_credential(given)
    assert report.check("status").reason == "revoked"
    assert "Issued in error" in report.check("status").detail


def test_a_hosted_assertion_on_a_private_address_is_refused_without_a_request(db, host):
    issuer_site(host)
    given = assertion(host, {"type": "hosted"})
    serve(host, "/assertions/7", given)
    report = verify_credential(given)
    assert report.check("signature").reason == "refused_address"
    assert host.requests == []


# ----- signed ----------------------------------------------------------------------------------------------------


def pem(key: rsa.RSAPrivateKey) -> str:
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return public.decode("ascii")


def sign(key: rsa.RSAPrivateKey, payload: dict[str, Any]) -> str:
    return jwt.encode(payload, key, algorithm="RS256")


def test_a_signed_assertion_verifies_with_the_issuers_published_key(db, reachable, rsa_key):
    issuer_site(reachable, key_pem=pem(rsa_key), revoked=[])
    token = sign(rsa_key, assertion(reachable, {"type": "signed", "creator": reachable.url("/keys/1")}))
    report = verify_credential(token)
    assert report.valid, [(c.id, c.detail) for c in report.checks if not c.passed]
    assert report.check("signature").detail == "the RS256 signature matches the assertion"


def test_a_tampered_signed_assertion_fails_on_its_signature(db, reachable, rsa_key):
    issuer_site(reachable, key_pem=pem(rsa_key))
    token = sign(rsa_key, assertion(reachable, {"type": "signed", "creator": reachable.url("/keys/1")}))
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["recipient"]["identity"] = "someone-else@example.org"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    report = verify_credential(f"{header}.{forged}.{signature}")
    assert report.check("issuer_key").passed
    assert report.check("signature").reason == "signature_mismatch"


def test_a_signed_assertion_with_a_key_the_issuer_does_not_list_is_refused(db, reachable, rsa_key):
    issuer_site(reachable)  # the profile lists no key
    serve(
        reachable,
        "/keys/1",
        {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": reachable.url("/keys/1"),
            "owner": reachable.url("/issuer"),
            "publicKeyPem": pem(rsa_key),
        },
    )
    token = sign(rsa_key, assertion(reachable, {"type": "signed", "creator": reachable.url("/keys/1")}))
    report = verify_credential(token)
    assert report.check("issuer_key").reason == "issuer_mismatch"
    assert report.check("signature").reason == "signature_unchecked"


def test_a_signed_assertion_on_the_issuers_revocation_list_is_revoked(db, reachable, rsa_key):
    given = assertion(reachable, {"type": "signed", "creator": reachable.url("/keys/1")})
    issuer_site(reachable, key_pem=pem(rsa_key), revoked=[given["id"]])
    report = verify_credential(sign(rsa_key, given))
    assert report.check("signature").passed
    assert report.check("status").reason == "revoked"
