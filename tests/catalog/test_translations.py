"""A definition's translations: the schema holds them to the source, the version includes them, and the pages show
the page's language where a translation exists and otherwise the original marked with its language."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from catalog.definition_text import SourceText, definition_shown
from catalog.loader import credential_load, definition_hash, definition_read, definition_validate
from catalog.models import Credential
from catalog.pdf import requirements_pdf_etag, requirements_pdf_html
from catalog.schema import CredentialDefinition, text_places
from catalog.selectors import credential_get_published
from submissions.services import submission_start
from tests.catalog.catalog_helpers import Html, fixture_data
from tests.conftest import CLASSKICK, EDUCATORS_RISING


def _program(slug: str) -> dict[str, Any]:
    return yaml.safe_load((Path(settings.CREDENTIALS_DIR) / f"{slug}.yaml").read_text())


def _with_translation(text: dict[str, str], language: str = "es") -> dict[str, Any]:
    data = copy.deepcopy(fixture_data())
    data["translations"] = {language: {"text": text}}
    return data


# ----- the schema ------------------------------------------------------------------------------------------


def test_it_accepts_a_translation_of_the_definitions_text() -> None:
    data = _with_translation({"title": "Título", "parts.0.title": "Parte"})
    first_part = data["parts"][0]["id"]
    data["translations"]["es"]["text"] = {"title": "Título", f"parts.{first_part}.title": "Parte"}
    definition, problems = definition_validate(data)
    assert problems == []
    assert definition is not None
    assert definition.translations["es"].text["title"] == "Título"


def test_it_refuses_a_translated_key_the_source_does_not_have_and_names_it() -> None:
    definition, problems = definition_validate(_with_translation({"parts.nowhere.title": "Parte"}))
    assert definition is None
    [(path, message)] = problems
    assert path == "translations.es.text.parts.nowhere.title"
    assert "'parts.nowhere.title'" in message
    assert "not translatable text" in message


def test_it_suggests_the_place_a_misspelt_key_meant() -> None:
    data = fixture_data()
    part = data["parts"][0]["id"]
    _, problems = definition_validate(_with_translation({f"parts.{part}.titel": "Parte"}))
    assert f"did you mean 'parts.{part}.title'?" in problems[0][1]


@pytest.mark.parametrize("key", ["slug", "issuer.url", "rubric.passing_level", "review_policy.due_days"])
def test_it_refuses_to_translate_what_is_not_text(key: str) -> None:
    _, problems = definition_validate(_with_translation({key: "x"}))
    assert problems
    assert f"{key!r}" in problems[0][1]


def test_it_refuses_a_translation_into_the_language_the_definition_is_written_in() -> None:
    _, problems = definition_validate(_with_translation({"title": "Title"}, language="en-gb"))
    assert problems[0][0] == "translations.en-gb"
    assert "the language the definition is written in" in problems[0][1]


def test_it_refuses_a_language_code_that_is_not_one() -> None:
    _, problems = definition_validate(_with_translation({"title": "Título"}, language="Spanish"))
    assert problems
    assert problems[0][0].startswith("translations")


def test_each_program_carries_a_spanish_draft_of_the_platforms_text_only() -> None:
    for slug in (CLASSKICK, EDUCATORS_RISING):
        spec = CredentialDefinition.model_validate(_program(slug))
        spanish = spec.translations["es"]
        assert spanish.draft is True  # the issuer signs it off like any other platform wording
        assert "summary" in spanish.text
        places = dict(text_places(spec))
        assert set(spanish.text) <= set(places)
    rising = CredentialDefinition.model_validate(_program(EDUCATORS_RISING)).translations["es"].text
    # The program's own words stay as the issuer wrote them; only what the platform added is translated.
    assert "competency_statement" not in rising
    assert "parts.artifacts.fields.narrative.label" not in rising
    assert "rubric.criteria.instructional_context.descriptors.commendable" in rising


# ----- the version ----------------------------------------------------------------------------------------


def test_translations_are_part_of_the_version(db: object, tmp_path: Path) -> None:
    data = fixture_data()
    plain = CredentialDefinition.model_validate(data)
    first = credential_load(definition=plain, source_name="x.yaml")
    # A definition without translations keeps the hash it had before they existed.
    assert definition_hash(CredentialDefinition.model_validate({**data, "translations": {}})) == first.content_hash

    translated = CredentialDefinition.model_validate({**data, "translations": {"es": {"text": {"title": "Título"}}}})
    second = credential_load(definition=translated, source_name="x.yaml")
    assert second.created
    assert second.version == first.version + 1

    changed = CredentialDefinition.model_validate({**data, "translations": {"es": {"text": {"title": "Otro"}}}})
    third = credential_load(definition=changed, source_name="x.yaml")
    assert third.created
    assert third.content_hash != second.content_hash

    again = credential_load(definition=changed, source_name="x.yaml")
    assert not again.created
    assert again.version == third.version
    stored = Credential.objects.get(slug=data["slug"]).current_version
    assert stored is not None
    assert stored.definition["translations"]["es"]["text"] == {"title": "Otro"}


def test_the_programs_load_from_their_files_with_their_translations() -> None:
    spec = definition_read(Path(settings.CREDENTIALS_DIR) / f"{CLASSKICK}.yaml")
    assert spec.translations["es"].text["introduction.1.title"] == "Acerca de este desafío"


# ----- what a page shows ---------------------------------------------------------------------------------


def test_the_shown_definition_replaces_translated_text_and_marks_the_rest() -> None:
    spec = CredentialDefinition.model_validate(_program(CLASSKICK))
    shown = definition_shown(spec, "es")
    assert shown.summary == spec.translations["es"].text["summary"]
    assert not isinstance(shown.summary, SourceText)
    assert isinstance(shown.title, SourceText)
    assert shown.title.lang == "en"
    assert shown.rubric.criteria[0].descriptors["exemplary"].startswith("El tiempo para colaborar")
    assert definition_shown(spec, "en") is spec
    assert spec.summary.startswith("Show how")  # the definition itself is left as written


def test_the_catalog_page_in_spanish_shows_the_translation_and_marks_english_text(credentials: object) -> None:
    spec = CredentialDefinition.model_validate(_program(CLASSKICK))
    page = Html(Client().get(reverse("catalog:detail", args=[CLASSKICK]), HTTP_ACCEPT_LANGUAGE="es").content)

    lede = page.all(".lede > span")[0]
    assert lede.etree_element.text == spec.translations["es"].text["summary"]
    assert lede.etree_element.get("lang") is None
    title = page.one("#credential-title")
    assert title.etree_element.get("lang") == "en"
    assert title.etree_element.text == "Collaboration"
    criteria = page.all(".rubric .criterion-title")
    assert [c.etree_element.get("lang") for c in criteria] == ["en", "en", "en", None]
    assert criteria[3].etree_element.text == "Explicación y evidencia de la colaboración"
    assert any("El tiempo para colaborar" in "".join(td.etree_element.itertext()) for td in page.all(".rubric td"))


def test_the_catalog_page_in_english_marks_nothing(credentials: object) -> None:
    page = Html(Client().get(reverse("catalog:detail", args=[CLASSKICK]), HTTP_ACCEPT_LANGUAGE="en").content)
    assert page.all("main [lang]") == []
    assert "El tiempo para colaborar" not in "".join(page.one("main").etree_element.itertext())


def test_the_requirements_pdf_follows_the_page_language(credentials: object) -> None:
    published = credential_get_published(slug=EDUCATORS_RISING)
    with translation.override("es"):
        html = requirements_pdf_html(published=published)
        spanish_tag = requirements_pdf_etag(published=published)
    assert "Contexto de enseñanza" in html
    assert 'lang="en"' in html
    with translation.override("en"):
        assert requirements_pdf_etag(published=published) != spanish_tag
        assert "Contexto de enseñanza" not in requirements_pdf_html(published=published)


def test_the_submission_form_in_spanish_shows_translated_labels_and_help(educator: User, classkick: Credential) -> None:
    submission, _ = submission_start(educator=educator, credential=classkick)
    client = Client()
    client.force_login(educator)
    page = Html(
        client.get(reverse("submissions:part", args=[submission.pk, "method"]), HTTP_ACCEPT_LANGUAGE="es").content
    )

    labels = {
        "".join(e.etree_element.itertext()).strip(): e.etree_element.get("lang") for e in page.all(".field-label span")
    }
    assert labels["Nivel escolar de su grupo"] is None
    assert labels["Method of collaboration"] == "en"
    hints = "".join("".join(h.etree_element.itertext()) for h in page.all(".field-hint"))
    assert "Dos mentores de Classkick" in hints
