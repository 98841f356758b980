"""Sign up, sign in, email verification, passwords, profile and dashboard. Thin: forms validate, services act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.backends import RULE as SIGN_IN_RULE
from accounts.backends import sign_in_throttled
from accounts.models import User
from accounts.selectors import user_roles_get
from accounts.services import (
    EMAIL_VERIFICATION_MAX_AGE,
    VerificationOutcome,
    email_verification_resend,
    email_verify,
    profile_update,
    user_signup,
)
from accounts.throttle import client_network, throttle_guard, throttle_retry_after, try_again_in
from core.errors import InvalidState, TooSoon
from pages.accounts.deletion import pending_note
from pages.accounts.forms import (
    ChangePasswordForm,
    EmailAuthenticationForm,
    ProfileForm,
    ResetRequestForm,
    ResetSetPasswordForm,
    SignupForm,
)
from workflow.erasure import account_deletion_pending


def _signed_in_user(request: HttpRequest) -> User:
    # login_required has run: the user is a real account, not AnonymousUser.
    assert isinstance(request.user, User)
    return request.user


# The address a sign-up was made with, for the "check your email" page that follows it.
_SIGNUP_EMAIL = "signup_email"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Make an account and send the link that confirms its address; then the person signs in.

    The answer is the same whether or not the address already has an account (accounts.services.user_signup
    emails its holder instead), so sign-up cannot be used to learn who has an account here. Nor does it sign
    the person in: that would show which of the two happened. An unconfirmed account may sign
    in straight away; what depends on the address (submitting evidence, receiving a credential issued to
    it) is where confirmation is required.
    """
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        throttle_guard(
            rule="signup_network",
            key=client_network(request),
            message="Many accounts have been made from your network in the last hour, so we have paused "
            "sign-up from it for a while.",
        )
        data = form.cleaned_data
        user_signup(
            email=data["email"],
            name=data["name"],
            password=data["password1"],
            organisation=data["organisation"],
            age_bracket=data["age_bracket"],
        )
        request.session[_SIGNUP_EMAIL] = data["email"]
        return redirect("accounts:verify_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_GET
def verify_sent(request: HttpRequest) -> HttpResponse:
    """After sign-up (signed out: the same page whether or not the address was new), or after asking for a
    new link (signed in)."""
    context = {"valid_days": EMAIL_VERIFICATION_MAX_AGE.days, "signup_email": request.session.get(_SIGNUP_EMAIL, "")}
    return render(request, "accounts/verify_sent.html", context)


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Following the emailed link verifies the address: opening it proves the mail arrived, which is the point."""
    result = email_verify(token=token)
    status = 200 if result.outcome in {VerificationOutcome.VERIFIED, VerificationOutcome.ALREADY_VERIFIED} else 400
    is_owner = result.user is not None and request.user.is_authenticated and request.user.pk == result.user.pk
    if is_owner:
        # The banner on this very page must see the new state.
        _signed_in_user(request).refresh_from_db(fields=["email_verified_at"])
    context = {"outcome": result.outcome.value, "is_owner": is_owner}
    return render(request, "accounts/verify.html", context, status=status)


@require_POST
@login_required
def verify_resend(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    try:
        email_verification_resend(user=user)
    except (InvalidState, TooSoon) as refusal:
        # Answered in place, as a notice on the page the person is sent back to, not as an error page.
        messages.warning(request, refusal.message)
    else:
        messages.success(request, f"We sent a new verification link to {user.email}.")
    return redirect("accounts:verify_sent" if not user.is_email_verified else "accounts:dashboard")


class SignInView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if sign_in_throttled(self.request):
            wait = throttle_retry_after(rule=SIGN_IN_RULE, key=client_network(self.request))
            raise TooSoon(
                "There have been unsuccessful attempts to sign in to many different accounts from your network, "
                "so we have paused signing in from it, even with the right password. "
                f"{try_again_in(wait)} Signing in from another network (a phone's mobile data, say) works now."
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


class SignOutView(auth_views.LogoutView):
    pass


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Per network here; per address (and the same answer past it) in accounts.services.password_reset_request.
        throttle_guard(
            rule="reset_network",
            key=client_network(self.request),
            message="Many password resets have been asked for from your network in the last hour, so we have "
            "paused them for a while.",
        )
        return super().form_valid(form)


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"name": user.name, "organisation": user.organisation},
    )
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, name=form.cleaned_data["name"], organisation=form.cleaned_data["organisation"])
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "roles": user_roles_get(user=user)})


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    return render(request, "accounts/dashboard.html", {"roles": user_roles_get(user=user)})
