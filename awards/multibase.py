"""Multibase and Multikey encodings used by Data Integrity proofs and DID documents.

base58btc is a dozen lines, so it is written here rather than pulled in as a dependency.
"""

from __future__ import annotations

import base64

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: index for index, char in enumerate(_ALPHABET)}

# The multicodec prefix of an Ed25519 public key (varint of 0xed), as the Multikey format requires.
ED25519_PUB = b"\xed\x01"


class MultibaseError(ValueError):
    pass


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_ALPHABET[rest])
    # Each leading zero byte is written as a leading "1", so the length survives the round trip.
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise MultibaseError(f"{char!r} is not a base58btc character")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def encode_base58btc(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_base58btc(value: str) -> bytes:
    if not value.startswith("z"):
        raise MultibaseError("a base58btc multibase value starts with 'z'")
    return b58decode(value[1:])


def encode_base64url(data: bytes) -> str:
    """Multibase base64url without padding (prefix 'u'), as Bitstring Status List's encodedList uses."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(value: str) -> bytes:
    if not value.startswith("u"):
        raise MultibaseError("a base64url multibase value starts with 'u'")
    body = value[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as error:
        raise MultibaseError(f"not base64url: {error}") from None


def ed25519_multikey(public_key: bytes) -> str:
    """publicKeyMultibase of an Ed25519 key: base58btc of 0xed01 + the 32 key bytes ("z6Mk…")."""
    if len(public_key) != 32:
        raise MultibaseError("an Ed25519 public key is 32 bytes")
    return encode_base58btc(ED25519_PUB + public_key)


def ed25519_from_multikey(value: str) -> bytes:
    raw = decode_base58btc(value)
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise MultibaseError("not an Ed25519 Multikey (expected the 0xed01 prefix and 32 key bytes)")
    return raw[2:]
