"""Every change to accounts, roles and reviewer profiles goes through these functions (reviewer profiles and
roles are written in accounts.reviewer_roles and re-exported here).

Views, the admin and seed_demo all call them, so what "granting issuer admin" or "verifying an
email" means is written once. Every role change (a membership, a reviewer profile) takes the `actor`
who made it and writes its row of the one audit log (core.audit) in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from allauth.account.forms import default_token_generator as reset_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.email_addresses import email_address_sync
from accounts.models import AgeBracket, IssuerMembership, User
from accounts.reviewer_roles import reviewer_profile_save, reviewer_role_grant, reviewer_role_revoke
from accounts.throttle import throttle_take
from catalog.models import Issuer
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, TooSoon
from notifications.selectors import email_recently_queued
from notifications.services import email_queue

# How long an emailed confirmation link works (allauth's ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS says the same).
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS)
EMAIL_VERIFICATION_RESEND_INTERVAL = timedelta(minutes=1)

ISSUER_ADMINS_GROUP = "Issuer admins"
# What an issuer admin may do in the admin site; which rows they see is narrowed per issuer in accounts.admin.
ISSUER_ADMIN_PERMISSIONS = (
    ("catalog", "view_issuer"),
    ("catalog", "view_credential"),
    ("catalog", "change_credential"),
    ("catalog", "view_credentialversion"),
    ("accounts", "view_issuermembership"),
    ("accounts", "add_issuermembership"),
    ("accounts", "delete_issuermembership"),
    ("accounts", "view_reviewerprofile"),
    ("accounts", "change_reviewerprofile"),
    ("core", "view_auditevent"),
)


# --- sign up and email verification -------------------------------------------------------------


def user_signup(*, email: str, name: str, password: str, organisation: str = "", age_bracket: str = "") -> None:
    """Make an educator's account, or tell the holder of an existing one; the caller cannot tell which.

    Both ways hash the password and queue one email, so neither the answer nor its timing says whether
    an address has an account here. A new account gets its address as allauth's (unverified) EmailAddress and
    the link that verifies it (the caller has validated the password); the holder of an existing account is
    told that someone tried to sign up with the address, and how to sign in or reset the password, at most a
    few times an hour. `age_bracket` is what the person stated (accounts/participants.py); under 13 is refused.
    """
    if age_bracket == AgeBracket.UNDER_13 or age_bracket not in {"", *AgeBracket.values}:
        raise InvalidInput.on("age_bracket", gettext("microcred is for people aged 13 and over"))
    email = email.strip().lower()
    may_email = throttle_take(rule="signup_address", key=email)
    if not _address_taken(email):
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    name=name.strip(),
                    organisation=organisation.strip(),
                    age_bracket=age_bracket,
                )
                email_verification_send(user=user)
        except IntegrityError:
            pass  # made a moment ago by a request racing this one: answered as an existing account
        else:
            return
    make_password(password)  # the cost the new account's hash would have had
    existing = User.objects.filter(email=email, is_active=True).first()
    if existing is not None and may_email:
        with transaction.atomic():
            email_queue(name="account_exists", to=existing.email, context=account_links(existing))


def _address_taken(email: str) -> bool:
    # Someone's sign-in address, or another address they verified with allauth (a linked account's, say).
    return (
        User.objects.filter(email=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def account_links(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }


def email_verification_url(*, address: EmailAddress) -> str:
    """The emailed link that verifies one address: allauth's signed key (the EmailAddress row, so a link sent to
    an earlier address never verifies a later one), on our page."""
    return settings.SITE_URL + reverse("accounts:verify", args=[EmailConfirmationHMAC(address).key])


def email_verification_send(*, user: User) -> None:
    address = email_address_sync(user=user)
    if address is None:
        return  # an erased account: no address to confirm
    email_queue(
        name="verify_email",
        to=user.email,
        context={
            "name": user.name,
            "verify_url": email_verification_url(address=address),
            "valid_days": EMAIL_VERIFICATION_MAX_AGE.days,
        },
    )


def email_verification_resend(*, user: User) -> None:
    """Send a new verification link; refused (InvalidState) once verified, and (TooSoon) within a minute of
    the last link, so a double click or an impatient hand sends one email, not several."""
    if user.email_verified_at is not None:
        raise InvalidState(gettext("Your email address is already verified."))
    if email_recently_queued(name="verify_email", to=user.email, within=EMAIL_VERIFICATION_RESEND_INTERVAL):
        raise TooSoon(
            gettext(
                "We sent you a link less than a minute ago. Check your inbox and spam folder, "
                "or wait a minute and ask again."
            )
        )
    with transaction.atomic():
        email_verification_send(user=user)


def email_verified_mark(*, user: User) -> None:
    """The person has shown they read their address (a confirmation link, a password reset): the account and
    allauth's EmailAddress both say so. Changes nothing when already verified."""
    with transaction.atomic():
        if user.email_verified_at is None:
            User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
            user.refresh_from_db(fields=["email_verified_at"])
        address = email_address_sync(user=user)
        if address is not None and not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


# --- profile and passwords -------------------------------------------------------------------------


def profile_update(*, user: User, name: str, organisation: str) -> User:
    user.name = name.strip()
    user.organisation = organisation.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "organisation"])
    return user


def password_reset_request(*, email: str) -> None:
    """Email the address a reset link if an account uses it, and otherwise a note that none does.

    Either way one email is queued and delivered, so neither the answer nor the time it takes tells
    whether the address has an account here (a stand-in that only pretended to send would still answer
    faster wherever delivery runs in the request). Past a few requests an hour for one address nothing
    is sent, for a known and an unknown address alike.
    """
    email = email.strip().lower()
    if not throttle_take(rule="reset_address", key=email):
        return
    users = [user for user in User.objects.filter(email=email, is_active=True) if user.has_usable_password()]
    with transaction.atomic():
        for user in users:
            password_reset_send(user=user)
        if not users:
            links = {
                "signup_url": settings.SITE_URL + reverse("accounts:signup"),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            }
            email_queue(name="password_reset_no_account", to=email, context=links)


def password_reset_url(*, user: User) -> str:
    """The link that lets the person choose a new password: allauth's token (one use: it changes with the
    password, and it expires after PASSWORD_RESET_TIMEOUT), read by allauth's reset view at our address."""
    uid = user_pk_to_url_str(user)
    key = reset_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", kwargs={"uidb36": uid, "key": key})


def password_reset_send(*, user: User) -> None:
    """Email the link that lets the person choose a new password."""
    link = password_reset_url(user=user)
    email_queue(name="password_reset", to=user.email, context={"name": user.name, "reset_url": link})


def user_invited_create(*, email: str, name: str) -> User:
    """An account made for someone by another person (an issuer admin adding partner staff), who then sets
    its password through a reset link emailed to them; following that link verifies the address.

    The password is random rather than unusable: an unusable one would make "Forgot your password?" answer
    as if the address had no account, leaving nobody a way in once the invitation's link expires."""
    return User.objects.create_user(email=email.strip().lower(), password=secrets.token_urlsafe(32), name=name.strip())


def password_reset_complete(*, user: User, password: str) -> User:
    """Set a password chosen through an emailed reset link.

    Following that link proves the person reads the address, so it also verifies the address, and it
    lifts a sign-in lockout: the reset is the way out that the lockout page offers.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        email_verified_mark(user=user)
    axes_reset(username=user.email)
    return user


# --- roles ---------------------------------------------------------------------------------------


def issuer_admin_group_sync() -> Group:
    """Create the "Issuer admins" group, or bring its permissions back to ISSUER_ADMIN_PERMISSIONS."""
    group, _ = Group.objects.get_or_create(name=ISSUER_ADMINS_GROUP)
    wanted = []
    for app_label, codename in ISSUER_ADMIN_PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            # Permissions are created after each app's migrations; the next post_migrate completes the set.
            continue
        wanted.append(permission)
    group.permissions.set(wanted)
    return group


def _roles_at(user: User, issuer_id: int, *, leaving: IssuerMembership | None = None) -> str:
    """The person's roles at one issuer, as the audit log writes them ("admin, staff")."""
    memberships = IssuerMembership.objects.filter(user=user, issuer_id=issuer_id)
    if leaving is not None:
        memberships = memberships.exclude(pk=leaving.pk)
    return ", ".join(memberships.order_by("role").values_list("role", flat=True))


def membership_grant(*, actor: User | None, user: User, issuer: Issuer, role: str) -> IssuerMembership:
    """Make someone staff or admin of an issuer. An admin also gets into the admin site, scoped to the issuer.

    `actor` is who granted it (None for the platform itself, as seed_demo); a grant the person already has
    changes nothing and records nothing."""
    if role not in IssuerMembership.Role.values:
        choices = ", ".join(IssuerMembership.Role.values)
        raise InvalidInput.on("role", f"{role!r} is not a role of an issuer; choose one of: {choices}")
    with transaction.atomic():
        before = _roles_at(user, issuer.pk)
        membership, created = IssuerMembership.objects.get_or_create(user=user, issuer=issuer, role=role)
        if not created:
            return membership
        if role == IssuerMembership.Role.ADMIN:
            user.groups.add(issuer_admin_group_sync())
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        audit_record(
            action="membership.granted",
            subject=membership,
            actor=actor,
            old=before,
            new=_roles_at(user, issuer.pk),
            issuer_id=issuer.pk,
            data={"user_id": user.pk, "role": role},
        )
    return membership


def membership_revoke(*, actor: User | None, membership: IssuerMembership) -> None:
    """End a membership; someone no longer admin of any issuer leaves the group and, unless superuser, the admin."""
    with transaction.atomic():
        user = membership.user
        # Recorded before the row goes, while the membership still has the key the log names it by.
        audit_record(
            action="membership.revoked",
            subject=membership,
            actor=actor,
            old=_roles_at(user, membership.issuer_id),
            new=_roles_at(user, membership.issuer_id, leaving=membership),
            issuer_id=membership.issuer_id,
            data={"user_id": user.pk, "role": membership.role},
        )
        membership.delete()
        still_admin = IssuerMembership.objects.filter(user=user, role=IssuerMembership.Role.ADMIN).exists()
        if not still_admin:
            user.groups.remove(*Group.objects.filter(name=ISSUER_ADMINS_GROUP))
            if user.is_staff and not user.is_superuser:
                user.is_staff = False
                user.save(update_fields=["is_staff"])


__all__ = [
    "ISSUER_ADMINS_GROUP",
    "ISSUER_ADMIN_PERMISSIONS",
    "account_links",
    "email_verification_resend",
    "email_verification_send",
    "email_verification_url",
    "email_verified_mark",
    "issuer_admin_group_sync",
    "membership_grant",
    "membership_revoke",
    "password_reset_complete",
    "password_reset_request",
    "password_reset_send",
    "profile_update",
    "reviewer_profile_save",
    "reviewer_role_grant",
    "reviewer_role_revoke",
    "user_signup",
]
