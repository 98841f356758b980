"""The authoring editor in Spanish: every key of the definition schema has a translatable label and every fixed value
a word, so an issuer admin who reads Spanish sees the editor's labels, hints and choices in Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal, get_args, get_origin

import lxml.html
import pytest
from django.test import Client
from django.utils import translation
from pydantic import BaseModel

from accounts.models import User
from authoring.services.drafts import draft_start
from catalog.models import Credential
from catalog.schema import GRADE_BANDS, CredentialDefinition
from pages.authoring.schema_forms import shape, union_members
from pages.authoring.schema_labels import FILE_TYPE_VALUES, KEY_LABELS, VALUE_LABELS
from pages.authoring.sections import SECTIONS
from tests.authoring.helpers import section_url


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    translation.activate("en")


def _schema() -> tuple[set[str], set[str]]:
    """Every key of the definition schema, and every fixed value (Literal members and union kinds) it names."""
    keys: set[str] = set()
    values: set[str] = set()
    seen: set[type[BaseModel]] = set()

    def model(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for key, info in cls.model_fields.items():
            keys.add(key)
            annotation(info.annotation)

    def annotation(hint: Any) -> None:
        base = shape(hint).base
        members = union_members(base)
        if members:
            values.update(members)
            for member in members.values():
                model(member)
        elif isinstance(base, type) and issubclass(base, BaseModel):
            model(base)
        elif get_origin(base) is Literal:
            values.update(str(value) for value in get_args(base))
        elif get_origin(base) is not None:
            for argument in get_args(base):
                annotation(argument)

    model(CredentialDefinition)
    return keys, values


def test_every_key_and_value_of_the_schema_has_a_translatable_label():
    keys, values = _schema()
    assert sorted(keys - set(KEY_LABELS)) == [], "add a label to pages/authoring/schema_labels.py KEY_LABELS"
    unlabelled = values - set(VALUE_LABELS) - set(KEY_LABELS) - set(GRADE_BANDS) - FILE_TYPE_VALUES - {"1"}
    assert sorted(unlabelled) == [], "add a word to pages/authoring/schema_labels.py VALUE_LABELS"


def _texts(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    form = doc.xpath("//form[contains(@class, 'schema-form')]")[0]
    found = form.xpath(".//label | .//legend | .//summary | .//option | .//*[contains(@class, 'hint')]")
    return [" ".join(element.text_content().split()) for element in found]


@pytest.mark.django_db
def test_the_editor_in_spanish_reads_spanish(classkick: Credential, issuer_admin: User):
    draft = draft_start(actor=issuer_admin, credential=classkick)
    issuer_admin.language = "es"
    issuer_admin.save(update_fields=["language"])
    client = Client()
    client.force_login(issuer_admin)
    with translation.override("en"):
        english_labels = {str(label) for label in KEY_LABELS.values()} | {str(v) for v in VALUE_LABELS.values()}
    with translation.override("es"):
        spanish_labels = {str(label) for label in KEY_LABELS.values()} | {str(v) for v in VALUE_LABELS.values()}
    # Words the same in both languages ("Id", "audio", "mentor") say nothing about the language of the page.
    only_english = english_labels - spanish_labels

    shown: list[str] = []
    for section in SECTIONS:
        response = client.get(section_url(draft, section.slug))
        assert response.status_code == 200, section.slug
        shown += _texts(response.content.decode())

    leftovers = sorted({text for text in shown if re.sub(r" \(opcional\)$", "", text) in only_english})
    assert leftovers == []
    for words in ("Máximo de palabras", "Plazo (días)", "Regla de aprobación", "Un número entero", "mayoría"):
        assert any(words in text for text in shown), words
