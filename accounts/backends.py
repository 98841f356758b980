"""Password spraying: one network trying a password or two on each of many accounts.

django-axes counts failures per account and network, so an attacker who stays under its limit on each
account is never paused. Here every failed sign-in counts the account it named (once per window)
against the network it came from; past the limit, the backend refuses every sign-in from that network,
the right password included, until the window ends. It sits in AUTHENTICATION_BACKENDS, so the admin's
sign-in is covered as well as ours.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.mfa import with_duties
from accounts.models import User
from accounts.sessions import take_fetched_user
from accounts.throttle import client_network, throttle_reached, throttle_take_distinct
from core.compiled import CompiledModels

RULE = "signin_network"
# Set on a request refused here, so that the sign-in page answers 429 with its reason rather than
# "the email address or password is not right".
THROTTLED_FLAG = "microcred_signin_throttled"


class NetworkThrottleBackend:
    """Only refuses; never a user's backend. It has no get_user() on purpose: without one, Django (and the
    test client's force_login) never records it as the backend a session signed in with."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is not None and throttle_reached(rule=RULE, key=client_network(request)):
            setattr(request, THROTTLED_FLAG, True)
            # Stops authenticate() here: no later backend checks the password.
            raise PermissionDenied("too many accounts tried from this network")
        return None


def sign_in_failure_count(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """Receives user_login_failed: count the account a failed sign-in named against its network."""
    if request is None:
        return
    username = axes_username(None, credentials)
    throttle_take_distinct(rule=RULE, key=client_network(request), member=username)


def sign_in_throttled(request: HttpRequest) -> bool:
    return bool(getattr(request, THROTTLED_FLAG, False))


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in names, as django-axes counts it (AXES_USERNAME_CALLABLE): allauth passes the address
    as `email`, the admin and the test client as `username`; lower-cased, so every spelling is one account."""
    given = credentials or {}
    value = given.get("email") or given.get("username") or given.get("login")
    if value is None and request is not None:
        value = request.POST.get("username") or request.POST.get("login")
    return str(value or "").strip().lower()


# With what the second-factor middleware asks of every signed-in request (accounts/mfa.py), in the same query.
_USER_BY_PK: CompiledModels[User] = CompiledModels(lambda pk: with_duties(User._default_manager.filter(pk=pk)), int)


class AccountBackend(AuthenticationBackend):
    """allauth's backend (Django's ModelBackend that also finds a person by email=), except that a closed account's
    right password is answered like a wrong one: allauth would send it to an "account inactive" page, telling
    anyone with the password that the account exists. The sign-in page offers a closed account's owner to cancel
    its deletion itself (pages/accounts/auth_views.py)."""

    def _check_password(self, user: Any, password: str) -> Any:
        found = super()._check_password(user, password)
        # super() hands a closed account to allauth through a per-thread stash; take it back out.
        if found is None:
            AuthenticationBackend.unstash_authenticated_user()
        return found

    def get_user(self, user_id: Any) -> Any:
        # Every signed-in request asks this once: the person read with the session (accounts/sessions.py), else the
        # row by a query compiled once (core/compiled.py); then ModelBackend's own check (an inactive account is
        # nobody).
        user_id = int(user_id)
        user = take_fetched_user(user_id) or _USER_BY_PK.one(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
