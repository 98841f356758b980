"""Checking the badge image an issuer admin uploads, by its content, never its name.

A PNG is decoded by Pillow and written out again, which drops every ancillary chunk (text, EXIF, an earlier
baked credential). An SVG is parsed by lxml without entities, DTDs or network access and kept only inside a
safe subset: the elements of drawings and text; no scripts, embedded documents, links, images or animation;
no event handlers; no reference outside the file. Elements and attributes of editors' own namespaces are
dropped, comments and processing instructions too, and what is stored is the tree as re-serialised here.
Anything else is refused with a message saying what to remove, rather than silently changed. The SVG's PNG
form is drawn once, here, by CairoSVG in its safe mode.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from PIL import Image, UnidentifiedImageError

from awards.images import PNG, SIZE, SVG
from core.errors import FieldError, FileTooLarge, InvalidInput

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4096  # pixels; a badge shows at 160 px, so anything larger is an unprocessed original
FIELD = "image"


class BadgeImageRefused(InvalidInput):
    """The upload is not a PNG or SVG badge image this platform will serve."""


@dataclass(frozen=True)
class CheckedImage:
    content: bytes  # what is stored and served: the re-encoded PNG, or the SVG as re-serialised here
    content_type: str
    png: bytes  # the PNG form (the same bytes for a PNG upload)


def _refuse(message: str) -> BadgeImageRefused:
    return BadgeImageRefused([FieldError(FIELD, message)], message)


def image_check(data: bytes, *, name: str = "") -> CheckedImage:
    """The upload as it will be stored, or a refusal that says what to do."""
    if len(data) > MAX_BYTES:
        raise FileTooLarge.on(
            FIELD,
            f"The image is {len(data) / 1024 / 1024:.1f} MB; a badge image may be at most 1 MB. Save a smaller one.",
        )
    if not data:
        raise _refuse("The file is empty: choose a PNG or SVG badge image.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        png = _png_check(data)
        return CheckedImage(content=png, content_type=PNG, png=png)
    if _looks_like_svg(data):
        svg = svg_sanitise(data)
        return CheckedImage(content=svg, content_type=SVG, png=svg_to_png(svg))
    described = _describe(data)
    shown = f"“{name}” " if name else "The file "
    raise _refuse(f"{shown}is {described}, not a PNG or SVG image: export the badge as PNG or SVG and upload that.")


def _describe(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return f"a {image.format} image"
    except (UnidentifiedImageError, OSError, ValueError):
        return "not an image this platform can read"


def _png_check(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise _refuse(
                    f"The image is {width} x {height} pixels; a badge image may be at most {MAX_SIDE} pixels on a "
                    "side (512 x 512 is plenty). Save a smaller one."
                )
            image.load()
            converted = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _refuse("The PNG image is damaged or cannot be read: export it again and upload that.") from None
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]


# The drawing subset an SVG badge may use. Anything else in the SVG namespace (script, foreignObject, image,
# a, animation, iframe, ...) is refused; elements and attributes of editors' own namespaces (Inkscape,
# Sodipodi, RDF metadata) are dropped, since no renderer acts on them.
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SAFE_ELEMENTS = frozenset(
    (
        *("svg", "g", "defs", "title", "desc", "metadata", "style", "symbol", "use"),
        *("path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath"),
        *("linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern"),
        *("filter", "feGaussianBlur", "feOffset", "feFlood", "feComposite", "feMerge", "feMergeNode"),
        *("feBlend", "feColorMatrix", "feDropShadow"),
    )
)
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def svg_sanitise(data: bytes) -> bytes:
    """The SVG re-serialised from its parsed tree, or a refusal naming the first thing outside the safe subset."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise _refuse("The SVG declares a DOCTYPE or entities, which a badge never needs: export it again without.")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise _refuse(f"The SVG is not well-formed XML ({error.msg}): export it again and upload that.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _refuse("The file is XML but not an SVG image (its root element is not <svg>).")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        namespace, _, local = element.tag.rpartition("}")
        if namespace.lstrip("{") != SVG_NS:
            _drop(element)
            continue
        if local not in SAFE_ELEMENTS:
            raise _refuse(
                f"The SVG contains a <{local}> element, which a badge image may not use (no scripts, embedded "
                "documents, links, images or animation): remove it and upload again."
            )
        if local == "metadata":
            _drop(element)
            continue
        if local == "style":
            _check_css(element.text or "", "its <style> element")
        _check_attributes(element, local)
    etree.cleanup_namespaces(root)  # the declarations of the editors' namespaces just dropped
    svg = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    assert isinstance(svg, bytes)
    return svg


def _drop(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _check_css(css: str, where: str) -> None:
    if _CSS_DANGER.search(css) or _EXTERNAL_URL.search(css):
        raise _refuse(
            f"The SVG's styles ({where}) load something from outside the file or run code: keep only colours, "
            "fonts and references to the file's own gradients (url(#id))."
        )


def _check_attributes(element: Any, local: str) -> None:
    for attribute, value in list(element.attrib.items()):
        namespace, _, name = attribute.rpartition("}")
        namespace = namespace.lstrip("{")
        if namespace not in ("", XLINK_NS, "http://www.w3.org/XML/1998/namespace"):
            del element.attrib[attribute]  # an editor's own attribute, which no renderer reads
            continue
        if name.lower().startswith("on"):
            raise _refuse(
                f"The SVG has an event handler ({name} on <{local}>), which runs code: remove it and upload again."
            )
        if name == "href" and not value.strip().startswith("#"):
            raise _refuse(
                f"The SVG refers to {value.strip()[:60]!r} outside the file (on <{local}>): a badge image must be "
                "self-contained. Embed or remove it and upload again."
            )
        if name == "style":
            _check_css(value, f"the style of <{local}>")
        elif _EXTERNAL_URL.search(value):
            raise _refuse(
                f"The SVG's {name} on <{local}> refers outside the file: use only the file's own gradients (url(#id))."
            )


def svg_to_png(svg: bytes) -> bytes:
    """The SVG drawn at 512 px, for the PNG forms (baked PNG, the achievement's image)."""
    import cairosvg  # here, not at the top: its drawing libraries take a third of a second to load, at every start

    try:
        # unsafe=False (the default) resolves no XML entities and fetches nothing but data: URLs, which the subset
        # above has already refused.
        png = cairosvg.svg2png(bytestring=svg, output_width=SIZE, output_height=SIZE, unsafe=False)
    except Exception as error:  # CairoSVG raises assorted errors on drawings it cannot render
        raise _refuse(f"The SVG cannot be drawn ({type(error).__name__}): export it again and upload that.") from None
    assert isinstance(png, bytes)
    return png
