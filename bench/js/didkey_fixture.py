"""Writes tests/fixtures/awards/dbz-didkey-credential.json: an Open Badges 3.0 credential signed by Digital Bazaar's
stack (@digitalbazaar/vc with eddsa-rdfc-2022, the bench kit) for a did:key issuer whose Ed25519 key comes from a
fixed test seed, so the verifier's tests have a third-party signature they can check offline.

Run once from the checkout: `.venv/bin/python bench/js/didkey_fixture.py`. It installs the kit as bench/reference.py
does (npm ci into the cache folder), hands it microcred's shipped contexts and the did:key document (nothing is
fetched), asks it to sign the credential and then to verify its own signature, and writes the signed JSON.
Ed25519 is deterministic, so running it again writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from awards.jsonld import OB_V3, SHIPPED, VC_V2, context_document  # noqa: E402
from awards.multibase import ed25519_multikey, encode_base58btc  # noqa: E402
from bench.reference import kit, node_call  # noqa: E402

# Test-only key material: anyone can derive it, so it must never sign anything but fixtures.
SEED = hashlib.sha256(b"microcred test fixture: did:key issuer").digest()
OUT = ROOT / "tests" / "fixtures" / "awards" / "dbz-didkey-credential.json"
CREATED = "2026-01-15T10:00:00Z"


def key_material() -> tuple[str, dict[str, str], dict[str, Any]]:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    raw = serialization.Encoding.Raw
    public = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    multikey = ed25519_multikey(public)
    did = f"did:key:{multikey}"
    method = f"{did}#{multikey}"
    key = {
        "id": method,
        "controller": did,
        "publicKeyMultibase": multikey,
        # ed25519-priv multicodec (0x1300 as a varint) before the seed and the public key, as Multikey writes it
        "secretKeyMultibase": encode_base58btc(b"\x80\x26" + SEED + public),
    }
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}],
        "assertionMethod": [method],
    }
    return did, key, document


def unsigned(did: str) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_V3],
        "id": "urn:uuid:5c3e1f0a-7d4b-4e8a-9a61-2f0c8d9b7e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Peer Coaching",
        "issuer": {"id": did, "type": ["Profile"], "name": "Example Teaching Collaborative"},
        "validFrom": "2026-01-15T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-4711",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/achievements/peer-coaching",
                "type": ["Achievement"],
                "name": "Peer Coaching",
                "description": "Coached a colleague through three observed lessons and a written debrief.",
                "criteria": {"narrative": "Three observed lessons, each followed by a debrief the colleague signs."},
            },
        },
    }


def main() -> int:
    folder = kit()
    if folder is None:
        return 1
    did, key, document = key_material()
    request = {
        "contexts": {url: context_document(url) for url in SHIPPED},
        "documents": {did: document},
        "key": key,
        "sign": {"credential": {"credential": unsigned(did), "created": CREATED}},
    }
    signed = node_call(folder, request)["signed"]["credential"]
    if "error" in signed:
        print(f"Digital Bazaar could not sign it: {signed['error']}")
        return 1
    verdict = node_call(folder, {**request, "sign": {}, "verify": {"credential": signed}})["verified"]["credential"]
    if not verdict["verified"]:
        print(f"Digital Bazaar does not verify its own signature: {verdict['error']}")
        return 1
    OUT.write_text(json.dumps(signed, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} (verified by Digital Bazaar's stack)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
