"""The credentials API: GET /api/v1/credentials and /api/v1/credentials/{slug}."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from catalog.models import Credential
from tests.catalog.catalog_helpers import HARBOR, RIVERBEND, load_fixture_credentials, load_variants
from tests.conftest import CLASSKICK, EDUCATORS_RISING

LIST = "/api/v1/credentials"


def detail(slug: str) -> str:
    return f"{LIST}/{slug}"


@pytest.fixture
def fixture_credentials(db: object) -> dict[str, Credential]:
    return load_fixture_credentials()


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()]


def test_it_lists_published_credentials_with_their_summary(client, fixture_credentials):
    response = client.get(LIST)
    assert response.status_code == 200
    riverbend, harbor = response.json()
    version = fixture_credentials[RIVERBEND].current_version
    assert riverbend == {
        "slug": RIVERBEND,
        "title": "Formative Feedback",
        "issuer": {
            "slug": "riverbend-commons",
            "name": "Riverbend Teaching Commons",
            "url": "https://riverbend.example/",
        },
        "kind_label": "Practice badge",
        "summary": "Give learners timely, specific feedback during a unit and show how it changed what they did next.",
        "grade_bands": ["middle_school", "high_school"],
        "standards": {
            "framework": "Riverbend Teaching Standards",
            "alignments": [
                {"code": "RTS-3", "title": "Assessment for learning"},
                {"code": "RTS-5", "title": "Responsive instruction"},
            ],
        },
        "graduate_credit_available": True,
        "version": {"number": 1, "content_hash": version.content_hash},
        "urls": {
            "page": f"{settings.SITE_URL}/credentials/{RIVERBEND}/",
            "requirements_pdf": f"{settings.SITE_URL}/credentials/{RIVERBEND}/requirements.pdf",
            "api": f"{settings.SITE_URL}/api/v1/credentials/{RIVERBEND}",
        },
    }
    assert harbor["slug"] == HARBOR
    assert harbor["standards"] is None
    assert harbor["graduate_credit_available"] is False
    assert harbor["kind_label"] == "Micro-credential"


def test_it_leaves_out_unpublished_credentials(client, fixture_credentials):
    Credential.objects.filter(slug=HARBOR).update(is_published=False)
    assert slugs(client.get(LIST)) == [RIVERBEND]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "FEEDBACK"}, [RIVERBEND]),
        ({"q": "routine safety"}, [HARBOR]),
        ({"q": "nothing like this"}, []),
        ({"issuer": "harbor-science"}, [HARBOR]),
        ({"issuer": "unknown-issuer"}, []),
        ({"standard": "RTS-5"}, [RIVERBEND]),
        ({"standard": "RTS"}, []),  # whole codes only
        ({"grade_band": "primary"}, [HARBOR]),
        ({"grade_band": "college"}, []),
        ({"q": "feedback", "grade_band": "high_school", "issuer": "riverbend-commons"}, [RIVERBEND]),
        ({"q": "feedback", "grade_band": "primary"}, []),
    ],
)
def test_it_filters_as_the_list_page_does(client, fixture_credentials, params, expected):
    assert slugs(client.get(LIST, params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"grade_band": "kindergarten"}, "grade_band"),
        ({"issuer": "Not A Slug!"}, "issuer"),
        ({"q": "x" * 201}, "q"),
        ({"standard": "S" * 41}, "standard"),
        ({"q": "feed\x00back"}, "q"),
        ({"standard": "RTS\x00"}, "standard"),
    ],
)
def test_it_refuses_a_bad_filter_naming_the_field(client, fixture_credentials, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert f'"{field}"' in json.dumps(response.json())


def test_it_names_the_grade_bands_it_accepts(client, fixture_credentials):
    body = json.dumps(client.get(LIST, {"grade_band": "k12"}).json())
    for band in ("primary", "intermediate", "middle_school", "high_school", "college"):
        assert band in body


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_keeps_a_flat_query_count(client, db, tmp_path, count, django_assert_num_queries):
    load_variants(tmp_path, count)
    cache.clear()  # another test may have drawn the same rows
    # The catalog's version, the credentials, and the version again (the answer is kept only if nothing changed).
    with django_assert_num_queries(3):
        response = client.get(LIST, {"grade_band": "high_school"})
    assert len(slugs(response)) == count
    with django_assert_num_queries(1):  # the answer is kept per version of the catalog and filters
        again = client.get(LIST, {"grade_band": "high_school"})
    assert again.content == response.content
    with django_assert_num_queries(1):  # a free-text search is never kept
        assert len(slugs(client.get(LIST, {"q": "variant", "grade_band": "high_school"}))) == count


def test_it_returns_the_whole_definition(client, fixture_credentials):
    version = fixture_credentials[RIVERBEND].current_version
    response = client.get(detail(RIVERBEND))
    assert response.status_code == 200
    body = response.json()
    assert body["definition"] == version.spec.model_dump(mode="json")
    assert body["definition"]["rubric"]["passing_level"] == "proficient"
    assert body["definition"]["parts"][1]["fields"][0]["item_fields"][3]["media"] == "audio"
    assert body["version"] == {"number": 1, "content_hash": version.content_hash}
    assert body["issuer"] == {
        "slug": "riverbend-commons",
        "name": "Riverbend Teaching Commons",
        "url": "https://riverbend.example/",
    }
    assert body["urls"]["requirements_pdf"].endswith(f"/credentials/{RIVERBEND}/requirements.pdf")


def test_an_unknown_slug_is_a_json_404(client, fixture_credentials):
    response = client.get(detail("no-such-credential"))
    assert response.status_code == 404
    assert response.json() == {"detail": "No published credential has the slug 'no-such-credential'."}


PERSONAS = ["anonymous", "educator", "platform_admin"]


def _as(persona: str, client: Client, request: pytest.FixtureRequest) -> Client:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_catalog_is_public_to_everyone(client, fixture_credentials, persona, request):
    client = _as(persona, client, request)
    assert slugs(client.get(LIST)) == [RIVERBEND, HARBOR]
    assert client.get(detail(HARBOR)).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unpublished_credential_is_a_404_for_everyone(client, fixture_credentials, persona, request):
    Credential.objects.filter(slug=HARBOR).update(is_published=False)
    response = _as(persona, client, request).get(detail(HARBOR))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.once  # the document is made from the routes, not from the database
def test_the_openapi_document_describes_both_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    listing = paths["/api/v1/credentials"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "issuer", "standard", "grade_band"}
    grade_band = next(p for p in listing["parameters"] if p["name"] == "grade_band")
    assert "college" in json.dumps(grade_band["schema"])
    one = paths["/api/v1/credentials/{slug}"]["get"]
    assert set(one["responses"]) >= {"200", "404"}


def test_the_api_only_reads(client, fixture_credentials):
    assert client.post(LIST, data={}, content_type="application/json").status_code == 405


# ----- the real programs -------------------------------------------------------------------

REAL_PERSONAS = ["anonymous", "educator", "reviewer_staff", "issuer_admin", "other_issuer_admin", "platform_admin"]


@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_it_returns_each_real_programs_whole_definition(client, credentials, slug):
    body = client.get(detail(slug)).json()
    spec = credentials[slug].current_version.spec
    assert body["definition"] == spec.model_dump(mode="json")
    assert body["definition"]["review_policy"]["pass_rule"] == spec.review_policy.pass_rule
    assert body["version"]["content_hash"] == credentials[slug].current_version.content_hash


def test_the_real_programs_filter_by_grade_band_and_standard(client, credentials):
    assert slugs(client.get(LIST)) == [CLASSKICK, EDUCATORS_RISING]
    assert slugs(client.get(LIST, {"grade_band": "college"})) == [CLASSKICK]
    assert slugs(client.get(LIST, {"standard": "VII"})) == [EDUCATORS_RISING]
    educators_rising = client.get(LIST, {"issuer": "educators-rising"}).json()[0]
    assert educators_rising["graduate_credit_available"] is True
    assert [a["code"] for a in educators_rising["standards"]["alignments"]] == ["I", "II", "IV", "V", "VI", "VII"]


@pytest.mark.parametrize("persona", REAL_PERSONAS)
def test_every_persona_reads_the_same_public_catalog(client, credentials, persona, request):
    client = _as(persona, client, request)
    assert slugs(client.get(LIST)) == [CLASSKICK, EDUCATORS_RISING]
    assert client.get(detail(CLASSKICK)).status_code == 200
    Credential.objects.filter(slug=CLASSKICK).update(is_published=False)
    assert slugs(client.get(LIST)) == [EDUCATORS_RISING]
    assert client.get(detail(CLASSKICK)).status_code == 404


def test_the_api_docs_page_loads_nothing_from_another_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert "https://" not in page.split("<body", 1)[0]  # no stylesheet or script from elsewhere
