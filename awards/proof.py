"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0).

Signing: canonicalise the proof options and the unsigned document with RDFC-1.0, hash each with
SHA-256, sign proofHash || documentHash with Ed25519, and write the signature as base58btc multibase.
Verifying recomputes the same bytes from what the document says, so any change to a signed statement
(or to the proof options) breaks the signature.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.utils.translation import gettext as _

from awards.jsonld import OB_V3, VC_V2, canonize
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
    config_nquads = proof_config_nquads(config) or canonize(config)
    config_hash = hashlib.sha256(config_nquads.encode("utf-8")).digest()
    return config_hash + document_hash


# The contexts whose proof terms are the protected ones of the VC 2.0 context (a later context cannot redefine a
# protected term: JSON-LD refuses it, and the document's own canonicalisation, made first, would have failed).
_PROOF_CONTEXTS = ((VC_V2,), (VC_V2, OB_V3))
# Values that are written into N-Quads as they are: no character RDFC-1.0 escapes, nothing JSON-LD would expand.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_DID = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%#-]+")
# The proof configuration's graph, one blank node, as RDFC-1.0 writes it (its lines in code point order).
_CONFIG_NQUADS = (
    '_:c14n0 <http://purl.org/dc/terms/created> "{created}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"'
    "^^<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> <{method}> .\n"
)


def proof_config_nquads(config: dict[str, Any]) -> str | None:
    """The canonical N-Quads of a proof configuration of the shape this site signs (and most issuers do), written
    out directly; None for any other, which goes through JSON-LD.

    The configuration is a fixed five-statement graph under the protected terms of the VC 2.0 context, so its
    canonical form is a template; going through JSON-LD cost as much as canonicalising a status list itself.
    tests/awards/test_proof_config.py holds it equal to pyld's output and to the fallback's."""
    context = config.get("@context")
    created, method = config.get("created"), config.get("verificationMethod")
    if (
        set(config) != {"@context", "type", "cryptosuite", "created", "verificationMethod", "proofPurpose"}
        or not isinstance(context, list)
        or tuple(context) not in _PROOF_CONTEXTS
        or config["type"] != PROOF_TYPE
        or config["cryptosuite"] != CRYPTOSUITE
        or config["proofPurpose"] != "assertionMethod"
        or not isinstance(created, str)
        or not _DATE_TIME.fullmatch(created)
        or not isinstance(method, str)
        or not _DID.fullmatch(method)
    ):
        return None
    return _CONFIG_NQUADS.format(created=created, method=method)


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
