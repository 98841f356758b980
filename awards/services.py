"""Every change on the awards side: issuer keys, issuing, revoking, visibility, status lists, partners and
graduate-credit applications. Each writes an AwardEvent (append-only) in the same transaction.

Locking: badge_issue locks the Attempt row and then the issuer's StatusList row, always in that order;
credential_revoke locks the AwardedCredential and then the StatusList. Two issues for one attempt
therefore run one after the other (the second finds the first's credential), and two revocations on one
list re-sign it one after the other, each seeing the other's bit.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import IssuerMembership, User
from awards import keys as keyring
from awards.documents import absolute, ob3_credential, status_list_credential
from awards.models import (
    ApplicationStatus,
    AwardedCredential,
    AwardEvent,
    CreditApplication,
    IssuerKey,
    Partner,
    PartnerMembership,
    PartnerOffer,
    StatusList,
    Visibility,
)
from awards.proof import proof_add
from awards.vcjwt import jwt_encode
from catalog.models import CredentialVersion, Issuer
from notifications.services import email_queue
from submissions.models import Attempt, AttemptStatus

log = logging.getLogger(__name__)


class AwardError(Exception):
    """A refusal the caller can act on; `message` says what to do."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(AwardError):
    status_code = 403


class NotEarned(AwardError):
    status_code = 409


class IssuerKeysMissing(AwardError):
    status_code = 503


# ----- keys -----------------------------------------------------------------------------------------------


def issuer_keys_create(*, issuer: Issuer, rotate: bool = False, actor: User | None = None) -> list[IssuerKey]:
    """Create the issuer's signing keys: one Ed25519 (Data Integrity) and one P-256 (VC-JWT).

    Without `rotate`, only the algorithms the issuer has no active key for get one (so it is safe to run
    twice). With `rotate`, the active keys are retired and new ones made; retired keys stay in the DID
    document so every credential signed with them keeps verifying."""
    created: list[IssuerKey] = []
    with transaction.atomic():
        # Locking the issuer row serialises key changes for one issuer: key numbers never collide.
        Issuer.objects.select_for_update().get(pk=issuer.pk)
        now = timezone.now()
        for algorithm in (IssuerKey.Algorithm.ED25519, IssuerKey.Algorithm.P256):
            active = IssuerKey.objects.filter(issuer=issuer, algorithm=algorithm, is_active=True).first()
            if active is not None and not rotate:
                continue
            if active is not None:
                IssuerKey.objects.filter(pk=active.pk).update(is_active=False, retired_at=now)
                _event(kind=AwardEvent.Kind.KEY_RETIRED, actor=actor, issuer=issuer, old=f"#{active.fragment}")
            last = IssuerKey.objects.filter(issuer=issuer).order_by("-number").values_list("number", flat=True).first()
            public, private = keyring.new_key_material(algorithm)
            key = IssuerKey.objects.create(
                issuer=issuer,
                number=(last or 0) + 1,
                algorithm=algorithm,
                public_key_multibase=public,
                private_key_encrypted=keyring.encrypt_private(private),
                created_at=now,
            )
            _event(
                kind=AwardEvent.Kind.KEY_CREATED,
                actor=actor,
                issuer=issuer,
                new=f"#{key.fragment}",
                data={"algorithm": algorithm, "rotation": rotate},
            )
            created.append(key)
    return created


def _active_keys(issuer: Issuer) -> tuple[IssuerKey, IssuerKey]:
    found = {k.algorithm: k for k in IssuerKey.objects.filter(issuer=issuer, is_active=True).select_related("issuer")}
    if IssuerKey.Algorithm.ED25519 not in found or IssuerKey.Algorithm.P256 not in found:
        if settings.PRODUCTION:
            raise IssuerKeysMissing(
                f"{issuer.name} has no signing keys yet; run `manage.py issuer_keys_create {issuer.slug}` first"
            )
        # Development only: a fresh checkout can issue at once. Production never signs with a key nobody
        # deliberately created.
        log.warning("creating signing keys for %s on demand (development); production requires the command", issuer)
        issuer_keys_create(issuer=issuer)
        return _active_keys(issuer)
    return found[IssuerKey.Algorithm.ED25519], found[IssuerKey.Algorithm.P256]


# ----- status lists ---------------------------------------------------------------------------------------


def status_list_url(status_list: StatusList) -> str:
    return absolute(
        reverse("awards:status_list", kwargs={"slug": status_list.issuer.slug, "number": status_list.number})
    )


def _status_list_with_room(issuer: Issuer) -> StatusList:
    """The issuer's newest list that still has room, locked; a new one when all are full."""
    current = StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number").first()
    if current is None or current.used >= current.size:
        try:
            with transaction.atomic():
                current = StatusList.objects.create(issuer=issuer, number=(current.number + 1) if current else 1)
        except IntegrityError:
            # Another issue made it first; use (and lock) theirs.
            pass
        current = StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number").first()
        assert current is not None
    current.issuer = issuer
    return current


def _free_index(status_list: StatusList) -> int:
    # Random rather than sequential indexes, as the specification advises: a credential's position then
    # says nothing about when it was issued or who was issued next to it.
    taken = set(AwardedCredential.objects.filter(status_list=status_list).values_list("status_index", flat=True))
    while True:
        index = secrets.randbelow(status_list.size)
        if index not in taken:
            return index


def status_list_sign(*, status_list: StatusList, actor: User | None = None) -> StatusList:
    """Rebuild the list's bits from the revoked credentials and sign it again (in the caller's transaction)."""
    issuer = status_list.issuer
    revoked = list(
        AwardedCredential.objects.filter(status_list=status_list, revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )
    signing, _ = _active_keys(issuer)
    now = timezone.now()
    unsigned = status_list_credential(
        issuer=issuer,
        url=status_list_url(status_list),
        purpose=status_list.purpose,
        size=status_list.size,
        revoked=revoked,
        valid_from=now,
    )
    document = proof_add(
        unsigned,
        private_key=keyring.ed25519_private(signing),
        verification_method=keyring.verification_method_id(signing),
        created=now,
    )
    status_list.document, status_list.updated_at = document, now
    StatusList.objects.filter(pk=status_list.pk).update(document_text=status_list.document_text, updated_at=now)
    _event(kind=AwardEvent.Kind.STATUS_LIST_SIGNED, actor=actor, issuer=issuer, new=f"{len(revoked)} revoked")
    return status_list


# ----- issuing --------------------------------------------------------------------------------------------


def _event(
    *,
    kind: str,
    actor: User | None = None,
    issuer: Issuer | None = None,
    awarded: AwardedCredential | None = None,
    application: CreditApplication | None = None,
    old: str = "",
    new: str = "",
    data: dict[str, Any] | None = None,
) -> AwardEvent:
    return AwardEvent.objects.create(
        kind=kind,
        actor=actor,
        issuer=issuer,
        awarded=awarded,
        application=application,
        old_value=old[:200],
        new_value=new[:200],
        data=data or {},
    )


def credential_page_url(awarded: AwardedCredential) -> str:
    return absolute(reverse("awards:detail", kwargs={"uuid": awarded.uuid}))


def badge_issue(*, attempt: Attempt) -> AwardedCredential:
    """The credential for an earned attempt, issued (signed in both forms) on the first call; later calls,
    concurrent ones included, return the same credential. Refused unless the attempt is earned."""
    existing = AwardedCredential.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().select_related("submission__educator").get(pk=attempt.pk)
            existing = AwardedCredential.objects.filter(attempt=locked).first()
            if existing is not None:
                return existing
            if locked.status != AttemptStatus.EARNED:
                raise NotEarned(
                    f"attempt {locked.number} is {AttemptStatus(locked.status).label.lower()}; only an earned "
                    "attempt is issued a credential"
                )
            awarded = _issue(locked)
    except IntegrityError:
        # The one-credential-per-attempt constraint caught a race the lock could not (another database
        # connection issued first): theirs is the credential.
        return AwardedCredential.objects.get(attempt=attempt)
    return awarded


def _issue(attempt: Attempt) -> AwardedCredential:
    version = CredentialVersion.objects.select_related("credential__issuer").get(pk=attempt.version_id)
    credential = version.credential
    issuer = credential.issuer
    earner = attempt.submission.educator
    spec = version.spec
    signing, jwt_key = _active_keys(issuer)
    status_list = _status_list_with_room(issuer)
    index = _free_index(status_list)
    now = timezone.now().replace(microsecond=0)
    valid_until = now + timedelta(days=spec.validity_days) if spec.validity_days else None
    awarded = AwardedCredential(
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
    )
    unsigned = ob3_credential(
        uuid=str(awarded.uuid),
        version=version,
        issuer=issuer,
        email=earner.email,
        salt=secrets.token_hex(16),
        name=earner.name if awarded.name_included else None,
        issued_at=now,
        valid_until=valid_until,
        status_list_url=status_list_url(status_list),
        status_index=index,
    )
    awarded.document = proof_add(
        unsigned,
        private_key=keyring.ed25519_private(signing),
        verification_method=keyring.verification_method_id(signing),
        created=now,
    )
    awarded.jwt = jwt_encode(
        unsigned, private_key=keyring.p256_private(jwt_key), kid=keyring.verification_method_id(jwt_key)
    )
    awarded.save()
    StatusList.objects.filter(pk=status_list.pk).update(used=F("used") + 1)
    if not status_list.document:
        status_list_sign(status_list=status_list)
    partners_sync(version=version)
    _event(kind=AwardEvent.Kind.ISSUED, issuer=issuer, awarded=awarded, new=str(awarded.uuid))
    email_queue(
        name="credential_issued",
        to=earner.email,
        context={
            "name": earner.name,
            "title": spec.title,
            "issuer": issuer.name,
            "url": credential_page_url(awarded),
            "mine_url": absolute(reverse("awards:mine")),
        },
    )
    return awarded


# ----- revoking, visibility ------------------------------------------------------------------------------


def _administers(user: User, issuer: Issuer) -> bool:
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer=issuer, role=IssuerMembership.Role.ADMIN).exists()


def credential_revoke(*, admin: User, credential: AwardedCredential, reason: str) -> AwardedCredential:
    """An issuer admin (or platform admin) revokes a credential, giving a reason; the status list is re-signed
    in the same transaction, so the published list never disagrees with the record."""
    reason = (reason or "").strip()
    if not _administers(admin, credential.issuer):
        raise NotPermitted(f"only an admin of {credential.issuer.name} may revoke its credentials")
    if len(reason) < 5:
        raise AwardError("give the reason for revoking (at least a few words); the earner is told it", field="reason")
    with transaction.atomic():
        locked = AwardedCredential.objects.select_for_update().select_related("earner", "issuer").get(pk=credential.pk)
        if locked.revoked_at is not None:
            raise AwardError("this credential is already revoked")
        status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=locked.status_list_id)
        locked.revoked_at = timezone.now()
        locked.revoked_by = admin
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        status_list_sign(status_list=status_list, actor=admin)
        _event(
            kind=AwardEvent.Kind.REVOKED,
            actor=admin,
            issuer=locked.issuer,
            awarded=locked,
            old="valid",
            new="revoked",
            data={"reason": reason},
        )
        email_queue(
            name="credential_revoked",
            to=locked.earner.email,
            context={"name": locked.earner.name, "title": locked.title, "issuer": locked.issuer.name, "reason": reason},
        )
    credential.revoked_at, credential.revoked_by, credential.revocation_reason = locked.revoked_at, admin, reason
    return credential


def credential_visibility_set(*, earner: User, credential: AwardedCredential, visibility: str) -> AwardedCredential:
    if credential.earner_id != earner.pk:
        raise NotPermitted("only the earner chooses who can see their credential")
    if visibility not in Visibility.values:
        raise AwardError(f"choose one of: {', '.join(Visibility.values)}", field="visibility")
    if visibility == credential.visibility:
        return credential
    with transaction.atomic():
        old = credential.visibility
        credential.visibility = visibility
        credential.save(update_fields=["visibility"])
        _event(kind=AwardEvent.Kind.VISIBILITY, actor=earner, awarded=credential, old=old, new=visibility)
    return credential


# ----- graduate credit ------------------------------------------------------------------------------------


def partners_sync(*, version: CredentialVersion) -> list[PartnerOffer]:
    """Make the credential's partner offers match its definition's graduate_credit (called on issue).

    A partner dropped from the file keeps its row (applications point at it) but its offer stops being
    current, so nobody can newly apply to it."""
    credit = version.spec.graduate_credit
    credential = version.credential
    offers: list[PartnerOffer] = []
    for entry in credit.partners if credit.available else []:
        partner, _ = Partner.objects.update_or_create(
            slug=entry.slug,
            defaults={"name": entry.name, "contact_email": entry.contact_email, "url": str(entry.url or "")},
        )
        offer, _ = PartnerOffer.objects.update_or_create(
            partner=partner,
            credential=credential,
            defaults={
                "credits": Decimal(str(entry.credits)),
                "fee_usd": Decimal(str(entry.fee_usd)),
                "is_demonstration": entry.draft,
                "is_current": True,
            },
        )
        offers.append(offer)
    PartnerOffer.objects.filter(credential=credential).exclude(pk__in=[o.pk for o in offers]).update(is_current=False)
    return offers


def partner_staff_add(*, partner: Partner, user: User) -> PartnerMembership:
    membership, _ = PartnerMembership.objects.get_or_create(partner=partner, user=user)
    return membership


def application_submit(
    *, earner: User, credential: AwardedCredential, partner: Partner, message: str = ""
) -> CreditApplication:
    """The earner asks a partner university for graduate credit for one of their credentials."""
    if credential.earner_id != earner.pk:
        raise NotPermitted("only the earner can apply for credit with this credential")
    if credential.revoked_at is not None:
        raise AwardError("this credential has been revoked, so it cannot be used for credit")
    offer = PartnerOffer.objects.filter(
        partner=partner, credential_id=credential.credential_id, is_current=True
    ).first()
    if offer is None:
        raise AwardError(f"{partner.name} does not offer credit for this credential", field="partner")
    message = (message or "").strip()
    if len(message) > 2000:
        raise AwardError("keep the message to 2,000 characters or fewer", field="message")
    try:
        with transaction.atomic():
            application = CreditApplication.objects.create(
                awarded=credential,
                partner=partner,
                earner=earner,
                credits=offer.credits,
                fee_usd=offer.fee_usd,
                message=message,
            )
            _event(
                kind=AwardEvent.Kind.APPLIED,
                actor=earner,
                application=application,
                awarded=credential,
                new=ApplicationStatus.SUBMITTED,
            )
            email_queue(
                name="credit_application_received",
                to=partner.contact_email,
                context={
                    "partner": partner.name,
                    "title": credential.title,
                    "issuer": credential.issuer.name,
                    "earner": earner.name,
                    "url": absolute(reverse("awards:partner_application", kwargs={"application_id": application.pk})),
                },
            )
    except IntegrityError:
        raise AwardError(f"you have already applied to {partner.name} with this credential", field="partner") from None
    return application


# Which decision may follow which: a decision can be revised until credit is awarded, which is final.
_DECISIONS = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.CREDIT_AWARDED,
        ApplicationStatus.DECLINED,
    },
    ApplicationStatus.ACCEPTED: {ApplicationStatus.CREDIT_AWARDED, ApplicationStatus.DECLINED},
    ApplicationStatus.DECLINED: {ApplicationStatus.ACCEPTED},
    ApplicationStatus.CREDIT_AWARDED: set(),
}


def application_decide(
    *, staff: User, application: CreditApplication, decision: str, note: str = ""
) -> CreditApplication:
    """Partner staff record accepted, credit awarded or declined, with a note; the earner is emailed."""
    if not PartnerMembership.objects.filter(user=staff, partner_id=application.partner_id).exists():
        raise NotPermitted("only the partner's own staff can decide its applications")
    note = (note or "").strip()
    if decision not in _DECISIONS:
        raise AwardError("choose accepted, credit awarded or declined", field="decision")
    if decision == ApplicationStatus.DECLINED and not note:
        raise AwardError("say why the application is declined; the earner reads this note", field="note")
    with transaction.atomic():
        locked = (
            CreditApplication.objects.select_for_update()
            .select_related("earner", "partner", "awarded")
            .get(pk=application.pk)
        )
        if decision not in _DECISIONS[ApplicationStatus(locked.status)]:
            raise AwardError(
                f"this application is {ApplicationStatus(locked.status).label.lower()}; it cannot become "
                f"{ApplicationStatus(decision).label.lower()} now",
                field="decision",
            )
        old = locked.status
        locked.status = decision
        locked.note = note
        locked.decided_at = timezone.now()
        locked.decided_by = staff
        locked.save(update_fields=["status", "note", "decided_at", "decided_by"])
        _event(
            kind=AwardEvent.Kind.DECIDED,
            actor=staff,
            application=locked,
            awarded=locked.awarded,
            old=old,
            new=decision,
            data={"note": note},
        )
        email_queue(
            name="credit_application_decided",
            to=locked.earner.email,
            context={
                "name": locked.earner.name,
                "partner": locked.partner.name,
                "title": locked.awarded.title,
                "decision": ApplicationStatus(decision).label,
                "note": note,
                "url": absolute(reverse("awards:mine")),
            },
        )
    return locked
