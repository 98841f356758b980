"""The quick paths of issuing and verifying: contexts resolved once per process with the same output, no
partner writes on issue when nothing changed, and status-list indexes found without reading the list."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyld import jsonld as pyld

from accounts.models import User
from awards import jsonld
from awards.models import Badge, Partner, PartnerOffer, StatusList
from awards.proof import proof_add, proof_verify
from awards.services import badge_issue, partners_sync
from awards.services.status_lists import free_index
from awards.verify import verify_credential
from bench.bench_awards import earned_attempts
from catalog.models import Credential
from core.audit import audit_trail
from submissions.models import Attempt

# A credential with fixed identifiers, timestamps and text (unicode included), signed with a fixed key.
FIXED_CREDENTIAL: dict[str, Any] = {
    "@context": [jsonld.VC_V2, jsonld.OB_V3],
    "id": "urn:uuid:0b5c7a4e-8c1e-4f7a-9d52-1c3f8e2a6b10",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Classkick Collaboration",
    "description": "Micro-credential awarded by Classkick: working together, à la française — 協力",
    "issuer": {"id": "did:web:example.org:issuers:classkick", "type": ["Profile"], "name": "Classkick"},
    "validFrom": "2026-01-02T03:04:05Z",
    "validUntil": "2028-01-02T03:04:05Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": "sha256$8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4",
                "salt": "00112233445566778899aabbccddeeff",
            },
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Zoë O'Brien"},
        ],
        "achievement": {
            "id": "https://example.org/credentials/classkick-collaboration/v/1",
            "type": ["Achievement"],
            "name": "Classkick Collaboration",
            "description": "Plans and runs collaborative lessons.",
            "criteria": {"narrative": 'Submit a lesson plan and "reflection"; two reviewers agree.'},
        },
    },
    "credentialStatus": {
        "id": "https://example.org/status/classkick/1#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": "https://example.org/status/classkick/1",
    },
}
FIXED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
FIXED_METHOD = "did:web:example.org:issuers:classkick#key-1"
FIXED_CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
# The proofValue the loader gave before it marked the contexts static (pyld's normalize, contexts resolved
# afresh on every call): Ed25519 is deterministic, so the same canonical bytes give the same signature.
PINNED_PROOF_VALUE = "z4raES8dYKHLcnx9tTeBD1j6LEvvMd7jau6NXcQhHXe4sihHCnL3wrbW6zQKouLD2tkTg7Jjm7okjTXFMhWdZsakV"


def _untagged_loader(url: str, options: Any = None) -> dict[str, Any]:
    """The loader as it was: the same documents, without the tag that lets pyld keep them."""
    remote = dict(jsonld.document_loader(url, options))
    del remote["tag"]
    return remote


@pytest.fixture
def fresh_pyld_cache() -> Iterator[None]:
    # pyld keeps resolved contexts in a process-wide cache; empty it so a test sees the first resolution.
    pyld._resolved_context_cache.clear()
    yield
    pyld._resolved_context_cache.clear()


def _sign(document: dict[str, Any]) -> dict[str, Any]:
    return proof_add(
        copy.deepcopy(document), private_key=FIXED_KEY, verification_method=FIXED_METHOD, created=FIXED_CREATED
    )


def _as_before(monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any]) -> Any:
    """`run` with every context resolved afresh, as before the loader tagged them static."""
    with monkeypatch.context() as patch:
        patch.setitem(jsonld._OPTIONS, "documentLoader", _untagged_loader)
        pyld._resolved_context_cache.clear()
        result = run()
    pyld._resolved_context_cache.clear()
    return result


# ----- contexts -----------------------------------------------------------------------------------------


def test_shipped_contexts_are_parsed_once_and_resolved_once_per_process(fresh_pyld_cache: None) -> None:
    first = jsonld.document_loader(jsonld.OB_V3)
    assert first["tag"] == "static"
    # The parsed file itself is kept: a second load reads nothing from disk.
    assert jsonld.document_loader(jsonld.OB_V3)["document"] is first["document"]

    loads: list[str] = []

    def counting(url: str, options: Any = None) -> dict[str, Any]:
        loads.append(url)
        return jsonld.document_loader(url, options)

    pyld.expand(copy.deepcopy(FIXED_CREDENTIAL), {"documentLoader": counting})
    assert set(loads) == {jsonld.VC_V2, jsonld.OB_V3}
    loads.clear()
    pyld.expand(copy.deepcopy(FIXED_CREDENTIAL), {"documentLoader": counting})
    assert loads == []  # resolved from pyld's cache, not loaded again


def test_canonical_form_and_signature_are_what_they_were(
    monkeypatch: pytest.MonkeyPatch, fresh_pyld_cache: None
) -> None:
    before_nquads = _as_before(monkeypatch, lambda: jsonld.canonize(copy.deepcopy(FIXED_CREDENTIAL)))
    before_signed = _as_before(monkeypatch, lambda: _sign(FIXED_CREDENTIAL))
    before_pyld = _as_before(
        monkeypatch,
        lambda: pyld.normalize(
            copy.deepcopy(FIXED_CREDENTIAL),
            {"documentLoader": _untagged_loader, "algorithm": "URDNA2015", "format": "application/n-quads"},
        ),
    )
    assert before_nquads == before_pyld  # a document without control characters: pyld's writer is right
    assert before_signed["proof"]["proofValue"] == PINNED_PROOF_VALUE

    # Twice: the first call resolves the contexts and caches them, the second uses the cache.
    for _ in range(2):
        assert jsonld.canonize(copy.deepcopy(FIXED_CREDENTIAL)) == before_nquads
        signed = _sign(FIXED_CREDENTIAL)
        assert signed == before_signed
        proof_verify(signed, public_key=FIXED_KEY.public_key())


def test_the_term_check_is_as_strict_with_cached_contexts(
    monkeypatch: pytest.MonkeyPatch, fresh_pyld_cache: None
) -> None:
    loose = copy.deepcopy(FIXED_CREDENTIAL)
    loose["credentialSubject"]["favouriteColour"] = "blue"
    loose["type"] = ["VerifiableCredential", "Unknown"]
    before = _as_before(monkeypatch, lambda: jsonld.term_check(copy.deepcopy(loose)))
    for _ in range(2):
        report = jsonld.term_check(copy.deepcopy(loose))
        assert (
            (report.dropped, report.relative) == (before.dropped, before.relative) == (["favouriteColour"], ["Unknown"])
        )
        assert jsonld.term_check(copy.deepcopy(FIXED_CREDENTIAL)).ok


def test_an_issued_badge_canonicalises_as_before_and_verifies(
    badge: Badge, monkeypatch: pytest.MonkeyPatch, fresh_pyld_cache: None
) -> None:
    unsigned = {key: value for key, value in badge.document.items() if key != "proof"}
    before = _as_before(monkeypatch, lambda: jsonld.canonize(copy.deepcopy(unsigned)))
    assert jsonld.canonize(copy.deepcopy(unsigned)) == before
    assert verify_credential(badge.document_text).valid


# ----- partner offers on issue --------------------------------------------------------------------------


def _writes(queries: CaptureQueriesContext, *tables: str) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and any(t in q["sql"] for t in tables)
    ]


def test_issuing_writes_no_partner_rows_when_the_offers_already_match(
    educator: User, educators_rising: Credential, partners: dict[str, Partner], earn_attempt: Any
) -> None:
    version = educators_rising.current_version
    assert version is not None
    offers_before = list(PartnerOffer.objects.filter(credential=educators_rising).values())
    synced_before = audit_trail(subject=educators_rising, actions=("partners.synced",)).count()
    with CaptureQueriesContext(connection) as sync_queries:
        offers = partners_sync(version=version)
    assert len(sync_queries) == 1  # one read; nothing written
    assert [o.partner.slug for o in offers] == [p.slug for p in version.spec.graduate_credit.partners]

    attempt = earn_attempt(educator, educators_rising)
    with CaptureQueriesContext(connection) as issue_queries:
        badge_issue(attempt=attempt)
    assert _writes(issue_queries, "awards_partner") == []
    assert list(PartnerOffer.objects.filter(credential=educators_rising).values()) == offers_before
    assert audit_trail(subject=educators_rising, actions=("partners.synced",)).count() == synced_before


def test_a_differing_offer_is_still_put_right(educators_rising: Credential, partners: dict[str, Partner]) -> None:
    version = educators_rising.current_version
    assert version is not None
    entry = version.spec.graduate_credit.partners[0]
    PartnerOffer.objects.filter(credential=educators_rising, partner__slug=entry.slug).update(credits=11)
    Partner.objects.filter(slug=entry.slug).update(name="Renamed by hand")
    stray = Partner.objects.create(slug="stray-university", name="Stray", contact_email="s@stray.example")
    PartnerOffer.objects.create(partner=stray, credential=educators_rising, credits=1, fee_usd=0)

    synced_before = audit_trail(subject=educators_rising, actions=("partners.synced",)).count()
    with CaptureQueriesContext(connection) as queries:
        partners_sync(version=version)
    assert _writes(queries, "awards_partner")
    offer = PartnerOffer.objects.select_related("partner").get(credential=educators_rising, partner__slug=entry.slug)
    assert (offer.credits, offer.partner.name) == (pytest.approx(entry.credits), entry.name)
    assert not PartnerOffer.objects.get(partner=stray).is_current
    assert audit_trail(subject=educators_rising, actions=("partners.synced",)).count() == synced_before + 1


# ----- status-list indexes ------------------------------------------------------------------------------


def _earned_attempts(credential: Credential, n: int) -> list[Attempt]:
    """N earned attempts written directly (the workflow that earns them is tested elsewhere)."""
    return earned_attempts(n, credential)


def _fill(status_list: StatusList, like: Badge, indexes: list[int]) -> None:
    """Badge rows holding `indexes` of the list, copied from a real badge (only the index matters here)."""
    assert like.credential is not None  # a credential's badge, not a pathway's
    attempts = _earned_attempts(like.credential, len(indexes))
    Badge.objects.bulk_create(
        [
            Badge(
                attempt=a,
                earner=a.submitted_by,
                credential=like.credential,
                version=like.version,
                issuer=like.issuer,
                title=like.title,
                issued_at=like.issued_at,
                status_list=status_list,
                status_index=index,
                signing_key=like.signing_key,
                jwt_key=like.jwt_key,
                jwt=like.jwt,
                document_text=like.document_text,
            )
            for a, index in zip(attempts, indexes, strict=True)
        ]
    )


def _free_index_queries(status_list: StatusList) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        index = free_index(status_list)
    return index, [q["sql"] for q in queries.captured_queries]


def test_finding_a_free_index_reads_the_same_few_rows_however_full_the_list(badge: Badge) -> None:
    status_list = badge.status_list
    index, few = _free_index_queries(status_list)
    assert index != badge.status_index
    assert 0 <= index < status_list.size

    taken = secrets.SystemRandom().sample([i for i in range(status_list.size) if i != badge.status_index], 400)
    _fill(status_list, badge, taken)
    index, many = _free_index_queries(status_list)
    assert index not in {badge.status_index, *taken}
    assert 0 <= index < status_list.size
    # One query either way, and it asks about a handful of candidates rather than reading every taken index.
    assert len(few) == len(many) == 1
    assert " IN (" in many[0]


def test_a_small_list_fills_without_duplicates_and_then_a_new_list_starts(classkick: Credential) -> None:
    small = StatusList.objects.create(issuer=classkick.issuer, number=1, size=8)
    attempts = _earned_attempts(classkick, 9)
    badges = [badge_issue(attempt=a) for a in attempts[:7]]
    held = {b.status_index for b in badges}
    assert len(held) == 7
    assert held <= set(range(8))
    # One index left: found whether by the random candidates or by the fallback that reads the list.
    assert free_index(small) == ({*range(8)} - held).pop()

    badges += [badge_issue(attempt=a) for a in attempts[7:]]
    on_small = sorted(b.status_index for b in badges if b.status_list_id == small.pk)
    assert on_small == list(range(8))
    assert badges[-1].status_list.number == 2
    with pytest.raises(RuntimeError, match="no free index"):
        free_index(small)
    for b in (badges[0], badges[-1]):
        assert verify_credential(Badge.objects.get(pk=b.pk).document_text).valid
