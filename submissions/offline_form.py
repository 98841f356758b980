"""Reading a filled submission form (a DOCX made by catalog/offline_form_docx.py) back into raw answers.

Nothing here trusts the file: its size, its being a Word document at all (by content, not by name) and its
being one of our forms are checked first, and each refusal says what to do. What comes out is text as
the educator typed it, keyed by the anchors the form carries; submissions/services/offline_form.py turns
it into draft values.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from catalog.offline_form import ANCHOR, EMPTY_BOX, SELF_EVALUATION, form_identifier_parse
from core.errors import FileTooLarge, InvalidInput

FORM_FIELD = "form"
MAX_FORM_BYTES = 10 * 1024 * 1024
# A zip can claim little and unpack to a lot; the form itself is well under a megabyte.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_STYLE_PREFIX = "MC "


@dataclass
class RawAnswer:
    """What was written for one anchor: lines of the answer space, lines typed under its heading, or rows."""

    ref: str
    lines: list[str] = field(default_factory=list)
    under_heading: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # a list's entries: column ref -> cell text

    def all_lines(self) -> list[str]:
        return [line for line in [*self.lines, *self.under_heading] if line.strip()]


@dataclass
class ReadForm:
    slug: str
    content_hash: str
    answers: dict[str, RawAnswer]
    stray: list[str]  # text outside any answer space or question


def _not_a_form() -> InvalidInput:
    return InvalidInput.on(
        FORM_FIELD,
        _(
            "This Word document is not a submission form from this platform. Download the form from your draft's "
            "page (Word version), fill it in and upload that file."
        ),
    )


def _open(data: bytes) -> DocxDocument:
    if len(data) > MAX_FORM_BYTES:
        raise FileTooLarge.on(
            FORM_FIELD,
            _("The file is larger than %(size)s MB; a filled form is much smaller. Upload the form itself.")
            % {"size": MAX_FORM_BYTES // (1024 * 1024)},
        )
    not_docx = InvalidInput.on(
        FORM_FIELD, _("This file is not a Word document (.docx). Upload the filled form as a .docx file.")
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_docx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise not_docx
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise not_docx
            if _WORD_MAIN.encode() not in archive.read("[Content_Types].xml"):
                raise not_docx
        return Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, RuntimeError, EOFError, OSError):
        raise not_docx from None


def _visible_text(element: etree._Element) -> str:
    """The text a reader sees: runs hidden with w:vanish are left out, tracked insertions kept, deletions not."""
    out: list[str] = []
    for run in element.iter(qn("w:r")):
        props = run.find(qn("w:rPr"))
        vanish = props.find(qn("w:vanish")) if props is not None else None
        if vanish is not None and vanish.get(qn("w:val"), "true") not in ("0", "false", "off"):
            continue
        for child in run:
            if child.tag == qn("w:t"):
                out.append(child.text or "")
            elif child.tag == qn("w:tab"):
                out.append("\t")
            elif child.tag in (qn("w:br"), qn("w:cr")):
                out.append("\n")
    # An editor that cannot hide text shows the anchors: they are still not the educator's words.
    return ANCHOR.sub("", "".join(out))


def _all_text(element: etree._Element) -> str:
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def _identify(doc: DocxDocument) -> tuple[str, str]:
    found = form_identifier_parse(doc.core_properties.identifier or "")
    if found is None:
        # The visible "Form id" line, for an editor that dropped the document's properties.
        found = next((f for p in doc.paragraphs[:20] if (f := form_identifier_parse(p.text))), None)
    if found is None:
        raise _not_a_form()
    return found


def _cell_lines(cell_element: etree._Element) -> list[str]:
    return [_visible_text(p).strip() for p in cell_element.iter(qn("w:p"))]


def _caption(table: Table) -> str:
    props = table._tbl.tblPr
    caption = props.find(qn("w:tblCaption")) if props is not None else None
    return caption.get(qn("w:val"), "") if caption is not None else ""


def _typed(text: str, known: set[str] | None) -> str:
    """What an educator typed into one of the form's own paragraphs: the text beyond the form's own words.

    Without the form's texts (its version is not stored here) nothing can be told apart, so nothing is taken."""
    if known is None or not text or text in known:
        return ""
    matches = [k for k in known if k and (text.startswith(k) or text.endswith(k))]
    if not matches:
        return text
    longest = max(matches, key=len)
    return (text[len(longest) :] if text.startswith(longest) else text[: -len(longest)]).strip()


def _read_table(table: Table, reading: _Reading, current: str | None) -> None:
    rows = table.rows
    if not rows:
        return
    header = [ANCHOR.findall(_all_text(cell._tc)) for cell in rows[0].cells]
    if all(len(found) == 1 and _is_column(found[0]) for found in header):
        # A list: one anchor per column, then one entry per row.
        columns = [found[0] for found in header]
        list_ref = columns[0].rsplit(".", 1)[0]
        answer = reading.answer(list_ref)
        for row in rows[1:]:
            cells = row.cells
            if any(ANCHOR.search(_all_text(c._tc)) for c in cells):
                continue  # a header row copied down
            entry = {
                columns[i]: "\n".join(line for line in _cell_lines(c._tc) if line)
                for i, c in enumerate(cells[: len(columns)])
            }
            if any(value.strip() for value in entry.values()):
                answer.rows.append(entry)
        return
    ref = None if ANCHOR.search(_all_text(rows[0]._tr)) else (_caption(table) or current)
    for row in rows:
        found = ANCHOR.findall(_all_text(row._tr))
        if found:
            ref = found[0]
            # Typed into the box's title row rather than below it.
            extra = [_typed(line, reading.known) for cell in _unique_cells(row) for line in _cell_lines(cell)]
            reading.answer(ref).lines.extend(line for line in extra if line)
            continue
        lines = [line for cell in _unique_cells(row) for line in _cell_lines(cell)]
        if reading.known is not None:
            lines = [line for line in lines if line not in reading.known or line.startswith(EMPTY_BOX)]
        if ref is None:
            reading.stray.extend(line for line in lines if line)
        else:
            reading.answer(ref).lines.extend(lines)


def _is_column(ref: str) -> bool:
    """A list's column is named "part.list.item"; a rating's spaces, also three deep, are not columns."""
    return ref.count(".") == 2 and not ref.startswith(SELF_EVALUATION + ".")


def _unique_cells(row: object) -> Iterator[etree._Element]:
    seen: set[int] = set()
    for cell in row.cells:  # type: ignore[attr-defined]
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            yield cell._tc


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of the body in order, including those an editor wrapped in a content control."""
    for element in container.iterchildren():
        if element.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            yield from _blocks(element)
        elif element.tag in (qn("w:p"), qn("w:tbl")):
            yield element


@dataclass
class _Reading:
    known: set[str] | None
    answers: dict[str, RawAnswer] = field(default_factory=dict)
    stray: list[str] = field(default_factory=list)

    def answer(self, ref: str) -> RawAnswer:
        return self.answers.setdefault(ref, RawAnswer(ref))


def offline_form_read(data: bytes, *, known_for: Callable[[str, str], set[str] | None] | None = None) -> ReadForm:
    """The answers in a filled form, by anchor; InvalidInput naming the upload when it is not one of ours.

    `known_for(slug, content_hash)` gives the texts the form was printed with, when that version is known, so
    that words typed into the form's own paragraphs are found too."""
    doc = _open(data)
    slug, content_hash = _identify(doc)
    reading = _Reading(known_for(slug, content_hash) if known_for else None)
    current: str | None = None
    for element in _blocks(doc.element.body):
        if element.tag == qn("w:tbl"):
            _read_table(Table(element, doc), reading, current)
            continue
        if element.tag != qn("w:p"):
            continue
        paragraph = Paragraph(element, doc)
        text = _visible_text(element).strip()
        found = ANCHOR.findall(_all_text(element))
        # Ours by its style, by its anchor (a heading whose style an editor renamed) or by its very words.
        ours = bool(found) or ((paragraph.style.name or "") if paragraph.style is not None else "").startswith(
            _STYLE_PREFIX
        )
        if found:
            ref = found[0]
            current = None if ref == "end" or ref.startswith("part.") else ref
        if ours:
            text = _typed(text, reading.known)
        elif reading.known is not None and text in reading.known:
            text = ""
        if not text:
            continue
        if current is None:
            reading.stray.append(text)
        else:
            reading.answer(current).under_heading.append(text)
    return ReadForm(slug=slug, content_hash=content_hash, answers=reading.answers, stray=reading.stray)
