"""allauth's social sign-in, with this platform's rule for joining it to an account that already exists.

A provider's sign-in is joined to an existing account by email only when both sides have proven the address:
the provider says it verified it, and the account holder verified it here. Anything less (an address someone typed
into either side and never confirmed) would hand one person's account to another; then allauth does not sign in,
and the person signs in as before and connects the provider from their account page."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.utils import timezone


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        for address in sociallogin.email_addresses:
            if not address.verified or not self.can_authenticate_by_email(sociallogin, address.email):
                continue
            local = (
                EmailAddress.objects.filter(email__iexact=address.email, verified=True, user__is_active=True)
                .select_related("user")
                .first()
            )
            if local is not None:
                return local.user, address.email
        return None

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        full = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
        user.name = (data.get("name") or full or (data.get("email") or "").partition("@")[0])[:150]
        # allauth writes a new account's addresses itself, as the provider gave them (accounts.email_addresses).
        user._email_addresses_from_provider = True
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        # The account counts as verified (User.email_verified_at, which submitting asks for) when the provider
        # vouched for the very address the account now has.
        vouched = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
        if vouched and user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        return user
