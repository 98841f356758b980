"""A signed-in session ends after SESSION_COOKIE_AGE without use, and after SESSION_ABSOLUTE_AGE in any case.

A session's expiry moves ahead only when the session is saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would make every page view and every autosave a session write, so the
middleware saves a signed-in session at most once a minute: the idle limit then holds to within that
minute. The expiry is the database row's too, so a copied cookie stops working on the server's clock.

This module is also the session engine (SESSION_ENGINE): Django's database sessions, the row read by a query
compiled once (core/compiled.py), since every signed-in request reads it before anything else. Every signed-in
request then reads its person (accounts/backends.py), a second round trip to the database: so once this process has
saved or read a session and seen whom it names, the next read of that session fetches the person in the same
statement, and the backend takes that person instead of reading them again, if the session still names them. On
PostgreSQL a round trip is most of a small query's time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from accounts.mfa import with_duties
from accounts.models import User
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


def _session_column(key: str, column: str) -> Subquery:
    return Subquery(Session.objects.filter(session_key=key).values(column)[:1])


# A person as the backend reads them (with the second-factor middleware's questions), with a session's row beside
# them: (person's id, session key, the same session key), since each key of a compiled query is one parameter.
_SESSION_WITH_USER: CompiledModels[User] = CompiledModels(
    lambda pk, key, same_key: with_duties(User._default_manager.filter(pk=pk)).annotate(
        session_row_data=_session_column(key, "session_data"),
        session_row_expires=_session_column(same_key, "expire_date"),
    ),
    int,
    str,
    str,
)

# Session key -> the id of the person it was signed in with, as this process last saved or decoded it: only a guess
# of whom to fetch with the session, checked against what the session says once it is decoded.
_SIGNED_IN: dict[str, int] = {}
_SIGNED_IN_KEPT = 10_000
_SIGNED_IN_LOCK = threading.Lock()
# The person fetched with this request's session, until the backend takes them (take_fetched_user).
_FETCHED: ContextVar[User | None] = ContextVar("accounts_sessions_fetched_user", default=None)


def _remember(key: str, data: dict[str, Any]) -> None:
    try:
        user_id = int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return
    with _SIGNED_IN_LOCK:
        if len(_SIGNED_IN) >= _SIGNED_IN_KEPT and key not in _SIGNED_IN:
            # The oldest first: sessions end, and the busiest come back soon enough to be seen again.
            del _SIGNED_IN[next(iter(_SIGNED_IN))]
        _SIGNED_IN[key] = user_id


def take_fetched_user(user_id: int) -> User | None:
    """The person read with this request's session if they are `user_id` (the backend's get_user), else None; taken
    once, so a later ask reads the database."""
    user = _FETCHED.get()
    _FETCHED.set(None)
    return user if user is not None and user.pk == user_id else None


def forget_fetched_user(**_: Any) -> None:
    """Receives request_started and request_finished: a person fetched in one request is never another's."""
    _FETCHED.set(None)


# (secret key, a session's stored text) -> the JSON of what it decodes to, as this process last decoded it. The same
# text under the same key always decodes to the same data: its signature is checked and its compression undone once,
# not on every request that reads it. Only text whose signature held is kept; a session written again has new text,
# and the oldest entries go first.
_DECODED: dict[tuple[str, str | bytes], str] = {}
_DECODED_KEPT = 10_000


class SessionStore(DatabaseSessionStore):
    """Django's database session store; only reading the row is cheaper. An expired row counts as none, as in
    Django's (which asks the database for `expire_date > now`; here the row's expiry is compared on our clock,
    the same clock Django's query passes)."""

    def decode(self, session_data: str | bytes) -> dict[str, Any]:
        key = (settings.SECRET_KEY, session_data)
        kept = _DECODED.get(key)
        if kept is not None:
            # A fresh copy each time: the session changes its data in place.
            decoded: dict[str, Any] = json.loads(kept)
            return decoded
        data: dict[str, Any] = super().decode(session_data)
        if data:  # Django answers {} for text whose signature fails
            with _SIGNED_IN_LOCK:
                if len(_DECODED) >= _DECODED_KEPT and key not in _DECODED:
                    del _DECODED[next(iter(_DECODED))]
                _DECODED[key] = json.dumps(data)
        return data

    def load(self) -> dict[str, Any]:
        # Django's, less the Session instance it makes of the row only to read one column.
        row = self._row()
        data: dict[str, Any] = self.decode(row[0]) if row is not None else {}
        if self.session_key:
            _remember(self.session_key, data)
        return data

    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        # Signing in saves the session where it happened: that process knows whom it names from its first read.
        data = getattr(self, "_session_cache", None)
        if self.session_key and isinstance(data, dict):
            _remember(self.session_key, data)

    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        row = self._row()
        if row is None or key is None:
            return None
        return Session(session_key=key, session_data=row[0], expire_date=row[1])

    def _row(self) -> tuple[str, datetime] | None:
        """The session's stored text and expiry, or None (the key forgotten) when it has no row or has expired."""
        _FETCHED.set(None)
        key = self.session_key
        found = self._with_user(key) if key else None
        if found is None or found[1] <= timezone.now():
            _FETCHED.set(None)
            self._session_key = None
            return None
        return found

    def _with_user(self, key: str) -> tuple[str, datetime] | None:
        """The session's row, and its person fetched in the same statement when this process knows who that is."""
        guess = _SIGNED_IN.get(key)
        if guess is None:
            return _row_of(_SESSION_BY_KEY.one(key))
        user = _SESSION_WITH_USER.one(guess, key, key)
        if user is None:
            # The person is gone (an erased account): the session alone, as for anyone.
            return _row_of(_SESSION_BY_KEY.one(key))
        data, expires = user.session_row_data, user.session_row_expires  # type: ignore[attr-defined]
        del user.session_row_data, user.session_row_expires  # type: ignore[attr-defined]
        if data is None:
            return None
        _FETCHED.set(user)
        return data, expires


def _row_of(session: Session | None) -> tuple[str, datetime] | None:
    return None if session is None else (session.session_data, session.expire_date)


class ResolvedUserMiddleware:
    """Directly after AuthenticationMiddleware: `request.user` becomes the person (or AnonymousUser) itself rather
    than Django's lazy stand-in for them. Every request reads it anyway (UserLanguageMiddleware asks whether it
    is signed in), so nothing is read sooner or more often; but each attribute read through the stand-in goes
    through LazyObject.__getattribute__, an AttributeError caught and a proxy call, and a signed-in API request
    reads it some twenty times on its way through the middleware, the API's authentication and the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, SimpleLazyObject):  # its own type: asking evaluates nothing
            if user._wrapped is empty:
                user._setup()
            request.user = user._wrapped
        return self.get_response(request)


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
