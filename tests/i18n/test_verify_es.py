"""The verifier's sentences in the reader's language: the /verify page in Spanish says why each check failed in
Spanish (the proof's, the structure's and the baked image's words included); the API keeps its reason codes and
check ids whatever the language, its sentences following Accept-Language."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from awards.baking import PNG_SIGNATURE

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "awards" / "dbz-didkey-credential.json"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.clear()
    yield
    translation.activate("en")


@pytest.fixture
def changed() -> dict[str, Any]:
    """A did:key credential (verified offline) changed after signing, and missing a property OB 3.0 requires."""
    credential = json.loads(FIXTURE.read_text())
    credential = copy.deepcopy(credential)
    credential["credentialSubject"]["achievement"]["name"] = "Peer Coaching (Advanced)"
    del credential["credentialSubject"]["achievement"]["description"]
    return credential


def test_the_verify_page_says_why_in_spanish(client: Client, changed: dict[str, Any]):
    html = client.post("/verify/", {"credential": json.dumps(changed)}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "la firma no coincide con la credencial: se modificó después de firmarse" in html
    assert "credential.credentialSubject.achievement.description: es obligatorio" in html
    assert "changed after signing" not in html
    assert "is required" not in html


def test_a_credential_without_a_proof_is_explained_in_spanish(client: Client, changed: dict[str, Any]):
    del changed["proof"]
    html = client.post("/verify/", {"credential": json.dumps(changed)}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "la credencial no tiene una prueba Data Integrity" in html
    assert "has no Data Integrity proof" not in html


def test_an_image_without_a_credential_is_refused_in_spanish(client: Client):
    png = SimpleUploadedFile("badge.png", PNG_SIGNATURE + b"\x00\x00\x00\x00IEND\xaeB`\x82", "image/png")
    html = client.post("/verify/", {"image": png}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "este PNG no contiene una credencial Open Badges 3.0" in html
    assert "carries no Open Badges" not in html


def test_the_api_keeps_its_codes_and_follows_the_readers_language(client: Client, changed: dict[str, Any]):
    english = client.post("/api/v1/verify", changed, content_type="application/json").json()
    spanish = client.post("/api/v1/verify", changed, content_type="application/json", HTTP_ACCEPT_LANGUAGE="es").json()

    def codes(body: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(c["id"], c["outcome"], c["reason"]) for c in body["checks"]]

    assert codes(spanish) == codes(english)
    assert ("signature", "failed", "signature_mismatch") in codes(spanish)
    signature = {c["id"]: c["detail"] for c in spanish["checks"]}["signature"]
    assert signature == "la firma no coincide con la credencial: se modificó después de firmarse"
    english_signature = {c["id"]: c["detail"] for c in english["checks"]}["signature"]
    assert english_signature == "the signature does not match the credential: it was changed after signing"
