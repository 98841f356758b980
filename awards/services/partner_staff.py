"""Partner universities' staff: an issuer's admins invite them by email, so a partner can decide applications
before the first one arrives (and without a platform admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import IssuerMembership, User
from accounts.services import password_reset_url, user_invited_create
from awards.documents import absolute
from awards.models import Partner, PartnerMembership, PartnerOffer
from catalog.models import Issuer
from core.audit import audit_record
from core.errors import InvalidInput, NotAllowed
from notifications.services import email_queue


@dataclass(frozen=True)
class Invitation:
    membership: PartnerMembership
    new_account: bool  # an account was made, and its holder emailed a link to set its password
    already_staff: bool  # the person was on the partner's staff already: nothing changed, nothing was sent


def partner_staff_add(*, partner: Partner, user: User) -> PartnerMembership:
    membership, _ = PartnerMembership.objects.get_or_create(partner=partner, user=user)
    return membership


def _may_invite(actor: User, issuer: Issuer, partner: Partner) -> bool:
    from_issuer = PartnerOffer.objects.filter(partner=partner, credential__issuer=issuer, is_current=True).exists()
    if not from_issuer or not actor.is_active:
        return False
    admin = IssuerMembership.objects.filter(user=actor, issuer=issuer, role=IssuerMembership.Role.ADMIN)
    return actor.is_superuser or admin.exists()


def partner_staff_invite(*, actor: User, issuer: Issuer, partner: Partner, email: str, name: str) -> Invitation:
    """Put the person with this address on the partner's staff, making their account if there is none.

    Only an admin of an issuer whose credentials the partner currently offers credit for may do it. The
    invitee is emailed either way: a new account gets a link to choose its password (which also confirms the
    address), an existing one a note that it can now decide the partner's applications."""
    if not _may_invite(actor, issuer, partner):
        raise NotAllowed(
            gettext("only an admin of %(name)s can add staff to a university that offers its credit")
            % {"name": issuer.name}
        )
    email = (email or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.on("email", "enter the person's email address, such as name@university.edu") from None
    if not name:
        raise InvalidInput.on("name", "enter the person's name, as their colleagues and earners will read it")
    if len(name) > 150:
        raise InvalidInput.on("name", "keep the name to 150 characters or fewer")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        new_account = user is None
        if user is None:
            user = user_invited_create(email=email, name=name)
        membership, created = PartnerMembership.objects.get_or_create(partner=partner, user=user)
        if not created:
            return Invitation(membership=membership, new_account=False, already_staff=True)
        audit_record(
            action="partner_staff.invited",
            subject=membership,
            actor=actor,
            new=f"{user.email} at {partner.slug}",
            issuer_id=issuer.pk,
            data={"user_id": user.pk, "partner": partner.slug, "new_account": new_account},
        )
        email_queue(
            name="partner_staff_invited",
            to=user.email,
            context={
                "name": user.name,
                "partner": partner.name,
                "issuer": issuer.name,
                "invited_by": actor.name,
                "set_password_url": password_reset_url(user=user) if new_account else "",
                "login_url": absolute(reverse("accounts:login")),
                "reset_url": absolute(reverse("accounts:password_reset")),
                "applications_url": absolute(reverse("awards:partner_list")),
            },
        )
    return Invitation(membership=membership, new_account=new_account, already_staff=False)
