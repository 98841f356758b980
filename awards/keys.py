"""Issuer identities and keys: did:web identifiers, DID documents, key generation and encryption at rest."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings

from awards.jsonld import DID_V1, MULTIKEY_V1
from awards.models import IssuerKey
from awards.multibase import decode_base58btc, ed25519_from_multikey, ed25519_multikey, encode_base58btc

# Multicodec prefix of a compressed P-256 public key (varint of 0x1200), as Multikey uses ("zDn…").
P256_PUB = b"\x80\x24"


class IssuerKeyError(RuntimeError):
    """A key cannot be used: missing, undecryptable, or of the wrong kind."""


def did_for_issuer(slug: str) -> str:
    """did:web of an issuer on this platform's host: did:web:<host>[%3A<port>]:issuers:<slug>.

    It resolves to <SITE_URL>/issuers/<slug>/did.json (the did:web path form)."""
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}%3A{parts.port}"
    path = [quote(bit, safe="") for bit in parts.path.strip("/").split("/") if bit]
    return ":".join(["did:web", host, *path, "issuers", slug])


def did_document_url(slug: str) -> str:
    return f"{settings.SITE_URL}/issuers/{slug}/did.json"


def verification_method_id(key: IssuerKey) -> str:
    return f"{did_for_issuer(key.issuer.slug)}#{key.fragment}"


def _fernet() -> MultiFernet:
    keys = [k for k in settings.ISSUER_KEY_ENCRYPTION_KEY.split(",") if k]
    if not keys:
        raise IssuerKeyError("ISSUER_KEY_ENCRYPTION_KEY is not set, so issuer keys cannot be encrypted or read")
    return MultiFernet([Fernet(k.encode("ascii")) for k in keys])


def encrypt_private(raw: bytes) -> str:
    return _fernet().encrypt(raw).decode("ascii")


def decrypt_private(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except InvalidToken:
        raise IssuerKeyError(
            "an issuer's private key could not be decrypted: ISSUER_KEY_ENCRYPTION_KEY is not the key it was "
            "encrypted with (keep the old key after the new one in the setting while rotating)"
        ) from None


def new_key_material(algorithm: str) -> tuple[str, bytes]:
    """A fresh key pair as (publicKeyMultibase, raw private key bytes)."""
    if algorithm == IssuerKey.Algorithm.ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return ed25519_multikey(public), raw
    if algorithm == IssuerKey.Algorithm.P256:
        ec_private = ec.generate_private_key(ec.SECP256R1())
        point = ec_private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        der = ec_private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return encode_base58btc(P256_PUB + point), der
    raise IssuerKeyError(f"unknown key algorithm {algorithm!r}")


def ed25519_private(key: IssuerKey) -> ed25519.Ed25519PrivateKey:
    if key.algorithm != IssuerKey.Algorithm.ED25519:
        raise IssuerKeyError(f"{key} is not an Ed25519 key")
    return ed25519.Ed25519PrivateKey.from_private_bytes(decrypt_private(key.private_key_encrypted))


def p256_private(key: IssuerKey) -> ec.EllipticCurvePrivateKey:
    if key.algorithm != IssuerKey.Algorithm.P256:
        raise IssuerKeyError(f"{key} is not a P-256 key")
    loaded = serialization.load_der_private_key(decrypt_private(key.private_key_encrypted), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise IssuerKeyError(f"{key} does not hold a P-256 private key")
    return loaded


def public_key_from_multikey(value: str) -> ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey:
    """The public key a Multikey value encodes (Ed25519 or compressed P-256); ValueError otherwise."""
    raw = decode_base58btc(value)
    if raw.startswith(P256_PUB) and len(raw) == 35:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
    return ed25519.Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(value))


def did_document(*, slug: str, keys: list[IssuerKey]) -> dict[str, Any]:
    """The DID document of an issuer: every key it has ever had, active or retired, as a Multikey
    verification method controlled by the DID itself, all usable for assertions (issuing credentials)."""
    did = did_for_issuer(slug)
    methods = [
        {
            "id": f"{did}#{key.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
