"""JSON-LD for credentials, entirely offline: the shipped contexts, canonicalisation and the undefined-term check.

Only the documents under awards/contexts/ are ever loaded (see its README for where each came from).
A credential that names any other context is refused rather than fetched, because the server must
never fetch a URL a credential chooses, and because a context served differently tomorrow would
silently change what a signature covers.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from awards import rdfc

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

# URL -> (file, SHA-256 of the file). The digests are the ones recorded in contexts/README.md.
SHIPPED: dict[str, tuple[str, str]] = {
    VC_V2: ("credentials-v2.jsonld", "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"),
    OB_V3: ("ob-v3p0-context-3.0.3.json", "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84"),
    DATA_INTEGRITY_V2: ("data-integrity-v2.jsonld", "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363"),
    MULTIKEY_V1: ("multikey-v1.jsonld", "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6"),
    DID_V1: ("did-v1.jsonld", "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f"),
}


class ContextNotShipped(ValueError):
    """A document names a context that microcred does not ship, so it cannot be processed offline."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the context {url!r} is not one microcred ships, and nothing is fetched at run time")
        self.url = url


@cache
def _shipped_document(url: str) -> dict[str, Any]:
    name, digest = SHIPPED[url]
    raw = (CONTEXTS_DIR / name).read_bytes()
    if hashlib.sha256(raw).hexdigest() != digest:
        raise RuntimeError(f"awards/contexts/{name} does not match its recorded SHA-256; restore the shipped file")
    document = json.loads(raw)
    assert isinstance(document, dict)
    return document


def context_document(url: str) -> dict[str, Any]:
    """The shipped document for a context URL (a copy: callers may not change the cached one)."""
    if url not in SHIPPED:
        raise ContextNotShipped(url)
    return copy.deepcopy(_shipped_document(url))


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the shipped contexts, and a refusal for anything else."""
    if url not in SHIPPED:
        raise jsonld.JsonLdError(
            f"refused to load {url}: only the contexts shipped under awards/contexts/ are used",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading remote context failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _shipped_document(url),
        # The shipped files never change while the process runs (their digests are checked on first
        # load), so pyld may keep the resolved context for the life of the process instead of resolving
        # it again on every expansion: "static" is the tag its shared context cache keeps.
        "tag": "static",
    }


# A safety net: even a call that forgets to pass the loader can never reach the network.
jsonld.set_document_loader(document_loader)

_OPTIONS: dict[str, Any] = {"documentLoader": document_loader}
# Expansion resolves a relative IRI against the base; this one marks where that happened, since no real
# credential can contain it (the .invalid top-level domain is reserved, RFC 2606).
_RELATIVE_MARK = "https://relative-iri.invalid/"


def _contexts_of(document: Any) -> list[str]:
    """Every remote context URL a document names (at its top and in any embedded @context)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ctx = node.get("@context")
            for item in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(item, str):
                    found.append(item)
            for key, value in node.items():
                if key != "@context":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def require_shipped_contexts(document: Any) -> None:
    for url in _contexts_of(document):
        if url not in SHIPPED:
            raise ContextNotShipped(url)


@dataclass
class TermReport:
    """What JSON-LD expansion made of a document's keys and types."""

    dropped: list[str] = field(default_factory=list)  # keys no context defines: expansion silently drops them
    relative: list[str] = field(default_factory=list)  # types or ids that did not become absolute IRIs

    @property
    def ok(self) -> bool:
        return not self.dropped and not self.relative

    def describe(self) -> str:
        parts = []
        if self.dropped:
            parts.append("terms no context defines: " + ", ".join(sorted(set(self.dropped))))
        if self.relative:
            parts.append("values that are not absolute IRIs: " + ", ".join(sorted(set(self.relative))))
        return "; ".join(parts)


def _is_absolute(iri: str) -> bool:
    # Blank nodes are fine; anything else must have had a scheme of its own (RDF drops relative IRIs
    # without a word, so a signature would not cover them).
    if iri.startswith(_RELATIVE_MARK):
        return False
    return iri.startswith("_:") or (":" in iri and not iri.startswith(":"))


def _collect_relative(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_relative(item, out)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@type" and "@value" not in node:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and not _is_absolute(item):
                    out.append(item.removeprefix(_RELATIVE_MARK))
        elif key in ("@type", "@id") and isinstance(value, str) and value != "@json" and not _is_absolute(value):
            out.append(value.removeprefix(_RELATIVE_MARK))
        elif key != "@value":
            _collect_relative(value, out)


def term_check(document: dict[str, Any]) -> TermReport:
    """Expand the document and report every key or type that would not survive into RDF.

    JSON-LD expansion drops an undefined key without an error (and RDF drops a relative IRI), so a
    signature over the canonical form would not cover it: a reader could be shown a claim that no
    signature protects. This is the "safe mode" check, done here because pyld has no such option.
    """
    require_shipped_contexts(document)
    report = TermReport()

    def dropped(iri: str | None) -> None:
        report.dropped.append(iri or "(null)")

    options = {**_OPTIONS, "base": _RELATIVE_MARK}
    expanded = jsonld.expand(copy.deepcopy(document), options, on_property_dropped=dropped)
    _collect_relative(expanded, report.relative)
    return report


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a document, using only the shipped contexts.

    pyld turns the JSON-LD into RDF; awards.rdfc labels and writes it, since pyld's own writer leaves
    control characters unescaped where RDFC-1.0 escapes them.
    """
    require_shipped_contexts(document)
    dataset = jsonld.to_rdf(copy.deepcopy(document), _OPTIONS)
    return rdfc.canonical_nquads(dataset)
