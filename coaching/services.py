"""Every write of coaching, each in one transaction with its audit row.

Rules (the pages and tests hold to them):
- Only the draft's educator shares it, while it can be edited, with at most MAX_COACHES open shares (invitations
  waiting count) and never with their own address. Sharing with an address that has an account binds the share to
  it at once and tells its holder (notification_send: in-app and email); an address with none is emailed a
  single-use link (accounts/email_links.py), and whoever is signed in when accepting it becomes the coach (not the
  educator, not someone already coaching this draft). Sharing again with an address whose invitation waits sends
  a new link; the one sent before stops working.
- The educator revokes a share (at once: the coach's next request is a 410 page) or changes whether the coach may
  open evidence files, at any time.
- Submitting ends every open share (coaching_shares_end, called by workflow.attempt_submit; the selectors also
  treat a share as over once an attempt was made after it, so nothing depends on that call alone).
- A coach comments on a field they may read (never one holding student data), up to COMMENT_MAX characters. The
  educator is told once per batch: a COACHING_COMMENTED notification, unless one about this draft is still unread.
- The educator resolves a comment (resolving twice changes nothing).
Audit rows carry no issuer: coaching is between the educator and their coach, not the issuer's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.email_links import absolute_url, link_digest, link_new
from accounts.erasure import erased_email
from accounts.models import User
from coaching.models import CoachComment, CoachingShare, CoachRole
from coaching.selectors import coach_parts, share_state
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from notifications.models import Notification, NotificationKind
from notifications.services import email_queue, notification_send, recipient_language
from submissions.models import Submission

MAX_COACHES = 3
COMMENT_MAX = 2000
INVITE_VALID = timedelta(days=14)


@dataclass
class ShareOutcome:
    share: CoachingShare
    bound: bool  # the address had an account: the share is theirs already
    resent: bool = False  # an invitation to that address was waiting: a new link replaces its link


def _educator_only(actor: User, submission: Submission, refusal: str) -> None:
    if submission.educator_id != actor.pk:
        raise NotAllowed(refusal)


def _role_words(role: str, language: str) -> str:
    with translation.override(language):
        return str(CoachRole(role).label).lower()


def coaching_share_create(
    *, actor: User, submission: Submission, email: str, role: str, files_allowed: bool
) -> ShareOutcome:
    """Share the educator's draft with a coach by address (the rules in the module's docstring)."""
    _educator_only(actor, submission, _("only the educator whose draft this is can share it"))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.on("email", _("enter the coach's email address in the form name@example.org")) from None
    if role not in CoachRole.values:
        raise InvalidInput.on("role", _("choose who the coach is: mentor, chapter advisor, colleague or other"))
    if email == actor.email.lower():
        raise InvalidInput.on(
            "email", _("this is your own address: enter the address of the person who will coach you")
        )
    with transaction.atomic():
        # The submission row is the lock: two tabs sharing at once cannot both pass the limit below.
        locked = Submission.objects.select_for_update().select_related("credential", "educator").get(pk=submission.pk)
        if not locked.is_editable:
            raise InvalidState(_("this draft is with reviewers now, so it cannot be shared for coaching"))
        open_shares = list(
            CoachingShare.objects.filter(submission=locked, revoked_at__isnull=True, ended_at__isnull=True)
        )
        coach = User.objects.filter(email=email, is_active=True).first()
        same = next((s for s in open_shares if s.email == email or (coach and s.coach_id == coach.pk)), None)
        if same is not None and same.coach_id is not None:
            raise InvalidInput.on("email", _("this draft is already shared with %(email)s") % {"email": email})
        if same is None and len(open_shares) >= MAX_COACHES:
            raise InvalidInput.on(
                "email",
                _("a draft can be shared with at most %(max)d coaches at a time; stop sharing with one first")
                % {"max": MAX_COACHES},
            )
        now = timezone.now()
        share = same or CoachingShare(submission=locked, email=email, created_by=actor, created_at=now)
        share.role, share.files_allowed = role, files_allowed
        if coach is not None:
            share.coach, share.accepted_at, share.token_hash, share.token_expires_at = coach, now, "", None
        try:
            with transaction.atomic():
                share.save()
        except IntegrityError:
            raise InvalidInput.on(
                "email", _("this draft is already shared with %(email)s") % {"email": email}
            ) from None
        audit_record(
            action="coaching.resent" if same else "coaching.shared",
            subject=share,
            actor=actor,
            new=email,
            data={"submission": locked.pk, "role": role, "files_allowed": files_allowed, "bound": coach is not None},
        )
        context = {
            "educator": locked.educator.name or locked.educator.email,
            "credential": locked.credential.title,
            "files_allowed": files_allowed,
        }
        if coach is not None:
            context["role"] = _role_words(role, recipient_language(coach))
            notification_send(
                user=coach,
                kind=NotificationKind.COACHING_INVITED,
                context={**context, "valid_days": 0},
                url=reverse("coaching:draft", args=[share.pk]),
            )
            return ShareOutcome(share, bound=True)
        link = link_new(valid=INVITE_VALID, now=now)
        share.token_hash, share.token_expires_at = link.digest, link.expires_at
        share.save(update_fields=["token_hash", "token_expires_at"])
        language = recipient_language(address=email)
        email_queue(
            name=NotificationKind.COACHING_INVITED,
            to=email,
            language=language,
            context={
                **context,
                "name": "",
                "role": _role_words(role, language),
                "url": absolute_url(reverse("coaching:accept", args=[link.token])),
                "valid_days": INVITE_VALID.days,
            },
        )
    return ShareOutcome(share, bound=False, resent=same is not None)


def _open_locked(share: CoachingShare) -> CoachingShare:
    locked = CoachingShare.objects.select_for_update().select_related("submission").get(pk=share.pk)
    if not locked.is_open:
        raise InvalidState(_("this coach no longer has the draft: sharing with them has ended already"))
    return locked


def coaching_share_revoke(*, actor: User, share: CoachingShare) -> CoachingShare:
    """Stop sharing: from the coach's next request on, the draft is closed to them (a 410 page saying so)."""
    _educator_only(actor, share.submission, _("only the educator whose draft this is can stop sharing it"))
    with transaction.atomic():
        locked = _open_locked(share)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(action="coaching.revoked", subject=locked, actor=actor, old="open", new="revoked")
    return locked


def coaching_share_files_set(*, actor: User, share: CoachingShare, allowed: bool) -> CoachingShare:
    """Let the coach open the draft's evidence files (never those marked as holding student data), or not."""
    _educator_only(actor, share.submission, _("only the educator whose draft this is can change what the coach sees"))
    with transaction.atomic():
        locked = _open_locked(share)
        if locked.files_allowed != allowed:
            audit_record(
                action="coaching.files_changed",
                subject=locked,
                actor=actor,
                old=str(locked.files_allowed).lower(),
                new=str(allowed).lower(),
            )
            locked.files_allowed = allowed
            locked.save(update_fields=["files_allowed"])
    return locked


def coaching_shares_end(*, submission: Submission, actor: User | None) -> int:
    """Mark every open share of the draft ended: it was submitted. Answers how many ended (workflow calls this in
    the submit's transaction)."""
    now = timezone.now()
    ended = 0
    for share in CoachingShare.objects.select_for_update().filter(
        submission=submission, revoked_at__isnull=True, ended_at__isnull=True
    ):
        share.ended_at = now
        share.save(update_fields=["ended_at"])
        audit_record(action="coaching.ended", subject=share, actor=actor, old="open", new="submitted")
        ended += 1
    return ended


def coaching_invite_accept(*, token: str, viewer: User) -> CoachingShare:
    """Bind the share behind an emailed link to the signed-in person who opened it; the link then stops working."""
    with transaction.atomic():
        share = (
            CoachingShare.objects.select_for_update()
            .select_related("submission__educator")
            .filter(token_hash=link_digest(token))
            .first()
            if token
            else None
        )
        if share is None:
            raise InvalidState(_("this link is not one we sent, or a newer invitation has replaced it"))
        state = share_state(share)
        # Locked and checked again: a double click or a mail scanner racing the person accepts once.
        if share.coach_id is not None:
            raise InvalidState(_("This invitation has been accepted already; the link works only once."))
        if state != "pending":
            raise InvalidState(
                _("This invitation no longer works: it expired, was withdrawn or the draft was submitted.")
            )
        if viewer.pk == share.submission.educator_id:
            raise NotAllowed(_("this is your own draft: send the link to the person who will coach you"))
        if CoachingShare.objects.filter(
            submission=share.submission, coach=viewer, revoked_at__isnull=True, ended_at__isnull=True
        ).exists():
            raise InvalidState(_("you are already coaching this draft"))
        share.coach, share.accepted_at = viewer, timezone.now()
        share.save(update_fields=["coach", "accepted_at"])
        audit_record(
            action="coaching.accepted",
            subject=share,
            actor=viewer,
            old="pending",
            new="live",
            data={"user_id": viewer.pk, "invited": share.email, "same_address": viewer.email == share.email},
        )
    return share


def coaching_comment_add(*, actor: User, share: CoachingShare, field_ref: str, body: str) -> CoachComment:
    """The coach's comment on one field they may read; the educator is told (once per unread batch)."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput.on("body", _("write your comment before sending it"))
    if len(body) > COMMENT_MAX:
        raise InvalidInput.on(
            "body",
            _("keep the comment to %(max)d characters or fewer (it has %(n)d)") % {"max": COMMENT_MAX, "n": len(body)},
        )
    with transaction.atomic():
        locked = CoachingShare.objects.select_for_update().select_related("submission__educator").get(pk=share.pk)
        if locked.coach_id != actor.pk:
            raise NotAllowed(_("only the coach the draft is shared with can comment on it"))
        if share_state(locked) != "live":
            raise InvalidState(_("this draft is no longer shared with you, so the comment was not sent"))
        refs = {
            f"{cp.part.id}.{spec.id}": spec
            for cp in coach_parts(locked.submission.version.spec)
            for spec in cp.part.fields
        }
        if field_ref not in refs:
            raise InvalidInput.on("field", _("choose one of the draft's answers to comment on"))
        comment = CoachComment.objects.create(
            share=locked, submission=locked.submission, field_ref=field_ref, body=body, author=actor
        )
        audit_record(
            action="coaching.commented", subject=comment, actor=actor, new=field_ref, data={"share": locked.pk}
        )
        educator = locked.submission.educator
        url = reverse("coaching:submission", args=[locked.submission_id])
        waiting = Notification.objects.filter(
            user=educator, kind=NotificationKind.COACHING_COMMENTED, url=url, read_at__isnull=True
        ).exists()
        if not waiting:
            notification_send(
                user=educator,
                kind=NotificationKind.COACHING_COMMENTED,
                context={"coach": actor.name or actor.email, "credential": locked.submission.credential.title},
                url=url,
            )
    return comment


def coaching_comment_resolve(*, actor: User, comment: CoachComment) -> CoachComment:
    """The educator marks a comment dealt with; already resolved, it stays as it was."""
    _educator_only(actor, comment.submission, _("only the educator whose draft this is can resolve its comments"))
    with transaction.atomic():
        locked = CoachComment.objects.select_for_update().get(pk=comment.pk)
        if locked.resolved_at is None:
            locked.resolved_at, locked.resolved_by = timezone.now(), actor
            locked.save(update_fields=["resolved_at", "resolved_by"])
            audit_record(action="coaching.comment_resolved", subject=locked, actor=actor, old="open", new="resolved")
    return locked


ERASED = "[erased at the coach's request]"


def coaching_erase(*, user: User) -> dict[str, int]:
    """An erased account's part in coaching, before its address is replaced: as an educator, the shares of their
    drafts go with their comments (the drafts are emptied anyway); as a coach, every share with them ends, the
    address the educator typed is replaced, and their comments' words are erased (the rows stay, so the educator's
    page still says a comment was there). Idempotent; for workflow/erasure.py to call beside submissions_erase."""
    with transaction.atomic():
        owned, _ = CoachingShare.objects.filter(submission__educator=user).delete()
        coached = CoachingShare.objects.filter(Q(coach=user) | Q(email__iexact=user.email))
        ended = coached.filter(revoked_at__isnull=True, ended_at__isnull=True).update(revoked_at=timezone.now())
        coached.update(email=erased_email(user), token_hash="")
        words = CoachComment.objects.filter(author=user).exclude(body=ERASED).update(body=ERASED)
    return {"deleted": owned, "ended": ended, "comments": words}
