"""RDFC-1.0 canonical N-Quads, byte for byte as the specification and the other verifiers write them.

pyld 3.3 runs the RDFC-1.0 (URDNA2015) labelling correctly but serialises literals with its general
N-Quads writer, which escapes only backslash, quote, TAB, LF and CR: the other control characters go
out raw. RDFC-1.0 uses canonical N-Quads (RDF 1.2 N-Triples, "Canonical form"), where a literal writes
BS, TAB, LF, FF, CR, quote and backslash as ECHAR (\\b \\t \\n \\f \\r \\" \\\\), every other character
U+0000..U+001F and U+007F as UCHAR with uppercase hex (\\u001B), and everything else as itself.
Digital Bazaar's rdf-canonize (4 and later) and pyoxigraph both do this, so a signed literal holding such a
character (a name pasted with an escape code) would hash differently here than in any other verifier.

The serialised quads are not only the output: the first-degree hash of every blank node is taken over
them too, so the labelling and the final order depend on the escaping. The fix therefore replaces the
serialiser inside the algorithm, not after it: `RDFC10` is pyld's URDNA2015 with its two methods that
serialise quads (`main`, `hash_first_degree_quads`) rebound to `serialize_nquad` below. Nothing in pyld
itself is changed, so any other caller of pyld keeps its behaviour.

For text without those control characters the output is byte-identical to pyld's (pyld already wrote
TAB as \\t), so every credential signed before this module existed still verifies.

pyld also sets no bound on the work of telling look-alike blank nodes apart (the Hash N-Degree Quads
recursion and its permutations), which a crafted document can make exponential: six blank nodes all linked
to each other take seconds, seven take minutes. rdf-canonize bounds it; `RDFC10` counts the same work and
stops with `TooComplex` once it passes the bound, before doing it.
"""

from __future__ import annotations

import math
import types
from typing import Any

from django.utils.translation import gettext as _
from pyld import canon

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_ESCAPES = str.maketrans(
    {chr(n): _ECHAR.get(chr(n), f"\\u{n:04X}") for n in [*range(0x20), 0x7F, ord('"'), ord("\\")]}
)
# IRIs cannot legally hold these; rdf-canonize writes them as UCHAR rather than break the line format,
# and so do we, so that even a malformed IRI hashes the same in both.
_IRI_ESCAPES = str.maketrans({c: f"\\u{ord(c):04X}" for c in [*map(chr, range(0x21)), *'<>"{}|^`\\']})


def escape_literal(value: str) -> str:
    """A literal's lexical form as canonical N-Quads writes it between the quotes."""
    return value.translate(_LITERAL_ESCAPES)


def _term(component: dict[str, Any]) -> str:
    if component["type"] == "IRI":
        return "<" + component["value"].translate(_IRI_ESCAPES) + ">"
    return str(component["value"])  # a blank node label, already "_:..."


def serialize_nquad(quad: dict[str, Any], graph_name: str | None = None) -> str:
    """One quad in canonical N-Quads; a drop-in for pyld.nquads.serialize_nquad (same quad shape)."""
    obj = quad["object"]
    if obj["type"] == "literal":
        line = f'"{escape_literal(obj["value"])}"'
        if obj["datatype"] == _RDF_LANGSTRING:
            if obj.get("language"):
                line += "@" + obj["language"]
        elif obj["datatype"] != _XSD_STRING:
            line += "^^<" + obj["datatype"].translate(_IRI_ESCAPES) + ">"
        object_text = line
    else:
        object_text = _term(obj)
    parts = [_term(quad["subject"]), _term(quad["predicate"]), object_text]
    graph = quad["name"]["value"] if "name" in quad else graph_name
    if graph is not None:
        parts.append(graph if graph.startswith("_:") else "<" + graph.translate(_IRI_ESCAPES) + ">")
    return " ".join(parts) + " .\n"


def _with_canonical_serialiser(function: types.FunctionType) -> types.FunctionType:
    """The same pyld function, but resolving `serialize_nquad` to ours instead of pyld's."""
    namespace = {**vars(canon), "serialize_nquad": serialize_nquad}
    rebound = types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )
    rebound.__kwdefaults__ = function.__kwdefaults__
    return rebound


# The pyld methods that serialise quads; tests check that no other method of the class does, so a pyld
# upgrade that serialises somewhere new fails a test instead of silently reverting the escaping.
SERIALISING_METHODS = ("main", "hash_first_degree_quads")


# The bound on blank-node work. rdf-canonize (Digital Bazaar's stack) allows by default as many Hash N-Degree
# Quads runs as there are blank nodes whose first-degree hashes tie (its "maxWorkFactor" 1), which refuses even
# a plain ring. We allow the square of that count (its factor 2: a ring of n look-alike nodes needs n * n runs),
# at least DEEP_ITERATIONS_FLOOR (two identical nested objects with four identical children each need 160) and
# at most DEEP_ITERATIONS_CAP, so that a 2 MB document cannot buy a quadratic budget; never fewer than
# rdf-canonize allows. Permutations are counted separately because one run enumerates every ordering of a group
# of look-alike neighbours (k! of them) whether or not it recurses, which the run count alone does not bound.
DEEP_ITERATIONS_FLOOR = 1_000
DEEP_ITERATIONS_CAP = 10_000
PERMUTATIONS_CAP = 10_000


class TooComplex(ValueError):
    """The document's blank nodes would take more work to label than the bound allows."""


class RDFC10(canon.URDNA2015):
    """pyld's RDFC-1.0 labelling with canonical N-Quads for hashing and output, and a bound on its work."""

    def __init__(self) -> None:
        super().__init__()
        self.deep_iterations = 0  # Hash N-Degree Quads runs so far
        self.permutations = 0  # orderings of related blank nodes enumerated (or about to be) so far
        self.max_deep_iterations: int | None = None  # set at the first run, from the ties left then

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        if self.max_deep_iterations is None:
            # The first run comes from step 6, when only the blank nodes whose hashes tie are left.
            tied = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self.max_deep_iterations = max(tied, min(max(tied * tied, DEEP_ITERATIONS_FLOOR), DEEP_ITERATIONS_CAP))
        self.deep_iterations += 1
        if self.deep_iterations > self.max_deep_iterations:
            raise TooComplex(
                _(
                    "too complex to canonicalise: telling its look-alike blank nodes apart needs more than "
                    "%(count)s deep hashing steps"
                )
                % {"count": self.max_deep_iterations}
            )
        result: dict[str, Any] = super().hash_n_degree_quads(id_, issuer)
        return result

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        # Charged before the caller enumerates them; a group of 13 or more is over the cap on its own.
        self.permutations += sum(math.factorial(min(len(group), 13)) for group in related.values())
        if self.permutations > PERMUTATIONS_CAP:
            raise TooComplex(
                "too complex to canonicalise: telling its look-alike blank nodes apart needs more than "
                f"{PERMUTATIONS_CAP} orderings of their neighbours"
            )
        return related


for _name in SERIALISING_METHODS:
    setattr(RDFC10, _name, _with_canonical_serialiser(getattr(canon.URDNA2015, _name)))


def canonical_nquads(dataset: dict[str, list[dict[str, Any]]]) -> str:
    """RDFC-1.0 canonical N-Quads of a pyld RDF dataset (as `jsonld.to_rdf` returns it; it is consumed).

    Raises TooComplex, having done no more than the bound, for a dataset whose blank nodes exceed it."""
    result = RDFC10().main(dataset, {"format": "application/n-quads"})
    assert isinstance(result, str)
    return result
