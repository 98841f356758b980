"""The shipped JSON-LD contexts: the recorded files, and nothing else, ever loaded."""

from __future__ import annotations

import hashlib
import re

import pytest
from pyld import jsonld as pyld

from awards import jsonld
from awards.jsonld import CONTEXTS_DIR, SHIPPED, ContextNotShipped, canonize, document_loader, term_check


def test_every_shipped_context_matches_the_digest_in_its_readme():
    readme = (CONTEXTS_DIR / "README.md").read_text()
    for url, (name, digest) in SHIPPED.items():
        assert hashlib.sha256((CONTEXTS_DIR / name).read_bytes()).hexdigest() == digest, name
        assert re.search(rf"`{re.escape(url)}` \| `{re.escape(name)}` \| `{digest}`", readme), url


def test_the_vc_context_is_the_one_the_recommendation_pins():
    # The SHA-256 the VC Data Model 2.0 Recommendation publishes for https://www.w3.org/ns/credentials/v2.
    raw = (CONTEXTS_DIR / SHIPPED[jsonld.VC_V2][0]).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


def test_the_loader_refuses_any_other_url():
    with pytest.raises(pyld.JsonLdError, match="only the contexts shipped"):
        document_loader("https://example.org/evil-context.jsonld")
    assert document_loader(jsonld.OB_V3)["document"]["@context"]["OpenBadgeCredential"]


def test_even_the_default_loader_never_reaches_the_network():
    document = {"@context": "http://169.254.169.254/latest/meta-data", "name": "x"}
    with pytest.raises(pyld.JsonLdError):
        pyld.expand(document)


def test_a_document_with_an_unshipped_context_is_refused_before_processing():
    with pytest.raises(ContextNotShipped, match="nothing is fetched at run time"):
        canonize({"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/x"], "id": "urn:x"})


def test_the_term_check_finds_nested_undefined_keys_and_relative_types():
    report = term_check(
        {
            "@context": [jsonld.VC_V2, jsonld.OB_V3],
            "type": ["VerifiableCredential", "Unknown"],
            "credentialSubject": {"type": ["AchievementSubject"], "favouriteColour": "blue"},
        }
    )
    assert report.dropped == ["favouriteColour"]
    assert report.relative == ["Unknown"]
    assert not report.ok
