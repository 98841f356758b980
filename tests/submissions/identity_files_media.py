"""Images and PDFs with the identity (tests/submissions/identity.py) in every metadata field they have."""

from __future__ import annotations

import io
import struct
from typing import Any

from PIL import Image, ImageCms, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.submissions.identity import EMAIL, NAME, NAME_ACCENTED, SCHOOL, WHO, WHO_ASCII, XMP

# ----- images ------------------------------------------------------------------------------------------------


def _picture(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue: turning it shows."""
    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = WHO_ASCII  # ImageDescription
    exif[0x013B] = NAME  # Artist
    exif[0x8298] = f"(c) {SCHOOL}"  # Copyright
    exif[0x010F] = SCHOOL  # Make
    exif[0x0131] = EMAIL  # Software
    exif[0x9C9D] = WHO.encode("utf-16-le") + b"\0\0"  # XPAuthor, which Windows writes as UTF-16
    exif[0x9C9C] = WHO.encode("utf-16-le") + b"\0\0"  # XPComment
    exif[0x0112] = orientation
    details = exif.get_ifd(0x8769)
    details[0x9286] = b"UNICODE\0" + WHO.encode("utf-16-be")  # UserComment
    details[0xA430] = NAME  # CameraOwnerName
    details[0xA431] = EMAIL  # BodySerialNumber
    return exif


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _iptc() -> bytes:
    """An APP13 segment: Photoshop image resources holding IPTC By-line, Copyright and Contact records."""
    records = b""
    for dataset, value in ((80, NAME), (116, SCHOOL), (118, EMAIL), (120, WHO)):
        encoded = value.encode("utf-8")
        records += b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(encoded)) + encoded
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(records)) + records + b"\0" * (len(records) % 2)
    body = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def jpeg(*, orientation: int = 6) -> bytes:
    out = io.BytesIO()
    _picture().save(
        out,
        "JPEG",
        quality=90,
        exif=_exif(orientation).tobytes(),
        comment=WHO.encode(),
        xmp=XMP.encode(),
        icc_profile=_icc(),
    )
    data = out.getvalue()
    # After the APP0/APP1 segments, where Photoshop puts it (and where readers that look for JFIF or EXIF
    # first expect them).
    position = 2
    while data[position + 1] in range(0xE0, 0xED):
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return data[:position] + _iptc() + data[position:]


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", WHO_ASCII)  # tEXt
    info.add_text("Copyright", SCHOOL, zip=True)  # zTXt
    info.add_itxt("Description", WHO, lang="en", tkey="Beschreibung")  # iTXt
    info.add_itxt("Comment", WHO, zip=True)  # compressed iTXt
    info.add_itxt("XML:com.adobe.xmp", XMP)
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info, exif=_exif().tobytes(), icc_profile=_icc())
    return out.getvalue()


def gif() -> bytes:
    frames = [_picture().convert("P"), _picture((40, 20)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert("P")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0, comment=WHO.encode())
    data = out.getvalue()
    # An XMP application extension after the global colour table, in proper sub-blocks.
    table = 3 * 2 ** ((data[10] & 0x07) + 1) if data[10] & 0x80 else 0
    start = 13 + table
    payload = XMP.encode()
    blocks = b"".join(bytes([len(payload[i : i + 255])]) + payload[i : i + 255] for i in range(0, len(payload), 255))
    return data[:start] + b"\x21\xff\x0bXMP DataXMP" + blocks + b"\0" + data[start:]


def webp(*, lossless: bool = True) -> bytes:
    out = io.BytesIO()
    _picture().save(
        out, "WEBP", lossless=lossless, exif=_exif(6).tobytes(), xmp=XMP.encode(), icc_profile=_icc(), quality=90
    )
    return out.getvalue()


# ----- PDF ---------------------------------------------------------------------------------------------------


def _name(value: str) -> NameObject:
    return NameObject(value)


def pdf() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    writer.add_metadata(
        {
            "/Author": WHO,
            "/Title": f"Lesson plan by {NAME}",
            "/Subject": SCHOOL,
            "/Keywords": f"{EMAIL}, {NAME_ACCENTED}",
            "/Creator": f"Word for {NAME}",
            "/Company": SCHOOL,
            "/SourceModified": EMAIL,
        }
    )
    xmp = DecodedStreamObject()
    xmp.set_data(XMP.encode())
    xmp.update({_name("/Type"): _name("/Metadata"), _name("/Subtype"): _name("/XML")})
    writer.root_object[_name("/Metadata")] = writer._add_object(xmp)
    page_xmp = DecodedStreamObject()
    page_xmp.set_data(XMP.encode())
    page[_name("/Metadata")] = writer._add_object(page_xmp)
    page[_name("/PieceInfo")] = DictionaryObject(
        {_name("/Illustrator"): DictionaryObject({_name("/Private"): TextStringObject(WHO)})}
    )
    # A photo on the page, its JPEG (EXIF, XMP, IPTC and all) stored as it is, as PDF writers do.
    photo = DecodedStreamObject()
    photo.set_data(jpeg(orientation=1))
    photo.update(
        {
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Image"),
            _name("/Width"): NumberObject(40),
            _name("/Height"): NumberObject(20),
            _name("/ColorSpace"): _name("/DeviceRGB"),
            _name("/BitsPerComponent"): NumberObject(8),
            _name("/Filter"): _name("/DCTDecode"),
        }
    )
    page[_name("/Resources")] = DictionaryObject(
        {_name("/XObject"): DictionaryObject({_name("/Im1"): writer._add_object(photo)})}
    )
    content = DecodedStreamObject()
    content.set_data(b"q 80 0 0 40 60 80 cm /Im1 Do Q")
    page[_name("/Contents")] = writer._add_object(content)
    # Comments by the author, a file attached as a comment, a signature naming the signer.
    attached = DecodedStreamObject()
    attached.set_data(f"Notes by {WHO}".encode())
    attached[_name("/Type")] = _name("/EmbeddedFile")
    spec = DictionaryObject(
        {
            _name("/Type"): _name("/Filespec"),
            _name("/F"): TextStringObject(f"{NAME}.txt"),
            _name("/EF"): DictionaryObject({_name("/F"): writer._add_object(attached)}),
        }
    )
    signature = DictionaryObject(
        {
            _name("/Type"): _name("/Sig"),
            _name("/Filter"): _name("/Adobe.PPKLite"),
            _name("/Name"): TextStringObject(NAME),
            _name("/ContactInfo"): TextStringObject(EMAIL),
            _name("/Location"): TextStringObject(SCHOOL),
            _name("/ByteRange"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    rect = ArrayObject([NumberObject(n) for n in (10, 10, 60, 60)])
    annotations: list[dict[Any, Any]] = [
        {
            _name("/Subtype"): _name("/Text"),
            _name("/T"): TextStringObject(WHO),
            _name("/Contents"): TextStringObject("Good"),
        },
        {
            _name("/Subtype"): _name("/FreeText"),
            _name("/T"): TextStringObject(EMAIL),
            _name("/DA"): TextStringObject(""),
        },
        {_name("/Subtype"): _name("/FileAttachment"), _name("/FS"): spec},
        {
            _name("/Subtype"): _name("/Widget"),
            _name("/FT"): _name("/Sig"),
            _name("/T"): TextStringObject("Signature1"),
            _name("/V"): writer._add_object(signature),
        },
    ]
    references = []
    for fields in annotations:
        annotation = DictionaryObject({_name("/Type"): _name("/Annot"), _name("/Rect"): rect, **fields})
        references.append(writer._add_object(annotation))
    page[_name("/Annots")] = ArrayObject(references)
    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject([references[-1]]), _name("/SigFlags"): NumberObject(3)}
    )
    writer.add_attachment(f"{NAME} notes.txt", f"Contact {EMAIL} at {SCHOOL}".encode())
    first = io.BytesIO()
    writer.write(first)
    # Saved again incrementally with a changed title: the first revision, Author and all, stays in the bytes.
    update = PdfWriter(io.BytesIO(first.getvalue()), incremental=True)
    update.add_metadata({"/Title": "Lesson plan"})
    out = io.BytesIO()
    update.write(out)
    return out.getvalue()


def pdf_locked(*, user_password: str) -> bytes:
    """A PDF with its author, encrypted: with a user password none but its author can open it."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": WHO})
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
