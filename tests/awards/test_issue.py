"""Issuing: the OB 3.0 credential's shape, its proof, tampering, undefined terms, revocation, expiry, keys."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.core import mail
from django.utils import timezone

from awards import keys as keyring
from awards.documents import bit_is_set
from awards.models import Badge, IssuerKey, StatusList
from awards.multibase import decode_base58btc, decode_base64url, ed25519_from_multikey
from awards.proof import hash_data
from awards.services import (
    IssuerKeysMissing,
    NotEarned,
    badge_issue,
    badge_revoke,
    issuer_keys_create,
)
from awards.verify import verify_credential
from catalog.loader import credential_load, definition_parse
from core.audit import audit_trail
from core.errors import InvalidInput, InvalidState, NotAllowed
from submissions.models import EventKind
from submissions.services import attempt_transition, submission_start
from tests.awards.conftest import earn
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit


def failed(report):
    return {check.id for check in report.checks if not check.passed}


def test_an_earned_attempt_is_issued_an_open_badges_3_credential(badge, educator, classkick):
    doc = badge.document
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"] == f"urn:uuid:{badge.uuid}"
    assert doc["issuer"] == {
        "id": "did:web:testserver%3A8000:issuers:classkick",
        "type": ["Profile"],
        "name": "Classkick",
        "url": "https://classkick.com/",
    }
    subject = doc["credentialSubject"]
    email, name = subject["identifier"]
    assert email["identityType"] == "emailAddress"
    assert email["hashed"] is True
    import hashlib

    assert email["identityHash"] == "sha256$" + hashlib.sha256((educator.email + email["salt"]).encode()).hexdigest()
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Edna Educator"}
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert (
        'every reviewer rates every criterion at "Exemplary" or "Accomplished"' in achievement["criteria"]["narrative"]
    )
    assert achievement["criteria"]["id"] == "http://testserver:8000/credentials/classkick-collaboration/#rubric"
    assert achievement["image"]["type"] == "Image"
    assert doc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert doc["credentialStatus"]["statusListCredential"] == "http://testserver:8000/awards/status/classkick/1"
    assert "validUntil" not in doc  # Classkick sets no validity period
    proof = doc["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == "did:web:testserver%3A8000:issuers:classkick#key-1"
    assert proof["proofValue"].startswith("z")
    assert len(decode_base58btc(proof["proofValue"])) == 64
    (issued,) = audit_trail(subject=badge, actions=("badge.issued",))
    assert (issued.actor, issued.new, issued.issuer_id) == (None, str(badge.uuid), badge.issuer_id)
    assert mail.outbox[-1].to == [educator.email]
    assert mail.outbox[-1].subject == "Your Collaboration credential from Classkick is ready to share"


def test_the_educators_rising_credential_carries_its_standards_alignment(badge_er):
    alignment = badge_er.document["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in alignment] == ["I", "II", "IV", "V", "VI", "VII"]
    assert alignment[0] == {
        "type": ["Alignment"],
        "targetName": "Understanding the Profession",
        "targetCode": "I",
        "targetFramework": "Educators Rising Standards",
        "targetUrl": "http://testserver:8000/credentials/educators-rising-collaboration/#standards",
    }
    assert verify_credential(badge_er.document).valid


def test_the_proof_is_an_ed25519_signature_over_the_two_rdfc_hashes(badge):
    # Recomputed by hand from the cryptosuite's steps, independently of proof_verify.
    key = IssuerKey.objects.get(issuer=badge.issuer, algorithm="Ed25519")
    public = ed25519.Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(key.public_key_multibase))
    data = hash_data(badge.document, badge.document["proof"])
    assert len(data) == 64  # sha256(proof config) || sha256(document)
    public.verify(decode_base58btc(badge.document["proof"]["proofValue"]), data)


def test_issuing_twice_returns_the_same_credential(earned, badge):
    assert badge_issue(attempt=earned).pk == badge.pk
    assert Badge.objects.filter(attempt=earned).count() == 1


def test_it_refuses_to_issue_for_an_attempt_that_is_not_earned(educator, classkick):
    definition = classkick.current_version.spec
    submission, _ = submission_start(educator=educator, credential=classkick)
    save(submission, educator, answers_for(definition), ratings_for(definition))
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    attempt = attempt_submit(submission=submission, actor=educator)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    with pytest.raises(NotEarned, match="only an earned attempt"):
        badge_issue(attempt=attempt)
    assert not Badge.objects.exists()


def test_every_issued_credential_verifies_in_both_forms(badge, badge_er):
    for credential in (badge, badge_er):
        assert verify_credential(credential.document).valid
        assert verify_credential(credential.jwt).valid


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path, node


def _mutated(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if value.endswith("Z") and "T" in value:  # a date: still a date, a second later
        return value[:-3] + ("00Z" if value[-3:-1] != "00" else "01Z")
    return value + "x" if not value.endswith("x") else value[:-1] + "y"


def test_changing_any_signed_value_breaks_the_proof(badge):
    document = badge.document
    leaves = [(path, value) for path, value in _leaves(document) if path[0] != "proof"]
    assert len(leaves) > 30
    for path, value in leaves:
        tampered = copy.deepcopy(document)
        target = tampered
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = _mutated(value)
        report = verify_credential(tampered)
        assert not report.valid, path
        # The signature fails, or the change made a context URL we do not ship (so nothing can be checked).
        assert "signature" in failed(report) or path[0] == "@context", (path, [c.detail for c in report.checks])


def test_changing_the_proof_options_breaks_the_proof(badge):
    for key in ("created", "proofValue"):
        tampered = copy.deepcopy(badge.document)
        tampered["proof"][key] = _mutated(tampered["proof"][key]) if key == "created" else "z" + "1" * 60
        assert "signature" in failed(verify_credential(tampered)), key


def test_a_tampered_jwt_fails(badge):
    header, payload, signature = badge.jwt.split(".")
    import base64

    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["name"] = "Something else"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    report = verify_credential(f"{header}.{forged}.{signature}")
    assert "signature" in failed(report)


def test_a_term_no_context_defines_fails_even_though_the_signature_ignores_it(badge):
    tampered = copy.deepcopy(badge.document)
    tampered["credentialSubject"]["achievement"]["secretClaim"] = "summa cum laude"
    report = verify_credential(tampered)
    # JSON-LD drops the undefined key, so the canonical form - and the signature - are unchanged...
    assert report.check("signature").passed
    # ...which is exactly why the term check fails it.
    assert not report.check("terms").passed
    assert "secretClaim" in report.check("terms").detail
    assert not report.valid


def test_an_undefined_type_fails_the_term_check(badge):
    tampered = copy.deepcopy(badge.document)
    tampered["type"].append("HonoursCredential")
    report = verify_credential(tampered)
    assert "terms" in failed(report)
    assert "HonoursCredential" in report.check("terms").detail


def test_a_revoked_credential_reports_revoked(badge, issuer_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        badge_revoke(admin=issuer_admin, badge=badge, reason="Evidence was found to be plagiarised.")
    report = verify_credential(badge.document)
    assert failed(report) == {"status"}
    assert report.check("status").detail.startswith("revoked")
    assert failed(verify_credential(badge.jwt)) == {"status"}
    (event,) = audit_trail(subject=badge, actions=("badge.revoked",))
    assert (event.actor, event.old, event.new, event.issuer_id) == (issuer_admin, "valid", "revoked", badge.issuer_id)
    assert event.data == {"reason": "Evidence was found to be plagiarised."}
    assert "revoked your credential" in mail.outbox[-1].subject


def test_revoking_sets_exactly_that_bit_in_the_published_list(badge, badge_er, issuer_admin):
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    listed = StatusList.objects.get(issuer=badge.issuer).document
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = listed["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    assert "=" not in encoded
    bits = gzip.decompress(decode_base64url(encoded))
    assert len(bits) * 8 == 131072
    assert [i for i in range(131072) if bit_is_set(bits, i)] == [badge.status_index]
    assert verify_credential(listed).check("signature").passed  # the list itself is signed
    # Another issuer's list is untouched.
    assert verify_credential(badge_er.document).valid


def test_only_the_issuers_admin_may_revoke(badge, other_issuer_admin, educator):
    for person in (other_issuer_admin, educator):
        with pytest.raises(NotAllowed):
            badge_revoke(admin=person, badge=badge, reason="Not mine to revoke.")
    assert verify_credential(badge.document).valid


def test_revoking_needs_a_reason(badge, issuer_admin):
    with pytest.raises(InvalidInput, match="reason") as caught:
        badge_revoke(admin=issuer_admin, badge=badge, reason="  ")
    assert [e.field for e in caught.value.errors] == ["reason"]


def test_revoking_twice_is_refused_and_the_first_revocation_stands(badge, issuer_admin, client):
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    with pytest.raises(InvalidState, match="already revoked"):
        badge_revoke(admin=issuer_admin, badge=badge, reason="Second thoughts.")
    client.force_login(issuer_admin)
    response = client.post(f"/awards/{badge.uuid}/revoke/", {"reason": "Once more, with feeling."})
    assert response.status_code == 200
    assert "already revoked" in response.content.decode()
    badge.refresh_from_db()
    assert badge.revocation_reason == "Issued in error, sorry."
    assert audit_trail(subject=badge, actions=("badge.revoked",)).count() == 1


def _with_validity(days):
    path = Path(settings.CREDENTIALS_DIR) / "classkick-collaboration.yaml"
    text = path.read_text() + f"\nvalidity_days: {days}\n"
    credential_load(definition=definition_parse(text, source=path.name), source_name=path.name)


def test_a_validity_period_sets_valid_until_and_an_expired_credential_reports_expired(educator2, classkick):
    _with_validity(365)
    classkick.refresh_from_db()
    badge = badge_issue(attempt=earn(educator2, classkick))
    assert badge.valid_until == badge.issued_at + timedelta(days=365)
    assert badge.document["validUntil"] == badge.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert verify_credential(badge.document).valid
    later = timezone.now() + timedelta(days=366)
    for form in (badge.document, badge.jwt):
        report = verify_credential(form, now=later)
        assert failed(report) == {"dates"}
        assert report.check("dates").detail.startswith("expired")
    assert '"exp"' in json.dumps(verify_credential(badge.jwt).credential)


def test_a_credential_not_yet_valid_is_reported(badge):
    report = verify_credential(badge.document, now=badge.issued_at - timedelta(days=1))
    assert failed(report) == {"dates"}


def test_key_rotation_keeps_old_credentials_verifying(badge, educator2, classkick):
    old_keys = set(IssuerKey.objects.filter(issuer=badge.issuer).values_list("number", flat=True))
    issuer_keys_create(issuer=badge.issuer, rotate=True)
    assert IssuerKey.objects.filter(issuer=badge.issuer, is_active=True).count() == 2
    assert (
        set(IssuerKey.objects.filter(issuer=badge.issuer, is_active=False).values_list("number", flat=True)) == old_keys
    )
    newer = badge_issue(attempt=earn(educator2, classkick))
    assert newer.document["proof"]["verificationMethod"].endswith("#key-3")
    for credential in (badge, newer):
        assert verify_credential(credential.document).valid
        assert verify_credential(credential.jwt).valid
    assert "retired, still published" in verify_credential(badge.document).check("issuer_key").detail


def test_private_keys_are_encrypted_at_rest(badge):
    key = IssuerKey.objects.get(issuer=badge.issuer, algorithm="Ed25519", is_active=True)
    raw = keyring.decrypt_private(key.private_key_encrypted)
    assert len(raw) == 32
    stored = key.private_key_encrypted.encode()
    assert raw not in stored
    assert raw.hex().encode() not in stored
    import base64

    assert base64.b64encode(raw) not in stored
    assert base64.urlsafe_b64encode(raw) not in stored
    # Signing with what the database holds needs the encryption key from settings.
    assert keyring.ed25519_private(key).public_key() is not None


def test_a_wrong_encryption_key_cannot_read_the_keys(badge, settings):
    key = IssuerKey.objects.get(issuer=badge.issuer, algorithm="Ed25519", is_active=True)
    settings.ISSUER_KEY_ENCRYPTION_KEY = "A" * 43 + "="
    with pytest.raises(keyring.IssuerKeyError, match="could not be decrypted"):
        keyring.decrypt_private(key.private_key_encrypted)


def test_production_refuses_to_issue_without_keys_made_by_the_command(earned, settings):
    settings.PRODUCTION = True
    with pytest.raises(IssuerKeysMissing, match=r"manage\.py issuer_keys_create classkick"):
        badge_issue(attempt=earned)
    assert not IssuerKey.objects.exists()
    assert not Badge.objects.exists()


def test_the_did_document_publishes_every_key_controlled_by_the_did(badge, client):
    issuer_keys_create(issuer=badge.issuer, rotate=True)
    response = client.get("/issuers/classkick/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    document = response.json()
    did = "did:web:testserver%3A8000:issuers:classkick"
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["id"] == did
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == [f"{did}#key-{n}" for n in (1, 2, 3, 4)]
    assert all(m["type"] == "Multikey" and m["controller"] == did for m in methods)
    assert methods[0]["publicKeyMultibase"].startswith("z6Mk")  # Ed25519
    assert methods[1]["publicKeyMultibase"].startswith("zDn")  # P-256
    assert document["assertionMethod"] == [m["id"] for m in methods]
    from awards.jsonld import term_check

    assert term_check(document).ok


def test_an_issuer_without_keys_has_no_did_document(classkick, client):
    assert client.get("/issuers/classkick/did.json").status_code == 404
    assert client.get("/issuers/nobody/did.json").status_code == 404


def test_status_indexes_are_unique_and_counted(badge, badge_er, educator2, classkick):
    second = badge_issue(attempt=earn(educator2, classkick))
    assert second.status_list_id == badge.status_list_id
    assert second.status_index != badge.status_index
    assert StatusList.objects.get(pk=badge.status_list_id).used == 2
