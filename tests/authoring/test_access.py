"""Who reaches authoring: the issuer's admins and platform admins. Another issuer's admin, reviewers and educators
are answered 404 on every page and endpoint (and change nothing); anonymous visitors are sent to sign in (pages)
or answered 401 (API). The list page's query count stays flat as the issuer's credentials grow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.services.drafts import definition_yaml, draft_new, draft_start
from catalog.loader import credential_load
from catalog.models import Credential
from catalog.schema import CredentialDefinition
from pages.authoring.sections import SECTIONS

pytestmark = pytest.mark.django_db
OUTSIDERS = ["issuer_admin", "reviewer_staff", "educator"]  # issuer_admin runs Classkick, not Educators Rising
ENTITLED = ["other_issuer_admin", "platform_admin"]


@pytest.fixture
def draft(educators_rising: Credential, other_issuer_admin: User) -> CredentialDraft:
    return draft_start(actor=other_issuer_admin, credential=educators_rising)


def _pages(draft: CredentialDraft) -> list[tuple[str, str, dict[str, Any]]]:
    issuer, slug = draft.issuer.slug, draft.slug
    kw = {"slug": issuer, "credential": slug}
    gets = [
        reverse("authoring:credentials", kwargs={"slug": issuer}),
        reverse("authoring:draft", kwargs=kw),
        reverse("authoring:draft_discard", kwargs=kw),
        reverse("authoring:draft_export", kwargs=kw),
        reverse("authoring:version_export", kwargs={**kw, "number": 1}),
        *[reverse("authoring:draft_section", kwargs={**kw, "section": s.slug}) for s in SECTIONS],
    ]
    posts = [
        (reverse("authoring:credential_new", kwargs={"slug": issuer}), {"title": "X", "slug": "xx-new"}),
        (reverse("authoring:import", kwargs={"slug": issuer}), {"text": "slug: x"}),
        (reverse("authoring:draft_start", kwargs=kw), {}),
        (reverse("authoring:draft_publish", kwargs=kw), {}),
        (reverse("authoring:draft_discard", kwargs=kw), {}),
        (reverse("authoring:draft_import", kwargs=kw), {"text": "slug: x", "revision": "1"}),
        (reverse("authoring:draft_section", kwargs={**kw, "section": "basics"}), {"revision": "1", "title": "Hijack"}),
    ]
    return [("get", url, {}) for url in gets] + [("post", url, data) for url, data in posts]


def _api(draft: CredentialDraft) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/api/v1/issuers/{draft.issuer.slug}"
    one = f"{base}/drafts/{draft.slug}"
    return [
        ("get", f"{base}/drafts", None),
        ("post", f"{base}/drafts", {"slug": "xx-new", "title": "X"}),
        ("post", f"{base}/import", {"yaml": "slug: x"}),
        ("post", f"{base}/credentials/{draft.slug}/draft", None),
        ("get", f"{base}/credentials/{draft.slug}/versions/1/yaml", None),
        ("get", one, None),
        ("put", one, {"revision": 1, "definition": {"title": "Hijack"}}),
        ("post", f"{one}/validate", None),
        ("post", f"{one}/publish", {}),
        ("get", f"{one}/yaml", None),
        ("post", f"{one}/yaml", {"revision": 1, "yaml": "slug: x"}),
        ("delete", one, None),
    ]


def _call(client: Client, method: str, url: str, data: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(data) if data is not None else "", content_type="application/json")


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_everywhere_and_change_nothing(
    persona: str, request: pytest.FixtureRequest, draft: CredentialDraft
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in _pages(draft):
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 404, (persona, method, url, response.status_code)
    for method, url, body in _api(draft):
        response = _call(client, method, url, body)
        assert response.status_code == 404, (persona, method, url, response.status_code, response.content[:200])
    stored = CredentialDraft.objects.get(pk=draft.pk)
    assert (stored.revision, stored.definition["title"]) == (1, "Collaboration")
    assert CredentialDraft.objects.count() == 1


def test_anonymous_visitors_sign_in_first_and_the_api_answers_401(draft: CredentialDraft) -> None:
    client = Client()
    for method, url, data in _pages(draft):
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    for method, url, body in _api(draft):
        assert _call(client, method, url, body).status_code == 401, (method, url)


@pytest.mark.parametrize("persona", ENTITLED)
def test_the_issuers_admins_and_platform_admins_reach_every_page(
    persona: str, request: pytest.FixtureRequest, draft: CredentialDraft
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for method, url, _ in _pages(draft):
        if method == "get":
            assert client.get(url).status_code == 200, url
    response = client.get(f"/api/v1/issuers/{draft.issuer.slug}/drafts/{draft.slug}")
    assert response.status_code == 200
    assert response.json()["problems"] == []


def test_the_api_saves_validates_and_publishes_with_problems_at_their_path(
    draft: CredentialDraft, other_issuer_admin: User
) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    one = f"/api/v1/issuers/{draft.issuer.slug}/drafts/{draft.slug}"
    definition = json.loads(json.dumps(draft.definition))
    definition["review_policy"]["due_days"] = 0
    saved = client.put(one, {"revision": 1, "definition": definition}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["revision"] == 2
    assert saved.json()["problems"] == [{"field": "review_policy.due_days", "message": "must be 1 or more, not 0"}]
    stale = client.put(one, {"revision": 1, "definition": definition}, content_type="application/json")
    assert stale.status_code == 409
    refused = client.post(f"{one}/validate")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "review_policy.due_days"
    assert client.post(f"{one}/publish", "{}", content_type="application/json").status_code == 422
    definition["review_policy"]["due_days"] = 21
    client.put(one, {"revision": 2, "definition": definition}, content_type="application/json")
    assert client.post(f"{one}/validate").json() == {"valid": True}
    published = client.post(f"{one}/publish", "{}", content_type="application/json")
    assert published.status_code == 200
    assert published.json()["version"] == 2
    assert published.json()["created"] is True
    exported = client.get(f"/api/v1/issuers/{draft.issuer.slug}/credentials/{draft.slug}/versions/2/yaml")
    assert exported.status_code == 200
    assert "due_days: 21" in exported.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"revision": "one", "definition": {}}',
        '{"revision": 1, "definition": []}',
        '{"revision": 1}',
        '{"revision": -1, "definition": {}}',
        '{"revision": 1, "definition": {"slug": "other"}, "extra": 1}',
        '{"revision": 1, "definition": {"slug": "educators-rising-collaboration", "parts": "\\u0000"}}',
    ],
)
def test_bad_api_input_is_a_4xx_naming_the_field(draft: CredentialDraft, other_issuer_admin: User, body: str) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    response = client.put(
        f"/api/v1/issuers/{draft.issuer.slug}/drafts/{draft.slug}", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, (body, response.status_code)
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "yaml_text", ["", "::", "- 1", "slug: [", "a: 1\na: 2", "issuer: {slug: educators-rising}\nslug: 7"]
)
def test_bad_yaml_never_fails_the_pages(draft: CredentialDraft, other_issuer_admin: User, yaml_text: str) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    kw = {"slug": draft.issuer.slug, "credential": draft.slug}
    response = client.post(reverse("authoring:draft_import", kwargs=kw), {"text": yaml_text, "revision": "1"})
    assert response.status_code in (302, 422)
    response = client.post(reverse("authoring:import", kwargs={"slug": draft.issuer.slug}), {"text": yaml_text})
    assert response.status_code in (302, 422)
    assert b"There is a problem" in response.content or response.status_code == 302


def test_publishing_from_the_page_and_the_problems_it_lists(draft: CredentialDraft, other_issuer_admin: User) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    kw = {"slug": draft.issuer.slug, "credential": draft.slug}
    client.post(reverse("authoring:draft_section", kwargs={**kw, "section": "basics"}), {"revision": "1"})
    overview = client.get(reverse("authoring:draft", kwargs=kw))
    assert b"problems to fix before publishing" in overview.content
    assert b"title" in overview.content
    refused = client.post(reverse("authoring:draft_publish", kwargs=kw))
    assert refused.status_code == 422
    assert b"Not published" in refused.content


def test_the_list_page_query_count_is_flat(educators_rising: Credential, other_issuer_admin: User) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    url = reverse("authoring:credentials", kwargs={"slug": educators_rising.issuer.slug})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    base = CredentialDefinition.model_validate(educators_rising.current_version.definition)  # type: ignore[union-attr]
    for n in range(6):
        copy = base.model_copy(update={"slug": f"copy-{n}"})
        credential_load(definition=copy, source_name="test")
        draft_start(actor=other_issuer_admin, credential=Credential.objects.get(slug=f"copy-{n}"))
        draft_new(actor=other_issuer_admin, issuer=educators_rising.issuer, slug=f"new-{n}", title=f"New {n}")
    assert count() == small


def test_yaml_export_is_a_download(draft: CredentialDraft, other_issuer_admin: User) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    kw = {"slug": draft.issuer.slug, "credential": draft.slug}
    response = client.get(reverse("authoring:draft_export", kwargs=kw))
    assert response["Content-Type"].startswith("application/yaml")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode() == definition_yaml(draft.definition)


def test_the_issuer_pages_link_to_the_credentials(educators_rising: Credential, other_issuer_admin: User) -> None:
    client = Client()
    client.force_login(other_issuer_admin)
    url = reverse("authoring:credentials", kwargs={"slug": educators_rising.issuer.slug})
    page = client.get(reverse("issuers:reviewers", kwargs={"slug": educators_rising.issuer.slug}))
    assert f'href="{url}"'.encode() in page.content
