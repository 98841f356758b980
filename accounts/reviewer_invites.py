"""Inviting reviewers by email: an issuer's admin names an address, the roles to give (each with the same grade
bands) and, for someone new, their name.

- An address with an account: the roles are given at once (reviewer_role_grant: its checks, its audit rows)
  and the person is emailed what they now review as.
- An address without one: a ReviewerInvite waits, and the address is emailed a single-use link
  (accounts/email_links.py: only the digest stored, REVIEWER_INVITE_VALID to use it). Accepting it makes the
  account, with the password the invitee chooses (the link proves the address, so it is verified), or links
  the account the address has by then, and gives the roles. The admins see the waiting invitations, send one
  again (a new link; the old one stops working) or revoke it.

Every step is in the audit log under the issuer, with its actor. A new role may make someone eligible for a
seat that waits: the callers (pages, API) try the waiting seats after commit, as reviews sits above accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.email_links import EmailLink, absolute_url, link_digest, link_new
from accounts.models import ReviewerInvite, ReviewerRole, User, grade_bands_store
from accounts.reviewer_roles import may_manage_reviewers, reviewer_role_grant
from catalog.models import Issuer
from catalog.schema import GRADE_BANDS
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from notifications.services import email_queue

REVIEWER_INVITE_VALID = timedelta(days=14)
KIND_ORDER = list(ReviewerRole.Kind.values)


def roles_text(kinds: list[str], bands: list[str]) -> str:
    """ "mentor and lead assessor (grade bands: Primary, College)", as the emails and pages say it."""
    labels = [ReviewerRole.Kind(kind).label.lower() for kind in kinds]
    said = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    if bands:
        said += f" (grade bands: {', '.join(GRADE_BANDS[band] for band in bands)})"
    return said


def _kinds_clean(kinds: list[str]) -> list[str]:
    if not kinds:
        raise InvalidInput.on("kinds", "choose at least one role: issuer staff, mentor or lead assessor")
    unknown = [kind for kind in kinds if kind not in KIND_ORDER]
    if unknown:
        raise InvalidInput.on(
            "kinds", f"{', '.join(map(repr, unknown))} is not a reviewer role; choose from: {', '.join(KIND_ORDER)}"
        )
    return sorted(set(kinds), key=KIND_ORDER.index)


@dataclass
class InviteOutcome:
    """What an invitation did: roles given to an account (`granted`, `changed`, `unchanged` by kind), or an
    invitation emailed to an address with none (`invite`)."""

    user: User | None = None
    invite: ReviewerInvite | None = None
    granted: list[ReviewerRole] = field(default_factory=list)
    changed: list[ReviewerRole] = field(default_factory=list)
    unchanged: list[ReviewerRole] = field(default_factory=list)

    @property
    def any_change(self) -> bool:
        return bool(self.invite is not None or self.granted or self.changed)


def _who(actor: User | None) -> str:
    return (actor.name or actor.email) if actor is not None else "microcred"


def reviewer_invite(
    *, actor: User | None, issuer: Issuer, email: str, name: str, kinds: list[str], grade_bands: list[str]
) -> InviteOutcome:
    """Give the roles to the account with this address (emailing its holder what changed), or invite an address
    with no account (emailing a link to accept). Inviting an address already invited replaces that invitation's
    roles and bands and sends a new link. Refused (NotAllowed) for anyone but the issuer's admins."""
    if not may_manage_reviewers(actor, issuer):
        raise NotAllowed(f"only an admin of {issuer.name} can invite its reviewers")
    email = (email or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.on("email", "enter an email address in the form name@example.org") from None
    kinds = _kinds_clean(kinds)
    stored = grade_bands_store(grade_bands)
    bands = [band for band in GRADE_BANDS if f"|{band}|" in stored]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        if user is not None:
            return _grant_known(actor=actor, issuer=issuer, user=user, kinds=kinds, bands=bands)
        if not name:
            raise InvalidInput.on("name", "enter the person's name: they have no account yet, so they are invited")
        if len(name) > 150:
            raise InvalidInput.on("name", "keep the name to 150 characters or fewer")
        invite = ReviewerInvite.objects.select_for_update().filter(issuer=issuer, email=email, status="pending").first()
        now = timezone.now()
        link = link_new(valid=REVIEWER_INVITE_VALID, now=now)
        before = roles_text(invite.kinds, invite.grade_band_list()) if invite is not None else ""
        if invite is None:
            invite = ReviewerInvite(issuer=issuer, email=email, invited_at=now, sent_count=0)
        invite.name, invite.kinds, invite.grade_bands, invite.invited_by = name, kinds, stored, actor
        _link_put(invite, link, now)
        audit_record(
            action="reviewer_invite.sent" if not before else "reviewer_invite.changed",
            subject=invite,
            actor=actor,
            old=before,
            new=roles_text(kinds, bands),
            issuer_id=issuer.pk,
            data={"email": email, "kinds": kinds, "grade_bands": bands},
        )
        _invite_email(invite, link, actor)
    return InviteOutcome(invite=invite)


def _grant_known(
    *, actor: User | None, issuer: Issuer, user: User, kinds: list[str], bands: list[str]
) -> InviteOutcome:
    outcome = InviteOutcome(user=user)
    held = {role.kind: role.grade_bands for role in ReviewerRole.objects.filter(user=user, issuer=issuer)}
    for kind in kinds:
        role = reviewer_role_grant(actor=actor, user=user, issuer=issuer, kind=kind, grade_bands=bands)
        if kind not in held:
            outcome.granted.append(role)
        elif held[kind] != role.grade_bands:
            outcome.changed.append(role)
        else:
            outcome.unchanged.append(role)
    touched = [role.kind for role in outcome.granted + outcome.changed]
    if touched:
        email_queue(
            name="reviewer_role_granted",
            to=user.email,
            context={
                "name": user.name,
                "issuer": issuer.name,
                "roles": roles_text(sorted(touched, key=KIND_ORDER.index), bands),
                "invited_by": _who(actor),
                "queue_url": absolute_url(reverse("reviews:queue")),
            },
        )
    return outcome


def _link_put(invite: ReviewerInvite, link: EmailLink, now: datetime) -> None:
    invite.token_hash, invite.token_expires_at = link.digest, link.expires_at
    invite.sent_at, invite.sent_count = now, invite.sent_count + 1
    invite.save()


def _invite_email(invite: ReviewerInvite, link: EmailLink, actor: User | None) -> None:
    email_queue(
        name="reviewer_invited",
        to=invite.email,
        context={
            "name": invite.name,
            "issuer": invite.issuer.name,
            "roles": roles_text(invite.kinds, invite.grade_band_list()),
            "invited_by": _who(actor),
            "accept_url": absolute_url(reverse("issuers:invite_accept", args=[link.token])),
            "valid_days": REVIEWER_INVITE_VALID.days,
        },
    )


def _pending_locked(invite: ReviewerInvite, actor: User | None, what: str) -> ReviewerInvite:
    if not may_manage_reviewers(actor, invite.issuer):
        raise NotAllowed(f"only an admin of {invite.issuer.name} can {what} its invitations")
    locked = ReviewerInvite.objects.select_for_update().select_related("issuer").get(pk=invite.pk)
    if locked.status != ReviewerInvite.Status.PENDING:
        raise InvalidState(
            f"the invitation of {locked.email} is {locked.get_status_display().lower()}; nothing to {what}"
        )
    return locked


def reviewer_invite_resend(*, actor: User | None, invite: ReviewerInvite) -> ReviewerInvite:
    """Email a waiting invitation again with a new link, valid for REVIEWER_INVITE_VALID from now; the link
    sent before stops working."""
    with transaction.atomic():
        locked = _pending_locked(invite, actor, "send again")
        now = timezone.now()
        link = link_new(valid=REVIEWER_INVITE_VALID, now=now)
        _link_put(locked, link, now)
        audit_record(
            action="reviewer_invite.resent",
            subject=locked,
            actor=actor,
            new=f"sent {locked.sent_count} times",
            issuer_id=locked.issuer_id,
            data={"email": locked.email},
        )
        _invite_email(locked, link, actor)
    return locked


def reviewer_invite_revoke(*, actor: User | None, invite: ReviewerInvite) -> ReviewerInvite:
    """Withdraw a waiting invitation: its link then says so, and gives no role."""
    with transaction.atomic():
        locked = _pending_locked(invite, actor, "revoke")
        locked.status, locked.ended_at = ReviewerInvite.Status.REVOKED, timezone.now()
        # The digest stays, so the link, opened again, says it was withdrawn instead of "not ours".
        locked.save(update_fields=["status", "ended_at"])
        audit_record(
            action="reviewer_invite.revoked",
            subject=locked,
            actor=actor,
            old=ReviewerInvite.Status.PENDING,
            new=ReviewerInvite.Status.REVOKED,
            issuer_id=locked.issuer_id,
            data={"email": locked.email},
        )
    return locked


# --- the invitee's side -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteLink:
    """What an emailed link leads to: the waiting invitation (and whether its address has an account now), or
    why the link no longer works."""

    invite: ReviewerInvite | None
    has_account: bool = False
    problem: str = ""


def invite_link_get(*, token: str) -> InviteLink:
    """The invitation behind an emailed link; NotFound unless the token is one we sent (and not replaced)."""
    invite = (
        ReviewerInvite.objects.select_related("issuer", "invited_by").filter(token_hash=link_digest(token)).first()
        if token
        else None
    )
    if invite is None:
        raise NotFound("this link is not one we sent, or a newer invitation has replaced it")
    if invite.status == ReviewerInvite.Status.ACCEPTED:
        return InviteLink(None, problem="This invitation has been accepted already; the link works only once.")
    if invite.status == ReviewerInvite.Status.REVOKED:
        return InviteLink(None, problem=f"{invite.issuer.name} has withdrawn this invitation.")
    if invite.token_expires_at <= timezone.now():
        return InviteLink(
            None, problem=f"This link has expired. Ask {invite.issuer.name}'s admin to send the invitation again."
        )
    return InviteLink(invite, has_account=User.objects.filter(email=invite.email).exists())


def reviewer_invite_accept(
    *, token: str, name: str = "", password: str = "", viewer: User | None = None
) -> tuple[User, ReviewerInvite]:
    """Accept through the emailed link: the invitation's roles go to the account of its address, made now (with
    this name and password, the address verified) when there is none. Someone signed in as another account
    is refused: the invitation is for its address. The link then stops working."""
    with transaction.atomic():
        link = invite_link_get(token=token)
        if link.invite is None:
            raise InvalidState(link.problem)
        # Locked and checked again: a double click or a mail scanner racing the person accepts once.
        invite = ReviewerInvite.objects.select_for_update().select_related("issuer").get(pk=link.invite.pk)
        if invite.status != ReviewerInvite.Status.PENDING or invite.token_hash != link_digest(token):
            raise InvalidState("This invitation has been accepted already; the link works only once.")
        if viewer is not None and viewer.is_authenticated and viewer.email != invite.email:
            raise NotAllowed(f"this invitation is for {invite.email}; sign out of {viewer.email} to accept it")
        user = User.objects.select_for_update().filter(email=invite.email).first()
        new_account = user is None
        if user is None:
            name = (name or "").strip() or invite.name
            if len(name) > 150:
                raise InvalidInput.on("name", "keep the name to 150 characters or fewer")
            if not password:
                raise InvalidInput.on("password", "choose a password for your new account")
            user = User.objects.create_user(
                email=invite.email, password=password, name=name, email_verified_at=timezone.now()
            )
        elif not user.is_active:
            raise InvalidState(f"the account {invite.email} is closed, so it cannot take a reviewer role")
        for kind in invite.kinds:
            reviewer_role_grant(
                actor=None,
                user=user,
                issuer=invite.issuer,
                kind=kind,
                grade_bands=invite.grade_band_list(),
                granted_by=invite.invited_by,
            )
        invite.status, invite.ended_at, invite.accepted_by = ReviewerInvite.Status.ACCEPTED, timezone.now(), user
        invite.save(update_fields=["status", "ended_at", "accepted_by"])
        audit_record(
            action="reviewer_invite.accepted",
            subject=invite,
            actor=user,
            old=ReviewerInvite.Status.PENDING,
            new=ReviewerInvite.Status.ACCEPTED,
            issuer_id=invite.issuer_id,
            data={"email": invite.email, "user_id": user.pk, "new_account": new_account, "kinds": invite.kinds},
        )
    return user, invite
