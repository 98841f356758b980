"""Open Badges 2.0 assertions, hosted and signed, judged as the 2.0 specification's verification describes.

- hosted: the issuer's own copy is fetched from the assertion's id and must be identical to the one given; the
  assertion must live on the issuer's origin (or one of verification.allowedOrigins); a 410 or `revoked: true`
  is a revocation;
- signed: a JWS (RS256) whose payload is the assertion; the key is the CryptographicKey at verification.creator,
  which must be owned by the badge's issuer and listed in the issuer profile; the issuer's revocation list, when it
  publishes one, is read for the assertion's id.

Every document comes through awards.fetch, under its rules (allowed by setting, https only, public addresses).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext as _

from awards.documents import OB2_CONTEXT
from awards.fetch import FetchError, fetch_document
from awards.resolve import UNRESOLVED
from awards.verify_report import (
    ISSUER_MISMATCH,
    REVOKED,
    SIGNATURE_MISMATCH,
    SIGNATURE_UNCHECKED,
    STATUS_UNAVAILABLE,
    Check,
    time_parse,
)

HOSTED = {"hosted", "HostedBadge"}
SIGNED = {"signed", "SignedBadge"}
HOSTED_MISMATCH = "hosted_mismatch"


class Ob2Error(ValueError):
    def __init__(self, message: str, *, reason: str = UNRESOLVED) -> None:
        super().__init__(message)
        self.reason = reason


def is_ob2(credential: dict[str, Any]) -> bool:
    context = credential.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return OB2_CONTEXT in contexts or (credential.get("type") == "Assertion" and "proof" not in credential)


def _json(url: Any, what: str, *, gone_ok: bool = False) -> dict[str, Any]:
    if not isinstance(url, str):
        raise Ob2Error(_("the %(what)s is not given as a URL") % {"what": what})
    try:
        fetched = fetch_document(url=url, accept="application/ld+json, application/json", gone_ok=gone_ok)
    except FetchError as error:
        raise Ob2Error(str(error), reason=error.reason) from None
    try:
        document = json.loads(fetched.body)
    except (ValueError, UnicodeDecodeError):
        raise Ob2Error(_("the %(what)s at %(url)s is not JSON") % {"what": what, "url": url}) from None
    if not isinstance(document, dict):
        raise Ob2Error(_("the %(what)s at %(url)s is not a JSON object") % {"what": what, "url": url})
    if fetched.status == 410:
        document.setdefault("revoked", True)
    return document


def _issuer(assertion: dict[str, Any]) -> dict[str, Any]:
    """The issuer profile behind the assertion's badge class, each fetched when given by URL."""
    badge = assertion.get("badge")
    badge_class = badge if isinstance(badge, dict) else _json(badge, _("badge class"))
    issuer = badge_class.get("issuer")
    profile = issuer if isinstance(issuer, dict) else _json(issuer, _("issuer profile"))
    if not isinstance(profile.get("id"), str):
        raise Ob2Error(_("the issuer profile has no id"))
    return profile


def _structure(assertion: dict[str, Any]) -> Check:
    label = _("Structure (Open Badges 2.0)")
    problems = [
        _("%(property)s: is required") % {"property": name}
        for name in ("id", "recipient", "badge", "verification", "issuedOn")
        if name not in assertion
    ]
    if assertion.get("type") not in ("Assertion", ["Assertion"]):
        problems.append(_("type: must be Assertion"))
    if problems:
        return Check("structure", label, "failed", "; ".join(problems))
    return Check("structure", label, "passed", _("has every property an OB 2.0 assertion requires"))


def _dates(assertion: dict[str, Any], now: datetime) -> Check:
    label = _("Validity dates")
    issued = time_parse(assertion.get("issuedOn"))
    if issued is None:
        return Check("dates", label, "failed", _("issuedOn is missing or not a date-time"))
    if issued > now:
        return Check("dates", label, "failed", _("not yet valid: issued on %(on)s") % {"on": assertion["issuedOn"]})
    if "expires" in assertion:
        expires = time_parse(assertion["expires"])
        if expires is None or expires <= now:
            return Check("dates", label, "failed", _("expired: expires %(on)s") % {"on": assertion["expires"]})
    return Check("dates", label, "passed", _("issued on %(on)s") % {"on": assertion["issuedOn"]})


def _hosted(assertion: dict[str, Any], token: str | None) -> list[Check]:
    copy_label, issuer_label, status_label = _("Hosted copy"), _("Issuer"), _("Revocation status")
    try:
        if token is not None:
            raise Ob2Error(_("a hosted assertion is plain JSON, not a signed token"), reason=SIGNATURE_UNCHECKED)
        hosted = _json(assertion.get("id"), _("hosted assertion"), gone_ok=True)
    except Ob2Error as error:
        failed = Check("signature", copy_label, "failed", str(error), error.reason)
        unknown = _("cannot be judged without the hosted copy")
        return [
            failed,
            Check("issuer_key", issuer_label, "failed", unknown, error.reason),
            Check("status", status_label, "failed", unknown, STATUS_UNAVAILABLE),
        ]
    url = str(assertion["id"])
    if hosted.get("revoked"):
        reason = str(hosted.get("revocationReason") or _("no reason given"))
        status = Check("status", status_label, "failed", _("revoked: %(reason)s") % {"reason": reason}, REVOKED)
    else:
        status = Check("status", status_label, "passed", _("the issuer's hosted copy is not revoked"))
    if hosted == assertion:
        copy_check = Check(
            "signature", copy_label, "passed", _("identical to the copy hosted at %(url)s") % {"url": url}
        )
    else:
        why = _("differs from the copy the issuer hosts at %(url)s: it was changed") % {"url": url}
        copy_check = Check("signature", copy_label, "failed", why, HOSTED_MISMATCH)
    try:
        profile = _issuer(assertion)
    except Ob2Error as error:
        return [copy_check, Check("issuer_key", issuer_label, "failed", str(error), error.reason), status]
    allowed = assertion["verification"].get("allowedOrigins") or [urlsplit(profile["id"]).netloc]
    allowed = allowed if isinstance(allowed, list) else [allowed]
    origin = urlsplit(url).netloc
    if origin in allowed:
        detail = _("hosted on %(origin)s, the origin of %(issuer)s") % {"origin": origin, "issuer": profile["id"]}
        issuer_check = Check("issuer_key", issuer_label, "passed", detail)
    else:
        detail = _("hosted on %(origin)s, which is not an origin of the issuer %(issuer)s") % {
            "origin": origin,
            "issuer": profile["id"],
        }
        issuer_check = Check("issuer_key", issuer_label, "failed", detail, ISSUER_MISMATCH)
    return [copy_check, issuer_check, status]


def _key_ids(profile: dict[str, Any]) -> set[str]:
    listed = profile.get("publicKey") or []
    listed = listed if isinstance(listed, list) else [listed]
    return {item if isinstance(item, str) else str(item.get("id")) for item in listed if isinstance(item, (str, dict))}


def _signing_key(assertion: dict[str, Any], profile: dict[str, Any]) -> tuple[rsa.RSAPublicKey, str]:
    creator = assertion["verification"].get("creator")
    key_document = _json(creator, _("signing key"))
    if key_document.get("owner") != profile["id"] or creator not in _key_ids(profile):
        raise Ob2Error(
            _("the key %(key)s is not a key of the issuer %(issuer)s") % {"key": creator, "issuer": profile["id"]},
            reason=ISSUER_MISMATCH,
        )
    try:
        public = serialization.load_pem_public_key(str(key_document.get("publicKeyPem", "")).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise Ob2Error(_("the key at %(key)s has no readable publicKeyPem") % {"key": creator}) from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise Ob2Error(_("the key at %(key)s is not an RSA key") % {"key": creator})
    return public, str(creator)


def _revocation(assertion: dict[str, Any], profile: dict[str, Any]) -> Check:
    label = _("Revocation status")
    if "revocationList" not in profile:
        return Check("status", label, "passed", _("the issuer publishes no revocation list"))
    try:
        listed = _json(profile["revocationList"], _("revocation list"))
    except Ob2Error as error:
        return Check("status", label, "failed", str(error), error.reason)
    revoked = listed.get("revokedAssertions") or []
    ids = {item if isinstance(item, str) else item.get("id") for item in revoked if isinstance(item, (str, dict))}
    if assertion.get("id") in ids:
        return Check("status", label, "failed", _("revoked: the issuer's revocation list names it"), REVOKED)
    return Check("status", label, "passed", _("not on the issuer's revocation list"))


def _signed(assertion: dict[str, Any], token: str | None) -> list[Check]:
    sig_label, key_label = _("Signature"), _("Issuer key")
    if token is None:
        why = _("a signed assertion is checked as the signed token (JWS) itself, not its JSON")
        return [
            Check("signature", sig_label, "failed", why, SIGNATURE_UNCHECKED),
            Check("issuer_key", key_label, "failed", why, UNRESOLVED),
        ]
    try:
        profile = _issuer(assertion)
        public, creator = _signing_key(assertion, profile)
    except Ob2Error as error:
        why = _("cannot be checked without the issuer's key")
        return [
            Check("signature", sig_label, "failed", why, SIGNATURE_UNCHECKED),
            Check("issuer_key", key_label, "failed", str(error), error.reason),
        ]
    key_check = Check(
        "issuer_key",
        key_label,
        "passed",
        _("%(key)s is a key of %(issuer)s")
        % {
            "key": creator,
            "issuer": profile["id"],
        },
    )
    try:
        jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_nbf": False})
    except jwt.InvalidSignatureError:
        why = _("the RS256 signature does not match: the assertion was changed after signing")
        return [Check("signature", sig_label, "failed", why, SIGNATURE_MISMATCH), key_check]
    except jwt.PyJWTError as error:
        why = _("the signed assertion could not be verified: %(error)s") % {"error": error}
        return [Check("signature", sig_label, "failed", why, SIGNATURE_MISMATCH), key_check]
    passed = Check("signature", sig_label, "passed", _("the RS256 signature matches the assertion"))
    return [passed, key_check, _revocation(assertion, profile)]


def ob2_checks(assertion: dict[str, Any], token: str | None, *, now: datetime) -> list[Check]:
    """Every check of an Open Badges 2.0 assertion (given as JSON, or as its JWS when signed)."""
    checks = [_structure(assertion)]
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, dict) else None
    if kind in HOSTED:
        checks += _hosted(assertion, token)
    elif kind in SIGNED:
        checks += _signed(assertion, token)
    else:
        why = _("verification.type must be hosted or signed")
        checks.append(Check("signature", _("Signature"), "failed", why, SIGNATURE_UNCHECKED))
    checks.append(_dates(assertion, now))
    return checks
