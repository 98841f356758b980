"""The proof configuration's canonical N-Quads, written from a template (awards.proof.proof_config_nquads), are the
ones JSON-LD and RDFC-1.0 make of it; any configuration of another shape goes through JSON-LD."""

from __future__ import annotations

from typing import Any

import pytest

from awards.jsonld import OB_V3, VC_V2, canonize
from awards.proof import CRYPTOSUITE, PROOF_TYPE, hash_data, proof_config_nquads

METHODS = [
    "did:web:127.0.0.1%3A8000:issuers:classkick#key-1",
    "did:web:microcred.example:issuers:educators-rising#key-12",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
]
CREATED = [
    "2026-11-29T14:09:14Z",
    "2024-02-29T23:59:59.123456Z",
    "2026-01-01T00:00:00+02:00",
    "1999-12-31T12:00:00-05:30",
]


def _config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": CREATED[0],
        "verificationMethod": METHODS[0],
        "proofPurpose": "assertionMethod",
    }
    config.update(changes)
    return {key: value for key, value in config.items() if value is not None}


@pytest.mark.parametrize("context", [[VC_V2], [VC_V2, OB_V3]])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("created", CREATED)
def test_the_template_writes_what_json_ld_makes(context: list[str], method: str, created: str) -> None:
    config = _config(**{"@context": context, "verificationMethod": method, "created": created})
    written = proof_config_nquads(config)
    assert written is not None
    assert written == canonize(config)


@pytest.mark.parametrize(
    "changes",
    [
        {"@context": [OB_V3, VC_V2]},  # another order: another active context
        {"@context": VC_V2},  # a string, not the list this site writes
        {"@context": [VC_V2, "https://w3id.org/security/data-integrity/v2"]},
        {"proofPurpose": "authentication"},
        {"cryptosuite": "ecdsa-rdfc-2019"},
        {"type": "Ed25519Signature2020"},
        {"created": "2026-11-29 14:09:14Z"},  # not an xsd:dateTime
        {"created": '2026-11-29T14:09:14Z" .'},  # would break out of the literal
        {"verificationMethod": "https://issuer.example/keys/1"},  # not a DID: JSON-LD decides how it expands
        {"verificationMethod": "did:web:x.example#key-1> <http://evil.example/"},
        {"verificationMethod": "key-1"},  # relative
        {"challenge": "abc"},  # one more statement
        {"created": None},  # one fewer
    ],
)
def test_any_other_shape_goes_through_json_ld(changes: dict[str, Any]) -> None:
    assert proof_config_nquads(_config(**changes)) is None


def test_a_hash_made_through_json_ld_equals_the_templated_one() -> None:
    document = {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": "did:web:x.example"}
    options = _config(**{"@context": None})
    templated = hash_data(document, options)
    # The same statements, written so that the template does not apply (a string context): JSON-LD makes them.
    assert proof_config_nquads({**options, "@context": VC_V2}) is None
    assert hash_data({**document, "@context": VC_V2}, options) == templated
