"""Our RDFC-1.0 canonical N-Quads against an independent implementation: pyoxigraph's RDFC-1.0.

The oracle is given the RDF dataset pyld's JSON-LD-to-RDF step produces, built term by term into a
pyoxigraph Dataset (so it shares no N-Quads parsing or writing with us), canonicalised by pyoxigraph and
written by pyoxigraph. Equality therefore covers the blank-node labelling, the escaping and the order.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from django.db.models import Model
from django.utils import timezone
from pyld import canon
from pyld import jsonld as pyld

from accounts.models import User
from awards import jsonld, rdfc
from awards.models import Badge, StatusList
from awards.services import badge_issue
from awards.verify import verify_credential
from catalog.models import Credential
from submissions.models import Attempt
from tests.awards.conftest import earn

CONTROLS = [chr(n) for n in [*range(0x20), 0x7F]]


def _dataset(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return pyld.to_rdf(copy.deepcopy(document), {"documentLoader": jsonld.document_loader})


def _ox_term(term: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term["type"] == "IRI":
        return ox.NamedNode(term["value"])
    if term["type"] == "blank node":
        return ox.BlankNode(term["value"].removeprefix("_:"))
    if term.get("language"):
        return ox.Literal(term["value"], language=term["language"])
    return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))


def oracle(document: dict[str, Any]) -> str:
    """pyoxigraph's RDFC-1.0 canonical N-Quads of the document's RDF dataset."""
    dataset = ox.Dataset()
    for name, triples in _dataset(document).items():
        graph: ox.DefaultGraph | ox.BlankNode | ox.NamedNode
        if name == "@default":
            graph = ox.DefaultGraph()
        else:
            graph = ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)
        for triple in triples:
            subject, predicate, obj = (_ox_term(triple[k]) for k in ("subject", "predicate", "object"))
            dataset.add(ox.Quad(subject, predicate, obj, graph))  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    written = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
    assert written is not None
    # split("\n"), not splitlines(): the latter also breaks at NEL, LS and PS, which stay raw in a literal.
    return "".join(sorted(line + "\n" for line in written.decode("utf-8").split("\n") if line))


def pyld_normalize(document: dict[str, Any]) -> str:
    """What pyld alone writes (the form every credential issued so far was signed over)."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": jsonld.document_loader}
    result = pyld.normalize(copy.deepcopy(document), options)
    assert isinstance(result, str)
    return result


def signed_parts(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The two documents eddsa-rdfc-2022 canonicalises: the unsigned document and the proof options."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in document["proof"].items() if key != "proofValue"}
    config["@context"] = unsigned["@context"]
    return [unsigned, config]


def base_credential(**subject: Any) -> dict[str, Any]:
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:7b1d3c2e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:issuer.example", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Credential",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/1",
                "type": ["Achievement"],
                "name": "Achievement",
                "description": "Description",
                "criteria": {"narrative": "Criteria"},
            },
            **subject,
        },
    }


def named(name: str, description: str = "Description") -> dict[str, Any]:
    document = base_credential()
    document["name"] = name
    document["credentialSubject"]["achievement"]["description"] = description
    return document


# --- the serialiser and its place in pyld ---------------------------------------------------------------


def test_only_the_rebound_methods_of_pyld_serialise_quads() -> None:
    # If a pyld upgrade serialises quads from another method, that method would still use pyld's writer.
    serialising = {
        name
        for name, member in vars(canon.URDNA2015).items()
        if isinstance(member, types.FunctionType) and "serialize_nquad" in member.__code__.co_names
    }
    assert serialising == set(rdfc.SERIALISING_METHODS)
    for name in rdfc.SERIALISING_METHODS:
        assert getattr(rdfc.RDFC10, name).__globals__["serialize_nquad"] is rdfc.serialize_nquad
    # pyld itself is left alone.
    assert canon.serialize_nquad is not rdfc.serialize_nquad


def test_every_control_character_is_escaped_as_the_specification_says() -> None:
    echar = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    for char in CONTROLS:
        expected = echar.get(char, f"\\u{ord(char):04X}")
        assert rdfc.escape_literal(f"a{char}b") == f"a{expected}b"
    assert rdfc.escape_literal('say "hi" \\ bye') == 'say \\"hi\\" \\\\ bye'
    assert rdfc.escape_literal("é 🎓 \u202e \u0085 \u2028") == "é 🎓 \u202e \u0085 \u2028"


def test_characters_no_iri_may_hold_are_written_as_rdf_canonize_writes_them() -> None:
    # pyoxigraph cannot hold such an IRI, so the expected line is rdf-canonize 5's output for this quad.
    quad = {
        "subject": {"type": "IRI", "value": "https://x.example/a<b>{c}|^`\\"},
        "predicate": {"type": "IRI", "value": "http://example.org/q"},
        "object": {"type": "literal", "value": "v", "datatype": "http://www.w3.org/2001/XMLSchema#string"},
    }
    assert rdfc.serialize_nquad(quad) == (
        '<https://x.example/a\\u003Cb\\u003E\\u007Bc\\u007D\\u007C\\u005E\\u0060\\u005C> <http://example.org/q> "v" .\n'
    )


# --- credentials and status lists the suite issues --------------------------------------------------------


@pytest.fixture
def status_list(badge: Badge) -> StatusList:
    return badge.status_list


def test_issued_credentials_and_status_lists_match_the_oracle_and_what_pyld_signed(
    badge: Badge, badge_er: Badge, status_list: StatusList
) -> None:
    signed: list[Model] = [badge, badge_er, status_list, badge_er.status_list]
    for row in signed:
        for part in signed_parts(row.document):  # type: ignore[attr-defined]
            ours = jsonld.canonize(part)
            assert ours == oracle(part)
            # Nothing issued before the fix changes: same bytes, so the same signature.
            assert ours == pyld_normalize(part)


# --- hostile input ----------------------------------------------------------------------------------------


HOSTILE = {
    "every control character in one name": named("".join(CONTROLS), "tab\there, bell\x07, escape\x1b[31m"),
    "quotes and backslashes": named('"quoted" \\ back\\slash \\u0041 not an escape', "C:\\path\\n"),
    "combining marks (NFC and NFD)": named("Jos\u00e9 Jose\u0301", "\u0928\u093f\u0937\u094d\u0920\u093e"),
    "astral plane": named("\U0001f393\U0001f469\u200d\U0001f3eb", "\U0001d400\U00010348"),
    "right to left": named("\u202eevil.exe\u202c \u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd \u200f"),
    "other separators": named("NEL\u0085LS\u2028PS\u2029BOM\ufeffNBSP\u00a0", "\u0000\u0000"),
    "a 100 kB string": named("x" * 50_000 + "\x01" + "é" * 25_000, "\x7f" * 100),
}


@pytest.mark.parametrize("document", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_literals_match_the_oracle(document: dict[str, Any]) -> None:
    assert jsonld.term_check(document).ok
    assert jsonld.canonize(document) == oracle(document)


def test_blank_nodes_told_apart_only_by_control_characters_are_labelled_as_the_oracle_labels_them() -> None:
    # Each subject is a blank node whose only distinguishing quad is its name: the first-degree hashes,
    # hence the canonical labels and the order, depend on how the name is escaped.
    document = base_credential()
    document["credentialSubject"] = [
        {"type": ["AchievementSubject"], "identifier": [{"type": "IdentityObject", "identityHash": f"x{c}y"}]}
        for c in [*CONTROLS, '"', "\\", "é"]
    ]
    assert jsonld.term_check(document).ok
    ours = jsonld.canonize(document)
    assert ours == oracle(document)
    # Escaping pyld's output afterwards would not be enough: its labels differ from the canonical ones.
    assert ours != pyld_normalize(document)


def test_nested_arrays_and_lists_match_the_oracle() -> None:
    document = base_credential()
    achievement = document["credentialSubject"]["achievement"]
    achievement["tag"] = [["a", ["b\x02", ["c"]]], [], "d"]  # arrays in a set are flattened
    achievement["alignment"] = [
        {"type": ["Alignment"], "targetName": name, "targetUrl": "https://example.org/t", "targetType": "Skill"}
        for name in ("same", "same", "other\x03")
    ]
    document["http://example.org/ordered"] = {"@list": [{"@list": ["x\x04", {"@list": []}]}, "y", {"@list": ["z"]}]}
    assert jsonld.canonize(document) == oracle(document)


def test_blank_node_heavy_symmetric_graphs_match_the_oracle() -> None:
    # A ring and a pair of identical chains: every blank node looks alike at first degree, so the labels
    # come from the n-degree hashing, the expensive and easily-got-wrong part of the algorithm.
    p, q = "http://example.org/p", "http://example.org/q"
    ring = [{"@id": f"_:r{i}", p: {"@id": f"_:r{(i + 1) % 6}"}, q: "ring\x05"} for i in range(6)]
    chains = [{"@id": f"_:{side}{i}", p: {"@id": f"_:{side}{i + 1}"}} for side in "ab" for i in range(3)]
    graph = {"@id": "_:g", "@graph": [{"@id": "_:inner", q: "in a blank-node graph\x06"}]}
    document = {"@graph": [*ring, *chains, graph]}
    ours = jsonld.canonize(document)
    assert ours == oracle(document)
    assert ours.count("_:c14n") > 20


def test_undefined_terms_are_still_refused_before_anything_is_signed() -> None:
    document = named("Name\x01")
    document["credentialSubject"]["achievement"]["notATerm"] = "silently dropped by expansion"
    report = jsonld.term_check(document)
    assert not report.ok
    assert "notATerm" in report.describe()


# --- end to end -------------------------------------------------------------------------------------------


def test_a_credential_for_an_earner_whose_name_holds_a_control_character_verifies_and_matches_the_oracle(
    make_user: Callable[..., User], classkick: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    earner = make_user("ann@example.org", "Ann\x1b[0m Bell\x7f", email_verified_at=timezone.now())
    attempt: Attempt = earn(earner, classkick)
    with django_capture_on_commit_callbacks(execute=True):
        badge = badge_issue(attempt=attempt)
    identities = badge.document["credentialSubject"]["identifier"]
    assert {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ann\x1b[0m Bell\x7f",
    } in (identities)
    report = verify_credential(badge.document)
    assert report.valid, report.failed_labels
    unsigned = signed_parts(badge.document)[0]
    ours = jsonld.canonize(unsigned)
    assert ours == oracle(unsigned)
    assert '"Ann\\u001B[0m Bell\\u007F"' in ours
    # What pyld alone signs differs, which is why other verifiers rejected such a credential.
    assert ours != pyld_normalize(unsigned)
