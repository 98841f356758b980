"""The VC-JWT form of a credential (Open Badges 3.0 §8.2, JOSE): an ES256 JWS whose payload is the credential
itself, with the registered claims iss (issuer id), jti (credential id), nbf (validFrom) and, when the
credential expires, exp (validUntil). The header's kid is the verification method in the issuer's DID
document, so the key is found the same way as for the Data Integrity proof."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _

ALGORITHM = "ES256"


class JwtError(ValueError):
    pass


def _timestamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    claims: dict[str, Any] = {"iss": issuer_id, "jti": credential.get("id"), "nbf": _timestamp(credential["validFrom"])}
    if credential.get("validUntil"):
        claims["exp"] = _timestamp(credential["validUntil"])
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    return claims


def jwt_encode(credential: dict[str, Any], *, private_key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    unsigned = {key: value for key, value in credential.items() if key != "proof"}
    payload = {**unsigned, **jwt_claims(unsigned)}
    return jwt.encode(payload, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def looks_like_jwt(text: str) -> bool:
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2])


def jwt_header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise JwtError(_("not a JWT: %(error)s") % {"error": error}) from None
    return dict(header)


def jwt_payload_unverified(token: str) -> dict[str, Any]:
    """The payload without checking the signature: what the verifier then checks piece by piece."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise JwtError(_("the JWT payload cannot be read: %(error)s") % {"error": error}) from None
    if not isinstance(payload, dict):
        raise JwtError(_("the JWT payload is not a JSON object"))
    return payload


def jwt_verify(token: str, *, public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The payload, once its ES256 signature checks out; dates are checked by the verifier, not here, so that
    an expired credential is reported as expired rather than as unreadable."""
    try:
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise JwtError(_("the JWT signature does not match: the token was changed after signing")) from None
    except jwt.PyJWTError as error:
        raise JwtError(_("the JWT could not be verified: %(error)s") % {"error": error}) from None
    return dict(payload)


def claims_agree(payload: dict[str, Any]) -> list[str]:
    """Where the registered claims contradict the credential they travel with (each must equal its property)."""
    credential = {key: value for key, value in payload.items() if key not in {"iss", "jti", "nbf", "exp", "sub", "iat"}}
    try:
        expected = jwt_claims(credential)
    except (KeyError, ValueError, TypeError):
        return [_("the credential in the JWT has no valid validFrom")]
    problems = []
    for claim, value in expected.items():
        if payload.get(claim) != value:
            problems.append(
                _("the %(claim)s claim (%(value)s) does not match the credential")
                % {"claim": claim, "value": json.dumps(payload.get(claim))}
            )
    if "exp" in payload and "exp" not in expected:
        problems.append(_("the exp claim is set but the credential has no validUntil"))
    return problems
