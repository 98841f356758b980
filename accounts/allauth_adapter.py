"""How django-allauth behaves here: our email outbox and wording, our links, and who keeps a second factor.

allauth's flows send mail through `send_mail` with a template name of theirs; the ones we have our own email
for (confirming an address, resetting a password, "you already have an account") go through the notifications
outbox as every other email does, after commit, in the recipient's language.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as allauth_account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.mfa import SECOND_FACTORS, mfa_required
from accounts.models import User
from accounts.services import EMAIL_VERIFICATION_MAX_AGE, account_links, email_verification_url
from notifications.services import email_queue

# allauth's notices that add nothing to the page they land on.
# Adding a factor (not removing one, nor seeing recovery codes) right after signing in needs no second password.
_ENROL_VIEWS = {"mfa_activate_totp", "mfa_add_webauthn"}
# Our pages say these themselves (the confirmation page, "Your password is changed.").
_QUIET_MESSAGES = {
    "account/messages/logged_in.txt",
    "account/messages/logged_out.txt",
    "account/messages/email_confirmed.txt",
    "account/messages/password_changed.txt",
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The email address or password is not right. Check both and try again, or reset your password."
        ),
        "too_many_login_attempts": _("Too many wrong codes. Wait a few minutes and try again."),
    }

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Wrong passwords are counted by django-axes (per account and network, in the database) and by
        # accounts.backends (per network); allauth's count, in the cache, would refuse before axes could lock.
        return None

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up a second factor asks for the password again, except within a few minutes of signing in with
        it: someone sent to set one up straight after signing in is not asked twice."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        if app != "allauth.mfa" or request is None or not request.user.is_authenticated:
            return True
        if request.resolver_match is None or request.resolver_match.url_name not in _ENROL_VIEWS:
            return True
        timeout = allauth_account_settings.REAUTHENTICATION_TIMEOUT
        return not any(
            record.get("method") == "password" and time.time() - float(record.get("at", 0)) < timeout
            for record in get_authentication_records(request, request.user)
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        data = getattr(form, "cleaned_data", {})
        user.name = str(data.get("name") or "").strip()
        user.organisation = str(data.get("organisation") or "").strip()
        user.age_bracket = str(data.get("age_bracket") or "")
        return super().save_user(request, user, form, commit=commit)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return email_verification_url(address=emailconfirmation.email_address)

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in _QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        name = user.name if isinstance(user, User) else ""
        if template_prefix in {"account/email/email_confirmation_signup", "account/email/email_confirmation"}:
            email_queue(
                name="verify_email",
                to=email,
                context={
                    "name": name,
                    "verify_url": str(context["activate_url"]),
                    "valid_days": EMAIL_VERIFICATION_MAX_AGE.days,
                },
            )
        elif template_prefix == "account/email/password_reset_key":
            email_queue(
                name="password_reset", to=email, context={"name": name, "reset_url": str(context["password_reset_url"])}
            )
        elif template_prefix == "account/email/account_already_exists":
            existing = User.objects.filter(email=email.lower(), is_active=True).first()
            if existing is not None:
                email_queue(name="account_exists", to=existing.email, context=account_links(existing))
        elif template_prefix == "account/email/unknown_account":
            links = {
                "signup_url": settings.SITE_URL + reverse("accounts:signup"),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            }
            email_queue(name="password_reset_no_account", to=email, context=links)
        else:
            super().send_mail(template_prefix, email, context)


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone who must use a second factor keeps at least one (an app or a security key)."""
        user = authenticator.user
        if authenticator.type not in SECOND_FACTORS or not mfa_required(user=user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk)
        return others.exists()
