"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0).

Signing: canonicalise the proof options and the unsigned document with RDFC-1.0, hash each with
SHA-256, sign proofHash || documentHash with Ed25519, and write the signature as base58btc multibase.
Verifying recomputes the same bytes from what the document says, so any change to a signed statement
(or to the proof options) breaks the signature.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.utils.translation import gettext as _

from awards.jsonld import canonize
from awards.multibase import MultibaseError, decode_base58btc, encode_base58btc
from awards.rdfc import TooComplex

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """The proof is missing, malformed, or does not match the document; its message is in the active language
    (the verify page's reader's), while the verifier's reason codes say the same to machines."""


def iso_seconds(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_data(document: dict[str, Any], proof_options: dict[str, Any], *, document_nquads: str | None = None) -> bytes:
    """proofConfigHash || transformedDocumentHash, as the cryptosuite specifies (`document_nquads`: the
    unsigned document's canonical N-Quads when the caller already has them)."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = unsigned.get("@context")
    if document_nquads is None:
        document_nquads = canonize(unsigned)
    document_hash = hashlib.sha256(document_nquads.encode("utf-8")).digest()
    config_hash = hashlib.sha256(canonize(config).encode("utf-8")).digest()
    return config_hash + document_hash


def proof_add(
    document: dict[str, Any], *, private_key: ed25519.Ed25519PrivateKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """The document with a Data Integrity proof made by `private_key`."""
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_seconds(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(document, options))
    signed = copy.deepcopy({key: value for key, value in document.items() if key != "proof"})
    signed["proof"] = {**options, "proofValue": encode_base58btc(signature)}
    return signed


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The single eddsa-rdfc-2022 proof of a document; ProofError naming what is wrong otherwise."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError(_("expected one proof, found %(count)s") % {"count": len(proof)})
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError(_("the credential has no Data Integrity proof"))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            _("the proof is %(type)s / %(suite)s; only %(expected_type)s with %(expected_suite)s is supported")
            % {
                "type": repr(proof.get("type")),
                "suite": repr(proof.get("cryptosuite")),
                "expected_type": PROOF_TYPE,
                "expected_suite": CRYPTOSUITE,
            }
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError(
            _("the proof's purpose is %(purpose)s, not assertionMethod") % {"purpose": repr(proof.get("proofPurpose"))}
        )
    for key in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(key), str):
            raise ProofError(_("the proof has no %(key)s") % {"key": key})
    return proof


def proof_verify(
    document: dict[str, Any],
    *,
    public_key: ed25519.Ed25519PublicKey,
    document_nquads: Callable[[], str | None] | None = None,
) -> None:
    """Raise ProofError unless the document's proof is a valid signature by `public_key`.

    `document_nquads` may give the unsigned document's canonical N-Quads (or None to have them made here), for a
    caller that expanded the document already (awards.jsonld.check)."""
    proof = proof_of(document)
    try:
        signature = decode_base58btc(proof["proofValue"])
    except MultibaseError as error:
        raise ProofError(_("the proofValue is not base58btc multibase: %(error)s") % {"error": error}) from None
    if len(signature) != 64:
        raise ProofError(_("the proofValue is not a 64-byte Ed25519 signature"))
    try:
        signed_bytes = hash_data(document, proof, document_nquads=document_nquads() if document_nquads else None)
    except TooComplex as error:
        raise ProofError(str(error)) from None
    try:
        public_key.verify(signature, signed_bytes)
    except InvalidSignature:
        raise ProofError(_("the signature does not match the credential: it was changed after signing")) from None
