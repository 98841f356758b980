"""Graduate credit: partner universities synced from the definitions (when they load, and again on issue),
earners applying with a badge, and partner staff deciding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from awards.documents import absolute
from awards.models import ApplicationStatus, Badge, CreditApplication, Partner, PartnerMembership, PartnerOffer
from catalog.models import Credential, CredentialVersion
from catalog.schema import Partner as PartnerEntry
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, NotAllowed
from notifications.services import email_queue


def _offers_summary(version: CredentialVersion) -> list[str]:
    return [
        f"{o.partner.slug}:{o.credits}:{o.fee_usd}:{int(o.is_demonstration)}:{int(o.is_current)}"
        for o in PartnerOffer.objects.filter(credential=version.credential).select_related("partner").order_by("pk")
    ]


def _offers_in_step(credential: Credential, entries: list[PartnerEntry]) -> list[PartnerOffer] | None:
    """The credential's offers, in the definition's order, when the rows already say everything the
    definition says (read in one query); None when anything would change."""
    rows = list(PartnerOffer.objects.filter(credential=credential).select_related("partner"))
    by_slug = {offer.partner.slug: offer for offer in rows}
    wanted = {entry.slug for entry in entries}
    if any(offer.is_current and offer.partner.slug not in wanted for offer in rows):
        return None
    offers: list[PartnerOffer] = []
    for entry in entries:
        offer = by_slug.get(entry.slug)
        if offer is None:
            return None
        partner = offer.partner
        # Decimal compares by value, so 3.00 read back equals the 3.0 the definition gives.
        if (
            partner.name != entry.name
            or partner.contact_email != entry.contact_email
            or partner.url != str(entry.url or "")
            or offer.credits != Decimal(str(entry.credits))
            or offer.fee_usd != Decimal(str(entry.fee_usd))
            or offer.is_demonstration != entry.draft
            or not offer.is_current
        ):
            return None
        offers.append(offer)
    return offers


def partners_sync(*, version: CredentialVersion) -> list[PartnerOffer]:
    """Make the credential's partner offers match its definition's graduate_credit (called by load_credentials
    and on issue).

    A partner dropped from the file keeps its row (applications point at it) but its offer stops being
    current, so nobody can newly apply to it. Recorded in the audit log only when an offer changed, since
    this runs on every issue; and when the rows already match the definition (the usual case on issue,
    since load_credentials synced them) it only reads, one query, and writes nothing."""
    credit = version.spec.graduate_credit
    credential = version.credential
    entries = credit.partners if credit.available else []
    unchanged = _offers_in_step(credential, entries)
    if unchanged is not None:
        return unchanged
    before = _offers_summary(version)
    offers: list[PartnerOffer] = []
    for entry in entries:
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
    after = _offers_summary(version)
    if after != before:
        audit_record(
            action="partners.synced",
            subject=credential,
            actor=None,
            old=", ".join(before),
            new=", ".join(after),
            issuer_id=credential.issuer_id,
            data={"version": version.number, "current": [o.partner.slug for o in offers]},
        )
    return offers


def application_submit(*, earner: User, badge: Badge, partner: Partner, message: str = "") -> CreditApplication:
    """The earner asks a partner university for graduate credit for one of their badges."""
    if badge.earner_id != earner.pk:
        raise NotAllowed(gettext("only the earner can apply for credit with this credential"))
    if badge.revoked_at is not None:
        raise InvalidState(gettext("this credential has been revoked, so it cannot be used for credit"))
    offer = (
        PartnerOffer.objects.filter(partner=partner, credential_id=badge.credential_id, is_current=True).first()
        if badge.credential_id is not None
        else None
    )
    if offer is None:
        raise InvalidInput.on(
            "partner",
            f"{partner.name} does not offer credit for this credential; choose one of the listed universities",
        )
    message = (message or "").strip()
    if len(message) > 2000:
        raise InvalidInput.on("message", "keep the message to 2,000 characters or fewer")
    try:
        with transaction.atomic():
            application = CreditApplication.objects.create(
                badge=badge,
                partner=partner,
                earner=earner,
                credits=offer.credits,
                fee_usd=offer.fee_usd,
                message=message,
            )
            audit_record(
                action="credit_application.submitted",
                subject=application,
                actor=earner,
                new=ApplicationStatus.SUBMITTED,
                issuer_id=badge.issuer_id,
                data={"badge_id": badge.pk, "partner": partner.slug},
            )
            email_queue(
                name="credit_application_received",
                to=partner.contact_email,
                context={
                    "partner": partner.name,
                    "title": badge.title,
                    "issuer": badge.issuer.name,
                    "earner": earner.name,
                    "url": absolute(reverse("awards:partner_application", kwargs={"application_id": application.pk})),
                },
            )
    except IntegrityError:
        raise InvalidInput.on(
            "partner", f"you have already applied to {partner.name} with this credential; choose another university"
        ) from None
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
        raise NotAllowed(gettext("only the partner's own staff can decide its applications"))
    note = (note or "").strip()
    if decision not in _DECISIONS:
        raise InvalidInput.on("decision", "choose accepted, credit awarded or declined")
    if decision == ApplicationStatus.DECLINED and not note:
        raise InvalidInput.on("note", "say why the application is declined; the earner reads this note")
    with transaction.atomic():
        locked = (
            CreditApplication.objects.select_for_update()
            .select_related("earner", "partner", "badge")
            .get(pk=application.pk)
        )
        if decision not in _DECISIONS[ApplicationStatus(locked.status)]:
            raise InvalidState(
                gettext("this application is %(status)s; it cannot become %(decision)s now")
                % {
                    "status": ApplicationStatus(locked.status).label.lower(),
                    "decision": ApplicationStatus(decision).label.lower(),
                }
            )
        old = locked.status
        locked.status = decision
        locked.note = note
        locked.decided_at = timezone.now()
        locked.decided_by = staff
        locked.save(update_fields=["status", "note", "decided_at", "decided_by"])
        audit_record(
            action="credit_application.decided",
            subject=locked,
            actor=staff,
            old=old,
            new=decision,
            issuer_id=locked.badge.issuer_id,
            data={"badge_id": locked.badge_id, "note": note},
        )
        email_queue(
            name="credit_application_decided",
            to=locked.earner.email,
            context={
                "name": locked.earner.name,
                "partner": locked.partner.name,
                "title": locked.badge.title,
                "decision": _english(ApplicationStatus(decision).label),
                "note": note,
                "url": absolute(reverse("awards:mine")),
            },
        )
    return locked


def _english(label: Any) -> str:
    # Outbox rows keep their context as JSON, written in whichever language the acting request runs in; the
    # email is rendered for its recipient later, so a label goes in as the English text it always was.
    with translation.override("en"):
        return str(label)
