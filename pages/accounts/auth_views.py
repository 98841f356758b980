"""Sign up, sign in and out, email confirmation and passwords: allauth's views, with our pages and rules.

Each view is allauth's with what this platform adds: sign-up answers the same whether or not the address has an
account and does not sign the person in; sign-in answers 429 with its reason when a network is throttled and
offers a closed account's owner to cancel its deletion; the confirmation link says whether it expired.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_account_settings
from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.backends import RULE as SIGN_IN_RULE
from accounts.backends import sign_in_throttled
from accounts.models import User
from accounts.services import EMAIL_VERIFICATION_MAX_AGE, email_verification_resend, user_signup
from accounts.throttle import client_network, throttle_guard, throttle_retry_after, try_again_in
from core.errors import InvalidState, TooSoon
from pages.accounts.auth_forms import ChangePasswordForm, ResetRequestForm, ResetSetPasswordForm, SignupForm
from pages.accounts.deletion import pending_note
from workflow.erasure import account_deletion_pending

# The address a sign-up was made with, for the "check your email" page that follows it.
_SIGNUP_EMAIL = "signup_email"


class SignInView(allauth_views.LoginView):
    template_name = "accounts/login.html"

    def form_invalid(self, form: Any) -> HttpResponse:
        if sign_in_throttled(self.request):
            wait = throttle_retry_after(rule=SIGN_IN_RULE, key=client_network(self.request))
            raise TooSoon(
                gettext(
                    "There have been unsuccessful attempts to sign in to many different accounts from your network, "
                    "so we have paused signing in from it, even with the right password."
                )
                + f" {try_again_in(wait)} "
                + gettext("Signing in from another network (a phone's mobile data, say) works now.")
            )
        waiting = _waiting_for_deletion(form)
        if waiting is not None:
            # The right password of a closed account that may still be saved: offer to cancel its deletion.
            pending_note(self.request, waiting)
            return redirect("accounts:deletion_cancel")
        return super().form_invalid(form)


def _waiting_for_deletion(form: Any) -> User | None:
    email, password = form.cleaned_data.get("username"), form.cleaned_data.get("password")
    if not (email and password):
        return None
    user = User.objects.filter(email=email, is_active=False).first()
    if user is None:
        # Hashed all the same: a refused sign-in takes as long whether or not the address is a closed account.
        make_password(password)
        return None
    if not user.check_password(password) or account_deletion_pending(user=user) is None:
        return None
    return user


class SignOutView(allauth_views.LogoutView):
    # Signing out changes state, so only a form's POST does it; a link or a prefetch cannot.
    http_method_names = ["post", "options"]


class SignUpView(allauth_views.SignupView):
    """allauth's sign-up page; the account is made by accounts.services.user_signup, which answers an address
    that already has an account exactly as a new one (allauth would either say so or sign the person in)."""

    template_name = "accounts/signup.html"
    form_class = SignupForm

    def get_form_class(self) -> type[SignupForm]:
        return SignupForm

    def form_valid(self, form: Any) -> HttpResponse:
        throttle_guard(
            rule="signup_network",
            key=client_network(self.request),
            message=gettext(
                "Many accounts have been made from your network in the last hour, so we have paused "
                "sign-up from it for a while."
            ),
        )
        data = form.cleaned_data
        user_signup(
            email=data["email"],
            name=data["name"],
            password=data["password1"],
            organisation=data["organisation"],
            age_bracket=data["age_bracket"],
        )
        self.request.session[_SIGNUP_EMAIL] = data["email"]
        return redirect("accounts:verify_sent")


@require_GET
def verify_sent(request: HttpRequest) -> HttpResponse:
    """After sign-up (signed out: the same page whether or not the address was new), or after asking for a
    new link (signed in)."""
    context = {"valid_days": EMAIL_VERIFICATION_MAX_AGE.days, "signup_email": request.session.get(_SIGNUP_EMAIL, "")}
    return render(request, "accounts/verify_sent.html", context)


class VerifyView(allauth_views.ConfirmEmailView):
    """Following the emailed link confirms the address (allauth's key and confirmation): opening it proves the
    mail arrived, which is the point. It says whether a refused link had only expired, so its owner asks again."""

    template_name = "accounts/verify.html"

    def get(self, *args: Any, **kwargs: Any) -> HttpResponse:
        outcome, address = _confirmation_read(str(self.kwargs["key"]))
        if outcome == "verified" and address is not None and not EmailConfirmationHMAC(address).confirm(self.request):
            outcome = "invalid"
        user = self.request.user
        is_owner = address is not None and user.is_authenticated and user.pk == address.user_id
        if is_owner:
            # The banner on this very page must see the new state.
            user.refresh_from_db(fields=["email_verified_at"])
        status = 200 if outcome in {"verified", "already_verified"} else 400
        return render(self.request, self.template_name, {"outcome": outcome, "is_owner": is_owner}, status=status)

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(*args, **kwargs)


def _confirmation_read(key: str) -> tuple[str, EmailAddress | None]:
    """What a confirmation key says: "verified" (to be confirmed now), "already_verified", "expired" (well signed,
    too old: its owner may ask again) or "invalid" (never ours, or sent to an address the account has left)."""
    salt = allauth_account_settings.SALT
    try:
        address_id, fresh = signing.loads(key, salt=salt, max_age=EMAIL_VERIFICATION_MAX_AGE), True
    except signing.SignatureExpired:
        address_id, fresh = signing.loads(key, salt=salt), False
    except signing.BadSignature:
        return "invalid", None
    address = (
        EmailAddress.objects.select_related("user").filter(pk=address_id).first()
        if isinstance(address_id, int)
        else None
    )
    if address is None or address.email.lower() != address.user.email.lower():
        return "invalid", None
    if not fresh:
        return "expired", address
    return ("already_verified" if address.verified else "verified"), address


@require_POST
@login_required
def verify_resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        email_verification_resend(user=user)
    except (InvalidState, TooSoon) as refusal:
        # Answered in place, as a notice on the page the person is sent back to, not as an error page.
        messages.warning(request, refusal.message)
    else:
        messages.success(request, gettext("We sent a new verification link to %(email)s.") % {"email": user.email})
    return redirect("accounts:verify_sent" if not user.is_email_verified else "accounts:dashboard")


class ResetRequestView(allauth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_class(self) -> type[ResetRequestForm]:
        return ResetRequestForm

    def form_valid(self, form: Any) -> HttpResponse:
        # Per network here; per address (and the same answer past it) in accounts.services.password_reset_request.
        throttle_guard(
            rule="reset_network",
            key=client_network(self.request),
            message=gettext(
                "Many password resets have been asked for from your network in the last hour, so we have "
                "paused them for a while."
            ),
        )
        form.save(self.request)
        return redirect(self.get_success_url())


class ResetSentView(allauth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(allauth_views.PasswordResetFromKeyView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form_class(self) -> type[ResetSetPasswordForm]:
        return ResetSetPasswordForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse("accounts:password_reset_confirm", kwargs=self.kwargs)
        return context


@require_GET
def reset_link_retired(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return render(request, "accounts/password_reset_confirm.html", {"token_fail": True})


class ResetCompleteView(allauth_views.PasswordResetFromKeyDoneView):
    template_name = "accounts/password_reset_complete.html"


class ChangePasswordView(allauth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_form_class(self) -> type[ChangePasswordForm]:
        return ChangePasswordForm

    def get_default_success_url(self) -> str:
        return reverse("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, gettext("Your password is changed."))
        return response
