"""Verification results kept so that checking the same credential again costs one small query.

A result is stored in Django's cache (settings.CACHES; the default per-process local memory is enough), with the
entries this process used last also held as they are in front of it (`_Recent`), under a key made of everything
the cached checks depend on:

- the input exactly as given (its SHA-256): structure, terms and signature depend on nothing else;
- the issuer's key state: every key row of the issuer named by the credential's verification method
  (id, number, public key, active or retired, retired time) and the issuer's name, which the key check
  quotes; rotating a key retires one row and adds another, so the state changes;
- the status list's version: the SHA-256 of the signed list as stored, re-signed whenever a bit changes,
  so revoking a credential changes it;
- the language the report is written in.

The validity dates are never cached: they depend on the clock, and are checked afresh on every call, so a
result read from the cache is only ever combined with `now < validUntil` judged at that moment.

Because the key holds every input that can change the result, nothing is ever invalidated explicitly:
a revocation, a rotation or an edit anywhere in those rows makes a new key, and the old entry simply
ages out. The state is read from the database on every call (one query; verify.verify_credentials reads it
once for all the inputs it is given, as a badge's page does for its JSON and its VC-JWT), never held in the
process, so a change made by another worker is seen by the very next verification here.

What the input says (its form, the credential, the key and status list it names) is kept as well, by the
input's hash alone, so a repeat is not even parsed again.

A credential whose key or status list is not ours cannot be fingerprinted and its result is not cached.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils.translation import get_language

from awards.keys import did_for_issuer
from awards.models import IssuerKey, StatusList
from awards.proof import ProofError, proof_of
from awards.vcjwt import JwtError, jwt_header
from catalog.models import Issuer

# A day: entries only need to outlive a burst of views; a stale one is unreachable anyway.
TIMEOUT = 24 * 3600

CachedChecks = tuple[str, Sequence[tuple[str, str, str, str, str]]]


def status_list_ref(url: str) -> tuple[str, int] | None:
    """(issuer slug, list number) of a status list URL published here, or None."""
    return _status_list_ref(settings.SITE_URL, url)


@lru_cache(maxsize=1024)
def _status_list_ref(site_url: str, url: str) -> tuple[str, int] | None:
    if not url.startswith(site_url + "/"):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name != "awards:status_list":
        return None
    return str(match.kwargs["slug"]), int(match.kwargs["number"])


def _key_ref(method: str) -> tuple[str, int] | None:
    did, _, fragment = method.partition("#")
    prefix = did_for_issuer("")
    if not did.startswith(prefix) or not fragment.startswith("key-") or not fragment[4:].isdigit():
        return None
    return did[len(prefix) :], int(fragment[4:])


def _method(credential: dict[str, Any], token: str | None) -> str | None:
    try:
        method = jwt_header(token).get("kid") if token is not None else proof_of(credential)["verificationMethod"]
    except (JwtError, ProofError, KeyError, TypeError):
        return None
    return method if isinstance(method, str) else None


class Reading(NamedTuple):
    """What an input says, which depends on nothing but the input (and the site's address): kept too,
    because reading a JWT (PyJWT checks each character) costs more than the rest of a cached answer."""

    form: str
    credential: dict[str, Any]
    token: str | None
    key_ref: tuple[str, int] | None  # (issuer slug, key number) of the signing key named, if ours
    list_ref: tuple[str, int] | None  # (issuer slug, list number) of the status list named, if ours


def input_digest(data: dict[str, Any] | str | bytes) -> str | None:
    """SHA-256 of the input exactly as given, with the site's address; None if it cannot be serialised.

    Text and bytes are hashed as they are. A dict is hashed as its pickle: a faithful serialisation (equal bytes,
    equal contents, types included) several times cheaper than JSON, and the badge page passes one on every view;
    two equal dicts built differently may pickle differently, which only costs a miss. Each form is hashed under
    its own tag, so no text can ever share a digest with an object (a reading kept for an object does not hold
    its body: reading_set)."""
    if isinstance(data, dict):
        try:
            raw = b"object\n" + pickle.dumps(data, protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
            return None  # _read judges it
    else:
        raw = b"text\n" + (data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return hashlib.sha256(settings.SITE_URL.encode() + b"\n" + raw).hexdigest()


def reading_make(form: str, credential: dict[str, Any], token: str | None) -> Reading:
    method = _method(credential, token)
    status = credential.get("credentialStatus")
    list_url = status.get("statusListCredential") if isinstance(status, dict) else None
    return Reading(
        form=form,
        credential=credential,
        token=token,
        key_ref=_key_ref(method) if method else None,
        list_ref=status_list_ref(list_url) if isinstance(list_url, str) else None,
    )


class _Recent:
    """The entries this process used last, by key, in front of Django's cache: a hit here is a dictionary lookup,
    where the cache's copy is unpickled on every read (the two reads were a fifth of a repeat's cost). Only
    values that no caller changes are kept here: a reading without its credential, a reading from text as its
    pickle (each read a copy), and a result's tuples."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_recent = _Recent(4096)


def verify_cache_clear() -> None:
    """Forget every kept reading and result, in this process and in Django's cache (tests and the benchmark,
    which time a verification seen anew)."""
    with _recent.lock:
        _recent.entries.clear()
    cache.clear()


def reading_get(digest: str, given: object = None) -> Reading | None:
    """The reading kept for `digest`. `given` is the input itself: when it is a dict, the credential was kept
    without its body (reading_set) and is the input, which hashed to `digest`."""
    key = "awards.verify.read:" + digest
    value = _recent.get(key)
    if isinstance(given, dict):
        if isinstance(value, Reading):
            return value._replace(credential=given)
    elif isinstance(value, bytes):
        # Read from text: kept pickled, so each caller unpickles a credential of its own, as from Django's cache.
        return cast(Reading, pickle.loads(value))  # noqa: S301 - this process's own bytes, pickled by reading_set
    value = cache.get(key)
    if not isinstance(value, Reading):
        return None
    return value._replace(credential=given) if isinstance(given, dict) else value


def reading_set(digest: str, reading: Reading, given: object = None) -> None:
    """Keep `reading` for `digest`. A credential given as a dict is the input: kept without its body, since
    unpickling it on every repeat (the badge page passes the parsed document) cost more than the rest of the
    reading, and the caller hands it in again. A credential read from text is the caller's to keep: it is never
    shared between calls, so it is kept pickled, in front of Django's cache as in it, and every read is a copy."""
    key = "awards.verify.read:" + digest
    if isinstance(given, dict):
        reading = reading._replace(credential={})
        _recent.set(key, reading)
    else:
        # Pickled here rather than read back from Django's cache, whose every read also checks the key character by
        # character, takes its lock and looks at the entry's expiry: a third of a repeat's reading.
        _recent.set(key, pickle.dumps(reading, pickle.HIGHEST_PROTOCOL))
    cache.set(key, reading, TIMEOUT)


@lru_cache(maxsize=1)
def _state_sql() -> str:
    """One query for the issuer's key rows, each carrying the status list's signed text.

    Written as SQL rather than through the ORM because it runs on every verification, and building the
    equivalent queryset cost six times more than executing it (table and column names still come from the
    models, so it follows them)."""
    key, issuer, listed = IssuerKey._meta, Issuer._meta, StatusList._meta

    def column(meta: Any, name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    table = connection.ops.quote_name
    keys, issuers = table(key.db_table), table(issuer.db_table)
    # Only model metadata is interpolated; both values go in as parameters.
    return (
        f"SELECT k.{column(key, 'id')}, k.{column(key, 'number')}, k.{column(key, 'public_key_multibase')}, "  # noqa: S608
        f"k.{column(key, 'is_active')}, k.{column(key, 'retired_at')}, i.{column(issuer, 'name')}, "
        f"(SELECT s.{column(listed, 'document_text')} FROM {table(listed.db_table)} s "
        f"WHERE s.{column(listed, 'issuer')} = i.{column(issuer, 'id')} AND s.{column(listed, 'number')} = %s) "
        f"FROM {keys} k JOIN {issuers} i ON k.{column(key, 'issuer')} = i.{column(issuer, 'id')} "
        f"WHERE i.{column(issuer, 'slug')} = %s ORDER BY k.{column(key, 'number')}"
    )


# The key states read for one piece of work (verify.verify_credentials): by (issuer slug, status list number).
KeyStates = dict[tuple[str, int | None], list[tuple[Any, ...]]]


def key_state(issuer_slug: str, list_number: int | None, states: KeyStates | None = None) -> list[tuple[Any, ...]]:
    """The issuer's key rows, each with the status list's signed text, read from the database now; or, when
    `states` already holds them, as read a moment ago for the same piece of work (a badge's JSON and its VC-JWT
    name the same key and list, and are judged against one reading of them)."""
    if states is not None and (issuer_slug, list_number) in states:
        return states[issuer_slug, list_number]
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [list_number, issuer_slug])
        state = cursor.fetchall()
    if states is not None:
        states[issuer_slug, list_number] = state
    return state


def issuer_state(issuer_slug: str, states: KeyStates | None) -> list[tuple[Any, ...]]:
    """The issuer's key rows as this piece of work already read them (with whichever status list), else read now."""
    if states is not None:
        for (slug, _number), rows in states.items():
            if slug == issuer_slug:
                return rows
    return key_state(issuer_slug, None, states)


def result_key(digest: str, reading: Reading, states: KeyStates | None = None) -> str | None:
    """The key of this verification's result, or None when the result must not be cached. The labels and
    sentences are kept in the language they were written in, so the language is part of the key. `states`:
    key_state's."""
    key_ref, list_ref = reading.key_ref, reading.list_ref
    if key_ref is None:
        return None
    if list_ref is not None and list_ref[0] != key_ref[0]:
        return None  # a list of another issuer: its signing key is not in the state read below
    state = key_state(key_ref[0], None if list_ref is None else list_ref[1], states)
    if not any(row[1] == key_ref[1] for row in state):
        return None
    hasher = hashlib.sha256(f"{digest}\n{get_language() or ''}\n".encode())
    hasher.update(repr(state).encode("utf-8", "surrogatepass"))
    # v2: each check carries its failure reason; entries written before that are never read back.
    return "awards.verify.v2:" + hasher.hexdigest()


def cached(key: str) -> CachedChecks | None:
    value = _recent.get(key)
    if value is None:
        value = cache.get(key)
        if isinstance(value, tuple):
            _recent.set(key, value)
    return value if isinstance(value, tuple) else None


def remember(key: str, value: CachedChecks) -> None:
    # The checks as tuples of strings: whoever reads them builds new Check objects, so one copy serves all.
    value = (value[0], tuple(value[1]))
    _recent.set(key, value)
    cache.set(key, value, TIMEOUT)
