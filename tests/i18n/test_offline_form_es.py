"""The submission form to fill offline, in Spanish: the platform's words in Spanish, the program's text in its
Spanish translation where it has one (else as written, marked lang="en"), a PDF cached apart per language, and a
form filled in Spanish read back into the draft of an educator whose pages are in English."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from pypdf import PdfReader

from accounts.models import User
from catalog.definition_text import SourceText, definition_shown
from catalog.loader import credential_load, definition_read
from catalog.models import Credential
from catalog.offline_form import form_items, form_options_every_language
from catalog.offline_form_pdf import submission_form_html
from catalog.schema import ChoiceField
from submissions.models import Draft
from submissions.services import submission_start
from tests.conftest import CLASSKICK, EDUCATORS_RISING
from tests.submissions.offline_filler import Filler, visible

pytestmark = pytest.mark.django_db

# The platform's own English of the form: none of it may be left in the Spanish form.
ENGLISH_WORDS = (
    "How to use this form",
    "Type your answer",
    "Type each answer",
    "Your answer",
    "Your level",
    "Replace ☐ with X",
    "Questions to address",
    "What reviewers check",
    "Required before you can submit",
    "submission form",
    "Form id:",
    "End of the form",
    "Why you chose this level",
    "Write one of",
    "Attach on the platform",
    "One row per",
    "Up to ",
    " words",
    "Draft wording from the platform",
    "This part is optional",
    "Self-evaluation",
    " · Required",
    " · Optional",
)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    # A request handled in this thread leaves its language active; the tests after these must start in English.
    yield
    translation.activate("en")


def _spec(credential: Credential) -> Any:
    assert credential.current_version is not None
    return credential.current_version.spec


def _docx_text(data: bytes) -> tuple[Any, str]:
    doc = Document(io.BytesIO(data))
    paragraphs = [*doc.paragraphs, *(p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs)]
    return doc, "\n".join(visible(p) for p in paragraphs)


def _runs_marked_english(doc: Any) -> list[str]:
    marked = []
    for run in doc.element.body.iter(qn("w:r")):
        lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        if lang is not None and lang.get(qn("w:val")) == "en":
            marked.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return marked


def _labels(spec: Any, *, translated: bool) -> list[str]:
    """The field labels the Spanish translation gives (or, with translated=False, leaves as written)."""
    shown = definition_shown(spec, "es")
    labels = [f.label for part in shown.parts for f in part.fields]
    return [label for label in labels if isinstance(label, SourceText) != translated]


@pytest.fixture
def untranslated(db: Any) -> Credential:
    """A program with no Spanish at all (a test fixture definition)."""
    definition = definition_read(
        Path(settings.BASE_DIR) / "tests/fixtures/credentials/riverbend-formative-feedback.yaml"
    )
    assert not definition.translations
    loaded = credential_load(definition=definition, source_name="riverbend-formative-feedback.yaml")
    return Credential.objects.get(slug=loaded.slug)


def test_the_word_form_speaks_spanish_and_marks_the_text_left_in_english(client: Client, classkick: Credential):
    response = client.get(reverse("catalog:form_docx", args=[CLASSKICK]), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    doc, text = _docx_text(response.content)
    spanish = definition_shown(_spec(classkick), "es")
    for words in (
        "Cómo usar este formulario",
        "Escriba cada respuesta en el recuadro debajo de su pregunta",
        f"{spanish.title}: formulario de envío",
        "Su respuesta.",
        "Reemplace ☐ por una X",
        "Obligatorio",
        "Autoevaluación: elija un nivel",
        "Fin del formulario.",
        "Identificador del formulario:",
    ):
        assert words in text, words
    assert [words for words in ENGLISH_WORDS if words in text] == []
    assert doc.core_properties.language == "es"
    normal = doc.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    assert normal is not None
    assert normal.get(qn("w:val")) == "es"
    # The program's own Spanish where its translation has it, unmarked; what it leaves in English, marked.
    marked = _runs_marked_english(doc)
    translated = _labels(_spec(classkick), translated=True)
    assert translated
    for label in translated:
        assert label in text
        assert label not in marked
    for label in _labels(_spec(classkick), translated=False):
        assert label in marked


def test_an_untranslated_program_reads_in_spanish_around_its_english_text(client: Client, untranslated: Credential):
    # A definition without a Spanish translation: the platform's words are Spanish, the program's are marked English.
    spec = _spec(untranslated)
    doc, text = _docx_text(
        client.get(reverse("catalog:form_docx", args=[untranslated.slug]), HTTP_ACCEPT_LANGUAGE="es").content
    )
    assert "Cómo usar este formulario" in text
    assert [words for words in ENGLISH_WORDS if words in text] == []
    marked = _runs_marked_english(doc)
    assert spec.parts[0].title in marked
    assert spec.parts[0].fields[0].label in marked


@pytest.mark.once  # what is drawn, and where it is kept, does not depend on the database engine
def test_the_pdf_form_is_cached_apart_per_language(client: Client, educators_rising: Credential):
    url = reverse("catalog:form_pdf", args=[EDUCATORS_RISING])

    def pdf_text(response: Any) -> str:
        reader = PdfReader(io.BytesIO(response.content))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    english = client.get(url)
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    english_again = client.get(url)  # from the cache: still the English one
    assert english["ETag"] != spanish["ETag"]
    assert "Type your answer here." in pdf_text(english_again)
    spanish_text = pdf_text(spanish)
    title = definition_shown(_spec(educators_rising), "es").title
    for words in ("Escriba su respuesta aquí.", "Su respuesta", "Hasta 500 palabras", "Página 9 de 9", title):
        assert words in spanish_text, words
    # (The program's own prose says "submission form" where its translation leaves it as written.)
    leftovers = [words for words in ENGLISH_WORDS if words != "submission form"]
    assert [words for words in (*leftovers, "SUBMISSION FORM", "Page ") if words in spanish_text] == []
    assert "FORMULARIO DE ENVÍO" in spanish_text  # the kicker, capitalised by the stylesheet


def test_the_pdf_marks_the_language_of_what_it_shows_as_written(untranslated: Credential):
    version = untranslated.current_version
    assert version is not None
    with translation.override("es"):
        html = submission_form_html(version=version, page_url="https://example.org/")
    assert '<html lang="es">' in html
    label = version.spec.parts[0].fields[0].label
    assert f'<h3 lang="en">{label}</h3>' in html


class SpanishFiller(Filler):
    """The shared filler, finding each box under the Spanish form's titles."""

    def _boxes(self) -> dict[str, list[Table]]:
        tables = iter(self.doc.tables)
        boxes: dict[str, list[Table]] = {}
        for item in self.items:
            count = 0 if item.answer == "file" else (2 if item.answer == "rating" and item.justification_limit else 1)
            boxes[item.ref] = [next(tables) for _ in range(count)]
            for table in boxes[item.ref]:
                header = visible(table.rows[0].cells[0].paragraphs[0])
                first = item.columns[0].label if item.answer == "list" else ("Su ", "Por qué")
                assert header.startswith(first), (item.ref, header)
        assert next(tables, None) is None
        return boxes


def test_a_form_filled_in_spanish_fills_the_draft_of_an_english_reader(classkick: Credential, educator: User):
    # Classkick's form has options chosen by their Spanish labels and a self-evaluation rated by Spanish levels.
    credential = classkick
    submission = submission_start(educator=educator, credential=credential)[0]
    client = Client()
    client.force_login(educator)
    data = client.get(reverse("submissions:form_docx", args=[submission.pk]), HTTP_ACCEPT_LANGUAGE="es").content
    with translation.override("es"):
        # Options are chosen by their Spanish labels, typed into lists' cells and marked in boxes.
        filler = SpanishFiller(data, definition_shown(_spec(credential), "es"))
        expected, ratings = filler.fill_everything()

    response = client.post(
        reverse("submissions:form_upload", args=[submission.pk]),
        {"form": SimpleUploadedFile("formulario.docx", filler.save())},
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert [(o.where, o.message) for o in report.not_placed] == []
    draft = Draft.objects.get(pk=submission.pk)
    for ref, value in expected.items():
        held = draft.value(ref)
        if isinstance(held, list):
            held = [{k: v for k, v in e.items() if k != "id"} if isinstance(e, dict) else e for e in held]
        assert held == value, ref
    assert draft.self_evaluation == ratings
    assert "answers placed in your draft" in response.content.decode()


def test_a_lists_choices_read_in_either_language(educators_rising: Credential):
    # A list's choice column is answered by typing an option's label: the English or the Spanish one.
    spec = _spec(educators_rising)
    options = form_options_every_language(spec)
    english = form_items(spec)
    spanish = form_items(definition_shown(spec, "es"))
    columns = [
        (column, spanish[item.ref].columns[index])
        for item in english.values()
        for index, column in enumerate(item.columns)
        if isinstance(column.spec, ChoiceField)
    ]
    assert columns
    for column, spanish_column in columns:
        assert isinstance(column.spec, ChoiceField)
        assert isinstance(spanish_column.spec, ChoiceField)
        labels = {(o.id, o.label) for o in options[column.ref]}
        assert {(o.id, o.label) for o in column.spec.options} <= labels
        assert {(o.id, o.label) for o in spanish_column.spec.options} <= labels
        assert {o.label for o in spanish_column.spec.options} != {o.label for o in column.spec.options}


def test_an_upload_that_is_not_a_form_is_refused_in_spanish(classkick: Credential, educator: User):
    submission = submission_start(educator=educator, credential=classkick)[0]
    client = Client()
    client.force_login(educator)
    response = client.post(
        reverse("submissions:form_upload", args=[submission.pk]),
        {"form": SimpleUploadedFile("notas.docx", b"no es un documento")},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    html = response.content.decode()
    assert "Este archivo no es un documento de Word (.docx)." in html
    assert "not a Word document" not in html
