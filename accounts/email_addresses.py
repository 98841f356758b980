"""allauth's EmailAddress rows kept in step with the account's own address and its verified flag.

User.email is how a person signs in and where we write; User.email_verified_at is what the submit guard and the
banner read. allauth reads EmailAddress (sign-in by any verified address, MFA set-up, linking an account from
another provider only through a verified address), so every account has its address there as the primary one,
verified exactly when the account is. A post_save receiver does it for accounts made anywhere (sign-up, an
invitation, an LTI launch, seed_demo, the admin), and sign-in does it for accounts older than allauth.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User

# A closed and erased account's address (accounts.erasure): it names nobody, so it gets no EmailAddress.
_ERASED_DOMAIN = "@invalid"


def email_address_sync(*, user: User) -> EmailAddress | None:
    """The account's own address as its primary EmailAddress, verified when the account is; None for an erased
    account, whose addresses are removed."""
    if user.email.endswith(_ERASED_DOMAIN):
        EmailAddress.objects.filter(user=user).delete()
        return None
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            # A new address for the account: an earlier one never confirmed is dropped (its link then confirms
            # nothing); a confirmed one stays the person's, as allauth keeps it.
            EmailAddress.objects.filter(user=user, verified=False).delete()
            EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
            return _primary_address_create(user)
        changed = []
        if not address.primary:
            EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
            address.primary = True
            changed.append("primary")
        if user.email_verified_at is not None and not address.verified:
            address.verified = True
            changed.append("verified")
        if changed:
            address.save(update_fields=changed)
        return address


def _primary_address_create(user: User) -> EmailAddress:
    """The account's own address as its primary EmailAddress, verified when the account is."""
    return EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=user.email_verified_at is not None
    )


def email_address_on_save(
    sender: Any, instance: User, created: bool = False, update_fields: Any = None, raw: bool = False, **_: Any
) -> None:
    """Receives the User's post_save: only a save that may have changed the address or its verification (not the
    last_login a sign-in writes) costs a query."""
    if raw:
        return
    if created and not instance.email.endswith(_ERASED_DOMAIN):
        # A new account has no addresses to reconcile: one insert, where the sync's reads and updates cost a
        # sign-up of a new address three round trips more than one of a taken address (a timing that must match).
        _primary_address_create(instance)
    elif created or update_fields is None or {"email", "email_verified_at"} & set(update_fields):
        email_address_sync(user=instance)


def email_address_on_sign_in(sender: Any, request: Any = None, user: Any = None, **_: Any) -> None:
    """Receives user_logged_in: an account older than allauth gets its EmailAddress."""
    if isinstance(user, User):
        email_address_sync(user=user)


def email_address_verified(sender: Any, request: Any = None, email_address: Any = None, **_: Any) -> None:
    """Receives allauth's email_confirmed: the person's own address verified marks the account verified."""
    if not isinstance(email_address, EmailAddress):
        return
    User.objects.filter(
        pk=email_address.user_id, email=email_address.email.lower(), email_verified_at__isnull=True
    ).update(email_verified_at=timezone.now())
