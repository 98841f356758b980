"""The verifier: takes a credential as JSON, a VC-JWT, or a baked PNG/SVG, and reports each check.

Everything is decided offline. Keys are resolved from microcred's own DID documents (read from the
database, exactly what /issuers/<slug>/did.json serves); a credential from any other issuer is
reported as "unknown issuer key (cannot resolve offline)" - a failed check, since nothing here can
vouch for it - while its structure and terms are still judged.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings
from django.utils import timezone

from awards import jsonld
from awards.baking import PNG_SIGNATURE, BakingError, extract_png, extract_svg
from awards.documents import bit_is_set
from awards.keys import did_for_issuer, public_key_from_multikey
from awards.models import IssuerKey, StatusList
from awards.multibase import MultibaseError, decode_base64url
from awards.proof import ProofError, proof_of, proof_verify
from awards.structure import structure_problems
from awards.vcjwt import JwtError, claims_agree, jwt_header, jwt_payload_unverified, jwt_verify, looks_like_jwt
from awards.verify_cache import (
    cached,
    input_digest,
    reading_get,
    reading_make,
    reading_set,
    remember,
    result_key,
    status_list_ref,
)
from core import json_input

MAX_INPUT = 2 * 1024 * 1024

Outcome = Literal["passed", "failed", "skipped"]


@dataclass
class Check:
    id: str
    label: str
    outcome: Outcome
    detail: str

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class Report:
    form: str = ""  # "json", "jwt", "png (json)", "svg (jwt)", …
    credential: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    error: str = ""  # set when the input could not be read as a credential at all

    @property
    def valid(self) -> bool:
        return not self.error and bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed_labels(self) -> str:
        """The failed checks in words, for the verdict: "signature and issuer key"."""
        names = [check.label.lower() for check in self.checks if not check.passed]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "form": self.form,
            "error": self.error,
            "checks": [asdict(check) for check in self.checks],
            "credential": self.credential,
        }


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
        raise UnreadableInput(f"the credential is nested more than {MAX_DEPTH} levels deep")
    return form, credential, token


def _read_any(data: dict[str, Any] | str | bytes) -> tuple[str, dict[str, Any], str | None]:
    if isinstance(data, dict):
        return "json", data, None
    container = ""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT:
            raise UnreadableInput("the input is larger than 2 MB")
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
            raise UnreadableInput("the file is not a PNG, an SVG, JSON or a JWT") from None
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
            raise UnreadableInput(f"the JSON cannot be read: {error.msg} (line {error.lineno})") from None
        except json_input.TooDeep as error:
            raise UnreadableInput(f"the JSON cannot be read: {error}") from None
        if not isinstance(credential, dict):
            raise UnreadableInput("the JSON is not an object")
        return (f"{container} (json)" if container else "json"), credential, None
    if looks_like_jwt(text):
        if _jwt_too_deep(text):
            raise UnreadableInput(f"the JWT cannot be read: its JSON is nested more than {MAX_DEPTH} levels deep")
        try:
            payload = jwt_payload_unverified(text)
        except JwtError as error:
            raise UnreadableInput(str(error)) from None
        return (f"{container} (jwt)" if container else "jwt"), payload, text
    raise UnreadableInput("paste a credential as JSON (starting with {) or as a JWT (three dot-separated parts)")


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


# ----- resolving keys --------------------------------------------------------------------------------------


@dataclass
class ResolvedKey:
    key: IssuerKey
    did: str
    public: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def _resolve(method: str) -> ResolvedKey | str:
    """Our key behind a verification method id, or why it cannot be resolved."""
    did, _, fragment = method.partition("#")
    prefix = did_for_issuer("")
    if not did.startswith(prefix) or not fragment.startswith("key-") or not fragment[4:].isdigit():
        return f"unknown issuer key (cannot resolve offline): {method} is not a key of an issuer on {settings.SITE_URL}"
    slug = did[len(prefix) :]
    # Unique by (issuer, number); ordering by pk rather than the model's issuer-then-number spares a join per check.
    keys = IssuerKey.objects.select_related("issuer").filter(issuer__slug=slug, number=int(fragment[4:]))
    key = keys.order_by("pk").first()
    if key is None or did_for_issuer(key.issuer.slug) != did:
        return f"unknown issuer key: {method} is not in the DID document of {did}"
    try:
        public = public_key_from_multikey(key.public_key_multibase)
    except (MultibaseError, ValueError) as error:
        return f"the issuer's published key cannot be read: {error}"
    return ResolvedKey(key=key, did=did, public=public)


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


# ----- the checks ------------------------------------------------------------------------------------------


def _structure(credential: dict[str, Any]) -> Check:
    problems = structure_problems(credential)
    if problems:
        return Check("structure", "Structure (Open Badges 3.0)", "failed", "; ".join(problems))
    return Check("structure", "Structure (Open Badges 3.0)", "passed", "has every property OB 3.0 requires")


def _expanded(credential: dict[str, Any]) -> jsonld.Checked | Exception:
    """The credential's term check, with its expansion kept for the signature check; or why it failed."""
    try:
        return jsonld.check(credential)
    except Exception as error:  # pyld raises its own JsonLdError for malformed JSON-LD
        return error


def _terms(checked: jsonld.Checked | Exception) -> Check:
    label = "Defined terms"
    if isinstance(checked, jsonld.ContextNotShipped):
        return Check("terms", label, "failed", f"cannot be checked offline: {checked}")
    if isinstance(checked, Exception):
        return Check("terms", label, "failed", f"not valid JSON-LD: {checked}")
    report = checked.report
    if not report.ok:
        return Check("terms", label, "failed", f"not covered by the signature, {report.describe()}")
    return Check("terms", label, "passed", "every property and type is defined by the credential's contexts")


def _key_and_signature(
    credential: dict[str, Any], token: str | None, checked: jsonld.Checked | Exception | None = None
) -> tuple[Check, Check, ResolvedKey | None]:
    key_label, sig_label = "Issuer key", "Signature"
    if token is not None:
        method = jwt_header(token).get("kid")
        if not isinstance(method, str):
            return (
                Check("issuer_key", key_label, "failed", "the JWT header has no kid naming the issuer's key"),
                Check("signature", sig_label, "failed", "cannot be checked without the issuer's key"),
                None,
            )
    else:
        try:
            method = proof_of(credential)["verificationMethod"]
        except ProofError as error:
            return (
                Check("issuer_key", key_label, "failed", f"no key to resolve: {error}"),
                Check("signature", sig_label, "failed", str(error)),
                None,
            )
    resolved = _resolve(method)
    if isinstance(resolved, str):
        return (
            Check("issuer_key", key_label, "failed", resolved),
            Check("signature", sig_label, "failed", "cannot be checked without the issuer's key"),
            None,
        )
    issuer_id = _issuer_id(credential)
    if issuer_id != resolved.did:
        key_check = Check(
            "issuer_key",
            key_label,
            "failed",
            f"the key {method} is controlled by {resolved.did}, but the credential names {issuer_id} as issuer",
        )
    else:
        state = "active" if resolved.key.is_active else "retired, still published for verification"
        key_check = Check(
            "issuer_key",
            key_label,
            "passed",
            f"{method} is in the DID document of {resolved.key.issuer.name}, controlled by the issuer ({state})",
        )
    try:
        if token is not None:
            if not isinstance(resolved.public, ec.EllipticCurvePublicKey):
                raise JwtError(f"{method} is not a P-256 key, so it cannot check an ES256 JWT")
            jwt_verify(token, public_key=resolved.public)
            problems = claims_agree(credential)
            if problems:
                raise JwtError("; ".join(problems))
            detail = "the ES256 JWT signature matches and its claims agree with the credential"
        else:
            if not isinstance(resolved.public, ed25519.Ed25519PublicKey):
                raise ProofError(f"{method} is not an Ed25519 key, so it cannot check an eddsa-rdfc-2022 proof")
            # The unsigned document's RDF from the term check's expansion when it has it (else made afresh).
            nquads = checked.unsigned_nquads if isinstance(checked, jsonld.Checked) else None
            proof_verify(credential, public_key=resolved.public, document_nquads=nquads)
            detail = "the eddsa-rdfc-2022 proof matches every signed statement"
    except (JwtError, ProofError) as error:
        return key_check, Check("signature", sig_label, "failed", str(error)), resolved
    except Exception as error:  # canonicalisation of malformed JSON-LD
        return key_check, Check("signature", sig_label, "failed", f"could not be recomputed: {error}"), resolved
    return key_check, Check("signature", sig_label, "passed", detail), resolved


def _status_list_for(url: str) -> StatusList | None:
    ref = status_list_ref(url)
    if ref is None:
        return None
    lists = StatusList.objects.select_related("issuer").filter(issuer__slug=ref[0], number=ref[1])
    return lists.order_by("pk").first()  # unique by (issuer, number), as for keys


# Signed lists already checked in this process, by their signature: a list is re-signed (a new proofValue)
# whenever a bit changes, so an entry can never stand for out-of-date bits.
_LIST_CACHE: dict[str, bytes] = {}


def _verified_bits(listed: dict[str, Any]) -> bytes:
    """The bits of a signed status list credential, once its own proof checks out."""
    proof_value = str(listed.get("proof", {}).get("proofValue", ""))
    if proof_value and proof_value in _LIST_CACHE:
        return _LIST_CACHE[proof_value]
    resolved = _resolve(str(listed.get("proof", {}).get("verificationMethod", "")))
    if isinstance(resolved, str) or not isinstance(resolved.public, ed25519.Ed25519PublicKey):
        raise ProofError("the status list is not signed by a key of its issuer")
    proof_verify(listed, public_key=resolved.public)
    data = gzip.decompress(decode_base64url(listed["credentialSubject"]["encodedList"]))
    if len(_LIST_CACHE) > 256:
        _LIST_CACHE.clear()
    _LIST_CACHE[proof_value] = data
    return data


def _status(credential: dict[str, Any]) -> Check:
    label = "Revocation status"
    status = credential.get("credentialStatus")
    if status is None:
        return Check("status", label, "passed", "the credential has no status entry, so it cannot be revoked")
    if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
        return Check("status", label, "failed", "only BitstringStatusListEntry status can be checked")
    url = status.get("statusListCredential")
    index = status.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
        return Check("status", label, "failed", "the status entry has no list URL or index")
    status_list = _status_list_for(url)
    if status_list is None:
        return Check("status", label, "failed", f"cannot check offline: {url} is not a status list published here")
    listed = status_list.document
    try:
        data = _verified_bits(listed)
    except (ProofError, MultibaseError, KeyError, OSError) as error:
        return Check("status", label, "failed", f"the status list cannot be trusted: {error}")
    position = int(index)
    if position >= len(data) * 8:
        return Check("status", label, "failed", f"index {position} is outside the status list")
    if _issuer_id(credential) != listed.get("issuer"):
        return Check("status", label, "failed", "the status list belongs to another issuer")
    if bit_is_set(data, position):
        return Check("status", label, "failed", "revoked: the issuer has revoked this credential")
    return Check("status", label, "passed", "not revoked (checked against the issuer's signed status list)")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _dates(credential: dict[str, Any], now: datetime) -> Check:
    label = "Validity dates"
    valid_from = _parse_time(credential.get("validFrom"))
    if valid_from is None:
        return Check("dates", label, "failed", "validFrom is missing or not a date-time")
    if valid_from > now:
        return Check("dates", label, "failed", f"not yet valid: valid from {credential['validFrom']}")
    if "validUntil" in credential:
        valid_until = _parse_time(credential["validUntil"])
        if valid_until is None:
            return Check("dates", label, "failed", "validUntil is not a date-time")
        if valid_until <= now:
            return Check("dates", label, "failed", f"expired: valid until {credential['validUntil']}")
        return Check("dates", label, "passed", f"valid from {credential['validFrom']} until {credential['validUntil']}")
    return Check("dates", label, "passed", f"valid from {credential['validFrom']}, with no expiry")


def verify_credential(data: dict[str, Any] | str | bytes, *, now: datetime | None = None) -> Report:
    """Every check of a credential, each passed or failed with a sentence saying why.

    A repeat of the same input against the same key and status-list state is answered from the cache
    (awards.verify_cache); the validity dates are judged afresh on every call."""
    report = Report()
    digest = input_digest(data)
    reading = reading_get(digest) if digest else None
    if reading is None:
        try:
            reading = reading_make(*_read(data))
        except UnreadableInput as error:
            report.error = str(error)
            return report
        if digest:
            reading_set(digest, reading)
    report.form, report.credential = reading.form, reading.credential
    credential, token = reading.credential, reading.token
    dates = _dates(credential, now or timezone.now())
    key = result_key(digest, reading) if digest else None
    hit = cached(key) if key else None
    if hit is not None and hit[0] == report.form:
        report.checks = [Check(id_, label, cast(Outcome, outcome), detail) for id_, label, outcome, detail in hit[1]]
        report.checks.append(dates)
        return report
    checked = _expanded(credential)  # one expansion serves the term check and the signature check
    key_check, signature_check, _ = _key_and_signature(credential, token, checked)
    report.checks = [_structure(credential), _terms(checked), signature_check, key_check, _status(credential)]
    if key:
        remember(key, (report.form, [(c.id, c.label, c.outcome, c.detail) for c in report.checks]))
    report.checks.append(dates)
    return report
