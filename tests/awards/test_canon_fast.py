"""The fast path through pyld (contexts processed once per process) gives exactly what stock pyld gives.

awards.jsonld keeps pyld's processed type-scoped contexts for the life of the process instead of processing them
again for every node. Every comparison here runs twice (the first call fills the caches, the second uses them)
against stock pyld, which shares none of those caches' keys: the canonical N-Quads, the term check's findings
and pyld's own errors must be the same, on what the suite issues and on documents built to make a cached
context leak into the wrong place.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld as pyld

from awards import jsonld, keys, rdfc
from awards.models import Badge, StatusList
from awards.proof import ProofError, proof_verify
from tests.awards.test_rdfc_oracle import HOSTILE, base_credential, oracle, signed_parts
from tests.awards.test_speed_paths import FIXED_CREDENTIAL


def stock_canonical(document: dict[str, Any]) -> str:
    """Stock pyld's JSON-LD to RDF (no process-wide context caching of ours), then the same writer."""
    dataset = pyld.to_rdf(copy.deepcopy(document), {"documentLoader": jsonld.document_loader})
    return rdfc.canonical_nquads(dataset)


def stock_terms(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What the term check found when it ran on stock pyld's expansion."""
    dropped: list[str] = []
    # The marker base as it was before the fast path (https); the check now uses http, see awards.jsonld.
    options = {"documentLoader": jsonld.document_loader, "base": "https://relative-iri.invalid/"}
    expanded = pyld.expand(
        copy.deepcopy(document), options, on_property_dropped=lambda iri: dropped.append(iri or "(null)")
    )
    relative: list[str] = []
    jsonld._collect_relative(expanded, relative)
    return dropped, relative


def outcome(run: Any, document: dict[str, Any]) -> Any:
    """The result, or the kind of pyld error and its code (a hostile context must fail the same way)."""
    try:
        return run(document)
    except pyld.JsonLdError as error:
        cause = error
        while isinstance(cause.__cause__, pyld.JsonLdError):
            cause = cause.__cause__
        return ("error", cause.type, cause.code)


def same_as_stock(document: dict[str, Any]) -> None:
    expected_nquads = outcome(stock_canonical, document)
    expected_terms = outcome(stock_terms, document)
    for _ in range(2):
        assert outcome(jsonld.canonize, document) == expected_nquads
        report = outcome(jsonld.term_check, document)
        found = report if isinstance(report, tuple) else (report.dropped, report.relative)
        assert found == expected_terms


@pytest.fixture
def cold_caches() -> None:
    pyld._resolved_context_cache.clear()
    jsonld._NON_PROPAGATING_CHILDREN.clear()
    jsonld._RESOLVED_SHIPPED.clear()


# ----- what the suite issues --------------------------------------------------------------------------------


def test_issued_credentials_and_status_lists_canonicalise_as_stock_pyld(
    badge: Badge, badge_er: Badge, cold_caches: None
) -> None:
    rows: list[Badge | StatusList] = [badge, badge_er, badge.status_list, badge_er.status_list]
    for row in rows:
        for part in signed_parts(row.document):
            same_as_stock(part)
        same_as_stock(row.document)  # the term check runs on the signed document, proof included


def test_a_fixed_credential_canonicalises_as_stock_pyld_cold_and_warm(cold_caches: None) -> None:
    same_as_stock(FIXED_CREDENTIAL)
    assert jsonld.canonize(FIXED_CREDENTIAL) == oracle(FIXED_CREDENTIAL)


@pytest.mark.parametrize("document", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_literals_canonicalise_as_stock_pyld(document: dict[str, Any]) -> None:
    same_as_stock(document)


def test_the_type_scoped_contexts_are_processed_once_per_process(
    monkeypatch: pytest.MonkeyPatch, cold_caches: None
) -> None:
    definitions: list[str] = []
    original = pyld.JsonLdProcessor._create_term_definition

    def counting(self: Any, active_ctx: Any, local_ctx: Any, term: str, *args: Any, **kwargs: Any) -> Any:
        definitions.append(term)
        return original(self, active_ctx, local_ctx, term, *args, **kwargs)

    monkeypatch.setattr(pyld.JsonLdProcessor, "_create_term_definition", counting)
    jsonld.canonize(FIXED_CREDENTIAL)
    jsonld.term_check(FIXED_CREDENTIAL)
    assert len(definitions) > 100  # the first credential processes the contexts
    definitions.clear()
    other = copy.deepcopy(FIXED_CREDENTIAL)
    other["credentialSubject"]["achievement"]["name"] = "Another achievement"
    jsonld.canonize(other)
    jsonld.term_check(other)
    assert definitions == []  # every later one finds them processed

    # Stock pyld, for comparison, defines the terms again on every call.
    pyld.to_rdf(copy.deepcopy(other), {"documentLoader": jsonld.document_loader})
    assert len(definitions) > 50


# ----- documents built to make a kept context leak ----------------------------------------------------------


def test_a_term_scoped_to_one_type_stays_undefined_outside_it() -> None:
    # "achievement" is defined only by AchievementSubject's context and "criteria" only by Achievement's: after
    # both have been processed and kept, they still must not apply inside a nested node of another type.
    document = base_credential()
    document["credentialSubject"]["achievement"]["achievement"] = "dropped inside an Achievement"
    document["credentialSubject"]["achievement"]["criteria"]["criteria"] = {"narrative": "nested criteria"}
    same_as_stock(base_credential())  # warm the kept contexts first
    same_as_stock(document)
    report = jsonld.term_check(document)
    assert set(report.dropped) == {"achievement", "criteria"}


def test_undefined_terms_and_types_are_found_wherever_they_are() -> None:
    document = base_credential(favouriteColour="blue")
    document["type"] = ["VerifiableCredential", "NotAType"]
    document["credentialSubject"]["achievement"]["criteria"]["notATerm"] = 1
    document["credentialSubject"]["achievement"]["type"] = ["Achievement", "Unknown"]
    document["issuer"]["id"] = "relative/issuer"
    document["proof"] = {"type": "DataIntegrityProof", "created": "2026-01-01T00:00:00Z", "madeUp": "x"}
    same_as_stock(base_credential())
    same_as_stock(document)
    report = jsonld.term_check(document)
    assert {"favouriteColour", "notATerm", "madeUp"} <= set(report.dropped)
    assert {"NotAType", "Unknown", "relative/issuer"} <= set(report.relative)


def test_inline_contexts_that_propagate_protect_or_nullify_behave_as_in_stock_pyld() -> None:
    vocab = "https://example.org/vocab#"
    propagating_type: dict[str, Any] = {
        "@context": [
            jsonld.VC_V2,
            jsonld.OB_V3,
            {
                "Wide": {"@id": vocab + "Wide", "@context": {"@propagate": True, "colour": vocab + "colour"}},
                "Narrow": {"@id": vocab + "Narrow", "@context": {"colour": vocab + "colour"}},
                "inner": {"@id": vocab + "inner"},
            },
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:issuer.example",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": [
            {"type": "Wide", "colour": "kept", "inner": {"colour": "kept too: the context propagates"}},
            {"type": "Narrow", "colour": "kept", "inner": {"colour": "dropped: it does not"}},
        ],
    }
    redefines_protected = copy.deepcopy(propagating_type)
    redefines_protected["@context"][2]["issuer"] = vocab + "issuer"  # VC 2.0 protects issuer
    nullifies = copy.deepcopy(propagating_type)
    nullifies["credentialSubject"][0]["@context"] = None
    for document in (propagating_type, redefines_protected, nullifies):
        same_as_stock(base_credential())
        same_as_stock(document)
    dropped = jsonld.term_check(propagating_type).dropped
    assert dropped == ["colour"]  # only under Narrow's nested node


def test_nested_arrays_lists_and_blank_node_graphs_canonicalise_as_stock_pyld() -> None:
    document = base_credential()
    document["credentialSubject"]["achievement"]["tag"] = [["a", ["b\x02", ["c"]]], [], "d"]
    document["http://example.org/ordered"] = {"@list": [{"@list": ["x"]}, "y"]}
    p = "http://example.org/p"
    document["credentialSubject"]["http://example.org/ring"] = [
        {"@id": f"_:r{i}", p: {"@id": f"_:r{(i + 1) % 5}"}} for i in range(5)
    ]
    same_as_stock(document)


# ----- one expansion for the term check and the signature ----------------------------------------------------


def unsigned_of(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def test_the_term_checks_expansion_less_the_proof_is_the_unsigned_documents(badge: Badge, badge_er: Badge) -> None:
    for document in (badge.document, badge_er.document, badge.status_list.document):
        checked = jsonld.check(document)
        assert checked.report.ok
        shared = checked.unsigned_nquads()
        assert shared is not None  # the short way is taken for what we issue
        assert shared == jsonld.canonize(unsigned_of(document)) == stock_canonical(unsigned_of(document))


def _signed_like(badge: Badge, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(badge.document)
    document.update(changes)
    return document


def test_documents_where_taking_the_proof_out_could_differ_go_the_long_way(badge: Badge) -> None:
    proof = badge.document["proof"]
    cases = {
        "a second key naming the proof property": _signed_like(badge, **{PROOF: [proof]}),
        "a relative id": _signed_like(badge, id="relative/credential"),
        "a network-path id": _signed_like(badge, id="//elsewhere.example/credential"),
        "a query-only id": _signed_like(badge, id="?q=1"),
        "the marker in a literal": _signed_like(badge, name="see http://relative-iri.invalid/x"),
        "a nested node in @nest": {**_signed_like(badge), "@nest": {"name": "nested"}},
        "no proof": unsigned_of(badge.document),
        "a null proof": _signed_like(badge, proof=None),
        "a proof with an inline context": _signed_like(badge, proof={**proof, "@context": {"x": "https://x.example/"}}),
    }
    taken = {}
    for label, document in cases.items():
        checked = outcome(jsonld.check, document)
        if isinstance(checked, tuple):
            continue  # pyld refuses it: the verifier never gets as far as the signature
        shared = checked.unsigned_nquads()
        taken[label] = shared is not None
        if shared is not None:
            assert shared == stock_canonical(unsigned_of(document)), label
    assert not taken["a second key naming the proof property"]
    assert not taken["a relative id"]
    assert not taken["a query-only id"]
    assert not taken["the marker in a literal"]
    assert not taken["no proof"]
    # Same either way: a network-path reference keeps only the scheme of the base, the same in both.
    assert taken["a network-path id"]
    assert taken["a proof with an inline context"]


PROOF = "https://w3id.org/security#proof"


def test_the_signature_check_answers_the_same_the_short_and_the_long_way(badge: Badge) -> None:
    public = keys.public_key_from_multikey(badge.signing_key.public_key_multibase)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    variants = {
        "as issued": badge.document,
        "a changed name": _signed_like(badge, name="Changed after signing"),
        "an undefined term": _signed_like(badge, favouriteColour="blue"),
        "a network-path id": _signed_like(badge, id="//elsewhere.example/credential"),
        "a control character": _signed_like(badge, name="Bell\x07"),
    }
    for label, document in variants.items():
        answers = []
        for shared in (True, False):
            checked = jsonld.check(document)
            try:
                proof_verify(document, public_key=public, document_nquads=checked.unsigned_nquads if shared else None)
                answers.append("valid")
            except ProofError as error:
                answers.append(str(error))
        assert answers[0] == answers[1], label
        # An undefined term is dropped before signing, so it does not break the signature: the term check says so.
        assert (answers[0] == "valid") == (label in ("as issued", "an undefined term")), label
