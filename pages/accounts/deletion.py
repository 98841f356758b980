"""Deleting one's own account: what happens explained before confirming with the password; the page a
closed account lands on; and cancelling within the grace period, offered when its owner signs in.

A closed account cannot sign in (ModelBackend refuses inactive users), so SignInView hands a refused
sign-in with the right password of an account waiting for deletion to `cancel`, through the session, for a
few minutes. Cancelling reopens the account and signs the person in."""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.errors import InvalidInput, NotAllowed
from workflow.erasure import (
    account_deletion_cancel,
    account_deletion_pending,
    account_deletion_refusal,
    account_deletion_request,
    grace_period,
)

# The session's note that this browser just proved the password of an account waiting for deletion.
PENDING_KEY = "deletion_pending"
_PENDING_SECONDS = 10 * 60
_MODEL_BACKEND = "accounts.backends.AccountBackend"


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password to confirm that it is you.")},
    )


def pending_note(request: HttpRequest, user: User) -> None:
    """Called by the sign-in page: the right password of a closed account waiting for deletion."""
    request.session[PENDING_KEY] = {"user": user.pk, "at": int(time.time())}


def _pending_user(request: HttpRequest) -> User | None:
    note = request.session.get(PENDING_KEY)
    if not isinstance(note, dict) or time.time() - int(note.get("at", 0)) > _PENDING_SECONDS:
        return None
    user_id = note.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None or account_deletion_pending(user=user) is None:
        return None
    return user


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_deletion_request(user=user, password=form.cleaned_data["password"])
        except InvalidInput as refusal:
            form.add_error("password", refusal.errors[0].message)
        except NotAllowed:
            pass  # shown below from account_deletion_refusal, as on the first visit
        else:
            logout(request)
            return redirect("accounts:deletion_requested")
    context = {
        "form": form,
        "refusal": account_deletion_refusal(user=user),
        "grace_days": grace_period().days,
    }
    return render(request, "accounts/delete.html", context, status=422 if form.errors else 200)


@require_GET
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deletion_requested.html", {"grace_days": grace_period().days})


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, gettext("Sign in with the account's email address and password to cancel its deletion."))
        return redirect("accounts:login")
    if request.method == "POST":
        account_deletion_cancel(user=user)
        request.session.pop(PENDING_KEY, None)
        user.refresh_from_db()
        login(request, user, backend=_MODEL_BACKEND)
        messages.success(request, gettext("Your account will not be deleted. Welcome back."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/deletion_cancel.html", {"deletion": account_deletion_pending(user=user)})
