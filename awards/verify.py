"""The verifier: takes a credential as JSON, a VC-JWT, or a baked PNG/SVG, and reports each check.

Keys are resolved by awards.resolve: microcred's own issuers from the database, did:key offline, and did:web of
other hosts (and their status lists) fetched only when settings.VERIFY_FETCH_REMOTE allows it, under the rules of
awards.fetch. Whenever the key is found, the signature is computed, so a changed credential fails on its
signature; when it cannot be found, the report says why (unknown method, fetching turned off, a refused address).
An Open Badges 2.0 assertion, hosted or signed, is judged by awards.verify_ob2.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from awards import jsonld
from awards.baking import PNG_SIGNATURE, BakingError, extract_png, extract_svg
from awards.proof import ProofError, proof_of, proof_verify
from awards.resolve import UNRESOLVED, KeyUnresolved, ResolvedKey, key_resolve
from awards.structure import structure_problems
from awards.vcjwt import JwtError, claims_agree, jwt_header, jwt_payload_unverified, jwt_verify, looks_like_jwt
from awards.verify_cache import (
    KeyStates,
    cached,
    input_digest,
    reading_get,
    reading_make,
    reading_set,
    remember,
    result_key,
)
from awards.verify_ob2 import is_ob2, ob2_checks
from awards.verify_report import (
    ISSUER_MISMATCH,
    SIGNATURE_MISMATCH,
    SIGNATURE_UNCHECKED,
    Check,
    Outcome,
    Report,
    time_parse,
)
from awards.verify_status import issuer_id_of, status_check
from core import json_input

__all__ = ["MAX_INPUT", "Check", "Report", "UnreadableInput", "verify_credential"]

MAX_INPUT = 2 * 1024 * 1024


class UnreadableInput(ValueError):
    pass


# ----- reading the input -----------------------------------------------------------------------------------


# A credential nests about ten levels; every check (and pyld, and the page that shows it) walks it recursively,
# so anything far deeper is refused as unreadable rather than left to exhaust the stack.
MAX_DEPTH = 32


def _read(data: dict[str, Any] | str | bytes) -> tuple[str, dict[str, Any], str | None]:
    """(form, credential, token): the credential found in the input, and its JWT when it came as one."""
    form, credential, token = _read_any(data)
    if json_input.value_depth_exceeds(credential, MAX_DEPTH):
        raise UnreadableInput(_("the credential is nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH})
    return form, credential, token


def _read_any(data: dict[str, Any] | str | bytes) -> tuple[str, dict[str, Any], str | None]:
    if isinstance(data, dict):
        return "json", data, None
    container = ""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT:
            raise UnreadableInput(_("the input is larger than 2 MB"))
        try:
            if data.startswith(PNG_SIGNATURE):
                container, data = "png", extract_png(data)
            elif data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:2048]:
                container, data = "svg", extract_svg(data)
            else:
                data = data.decode("utf-8")
        except BakingError as error:
            raise UnreadableInput(str(error)) from None
        except UnicodeDecodeError:
            raise UnreadableInput(_("the file is not a PNG, an SVG, JSON or a JWT")) from None
    text = data.strip()
    if not container and text.startswith("<"):
        try:
            container, text = "svg", extract_svg(text)
        except BakingError as error:
            raise UnreadableInput(str(error)) from None
    if text.startswith("{"):
        try:
            credential = json_input.loads(text, limit=MAX_DEPTH)
        except json.JSONDecodeError as error:
            raise UnreadableInput(
                _("the JSON cannot be read: %(error)s (line %(line)s)") % {"error": error.msg, "line": error.lineno}
            ) from None
        except json_input.TooDeep as error:
            raise UnreadableInput(_("the JSON cannot be read: %(error)s") % {"error": error}) from None
        if not isinstance(credential, dict):
            raise UnreadableInput(_("the JSON is not an object"))
        return (f"{container} (json)" if container else "json"), credential, None
    if looks_like_jwt(text):
        if _jwt_too_deep(text):
            raise UnreadableInput(
                _("the JWT cannot be read: its JSON is nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH}
            )
        try:
            payload = jwt_payload_unverified(text)
        except JwtError as error:
            raise UnreadableInput(str(error)) from None
        return (f"{container} (jwt)" if container else "jwt"), payload, text
    raise UnreadableInput(_("paste a credential as JSON (starting with {) or as a JWT (three dot-separated parts)"))


def _jwt_too_deep(token: str) -> bool:
    """Whether the JWT's header or payload nests deeper than MAX_DEPTH, judged before PyJWT parses them."""
    for segment in token.strip().split(".")[:2]:
        try:
            text = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode("utf-8", "replace")
        except ValueError:
            continue  # not base64url: PyJWT says so in its own words
        if json_input.text_depth_exceeds(text, MAX_DEPTH):
            return True
    return False


# ----- the checks ------------------------------------------------------------------------------------------


def _issuer_id(credential: dict[str, Any]) -> str | None:
    return issuer_id_of(credential)


def _structure(credential: dict[str, Any]) -> Check:
    label = _("Structure (Open Badges 3.0)")
    problems = structure_problems(credential)
    if problems:
        return Check("structure", label, "failed", "; ".join(problems))
    return Check("structure", label, "passed", _("has every property OB 3.0 requires"))


def _expanded(credential: dict[str, Any]) -> jsonld.Checked | Exception:
    """The credential's term check, with its expansion kept for the signature check; or why it failed."""
    try:
        return jsonld.check(credential)
    except Exception as error:  # pyld raises its own JsonLdError for malformed JSON-LD
        return error


def _terms(checked: jsonld.Checked | Exception) -> Check:
    label = _("Defined terms")
    if isinstance(checked, jsonld.ContextNotShipped):
        return Check("terms", label, "failed", _("cannot be checked offline: %(error)s") % {"error": checked})
    if isinstance(checked, Exception):
        return Check("terms", label, "failed", _("not valid JSON-LD: %(error)s") % {"error": checked})
    report = checked.report
    if not report.ok:
        return Check(
            "terms", label, "failed", _("not covered by the signature, %(terms)s") % {"terms": report.describe()}
        )
    return Check("terms", label, "passed", _("every property and type is defined by the credential's contexts"))


def _unchecked_signature(why: str) -> Check:
    return Check("signature", _("Signature"), "failed", why, SIGNATURE_UNCHECKED)


def _key_and_signature(
    credential: dict[str, Any],
    token: str | None,
    checked: jsonld.Checked | Exception | None = None,
    states: KeyStates | None = None,
) -> tuple[Check, Check, ResolvedKey | None]:
    """The key check and the signature check. The signature is computed whenever the key is found, whoever
    the issuer is, so a changed credential fails on its signature and never merely on its key."""
    key_label, sig_label = _("Issuer key"), _("Signature")
    without_key = _("cannot be checked without the issuer's key")
    if token is not None:
        method = jwt_header(token).get("kid")
        if not isinstance(method, str):
            why = _("the JWT header has no kid naming the issuer's key")
            return Check("issuer_key", key_label, "failed", why, UNRESOLVED), _unchecked_signature(without_key), None
    else:
        try:
            method = proof_of(credential)["verificationMethod"]
        except ProofError as error:
            why = _("no key to resolve: %(error)s") % {"error": error}
            return Check("issuer_key", key_label, "failed", why, UNRESOLVED), _unchecked_signature(str(error)), None
    try:
        resolved = key_resolve(method=method, states=states)
    except KeyUnresolved as error:
        key_check = Check("issuer_key", key_label, "failed", str(error), error.reason)
        return key_check, _unchecked_signature(without_key), None
    issuer_id = _issuer_id(credential)
    if issuer_id != resolved.did:
        detail = _("the key %(method)s is controlled by %(did)s, but the credential names %(issuer)s as issuer") % {
            "method": method,
            "did": resolved.did,
            "issuer": issuer_id,
        }
        key_check = Check("issuer_key", key_label, "failed", detail, ISSUER_MISMATCH)
    else:
        key_check = Check("issuer_key", key_label, "passed", resolved.found)
    try:
        if token is not None:
            if not isinstance(resolved.public, ec.EllipticCurvePublicKey):
                raise JwtError(_("%(method)s is not a P-256 key, so it cannot check an ES256 JWT") % {"method": method})
            jwt_verify(token, public_key=resolved.public)
            problems = claims_agree(credential)
            if problems:
                raise JwtError("; ".join(problems))
            detail = _("the ES256 JWT signature matches and its claims agree with the credential")
        else:
            if not isinstance(resolved.public, ed25519.Ed25519PublicKey):
                raise ProofError(
                    _("%(method)s is not an Ed25519 key, so it cannot check an eddsa-rdfc-2022 proof")
                    % {"method": method}
                )
            # The unsigned document's RDF from the term check's expansion when it has it (else made afresh).
            nquads = checked.unsigned_nquads if isinstance(checked, jsonld.Checked) else None
            proof_verify(credential, public_key=resolved.public, document_nquads=nquads)
            detail = _("the eddsa-rdfc-2022 proof matches every signed statement")
    except (JwtError, ProofError) as error:
        return key_check, Check("signature", sig_label, "failed", str(error), SIGNATURE_MISMATCH), resolved
    except Exception as error:  # canonicalisation of malformed JSON-LD
        why = _("could not be recomputed: %(error)s") % {"error": error}
        return key_check, Check("signature", sig_label, "failed", why, SIGNATURE_MISMATCH), resolved
    return key_check, Check("signature", sig_label, "passed", detail), resolved


def _dates(credential: dict[str, Any], now: datetime) -> Check:
    valid_from, valid_until = credential.get("validFrom"), credential.get("validUntil")
    when_from = time_parse(valid_from)
    if when_from is None:
        phase = "no start"
    elif when_from > now:
        phase = "not yet"
    elif "validUntil" not in credential:
        phase = "open"
    else:
        when_until = time_parse(valid_until)
        phase = "bad end" if when_until is None else "expired" if when_until <= now else "valid"
    # The sentence depends only on the phase, the two texts and the language; a badge page asks for it on every view.
    return dataclasses.replace(_dates_check(phase, str(valid_from), str(valid_until), get_language()))


@lru_cache(maxsize=1024)
def _dates_check(phase: str, valid_from: str, valid_until: str, _language: str | None) -> Check:
    label = _("Validity dates")
    if phase == "no start":
        return Check("dates", label, "failed", _("validFrom is missing or not a date-time"))
    if phase == "not yet":
        return Check("dates", label, "failed", _("not yet valid: valid from %(from)s") % {"from": valid_from})
    if phase == "open":
        return Check("dates", label, "passed", _("valid from %(from)s, with no expiry") % {"from": valid_from})
    if phase == "bad end":
        return Check("dates", label, "failed", _("validUntil is not a date-time"))
    if phase == "expired":
        return Check("dates", label, "failed", _("expired: valid until %(until)s") % {"until": valid_until})
    detail = _("valid from %(from)s until %(until)s") % {"from": valid_from, "until": valid_until}
    return Check("dates", label, "passed", detail)


def verify_credentials(*inputs: dict[str, Any] | str | bytes, now: datetime | None = None) -> list[Report]:
    """Each input verified as verify_credential does, as of one moment: the clock is read once, and each issuer's
    key and status-list state once for all of them (a badge's JSON and its VC-JWT name the same key and list), so
    their reports agree with each other even while a key is rotated or a credential revoked between the two."""
    moment = now or timezone.now()
    states: KeyStates = {}
    return [verify_credential(data, now=moment, states=states) for data in inputs]


def verify_credential(
    data: dict[str, Any] | str | bytes, *, now: datetime | None = None, states: KeyStates | None = None
) -> Report:
    """Every check of a credential, each passed or failed with a sentence saying why.

    A repeat of the same input against the same key and status-list state is answered from the cache
    (awards.verify_cache); the validity dates are judged afresh on every call. `states` holds the key states
    already read for the same piece of work (verify_credentials)."""
    report = Report()
    # One reading of each issuer's keys and status list serves the cache's key, the key check and the status check.
    states = {} if states is None else states
    digest = input_digest(data)
    reading = reading_get(digest, data) if digest else None
    if reading is None:
        try:
            reading = reading_make(*_read(data))
        except UnreadableInput as error:
            report.error = str(error)
            return report
        if digest:
            reading_set(digest, reading, data)
    report.form, report.credential = reading.form, reading.credential
    credential, token = reading.credential, reading.token
    moment = now or timezone.now()
    if is_ob2(credential):
        report.checks = ob2_checks(credential, token, now=moment)
        return report
    dates = _dates(credential, moment)
    key = result_key(digest, reading, states) if digest else None
    hit = cached(key) if key else None
    if hit is not None and hit[0] == report.form:
        report.checks = [
            Check(i, label, cast(Outcome, outcome), detail, why) for i, label, outcome, detail, why in hit[1]
        ]
        report.checks.append(dates)
        return report
    checked = _expanded(credential)  # one expansion serves the term check and the signature check
    key_check, signature_check, _key = _key_and_signature(credential, token, checked, states)
    report.checks = [
        _structure(credential),
        _terms(checked),
        signature_check,
        key_check,
        status_check(credential, states),
    ]
    if key:
        remember(key, (report.form, [(c.id, c.label, c.outcome, c.detail, c.reason) for c in report.checks]))
    report.checks.append(dates)
    return report
