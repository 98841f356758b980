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
(`person_page_key`, `person_page`), or, for a page that names the change-log scopes its state is drawn from, sent
without reading its state while the log shows no write to them since it was kept (core/changes.py); a page may keep
part of its state out of the log, read and compared on every view all the same (`live`).
The Content-Security-Policy uses no nonce (settings: nothing inline); a page that printed one could not be kept
whole.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from core import changes

# Raised whenever what a cached fragment holds changes shape (its templates or the values drawn into it), so that
# a cache shared with an older release is never read back.
FRAGMENTS_VERSION = "3"
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


@dataclass(frozen=True)
class KeptPage:
    """A signed-in person's page as kept: the state it was drawn from and the page. With a change-log mark (read
    before the state was) and the scopes the state is drawn from, the page is good while no write to those scopes
    came after the mark (core/changes.py) and the clock is before `until`: sent as it is, without reading the
    state again.

    Both are kept as bytes, which the cache's pickling copies as they are: the page as UTF-8 in the pieces
    between its CSRF marks, joined with each response's own token, and the state pickled, read back only when
    it is compared (a pipeline's state is a hundred rows, and unpickling them on every view cost more than the
    change log's read)."""

    state_pickle: bytes
    parts: tuple[bytes, ...]
    mark: changes.Mark | None = None
    scopes: tuple[str, ...] = ()
    until: float = math.inf  # when the clock alone changes the page (an assignment falls due), as a timestamp

    @classmethod
    def of(
        cls,
        state: object,
        html: str,
        mark: changes.Mark | None = None,
        scopes: tuple[str, ...] = (),
        until: float = math.inf,
        live: object = None,
    ) -> KeptPage:
        parts = tuple(part.encode() for part in html.split(CSRF_MARK))
        live_pickle = pickle.dumps(live, pickle.HIGHEST_PROTOCOL) if live is not None else b""
        return cls(pickle.dumps(state, pickle.HIGHEST_PROTOCOL), parts, mark, scopes, until, live_pickle)

    # The part of the state read on every view even while the log shows no change (person_page's `live`), pickled
    # apart so that comparing it does not unpickle the rest; empty for a page without one.
    live_pickle: bytes = b""

    def state(self) -> object:
        return pickle.loads(self.state_pickle)  # noqa: S301 - our own cache's bytes, pickled by of() above

    def live(self) -> object:
        return pickle.loads(self.live_pickle) if self.live_pickle else None  # noqa: S301 - as state()


def person_page_kept(
    request: HttpRequest, key: str | None, live: Callable[[], object] | None = None
) -> tuple[HttpResponse | None, KeptPage | None]:
    """The page kept under `key` (person_page_key's), sent at once when nothing it was drawn from has changed since
    by the change log, and `live()` (given) is as it was when the page was drawn; else None, with what is kept (to
    compare its state with the state read now)."""
    entry = fragment_get(key, KeptPage) if key else None
    if entry is None:
        return None, None
    logged = entry.mark is not None and time.time() < entry.until and changes.unchanged(entry.scopes, entry.mark)
    if logged and (live is None or entry.live() == live()):
        return _sent(request, entry.parts), entry
    return None, entry


def person_page_mark(key: str | None, scopes: Callable[[Any], Sequence[str]] | None) -> changes.Mark | None:
    """The change log's mark for a page that will be kept under `key` and checked against the log by `scopes`: read
    before its state is."""
    return changes.mark() if key is not None and scopes is not None else None


def person_page_keep(
    key: str,
    state: object,
    page: str | KeptPage,
    mark: changes.Mark | None,
    scopes: Callable[[Any], Sequence[str]] | None,
    until: Callable[[Any], datetime | None] | None,
    live: object = None,
) -> None:
    """Keeps the page (drawn, or as kept before) under `key` with the state it was drawn from and, given a mark, the
    scopes and moment that tell the next view whether it may be sent unread (with `live`, the part of the state
    compared on every view all the same)."""
    checked = mark is not None and scopes is not None
    moment = until(state) if checked and until is not None else None
    found = tuple(scopes(state)) if checked and scopes is not None else ()
    stop = moment.timestamp() if moment is not None else math.inf
    if isinstance(page, KeptPage):
        entry = KeptPage(page.state_pickle, page.parts, mark if checked else None, found, stop, page.live_pickle)
    else:
        entry = KeptPage.of(state, page, mark if checked else None, found, stop, live)
    fragment_set(key, entry)


def person_page_get(
    request: HttpRequest,
    key: str | None,
    state: object,
    entry: KeptPage | None,
    *,
    mark: changes.Mark | None = None,
    scopes: Callable[[Any], Sequence[str]] | None = None,
    until: Callable[[Any], datetime | None] | None = None,
) -> HttpResponse | None:
    """The kept page if it was drawn from a state equal to `state`: the state of everything else the page
    shows, read on this view (the reviewer queue's queue_page_state, say), so any change is drawn at once. The state
    is compared, not hashed into the key: comparing rows costs a fraction of serialising them for a digest, and a
    person's page has one entry, replaced when it is drawn again, instead of one left behind per change. Kept
    again with `mark`, so that the next view can go by the change log."""
    if key is None or entry is None or entry.state() != state:
        return None
    if mark is not None:
        person_page_keep(key, state, entry, mark, scopes, until)
    return _sent(request, entry.parts)


def person_page_render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    key: str | None,
    state: object,
    mark: changes.Mark | None = None,
    scopes: Callable[[Any], Sequence[str]] | None = None,
    until: Callable[[Any], datetime | None] | None = None,
    live: object = None,
) -> HttpResponse:
    """The page drawn, and kept under `key` (person_page_key's, or page_key's for a page kept for every visitor not
    signed in) with the state it was drawn from (and `live`, the part person_page_kept compares on every view)."""
    if key is None:
        return render(request, template, context)
    html = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request)
    person_page_keep(key, state, html, mark, scopes, until, live=live)
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))


def _sent(request: HttpRequest, parts: tuple[bytes, ...]) -> HttpResponse:
    return HttpResponse(get_token(request).encode().join(parts))


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


def _in_two(
    state: Callable[[], object],
    live: Callable[[], object],
    scopes: Callable[[Any], Sequence[str]] | None,
    until: Callable[[Any], datetime | None] | None,
) -> tuple[Callable[[], object], Callable[[Any], Sequence[str]] | None, Callable[[Any], datetime | None] | None]:
    """A page's state as the pair (live part, watched part), with the log's scopes and moment of the watched part."""

    def whole() -> object:
        return live(), state()

    def watched(pair: Any) -> Sequence[str]:
        return scopes(pair[1]) if scopes is not None else ()

    def moment(pair: Any) -> datetime | None:
        return until(pair[1]) if until is not None else None

    return whole, watched if scopes is not None else None, moment if until is not None else None


def person_page(
    request: HttpRequest,
    name: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    state: Callable[[], object],
    *,
    scopes: Callable[[Any], Sequence[str]] | None = None,
    until: Callable[[Any], datetime | None] | None = None,
    live: Callable[[], object] | None = None,
) -> HttpResponse:
    """A signed-in person's page kept whole with `state()`, the state of everything it shows that the person's own
    fields in person_page_key do not cover: an unchanged page is sent as drawn, without reading what it shows or
    drawing it again. Drawn afresh (`context()` then `template`) on any other state, and kept only if the state
    read again after drawing is the same: a change made while it was drawn is never kept with the state from
    before it.

    With `scopes` (the change-log scopes a state is drawn from, core/changes.py) the state is not even read while
    the log shows no write to them since the page was kept, until `until` (the moment the clock alone would change
    a state, None for never). `live()` is the state of what the log does not watch: read and compared on every view
    all the same, as a page without scopes compares its whole state."""
    whole, watched, moment = (state, scopes, until) if live is None else _in_two(state, live, scopes, until)
    key = person_page_key(request, name)
    sent, entry = person_page_kept(request, key, live)
    if sent is not None:
        return sent
    mark = person_page_mark(key, watched)
    before = whole()
    kept = person_page_get(request, key, before, entry, mark=mark, scopes=watched, until=moment)
    if kept is not None:
        return kept
    if key is None:
        return render(request, template, context())
    html = render_to_string(template, {**context(), "csrf_token": CSRF_MARK}, request)
    if whole() == before:
        live_part = before[0] if live is not None and isinstance(before, tuple) else None
        person_page_keep(key, before, html, mark, watched, moment, live=live_part)
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))
