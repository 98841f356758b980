"""Open Badges 3.0 baking: the credential placed inside a badge image (awards.images draws or keeps the image).

PNG: an iTXt chunk with the keyword "openbadgecredential" whose text is the credential (JSON or a
VC-JWT), uncompressed, placed before IEND. SVG: an <openbadges:credential> element (namespace
https://purl.imsglobal.org/ob/v3p0) right after the opening <svg> tag, holding the JSON in CDATA, or
a JWT in its `verify` attribute.
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

from django.utils.html import escape
from django.utils.translation import gettext as _

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    pass


# ----- PNG --------------------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError(_("not a PNG image"))
    chunks = []
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise BakingError(_("the PNG is truncated"))
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length:
            raise BakingError(_("the PNG is truncated"))
        chunks.append((kind, body))
        offset += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bake_png(image: bytes, credential: str) -> bytes:
    """The image with the credential in an openbadgecredential iTXt chunk (any earlier one is replaced)."""
    chunks = [(k, b) for k, b in _chunks(image) if not (k == b"iTXt" and b.startswith(KEYWORD + b"\0"))]
    # keyword \0, compression flag 0 (none), method 0, empty language tag \0, empty translated keyword \0, text
    itxt = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", itxt))
        out.append(_chunk(kind, body))
    return b"".join(out)


def extract_png(image: bytes) -> str:
    for kind, body in _chunks(image):
        if kind != b"iTXt" or not body.startswith(KEYWORD + b"\0"):
            continue
        rest = body[len(KEYWORD) + 1 :]
        compressed, rest = rest[0], rest[2:]
        _language, _sep, rest = rest.partition(b"\0")
        _translated, _sep, text = rest.partition(b"\0")
        if compressed:
            try:
                text = zlib.decompress(text)
            except zlib.error as error:
                raise BakingError(
                    _("the baked credential cannot be decompressed: %(error)s") % {"error": error}
                ) from None
        return text.decode("utf-8")
    raise BakingError(_("this PNG carries no Open Badges 3.0 credential (no openbadgecredential iTXt chunk)"))


# ----- SVG --------------------------------------------------------------------------------------------------


def bake_svg(svg: str, credential: str, *, is_jwt: bool) -> str:
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise BakingError(_("not an SVG image"))
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{OB3_NAMESPACE}">'
    if is_jwt:
        element = f'<openbadges:credential verify="{escape(credential)}"></openbadges:credential>'
    else:
        if "]]>" in credential:
            raise BakingError(_("the credential cannot be placed in CDATA"))
        element = f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
    return svg[: match.start()] + tag + element + svg[match.end() :]


def extract_svg(svg: bytes | str) -> str:
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    # Entity declarations are how XML bombs and external-entity reads start; a badge never needs one.
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise BakingError(_("the SVG declares a DOCTYPE or entities, which a baked badge never needs"))
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - entity declarations were refused above
    except ElementTree.ParseError as error:
        raise BakingError(_("the SVG is not well-formed XML: %(error)s") % {"error": error}) from None
    element = root.find(f"{{{OB3_NAMESPACE}}}credential")
    if element is None:
        raise BakingError(_("this SVG carries no Open Badges 3.0 credential (no openbadges:credential element)"))
    verify = element.get("verify")
    if verify:
        return verify
    if element.text and element.text.strip():
        return element.text.strip()
    raise BakingError(_("the openbadges:credential element is empty"))
