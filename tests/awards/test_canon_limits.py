"""The bound on blank-node work: a document built to make RDFC-1.0 labelling exponential is refused, quickly and
with a clear reason, while every ordinary shape (trees, look-alike siblings, rings) is still canonicalised.

Speed is asserted as work counted (Hash N-Degree Quads runs and permutations), not wall time, so a busy machine
cannot make these pass or fail.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from pyld import jsonld as pyld

from awards import jsonld, rdfc
from awards.models import Badge
from awards.verify import verify_credential
from tests.awards.test_rdfc_oracle import base_credential, oracle

P = "http://example.org/p"


def clique(n: int, prefix: str = "k") -> list[dict[str, Any]]:
    """n blank nodes, each linked to every other: all alike at every depth, the costliest shape to label."""
    return [{"@id": f"_:{prefix}{i}", P: [{"@id": f"_:{prefix}{j}"} for j in range(n) if j != i]} for i in range(n)]


def ring(n: int) -> list[dict[str, Any]]:
    return [{"@id": f"_:r{i}", P: {"@id": f"_:r{(i + 1) % n}"}} for i in range(n)]


def hubs(leaves: int) -> list[dict[str, Any]]:
    """Two identical hubs, each with `leaves` identical leaves: one hub's run would try leaves! orderings."""
    return [
        {"@id": f"_:h{h}", P: [{"@id": f"_:h{h}l{i}", "http://example.org/q": "leaf"} for i in range(leaves)]}
        for h in range(2)
    ]


def labelled(nodes: list[dict[str, Any]]) -> rdfc.RDFC10:
    """The labelling run to its end (or to its refusal), for its counters."""
    dataset = pyld.to_rdf({"@graph": nodes}, {"documentLoader": jsonld.document_loader})
    algorithm = rdfc.RDFC10()
    try:
        algorithm.main(dataset, {"format": "application/n-quads"})
    except rdfc.TooComplex:
        algorithm.refused = True
    return algorithm


@pytest.mark.parametrize("n", [6, 7, 12])
def test_a_clique_is_refused_within_the_bound(n: int) -> None:
    # Unbounded, six such nodes took 3,606 runs and 37,440 permutations (3 s); seven took 30,247 runs and
    # 372,960 permutations (half a minute); twelve would not finish.
    run = labelled(clique(n))
    assert getattr(run, "refused", False)
    assert run.max_deep_iterations == rdfc.DEEP_ITERATIONS_FLOOR
    # Stopped at the first run or the first group of orderings past the bound, whichever came first.
    assert run.deep_iterations <= rdfc.DEEP_ITERATIONS_FLOOR + 1
    assert run.deep_iterations > rdfc.DEEP_ITERATIONS_FLOOR or run.permutations > rdfc.PERMUTATIONS_CAP
    assert run.deep_iterations < 3_606


def test_the_bound_grows_with_the_ties_but_no_further_than_the_cap() -> None:
    assert labelled(ring(40)).max_deep_iterations == 1_600
    assert labelled(clique(6)[:2] + ring(120)).max_deep_iterations == rdfc.DEEP_ITERATIONS_CAP


def test_a_wide_tie_is_refused_before_its_permutations_are_tried() -> None:
    run = labelled(hubs(9))  # 9! = 362,880 orderings for one hub
    assert getattr(run, "refused", False)
    assert run.deep_iterations == 1  # charged when the first run found the group, before enumerating it
    assert run.permutations > rdfc.PERMUTATIONS_CAP


def test_the_refusal_is_an_error_of_its_own_saying_why() -> None:
    with pytest.raises(rdfc.TooComplex, match="too complex to canonicalise"):
        jsonld.canonize({"@graph": clique(7)})


@pytest.mark.parametrize("n", [3, 12, 40])
def test_rings_and_look_alike_siblings_are_still_canonicalised_as_the_oracle_does(n: int) -> None:
    # A ring of n look-alike nodes needs n * n runs: inside the bound (rdf-canonize's default would refuse it).
    document = {"@graph": ring(n)}
    ours = jsonld.canonize(document)
    assert ours == oracle(document)
    assert labelled(ring(n)).deep_iterations == n * n

    siblings = base_credential()
    siblings["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "same", "targetUrl": "https://example.org/t", "targetType": "Skill"}
        for _ in range(n)
    ]
    assert jsonld.canonize(siblings) == oracle(siblings)


def test_duplicated_nested_objects_are_within_the_bound() -> None:
    # Two identical hubs with four identical leaves each: 194 runs (rdf-canonize's default allows 10).
    document = {"@graph": hubs(4)}
    assert jsonld.canonize(document) == oracle(document)
    assert labelled(hubs(4)).deep_iterations == 194


# ----- through the verifier -----------------------------------------------------------------------------------


def _with_clique(badge: Badge, n: int = 9) -> dict[str, Any]:
    """The badge with a clique added to its subject: the signature no longer matches, but to say so the
    verifier must canonicalise it first, which is where the work would go."""
    document = copy.deepcopy(badge.document)
    document["credentialSubject"]["http://example.org/friends"] = clique(n)
    return document


def test_the_verifier_reports_a_crafted_credential_as_too_complex(badge: Badge) -> None:
    report = verify_credential(_with_clique(badge))
    signature = report.check("signature")
    assert signature.outcome == "failed"
    assert "too complex to canonicalise" in signature.detail
    assert report.check("issuer_key").passed  # the other checks still ran and say what they found
    assert report.check("terms").passed


def test_the_verify_api_answers_a_crafted_credential_with_a_report_not_an_error(badge: Badge) -> None:
    response = Client().post("/api/v1/verify", _with_clique(badge, 12), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    signature = next(check for check in body["checks"] if check["id"] == "signature")
    assert "too complex to canonicalise" in signature["detail"]


def test_an_issued_badge_still_verifies_within_the_bound(badge: Badge) -> None:
    assert verify_credential(badge.document_text).valid
