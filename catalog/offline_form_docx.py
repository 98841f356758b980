"""The submission form as a Word document (python-docx), to fill offline and upload back on the draft.

Answer spaces are table cells under a header row that carries the field's anchor in a hidden run (and,
as the table's alt text, in its caption); headings carry their field's anchor too, so text typed under a
heading instead of in the box can still be found (submissions/offline_form.py reads it back).

The document is written in the active language and says so (its properties and its default style); a program's
text shown as written, in another language, is marked with that language on its run, as a page's `lang` does.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from catalog.definition_text import SourceText, definition_shown, page_language, primary
from catalog.models import CredentialVersion
from catalog.offline_form import (
    DRAFT_NOTE,
    EMPTY_BOX,
    FORM_CATEGORY,
    FormItem,
    anchor,
    form_checks,
    form_identifier,
    form_parts,
)
from catalog.schema import CredentialDefinition

MUTED = RGBColor(0x4A, 0x53, 0x60)
DRAFT = RGBColor(0x7A, 0x4A, 0x00)
# Our own paragraph styles: the reader skips every paragraph in a style named so, and reads any other
# paragraph under a field's heading as the educator's own typing.
STYLE_PREFIX = "MC "
# The id of the default template's "Table Grid" table style.
TABLE_GRID = "TableGrid"
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|`)(\S.*?)\1(?!\w)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _plain(markdown: str) -> list[tuple[str, bool]]:
    """CommonMark prose as (text, is_bullet) paragraphs: Word has no Markdown, and the prose is simple. Each
    paragraph keeps the language mark of the prose it came from."""
    blocks: list[tuple[str, bool]] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.splitlines()
        if all(re.match(r"\s*[-*+]\s+", line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                if re.match(r"\s*[-*+]\s+", line):
                    items.append(re.sub(r"^\s*[-*+]\s+", "", line))
                elif items:
                    items[-1] += " " + line.strip()
            blocks.extend((_inline(item), True) for item in items)
        else:
            blocks.append((_inline(" ".join(line.strip() for line in lines)), False))
    lang = markdown.lang if isinstance(markdown, SourceText) else None
    return [(SourceText(text, lang) if lang else text, bullet) for text, bullet in blocks if text]


def _inline(text: str) -> str:
    return _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", text)).strip()


def _set_lang(properties: Any, language: str) -> None:
    """w:lang on a run's or a style's properties: what spelling, hyphenation and screen readers go by."""
    found = properties.find(qn("w:lang"))
    if found is None:
        found = OxmlElement("w:lang")
        properties.append(found)
    found.set(qn("w:val"), language)


def _mark_lang(run: Run, text: str) -> None:
    if isinstance(text, SourceText) and primary(text.lang) != primary(page_language()):
        _set_lang(run._r.get_or_add_rPr(), text.lang)


def _styles(doc: DocxDocument) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_lang(normal.element.get_or_add_rPr(), page_language())

    def add(name: str, base: str, *, size: float | None = None, color: RGBColor | None = None) -> None:
        style = styles.add_style(STYLE_PREFIX + name, WD_STYLE_TYPE.PARAGRAPH)
        if style.style_id != _style_id(name):
            raise AssertionError(f"python-docx named the style {name!r} {style.style_id!r}")
        style.base_style = styles[base]
        style.next_paragraph_style = normal
        if size:
            style.font.size = Pt(size)
        if color:
            style.font.color.rgb = color

    add("Title", "Title")
    add("Part", "Heading 1")
    add("Field", "Heading 2")
    add("Text", "Normal")
    add("Note", "Normal", size=9, color=MUTED)
    add("Bullet", "List Bullet")
    add("Answer", "Normal")


def _style_id(name: str) -> str:
    # python-docx's id for a style it adds: the name without its spaces (_styles checks that it still is).
    return (STYLE_PREFIX + name).replace(" ", "")


def _style(paragraph: Paragraph, name: str) -> None:
    # By id, on the paragraph's XML: python-docx's own setter, given a name, looks the style up among the
    # template's 160-odd and then scans them all again for the default one, which was two thirds of a form's
    # making (and an upload reads a form by making it again, once per language).
    paragraph._p.style = _style_id(name)


def _para(container: DocxDocument | _Cell, text: str, style: str, *, bold: bool = False) -> Paragraph:
    paragraph = container.add_paragraph()
    _style(paragraph, style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None  # None: as the style says (headings stay bold)
        _mark_lang(run, text)
    return paragraph


def _hidden_anchor(paragraph: Paragraph, ref: str) -> None:
    run = paragraph.add_run(" " + anchor(ref))
    run.font.hidden = True
    run.font.size = Pt(6)
    run.font.color.rgb = MUTED


def _draft_marker(doc: DocxDocument) -> None:
    run = _para(doc, "", "Note").add_run(_(DRAFT_NOTE))
    run.italic = True
    run.font.color.rgb = DRAFT


def _caption(table: Table, ref: str) -> None:
    # Word's alt text for a table: kept by Word and LibreOffice, a second anchor beside the hidden runs.
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), ref)
    table._tbl.tblPr.append(caption)


def _header(cell: _Cell, text: str, ref: str) -> None:
    paragraph = cell.paragraphs[0]
    _style(paragraph, "Note")
    run = paragraph.add_run(text)
    run.bold = True
    _mark_lang(run, text)
    _hidden_anchor(paragraph, ref)


def _option_line(paragraph: Paragraph, label: str) -> None:
    paragraph.add_run(f"{EMPTY_BOX} ")
    _mark_lang(paragraph.add_run(label), label)


def _answer_box(doc: DocxDocument, title: str, ref: str, lines: int, options: list[str] | None = None) -> Table:
    table = doc.add_table(rows=2, cols=1)
    table._tbl.tblStyle_val = TABLE_GRID
    _caption(table, ref)
    _header(table.cell(0, 0), title, ref)
    cell = table.cell(1, 0)
    _style(cell.paragraphs[0], "Answer")
    if options:
        _option_line(cell.paragraphs[0], options[0])
        for label in options[1:]:
            _option_line(_para(cell, "", "Answer"), label)
    else:
        table.rows[1].height = Cm(0.7 * lines)
        table.rows[1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    return table


def _list_table(doc: DocxDocument, item: FormItem) -> None:
    table = doc.add_table(rows=1 + item.rows, cols=len(item.columns))
    table._tbl.tblStyle_val = TABLE_GRID
    _caption(table, item.ref)
    for index, column in enumerate(item.columns):
        _header(table.cell(0, index), column.label, column.ref)
        for row in table.rows[1:]:
            _style(row.cells[index].paragraphs[0], "Answer")
    for row in table.rows[1:]:
        row.height = Cm(1.0)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    # Repeat the header row on every page the table runs over.
    row_props = table.rows[0]._tr.get_or_add_trPr()
    row_props.append(OxmlElement("w:tblHeader"))


def _field(doc: DocxDocument, item: FormItem) -> None:
    heading = _para(doc, item.label, "Field")
    _hidden_anchor(heading, item.ref)
    _para(doc, " · ".join([item.facts, *item.limits]), "Note")
    if item.draft:
        _draft_marker(doc)
    for text, bullet in _plain(item.guidance) if item.guidance else []:
        _para(doc, text, "Bullet" if bullet else "Text")
    if item.prompts:
        _para(doc, _("Questions to address:"), "Text")
        for prompt in item.prompts:
            _para(doc, prompt, "Bullet")
    if item.answer == "file":
        _para(doc, item.instruction, "Text", bold=True)
        return
    if item.answer == "list":
        _para(doc, item.instruction, "Note")
        for column in item.columns:
            if column.hint:
                _para(doc, f"{column.label}: {column.hint}", "Note")
        _list_table(doc, item)
        return
    if item.answer == "rating":
        title = f"{_('Your level.')} {item.instruction}"
        _answer_box(doc, title, item.ref + ".level", 1, [o.label for o in item.options])
        if item.justification_limit:
            title = _("Why you chose this level (%(limit)s)") % {"limit": item.justification_limit}
            _answer_box(doc, title, item.ref + ".justification", item.lines)
        return
    if item.limits and item.answer == "text":
        title = _("Your answer (%(limits)s).") % {"limits": "; ".join(item.limits)}
    else:
        title = _("Your answer.")
    options = [o.label for o in item.options] if item.answer == "choice" else None
    _answer_box(doc, f"{title} {item.instruction}", item.ref, item.lines, options)


def submission_form_docx(
    *, spec: CredentialDefinition, content_hash: str, version_number: int, made_at: datetime, page_url: str
) -> bytes:
    """The Word form for one version of a credential, in the active language."""
    out = io.BytesIO()
    _build(spec, content_hash, version_number, made_at, page_url).save(out)
    return out.getvalue()


def _build(
    spec: CredentialDefinition, content_hash: str, version_number: int, made_at: datetime, page_url: str
) -> DocxDocument:
    doc = Document()
    _styles(doc)
    identifier = form_identifier(spec.slug, content_hash)
    shown = definition_shown(spec)
    form_title = _("%(title)s: submission form") % {"title": shown.title}
    props = doc.core_properties
    props.title = form_title
    props.author = props.last_modified_by = spec.issuer.name
    props.subject = shown.title
    props.category = FORM_CATEGORY
    props.identifier = identifier
    props.language = page_language()
    props.keywords = _("submission form")
    props.comments = _("Fill in offline, then upload it on your draft at %(url)s") % {"url": page_url}
    props.created = props.modified = made_at.replace(tzinfo=None)
    props.revision = 1
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)

    _para(doc, form_title, "Title")
    _para(
        doc, _("%(kind)s from %(issuer)s") % {"kind": shown.kind_label, "issuer": spec.issuer.name}, "Text", bold=True
    )
    _para(
        doc,
        _("Form id: %(identifier)s (version %(number)s). Keep this line: it tells the upload which form this is.")
        % {"identifier": identifier, "number": version_number},
        "Note",
    )
    _para(doc, _("How to use this form"), "Part")
    for line in (
        _(
            "Type each answer in the box under its question. Where there are options, replace %(box)s with X beside "
            "your choice."
        )
        % {"box": EMPTY_BOX},
        _("For a table, write one entry per row and add rows as you need them. Dates are written as YYYY-MM-DD."),
        _("Files cannot travel in this form: attach them on the platform where the form says so."),
        _(
            "When you are done, upload this file on your draft's page (“Fill in your draft from a filled form”). "
            "It fills only the answers your draft does not have yet, never replaces one, and lists every answer it "
            "placed and every one it could not place."
        ),
        _("The credential's page: %(url)s") % {"url": page_url},
    ):
        _para(doc, line, "Bullet")
    if shown.submission_intro:
        _para(doc, _("About the submission"), "Part")
        for text, bullet in _plain(shown.submission_intro):
            _para(doc, text, "Bullet" if bullet else "Text")
    checks = form_checks(spec)
    if checks:
        _para(doc, _("What reviewers check"), "Part")
        _para(doc, _("The platform checks your draft for these before you submit."), "Text")
        for check in checks:
            paragraph = _para(doc, "", "Bullet")
            paragraph.add_run(check.lead + ": ").bold = True
            _mark_lang(paragraph.add_run(check.message), check.message)
            if check.draft:
                marker = paragraph.add_run(f" ({_(DRAFT_NOTE)})")
                marker.italic = True
                marker.font.color.rgb = DRAFT
    for part in form_parts(spec):
        heading = _para(doc, part.title, "Part")
        _hidden_anchor(heading, "part." + part.id)
        if part.optional:
            _para(doc, _("This part is optional. Once you start it, complete it."), "Text", bold=True)
        for text, bullet in _plain(part.intro) if part.intro else []:
            _para(doc, text, "Bullet" if bullet else "Text")
        for item in part.items:
            _field(doc, item)
    _hidden_anchor(_para(doc, _("End of the form."), "Note"), "end")
    return doc


def submission_form_docx_for(version: CredentialVersion) -> bytes:
    """The Word form of one stored version, dated as the version so two downloads say the same."""
    return submission_form_docx(
        spec=version.spec,
        content_hash=version.content_hash,
        version_number=version.number,
        made_at=version.loaded_at,
        page_url=form_page_url(version),
    )


def submission_form_texts(version: CredentialVersion) -> set[str]:
    """Every paragraph's visible text as the form of this version prints it, in every language the site speaks:
    what the reader can tell apart from what an educator typed into one of the form's own paragraphs rather
    than under them, whichever language the form was downloaded in."""
    texts: set[str] = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            doc = _build(version.spec, version.content_hash, version.number, version.loaded_at, form_page_url(version))
        cells = (p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs)
        paragraphs = [*doc.paragraphs, *cells]
        texts |= {"".join(run.text for run in p.runs if not run.font.hidden).strip() for p in paragraphs}
    return texts


def form_page_url(version: CredentialVersion) -> str:
    return settings.SITE_URL + reverse("catalog:detail", args=[version.spec.slug])
