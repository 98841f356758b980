"""Asking a collaborator to confirm a list entry, their answer, and what an attempt keeps of it. The rules are in
submissions/attestations.py; every request and answer is audited ("attestation.<what>") without the address."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.email_links import absolute_url, link_digest, link_new
from accounts.models import User
from accounts.throttle import throttle_take
from catalog.schema import CredentialDefinition
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, TooSoon
from notifications.models import NotificationKind
from notifications.services import email_queue, notification_send
from submissions.attestations import (
    LINK_VALID,
    RESEND_INTERVAL,
    State,
    attestation_link_get,
    attested_list,
    entry_digest,
    entry_find,
    entry_states,
)
from submissions.models import Attempt, AttemptAttestation, AttemptStatus, Attestation, Submission
from submissions.services._common import lock_for_update, require_owner

NOTE_MAX = 1000
# An attempt still with reviewers: a confirmation of exactly its frozen entry still counts for it.
_UNDECIDED = (AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW)


def _step_path(submission: Submission, ref: str) -> str:
    return reverse("submissions:part", args=[submission.pk, ref.partition(".")[0]])


def attestation_request(
    *, submission: Submission, actor: User, field_ref: str, entry_id: str, email: str
) -> Attestation:
    """The educator asks the collaborator of one saved entry to confirm it: a new single-use link is emailed and
    any earlier answer for the entry is set aside. Refused while a standing confirmation would be thrown away,
    within RESEND_INTERVAL of the last email for the entry, and past the throttles per address and educator."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.on("email", _("enter their email address in the form name@example.org")) from None
    if email == actor.email.lower():
        raise InvalidInput.on("email", _("enter your collaborator's own email address, not yours"))
    now = timezone.now()
    with transaction.atomic():
        # The submission row is the lock (the lock order of every submissions write): two quick requests for
        # one entry send one email, not two.
        locked = lock_for_update(submission)
        require_owner(locked, actor)
        if not locked.is_open:
            raise InvalidState(_("this submission is closed, so its entries need no confirmation now"))
        definition = locked.version.spec
        spec = attested_list(definition, field_ref)
        found = entry_find(locked.draft.responses, field_ref, entry_id) if spec is not None else None
        if spec is None or found is None:
            raise InvalidInput.on("entry", _("save the entry first: only a saved entry can be confirmed"))
        position, entry = found
        digest = entry_digest(entry)
        row = Attestation.objects.select_for_update().filter(submission=locked, field_ref=field_ref, entry_id=entry_id)
        existing = row.first()
        if existing is not None and existing.state == State.CONFIRMED and existing.entry_digest == digest:
            raise InvalidState(_("this entry is already confirmed, and it has not changed since"))
        if existing is not None and existing.state == State.WAITING and now - existing.sent_at < RESEND_INTERVAL:
            wait = int((RESEND_INTERVAL - (now - existing.sent_at)).total_seconds() // 60) + 1
            raise TooSoon(
                _("we emailed your collaborator a moment ago; give them time to open it, or ask again in %(n)s min")
                % {"n": wait}
            )
        if not throttle_take(rule="attestation_educator", key=str(actor.pk)):
            raise TooSoon(_("you have sent many requests for confirmation today; ask again tomorrow"))
        if not throttle_take(rule="attestation_address", key=email):
            raise TooSoon(_("%(email)s has been asked several times today; ask again tomorrow") % {"email": email})
        link = link_new(valid=LINK_VALID, now=now)
        old = existing.state if existing is not None else ""
        attestation = existing or Attestation(submission=locked, field_ref=field_ref, entry_id=entry_id)
        attestation.email, attestation.state, attestation.note = email, State.WAITING, ""
        attestation.entry_digest, attestation.answered_at = "", None
        attestation.token_digest, attestation.expires_at, attestation.sent_at = link.digest, link.expires_at, now
        attestation.save()
        audit_record(
            action="attestation.requested",
            subject=attestation,
            actor=actor,
            old=old,
            new=State.WAITING,
            data={"submission": locked.pk, "field": field_ref, "entry": entry_id, "asked_again": existing is not None},
            issuer_id=locked.credential.issuer_id,
        )
        email_queue(
            name=NotificationKind.ATTESTATION_REQUESTED.value,
            to=email,
            context={
                "educator": actor.name,
                "credential": definition.title,
                "issuer": definition.issuer.name,
                "entry": f"{spec.item_label} {position}",
                "url": absolute_url(reverse("attestations:answer", args=[link.token])),
                "valid_days": LINK_VALID.days,
            },
        )
    return attestation


def attestation_answer(*, token: str, confirm: bool, note: str, seen: str, viewer: Any = None) -> Attestation:
    """The collaborator confirms or declines the entry through the emailed link, with an optional note; the link
    then stops working and the educator is told. `seen` is the digest of the entry as the page showed it: an entry
    changed since is refused, so nobody confirms what they did not read."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput.on(
            "note",
            _("shorten your note to %(max)s characters or fewer (it has %(count)s)")
            % {"max": NOTE_MAX, "count": len(note)},
        )
    with transaction.atomic():
        link = attestation_link_get(token=token, viewer=viewer)
        if link.attestation is None or link.entry is None:
            raise InvalidState(link.problem)
        submission = lock_for_update(link.attestation.submission)
        # Locked and read again: a double click, or a mail scanner racing the person, records one answer.
        row = Attestation.objects.select_for_update().get(pk=link.attestation.pk)
        if row.state != State.WAITING or row.token_digest != link_digest(token):
            raise InvalidState(_("This answer has already been recorded; the link works only once."))
        found = entry_find(submission.draft.responses, row.field_ref, row.entry_id)
        digest = entry_digest(found[1]) if found is not None else ""
        if not found or digest != seen:
            raise InvalidState(_("The entry changed while you were reading it: read it again before you answer."))
        now = timezone.now()
        row.state = State.CONFIRMED if confirm else State.DECLINED
        # The token's digest stays, so the link, opened again, says the answer is recorded rather than "not ours".
        row.entry_digest, row.note, row.answered_at = digest, note, now
        row.save(update_fields=["state", "entry_digest", "note", "answered_at"])
        audit_record(
            action=f"attestation.{row.state}",
            subject=row,
            actor=None,
            old=State.WAITING,
            new=row.state,
            data={"submission": submission.pk, "field": row.field_ref, "entry": row.entry_id, "note": bool(note)},
            issuer_id=submission.credential.issuer_id,
        )
        if confirm:
            _confirm_undecided(submission, row, digest, now)
        definition = submission.version.spec
        notification_send(
            user=submission.educator,
            kind=NotificationKind.ATTESTATION_ANSWERED.value,
            context={
                "credential": definition.title,
                "entry": link.legend,
                "confirmed": confirm,
                "note": note,
            },
            url=_step_path(submission, row.field_ref),
        )
    return row


def _confirm_undecided(submission: Submission, row: Attestation, digest: str, now: Any) -> None:
    """A confirmation arriving after submit counts for an attempt still with reviewers that froze this very entry."""
    for attempt in Attempt.objects.filter(submission=submission, status__in=_UNDECIDED):
        found = entry_find(attempt.responses, row.field_ref, row.entry_id)
        if found is not None and entry_digest(found[1]) == digest:
            AttemptAttestation.objects.get_or_create(
                attempt=attempt, field_ref=row.field_ref, entry_id=row.entry_id, defaults={"confirmed_at": now}
            )


def attestations_freeze(*, attempt: Attempt, definition: CredentialDefinition) -> int:
    """Record on a freshly frozen attempt which of its entries stood confirmed; answers how many. One step of
    attempt_freeze, in its transaction."""
    states = entry_states(submission=attempt.submission, definition=definition, responses=attempt.responses)
    rows = [
        AttemptAttestation(
            attempt=attempt,
            field_ref=state.ref,
            entry_id=state.entry_id,
            confirmed_at=state.attestation.answered_at or attempt.submitted_at,
        )
        for states_of_list in states.values()
        for state in states_of_list
        if state.stands and state.attestation is not None
    ]
    AttemptAttestation.objects.bulk_create(rows)
    return len(rows)
