"""The API's refusals speak the caller's language (Accept-Language): the human `detail` and each field's `message`
are translated, while the status, the field names and the shape of the body stay the same in every language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.submissions.api_client import as_token


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "no such API path: /api/v1/nowhere; see /api/v1/docs"), ("es", "no existe la ruta de la API")],
)
def test_an_unknown_path_is_refused_in_the_callers_language(db: Any, language: str, words: str) -> None:
    response = Client().get("/api/v1/nowhere", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert words in response.json()["detail"]


def test_a_body_that_is_not_json_is_refused_in_spanish_naming_the_same_field(educator: User) -> None:
    client = as_token(educator)
    english = client.post("", "{not json")
    spanish = client.post("", "{not json", HTTP_ACCEPT_LANGUAGE="es")
    assert english.status_code == spanish.status_code == 400
    assert english.json()["detail"].startswith("the request body is not valid JSON")
    assert spanish.json()["detail"].startswith("el cuerpo de la solicitud no es JSON válido")
    assert [e["field"] for e in spanish.json()["errors"]] == [e["field"] for e in english.json()["errors"]]


def test_a_missing_key_is_named_in_spanish_with_the_same_field(educator: User) -> None:
    client = as_token(educator)
    english = client.post("", {})
    spanish = client.post("", {}, HTTP_ACCEPT_LANGUAGE="es")
    assert english.status_code == spanish.status_code == 422
    fields = [e["field"] for e in english.json()["errors"]]
    assert fields
    assert [e["field"] for e in spanish.json()["errors"]] == fields
    assert "es obligatorio y falta" in spanish.json()["detail"]
