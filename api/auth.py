"""How API requests are authenticated: a personal access token, or the browser's session.

`Authorization: Bearer <token>` is tried first and, when present, decides alone (a bad token is
refused even if a session cookie came along). Without it, the signed-in session is accepted, with
Django's CSRF check on every unsafe method: a browser sends the session cookie on its own, so a
forged cross-site request must not ride on it, whereas a token is only ever sent on purpose. A token
of the read scope is refused with 403 on every unsafe method, before the endpoint runs.

Endpoints about one object (a submission, an attempt, a file) use `object_auth`, which answers an
unauthenticated request with 404 rather than 401, as it answers anyone who may not see the object:
whether an id exists cannot be probed, signed in or not. Collections (lists, create) answer 401.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts.models import User
from api.services import token_find

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionOrToken(HttpBearer):
    def __init__(self, *, allow_token: bool = True, not_found_when_anonymous: bool = False) -> None:
        self.allow_token = allow_token
        self.not_found_when_anonymous = not_found_when_anonymous
        super().__init__()

    def __call__(self, request: HttpRequest) -> User | None:
        user = self._identify(request)
        if user is None and self.not_found_when_anonymous:
            raise Http404("no such object")
        return user

    def _identify(self, request: HttpRequest) -> User | None:
        # From the WSGI environ: request.headers would build a mapping of every header for this one.
        header = request.META.get("HTTP_AUTHORIZATION")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not self.allow_token:
                return None
            return self.authenticate(request, token.strip())
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and _csrf_refusal(request) is not None:
            raise HttpError(
                403, gettext("CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header")
            )
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = token_find(token=token)
        if row is None:
            return None
        if request.method not in SAFE_METHODS and not row.may_write:
            raise HttpError(
                403,
                gettext(
                    "this token may only read (its scope is read): make a token with the write scope to change things"
                ),
            )
        request.user = row.user
        return row.user


def _checked_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("only named to CsrfViewMiddleware.process_view, never called")  # pragma: no cover


_CSRF = CsrfViewMiddleware(lambda request: HttpResponseForbidden())


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check of an unsafe request, as ninja's `check_csrf` makes it (the API's views are exempt from
    the middleware's own, which this stands in for), but for reading and checking the cookie again: the
    CsrfViewMiddleware every request passes through (settings.MIDDLEWARE) has done that, leaving the secret in
    META["CSRF_COOKIE"]. Without that middleware the secret is never there and every such request is refused."""
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    return _CSRF.process_view(request, _checked_view, (), {})


session_or_token = SessionOrToken()
session_only = SessionOrToken(allow_token=False)
object_auth = SessionOrToken(not_found_when_anonymous=True)


def request_user(request: HttpRequest) -> User:
    """The user an authenticated API request acts for (set by the auth classes above)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise HttpError(401, gettext("Unauthorized"))
    return user
