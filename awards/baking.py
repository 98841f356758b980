"""Badge images and Open Badges 3.0 baking.

PNG: an iTXt chunk with the keyword "openbadgecredential" whose text is the credential (JSON or a
VC-JWT), uncompressed, placed before IEND. SVG: an <openbadges:credential> element (namespace
https://purl.imsglobal.org/ob/v3p0) right after the opening <svg> tag, holding the JSON in CDATA, or
a JWT in its `verify` attribute.
"""

from __future__ import annotations

import io
import re
import struct
import textwrap
import zlib
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFont

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]

BRAND = (8, 68, 130)
RING = (255, 191, 71)


class BakingError(ValueError):
    pass


# ----- badge art ------------------------------------------------------------------------------------------


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=32)
def badge_png(title: str, issuer: str, kind: str) -> bytes:
    """A round badge naming the credential and its issuer, drawn the same for every earner."""
    size = 512
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=RING)
    draw.ellipse((32, 32, size - 32, size - 32), fill=BRAND)
    y = 120
    for line, font, colour in (
        (kind.upper(), _font(26, bold=True), RING),
        *[(text, _font(44, bold=True), (255, 255, 255)) for text in textwrap.wrap(title, 16)[:3]],
        (issuer, _font(28), (255, 255, 255)),
    ):
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, font=font, fill=colour)
        y += int(getattr(font, "size", 30) * 1.35)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def badge_svg(title: str, issuer: str, kind: str) -> str:
    lines = textwrap.wrap(title, 16)[:3]
    texts = "".join(
        f'<text x="256" y="{200 + 56 * i}" font-size="44" font-weight="700" fill="#ffffff" '
        f'text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512" role="img" '
        f'aria-labelledby="badge-title"><title id="badge-title">{escape(title)} badge from {escape(issuer)}</title>'
        '<circle cx="256" cy="256" r="248" fill="#ffbf47"/><circle cx="256" cy="256" r="224" fill="#084482"/>'
        f'<text x="256" y="140" font-size="26" font-weight="700" fill="#ffbf47" text-anchor="middle" '
        f'font-family="DejaVu Sans, sans-serif">{escape(kind.upper())}</text>'
        f'<g font-family="DejaVu Sans, sans-serif">{texts}</g>'
        f'<text x="256" y="{220 + 56 * len(lines)}" font-size="28" fill="#ffffff" text-anchor="middle" '
        f'font-family="DejaVu Sans, sans-serif">{escape(issuer)}</text></svg>'
    )


# ----- PNG --------------------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks = []
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise BakingError("the PNG is truncated")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length:
            raise BakingError("the PNG is truncated")
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
        _language, _, rest = rest.partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        if compressed:
            try:
                text = zlib.decompress(text)
            except zlib.error as error:
                raise BakingError(f"the baked credential cannot be decompressed: {error}") from None
        return text.decode("utf-8")
    raise BakingError("this PNG carries no Open Badges 3.0 credential (no openbadgecredential iTXt chunk)")


# ----- SVG --------------------------------------------------------------------------------------------------


def bake_svg(svg: str, credential: str, *, is_jwt: bool) -> str:
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise BakingError("not an SVG image")
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{OB3_NAMESPACE}">'
    if is_jwt:
        element = f'<openbadges:credential verify="{escape(credential)}"></openbadges:credential>'
    else:
        if "]]>" in credential:
            raise BakingError("the credential cannot be placed in CDATA")
        element = f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
    return svg[: match.start()] + tag + element + svg[match.end() :]


def extract_svg(svg: bytes | str) -> str:
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    # Entity declarations are how XML bombs and external-entity reads start; a badge never needs one.
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise BakingError("the SVG declares a DOCTYPE or entities, which a baked badge never needs")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - entity declarations were refused above
    except ElementTree.ParseError as error:
        raise BakingError(f"the SVG is not well-formed XML: {error}") from None
    element = root.find(f"{{{OB3_NAMESPACE}}}credential")
    if element is None:
        raise BakingError("this SVG carries no Open Badges 3.0 credential (no openbadges:credential element)")
    verify = element.get("verify")
    if verify:
        return verify
    if element.text and element.text.strip():
        return element.text.strip()
    raise BakingError("the openbadges:credential element is empty")
