"""Profile and dashboard. Thin: forms validate, services act. (Signing up, in and out, confirming the address
and passwords: pages/accounts/auth_views.py, on allauth.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.language import user_language_set
from accounts.models import User
from accounts.selectors import user_roles_get
from accounts.services import profile_update
from core.fragments import person_page
from pages.accounts.dashboard_state import dashboard_changes_at, dashboard_live, dashboard_scopes, dashboard_state
from pages.accounts.forms import ProfileForm
from pages.accounts.language import language_cookie_set


def _signed_in_user(request: HttpRequest) -> User:
    # login_required has run: the user is a real account, not AnonymousUser.
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"name": user.name, "organisation": user.organisation, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, name=form.cleaned_data["name"], organisation=form.cleaned_data["organisation"])
        language = form.cleaned_data["language"]
        user_language_set(user=user, language=language)
        # Said in the language just chosen, as the next page will be.
        with translation.override(language or translation.get_language()):
            messages.success(request, gettext("Your profile is saved."))
        response = redirect("accounts:profile")
        language_cookie_set(response, language)
        return response
    return render(request, "accounts/profile.html", {"form": form, "roles": user_roles_get(user=user)})


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Kept whole while nothing it shows changes (pages/accounts/dashboard_state.py): the person's most visited
    page is then two small reads and one of the change log, not seven panels drawn again."""
    user = _signed_in_user(request)
    now = timezone.now()
    return person_page(
        request,
        "accounts.dashboard",
        "accounts/dashboard.html",
        lambda: {"roles": user_roles_get(user=user)},
        lambda: dashboard_state(user, now),
        scopes=lambda _state: dashboard_scopes(user.pk),
        until=dashboard_changes_at,
        live=lambda: dashboard_live(request, user),
    )
