"""Reads for a credential's history as its admins see it: the versions, two texts to compare, and where each draft
marker stands. Callers have the credential from the access check (404 for anyone but its issuer's admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404
from pydantic import ValidationError

from accounts.models import User
from authoring.markers import markers_list
from authoring.models import CredentialDraft, MarkerSignoff
from catalog.models import Credential, CredentialVersion
from catalog.schema import CredentialDefinition
from core.models import AuditEvent

DRAFT = "draft"
# What the publishing service records about the version it made, with the admin as actor.
PUBLISHED_ACTIONS = ("version.published",)


@dataclass(frozen=True)
class VersionRow:
    number: int
    content_hash: str
    loaded_at: datetime
    source_name: str
    author: User | None
    is_current: bool


def versions_list(*, credential: Credential) -> list[VersionRow]:
    """Every version, newest first, with who published it where it was made in the browser. Two queries
    whatever the number of versions."""
    versions = list(
        CredentialVersion.objects.filter(credential=credential)
        .only("number", "content_hash", "loaded_at", "source_name")
        .order_by("-number")
    )
    authors: dict[int, User] = {}
    events = AuditEvent.objects.filter(
        subject_type="credentialversion",
        subject_id__in=[v.pk for v in versions],
        action__in=PUBLISHED_ACTIONS,
        actor__isnull=False,
    ).select_related("actor")
    for event in events:
        if isinstance(event.actor, User):
            authors[event.subject_id] = event.actor
    return [
        VersionRow(
            number=v.number,
            content_hash=v.content_hash,
            loaded_at=v.loaded_at,
            source_name=v.source_name,
            author=authors.get(v.pk),
            is_current=v.pk == credential.current_version_id,
        )
        for v in versions
    ]


def draft_of(*, credential: Credential) -> CredentialDraft | None:
    return CredentialDraft.objects.filter(credential=credential).first()


def normalised(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with every default written out, as a version stores it, when it validates (so a sparse
    draft and a full version compare on content); as it is otherwise."""
    try:
        return CredentialDefinition.model_validate(definition).model_dump(mode="json")
    except ValidationError:
        return definition


@dataclass(frozen=True)
class Text:
    """One side of a comparison: a version's number, or the draft."""

    key: str  # "3" or "draft"
    name: str  # "version 3", "the draft"
    definition: dict[str, Any]


def text_get(*, credential: Credential, key: str) -> Text:
    """A version by number or the working draft; 404 when there is no such text."""
    if key == DRAFT:
        draft = draft_of(credential=credential)
        if draft is None:
            raise Http404("no draft")
        return Text(DRAFT, "the draft", normalised(draft.definition))
    if not key.isdigit() or len(key) > 9:
        raise Http404("no such version")
    version = CredentialVersion.objects.filter(credential=credential, number=int(key)).first()
    if version is None:
        raise Http404("no such version")
    return Text(key, f"version {version.number}", normalised(version.definition))


def default_pair(*, credential: Credential) -> tuple[str, str] | None:
    """What the diff page compares when not told: the current version with the draft, else the current
    version with the one before it; None when there is nothing to compare."""
    current = credential.current_version
    if current is None:
        return None
    if CredentialDraft.objects.filter(credential=credential).exists():
        return str(current.number), DRAFT
    earlier = (
        CredentialVersion.objects.filter(credential=credential, number__lt=current.number)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (str(earlier), str(current.number)) if earlier is not None else None


@dataclass(frozen=True)
class MarkerRow:
    """One line of the sign-off page: a marker still open in the working text, or one signed off."""

    path: str
    label: str
    signoff: MarkerSignoff | None = None

    @property
    def is_open(self) -> bool:
        return self.signoff is None


def markers_rows(*, credential: Credential) -> list[MarkerRow]:
    """The open markers of the working text (the draft, else the current version) in the definition's order,
    then every sign-off, newest first. Two queries however many markers and sign-offs there are."""
    draft = CredentialDraft.objects.filter(credential=credential).only("definition").first()
    version = credential.current_version
    definition = draft.definition if draft is not None else (version.definition if version is not None else {})
    rows = [MarkerRow(m.path, m.label) for m in markers_list(definition)]
    signoffs = (
        MarkerSignoff.objects.filter(credential=credential)
        .select_related("signed_by", "published_version")
        .order_by("-signed_at", "-id")
    )
    rows += [MarkerRow(s.marker, s.label, s) for s in signoffs]
    return rows
