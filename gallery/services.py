"""Changes to the certified examples gallery, each audited in its own transaction.

The earner offers (with consent to the statement's current version) and withdraws; the issuer's admins publish
or decline what is offered. Each change takes the entry's row lock, so two changes to one entry apply one after
the other and each sees the other's result (a publish finding the offer withdrawn refuses). Whatever the order,
a withdrawn entry is never shown: the public reads require `withdrawn_at` to be empty (gallery.selectors).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import IssuerMembership, User
from accounts.participants import SharingNotConsented, participation_url, sharing_consented
from awards.models import Badge
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from gallery.consent import CONSENT_VERSION
from gallery.models import Curation, GalleryEntry
from notifications.models import NotificationKind
from notifications.services import notification_send
from submissions.models import Evidence, ReviewerCopy
from submissions.services import evidence_reviewer_copy_make

NOTE_MAX = 2000


def _copies_make(badge: Badge) -> None:
    # The files are shown only as reviewers' copies; make any still missing now, so that what the issuer previews
    # is exactly what would be published and no public request ever has to make one.
    for item in Evidence.objects.filter(attempts=badge.attempt_id, reviewer_copy=ReviewerCopy.PENDING):
        evidence_reviewer_copy_make(evidence=item)


def gallery_entry_offer(*, earner: User, badge: Badge, consent: bool) -> GalleryEntry:
    """The earner offers their earned submission for the credential's gallery, consenting to the statement
    (gallery.consent) in its current version. Offering again after a withdrawal or a decline starts afresh."""
    if badge.earner_id != earner.pk:
        raise NotAllowed(gettext("only the earner can offer their submission as an example"))
    if badge.revoked_at is not None:
        raise InvalidState(gettext("this credential was revoked, so it cannot be offered as an example"))
    if not sharing_consented(user=earner):
        raise SharingNotConsented(
            gettext(
                "you are under 18, so your submission can be offered as an example only once your parent or "
                "guardian agrees that your credentials may be shared outside microcred; ask them at %(url)s"
            )
            % {"url": participation_url()}
        )
    if not consent:
        raise InvalidInput.on(
            "consent", gettext("tick the box to agree to the statement, or leave this page to keep it unpublished")
        )
    _copies_make(badge)
    with transaction.atomic():
        entry = GalleryEntry.objects.select_for_update().filter(badge=badge).first()
        if entry is not None and entry.withdrawn_at is None and entry.state != Curation.DECLINED:
            raise InvalidState(gettext("this submission is already offered as an example"))
        if entry is None:
            entry = GalleryEntry(badge=badge, credential=badge.credential, issuer=badge.issuer)
        old = "none" if entry.pk is None else ("withdrawn" if entry.withdrawn_at else entry.state)
        entry.consent_given_at = timezone.now()
        entry.consent_version = CONSENT_VERSION
        entry.withdrawn_at = None
        entry.state = Curation.PENDING
        entry.decided_by, entry.decided_at, entry.curator_note = None, None, ""
        entry.save()
        audit_record(
            action="gallery.offered",
            subject=entry,
            actor=earner,
            old=old,
            new=Curation.PENDING,
            data={"badge": str(badge.uuid), "consent_version": CONSENT_VERSION},
            issuer_id=badge.issuer_id,
        )
    return entry


def gallery_entry_withdraw(*, earner: User, entry: GalleryEntry) -> GalleryEntry:
    """The earner withdraws their consent: the entry leaves the gallery at once, whatever its curation."""
    if entry.badge.earner_id != earner.pk:
        raise NotAllowed(gettext("only the earner can withdraw their example"))
    with transaction.atomic():
        locked = GalleryEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.withdrawn_at is not None:
            return locked
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        audit_record(
            action="gallery.withdrawn",
            subject=locked,
            actor=earner,
            old=locked.state,
            new="withdrawn",
            issuer_id=locked.issuer_id,
        )
    return locked


def _administers(user: User, issuer_id: int) -> bool:
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer_id=issuer_id, role=IssuerMembership.Role.ADMIN).exists()


def gallery_entry_curate(*, admin: User, entry: GalleryEntry, publish: bool, note: str = "") -> GalleryEntry:
    """An admin of the entry's issuer publishes or declines an offer waiting for them, with an optional note
    (told to the earner with a decline). A published entry can later be declined (taken down); the earner is told
    when theirs is published."""
    if not _administers(admin, entry.issuer_id):
        raise NotAllowed(gettext("only an admin of the issuer can publish or decline its examples"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput.on("note", gettext("shorten the note to %(max)s characters or fewer") % {"max": NOTE_MAX})
    new = Curation.PUBLISHED if publish else Curation.DECLINED
    with transaction.atomic():
        locked = GalleryEntry.objects.select_for_update().select_related("badge__earner").get(pk=entry.pk)
        if locked.withdrawn_at is not None:
            raise InvalidState(gettext("the earner withdrew this offer, so there is nothing to publish"))
        if locked.badge.revoked_at is not None or not locked.badge.earner.is_active:
            raise InvalidState(gettext("this credential is no longer valid, so it cannot be published"))
        if locked.state == new:
            raise InvalidState(gettext("this example is already %(state)s") % {"state": Curation(new).label.lower()})
        old = locked.state
        locked.state, locked.decided_by, locked.decided_at, locked.curator_note = new, admin, timezone.now(), note
        locked.save(update_fields=["state", "decided_by", "decided_at", "curator_note"])
        audit_record(
            action="gallery.published" if publish else "gallery.declined",
            subject=locked,
            actor=admin,
            old=old,
            new=new,
            data={"note": note} if note else None,
            issuer_id=locked.issuer_id,
        )
        if publish:
            notification_send(
                user=locked.badge.earner,
                kind=NotificationKind.GALLERY_PUBLISHED,
                context={"title": locked.badge.title, "issuer": entry.issuer.name, "note": note},
                url=reverse("gallery:entry", args=[entry.credential.slug, locked.pk]),
            )
    entry.state, entry.decided_by, entry.decided_at, entry.curator_note = new, admin, locked.decided_at, note
    return entry


def gallery_file_viewed(*, viewer: User | None, entry: GalleryEntry, evidence: Evidence) -> None:
    """Record that a published example's file was opened: every opening of evidence by anyone but its owner is in
    the audit log (as submissions.downloads records a reviewer's), here with the visitor when signed in."""
    attempt = entry.badge.attempt
    assert attempt is not None  # a badge is always issued for an attempt
    audit_record(
        action="evidence.viewed",
        subject=attempt,
        actor=viewer,
        issuer_id=entry.issuer_id,
        data={"evidence": evidence.pk, "field": evidence.field_ref, "student_data": False, "gallery_entry": entry.pk},
    )
