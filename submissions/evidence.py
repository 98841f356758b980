"""What an uploaded file really is, decided by its content and never by its name.

`sniff` reads the bytes: a program (ELF, PE, Mach-O, a script) is refused whatever it is called; a
PDF must start with its header; Office documents must be zip packages holding [Content_Types].xml
that declares the right main part (so a macro-enabled document or a template does not pass), and the
package is decompressed as a stream with caps on entries, total size and compression ratio, because
the sizes a zip declares can lie; images are opened by Pillow, limited in pixels and verified; audio
is recognised by its container's magic bytes; text must be valid UTF-8 without NUL bytes. SVG is
refused: it is a document that can carry script.
"""

from __future__ import annotations

import codecs
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from core.errors import FieldError, InvalidInput

# An Office package larger than this once unpacked, or unpacking to more than MAX_RATIO times its
# packed size, is treated as a zip bomb. Real documents stay far below both: their XML compresses
# roughly tenfold and embedded media hardly at all.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNPACKED = 256 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024  # tiny, highly repetitive XML parts may exceed the ratio harmlessly
MAX_IMAGE_PIXELS = 50_000_000
_CHUNK = 64 * 1024

OOXML_MAIN = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
OOXML_CONTENT_TYPE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpeg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
_MP4_AUDIO_BRANDS = {
    b"M4A ",
    b"M4B ",
    b"mp41",
    b"mp42",
    b"isom",
    b"iso2",
    b"iso5",
    b"iso6",
    b"dash",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"qt  ",
}
_PROGRAMS = (
    (b"\x7fELF", gettext_lazy("a Linux program (ELF)")),
    (b"MZ", gettext_lazy("a Windows program (PE)")),
    (b"\xfe\xed\xfa\xce", gettext_lazy("a macOS program (Mach-O)")),
    (b"\xfe\xed\xfa\xcf", gettext_lazy("a macOS program (Mach-O)")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program (Mach-O)")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program (Mach-O)")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("a macOS or Java program")),
    (b"#!", gettext_lazy("a script")),
)


@dataclass(frozen=True)
class Sniffed:
    """`kind` is one of catalog.schema.FILE_TYPES, except "text", which a field may accept as csv or txt."""

    kind: str
    detail: str
    content_type: str
    description: str


class Refused(InvalidInput):
    """The file is not acceptable whatever the field accepts; the message says what it is.

    `sniff` sees bytes, not the form, so the error names the input only as "file";
    submissions.services.evidence_add names the field and what it would accept instead."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("file", message)], message)


def sniff(file: IO[bytes]) -> Sniffed:
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    if not head:
        raise Refused(_("the file is empty"))
    for magic, what in _PROGRAMS:
        if head.startswith(magic):
            raise Refused(_("this is %(what)s, not a document") % {"what": what})
    if head.startswith(b"%PDF-"):
        return Sniffed("pdf", "pdf", "application/pdf", _("a PDF document"))
    if head.startswith(b"PK\x03\x04"):
        return _office(file)
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _image(file)
    audio = _audio(head)
    if audio is not None:
        return audio
    return _text(file, head)


def _office(file: IO[bytes]) -> Sniffed:
    try:
        package = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(_("this zip file is damaged")) from None
    with package:
        entries = package.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise Refused(
                _("this zip package holds %(count)s files, more than %(max)s")
                % {
                    "count": number_format(len(entries), force_grouping=True),
                    "max": number_format(MAX_ZIP_ENTRIES, force_grouping=True),
                }
            )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names:
            raise Refused(_("this is a zip archive, not a Word, Excel or PowerPoint document"))
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise Refused(_("this document is encrypted or password-protected; save an unprotected copy"))
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise Refused(_("this document contains macros; save it as a plain .docx, .xlsx or .pptx"))
        _unpack_within_limits(package, entries)
        declared = package.read("[Content_Types].xml").decode("utf-8", "replace")
        for kind, (main_part, main_type) in OOXML_MAIN.items():
            if main_part in names and main_type in declared:
                description = {
                    "docx": _("a Word document"),
                    "xlsx": _("an Excel workbook"),
                    "pptx": _("a PowerPoint file"),
                }
                return Sniffed(kind, kind, OOXML_CONTENT_TYPE[kind], description[kind])
    raise Refused(
        _(
            "this Office package is not a plain Word, Excel or PowerPoint document (macro-enabled files and "
            "templates are not accepted)"
        )
    )


def _unpack_within_limits(package: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    declared = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if declared > MAX_ZIP_UNPACKED:
        raise Refused(
            _("this package unpacks to %(size)s MB; it looks like a zip bomb")
            % {"size": number_format(round(declared / 2**20), force_grouping=True)}
        )
    total = 0
    for entry in entries:
        if entry.is_dir():
            continue
        size = 0
        try:
            with package.open(entry) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    # The declared sizes can lie, so the limits are applied to what actually comes out.
                    if total > MAX_ZIP_UNPACKED or (
                        size > RATIO_APPLIES_ABOVE and size > MAX_ZIP_RATIO * max(entry.compress_size, 1)
                    ):
                        raise Refused(_("this package unpacks to far more than its size; it looks like a zip bomb"))
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise Refused(_("this document's package is damaged")) from None
    if total > RATIO_APPLIES_ABOVE and total > MAX_ZIP_RATIO * max(packed, 1):
        raise Refused(_("this package unpacks to far more than its size; it looks like a zip bomb"))


def _image(file: IO[bytes]) -> Sniffed:
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on decompression bombs; both mean refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(_IMAGE_FORMATS)) as image:
                image_format = image.format or ""
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Refused(
                        _("this image is %(width)s by %(height)s pixels; the most is %(max)s pixels")
                        % {
                            "width": width,
                            "height": height,
                            "max": number_format(MAX_IMAGE_PIXELS, force_grouping=True),
                        }
                    )
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(
            _("this image has more than %(max)s pixels") % {"max": number_format(MAX_IMAGE_PIXELS, force_grouping=True)}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Refused(_("this image is damaged or not really an image")) from None
    finally:
        file.seek(0)
    if image_format not in _IMAGE_FORMATS:
        raise Refused(_("this image format is not accepted; use PNG, JPEG, GIF or WebP"))
    detail, content_type = _IMAGE_FORMATS[image_format]
    return Sniffed("image", detail, content_type, _("a %(format)s image") % {"format": detail.upper()})


def _mp3_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _audio(head: bytes) -> Sniffed | None:
    if head.startswith(b"ID3") or _mp3_frame(head):
        return Sniffed("audio", "mp3", "audio/mpeg", _("an MP3 recording"))
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_AUDIO_BRANDS:
        detail = "m4a" if head[8:11] in (b"M4A", b"M4B") else "mp4"
        return Sniffed("audio", detail, "audio/mp4", _("an MP4/M4A recording"))
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "wav", "audio/wav", _("a WAV recording"))
    if head.startswith(b"OggS"):
        return Sniffed("audio", "ogg", "audio/ogg", _("an Ogg recording"))
    if head.startswith(b"fLaC"):
        return Sniffed("audio", "flac", "audio/flac", _("a FLAC recording"))
    return None


def _looks_like_svg(start: str) -> bool:
    lowered = start.lstrip("\ufeff \t\r\n").lower()
    return lowered.startswith(("<svg", "<!doctype svg")) or (lowered.startswith("<?xml") and "<svg" in lowered)


def _text(file: IO[bytes], head: bytes) -> Sniffed:
    if _looks_like_svg(head.decode("utf-8", "replace")):
        raise Refused(_("this is an SVG image, which can carry scripts; export it as PNG instead"))
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK):
            if b"\x00" in chunk:
                raise Refused(_("this is a binary file of a kind that is not accepted"))
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Refused(_("this file's type was not recognised (it is not UTF-8 text either)")) from None
    finally:
        file.seek(0)
    return Sniffed("text", "text", "text/plain; charset=utf-8", _("a text file"))
