"""PDFs without their document information, XMP, annotation authors, signatures, attachments and the
EXIF of the JPEG images inside them.

pypdf reads the document and writes a new one from its objects: earlier revisions of an incrementally
saved file (which keep the properties as they were) are not carried over, and objects nothing refers to
any more (the XMP streams taken out) are left behind.
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext_noop
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.errors import DependencyError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject, StreamObject

from submissions.scrub_base import Removed, Scrubbed, Uncleanable, spooled
from submissions.scrub_images import jpeg_strip

PROPERTIES = gettext_noop("document properties (author, title, subject, keywords, program)")
XMP = gettext_noop("XMP details")
ANNOTATION_AUTHORS = gettext_noop("comment authors")
ATTACHMENTS = gettext_noop("files attached inside the PDF")
SIGNATURES = gettext_noop("digital signatures (they name the signer)")
IMAGE_DETAILS = gettext_noop("details of the images inside it (EXIF, XMP)")
APPLICATION_DATA = gettext_noop("data the program that made it kept (PieceInfo, web capture)")

# pypdf raises a wide set on a malformed file; each means the same to us: this PDF cannot be read through.
_READ_ERRORS = (PyPdfError, DependencyError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError)
_FILE_ATTACHMENT = "/FileAttachment"


def scrub_pdf(source: IO[bytes]) -> Scrubbed:
    removed = Removed()
    out = spooled()
    try:
        reader = PdfReader(source)
        _open(reader)
        if _has_properties(reader):
            removed.add(PROPERTIES)
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        _walk(writer.root_object, removed, fix=True)
        _drop_unreferenced(writer)
        writer.write(out)
        out.seek(0)
        left = pdf_details(out)
    except Uncleanable:
        out.close()
        raise
    except (*_READ_ERRORS, RecursionError):
        out.close()
        raise Uncleanable(gettext_noop("it could not be read through as a PDF; it may be damaged")) from None
    if left:
        out.close()
        raise Uncleanable(f"its {', '.join(left)} could not be removed")
    out.seek(0)
    return Scrubbed(out, removed.labels())


def _drop_unreferenced(writer: PdfWriter) -> None:
    """Drop every object nothing reachable refers to any more. pypdf drops those no object at all refers to,
    so an XMP stream referred to only by a dropped attachment takes a second pass, and so on."""
    for _ in range(100):
        before = sum(item is not None for item in writer._objects)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        if sum(item is not None for item in writer._objects) == before:
            return


def pdf_details(file: IO[bytes]) -> list[str]:
    """What in this PDF could name a person: empty for a clean copy."""
    file.seek(0)
    reader = PdfReader(file)
    _open(reader)
    found = Removed()
    if _has_properties(reader):
        found.add(PROPERTIES)
    _walk(reader.trailer["/Root"], found, fix=False)
    file.seek(0)
    return found.labels()


def _open(reader: PdfReader) -> None:
    if not reader.is_encrypted:
        return
    # A PDF locked only against changes opens with the empty password, as any viewer opens it; one that
    # asks for a password to be read cannot be looked into, so it cannot be cleaned.
    try:
        opened = reader.decrypt("")
    except (*_READ_ERRORS, NotImplementedError):
        opened = PasswordType.NOT_DECRYPTED
    if opened == PasswordType.NOT_DECRYPTED:
        raise Uncleanable(gettext_noop("it is protected by a password, so what it holds cannot be checked"))


def _has_properties(reader: PdfReader) -> bool:
    trailer_info = reader.trailer.get("/Info")
    if trailer_info is None:
        return False
    info = trailer_info.get_object()
    return isinstance(info, DictionaryObject) and bool(info)


def _walk(start: PdfObject, removed: Removed, *, fix: bool) -> None:
    """Visit every object reachable from `start` once; take out (with `fix`) or report what names a person."""
    seen: set[int] = set()
    stack: list[PdfObject | None] = [start]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum << 16) | item.generation
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            _clean_dictionary(item, removed, fix=fix)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _take(dictionary: DictionaryObject, key: str, label: str, removed: Removed, *, fix: bool) -> None:
    if key in dictionary:
        removed.add(label)
        if fix:
            del dictionary[key]


def _clean_dictionary(dictionary: DictionaryObject, removed: Removed, *, fix: bool) -> None:
    _take(dictionary, "/Metadata", XMP, removed, fix=fix)
    _take(dictionary, "/PieceInfo", APPLICATION_DATA, removed, fix=fix)
    _take(dictionary, "/SpiderInfo", APPLICATION_DATA, removed, fix=fix)
    _take(dictionary, "/AF", ATTACHMENTS, removed, fix=fix)
    kind = dictionary.get("/Type")
    if kind == "/Catalog":
        _take(dictionary, "/Perms", SIGNATURES, removed, fix=fix)
        _take(dictionary, "/DSS", SIGNATURES, removed, fix=fix)
        names = dictionary.get("/Names")
        if names is not None:
            _take(names.get_object(), "/EmbeddedFiles", ATTACHMENTS, removed, fix=fix)
    elif kind == "/Thread":
        _take(dictionary, "/I", PROPERTIES, removed, fix=fix)
    if dictionary.get("/FT") == "/Sig":
        _take(dictionary, "/V", SIGNATURES, removed, fix=fix)
    subtype = dictionary.get("/Subtype")
    if "/Rect" in dictionary and subtype not in (None, "/Widget"):
        # A markup annotation's /T is its author; a form field's /T is the field's name and stays.
        _take(dictionary, "/T", ANNOTATION_AUTHORS, removed, fix=fix)
    annotations = dictionary.get("/Annots")
    if annotations is not None:
        _drop_attachment_annotations(dictionary, annotations, removed, fix=fix)
    if isinstance(dictionary, StreamObject) and subtype == "/Image":
        _clean_jpeg(dictionary, removed, fix=fix)


def _drop_attachment_annotations(
    page: DictionaryObject, annotations: PdfObject, removed: Removed, *, fix: bool
) -> None:
    listed = annotations.get_object()
    if not isinstance(listed, ArrayObject):
        return
    kept = ArrayObject(a for a in listed if a.get_object().get("/Subtype") != _FILE_ATTACHMENT)
    if len(kept) != len(listed):
        removed.add(ATTACHMENTS)
        if fix:
            page[NameObject("/Annots")] = kept


def _clean_jpeg(image: StreamObject, removed: Removed, *, fix: bool) -> None:
    filters = image.get("/Filter")
    chain = list(filters) if isinstance(filters, ArrayObject) else [filters]
    if "/DCTDecode" not in chain:
        return
    # Any filters before DCTDecode are undone, leaving the JPEG itself; the copy keeps it under DCTDecode alone.
    jpeg = image.get_data() if len(chain) > 1 else image._data
    stripped, changed = jpeg_strip(jpeg)
    if not changed:
        return
    removed.add(IMAGE_DETAILS)
    if fix:
        image._data = stripped
        image[NameObject("/Filter")] = NameObject("/DCTDecode")
        if "/DecodeParms" in image:
            del image["/DecodeParms"]
