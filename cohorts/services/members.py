"""Members: the coordinator's invitation by email, the educator's answer, their consent to share progress,
leaving and being removed.

An invitation is a Member row in status "invited" with the digest of a single-use link (accounts/email_links.py,
MEMBER_INVITE_VALID to use it). An address with an account is also told in the app (GROUP_INVITED) and finds the
invitation on its Groups page; an address without one gets the email only and signs up before opening the link.
The link joins whichever account opens it, since holding the email is what the link proves; the page names the
account before it is pressed. Inviting an address already invited sends a new link; the old one stops working.

Joining shares nothing: consent to share progress is a separate switch, off until the member turns it on and
withdrawable at any moment with immediate effect (every read of progress filters on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.email_links import absolute_url, link_digest, link_new
from accounts.erasure import erased_email
from accounts.models import User
from cohorts.access import is_coordinator
from cohorts.models import Coordinator, Member, Organisation, Voucher
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from notifications.models import NotificationKind
from notifications.services import email_queue, notification_send

MEMBER_INVITE_VALID = timedelta(days=14)


def _coordinator(actor: User | None, organisation: Organisation) -> User:
    if actor is None or not is_coordinator(actor, organisation):
        raise NotAllowed(gettext("only a coordinator of %(group)s can do this") % {"group": organisation.name})
    return actor


def member_invite(*, actor: User | None, organisation: Organisation, email: str) -> Member:
    """Invite an address to join the organisation's group (or send a waiting invitation again, with a new link)."""
    coordinator = _coordinator(actor, organisation)
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput.on("email", gettext("enter an email address in the form name@example.org")) from None
    with transaction.atomic():
        if Member.objects.filter(
            organisation=organisation, status=Member.Status.JOINED, educator__email=address
        ).exists():
            raise InvalidInput.on("email", gettext("this person is already a member of the group"))
        member = (
            Member.objects.select_for_update()
            .filter(organisation=organisation, email=address, status=Member.Status.INVITED)
            .first()
        )
        now = timezone.now()
        if member is None:
            member = Member(organisation=organisation, email=address, invited_at=now)
        link = link_new(valid=MEMBER_INVITE_VALID, now=now)
        member.invited_by, member.token_hash, member.token_expires_at = coordinator, link.digest, link.expires_at
        member.sent_count += 1
        member.save()
        audit_record(
            action="group_member.invited",
            subject=member,
            actor=coordinator,
            new=address,
            data={"organisation": organisation.slug, "sent": member.sent_count},
        )
        context = {
            "organisation": organisation.name,
            "invited_by": coordinator.name or coordinator.email,
            "url": absolute_url(reverse("cohorts:invite_link", args=[link.token])),
            "valid_days": MEMBER_INVITE_VALID.days,
        }
        holder = User.objects.filter(email=address, is_active=True).first()
        if holder is not None:
            notification_send(
                user=holder, kind=NotificationKind.GROUP_INVITED, context=context, url=reverse("cohorts:groups")
            )
        else:
            email_queue(name=NotificationKind.GROUP_INVITED, to=address, context={"name": "", **context})
    return member


@dataclass(frozen=True)
class InviteLink:
    member: Member | None
    problem: str = ""


def invite_link_get(*, token: str) -> InviteLink:
    """The invitation behind an emailed link; NotFound unless the token is one we sent (and not replaced)."""
    member = (
        Member.objects.select_related("organisation", "invited_by").filter(token_hash=link_digest(token)).first()
        if token
        else None
    )
    if member is None:
        raise NotFound(gettext("this link is not one we sent, or a newer invitation has replaced it"))
    if member.status != Member.Status.INVITED:
        return InviteLink(None, problem=gettext("This invitation has been answered or withdrawn; the link works once."))
    if member.token_expires_at is not None and member.token_expires_at <= timezone.now():
        return InviteLink(None, problem=gettext("This link has expired: ask the coordinator to send it again."))
    return InviteLink(member)


def _invited_locked(member: Member) -> Member:
    locked = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    if locked.status != Member.Status.INVITED:
        raise InvalidState(gettext("this invitation has been answered or withdrawn already"))
    return locked


def member_accept(*, educator: User, member: Member, by_link: bool, share: bool = False) -> Member:
    """Join the group. From the Groups page the invitation must be to the educator's own address; an emailed link
    joins the account that opens it. `share` turns on sharing progress at once, when the educator ticked it."""
    with transaction.atomic():
        locked = _invited_locked(member)
        if not by_link and locked.email != educator.email:
            raise NotFound(gettext("no such invitation"))
        if by_link and locked.token_expires_at is not None and locked.token_expires_at <= timezone.now():
            raise InvalidState(gettext("This link has expired: ask the coordinator to send it again."))
        if Member.objects.filter(
            organisation=locked.organisation, educator=educator, status=Member.Status.JOINED
        ).exists():
            raise InvalidState(gettext("you are already a member of %(group)s") % {"group": locked.organisation.name})
        now = timezone.now()
        locked.educator, locked.status, locked.joined_at = educator, Member.Status.JOINED, now
        locked.save(update_fields=["educator", "status", "joined_at"])
        audit_record(
            action="group_member.joined",
            subject=locked,
            actor=educator,
            old=Member.Status.INVITED,
            new=Member.Status.JOINED,
            data={"organisation": locked.organisation.slug, "email": locked.email},
        )
        if share:
            _consent_put(locked, educator, share=True)
    return locked


def member_decline(*, educator: User, member: Member) -> Member:
    with transaction.atomic():
        locked = _invited_locked(member)
        if locked.email != educator.email:
            raise NotFound(gettext("no such invitation"))
        locked.status, locked.ended_at = Member.Status.DECLINED, timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        audit_record(action="group_member.declined", subject=locked, actor=educator, new=Member.Status.DECLINED)
    return locked


def _own_joined(educator: User, member: Member) -> Member:
    locked = Member.objects.select_for_update().select_related("organisation").filter(pk=member.pk).first()
    if locked is None or locked.educator_id != educator.pk or locked.status != Member.Status.JOINED:
        raise NotFound(gettext("no such membership"))
    return locked


def _consent_put(member: Member, educator: User, *, share: bool) -> None:
    now = timezone.now()
    if share:
        member.consent_given_at = now
    else:
        member.consent_given_at, member.consent_withdrawn_at = None, now
    member.save(update_fields=["consent_given_at", "consent_withdrawn_at"])
    audit_record(
        action="group_member.consent_given" if share else "group_member.consent_withdrawn",
        subject=member,
        actor=educator,
        new="sharing" if share else "not sharing",
        data={"organisation": member.organisation.slug},
    )


def member_consent_set(*, educator: User, member: Member, share: bool) -> Member:
    """Share progress with the group's coordinators, or stop: from the next page they load, they see none."""
    with transaction.atomic():
        locked = _own_joined(educator, member)
        if locked.shares_progress != share:
            _consent_put(locked, educator, share=share)
    return locked


def _end(member: Member, actor: User, status: str, action: str) -> None:
    now = timezone.now()
    old = member.status
    member.status, member.ended_at, member.consent_given_at = status, now, None
    if old == Member.Status.JOINED:
        member.consent_withdrawn_at = now
    member.save(update_fields=["status", "ended_at", "consent_given_at", "consent_withdrawn_at"])
    unused = Voucher.objects.filter(member=member, redeemed_at__isnull=True, revoked_at__isnull=True)
    revoked = unused.update(revoked_at=now, revoked_by=actor)
    audit_record(action=action, subject=member, actor=actor, old=old, new=status, data={"vouchers_revoked": revoked})


def member_leave(*, educator: User, member: Member) -> Member:
    """Leave the group: sharing stops and any unused voucher is withdrawn."""
    with transaction.atomic():
        locked = _own_joined(educator, member)
        _end(locked, educator, Member.Status.LEFT, "group_member.left")
    return locked


def member_remove(*, actor: User | None, member: Member) -> Member:
    """A coordinator removes a member, or withdraws a waiting invitation (its link then says so)."""
    coordinator = _coordinator(actor, member.organisation)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status == Member.Status.JOINED:
            _end(locked, coordinator, Member.Status.REMOVED, "group_member.removed")
        elif locked.status == Member.Status.INVITED:
            _end(locked, coordinator, Member.Status.REVOKED, "group_member.invite_revoked")
        else:
            raise InvalidState(gettext("this person is no longer in the group"))
    return locked


def cohorts_erase(*, user: User) -> dict[str, int]:
    """An erased account's part in groups, before its address is replaced: every membership (or invitation to its
    address) ends with sharing stopped and the address replaced, and it coordinates no group any more. The member
    rows stay, since vouchers given to them are kept for the issuer's records. Idempotent; for workflow/erasure.py."""
    now = timezone.now()
    with transaction.atomic():
        rows = Member.objects.filter(Q(educator=user) | Q(email__iexact=user.email))
        ended = rows.filter(status__in=[Member.Status.INVITED, Member.Status.JOINED]).update(
            status=Member.Status.LEFT, ended_at=now
        )
        rows.filter(consent_given_at__isnull=False).update(consent_given_at=None, consent_withdrawn_at=now)
        rows.update(email=erased_email(user), token_hash="", token_expires_at=None)
        coordinating, _ = Coordinator.objects.filter(user=user).delete()
    return {"memberships_ended": ended, "groups_coordinated": coordinating}
