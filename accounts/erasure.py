"""An account on its way out: closed while its deletion may still be cancelled, then erased.

workflow/erasure.py orchestrates the whole erasure across rooms; this is the accounts room's part. The
User row itself is kept (decisions, reviews and the audit log point at it) but holds nothing of the person:
`erased-<id>@invalid`, no name, no organisation, no usable password, inactive.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import (
    IssuerMembership,
    ParticipationConsent,
    ReviewerInvite,
    ReviewerProfile,
    ReviewerRole,
    Throttle,
    User,
)
from accounts.reviewer_roles import reviewer_role_revoke
from accounts.services import membership_revoke
from accounts.throttle import _digest
from core.audit import audit_record

# Sent when an account is closed for deletion and again when it is erased, so that rooms above accounts
# (the API's personal access tokens) end what they hold for the person without accounts calling up.
account_closed = Signal()
account_erased = Signal()

# The throttles counted per address (accounts/throttle.py); the per-network ones hold no address.
_ADDRESS_RULES = ("signup_address", "reset_address")


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@invalid"


def account_contacts(*, user: User) -> list[str]:
    """The names and addresses of the grown-ups who answered for this person (guardian, advisor): erased too."""
    values: list[str] = []
    for row in ParticipationConsent.objects.filter(user=user):
        values += [row.contact_name, row.contact_email, row.signed_name]
    return [value for value in values if value]


def sessions_end(*, user: User) -> int:
    """Delete every session signed in as `user`. Sessions are keyed by a random id, not by user, so each live
    one is decoded; this runs once per deletion, not per request."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def account_close(*, user: User) -> User:
    """Close the account while its deletion waits: no sign-in (ModelBackend refuses inactive users), no
    session, no token. Reopened by account_reopen."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        sessions_end(user=user)
        audit_record(action="account.closed", subject=user, actor=user, old="active", new="closed")
        account_closed.send(sender=User, user=user)
    return user


def account_reopen(*, user: User) -> User:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        audit_record(action="account.reopened", subject=user, actor=user, old="closed", new="active")
    return user


def account_erase(*, user: User) -> User:
    """Erase the person from accounts: their personal fields, roles, consents, sessions, throttles,
    django-axes' sign-in records and allauth's (addresses, second factors, linked accounts). Idempotent."""
    email = user.email
    with transaction.atomic():
        ParticipationConsent.objects.filter(user=user).delete()
        # An invitation names the person by address and name; once answered it is only their history.
        ReviewerInvite.objects.filter(Q(accepted_by=user) | Q(email__iexact=email)).delete()
        # Through the services, so each ended role is in the audit log like any other (no names in it).
        for membership in IssuerMembership.objects.filter(user=user).select_related("issuer", "user"):
            membership_revoke(actor=None, membership=membership)
        for role in ReviewerRole.objects.filter(user=user).select_related("issuer", "user"):
            reviewer_role_revoke(actor=None, role=role)
        ReviewerProfile.objects.filter(user=user).delete()
        Throttle.objects.filter(scope__in=_ADDRESS_RULES, key__in=[_digest(r, email) for r in _ADDRESS_RULES]).delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()
        sessions_end(user=user)
        # allauth's rows: every address, the second factors (their secrets), accounts linked at other providers
        # (their ids and profile data) and the record of the person's sessions.
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        UserSession.objects.filter(user=user).delete()
        fields: dict[str, Any] = {
            "email": erased_email(user),
            "name": "",
            "organisation": "",
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
            "email_verified_at": None,
            "last_login": None,
        }
        if hasattr(user, "age_bracket"):
            fields["age_bracket"] = ""
        for field, value in fields.items():
            setattr(user, field, value)
        user.set_unusable_password()
        fields["password"] = user.password
        User.objects.filter(pk=user.pk).update(**fields)
        user.groups.clear()
        user.user_permissions.clear()
        account_erased.send(sender=User, user=user)
    return user
