"""A credential signed by Digital Bazaar's stack for a did:key issuer: verified offline, its signature computed,
so a changed copy fails on its signature and not on its key. The fixture is made by bench/js/didkey_fixture.py
(see tests/fixtures/awards/README.md)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from awards.verify import verify_credential
from awards.verify_cache import verify_cache_clear

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "awards" / "dbz-didkey-credential.json"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    verify_cache_clear()


@pytest.fixture
def signed() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def outcomes(report: Any) -> dict[str, str]:
    return {check.id: check.outcome for check in report.checks}


def test_the_digital_bazaar_signed_did_key_credential_verifies_offline(db, settings, signed):
    settings.VERIFY_FETCH_REMOTE = False  # nothing may be fetched: did:key is resolved from the identifier
    report = verify_credential(json.dumps(signed))
    assert report.valid, [(c.id, c.detail) for c in report.checks]
    assert report.check("signature").detail == "the eddsa-rdfc-2022 proof matches every signed statement"
    assert "is a did:key" in report.check("issuer_key").detail


def test_a_copy_with_one_changed_field_fails_on_its_signature(db, signed):
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Peer Coaching (Advanced)"
    report = verify_credential(changed)
    assert outcomes(report) == {
        "structure": "passed",
        "terms": "passed",
        "signature": "failed",
        "issuer_key": "passed",  # the key was found: the failure is the signature's own
        "status": "passed",
        "dates": "passed",
    }
    assert report.check("signature").reason == "signature_mismatch"
    assert "changed after signing" in report.check("signature").detail
    assert report.failed_reasons == ["signature_mismatch"]


def test_a_changed_date_and_a_changed_proof_option_fail_on_the_signature_too(db, signed):
    for path, value in ((("validFrom",), "2020-01-01T00:00:00Z"), (("proof", "created"), "2026-01-16T10:00:00Z")):
        changed = copy.deepcopy(signed)
        changed[path[0]] = value if len(path) == 1 else {**changed[path[0]], path[1]: value}
        report = verify_credential(changed)
        assert report.check("signature").reason == "signature_mismatch", path
        assert report.check("issuer_key").passed


def test_a_credential_naming_another_issuer_than_the_did_key_is_refused(db, signed):
    changed = copy.deepcopy(signed)
    changed["issuer"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    report = verify_credential(changed)
    assert report.check("issuer_key").reason == "issuer_mismatch"
    assert report.check("signature").reason == "signature_mismatch"


def test_a_did_key_method_with_another_fragment_is_not_resolved(db, signed):
    changed = copy.deepcopy(signed)
    did = changed["issuer"]["id"]
    changed["proof"]["verificationMethod"] = f"{did}#key-1"
    report = verify_credential(changed)
    assert report.check("issuer_key").reason == "key_unresolved"
    assert report.check("signature").reason == "signature_unchecked"


def test_the_verify_page_says_which_check_failed(client, db, signed):
    html = client.post("/verify/", {"credential": json.dumps(signed)}).content.decode()
    assert "Verified: every check passed." in html
    changed = copy.deepcopy(signed)
    changed["name"] = "Peer Coaching!"
    html = client.post("/verify/", {"credential": json.dumps(changed)}).content.decode()
    assert "Not verified: signature failed." in html
    assert "Signature: computed, and it does not match the credential" in html


def test_the_verify_api_returns_the_reason_of_each_failed_check(client, db, signed):
    changed = copy.deepcopy(signed)
    changed["name"] = "Peer Coaching!"
    response = client.post("/api/v1/verify", changed, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    reasons = {check["id"]: check["reason"] for check in body["checks"]}
    assert reasons["signature"] == "signature_mismatch"
    assert reasons["issuer_key"] == ""
