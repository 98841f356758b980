"""One person's identity, written into every metadata field of the corpus (tests/submissions/identity_corpus.py),
and the check that finds it in any bytes, however the format encodes or compresses it.

The person: "Dana Whitfield" (also written "Dána Whitfíeld"), d.whitfield@oakridge.example.org, of Oak Ridge
Middle School.
"""

from __future__ import annotations

import html
import io
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from xml.sax.saxutils import escape

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    PdfObject,
    StreamObject,
)

NAME = "Dana Whitfield"
NAME_ACCENTED = "Dána Whitfíeld"
EMAIL = "d.whitfield@oakridge.example.org"
SCHOOL = "Oak Ridge Middle School"
INITIALS = "DW"
# Every field that takes free text gets all three; the tick mark makes PDF and ID3 write it as UTF-16.
WHO = f"{NAME_ACCENTED} ✓ {NAME} <{EMAIL}>, {SCHOOL}"
WHO_ASCII = f"{NAME} <{EMAIL}>, {SCHOOL}"
WHO_XML = escape(WHO)
# What must not appear, folded (no case, no diacritics): each name part, the email and its domain, the school.
NEEDLES = ("dana whitfield", "whitfield", "d.whitfield@oakridge.example.org", "oakridge", "oak ridge middle school")
XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
    f"<dc:creator><rdf:Seq><rdf:li>{NAME_ACCENTED}</rdf:li></rdf:Seq></dc:creator>"
    f"<dc:rights><rdf:Alt><rdf:li xml:lang='x-default'>{SCHOOL}</rdf:li></rdf:Alt></dc:rights>"
    f"<photoshop:AuthorsPosition>{EMAIL}</photoshop:AuthorsPosition>"
    f"<xmpRights:Owner>{NAME}</xmpRights:Owner>"
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


# ----- the check ---------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Without case or diacritics ("Dána" reads "dana"); the needles are ASCII, so everything else can go."""
    decomposed = unicodedata.normalize("NFKD", html.unescape(text))
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def _views(data: bytes) -> Iterator[str]:
    """The bytes read as each text encoding a format may use for a name."""
    yield data.decode("latin-1")
    yield data.replace(b"\x00", b"").decode("latin-1")  # UTF-16 of Latin text, either byte order
    yield data.decode("utf-8", "ignore")
    for encoding in ("utf-16-le", "utf-16-be"):
        for start in (0, 1):
            yield data[start : len(data) - ((len(data) - start) % 2)].decode(encoding, "ignore")


def leaks(data: bytes, *, depth: int = 0) -> set[str]:
    """Every needle found in `data`: raw, in every text encoding, and inside what it packs (zip parts, PDF
    objects and streams, compressed PNG chunks, pictures inside recordings)."""
    found = {needle for view in _views(data) for needle in NEEDLES if needle in fold(view)}
    if depth > 3:
        return found
    for inner in _inner(data):
        found |= leaks(inner, depth=depth + 1)
    return found


def _inner(data: bytes) -> Iterator[bytes]:
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for entry in package.infolist():
                yield entry.filename.encode()
                yield package.read(entry)
    elif data.startswith(b"%PDF"):
        yield from _pdf_contents(data)
    elif data.startswith(b"\x89PNG"):
        position = 8
        while position + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[position : position + 8])
            body = data[position + 8 : position + 8 + size]
            if kind in (b"zTXt", b"iCCP"):
                yield zlib.decompress(body[body.index(b"\0") + 2 :])
            elif kind == b"iTXt" and body[body.index(b"\0") + 1] == 1:
                keyword_end = body.index(b"\0")
                rest = body[keyword_end + 3 :]
                rest = rest[rest.index(b"\0") + 1 :]  # language tag
                rest = rest[rest.index(b"\0") + 1 :]  # translated keyword
                yield zlib.decompress(rest)
            position += 12 + size


def _pdf_contents(data: bytes) -> Iterator[bytes]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    numbers = {(number, generation) for generation, table in reader.xref.items() for number in table}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    objects: list[PdfObject | None] = [reader.trailer]
    for number, generation in sorted(numbers):
        try:
            objects.append(reader.get_object(IndirectObject(number, generation, reader)))
        except Exception:
            continue
    stack = objects
    while stack:
        item = stack.pop()
        if isinstance(item, StreamObject):
            try:
                yield item.get_data()
            except Exception:
                yield item._data
        if isinstance(item, DictionaryObject):
            stack.extend(value for value in item.values() if not isinstance(value, IndirectObject))
            yield "\n".join(str(value) for value in item.values()).encode("utf-8")
        elif isinstance(item, ArrayObject):
            stack.extend(value for value in item if not isinstance(value, IndirectObject))
        elif isinstance(item, str):
            yield item.encode("utf-8")
