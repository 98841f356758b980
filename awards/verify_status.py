"""The revocation check: a BitstringStatusListEntry read against its signed status list.

A list published here is read from the database; a list on another host is fetched under awards.fetch's rules
(only when fetching is allowed, https only, public addresses only). Either way the list's own proof is verified
with its issuer's key, found as any credential's key is (awards.resolve), before a single bit is believed, and
the list must belong to the credential's issuer.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from django.utils.translation import gettext as _

from awards.documents import bit_is_set
from awards.fetch import FetchError, fetch_document
from awards.models import StatusList
from awards.multibase import MultibaseError, decode_base64url
from awards.proof import ProofError, proof_of, proof_verify
from awards.resolve import KeyUnresolved, key_resolve
from awards.verify_cache import KeyStates, key_state, status_list_ref
from awards.verify_report import REVOKED, STATUS_UNAVAILABLE, Check

# Largest decompressed list believed: the specification's minimum is 16 KB (131,072 entries); a hundred times
# that is generous, and a gzip bomb stops there.
MAX_LIST_BYTES = 2 * 1024 * 1024


def issuer_id_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def _status_list_for(url: str, states: KeyStates | None) -> dict[str, Any] | None:
    """A status list of an issuer here, as signed and stored; None for a list published elsewhere."""
    ref = status_list_ref(url)
    if ref is None:
        return None
    # The text the result cache's key holds, read once with the issuer's keys for the whole verification.
    rows = key_state(ref[0], ref[1], states)
    if rows and rows[0][6]:
        return dict(json.loads(rows[0][6]))
    # An issuer with no key yet (so no row to carry the list): the list alone.
    found = StatusList.objects.filter(issuer__slug=ref[0], number=ref[1]).order_by("pk").first()
    return found.document if found is not None else None


# Signed lists already checked in this process, by a digest of the whole signed list: a list is re-signed
# whenever a bit changes, so an entry can never stand for out-of-date bits, nor for a copy with other bits.
_LIST_CACHE: dict[str, bytes] = {}


def _verified_bits(listed: dict[str, Any], states: KeyStates | None) -> bytes:
    """The bits of a signed status list credential, once its own proof checks out."""
    digest = hashlib.sha256(json.dumps(listed, sort_keys=True, ensure_ascii=False).encode("utf-8", "replace"))
    fingerprint = digest.hexdigest()
    if fingerprint in _LIST_CACHE:
        return _LIST_CACHE[fingerprint]
    try:
        resolved = key_resolve(method=str(proof_of(listed)["verificationMethod"]), states=states)
    except KeyUnresolved as error:
        raise ProofError(
            _("the key that signed the status list cannot be found: %(error)s") % {"error": error}
        ) from None
    if resolved.did != issuer_id_of(listed) or not isinstance(resolved.public, ed25519.Ed25519PublicKey):
        raise ProofError(_("the status list is not signed by a key of its issuer"))
    proof_verify(listed, public_key=resolved.public)
    subject = listed.get("credentialSubject")
    encoded = subject.get("encodedList") if isinstance(subject, dict) else None
    if not isinstance(encoded, str):
        raise ProofError(_("the status list has no encodedList"))
    with gzip.GzipFile(fileobj=io.BytesIO(decode_base64url(encoded))) as unzipped:
        data = unzipped.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        raise ProofError(
            _("the status list is larger than %(size)s bytes once decompressed") % {"size": MAX_LIST_BYTES}
        )
    if len(_LIST_CACHE) > 256:
        _LIST_CACHE.clear()
    _LIST_CACHE[fingerprint] = data
    return data


def _remote_list(url: str) -> dict[str, Any]:
    fetched = fetch_document(url=url, accept="application/vc+ld+json, application/json")
    try:
        listed = json.loads(fetched.body)
    except (ValueError, UnicodeDecodeError):
        raise FetchError(
            _("the status list at %(url)s is not JSON") % {"url": url}, reason=STATUS_UNAVAILABLE
        ) from None
    if not isinstance(listed, dict):
        raise FetchError(_("the status list at %(url)s is not a JSON object") % {"url": url}, reason=STATUS_UNAVAILABLE)
    return listed


def status_check(credential: dict[str, Any], states: KeyStates | None = None) -> Check:
    label = _("Revocation status")
    status = credential.get("credentialStatus")
    if status is None:
        return Check("status", label, "passed", _("the credential has no status entry, so it cannot be revoked"))
    if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
        why = _("only BitstringStatusListEntry status can be checked")
        return Check("status", label, "failed", why, STATUS_UNAVAILABLE)
    url = status.get("statusListCredential")
    index = status.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
        return Check("status", label, "failed", _("the status entry has no list URL or index"), STATUS_UNAVAILABLE)
    ours = _status_list_for(url, states)
    if ours is not None:
        listed = ours
    else:
        try:
            listed = _remote_list(url)
        except FetchError as error:
            why = _("the status list cannot be read: %(error)s") % {"error": error}
            return Check("status", label, "failed", why, error.reason)
    try:
        data = _verified_bits(listed, states)
    except (ProofError, MultibaseError, KeyError, OSError, EOFError) as error:
        why = _("the status list cannot be trusted: %(error)s") % {"error": error}
        return Check("status", label, "failed", why, STATUS_UNAVAILABLE)
    position = int(index)
    if position >= len(data) * 8:
        why = _("index %(index)s is outside the status list") % {"index": position}
        return Check("status", label, "failed", why, STATUS_UNAVAILABLE)
    if issuer_id_of(credential) != issuer_id_of(listed):
        return Check("status", label, "failed", _("the status list belongs to another issuer"), STATUS_UNAVAILABLE)
    if bit_is_set(data, position):
        return Check("status", label, "failed", _("revoked: the issuer has revoked this credential"), REVOKED)
    return Check("status", label, "passed", _("not revoked (checked against the issuer's signed status list)"))
