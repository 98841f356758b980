"""Repeat verifications come from the cache, and every change that matters shows in the very next result:
revoking the credential, rotating or replacing the issuer's key, passing validUntil."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache

from awards import keys as keyring
from awards.models import Badge, IssuerKey
from awards.proof import iso_seconds, proof_add
from awards.services import badge_revoke
from awards.services.keys import issuer_keys_create
from awards.verify import verify_credential
from awards.verify_cache import input_digest, reading_get, result_key, verify_cache_clear
from pages.awards.badge_page import qr_svg


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    verify_cache_clear()


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def outcomes(report) -> dict[str, str]:
    return {check.id: check.outcome for check in report.checks}


def test_a_repeat_verification_is_answered_from_the_cache_with_one_query(badge, django_assert_num_queries):
    for data in (badge.document_text, badge.jwt, badge.document):
        first = verify_credential(data)
        digest = input_digest(data)
        reading = reading_get(digest) if digest else None
        key = result_key(digest, reading) if digest and reading else None
        assert first.valid
        assert key is not None
        assert cache.get(key) is not None
        # One query reads the issuer's key state and the status list version; nothing is recomputed.
        with django_assert_num_queries(1):
            again = verify_credential(data)
        assert again.as_dict() == first.as_dict()


def test_a_first_verification_reads_the_issuer_once(badge, django_assert_num_queries):
    # The key check, the status check (the list and the key that signed it) and the result's key all come from
    # one reading of the issuer's key rows with the status list.
    for data in (badge.document_text, badge.jwt):
        verify_cache_clear()
        with django_assert_num_queries(1):
            assert verify_credential(data).valid


def test_a_credential_read_from_text_is_never_shared_between_calls(badge):
    first = verify_credential(badge.document_text)
    assert first.credential is not None
    first.credential["name"] = "changed by the caller"
    again = verify_credential(badge.document_text)
    assert again.credential is not None
    assert again.credential["name"] == badge.document["name"] != "changed by the caller"
    assert again.as_dict()["checks"] == first.as_dict()["checks"]


def test_revoking_changes_the_very_next_result(badge, issuer_admin):
    assert verify_credential(badge.document_text).valid
    assert verify_credential(badge.jwt).valid
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    for data in (badge.document_text, badge.jwt):
        report = verify_credential(data)
        assert not report.valid
        assert report.check("status").detail == "revoked: the issuer has revoked this credential"


def test_rotating_the_issuer_key_changes_the_very_next_result(badge):
    assert "(active)" in verify_credential(badge.document_text).check("issuer_key").detail
    issuer_keys_create(issuer=badge.issuer, rotate=True)
    report = verify_credential(badge.document_text)
    assert report.valid  # a retired key is still published, so the credential keeps verifying
    assert "(retired, still published for verification)" in report.check("issuer_key").detail


def test_a_replaced_public_key_changes_the_very_next_result(badge):
    assert verify_credential(badge.document_text).valid
    other, _ = keyring.new_key_material(IssuerKey.Algorithm.ED25519)
    IssuerKey.objects.filter(pk=badge.signing_key_id).update(public_key_multibase=other)
    assert outcomes(verify_credential(badge.document_text))["signature"] == "failed"


def test_passing_valid_until_changes_the_very_next_result(badge):
    # A credential issued with a short validity: the badge's claims, valid for one more hour, signed again
    # with the issuer's own key.
    unsigned = {k: v for k, v in badge.document.items() if k != "proof"}
    issued = badge.issued_at
    unsigned["validUntil"] = iso_seconds(issued + timedelta(hours=1))
    key = Badge.objects.select_related("signing_key").get(pk=badge.pk).signing_key
    short = proof_add(
        unsigned,
        private_key=keyring.ed25519_private(key),
        verification_method=keyring.verification_method_id(key),
        created=issued,
    )
    before = issued + timedelta(minutes=59, seconds=59)
    assert verify_credential(short, now=before).valid
    assert verify_credential(short, now=before).valid  # now from the cache
    report = verify_credential(short, now=issued + timedelta(hours=1))
    assert outcomes(report) == {
        "structure": "passed",
        "terms": "passed",
        "signature": "passed",
        "issuer_key": "passed",
        "status": "passed",
        "dates": "failed",
    }
    assert report.check("dates").detail.startswith("expired: valid until")


def test_the_badge_page_shows_live_results_after_revocation(client, badge, issuer_admin):
    page = f"/awards/{badge.uuid}/"
    qr_svg.cache_clear()
    first = client.get(page).content.decode()
    assert "not revoked (checked against the issuer&#x27;s signed status list)" in first
    assert "verified as well" in first
    # The repeat view, from the cache, says the same (each page's form carries its own CSRF token).
    assert without_csrf(client.get(page).content.decode()) == without_csrf(first)
    assert qr_svg.cache_info().misses == 1  # the QR code was drawn once
    badge_revoke(admin=issuer_admin, badge=badge, reason="Issued in error, sorry.")
    after = client.get(page).content.decode()
    assert "revoked: the issuer has revoked this credential" in after
    assert "not verified" in after


def test_a_credential_given_as_an_object_is_answered_from_the_cache_as_given(badge):
    # The badge page passes the parsed document: a repeat with an equal object, read from the cache, reports
    # that object as the credential, and one changed after a check is judged anew on what it now says.
    first = badge.document
    assert verify_credential(first).valid
    again = badge.document
    report = verify_credential(again)
    assert report.valid
    assert id(report.credential) == id(again)
    again["validUntil"] = "2001-01-01T00:00:00Z"
    changed = verify_credential(again)
    assert id(changed.credential) == id(again)
    assert outcomes(changed)["dates"] == "failed"
    assert outcomes(changed)["signature"] == "failed"
    assert verify_credential(badge.document).valid


def test_an_object_and_its_text_are_kept_apart(badge):
    # The stored text is exactly json.dumps of the object: verifying the object first must not hand its
    # reading (kept without the object's body) to the text, nor the other way round.
    assert badge.document_text == json.dumps(badge.document, ensure_ascii=False)
    assert input_digest(badge.document) != input_digest(badge.document_text)
    assert verify_credential(badge.document).valid
    text = verify_credential(badge.document_text)
    assert text.valid
    assert text.credential == badge.document
    assert verify_credential(badge.document_text.encode()).credential == badge.document
