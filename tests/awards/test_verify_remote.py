"""did:web issuers of other hosts and their status lists: fetched only when allowed, over https, from public
addresses, within size and time limits, and cached.

The servers are real HTTPS servers on 127.0.0.1 (tests/awards/verify_hosts.py). The production rule refuses that
address, which is what the refusal tests show (the server records no request at all). To reach the success path,
the tests set VERIFY_FETCH_ALLOW_NETWORKS to 127.0.0.1 — a setting never read from the environment and ignored
in production — and trust the test run's own certificate authority through VERIFY_FETCH_CA_FILE; everything
else (DNS lookup of `localhost`, the pinned connection, TLS with hostname checks, the limits) runs as it would.
"""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from awards.fetch import FetchError, fetch_document
from awards.multibase import ed25519_multikey, encode_base64url
from awards.proof import proof_add
from awards.verify import verify_credential

# The fixtures `certificates`, `server`, `host` and `reachable`, shared with the OB 2.0 tests.
from tests.awards.verify_hosts import Host, Route, certificates_fixture, host_fixture, reachable_fixture, server_fixture  # noqa: F401

KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def did_of(host: Host, name: str = "localhost") -> str:
    return f"did:web:{name}%3A{host.port}:issuers:tc"


def did_document(did: str) -> dict[str, Any]:
    public = KEY.public_key().public_bytes_raw()
    method = {
        "id": f"{did}#key-1",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": ed25519_multikey(public),
    }
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [method["id"]],
    }


def signed_credential(did: str, *, status_url: str | None = None) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:8f0e5a52-3c1d-4f58-9b7e-1b2c3d4e5f60",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Lesson Study",
        "issuer": {"id": did, "type": ["Profile"], "name": "Teaching Collaborative"},
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/achievements/lesson-study",
                "type": ["Achievement"],
                "name": "Lesson Study",
                "description": "Planned, taught and revised one lesson with two colleagues.",
                "criteria": {"narrative": "Planned, taught and revised one lesson with two colleagues."},
            },
        },
    }
    if status_url:
        credential["credentialStatus"] = {
            "id": f"{status_url}#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": status_url,
        }
    created = datetime(2026, 2, 1, tzinfo=UTC)
    return proof_add(credential, private_key=KEY, verification_method=f"{did}#key-1", created=created)


def status_list(did: str, url: str, *, revoked: set[int]) -> dict[str, Any]:
    bits = bytearray(16384)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    listed = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_base64url(gzip.compress(bytes(bits), mtime=0)),
        },
    }
    return proof_add(
        listed, private_key=KEY, verification_method=f"{did}#key-1", created=datetime(2026, 2, 1, tzinfo=UTC)
    )


def serve(host: Host, path: str, document: dict[str, Any]) -> None:
    host.routes[path] = Route(json.dumps(document).encode())


def publish(host: Host, *, revoked: set[int] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    did = did_of(host)
    status_url = host.url("/status/1")
    serve(host, "/issuers/tc/did.json", did_document(did))
    serve(host, "/status/1", status_list(did, status_url, revoked=set(revoked)))
    return signed_credential(did, status_url=status_url)


# ----- refused without a request ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_a_did_web_issuer_on_a_private_address_is_refused_without_any_request(db, host, name):
    did = did_of(host, name)
    serve(host, "/issuers/tc/did.json", did_document(did))
    report = verify_credential(signed_credential(did))
    key = report.check("issuer_key")
    assert key.outcome == "failed"
    assert key.reason == "refused_address"
    assert "127.0.0.1" in key.detail
    assert report.check("signature").reason == "signature_unchecked"
    assert host.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/.well-known/did.json",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/did.json",
        "https://[::ffff:127.0.0.1]/did.json",
        "https://[64:ff9b::a00:1]/did.json",
        "https://[2002:c0a8:101::1]/did.json",
        "https://[fd00::1]/did.json",
        "https://100.64.0.1/did.json",
        "https://224.0.0.1/did.json",
        "https://0.0.0.0/did.json",
    ],
)
def test_private_link_local_shared_multicast_and_mapped_addresses_are_refused(db, host, url):
    with pytest.raises(FetchError) as refused:
        fetch_document(url=url)
    assert refused.value.reason == "refused_address"


def test_nothing_is_fetched_while_the_setting_is_off(db, reachable, settings):
    settings.VERIFY_FETCH_REMOTE = False
    report = verify_credential(publish(reachable))
    assert report.check("issuer_key").reason == "fetch_disabled"
    assert reachable.requests == []


def test_an_http_status_list_is_refused_without_a_request(db, reachable):
    publish(reachable)
    credential = signed_credential(did_of(reachable), status_url=f"http://localhost:{reachable.port}/status/1")
    report = verify_credential(credential)
    assert report.check("status").reason == "refused_url"
    assert "only https://" in report.check("status").detail
    assert "/status/1" not in reachable.requests


# ----- the allowed path --------------------------------------------------------------------------------------


def test_a_did_web_credential_verifies_and_the_second_time_comes_from_the_cache(db, reachable):
    credential = publish(reachable)
    report = verify_credential(credential)
    assert report.valid, [(c.id, c.detail) for c in report.checks if not c.passed]
    assert "fetched from https://localhost" in report.check("issuer_key").detail
    assert sorted(reachable.requests) == ["/issuers/tc/did.json", "/status/1"]
    again = verify_credential(copy.deepcopy(credential))
    assert again.valid
    assert len(reachable.requests) == 2  # both documents answered from the cache


def test_a_tampered_did_web_credential_fails_on_its_signature(db, reachable):
    credential = publish(reachable)
    credential["credentialSubject"]["achievement"]["name"] = "Lesson Study, with honours"
    report = verify_credential(credential)
    assert report.check("issuer_key").passed
    assert report.check("signature").reason == "signature_mismatch"


def test_a_credential_revoked_in_a_remote_status_list_is_reported_revoked(db, reachable):
    report = verify_credential(publish(reachable, revoked={5}))
    assert report.check("status").reason == "revoked"
    assert report.check("signature").passed


def test_a_status_list_signed_by_someone_else_is_not_trusted(db, reachable):
    credential = publish(reachable)
    listed = json.loads(reachable.routes["/status/1"].body)
    listed["credentialSubject"]["encodedList"] = encode_base64url(gzip.compress(b"\xff" * 16384, mtime=0))
    serve(reachable, "/status/1", listed)
    report = verify_credential(credential)
    assert report.check("status").reason == "status_unavailable"
    assert "cannot be trusted" in report.check("status").detail


# ----- limits -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("declare_length", [True, False])
def test_an_oversized_answer_is_refused(db, reachable, declare_length):
    credential = publish(reachable)
    reachable.routes["/issuers/tc/did.json"] = Route(b" " * 5000 + b"{}", declare_length=declare_length)
    report = verify_credential(credential)
    assert report.check("issuer_key").reason == "fetch_failed"
    assert "larger than 4096 bytes" in report.check("issuer_key").detail


def test_a_slow_answer_is_refused(db, reachable):
    credential = publish(reachable)
    reachable.routes["/issuers/tc/did.json"] = Route(b"{}", stall=True)
    report = verify_credential(credential)
    assert report.check("issuer_key").reason == "fetch_failed"
    assert "no complete answer within 1 seconds" in report.check("issuer_key").detail


def test_a_redirect_is_not_followed(db, reachable):
    credential = publish(reachable)
    reachable.routes["/issuers/tc/did.json"] = Route(b"", status=302, location=reachable.url("/elsewhere.json"))
    report = verify_credential(credential)
    assert "redirect" in report.check("issuer_key").detail
    assert "/elsewhere.json" not in reachable.requests


def test_a_certificate_from_an_unknown_authority_is_refused(db, reachable, settings):
    settings.VERIFY_FETCH_CA_FILE = ""  # the system's authorities, which never signed the test certificate
    report = verify_credential(publish(reachable))
    assert report.check("issuer_key").reason == "fetch_failed"
    assert "TLS" in report.check("issuer_key").detail
