"""The unsigned JSON documents microcred publishes: the OB 3.0 credential, its achievement, the Bitstring Status
List credential, and the Open Badges 2.0 hosted Assertion, BadgeClass and Issuer profile.

Every key used in the OB 3.0 and status documents is a term the shipped contexts define (the verifier's
term check refuses anything else), so all of it is covered by the signature.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import ngettext

from awards.jsonld import OB_V3, VC_V2
from awards.keys import did_for_issuer
from awards.multibase import encode_base64url
from awards.proof import iso_seconds
from catalog.models import CredentialVersion, Issuer
from catalog.schema import CredentialDefinition

OB3_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"

PASS_RULES = {
    "all_reviewers_all_criteria": "every reviewer rates every criterion at {levels}",
    "all_criteria_adjudicated": "every criterion is rated at {levels}; where the reviewers disagree on whether a "
    "criterion passes, an adjudicator decides",
    "median": "the median of the reviewers' ratings of each criterion is {levels}",
    "majority": "a majority of the reviewers rate each criterion at {levels}",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def achievement_id(version: CredentialVersion) -> str:
    return absolute(reverse("awards:achievement", kwargs={"slug": version.credential.slug, "number": version.number}))


def badge_image_url(slug: str, *, kind: str = "png") -> str:
    return absolute(reverse("awards:badge_image", kwargs={"slug": slug, "ext": kind}))


def _seat_words(count: int, title: str) -> str:
    """ "1 mentor", "2 Educators Rising assessors": a seat's title is the definition's own singular noun, so the
    plural adds the English "s" (ngettext cannot translate a title it has never seen)."""
    if count == 1 or title.endswith("s"):
        return f"{count} {title}"
    return f"{count} {title}s"


def criteria_narrative(spec: CredentialDefinition) -> str:
    """The criteria in words: who reviews, what passes, and each rubric criterion."""
    rubric = spec.rubric
    labels = {level.id: level.label for level in rubric.levels}
    passing = [labels[level] for level in rubric.passing_levels()]
    levels = " or ".join(f'"{label}"' for label in passing)
    policy = spec.review_policy
    seats = ", ".join(_seat_words(seat.count, seat.title or seat.kind.replace("_", " ")) for seat in policy.seats)
    reviewers = ngettext("%(n)d reviewer", "%(n)d reviewers", policy.panel_size) % {"n": policy.panel_size}
    lines = [
        f"Earned by submitting evidence of practice, reviewed {'blind ' if policy.blind else ''}and "
        f"independently by {reviewers} ({seats}). The credential is awarded when "
        + PASS_RULES[policy.pass_rule].format(levels=levels)
        + ".",
        "",
        "Rubric criteria:",
    ]
    for criterion in rubric.criteria:
        described = f": {' '.join(criterion.description.split())}" if criterion.description else ""
        lines.append(f"- {criterion.title}{described}")
    return "\n".join(lines)


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    return {"id": did_for_issuer(issuer.slug), "type": ["Profile"], "name": issuer.name, "url": issuer.url}


def achievement(version: CredentialVersion) -> dict[str, Any]:
    spec = version.spec
    catalog_page = absolute(reverse("catalog:detail", kwargs={"slug": version.credential.slug}))
    body: dict[str, Any] = {
        "id": achievement_id(version),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": spec.title,
        # The program's competency statement says what the earner can do; the summary (often the platform's
        # wording) stands in only where the program has no statement of its own.
        "description": spec.badge_description(),
        "criteria": {"id": f"{catalog_page}#rubric", "narrative": criteria_narrative(spec)},
        "image": {
            "id": badge_image_url(version.credential.slug),
            "type": "Image",
            "caption": f"{spec.title} badge from {spec.issuer.name}",
        },
        "version": str(version.number),
    }
    if spec.standards:
        body["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": alignment.title,
                "targetCode": alignment.code,
                "targetFramework": spec.standards.framework,
                # OB 3.0 requires a targetUrl; where the issuer gives none, the credential's own page
                # lists the standards.
                "targetUrl": str(alignment.url) if alignment.url else f"{catalog_page}#standards",
            }
            for alignment in spec.standards.alignments
        ]
    return body


def identity_hash(email: str, salt: str) -> str:
    """OB's salted identity hash: "sha256$" + hex(sha256(lower-cased email + salt))."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def ob3_credential(
    *,
    uuid: str,
    version: CredentialVersion | None,
    issuer: Issuer,
    email: str,
    salt: str,
    name: str | None,
    issued_at: datetime,
    valid_until: datetime | None,
    status_list_url: str,
    status_index: int,
    stacked: Stacked | None = None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential: of the definition's `version`, or, for a stacked credential (a
    pathway's), of the achievement `stacked` describes, with the credentials it stacks as its `evidence`.

    The earner is identified the way OB 3.0 provides for a subject without a DID: IdentityObjects in
    `credentialSubject.identifier` - the salted hash of their email (so a verifier who knows the address
    can confirm it, but nobody can read it), and, when the earner allows, their name with identityType
    "name", unhashed. AchievementSubject has no `name` property, and the credential's own `name` names the
    credential, not the person."""
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": identity_hash(email, salt),
            "salt": salt,
        }
    ]
    if name:
        identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name})
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": stacked.name if stacked else _spec(version).title,
        "description": stacked.description
        if stacked
        else f"{_spec(version).kind_label} awarded by {issuer.name}: {_spec(version).badge_description()}",
        "issuer": issuer_profile(issuer),
        "validFrom": iso_seconds(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": stacked.achievement if stacked else achievement(_version(version)),
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
        "credentialSchema": [{"id": OB3_SCHEMA, "type": "JsonSchema"}],
    }
    if valid_until is not None:
        document["validUntil"] = iso_seconds(valid_until)
    if stacked and stacked.evidence:
        document["evidence"] = stacked.evidence
    return document


@dataclass(frozen=True)
class Stacked:
    """What a layer above says of a credential that stacks others (a pathway's): the credential's name and
    description, its Achievement (every key a term of the shipped contexts), and Evidence entries, one per
    credential it stacks."""

    name: str
    description: str
    achievement: dict[str, Any]
    evidence: list[dict[str, Any]]


def _version(version: CredentialVersion | None) -> CredentialVersion:
    if version is None:
        raise ValueError("a credential of a definition needs its version; a stacked one passes `stacked`")
    return version


def _spec(version: CredentialVersion | None) -> CredentialDefinition:
    return _version(version).spec


# ----- Bitstring Status List ------------------------------------------------------------------------------


def bitstring(size: int, set_bits: list[int]) -> bytes:
    """Index 0 is the left-most (most significant) bit of the first byte, as the specification says."""
    data = bytearray(size // 8)
    for index in set_bits:
        data[index // 8] |= 0x80 >> (index % 8)
    return bytes(data)


def bit_is_set(data: bytes, index: int) -> bool:
    return bool(data[index // 8] & (0x80 >> (index % 8)))


def encode_list(data: bytes) -> str:
    # mtime=0 keeps the output a function of the bits alone, so re-signing an unchanged list is a no-op.
    return encode_base64url(gzip.compress(data, mtime=0))


def status_list_credential(
    *, issuer: Issuer, url: str, purpose: str, size: int, revoked: list[int], valid_from: datetime
) -> dict[str, Any]:
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_for_issuer(issuer.slug),
        "validFrom": iso_seconds(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(bitstring(size, revoked)),
        },
    }


# ----- Open Badges 2.0 (hosted verification) ----------------------------------------------------------------


def ob2_issuer(issuer: Issuer) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": absolute(reverse("awards:ob2_issuer", kwargs={"slug": issuer.slug})),
        "name": issuer.name,
        "url": issuer.url,
        "description": issuer.description,
    }
    if issuer.email:
        body["email"] = issuer.email
    return body


def ob2_badgeclass(version: CredentialVersion) -> dict[str, Any]:
    spec = version.spec
    catalog_page = absolute(reverse("catalog:detail", kwargs={"slug": version.credential.slug}))
    body: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": absolute(reverse("awards:ob2_badge", kwargs={"slug": version.credential.slug})),
        "name": spec.title,
        "description": spec.badge_description(),
        "image": badge_image_url(version.credential.slug),
        "criteria": {"id": f"{catalog_page}#rubric", "narrative": criteria_narrative(spec)},
        "issuer": absolute(reverse("awards:ob2_issuer", kwargs={"slug": version.credential.issuer.slug})),
    }
    if spec.standards:
        body["alignment"] = [
            {
                "targetName": a.title,
                "targetUrl": str(a.url) if a.url else f"{catalog_page}#standards",
                "targetCode": a.code,
                "targetFramework": spec.standards.framework,
            }
            for a in spec.standards.alignments
        ]
    return body


def ob2_assertion(
    *, uuid: str, slug: str, identity: str, salt: str, issued_at: datetime, valid_until: datetime | None
) -> dict[str, Any]:
    """The hosted Assertion; `identity` is the same salted email hash the OB 3.0 credential carries."""
    url = absolute(reverse("awards:ob2_assertion", kwargs={"uuid": uuid}))
    body: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": url,
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": identity},
        "badge": absolute(reverse("awards:ob2_badge", kwargs={"slug": slug})),
        "issuedOn": iso_seconds(issued_at),
        "verification": {"type": "hosted"},
        "image": badge_image_url(slug),
    }
    if valid_until is not None:
        body["expires"] = iso_seconds(valid_until)
    return body
