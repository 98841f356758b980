"""Images without their EXIF, XMP, IPTC, comments, text chunks and colour profile.

The picture is decoded and encoded again with Pillow, which writes only what it is handed: the pixels, and
of the original's details only those the picture needs to look the same (transparency, animation timing,
JPEG quantisation). The EXIF orientation is applied to the pixels before the EXIF goes, so a photo stands
the right way up; an embedded colour profile is applied the same way, converting to sRGB (what a viewer
assumes when there is none), because a profile's texts can be set to anything.

`jpeg_strip` does the same for a JPEG held inside another file (a PDF's images) without decoding it.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import IO, Any

from django.utils.translation import gettext_noop
from PIL import Image, ImageCms, ImageOps, ImageSequence, JpegImagePlugin, UnidentifiedImageError

from submissions.scrub_base import Removed, Scrubbed, Uncleanable, spooled

PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
_READ_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
_LABELS = {
    "exif": gettext_noop("EXIF details (camera, author, place)"),
    "xmp": "XMP details",
    "XML:com.adobe.xmp": "XMP details",
    "photoshop": gettext_noop("IPTC and Photoshop details"),
    "comment": gettext_noop("comments"),
    "icc_profile": gettext_noop("colour profile (colours converted to sRGB)"),
}
# What Pillow reports in `info` that is part of how the picture looks or moves, not who made it.
_KEEP_FOR_GIF = ("duration", "loop", "transparency", "background", "disposal")


def scrub_image(source: IO[bytes], detail: str) -> Scrubbed:
    if detail not in PILLOW_FORMATS:
        raise Uncleanable(f"images of the kind {detail!r} have no cleaner")
    removed = Removed()
    data = source.read()
    out = spooled()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[detail]]) as image:
                _note(image, removed)
                if detail == "webp":
                    _save_webp(image, out, lossless=_webp_lossless(data))
                else:
                    _SAVERS[detail](image, out, removed)
    except _READ_ERRORS:
        out.close()
        raise Uncleanable(gettext_noop("the image could not be read to the end; it may be damaged")) from None
    out.seek(0)
    left = image_details(out, detail)
    if left:
        out.close()
        raise Uncleanable(f"its {', '.join(left)} could not be removed")
    out.seek(0)
    return Scrubbed(out, removed.labels())


def image_details(file: IO[bytes], detail: str) -> list[str]:
    """What in this image could name a person: empty for a clean copy."""
    with Image.open(file, formats=[PILLOW_FORMATS[detail]]) as image:
        found = [label for key, label in _LABELS.items() if image.info.get(key)]
        if getattr(image, "text", None):
            found.append("text chunks")
        if len(image.getexif()):
            found.append(_LABELS["exif"])
        if detail == "jpeg":
            applist = getattr(image, "applist", [])
            found += [f"{marker} segment" for marker, _ in applist if marker not in ("APP0", "APP14")]
        if detail == "gif" and getattr(image, "n_frames", 1) > 1:
            for frame in ImageSequence.Iterator(image):
                if frame.info.get("comment"):
                    found.append(_LABELS["comment"])
                    break
    return sorted(set(found))


def _note(image: Image.Image, removed: Removed) -> None:
    for key, label in _LABELS.items():
        if image.info.get(key):
            removed.add(label)
    if getattr(image, "text", None):
        removed.add(gettext_noop("text chunks (title, author, description)"))
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        for marker, _ in getattr(image, "applist", []):
            if marker == "APP13":
                removed.add(_LABELS["photoshop"])
            elif marker not in ("APP0", "APP1", "APP2", "APP14"):
                removed.add(gettext_noop("other application segments"))


def _upright(frame: Image.Image) -> Image.Image:
    """The frame turned as its EXIF orientation says, in sRGB, carrying none of the original's details."""
    turned = ImageOps.exif_transpose(frame) or frame
    clean = turned.copy()
    profile = frame.info.get("icc_profile")
    clean.info = {}
    if profile:
        clean = _to_srgb(clean, profile)
    return clean


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        return image  # a grey or palette profile only nudges tones; dropping it is enough
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=target)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image.convert("RGB") if image.mode == "CMYK" else image
    assert converted is not None  # profileToProfile answers a new image unless asked to work in place
    converted.info = {}
    return converted


def _save_png(image: Image.Image, out: IO[bytes], removed: Removed) -> None:
    options: dict[str, Any] = {}
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    if getattr(image, "n_frames", 1) > 1:
        frames, timing = _frames(image)
        frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], **timing, **options)
        return
    _upright(image).save(out, "PNG", optimize=False, **options)


def _save_jpeg(image: Image.Image, out: IO[bytes], removed: Removed) -> None:
    assert isinstance(image, JpegImagePlugin.JpegImageFile)
    options: dict[str, Any] = {"progressive": bool(image.info.get("progressive"))}
    # Encoding again with the original's own quantisation tables and subsampling keeps its quality.
    if image.quantization:
        options["qtables"] = [image.quantization[k] for k in sorted(image.quantization)]
    sampling = JpegImagePlugin.get_sampling(image)
    if sampling != -1:
        options["subsampling"] = sampling
    clean = _upright(image)
    if clean.mode not in ("L", "RGB", "CMYK"):
        clean = clean.convert("RGB")
        options.pop("qtables", None)
    clean.save(out, "JPEG", **options)


def _save_gif(image: Image.Image, out: IO[bytes], removed: Removed) -> None:
    if getattr(image, "n_frames", 1) > 1:
        for frame in ImageSequence.Iterator(image):
            if frame.info.get("comment"):
                removed.add(_LABELS["comment"])
        frames, timing = _frames(image)
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], **timing)
        return
    options = {key: image.info[key] for key in _KEEP_FOR_GIF if key in image.info}
    _upright(image).save(out, "GIF", **options)


def _save_webp(image: Image.Image, out: IO[bytes], *, lossless: bool) -> None:
    options: dict[str, Any] = {"lossless": lossless, "quality": 100 if lossless else 90, "exact": True}
    if getattr(image, "n_frames", 1) > 1:
        frames, timing = _frames(image)
        frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], **timing, **options)
        return
    _upright(image).save(out, "WEBP", **options)


def _frames(image: Image.Image) -> tuple[list[Image.Image], dict[str, Any]]:
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        copy = frame.copy()
        copy.info = {key: frame.info[key] for key in ("transparency", "background") if key in frame.info}
        frames.append(copy)
    timing: dict[str, Any] = {"duration": durations, "loop": image.info.get("loop", 0)}
    return frames, timing


def _webp_lossless(data: bytes) -> bool:
    """Whether the WebP's picture is stored losslessly (a VP8L chunk), so its copy is made losslessly too."""
    position = 12
    while position + 8 <= len(data):
        name, size = data[position : position + 4], int.from_bytes(data[position + 4 : position + 8], "little")
        if name == b"VP8L":
            return True
        if name == b"ANMF":  # an animation frame holds its picture's chunk after a 16-byte header
            return b"VP8L" in data[position + 24 : position + 28]
        position += 8 + size + (size & 1)
    return False


_SAVERS = {"png": _save_png, "jpeg": _save_jpeg, "gif": _save_gif}


# ----- a JPEG inside another file ---------------------------------------------------------------------------

# APP0 (JFIF) and APP14 (Adobe: how the colours are stored) describe the picture; every other APPn segment
# (EXIF and XMP in APP1, ICC in APP2, IPTC in APP13) and every comment goes.
_KEEP_MARKERS = {0xE0, 0xEE}
_SOS, _COM = 0xDA, 0xFE


def jpeg_strip(data: bytes) -> tuple[bytes, bool]:
    """The JPEG without its application segments and comments, and whether any were there.

    Written by hand because a PDF's image must keep its exact encoded bytes (decoding and encoding it again
    would change it and its PDF filters); the segments before the scan are a simple list of marker and length.
    Raises Uncleanable on a JPEG whose segments do not parse."""
    if not data.startswith(b"\xff\xd8"):
        raise Uncleanable(gettext_noop("an image inside it is not a JPEG although it says so"))
    out = bytearray(b"\xff\xd8")
    position, changed = 2, False
    while True:
        while (
            position < len(data) and data[position] == 0xFF and position + 1 < len(data) and data[position + 1] == 0xFF
        ):
            position += 1  # fill bytes
        if position + 4 > len(data) or data[position] != 0xFF:
            raise Uncleanable(gettext_noop("an image inside it is damaged"))
        marker = data[position + 1]
        if marker == _SOS:
            out += data[position:]
            return bytes(out), changed
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if length < 2 or position + 2 + length > len(data):
            raise Uncleanable(gettext_noop("an image inside it is damaged"))
        segment = data[position : position + 2 + length]
        if (0xE0 <= marker <= 0xEF and marker not in _KEEP_MARKERS) or marker == _COM:
            changed = True
        else:
            out += segment
        position += 2 + length
