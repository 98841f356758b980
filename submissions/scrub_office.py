"""Word, Excel and PowerPoint packages without the names Office writes into them.

Office keeps who made a document in its properties (docProps/core.xml, app.xml, custom.xml and SharePoint's
customXml), in every comment and tracked change (w:author, w:initials, on any part), in the lists of people
who commented (word/people.xml, xl/persons, xl/comments' authors and the "Name:" line Excel starts a note
with, ppt/commentAuthors.xml, ppt/authors.xml), in shared-workbook user names and revision logs, in the
folder the file was saved from (x15ac:absPath, a template's or a linked file's path), in printer settings,
and in the EXIF of the pictures it holds. The copy is the same package, part for part and in the same order,
with those values blanked or set to a neutral "Author" where the format requires one; pictures are cleaned
by scrub_images and embedded Office files the same way, recursively. An embedded OLE object (a legacy
compound file) cannot be looked into, so a package holding one cannot be cleaned.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO

from django.utils.translation import gettext_noop
from lxml import etree

from submissions import evidence as sniffing
from submissions.scrub_base import NEUTRAL_AUTHOR, NEUTRAL_INITIALS, Removed, Scrubbed, Uncleanable, spooled
from submissions.scrub_images import scrub_image

PROPERTIES = gettext_noop("document properties (author, title, last modified by, company, manager)")
CUSTOM = gettext_noop("custom and SharePoint properties")
COMMENT_AUTHORS = gettext_noop("comment authors")
CHANGE_AUTHORS = gettext_noop("tracked-change authors")
USER_NAMES = gettext_noop("user names of shared workbooks and revisions")
PATHS = gettext_noop("folder paths the file was saved from, and data connections")
PRINTER = gettext_noop("printer name")
IMAGE_DETAILS = gettext_noop("details of the pictures inside it (EXIF, XMP, comments)")

_MAX_DEPTH = 2  # a document embedded in a document embedded in the upload, and no deeper
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
# app.xml's counts and program name describe the file; everything else there (Company, Manager, Template,
# HyperlinkBase, TitlesOfParts, which repeats the title) is dropped.
_APP_KEEP = {
    "Application",
    "AppVersion",
    "DocSecurity",
    "ScaleCrop",
    "LinksUpToDate",
    "SharedDoc",
    "HyperlinksChanged",
    "Pages",
    "Words",
    "Characters",
    "CharactersWithSpaces",
    "Lines",
    "Paragraphs",
    "TotalTime",
    "Slides",
    "Notes",
    "HiddenSlides",
    "MMClips",
    "PresentationFormat",
}
_SHAREPOINT = "{http://schemas.microsoft.com/office/2006/metadata/properties}properties"
# Attributes that hold a person wherever they appear, and what they become.
_PERSON_ATTRIBUTES = {
    "author": NEUTRAL_AUTHOR,
    "initials": NEUTRAL_INITIALS,
    "userName": NEUTRAL_AUTHOR,
    "userId": NEUTRAL_AUTHOR,
    "providerId": "None",
}
# Attributes that hold a person on these elements only: (element, attribute).
_NAMED_ELEMENTS = {
    ("cmAuthor", "name"),  # ppt/commentAuthors.xml
    ("author", "name"),  # ppt/authors.xml (modern comments)
    ("person", "displayName"),  # xl/persons/person.xml
    ("userInfo", "name"),  # xl/revisions/userNames.xml
}
_DROPPED_ELEMENTS = {"absPath": PATHS, "presenceInfo": COMMENT_AUTHORS, "docVars": CUSTOM}
# A workbook's data connections: the connection string carries a user id, the .odc file's path a user folder.
_BLANKED = {("dbPr", "connection"), ("olapPr", "connection"), ("connection", "odcFile")}
# A cheap look before parsing: a part with none of these words has nothing this module changes.
_MARKERS = re.compile(
    rb"author|initials|userName|userId|providerId|displayName|userInfo|absPath|docVars|dbPr|odcFile"
    rb"|=[\"'](file:|[A-Za-z]:[\\/]|\\\\)"
)
_LOCAL_PATH = re.compile(r"^(file:|[A-Za-z]:[\\/]|\\\\)")
_IMAGE_MAGIC = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def scrub_office(source: IO[bytes]) -> Scrubbed:
    removed = Removed()
    out = spooled()
    try:
        _package(source, out, removed, depth=0)
        out.seek(0)
        left = Removed()
        _package(out, io.BytesIO(), left, depth=0)
    except Uncleanable:
        out.close()
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        out.close()
        raise Uncleanable(gettext_noop("its package could not be read through; it may be damaged")) from None
    if left.labels():
        out.close()
        raise Uncleanable(f"its {', '.join(left.labels())} could not be removed")
    out.seek(0)
    return Scrubbed(out, removed.labels())


def _package(source: IO[bytes], out: IO[bytes], removed: Removed, *, depth: int) -> None:
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(out, "w") as copy:
        authors = _comment_authors(package)
        for entry in package.infolist():
            data = package.read(entry)
            cleaned = _part(entry.filename, data, removed, authors=authors, depth=depth)
            # A fresh entry: the original's extra fields and comment could carry the packer's user ids.
            info = zipfile.ZipInfo(entry.filename, date_time=entry.date_time)
            info.compress_type = entry.compress_type
            copy.writestr(info, data if cleaned is None else cleaned)


def _comment_authors(package: zipfile.ZipFile) -> set[str]:
    """The names Excel lists as note authors, which it also writes as the first line of each note."""
    names: set[str] = set()
    for entry in package.infolist():
        if re.fullmatch(r"xl/comments\d*\.xml", entry.filename):
            root = _parse(entry.filename, package.read(entry))
            names |= {(el.text or "").strip() for el in root.iter() if _local(el) == "author"} - {"", NEUTRAL_AUTHOR}
    return names


def _part(name: str, data: bytes, removed: Removed, *, authors: set[str], depth: int) -> bytes | None:
    """The cleaned bytes of one part, or None when it is kept as it is."""
    lowered = name.lower()
    if data[:4] == b"PK\x03\x04":
        return _embedded_package(name, data, removed, depth=depth)
    if data.startswith(_OLE_MAGIC):
        raise Uncleanable(f"it holds an embedded object, {name.rsplit('/', 1)[-1]}, whose details cannot be checked")
    kind = next((kind for magic, kind in _IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "webp"
    if kind is not None:
        return _image(name, data, kind, removed)
    if "printersettings" in lowered and lowered.endswith(".bin"):
        return _printer_settings(data, removed)
    if not lowered.endswith((".xml", ".rels")):
        return None
    if lowered == "docprops/core.xml":
        return _emptied(name, data, removed, PROPERTIES)
    if lowered == "docprops/custom.xml":
        return _emptied(name, data, removed, CUSTOM)
    if lowered == "docprops/app.xml":
        return _app(name, data, removed)
    if lowered.startswith("customxml/item") and b"schemas.microsoft.com/office/2006/metadata/properties" in data:
        root = _parse(name, data)
        if root.tag == _SHAREPOINT:
            return _emptied(name, data, removed, CUSTOM)
    if not _MARKERS.search(data):
        return None
    return _people(name, data, removed, authors)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _parse(name: str, data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise Uncleanable(f"its part {name} is not well-formed XML") from None


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _emptied(name: str, data: bytes, removed: Removed, label: str) -> bytes | None:
    root = _parse(name, data)
    if len(root) == 0 and not (root.text or "").strip():
        return None
    removed.add(label)
    root[:] = []
    root.text = None
    return _serialise(root)


def _app(name: str, data: bytes, removed: Removed) -> bytes | None:
    root = _parse(name, data)
    dropped = [child for child in root if _local(child) not in _APP_KEEP]
    if not dropped:
        return None
    for child in dropped:
        root.remove(child)
    removed.add(PROPERTIES)
    return _serialise(root)


def _people(name: str, data: bytes, removed: Removed, authors: set[str]) -> bytes | None:
    root = _parse(name, data)
    changed = False
    is_comments = any(word in name.lower() for word in ("comment", "people", "person", "author"))
    for element in list(root.iter()):
        local = _local(element)
        if local in _DROPPED_ELEMENTS:
            removed.add(_DROPPED_ELEMENTS[local])
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
                changed = True
            continue
        for attribute, value in list(element.attrib.items()):
            attribute_name = etree.QName(attribute).localname
            neutral = _PERSON_ATTRIBUTES.get(attribute_name)
            if neutral is None and (local, attribute_name) in _NAMED_ELEMENTS:
                neutral = NEUTRAL_AUTHOR
            if neutral is not None and value != neutral:
                element.set(attribute, neutral)
                changed = True
                if attribute_name in ("userName", "userId", "providerId") or local == "userInfo":
                    removed.add(USER_NAMES)
                else:
                    removed.add(COMMENT_AUTHORS if is_comments or local == "comment" else CHANGE_AUTHORS)
            elif (local, attribute_name) in _BLANKED and value:
                element.set(attribute, "")
                removed.add(PATHS)
                changed = True
            elif neutral is None and _LOCAL_PATH.match(value):
                # A path on the maker's computer (a template, a linked file, a data connection's source) names
                # their user folder; a relationship's target becomes a harmless URL, any other attribute empty.
                element.set(attribute, "about:blank" if local == "Relationship" else "")
                removed.add(PATHS)
                changed = True
        if local == "author" and (element.text or "").strip() not in ("", NEUTRAL_AUTHOR):
            element.text = NEUTRAL_AUTHOR
            removed.add(COMMENT_AUTHORS)
            changed = True
    if authors and name.lower().startswith("xl/comments"):
        changed |= _drop_author_lines(root, authors, removed)
    return _serialise(root) if changed else None


def _drop_author_lines(root: etree._Element, authors: set[str], removed: Removed) -> bool:
    """Excel starts a note with a bold run "Name:"; that run goes with the name it repeats."""
    changed = False
    for text in (el for el in root.iter() if _local(el) == "text"):
        runs = [child for child in text if _local(child) == "r"]
        if not runs:
            continue
        first = "".join(t.text or "" for t in runs[0].iter() if _local(t) == "t").strip()
        if first.rstrip(":").strip() in authors:
            text.remove(runs[0])
            removed.add(COMMENT_AUTHORS)
            changed = True
    return changed


def _image(name: str, data: bytes, kind: str, removed: Removed) -> bytes:
    try:
        result = scrub_image(io.BytesIO(data), kind)
    except Uncleanable as refusal:
        raise Uncleanable(f"a picture inside it, {name}, could not be cleaned: {refusal.reason}") from None
    assert result.content is not None
    with result.content:
        cleaned = result.content.read()
    if result.removed:
        removed.add(IMAGE_DETAILS)
    return cleaned


def _embedded_package(name: str, data: bytes, removed: Removed, *, depth: int) -> bytes:
    """An Office file inside this one (a chart's workbook, a pasted slide), cleaned the same way."""
    if depth >= _MAX_DEPTH:
        raise Uncleanable(f"it nests Office files too deeply, down to {name}")
    try:
        sniffed = sniffing.sniff(io.BytesIO(data))
    except sniffing.Refused as refusal:
        raise Uncleanable(f"a file inside it, {name}, could not be checked: {refusal.message}") from None
    if sniffed.kind not in ("docx", "xlsx", "pptx"):
        raise Uncleanable(f"a file inside it, {name}, could not be checked")
    out = io.BytesIO()
    _package(io.BytesIO(data), out, removed, depth=depth + 1)
    return out.getvalue()


def _printer_settings(data: bytes, removed: Removed) -> bytes | None:
    # A Windows DEVMODE starts with the printer's name, 32 UTF-16 characters, which people name after themselves.
    if not any(data[:64]):
        return None
    removed.add(PRINTER)
    return bytes(64) + data[64:]
