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
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from pyld import jsonld
from pyld.context_resolver import ContextResolver

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
        super().__init__(
            _("the context %(url)s is not one microcred ships, and nothing is fetched at run time") % {"url": repr(url)}
        )
        self.url = url


@cache
def _shipped_document(url: str) -> dict[str, Any]:
    name, digest = SHIPPED[url]
    raw = (CONTEXTS_DIR / name).read_bytes()
    if hashlib.sha256(raw).hexdigest() != digest:
        raise RuntimeError(f"awards/contexts/{name} does not match its recorded SHA-256; restore the shipped file")
    document = json.loads(raw)
    assert isinstance(document, dict)
    _SHIPPED_CONTEXT_OBJECTS.update(_plain_context_objects(document))
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
# credential can contain it (the .invalid top-level domain is reserved, RFC 2606). Its scheme is pyld's default
# base's (http), so that a reference that keeps only the base's scheme ("//host/x") comes out the same with
# either base; the https form, the marker once, is still refused.
_RELATIVE_HOST = "relative-iri.invalid"
_RELATIVE_MARK = f"http://{_RELATIVE_HOST}/"
_RELATIVE_MARKS = (_RELATIVE_MARK, f"https://{_RELATIVE_HOST}/")


# ----- processing the shipped contexts once ---------------------------------------------------------------
#
# pyld keeps each processed context keyed by the identity of the active context it was applied to. Two of
# its habits defeat that cache on every expansion, so that the OB 3.0 and VC 2.0 type-scoped contexts (most
# of the terms) were processed afresh for every node of every credential, two thirds of the verifier's time:
# - a type-scoped context does not propagate, so pyld first copies the active context into a new child that
#   remembers its parent, and gives the copy a new identity each time, which the cache has never seen;
# - a context given as an object (each type-scoped context is one) is looked up by its JCS serialisation,
#   computed again on every use.
# The two classes below keep the child and the lookup per process instead. Both hold only what pyld would
# have computed from the same inputs, so the expansion is the same; tests/awards/test_canon_fast.py checks
# that against stock pyld on every credential and hostile input the suite has.

_SHIPPED_CONTEXT_OBJECTS: set[int] = set()  # ids of the objects inside the shipped files, alive for the process
_RESOLVED_SHIPPED: dict[int, list[Any]] = {}
# Keyed by the parent's pyld identity. A plain dict, emptied when full: its reads and writes are atomic under the
# GIL, so threads serving requests side by side cannot corrupt it (an LRU's reordering on read could).
_NON_PROPAGATING_CHILDREN: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
_NON_PROPAGATING_MAX = 1024


def _plain_context_objects(node: Any) -> set[int]:
    """The ids of every object in a shipped file that pyld could use as a context on its own (no @context)."""
    found: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" not in item:
                found.add(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class _Resolver(ContextResolver):
    """pyld's resolver, remembering what it made of each context object that comes from a shipped file."""

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if not isinstance(context, dict) or id(context) not in _SHIPPED_CONTEXT_OBJECTS:
            return super().resolve(active_ctx, context, base, cycles)
        # An object without @context resolves to itself whatever the active context and base: the files
        # are never changed and never freed (their digests are checked and they are cached for the
        # process), so the id names the same object for as long as the process runs.
        resolved = _RESOLVED_SHIPPED.get(id(context))
        if resolved is None:
            resolved = _RESOLVED_SHIPPED[id(context)] = list(super().resolve(active_ctx, context, base, cycles))
        return list(resolved)


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, giving the copy it makes before a non-propagating context a stable identity, and noting
    what each key of the document's top node expanded to (so that the proof can be taken out afterwards)."""

    def __init__(self, on_property_dropped: Any = jsonld.noop) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self.top_keys: dict[str, Any] = {}
        self.top_nodes = 0  # how many objects were expanded as the top node (more than one: @nest or an array)

    def _expand_object(self, active_ctx: Any, active_property: Any, *args: Any, **kwargs: Any) -> Any:
        if active_property is None:
            self.top_nodes += 1
            self.top_keys = {key: self._expand_iri(active_ctx, key, vocab=True) for key in args[1]}
        return super()._expand_object(active_ctx, active_property, *args, **kwargs)

    def to_rdf_expanded(self, expanded: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """pyld's to_rdf from the node map on, for a document already expanded (with the same defaults)."""
        options = {**_options(), "base": "", "produceGeneralizedRdf": False, "processingMode": "json-ld-1.1"}
        issuer = jsonld.IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or jsonld._is_absolute_iri(graph_name):
                dataset[graph_name] = self._graph_to_rdf(graph, issuer, options)
        return dataset

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        # Only the case pyld itself would copy: propagation off, no parent remembered yet, and a single
        # context object that does not say otherwise with its own @propagate.
        if (
            not propagate
            and not active_ctx.get("previousContext")
            and "_uuid" in active_ctx
            and isinstance(local_ctx, dict)
            and "@propagate" not in local_ctx
            and "@context" not in local_ctx
        ):
            entry = _NON_PROPAGATING_CHILDREN.get(active_ctx["_uuid"])
            if entry is None or entry[0] is not active_ctx:
                child = self._clone_active_context(active_ctx)
                child["previousContext"] = active_ctx
                child["_uuid"] = str(uuid.uuid4())
                entry = (active_ctx, child)
                if len(_NON_PROPAGATING_CHILDREN) >= _NON_PROPAGATING_MAX:
                    _NON_PROPAGATING_CHILDREN.clear()
                _NON_PROPAGATING_CHILDREN[active_ctx["_uuid"]] = entry
            active_ctx = entry[1]  # it already remembers its parent, so pyld uses it as it is
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )


def _options(**extra: Any) -> dict[str, Any]:
    # A resolver per operation, as pyld makes one: it keeps a per-operation cache.
    options = {**_OPTIONS, **extra}
    options["contextResolver"] = _Resolver(jsonld._resolved_context_cache, options["documentLoader"])
    return options


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
            parts.append(_("terms no context defines: %(terms)s") % {"terms": ", ".join(sorted(set(self.dropped)))})
        if self.relative:
            parts.append(
                _("values that are not absolute IRIs: %(values)s") % {"values": ", ".join(sorted(set(self.relative)))}
            )
        return "; ".join(parts)


def _is_absolute(iri: str) -> bool:
    # Blank nodes are fine; anything else must have had a scheme of its own (RDF drops relative IRIs
    # without a word, so a signature would not cover them).
    if iri.startswith(_RELATIVE_MARKS):
        return False
    return iri.startswith("_:") or (":" in iri and not iri.startswith(":"))


def _unmarked(iri: str) -> str:
    for mark in _RELATIVE_MARKS:
        iri = iri.removeprefix(mark)
    return iri


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
                    out.append(_unmarked(item))
        elif key in ("@type", "@id") and isinstance(value, str) and value != "@json" and not _is_absolute(value):
            out.append(_unmarked(value))
        elif key != "@value":
            _collect_relative(value, out)


PROOF_IRI = "https://w3id.org/security#proof"


@dataclass
class Checked:
    """The term check of a signed document and, when it can be had from the same expansion, the expanded
    document without its proof (what eddsa-rdfc-2022 signs)."""

    report: TermReport
    unsigned: list[Any] | None = None

    def unsigned_nquads(self) -> str | None:
        """Canonical N-Quads of the document without its proof, or None when they must be made afresh."""
        if self.unsigned is None:
            return None
        return rdfc.canonical_nquads(_Processor().to_rdf_expanded(copy.deepcopy(self.unsigned)))


def _without_proof(processor: _Processor, expanded: Any) -> list[Any] | None:
    """The expansion of the document without its `proof`, taken out of the expansion of the whole, or None
    whenever that might differ from expanding the document without it.

    The top node's keys expand one by one into separate properties (only @context, @type and @nest reach
    across keys, and the proof is none of those), so dropping the one property `proof` expanded to is
    dropping the key, provided: one top node; `proof` alone expanded to that property; and nothing was
    resolved against the base, which the term check sets to a marker while canonicalisation uses pyld's
    default (a marker found anywhere, even in a literal, sends the document the long way)."""
    if processor.top_nodes != 1 or processor.top_keys.get("proof") != PROOF_IRI:
        return None
    if [key for key, iri in processor.top_keys.items() if iri == PROOF_IRI] != ["proof"]:
        return None
    if not isinstance(expanded, list) or len(expanded) != 1 or not isinstance(expanded[0], dict):
        return None
    if _RELATIVE_HOST in json.dumps(expanded):
        return None
    node = {key: value for key, value in expanded[0].items() if key != PROOF_IRI}
    if "@type" not in node or "@graph" in node:
        return None  # a top node reduced to a bare @graph would be lifted out by pyld: not worth following
    return [node]


def check(document: dict[str, Any]) -> Checked:
    """Expand the document and report every key or type that would not survive into RDF.

    JSON-LD expansion drops an undefined key without an error (and RDF drops a relative IRI), so a
    signature over the canonical form would not cover it: a reader could be shown a claim that no
    signature protects. This is the "safe mode" check, done here because pyld has no such option.
    The same expansion, less the proof, is kept for the signature check when it is exactly what
    expanding the unsigned document would give.
    """
    require_shipped_contexts(document)
    report = TermReport()

    def dropped(iri: str | None) -> None:
        report.dropped.append(iri or "(null)")

    processor = _Processor(on_property_dropped=dropped)
    expanded = processor.expand(document, _options(base=_RELATIVE_MARK))
    _collect_relative(expanded, report.relative)
    return Checked(report=report, unsigned=_without_proof(processor, expanded))


def term_check(document: dict[str, Any]) -> TermReport:
    """The term check alone (see `check`)."""
    return check(document).report


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a document, using only the shipped contexts.

    pyld turns the JSON-LD into RDF; awards.rdfc labels and writes it, since pyld's own writer leaves
    control characters unescaped where RDFC-1.0 escapes them.
    """
    require_shipped_contexts(document)
    dataset = _Processor().to_rdf(document, _options())
    return rdfc.canonical_nquads(dataset)
