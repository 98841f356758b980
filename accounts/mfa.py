"""A second factor (allauth.mfa: an authenticator app or a security key) for those who judge and run programs.

Anyone who reviews for an issuer, works for one (admin or staff) or is staff of the platform must have set
one up before any other page opens for them: signed in without one, every page sends them to set it up.
allauth asks those who have one for a code at every sign-in. Educators may add one from their profile.
settings.MFA_REQUIRED_FOR_STAFF turns the requirement on (the default in production).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import IssuerMembership, ReviewerRole, User
from core.compiled import CompiledRows

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Remembered in the session once seen, so a person with a second factor costs no query per request.
_HAS_FACTOR = "_microcred_mfa_enrolled"


def mfa_required(*, user: Any) -> bool:
    """Whether this person must use a second factor: staff, an issuer's admin or staff, or a reviewer."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return (
        IssuerMembership.objects.filter(user_id=user.pk).exists()
        or ReviewerRole.objects.filter(user_id=user.pk).exists()
    )


def mfa_enrolled(*, user: Any) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def with_duties(users: QuerySet[User]) -> QuerySet[User]:
    """The people with what the middleware asks of a signed-in person without a remembered factor on each of their
    requests: whether they have one, and whether they hold a membership or a reviewer role (mfa_required's
    questions). The session's user is read with them (accounts/backends.py), so an educator, who never has the
    factor remembered, pays no query of their own for this. Nothing is remembered of the answer: a role given a
    minute ago counts at the next request."""
    return users.annotate(
        mfa_has_factor=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=SECOND_FACTORS)),
        mfa_is_member=Exists(IssuerMembership.objects.filter(user_id=OuterRef("pk"))),
        mfa_has_role=Exists(ReviewerRole.objects.filter(user_id=OuterRef("pk"))),
    )


# The same questions for a user read without them, in one query whose SQL is built once.
_FACTOR_AND_DUTIES = CompiledRows(
    lambda user_id: with_duties(User.objects.filter(pk=user_id)).values_list(  # type: ignore[misc]
        "mfa_has_factor", "mfa_is_member", "mfa_has_role"
    ),
    int,
)


def _duties(user: Any) -> tuple[bool, bool, bool] | None:
    """(has a factor, is a member, has a reviewer role), from the user as read with them, else by a query; None
    for an account that no longer exists."""
    if hasattr(user, "mfa_has_factor"):
        return bool(user.mfa_has_factor), bool(user.mfa_is_member), bool(user.mfa_has_role)
    rows = _FACTOR_AND_DUTIES.fetch(user.pk)
    if not rows:
        return None
    enrolled, member, reviews = (bool(value) for value in rows[0])
    return enrolled, member, reviews


def _open_paths() -> tuple[str, ...]:
    # Setting up the factor, confirming the address it needs, signing out, and what every page loads.
    return (
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/accounts/verify/",
        "/accounts/confirm-email/",
        "/accounts/signup/check-your-email/",
        settings.STATIC_URL,
        "/healthz",
        "/i18n/",
    )


class MfaRequiredMiddleware:
    """After AuthenticationMiddleware and allauth's: sends someone who must use a second factor and has none to
    set one up, from every page but those needed to do so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MFA_REQUIRED_FOR_STAFF and not request.path.startswith(_open_paths()):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.session.get(_HAS_FACTOR):
            return None
        duties = _duties(user)
        if duties is None:
            return None
        enrolled, member, reviews = duties
        if enrolled:
            request.session[_HAS_FACTOR] = True
            return None
        # mfa_required(user=user), from the row just read.
        if not (user.is_staff or user.is_superuser or member or reviews):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Set up two-factor authentication in your browser before using the API.")}, status=403
            )
        messages.warning(
            request,
            _(
                "You review or run programs here, so your account needs a second step at sign-in. "
                "Set up an authenticator app (or a security key) to continue."
            ),
        )
        return redirect(reverse("mfa_activate_totp"))
