"""Badges: issuing one for an earned attempt, revoking it, and the earner's choice of who may see it.

Locking: badge_issue locks the Attempt row and then the issuer's StatusList row, always in that order;
badge_revoke locks the Badge and then the StatusList. Two issues for one attempt therefore run one after
the other (the second finds the first's badge), and two revocations on one list re-sign it one after the
other, each seeing the other's bit.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import IssuerMembership, User
from accounts.participants import SharingNotConsented, participation_url, sharing_consented
from awards import keys as keyring
from awards.documents import Stacked, absolute, ob3_credential
from awards.models import Badge, StatusList, Visibility
from awards.proof import proof_add
from awards.services.credit import partners_sync
from awards.services.keys import active_keys
from awards.services.status_lists import free_index, status_list_sign, status_list_url, status_list_with_room
from awards.vcjwt import jwt_encode
from catalog.models import CredentialVersion, Issuer
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from notifications.services import email_queue
from submissions.models import Attempt, AttemptStatus


class NotEarned(InvalidState):
    """Only an earned attempt is issued a badge."""


def badge_page_url(badge: Badge) -> str:
    return absolute(reverse("awards:detail", kwargs={"uuid": badge.uuid}))


def badge_issue(*, attempt: Attempt) -> Badge:
    """The badge for an earned attempt, issued (signed in both forms) on the first call; later calls,
    concurrent ones included, return the same badge. Refused unless the attempt is earned."""
    existing = Badge.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().select_related("submission__educator").get(pk=attempt.pk)
            existing = Badge.objects.filter(attempt=locked).first()
            if existing is not None:
                return existing
            if locked.status != AttemptStatus.EARNED:
                raise NotEarned(
                    f"attempt {locked.number} is {AttemptStatus(locked.status).label.lower()}; only an earned "
                    "attempt is issued a credential"
                )
            badge = _issue(locked)
    except IntegrityError:
        # The one-badge-per-attempt constraint caught a race the lock could not (another database
        # connection issued first): theirs is the badge.
        return Badge.objects.get(attempt=attempt)
    return badge


def _issue(attempt: Attempt) -> Badge:
    version = CredentialVersion.objects.select_related("credential__issuer").get(pk=attempt.version_id)
    credential = version.credential
    issuer = credential.issuer
    earner = attempt.submission.educator
    spec = version.spec
    signing, jwt_key = active_keys(issuer)
    status_list = status_list_with_room(issuer)
    index = free_index(status_list)
    now = timezone.now().replace(microsecond=0)
    valid_until = now + timedelta(days=spec.validity_days) if spec.validity_days else None
    badge = Badge(
        attempt=attempt,
        earner=earner,
        credential=credential,
        version=version,
        issuer=issuer,
        title=spec.title,
        issued_at=now,
        valid_until=valid_until,
        status_list=status_list,
        status_index=index,
        signing_key=signing,
        jwt_key=jwt_key,
        name_included=True,
        # A participant under 18's credential starts private; sharing it needs their guardian's consent.
        visibility=Visibility.PRIVATE if earner.is_minor else Visibility.UNLISTED,
    )
    unsigned = ob3_credential(
        uuid=str(badge.uuid),
        version=version,
        issuer=issuer,
        email=earner.email,
        salt=secrets.token_hex(16),
        name=earner.name if badge.name_included else None,
        issued_at=now,
        valid_until=valid_until,
        status_list_url=status_list_url(status_list),
        status_index=index,
    )
    _sign_and_save(badge, unsigned, status_list=status_list)
    partners_sync(version=version)
    audit_record(
        action="badge.issued",
        subject=badge,
        actor=None,
        new=str(badge.uuid),
        issuer_id=issuer.pk,
        data={"attempt_id": attempt.pk, "credential": credential.slug, "version": version.number},
    )
    email_queue(
        name="credential_issued",
        to=earner.email,
        context={
            "name": earner.name,
            "title": spec.title,
            "issuer": issuer.name,
            "url": badge_page_url(badge),
            "mine_url": absolute(reverse("awards:mine")),
        },
    )
    return badge


def _sign_and_save(badge: Badge, unsigned: dict[str, Any], *, status_list: StatusList) -> None:
    """The one signing pipeline: the Data Integrity proof (eddsa-rdfc-2022) and the VC-JWT of the same claims,
    saved with the badge's status-list entry; the list is signed the first time it is used."""
    badge.document = proof_add(
        unsigned,
        private_key=keyring.ed25519_private(badge.signing_key),
        verification_method=keyring.verification_method_id(badge.signing_key),
        created=badge.issued_at,
    )
    badge.jwt = jwt_encode(
        unsigned, private_key=keyring.p256_private(badge.jwt_key), kid=keyring.verification_method_id(badge.jwt_key)
    )
    badge.save()
    StatusList.objects.filter(pk=status_list.pk).update(used=F("used") + 1)
    if not status_list.document:
        status_list_sign(status_list=status_list)


def badge_issue_stacked(*, earner: User, issuer: Issuer, stacked: Stacked, audit_data: dict[str, Any]) -> Badge:
    """Issue a credential that stacks others (a pathway's), signed by `issuer` through the same pipeline as
    an attempt's badge. Call it inside the caller's transaction, which holds the lock that makes the issue
    happen once (awards knows nothing of pathways: the caller's own unique row is the once-only guard, and
    a failure rolls this badge back with it). No email: the caller tells the earner in its own words."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("badge_issue_stacked runs inside the caller's transaction (its lock and unique row)")
    signing, jwt_key = active_keys(issuer)
    status_list = status_list_with_room(issuer)
    index = free_index(status_list)
    now = timezone.now().replace(microsecond=0)
    badge = Badge(
        earner=earner,
        issuer=issuer,
        title=stacked.name[:200],
        issued_at=now,
        status_list=status_list,
        status_index=index,
        signing_key=signing,
        jwt_key=jwt_key,
        name_included=True,
        visibility=Visibility.PRIVATE if earner.is_minor else Visibility.UNLISTED,
    )
    unsigned = ob3_credential(
        uuid=str(badge.uuid),
        version=None,
        issuer=issuer,
        email=earner.email,
        salt=secrets.token_hex(16),
        name=earner.name,
        issued_at=now,
        valid_until=None,
        status_list_url=status_list_url(status_list),
        status_index=index,
        stacked=stacked,
    )
    _sign_and_save(badge, unsigned, status_list=status_list)
    audit_record(
        action="badge.issued", subject=badge, actor=None, new=str(badge.uuid), issuer_id=issuer.pk, data=audit_data
    )
    return badge


def _administers(user: User, issuer: Issuer) -> bool:
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer=issuer, role=IssuerMembership.Role.ADMIN).exists()


def badge_revoke(*, admin: User, badge: Badge, reason: str) -> Badge:
    """An issuer admin (or platform admin) revokes a badge, giving a reason; the status list is re-signed
    in the same transaction, so the published list never disagrees with the record."""
    reason = (reason or "").strip()
    if not _administers(admin, badge.issuer):
        raise NotAllowed(gettext("only an admin of %(name)s may revoke its credentials") % {"name": badge.issuer.name})
    if len(reason) < 5:
        raise InvalidInput.on(
            "reason", gettext("give the reason for revoking (at least a few words); the earner is told it")
        )
    with transaction.atomic():
        locked = Badge.objects.select_for_update().select_related("earner", "issuer").get(pk=badge.pk)
        if locked.revoked_at is not None:
            raise InvalidState(
                gettext("this credential was already revoked on %(revoked_at)s; there is nothing more to do")
                % {"revoked_at": format(locked.revoked_at, "%d %B %Y")}
            )
        status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=locked.status_list_id)
        locked.revoked_at = timezone.now()
        locked.revoked_by = admin
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        status_list_sign(status_list=status_list, actor=admin)
        audit_record(
            action="badge.revoked",
            subject=locked,
            actor=admin,
            old="valid",
            new="revoked",
            data={"reason": reason},
            issuer_id=locked.issuer_id,
        )
        email_queue(
            name="credential_revoked",
            to=locked.earner.email,
            context={"name": locked.earner.name, "title": locked.title, "issuer": locked.issuer.name, "reason": reason},
        )
    badge.revoked_at, badge.revoked_by, badge.revocation_reason = locked.revoked_at, admin, reason
    return badge


def badge_visibility_set(*, earner: User, badge: Badge, visibility: str) -> Badge:
    """The earner chooses who may see the badge's page: public (listed), unlisted (the link) or private. A
    participant under 18 may choose anything but private only with their guardian's consent to sharing."""
    if badge.earner_id != earner.pk:
        raise NotAllowed(gettext("only the earner chooses who can see their credential"))
    if visibility not in Visibility.values:
        raise InvalidInput.on("visibility", f"choose one of: {', '.join(Visibility.values)}")
    if visibility == badge.visibility:
        return badge
    if visibility != Visibility.PRIVATE and not sharing_consented(user=earner):
        raise SharingNotConsented(
            "you are under 18, so your credential stays private until your parent or guardian agrees that it may "
            f"be shared outside microcred; ask them at {participation_url()}"
        )
    with transaction.atomic():
        old = badge.visibility
        badge.visibility = visibility
        badge.save(update_fields=["visibility"])
        audit_record(
            action="badge.visibility_changed",
            subject=badge,
            actor=earner,
            old=old,
            new=visibility,
            issuer_id=badge.issuer_id,
        )
    return badge
