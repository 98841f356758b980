"""Finding the public key behind a verification method, for any issuer.

- microcred's own issuers: read from the database, exactly what /issuers/<slug>/did.json serves;
- did:key: the key is the identifier itself (an Ed25519 or P-256 Multikey), decoded offline;
- did:web of another host: the DID document fetched through awards.fetch, only when the server allows fetching,
  and only from a public https address.

Anything else (an https key URL, did:example, …) cannot be resolved, and the verifier says so: a signature is
only ever reported as checked when the key was found and the signature computed with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings
from django.utils.translation import gettext as _

from awards.fetch import FetchError, fetch_document
from awards.keys import did_for_issuer, public_key_from_multikey
from awards.multibase import MultibaseError, decode_base64url
from awards.verify_cache import KeyStates, issuer_state

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

# Why a key was not found, as the report's machine-readable reason carries it (awards.fetch adds its own).
UNRESOLVED = "key_unresolved"


@dataclass
class ResolvedKey:
    did: str  # the DID that controls the key: the issuer id a credential signed with it must name
    method: str
    public: PublicKey
    found: str  # where the key was found, in words, for the report


class KeyUnresolved(ValueError):
    def __init__(self, message: str, *, reason: str = UNRESOLVED) -> None:
        super().__init__(message)
        self.reason = reason


def key_resolve(*, method: str, states: KeyStates | None = None) -> ResolvedKey:
    """The key a verification method id names; KeyUnresolved saying why not (and whether an address was refused).
    `states`: the issuer key rows this verification has read already (awards.verify_cache.key_state)."""
    did = method.partition("#")[0]
    if did.startswith(did_for_issuer("")):
        return _ours(method, states)
    if did.startswith("did:key:"):
        return _did_key(method)
    if did.startswith("did:web:"):
        return _did_web(method)
    raise KeyUnresolved(
        _(
            "unknown issuer key (cannot resolve offline): %(method)s is not a did:key, a did:web or a key of an "
            "issuer on %(site)s"
        )
        % {"method": method, "site": settings.SITE_URL}
    )


def _ours(method: str, states: KeyStates | None) -> ResolvedKey:
    did, _sep, fragment = method.partition("#")
    slug = did[len(did_for_issuer("")) :]
    if not fragment.startswith("key-") or not fragment[4:].isdigit():
        raise KeyUnresolved(
            _("unknown issuer key: %(method)s is not in the DID document of %(did)s") % _names(method, did)
        )
    # The rows the result cache's key is made of: the key is judged on exactly the state that key names.
    number = int(fragment[4:])
    row = next((row for row in issuer_state(slug, states) if row[1] == number), None)
    if row is None or did_for_issuer(slug) != did:
        raise KeyUnresolved(
            _("unknown issuer key: %(method)s is not in the DID document of %(did)s") % _names(method, did)
        )
    _id, _number, multibase, is_active, _retired_at, issuer_name, _list_text = row
    try:
        public = public_key_from_multikey(multibase)
    except (MultibaseError, ValueError) as error:
        raise KeyUnresolved(_("the issuer's published key cannot be read: %(error)s") % {"error": error}) from None
    state = _("active") if is_active else _("retired, still published for verification")
    found = _("%(method)s is in the DID document of %(name)s, controlled by the issuer (%(state)s)") % {
        "method": method,
        "name": issuer_name,
        "state": state,
    }
    return ResolvedKey(did=did, method=method, public=public, found=found)


def _names(method: str, did: str) -> dict[str, str]:
    return {"method": method, "did": did}


def _did_key(method: str) -> ResolvedKey:
    did, _sep, fragment = method.partition("#")
    multikey = did[len("did:key:") :]
    # The one verification method of a did:key is the key itself: "did:key:z…#z…", or the bare DID.
    if fragment and fragment != multikey:
        raise KeyUnresolved(
            _("unknown issuer key: %(method)s is not the verification method of %(did)s") % _names(method, did)
        )
    try:
        public = public_key_from_multikey(multikey)
    except (MultibaseError, ValueError) as error:
        raise KeyUnresolved(
            _("%(did)s is not a did:key this verifier can read (Ed25519 or P-256): %(error)s")
            % {"did": did, "error": error}
        ) from None
    found = _("%(did)s is a did:key: the public key is the identifier itself, read offline") % {"did": did}
    return ResolvedKey(did=did, method=f"{did}#{multikey}", public=public, found=found)


def did_web_url(did: str) -> str:
    """The https URL of a did:web's DID document, as the did:web method maps it."""
    body = did[len("did:web:") :]
    if any(char in body for char in "?/@\\ "):
        raise KeyUnresolved(_("%(did)s is not a valid did:web") % {"did": did})
    parts = body.split(":")
    if not parts or not parts[0]:
        raise KeyUnresolved(_("%(did)s names no host") % {"did": did})
    host = unquote(parts[0])  # a port is written as %3A
    if any(char in host for char in "/?#@\\"):
        raise KeyUnresolved(_("%(did)s names no valid host") % {"did": did})
    path = [unquote(part) for part in parts[1:]]
    if any(not part or part in {".", ".."} or any(char in part for char in "/?#\\") for part in path):
        raise KeyUnresolved(_("%(did)s has an empty or invalid path segment") % {"did": did})
    return f"https://{host}/" + ("/".join(path) if path else ".well-known") + "/did.json"


def _did_web(method: str) -> ResolvedKey:
    did, _sep, fragment = method.partition("#")
    url = did_web_url(did)
    try:
        fetched = fetch_document(url=url, accept="application/did+json, application/json")
    except FetchError as error:
        raise KeyUnresolved(str(error), reason=error.reason) from None
    try:
        document = json.loads(fetched.body)
    except (ValueError, UnicodeDecodeError):
        raise KeyUnresolved(_("the DID document at %(url)s is not JSON") % {"url": url}) from None
    if not isinstance(document, dict) or document.get("id") != did:
        raise KeyUnresolved(_("the document at %(url)s is not the DID document of %(did)s") % {"url": url, "did": did})
    entry = _method_entry(document, did, fragment)
    if entry is None:
        raise KeyUnresolved(
            _("unknown issuer key: %(method)s is not an assertion method in the DID document of %(did)s")
            % _names(method, did)
        )
    if entry.get("controller") != did:
        raise KeyUnresolved(_("%(method)s is not controlled by %(did)s") % _names(method, did))
    public = _public_key_of(entry)
    found = _("%(method)s is in the DID document of %(did)s, fetched from %(url)s") % {
        "method": method,
        "did": did,
        "url": url,
    }
    return ResolvedKey(did=did, method=method, public=public, found=found)


def _method_entry(document: dict[str, Any], did: str, fragment: str) -> dict[str, Any] | None:
    """The verification method `#fragment` of the document, if it is listed for assertions (by id, relative or
    absolute, or embedded in assertionMethod)."""
    wanted = {f"{did}#{fragment}", f"#{fragment}"}
    methods = [m for m in document.get("verificationMethod") or [] if isinstance(m, dict)]
    assertion = document.get("assertionMethod") or []
    if not isinstance(assertion, list):
        return None
    listed = {item for item in assertion if isinstance(item, str)}
    methods += [m for m in assertion if isinstance(m, dict)]
    for entry in methods:
        if entry.get("id") in wanted and (entry in assertion or listed & wanted):
            return {**entry, "controller": entry.get("controller", did)}
    return None


def _public_key_of(entry: dict[str, Any]) -> PublicKey:
    multibase = entry.get("publicKeyMultibase")
    jwk = entry.get("publicKeyJwk")
    try:
        if isinstance(multibase, str):
            return public_key_from_multikey(multibase)
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(decode_base64url("u" + str(jwk.get("x", ""))))
    except (MultibaseError, ValueError) as error:
        raise KeyUnresolved(_("the published key cannot be read: %(error)s") % {"error": error}) from None
    raise KeyUnresolved(_("the published key is neither a Multikey nor an Ed25519 JSON Web Key"))
