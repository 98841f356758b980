"""A signed-in session ends after SESSION_COOKIE_AGE without use, and after SESSION_ABSOLUTE_AGE in any case.

A session's expiry moves ahead only when the session is saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would make every page view and every autosave a session write, so the
middleware saves a signed-in session at most once a minute: the idle limit then holds to within that
minute. The expiry is the database row's too, so a copied cookie stops working on the server's clock.

This module is also the session engine (SESSION_ENGINE): Django's database sessions, the row read by a query
compiled once (core/compiled.py), since every signed-in request reads it before anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.compiled import CompiledModels

SEEN_KEY = "_microcred_seen"
STARTED_KEY = "_microcred_started"
REFRESH_SECONDS = 60


def session_started(sender: Any, request: HttpRequest | None = None, **_: Any) -> None:
    """Receives user_logged_in: the absolute limit counts from here."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED_KEY] = now
        request.session[SEEN_KEY] = now


_SESSION_BY_KEY: CompiledModels[Session] = CompiledModels(lambda key: Session.objects.filter(session_key=key), str)


class SessionStore(DatabaseSessionStore):
    """Django's database session store; only reading the row is cheaper. An expired row counts as none, as in
    Django's (which asks the database for `expire_date > now`; here the row's expiry is compared on our clock,
    the same clock Django's query passes)."""

    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        found = _SESSION_BY_KEY.one(key) if key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: keeps a used session alive and ends one past its absolute age."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            started = session.get(STARTED_KEY)
            if not isinstance(started, int):
                # Signed in before these keys existed: the absolute limit counts from now.
                session[STARTED_KEY] = started = now
            if now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
            else:
                seen = session.get(SEEN_KEY)
                if not isinstance(seen, int) or now - seen >= REFRESH_SECONDS:
                    session[SEEN_KEY] = now
        return self.get_response(request)
