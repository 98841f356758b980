"""Every change to accounts, roles and reviewer profiles goes through these functions.

Views, the admin and seed_demo all call them, so what "granting issuer admin" or "verifying an
email" means is written once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import IssuerMembership, ReviewerProfile, User
from catalog.models import Issuer
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
    ("accounts", "add_reviewerprofile"),
    ("accounts", "change_reviewerprofile"),
    ("accounts", "delete_reviewerprofile"),
)


# --- sign up and email verification -------------------------------------------------------------


def user_signup(*, email: str, name: str, password: str, organisation: str = "") -> User:
    """Create an educator's account and send the link that verifies their email address.

    The caller has validated the password; the account can sign in at once (see accounts.views.signup
    for why) and shows a reminder until the address is verified.
    """
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, name=name.strip(), organisation=organisation.strip()
        )
        email_verification_send(user=user)
    return user


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


class ResendRefused(Exception):
    """A resend asked for too soon after the last one; the message says when to try again."""


def email_verification_resend(*, user: User) -> None:
    from notifications.selectors import email_recently_queued

    if user.email_verified_at is not None:
        raise ResendRefused("Your email address is already verified.")
    if email_recently_queued(name="verify_email", to=user.email, within=EMAIL_VERIFICATION_RESEND_INTERVAL):
        raise ResendRefused(
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


def membership_grant(*, user: User, issuer: Issuer, role: str) -> IssuerMembership:
    """Make someone staff or admin of an issuer. An admin also gets into the admin site, scoped to the issuer."""
    if role not in IssuerMembership.Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        membership, _ = IssuerMembership.objects.get_or_create(user=user, issuer=issuer, role=role)
        if role == IssuerMembership.Role.ADMIN:
            user.groups.add(issuer_admin_group_sync())
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
    return membership


def membership_revoke(*, membership: IssuerMembership) -> None:
    """End a membership; someone no longer admin of any issuer leaves the group and, unless superuser, the admin."""
    with transaction.atomic():
        user = membership.user
        membership.delete()
        still_admin = IssuerMembership.objects.filter(user=user, role=IssuerMembership.Role.ADMIN).exists()
        if not still_admin:
            user.groups.remove(*Group.objects.filter(name=ISSUER_ADMINS_GROUP))
            if user.is_staff and not user.is_superuser:
                user.is_staff = False
                user.save(update_fields=["is_staff"])


def reviewer_profile_save(
    *,
    user: User,
    kind: str,
    issuers: Iterable[Issuer],
    grade_bands: list[str],
    capacity: int = 5,
    conflicts: str = "",
    is_active: bool = True,
) -> ReviewerProfile:
    """Create or update the one reviewer profile a person has."""
    if kind not in ReviewerProfile.Kind.values:
        raise ValueError(f"unknown reviewer kind {kind!r}")
    with transaction.atomic():
        profile = ReviewerProfile.objects.filter(user=user).first() or ReviewerProfile(user=user)
        profile.kind = kind
        profile.set_grade_bands(grade_bands)
        profile.capacity = capacity
        profile.conflicts = conflicts.strip()
        profile.is_active = is_active
        profile.full_clean(exclude=["issuers"])
        profile.save()
        profile.issuers.set(list(issuers))
    return profile
