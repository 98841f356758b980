"""Signing off a draft marker: an issuer admin accepts one piece of platform-written text as the program's own.

The marker leaves the working draft at once (a draft is started from the current version when there is none) and
leaves the pages when that draft is published, as every change does: a published version is never edited, so
`signoffs_publish` then records where it went. Each sign-off is one `MarkerSignoff` row and one audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from authoring.markers import Marker, marker_remove, markers_list
from authoring.models import CredentialDraft, MarkerSignoff
from catalog.models import Credential, CredentialVersion
from core.audit import audit_record
from core.errors import InvalidInput


def _draft_locked(*, actor: User, credential: Credential) -> CredentialDraft:
    """The credential's working draft under a row lock, started from the current version when there is none;
    the lock keeps an editor's save and a sign-off from writing over each other."""
    # Imported here: drafts imports signoffs_publish from this module to call it when a draft is published.
    from authoring.services.drafts import draft_start

    draft = draft_start(actor=actor, credential=credential)
    return CredentialDraft.objects.select_for_update().get(pk=draft.pk)


def marker_signoff(*, actor: User, credential: Credential, marker: str) -> MarkerSignoff:
    """Sign off the marker at path `marker` in the credential's working draft. Refused, naming `marker`, when
    the draft carries no such marker (signed off already, in another tab, or edited away)."""
    with transaction.atomic():
        draft = _draft_locked(actor=actor, credential=credential)
        found: Marker | None = next((m for m in markers_list(draft.definition) if m.path == marker), None)
        if found is None:
            raise InvalidInput.on(
                "marker",
                f"the draft has no draft marker at {marker!r}: it was signed off or edited away meanwhile; "
                "reload the list to see where each one stands",
            )
        draft.definition = marker_remove(draft.definition, marker)
        draft.revision += 1
        draft.updated_by = actor
        draft.save(update_fields=["definition", "revision", "updated_by", "updated_at"])
        signoff = MarkerSignoff.objects.create(
            credential=credential,
            draft=draft,
            marker=found.path,
            label=found.label[:300],
            signed_by=actor,
            signed_at=timezone.now(),
        )
        audit_record(
            action="credential.marker_signed_off",
            subject=credential,
            actor=actor,
            old="draft",
            new="signed off",
            data={"marker": found.path, "label": found.label, "draft": draft.pk, "revision": draft.revision},
            issuer_id=credential.issuer_id,
        )
    return signoff


def signoffs_publish(*, draft: CredentialDraft, version: CredentialVersion) -> int:
    """Called by the publishing service, in its transaction, once `version` exists: the draft's sign-offs are
    now in force there. Returns how many."""
    return MarkerSignoff.objects.filter(draft=draft, published_version__isnull=True).update(published_version=version)
