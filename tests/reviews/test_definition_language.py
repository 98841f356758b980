"""The rubric on the scoring page follows the reviewer's language: the definition's translation where it has one,
the original marked with its language where it has none."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.catalog.catalog_helpers import Html
from tests.reviews.helpers import open_assignments


def _score_page(reviewer: User, assignment: Any, language: str) -> Html:
    client = Client()
    client.force_login(reviewer)
    response = client.get(reverse("reviews:score", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return Html(response.content)


def test_the_scoring_rubric_in_spanish_shows_the_translated_descriptors(
    ck_attempt: Any, ck_panel: dict[str, User]
) -> None:
    assignment = open_assignments(ck_attempt)["sam@classkick.example"]
    page = _score_page(ck_panel["sam"], assignment, "es")

    descriptors = [
        ("".join(d.etree_element.itertext()).strip(), d.etree_element.get("lang"))
        for d in page.all(".level-descriptor")
    ]
    spanish = [lang for text, lang in descriptors if text.startswith("El tiempo para colaborar")]
    assert spanish == [None]
    titles = {
        "".join(t.etree_element.itertext()): t.etree_element.get("lang") for t in page.all(".rating-legend > span")
    }
    assert titles["Implementation"] == "en"  # the program's own word, not translated by the issuer yet
    assert titles["Explicación y evidencia de la colaboración"] is None


def test_the_scoring_rubric_in_english_is_the_definition_as_written(ck_attempt: Any, ck_panel: dict[str, User]) -> None:
    assignment = open_assignments(ck_attempt)["sam@classkick.example"]
    page = _score_page(ck_panel["sam"], assignment, "en")
    assert page.all(".level-descriptor[lang], .rating-legend [lang]") == []
    assert "Time to collaborate is deliberately created" in "".join(page.one("main").etree_element.itertext())


def test_the_scoring_page_itself_speaks_spanish(ck_attempt: Any, ck_panel: dict[str, User]) -> None:
    assignment = open_assignments(ck_attempt)["sam@classkick.example"]
    page = _score_page(ck_panel["sam"], assignment, "es")
    words = "".join(page.one("main").etree_element.itertext())
    assert "Guardar o enviar su revisión" in words
    assert "Save or submit your review" not in words
