"""Our tool key pairs: one RSA pair per platform registration, the private half encrypted at rest."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]

from awards.keys import decrypt_private, encrypt_private
from lti.models import PlatformRegistration


def key_pair_new() -> tuple[str, str, str]:
    """A fresh RSA-2048 pair as (encrypted private PEM, public PEM, kid); the kid is the key's RFC 7638
    thumbprint, so it names the key itself and never repeats across registrations."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = JWK.from_pem(public_pem).thumbprint()
    return encrypt_private(private_pem), public_pem.decode("ascii"), kid


def private_pem(registration: PlatformRegistration) -> str:
    return decrypt_private(registration.tool_private_key_encrypted).decode("ascii")


def public_jwk(registration: PlatformRegistration) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(JWK.from_pem(registration.tool_public_key_pem.encode("ascii")).export_public())
    jwk.update({"kid": registration.tool_kid, "alg": "RS256", "use": "sig"})
    return jwk


def tool_jwks(registrations: list[PlatformRegistration]) -> dict[str, Any]:
    """The JWKS platforms fetch to check what we sign (deep-linking responses, token requests)."""
    return {"keys": [public_jwk(registration) for registration in registrations if registration.tool_public_key_pem]}
