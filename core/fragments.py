"""Pages and parts of pages drawn once and kept in Django's cache (settings.CACHES), read back while nothing they
show has changed.

A fragment is keyed by everything it is drawn from, never invalidated by name: the caller passes the version of
its data (a digest of the rows the fragment shows, read from the database on every view, so a change made by
another process is seen by the very next view), and the key adds what every page depends on: the language, the
site's address and FRAGMENTS_VERSION. A write makes a new key, and the old entry simply ages out.

Only what is the same for every visitor goes in a fragment, unless its key names the person: it is drawn without
the person's name, forms that post (their CSRF token is per visitor) or messages. The site's header is kept per kind
of visitor with its two per-visitor values marked (pages/templatetags/site_header.py). A whole page is kept with the
CSRF token marked, and each response gets its own token: for an anonymous visitor with nothing waiting for them,
whose page is the same for everyone (`page_key`, `page_get`, `page_render`), and for a signed-in person, read back
for that person only, with the state of what the page shows kept beside it and compared on every view
(`person_page_key`, `person_page`).
The Content-Security-Policy uses no nonce (settings: nothing inline); a page that printed one could not be kept
whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

# Raised whenever what a cached fragment holds changes shape (its templates or the values drawn into it), so that
# a cache shared with an older release is never read back.
FRAGMENTS_VERSION = "1"
# A day: entries only need to outlive a burst of views; one whose data changed is unreachable anyway.
TIMEOUT = 24 * 3600

T = TypeVar("T")


def digest(*parts: object) -> str:
    """SHA-256 of the parts' repr: rows as the database returned them, ids, hashes, datetimes."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def fragment_key(name: str, *parts: object) -> str:
    return f"fragments.{FRAGMENTS_VERSION}.{name}:" + digest(get_language() or "", settings.SITE_URL, *parts)


def fragment_get(key: str, kind: type[T]) -> T | None:
    value: Any = cache.get(key)
    return value if isinstance(value, kind) else None


def fragment_set(key: str, value: object) -> None:
    cache.set(key, value, TIMEOUT)


# ----- whole pages -------------------------------------------------------------------------------------------------

# Stands for the visitor's CSRF token in a kept page (the language form posts): each response gets its own token.
CSRF_MARK = "csrf-token-kept-page-" + hashlib.sha256(f"fragments.{FRAGMENTS_VERSION}".encode()).hexdigest()[:32]


def page_key(request: HttpRequest, *parts: object) -> str | None:
    """The key of the whole page for this request, or None when it is not kept whole: only an anonymous visitor's
    page at its plain address (no query string, which the language form's `next` repeats) with no message waiting
    is the same for everyone but its CSRF token. `parts` are the version of what the page shows."""
    if request.user.is_authenticated or request.META.get("QUERY_STRING") or len(get_messages(request)):
        return None
    return fragment_key("page", request.path, *parts)


def person_page_key(request: HttpRequest, name: str) -> str | None:
    """The key of the page `name` kept for this signed-in person, or None when it is not kept whole (signed out, a
    query string, a message waiting). A page drawn for one person is read back only for that person: their id is in
    the key, with everything of theirs that base.html and the page's own header show (staff or not, name, e-mail
    address and whether it is confirmed). What the entry holds is the page and the state it was drawn from
    (person_page_get)."""
    user = request.user
    if not user.is_authenticated or request.META.get("QUERY_STRING") or len(get_messages(request)):
        return None
    shown = (user.pk, user.is_staff, getattr(user, "name", ""), getattr(user, "email", ""))
    return fragment_key("person-page", request.path, name, shown, getattr(user, "email_verified_at", None))


def person_page_get(request: HttpRequest, key: str | None, state: object) -> HttpResponse | None:
    """The page kept under `key` if it was drawn from a state equal to `state`: the state of everything else the page
    shows, read on every view (the reviewer queue's queue_page_state, say), so any change is drawn at once. The state
    is compared, not hashed into the key: comparing rows costs a fraction of serialising them for a digest, and a
    person's page has one entry, replaced when it is drawn again, instead of one left behind per change."""
    entry = fragment_get(key, tuple) if key else None
    if entry is None or len(entry) != 2 or entry[0] != state:
        return None
    return HttpResponse(entry[1].replace(CSRF_MARK, get_token(request)))


def person_page_render(
    request: HttpRequest, template: str, context: dict[str, Any], *, key: str | None, state: object
) -> HttpResponse:
    """The page drawn, and kept under `key` (person_page_key's) with the state it was drawn from."""
    if key is None:
        return render(request, template, context)
    html = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request)
    fragment_set(key, (state, html))
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))


def page_get(request: HttpRequest, key: str | None) -> HttpResponse | None:
    html = fragment_get(key, str) if key else None
    return HttpResponse(html.replace(CSRF_MARK, get_token(request))) if html is not None else None


def page_render(
    request: HttpRequest, template: str, context: dict[str, Any], *, key: str | None, status: int = 200
) -> HttpResponse:
    """The page drawn, and kept under `key` (page_key's) with its CSRF token marked, when there is one."""
    if key is None:
        return render(request, template, context, status=status)
    html = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request)
    fragment_set(key, html)
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)), status=status)


def person_page(
    request: HttpRequest,
    name: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    state: Callable[[], object],
) -> HttpResponse:
    """A signed-in person's page kept whole with `state()`, the state of everything it shows that the person's own
    fields in person_page_key do not cover, read on every view: an unchanged page is sent as drawn, without reading
    what it shows or drawing it again. Drawn afresh (`context()` then `template`) on any other state, and kept only
    if the state read again after drawing is the same: a change made while it was drawn is never kept with the
    state from before it."""
    before = state()
    key = person_page_key(request, name)
    kept = person_page_get(request, key, before)
    if kept is not None:
        return kept
    if key is None:
        return render(request, template, context())
    html = render_to_string(template, {**context(), "csrf_token": CSRF_MARK}, request)
    if state() == before:
        fragment_set(key, (before, html))
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))
