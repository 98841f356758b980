"""Sign up, sign in, email verification, passwords, profile and dashboard. Thin: forms validate, services act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

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
from core.errors import InvalidState, TooSoon
from pages.accounts.forms import (
    ChangePasswordForm,
    EmailAuthenticationForm,
    ProfileForm,
    ResetRequestForm,
    ResetSetPasswordForm,
    SignupForm,
)

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _signed_in_user(request: HttpRequest) -> User:
    # login_required has run: the user is a real account, not AnonymousUser.
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and sign the person in straight away.

    An educator who has just signed up expects to look around and start a draft at once; a school's mail
    filter can hold the verification email for minutes or hours. So the account works before the address
    is verified and a banner asks for it; what depends on the address (submitting evidence, receiving a
    credential issued to it) is where verification is required.
    """
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                email=data["email"], name=data["name"], password=data["password1"], organisation=data["organisation"]
            )
        except IntegrityError:
            # Two sign-ups with one address at the same moment: the second gets the same message as a duplicate.
            form.add_error("email", "An account already uses this email address. Sign in, or reset your password.")
        else:
            login(request, user, backend=_MODEL_BACKEND)
            return redirect("accounts:verify_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_GET
@login_required
def verify_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/verify_sent.html", {"valid_days": EMAIL_VERIFICATION_MAX_AGE.days})


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


class SignOutView(auth_views.LogoutView):
    pass


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")


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
