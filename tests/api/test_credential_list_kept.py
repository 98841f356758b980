"""GET /api/v1/credentials is kept under the catalog's version: a repeat is one query, and any change to what the
list shows or filters on is in the very next answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from catalog.loader import credentials_load_dir
from catalog.models import Credential, Issuer
from tests.catalog.catalog_helpers import (
    HARBOR,
    RIVERBEND,
    fixture_data,
    load_fixture_credentials,
    write_definition,
)

LIST = "/api/v1/credentials"


@pytest.fixture
def catalog(db: object) -> dict[str, Credential]:
    credentials = load_fixture_credentials()
    cache.clear()  # another test may have kept an answer for the same rows
    return credentials


def listed(client: Client, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    response = client.get(LIST, params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body, list)
    return body


def test_a_repeat_is_the_same_answer_for_one_query(client, catalog, django_assert_num_queries):
    drawn = client.get(LIST)
    with django_assert_num_queries(1):  # the catalog's version; the answer itself is kept
        kept = client.get(LIST)
    assert kept.content == drawn.content
    assert kept["Content-Type"] == drawn["Content-Type"]
    cache.clear()
    assert client.get(LIST).content == kept.content  # drawn afresh, byte for byte what was kept


def test_a_retitled_credential_is_in_the_very_next_answer_in_its_new_place(client, catalog):
    assert [c["slug"] for c in listed(client)] == [RIVERBEND, HARBOR]
    # A queryset update sends no signal, as a write from another process would not reach this one.
    Credential.objects.filter(slug=HARBOR).update(title="A harbor lab")
    entries = listed(client)
    assert [c["slug"] for c in entries] == [HARBOR, RIVERBEND]
    assert entries[0]["title"] == "A harbor lab"


def test_an_issuer_renamed_is_in_the_very_next_answer(client, catalog):
    listed(client)
    Issuer.objects.filter(slug="harbor-science").update(name="Harbor Science Guild")
    by_slug = {c["slug"]: c for c in listed(client, {"issuer": "harbor-science"})}
    assert by_slug[HARBOR]["issuer"]["name"] == "Harbor Science Guild"
    assert listed(client)[1]["issuer"]["name"] == "Harbor Science Guild"


def test_an_unpublished_credential_leaves_the_very_next_answer(client, catalog):
    assert len(listed(client, {"grade_band": "middle_school"})) == 1
    assert len(listed(client)) == 2
    Credential.objects.filter(slug=RIVERBEND).update(is_published=False)
    assert [c["slug"] for c in listed(client)] == [HARBOR]
    assert listed(client, {"grade_band": "middle_school"}) == []


def test_a_new_version_is_in_the_very_next_answer(client, catalog, tmp_path: Path):
    before = listed(client)[0]
    assert (before["kind_label"], before["version"]["number"]) == ("Practice badge", 1)
    data = fixture_data(RIVERBEND)
    data["kind_label"] = "Studio badge"
    write_definition(tmp_path, data)
    _, errors = credentials_load_dir(tmp_path)
    assert not errors, [str(e) for e in errors]
    after = listed(client)[0]
    assert (after["kind_label"], after["version"]["number"]) == ("Studio badge", 2)
    assert after["version"]["content_hash"] != before["version"]["content_hash"]


def test_a_filter_on_a_value_the_catalog_has_is_kept(client, catalog, django_assert_num_queries):
    # The version, the issuers and standards that bound what is kept, the list, and the version again.
    with django_assert_num_queries(4):
        assert [c["slug"] for c in listed(client, {"issuer": "harbor-science"})] == [HARBOR]
    with django_assert_num_queries(1):
        assert [c["slug"] for c in listed(client, {"issuer": "harbor-science"})] == [HARBOR]
    with django_assert_num_queries(3):  # another filter: the issuers and standards are kept already
        assert [c["slug"] for c in listed(client, {"standard": "RTS-5"})] == [RIVERBEND]
    with django_assert_num_queries(1):
        assert [c["slug"] for c in listed(client, {"standard": "RTS-5"})] == [RIVERBEND]
    with django_assert_num_queries(3):  # a grade band is one of a few, with no need to ask which
        assert [c["slug"] for c in listed(client, {"grade_band": "primary"})] == [HARBOR]
    with django_assert_num_queries(1):
        assert [c["slug"] for c in listed(client, {"grade_band": "primary"})] == [HARBOR]


@pytest.mark.parametrize(
    "params",
    [
        {"issuer": "no-such-issuer"},
        {"standard": "RTS-99"},
        {"issuer": "riverbend-commons", "standard": "RTS-5"},
        {"grade_band": "high_school", "standard": "RTS-5"},
        {"q": "feedback"},
        {"q": "feedback", "issuer": "harbor"},
    ],
)
def test_a_value_no_credential_has_a_combination_or_a_search_is_never_kept(
    client, catalog, params, django_assert_num_queries
):
    # What is kept stays bounded by the catalog's own values, however many different requests come.
    first = client.get(LIST, params)
    assert first.status_code == 200
    for _ in range(2):
        queries = 1 if "q" in params else 2  # the list (and, unless searching, the version), never from the cache
        with django_assert_num_queries(queries):
            assert client.get(LIST, params).content == first.content


def test_every_persona_gets_the_kept_answer(client, catalog, educator, platform_admin):
    anonymous = client.get(LIST).content
    for person in (educator, platform_admin):
        signed_in = Client()
        signed_in.force_login(person)
        assert signed_in.get(LIST).content == anonymous
