"""The generated editor: every key of the schema on a page, a page saved untouched changes nothing, each kind of
input round-trips, the buttons (add, remove, move, optional parts) work, and bad input is kept, not refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.services.drafts import draft_save, draft_start
from catalog.loader import definition_hash
from catalog.models import Credential, CredentialVersion
from catalog.schema import CredentialDefinition
from pages.authoring.sections import SECTIONS
from tests.authoring.helpers import post_section, save_every_section, section_url, signed_in

pytestmark = pytest.mark.django_db


def _current(credential: Credential) -> CredentialVersion:
    assert credential.current_version is not None
    return credential.current_version


def _hash(definition: dict[str, Any]) -> str:
    return definition_hash(CredentialDefinition.model_validate(definition))


def test_every_top_level_key_of_the_schema_is_on_exactly_one_page() -> None:
    keys = [key for section in SECTIONS for key in section.keys]
    assert sorted(keys) == sorted(CredentialDefinition.model_fields)
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("program", ["classkick", "educators_rising"])
def test_saving_every_page_untouched_keeps_the_content_hash(
    program: str, request: pytest.FixtureRequest, platform_admin: User
) -> None:
    credential: Credential = request.getfixturevalue(program)
    draft = draft_start(actor=platform_admin, credential=credential)
    before = _current(credential).content_hash
    save_every_section(signed_in(platform_admin), draft)
    draft.refresh_from_db()
    assert draft.revision == 1 + len(SECTIONS)
    assert _hash(draft.definition) == before


def test_a_changed_limit_is_saved_where_it_belongs(educators_rising: Credential, other_issuer_admin: User) -> None:
    draft = draft_start(actor=other_issuer_admin, credential=educators_rising)
    client = signed_in(other_issuer_admin)
    parts = draft.definition["parts"]
    p = next(i for i, part in enumerate(parts) if part["id"] == "artifacts")
    f = next(i for i, field in enumerate(parts[p]["fields"]) if field["id"] == "narrative")
    response = post_section(client, draft, "submission", {f"parts[{p}].fields[{f}].max_words": "600"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.definition["parts"][p]["fields"][f]["max_words"] == 600
    spec = CredentialDefinition.model_validate(draft.definition)
    assert spec.field_at("artifacts.narrative").max_words == 600  # type: ignore[union-attr]


def test_bad_input_is_kept_and_shown_at_its_field(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    client = signed_in(issuer_admin)
    response = post_section(client, draft, "review-policy", {"review_policy.due_days": "two weeks"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.definition["review_policy"]["due_days"] == "two weeks"
    page = client.get(section_url(draft, "review-policy"))
    html = page.content.decode()
    assert 'id="f-review_policy-due_days"' in html
    assert 'value="two weeks"' in html
    assert "must be a whole number, not &#x27;two weeks&#x27;" in html
    assert 'href="#f-review_policy-due_days"' in html
    assert 'aria-describedby="f-review_policy-due_days-hint f-review_policy-due_days-error"' in html


def test_a_stale_page_is_refused_and_keeps_what_was_typed(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    client = signed_in(issuer_admin)
    first = client.get(section_url(draft, "basics"))
    post_section(client, draft, "basics", {"title": "Someone else's title"})
    from tests.authoring.helpers import form_fields

    data: dict[str, list[str]] = {}
    for name, value in form_fields(first.content):
        data.setdefault(name, []).append("My title" if name == "title" else value)
    data["_action"] = ["save"]
    response = client.post(section_url(draft, "basics"), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "saved by Ada Admin since you opened it" in html
    assert 'value="My title"' in html
    draft.refresh_from_db()
    assert draft.definition["title"] == "Someone else's title"


def test_the_buttons_add_move_and_remove_entries(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    client = signed_in(issuer_admin)
    count = len(draft.definition["parts"][0]["fields"])
    data_kind = {"_kind:parts[0].fields": "date"}
    response = post_section(client, draft, "submission", data_kind, action="add-kind:parts[0].fields")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.definition["parts"][0]["fields"][-1] == {"kind": "date"}
    post_section(
        client,
        draft,
        "submission",
        {f"parts[0].fields[{count}].id": "held_on", f"parts[0].fields[{count}].label": "When"},
    )
    post_section(client, draft, "submission", action=f"up:parts[0].fields[{count}]")
    draft.refresh_from_db()
    assert draft.definition["parts"][0]["fields"][count - 1]["id"] == "held_on"
    post_section(client, draft, "submission", action=f"remove:parts[0].fields[{count - 1}]")
    draft.refresh_from_db()
    assert [f["id"] for f in draft.definition["parts"][0]["fields"]] == [
        f["id"] for f in _current(classkick).definition["parts"][0]["fields"]
    ]
    assert _hash(draft.definition) == _current(classkick).content_hash


def test_an_optional_part_is_added_and_removed(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    client = signed_in(issuer_admin)
    post_section(client, draft, "review-policy", action="drop:review_policy.adjudication")
    draft.refresh_from_db()
    had = "adjudication" in _current(classkick).definition["review_policy"]
    assert "adjudication" not in draft.definition["review_policy"]
    post_section(client, draft, "review-policy", action="create:review_policy.adjudication")
    draft.refresh_from_db()
    assert draft.definition["review_policy"]["adjudication"] == {} or had


@pytest.mark.parametrize(
    "action",
    [
        "add-item:nowhere",
        "remove:parts[99]",
        "up:parts[0]",
        "down:rubric",
        "create:",
        "drop:x.y.z",
        "add-kind:parts",
        "remove:rubric.criteria[0].descriptors[9]",
        "nonsense",
        ":",
    ],
)
def test_a_forged_button_changes_nothing_harmful(classkick: Credential, issuer_admin: User, action: str) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    response = post_section(signed_in(issuer_admin), draft, "submission", action=action)
    assert response.status_code == 302


def test_forged_counts_and_values_never_fail(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    client = Client()
    client.force_login(issuer_admin)
    response = client.post(
        section_url(draft, "rubric"),
        {"revision": "x", "_n:rubric.levels": "100000000", "rubric.passing_level": "\x00", "_action": "save"},
    )
    assert response.status_code in (302, 409)
    response = client.post(
        section_url(draft, "rubric"),
        {"revision": str(draft.revision), "_n:rubric.levels": "-3", "_n:rubric.criteria": "zz", "_action": "save"},
    )
    assert response.status_code == 302
    draft = CredentialDraft.objects.get(pk=draft.pk)
    assert draft.definition["rubric"]["levels"] == []
    assert client.get(section_url(draft, "rubric")).status_code == 200


def test_every_page_draws_and_saves_a_draft_of_the_wrong_shape(classkick: Credential, issuer_admin: User) -> None:
    # What an imported file may hold: values of the wrong type everywhere, unknown keys, unknown kinds.
    draft = draft_start(actor=issuer_admin, credential=classkick)
    broken = {
        **draft.definition,
        "title": ["a", "list"],
        "grade_bands": "primary",
        "page_order": {"not": "a list"},
        "issuer": "Classkick",
        "parts": [{"id": "p", "title": "P", "fields": [{"kind": "hologram", "id": "x"}, 7]}, "loose"],
        "checks": [{"kind": None}],
        "rubric": {"levels": "two", "criteria": [{"descriptors": ["x"]}], "colour": "blue"},
        "review_policy": None,
        "standards": 12,
        "license": [],
    }
    draft = draft_save(actor=issuer_admin, draft=draft, definition=broken, revision=1)
    client = signed_in(issuer_admin)
    for section in SECTIONS:
        assert client.get(section_url(draft, section.slug)).status_code == 200, section.slug
        response = post_section(client, draft, section.slug)
        assert response.status_code == 302, section.slug
        draft.refresh_from_db()
    overview = client.get(f"/issuers/{draft.issuer.slug}/credentials/{draft.slug}/draft/")
    assert overview.status_code == 200
