"""Credentials from elsewhere, in the shape the specifications publish: judged correctly, never trusted."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from awards.verify import verify_credential

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "awards"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def outcomes(report):
    return {check.id: check.outcome for check in report.checks}


def test_the_published_ob3_example_is_well_formed_but_from_an_issuer_we_cannot_resolve(db):
    report = verify_credential(load("ob3-example-credential.json"))
    assert outcomes(report) == {
        "structure": "passed",
        "terms": "passed",
        "signature": "failed",
        "issuer_key": "failed",
        "status": "passed",
        "dates": "passed",
    }
    assert report.check("issuer_key").detail.startswith("unknown issuer key (cannot resolve offline)")
    assert report.failed_labels == "signature and issuer key"
    assert not report.valid


def test_the_ob3_example_with_a_required_property_removed_fails_its_structure(db):
    credential = load("ob3-example-credential.json")
    del credential["credentialSubject"]["achievement"]["criteria"]
    del credential["issuer"]["id"]
    report = verify_credential(credential)
    detail = report.check("structure").detail
    assert "credential.credentialSubject.achievement.criteria: is required" in detail
    assert "credential.issuer.id: is required" in detail


def test_the_ob3_example_with_an_invented_property_fails_the_term_check(db):
    credential = load("ob3-example-credential.json")
    credential["credentialSubject"]["grade"] = "A+"
    assert verify_credential(credential).check("terms").outcome == "failed"


def test_the_w3c_example_is_not_an_open_badge_and_names_a_context_we_do_not_ship(db):
    report = verify_credential(load("w3c-vc-example.json"))
    result = outcomes(report)
    assert result["structure"] == "failed"
    assert 'must include "OpenBadgeCredential"' in report.check("structure").detail
    assert result["terms"] == "failed"
    assert "https://www.w3.org/ns/credentials/examples/v2" in report.check("terms").detail
    assert "nothing is fetched at run time" in report.check("terms").detail
    assert result["issuer_key"] == "failed"
    assert "cannot resolve offline" in report.check("issuer_key").detail
    assert result["dates"] == "passed"
    assert not report.valid


def test_a_foreign_vc_jwt_is_reported_as_an_unknown_issuer_key(db):
    credential = load("ob3-example-credential.json")
    del credential["proof"]
    key = ec.generate_private_key(ec.SECP256R1())
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": 1262304000}
    token = jwt.encode(payload, key, algorithm="ES256", headers={"kid": "https://example.com/issuers/876543#key-1"})
    report = verify_credential(token)
    assert report.form == "jwt"
    assert outcomes(report)["structure"] == "passed"
    assert report.check("issuer_key").detail.startswith("unknown issuer key (cannot resolve offline)")


def test_a_foreign_credential_claiming_our_did_is_still_refused(badge):
    # Someone copies our issuer's DID into their own credential and signs it with their own key.
    forged = copy.deepcopy(load("ob3-example-credential.json"))
    forged["issuer"]["id"] = badge.document["issuer"]["id"]
    forged["proof"]["verificationMethod"] = badge.document["proof"]["verificationMethod"]
    report = verify_credential(forged)
    assert report.check("issuer_key").passed  # the key is ours...
    assert report.check("signature").outcome == "failed"  # ...but it never signed this
    assert not report.valid


def test_input_that_is_no_credential_gets_a_clear_message(db):
    cases: list[tuple[str | bytes, str]] = [
        ("hello", "paste a credential as JSON"),
        ("{not json", "the JSON cannot be read"),
        ("[1, 2]", "paste a credential as JSON"),
        (b"\x89PNG\r\n\x1a\nrubbish", "the PNG is truncated"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "no Open Badges 3.0 credential"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><svg/>', "DOCTYPE"),
    ]
    for data, message in cases:
        report = verify_credential(data)
        assert message in report.error, (data, report.error)
        assert not report.valid
        assert not report.checks
