"""Every change to accounts, roles and reviewer profiles goes through these functions (reviewer profiles and
roles are written in accounts.reviewer_roles and re-exported here).

Views, the admin and seed_demo all call them, so what "granting issuer admin" or "verifying an
email" means is written once. Every role change (a membership, a reviewer profile) takes the `actor`
who made it and writes its row of the one audit log (core.audit) in the same transaction.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlsafe_base64_encode

from accounts.models import AgeBracket, IssuerMembership, User
from accounts.reviewer_roles import reviewer_profile_save, reviewer_role_grant, reviewer_role_revoke
from accounts.throttle import throttle_take
from catalog.models import Issuer
from core.audit import audit_record
from core.errors import InvalidInput, InvalidState, TooSoon
from notifications.selectors import email_recently_queued
from notifications.services import email_queue

EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
EMAIL_VERIFICATION_RESEND_INTERVAL = timedelta(minutes=1)
_VERIFICATION_SALT = "accounts.email-verification"

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
    an address has an account here. A new account is sent the link that verifies its address (the
    caller has validated the password); the holder of an existing account is told that someone tried
    to sign up with the address, and how to sign in or reset the password, at most a few times an hour.
    `age_bracket` is what the person stated (accounts/participants.py); under 13 is refused.
    """
    if age_bracket == AgeBracket.UNDER_13 or age_bracket not in {"", *AgeBracket.values}:
        raise InvalidInput.on("age_bracket", "microcred is for people aged 13 and over")
    email = email.strip().lower()
    may_email = throttle_take(rule="signup_address", key=email)
    if not User.objects.filter(email=email).exists():
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
            email_queue(name="account_exists", to=existing.email, context=_account_links(existing))


def _account_links(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }


def _address_digest(email: str) -> str:
    # A digest, not the address: signed values are readable, and links end up in logs and mail scanners.
    return salted_hmac(_VERIFICATION_SALT, email).hexdigest()[:20]


def email_verification_token(*, user: User) -> str:
    # The address is signed with the id: a link sent to an earlier address cannot verify a later one.
    return signing.TimestampSigner(salt=_VERIFICATION_SALT).sign_object(
        {"u": user.pk, "e": _address_digest(user.email)}
    )


def _token_owner(data: Any) -> User | None:
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not constant_time_compare(_address_digest(user.email), str(data.get("e"))):
        return None
    return user


def email_verification_send(*, user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:verify", args=[email_verification_token(user=user)])
    days = EMAIL_VERIFICATION_MAX_AGE.days
    email_queue(
        name="verify_email",
        to=user.email,
        context={"name": user.name, "verify_url": link, "valid_days": days},
    )


class VerificationOutcome(enum.Enum):
    VERIFIED = "verified"
    ALREADY_VERIFIED = "already_verified"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class VerificationResult:
    outcome: VerificationOutcome
    user: User | None = None


def email_verify(*, token: str) -> VerificationResult:
    """Mark the address in a verification link as verified; never raises for a bad link."""
    signer = signing.TimestampSigner(salt=_VERIFICATION_SALT)
    try:
        data = signer.unsign_object(token, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        # The signature is good, only old: say so, so the person knows a new link will work.
        return VerificationResult(VerificationOutcome.EXPIRED, _token_user(signer, token))
    except signing.BadSignature:
        return VerificationResult(VerificationOutcome.INVALID)
    user = _token_owner(data)
    if user is None:
        return VerificationResult(VerificationOutcome.INVALID)
    # The conditional update makes a double click (or a mail scanner racing the person) harmless.
    updated = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
    user.refresh_from_db(fields=["email_verified_at"])
    return VerificationResult(VerificationOutcome.VERIFIED if updated else VerificationOutcome.ALREADY_VERIFIED, user)


def _token_user(signer: signing.TimestampSigner, token: str) -> User | None:
    try:
        return _token_owner(signer.unsign_object(token))
    except signing.BadSignature:
        return None


def email_verification_resend(*, user: User) -> None:
    """Send a new verification link; refused (InvalidState) once verified, and (TooSoon) within a minute of
    the last link, so a double click or an impatient hand sends one email, not several."""
    if user.email_verified_at is not None:
        raise InvalidState("Your email address is already verified.")
    if email_recently_queued(name="verify_email", to=user.email, within=EMAIL_VERIFICATION_RESEND_INTERVAL):
        raise TooSoon(
            "We sent you a link less than a minute ago. Check your inbox and spam folder, "
            "or wait a minute and ask again."
        )
    with transaction.atomic():
        email_verification_send(user=user)


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


def password_reset_url(*, user: User, token_generator: PasswordResetTokenGenerator = default_token_generator) -> str:
    """The link that lets the person choose a new password (Django's token: one use, and it expires)."""
    uid = urlsafe_base64_encode(str(user.pk).encode())
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token_generator.make_token(user)])


def password_reset_send(*, user: User, token_generator: PasswordResetTokenGenerator = default_token_generator) -> None:
    """Email the link that lets the person choose a new password."""
    link = password_reset_url(user=user, token_generator=token_generator)
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
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
        user.save(update_fields=["password", "email_verified_at"])
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
    "VerificationOutcome",
    "VerificationResult",
    "email_verification_resend",
    "email_verification_send",
    "email_verification_token",
    "email_verify",
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
