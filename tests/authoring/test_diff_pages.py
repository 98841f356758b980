"""The versions list and the diff page (and their API): what changed by path and as YAML, between versions and
between the current version and the draft; who published each version; who may see them, by persona."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from authoring.models import CredentialDraft
from authoring.services.drafts import draft_publish, draft_save, draft_start
from catalog.models import Credential
from tests.catalog.catalog_helpers import Html, text_of

PATH = "parts.artifacts.fields.narrative.max_words"


def url(name: str, credential: Credential, query: str = "") -> str:
    return reverse(f"authoring:{name}", args=[credential.issuer.slug, credential.slug]) + query


def api(credential: Credential, rest: str) -> str:
    return f"/api/v1/issuers/{credential.issuer.slug}/credentials/{credential.slug}/{rest}"


@pytest.fixture
def rising_admin(make_user, educators_rising: Credential) -> User:
    user = make_user("rae@educatorsrising.example", "Rae Rising")
    membership_grant(actor=None, user=user, issuer=educators_rising.issuer, role=IssuerMembership.Role.ADMIN)
    return user


def edit(admin: User, credential: Credential, change: Any) -> CredentialDraft:
    draft = draft_start(actor=admin, credential=credential)
    definition = copy.deepcopy(draft.definition)
    change(definition)
    return draft_save(actor=admin, draft=draft, definition=definition, revision=draft.revision)


def narrative_to(words: int) -> Any:
    def change(definition: dict[str, Any]) -> None:
        part = next(p for p in definition["parts"] if p["id"] == "artifacts")
        next(f for f in part["fields"] if f["id"] == "narrative")["max_words"] = words

    return change


@pytest.fixture
def draft_600(rising_admin: User, educators_rising: Credential) -> CredentialDraft:
    return edit(rising_admin, educators_rising, narrative_to(600))


@pytest.mark.parametrize("persona", ["educator", "reviewer_staff", "issuer_admin"])
def test_anyone_but_the_issuers_admins_gets_404(client, request, persona, draft_600, educators_rising):
    # issuer_admin is Classkick's: another issuer's admin here.
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("versions", educators_rising)).status_code == 404
    assert client.get(url("diff", educators_rising)).status_code == 404
    assert client.get(api(educators_rising, "versions")).status_code == 404
    assert client.get(api(educators_rising, "versions/diff")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_or_told_401(client, educators_rising):
    for name in ("versions", "diff"):
        response = client.get(url(name, educators_rising))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert client.get(api(educators_rising, "versions")).status_code == 401
    assert client.get(api(educators_rising, "versions/diff")).status_code == 401


def test_the_diff_of_the_draft_names_the_change_by_path_with_labelled_ins_and_del(
    client, rising_admin, draft_600, educators_rising
):
    client.force_login(rising_admin)
    page = Html(client.get(url("diff", educators_rising)).content)
    assert text_of(page.one("h1")) == "What changed from version 1 to the draft"
    [row] = page.all("table.diff-changes tbody tr")
    assert text_of(row.query("th[scope=row]")) == PATH
    assert text_of(row.query("del")) == "Before: 500"
    assert text_of(row.query("ins")) == "After: 600"
    assert page.texts("table.diff-changes th[scope=col]") == [
        "Where",
        "Change",
        "Before (version 1)",
        "After (the draft)",
    ]
    yaml_lines = page.one("pre.yaml-diff")
    assert [text_of(d) for d in yaml_lines.query_all("del")] == ["Removed: max_words: 500"]
    assert [text_of(i) for i in yaml_lines.query_all("ins")] == ["Added: max_words: 600"]


def test_after_publishing_the_versions_list_and_the_diff_between_versions(
    client, rising_admin, draft_600, educators_rising
):
    draft_publish(actor=rising_admin, draft=draft_600)
    client.force_login(rising_admin)
    page = Html(client.get(url("versions", educators_rising)).content)
    rows = [[text_of(cell) for cell in row.query_all("th, td")] for row in page.all("table.versions tbody tr")]
    assert [row[0] for row in rows] == ["v2 (current)", "v1"]
    assert rows[0][3] == "Rae Rising"
    assert rows[1][3] == "Loaded from a file"
    assert rows[1][2] == "educators-rising-collaboration.yaml"
    assert "Changes in v2" in rows[0][4]

    diff = Html(client.get(url("diff", educators_rising)).content)  # default: the one before → the current
    assert text_of(diff.one("h1")) == "What changed from version 1 to version 2"
    assert diff.texts("table.diff-changes th[scope=row]") == [PATH]
    backwards = Html(client.get(url("diff", educators_rising, "?from=2&to=1")).content)
    assert "600" in text_of(backwards.one("table.diff-changes del"))

    same = Html(client.get(url("diff", educators_rising, "?from=2&to=2")).content)
    assert "Nothing changed" in same.text
    assert not same.all("pre.yaml-diff")


@pytest.mark.parametrize("query", ["?from=9&to=1", "?from=1&to=draft", "?from=x&to=1", "?from=" + "9" * 30])
def test_a_version_that_does_not_exist_is_404(client, rising_admin, educators_rising, query):
    client.force_login(rising_admin)
    assert client.get(url("diff", educators_rising, query)).status_code == 404


def test_with_one_version_and_no_draft_there_is_nothing_to_compare(client, rising_admin, educators_rising):
    client.force_login(rising_admin)
    assert client.get(url("versions", educators_rising)).status_code == 200
    assert client.get(url("diff", educators_rising)).status_code == 404


def _count(client: Any, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_versions_list_keeps_a_flat_query_count(client, rising_admin, educators_rising):
    client.force_login(rising_admin)
    draft_publish(actor=rising_admin, draft=edit(rising_admin, educators_rising, narrative_to(600)))
    few = _count(client, url("versions", educators_rising))
    for words in (610, 620, 630, 640, 650):
        educators_rising.refresh_from_db()
        draft_publish(actor=rising_admin, draft=edit(rising_admin, educators_rising, narrative_to(words)))
    page = _count(client, url("versions", educators_rising))
    assert page == few
    assert len(Html(client.get(url("versions", educators_rising)).content).all("table.versions tbody tr")) == 7


def test_the_api_lists_versions_and_diffs_them(client, rising_admin, draft_600, educators_rising):
    client.force_login(rising_admin)
    [only] = client.get(api(educators_rising, "versions")).json()
    assert (only["number"], only["is_current"], only["published_by"]) == (1, True, None)
    body = client.get(api(educators_rising, "versions/diff")).json()
    assert (body["old"], body["new"]) == ("1", "draft")
    assert body["changes"] == [{"path": PATH, "kind": "changed", "old": 500, "new": 600}]
    changed = [line for line in body["unified"].splitlines() if line.startswith(("+", "-"))]
    assert [line[0] + line[1:].strip() for line in changed] == ["-max_words: 500", "+max_words: 600"]
    assert client.get(api(educators_rising, "versions/diff?old=7&new=1")).status_code == 404
