"""What the loader and the schema tell an author about a definition, in the language of the one reading: Spanish in
the authoring workspace of an issuer admin who reads Spanish, English for the operator's `load_credentials`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from accounts.models import User
from authoring.services.drafts import draft_save, draft_start
from catalog.loader import DefinitionError, definition_validate, definition_yaml_read
from catalog.models import Credential
from tests.authoring.helpers import section_url


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    translation.activate("en")


def _broken(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition with one problem of each sort the loader words itself: a misspelt key, a wrong type, a missing
    key, a value not allowed, a rule of the schema broken."""
    data = copy.deepcopy(definition)
    data["titel"] = data.pop("title")
    data["review_policy"]["due_days"] = "two weeks"
    data["checks"][0]["severity"] = "urgent"
    data["rubric"]["passing_level"] = "superb"
    return data


ENGLISH = (
    "unknown key 'titel'; did you mean 'title'?",
    "is required but missing; add it",
    "must be a whole number, not 'two weeks'",
    "is not allowed here; use one of:",
    "passing_level 'superb' is not one of the levels",
)
SPANISH = (
    "clave desconocida 'titel'; ¿quiso decir 'title'?",
    "es obligatorio pero falta; agréguelo",
    "debe ser un número entero, no 'two weeks'",
    "no está permitido aquí; use uno de:",
    "passing_level 'superb' no es uno de los niveles",
)


@pytest.mark.django_db
def test_the_problems_of_a_definition_are_told_in_the_active_language(classkick: Credential):
    assert classkick.current_version is not None
    data = _broken(classkick.current_version.definition)
    with translation.override("es"):
        _, problems = definition_validate(data)
    spanish = " | ".join(f"{path}: {message}" for path, message in problems)
    for words in SPANISH:
        assert words in spanish, words
    assert [words for words in ENGLISH if words in spanish] == []
    # The paths are the author's own keys, the same in either language.
    assert {"titel", "title", "review_policy.due_days", "rubric.passing_level"} <= {path for path, _ in problems}

    _, problems = definition_validate(data)
    english = " | ".join(message for _, message in problems)
    for words in ENGLISH:
        assert words in english, words


def test_a_yaml_the_loader_cannot_read_is_refused_in_the_active_language():
    with translation.override("es"), pytest.raises(DefinitionError) as refused:
        definition_yaml_read("title: A\ntitle: B\n", source="la-mia.yaml")
    assert "la clave 'title' aparece dos veces en el mismo mapeo (primero en la línea 1)" in str(refused.value)
    with translation.override("es"), pytest.raises(DefinitionError) as refused:
        definition_yaml_read("", source="vacia.yaml")
    assert (
        str(refused.value) == "vacia.yaml: el archivo está vacío; una definición es un mapeo YAML de claves a valores"
    )


@pytest.mark.django_db
def test_the_operators_command_reports_in_english(tmp_path: Path, classkick: Credential):
    # load_credentials has no request and runs in LANGUAGE_CODE: its refusals read the same on every server's log.
    (tmp_path / "broken.yaml").write_text("slug: broken\ntitle: [\n", encoding="utf-8")
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("load_credentials", dir=tmp_path, stdout=StringIO(), stderr=errors)
    assert "refused broken.yaml: line 3, column 1: YAML syntax error:" in errors.getvalue()


@pytest.mark.django_db
def test_the_authoring_workspace_shows_the_problems_in_the_admins_language(
    classkick: Credential, issuer_admin: User
) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    definition = copy.deepcopy(draft.definition)
    definition["review_policy"]["due_days"] = "two weeks"
    draft_save(actor=issuer_admin, draft=draft, definition=definition, revision=draft.revision)
    issuer_admin.language = "es"
    issuer_admin.save(update_fields=["language"])
    client = Client()
    client.force_login(issuer_admin)

    html = client.get(section_url(draft, "review-policy")).content.decode()

    assert "debe ser un número entero, no &#x27;two weeks&#x27;" in html
    assert "must be a whole number" not in html
