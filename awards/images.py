"""A credential's badge image: the one its issuer's admin uploaded (checked by awards.image_checks), else the
generated default.

The default is drawn in the issuer's colours with the credential's title wrapped to fit, in black or white,
whichever contrasts more with the background (never below 4.5:1, WCAG 1.4.3).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFont

from catalog.models import BadgeImage, Credential

PNG = "image/png"
SVG = "image/svg+xml"
SIZE = 512  # the side of every PNG we draw

_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


# ----- colour and contrast ------------------------------------------------------------------------------


def hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more; for any background the better one reaches at least 4.58:1."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


# ----- the generated default --------------------------------------------------------------------------------


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: Any, width: float) -> list[str] | None:
    """Greedy word wrap by measured width; None when a single word is wider than the line."""
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    lines: list[str] = []
    for word in text.split():
        if measure.textlength(word, font=font) > width:
            return None
        if lines and measure.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True)
class Layout:
    background: str
    ring: str
    text: str
    kicker_colour: str
    title_size: int
    title_lines: tuple[str, ...]
    kicker: str
    kicker_size: int
    issuer: str
    issuer_lines: tuple[str, ...]


# The title sits inside the inner disc (radius 224 of 512) between y 170 and 330, where the disc is at least
# 2·√(224² - 90²) ≈ 410 px wide; 340 leaves a margin on both sides.
TITLE_WIDTH = 340
TITLE_SIZES = (48, 42, 36, 32, 28, 24, 20)


@lru_cache(maxsize=64)
def layout(title: str, issuer: str, kind: str, colour: str, accent: str) -> Layout:
    """Where every line of the default badge goes, the same for its PNG and SVG forms."""
    background = hex_rgb(colour)
    ink = text_colour(background)
    ring = hex_rgb(accent)
    # The kicker is drawn in the accent colour only where that reads as well as the text colour must.
    kicker_colour = ring if contrast(ring, background) >= 4.5 else ink
    size, lines = TITLE_SIZES[-1], [title]
    for size in TITLE_SIZES:
        wrapped = _wrap(title, _font(size, bold=True), TITLE_WIDTH)
        if wrapped is not None and len(wrapped) * size * 1.2 <= 170:
            lines = wrapped
            break
    else:
        # Even the smallest size needs more room: break by characters so nothing runs off the disc.
        per_line = max(1, int(TITLE_WIDTH / (size * 0.62)))
        flat = " ".join(title.split())
        lines = [flat[i : i + per_line] for i in range(0, len(flat), per_line)][:6]
    issuer_lines = _wrap(issuer, _font(24), 300) or [issuer[:24]]
    # The kicker sits high on the disc, where it is about 370 px wide: a long kind label is drawn smaller.
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    kicker_size = next(
        (size for size in (22, 19, 16) if measure.textlength(kind.upper(), font=_font(size, bold=True)) <= 320), 14
    )
    return Layout(
        background=rgb_hex(background),
        ring=rgb_hex(ring),
        text=rgb_hex(ink),
        kicker_colour=rgb_hex(kicker_colour),
        title_size=size,
        title_lines=tuple(lines),
        kicker=kind.upper(),
        kicker_size=kicker_size,
        issuer=issuer,
        issuer_lines=tuple(issuer_lines[:2]),
    )


def _title_top(spec: Layout) -> float:
    block = len(spec.title_lines) * spec.title_size * 1.2
    return 250 - block / 2


@lru_cache(maxsize=32)
def default_png(title: str, issuer: str, kind: str, colour: str, accent: str) -> bytes:
    """A round badge naming the credential and its issuer, drawn the same for every earner."""
    spec = layout(title, issuer, kind, colour, accent)
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=spec.ring)
    draw.ellipse((32, 32, SIZE - 32, SIZE - 32), fill=spec.background)

    def centred(text: str, font: Any, y: float, fill: str) -> None:
        draw.text((SIZE / 2, y), text, font=font, fill=fill, anchor="ms")

    centred(spec.kicker, _font(spec.kicker_size, bold=True), 130, spec.kicker_colour)
    y = _title_top(spec)
    title_font = _font(spec.title_size, bold=True)
    for line in spec.title_lines:
        y += spec.title_size * 1.2
        centred(line, title_font, y - spec.title_size * 0.25, spec.text)
    y = 370
    for line in spec.issuer_lines:
        centred(line, _font(24), y, spec.text)
        y += 30
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def default_svg(title: str, issuer: str, kind: str, colour: str, accent: str) -> str:
    spec = layout(title, issuer, kind, colour, accent)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-labelledby="badge-title"><title id="badge-title">{escape(title)} badge from '
        f"{escape(issuer)}</title>",
        f'<circle cx="256" cy="256" r="248" fill="{spec.ring}"/><circle cx="256" cy="256" r="224" '
        f'fill="{spec.background}"/>',
        '<g font-family="DejaVu Sans, sans-serif" text-anchor="middle">',
        f'<text x="256" y="130" font-size="{spec.kicker_size}" font-weight="700" fill="{spec.kicker_colour}">'
        f"{escape(spec.kicker)}</text>",
    ]
    y = _title_top(spec)
    for line in spec.title_lines:
        y += spec.title_size * 1.2
        parts.append(
            f'<text x="256" y="{y - spec.title_size * 0.25:.1f}" font-size="{spec.title_size}" font-weight="700" '
            f'fill="{spec.text}">{escape(line)}</text>'
        )
    for i, line in enumerate(spec.issuer_lines):
        parts.append(f'<text x="256" y="{370 + 30 * i}" font-size="24" fill="{spec.text}">{escape(line)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


# ----- a credential's image ------------------------------------------------------------------------------


def _default_args(credential: Credential) -> tuple[str, str, str, str, str]:
    version = credential.current_version
    spec = version.spec if version is not None else None
    title = spec.title if spec else credential.title
    kind = spec.kind_label if spec else "Credential"
    issuer = credential.issuer
    return title, issuer.name, kind, issuer.colour, issuer.accent_colour


def uploaded(credential: Credential) -> BadgeImage | None:
    return BadgeImage.objects.filter(credential=credential).first()


def credential_png(credential: Credential) -> bytes:
    """The credential's badge as PNG: the upload (an SVG one as drawn at upload), else the default."""
    image = uploaded(credential)
    if image is not None:
        return bytes(image.png)
    return default_png(*_default_args(credential))


def credential_svg(credential: Credential) -> str:
    """The credential's badge as SVG: an SVG upload as sanitised, a PNG upload inside an SVG frame (so the
    baked SVG badge shows the issuer's picture too), else the default."""
    image = uploaded(credential)
    if image is None:
        return default_svg(*_default_args(credential))
    if image.content_type == SVG:
        return bytes(image.content).decode("utf-8")
    title, issuer, *_ = _default_args(credential)
    encoded = base64.b64encode(bytes(image.png)).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-labelledby="badge-title"><title id="badge-title">{escape(title)} badge from '
        f'{escape(issuer)}</title><image width="{SIZE}" height="{SIZE}" href="data:image/png;base64,{encoded}"/>'
        "</svg>"
    )


def credential_image_alt(credential: Credential) -> str:
    title, issuer, *_ = _default_args(credential)
    return f"{title} badge from {issuer}"
