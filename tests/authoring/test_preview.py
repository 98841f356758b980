"""The preview of a draft: the credential page, the educator's form and the reviewer's scoring page drawn from
the unpublished definition by the real pages' builders and templates, read-only and bannered; a draft that does
not validate shows its problems instead; and who may see it, by persona."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from authoring.models import CredentialDraft
from authoring.services.drafts import draft_new, draft_save, draft_start
from catalog.models import Credential, CredentialVersion
from tests.catalog.catalog_helpers import Html, text_of

BANNER = "Preview — not published"


def url(name: str, credential: Credential, query: str = "") -> str:
    return reverse(f"authoring:{name}", args=[credential.issuer.slug, credential.slug]) + query


@pytest.fixture
def rising_admin(make_user, educators_rising: Credential) -> User:
    user = make_user("rae@educatorsrising.example", "Rae Rising")
    membership_grant(actor=None, user=user, issuer=educators_rising.issuer, role=IssuerMembership.Role.ADMIN)
    return user


def _narrative(definition: dict[str, Any]) -> dict[str, Any]:
    part = next(p for p in definition["parts"] if p["id"] == "artifacts")
    return next(f for f in part["fields"] if f["id"] == "narrative")


@pytest.fixture
def draft_600(rising_admin: User, educators_rising: Credential) -> CredentialDraft:
    """A draft of Educators Rising whose narrative may run to 600 words instead of 500."""
    draft = draft_start(actor=rising_admin, credential=educators_rising)
    definition = copy.deepcopy(draft.definition)
    _narrative(definition)["max_words"] = 600
    definition["title"] = "Collaboration (revised)"
    return draft_save(actor=rising_admin, draft=draft, definition=definition, revision=draft.revision)


@pytest.mark.parametrize("persona", ["educator", "reviewer_staff", "issuer_admin"])
@pytest.mark.parametrize("page", ["preview", "preview_form", "preview_scoring"])
def test_anyone_but_the_issuers_admins_gets_404(client, request, persona, page, draft_600, educators_rising):
    # issuer_admin is Classkick's: another issuer's admin here.
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(page, educators_rising)).status_code == 404


@pytest.mark.parametrize("page", ["preview", "preview_form", "preview_scoring"])
def test_anonymous_visitors_are_sent_to_sign_in(client, page, educators_rising):
    response = client.get(url(page, educators_rising))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_credential_page_is_the_real_one_drawn_from_the_draft(client, rising_admin, draft_600, educators_rising):
    client.force_login(rising_admin)
    page = Html(client.get(url("preview", educators_rising)).content)
    assert BANNER in text_of(page.one(".preview-banner"))
    assert text_of(page.one("h1#credential-title")) == "Collaboration (revised)"
    assert "v2" in text_of(page.one(".facts"))  # the version it would become
    assert page.one("#section-submission")  # the catalog's own section template
    assert page.all(".draft-note")  # with the markers the draft still carries
    # Nothing to act on: the start button is disabled, no form posts anywhere.
    assert page.one(".credential-actions button").etree_element.get("disabled") is not None
    actions = {f.etree_element.get("action") for f in page.all("form[method=post]")}
    # Only the site header's: signing out, resending the confirmation, choosing the language.
    assert all(action.startswith(("/accounts/", "/i18n/")) for action in actions), actions
    # Nothing was saved: still one version, the public page unchanged.
    assert CredentialVersion.objects.filter(credential=educators_rising).count() == 1
    public = Html(client.get(reverse("catalog:detail", args=[educators_rising.slug])).content)
    assert text_of(public.one("h1#credential-title")) == "Collaboration"


def test_the_form_shows_the_drafts_limit_in_a_disabled_form(client, rising_admin, draft_600, educators_rising):
    client.force_login(rising_admin)
    response = client.get(url("preview_form", educators_rising, "?step=artifacts"))
    assert response.status_code == 200
    page = Html(response.content)
    assert BANNER in text_of(page.one(".preview-banner"))
    assert "600 words" in page.text
    assert "500 words" not in page.text
    frame = page.one("fieldset.preview-frame")
    assert frame.etree_element.get("disabled") is not None
    assert frame.query("form#step-form")  # the educator's own form template, inside the disabled frame
    assert b"<script" not in response.content  # no autosave, no htmx: the hx- attributes stay inert
    steps = page.all(".steps a")
    assert next(s.etree_element.get("href") for s in steps) == url("preview_form", educators_rising, "?step=overview")
    assert "Check and submit" not in page.texts(".steps a")


def test_the_form_previews_the_self_evaluation_step(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    page = Html(client.get(url("preview_form", classkick, "?step=self-evaluation")).content)
    assert "Self-evaluation" in text_of(page.one("h1"))
    assert page.one("fieldset.preview-frame").etree_element.get("disabled") is not None
    assert page.all("input[type=radio]")


def test_an_unknown_step_is_404(client, rising_admin, draft_600, educators_rising):
    client.force_login(rising_admin)
    assert client.get(url("preview_form", educators_rising, "?step=nope")).status_code == 404


def test_the_scoring_page_shows_every_criterion_with_empty_answers(client, rising_admin, draft_600, educators_rising):
    client.force_login(rising_admin)
    response = client.get(url("preview_scoring", educators_rising))
    page = Html(response.content)
    assert BANNER in text_of(page.one(".preview-banner"))
    spec = educators_rising.current_version.spec
    titles = page.text
    assert all(criterion.title in titles for criterion in spec.rubric.criteria)
    assert page.one("fieldset.preview-frame").etree_element.get("disabled") is not None
    assert "Collaboration (revised)" in text_of(page.one("h1"))
    assert b"<script" not in response.content


def test_without_a_draft_the_current_version_is_shown_and_said_so(client, issuer_admin, classkick):
    client.force_login(issuer_admin)
    page = Html(client.get(url("preview", classkick)).content)
    assert "No draft is open" in text_of(page.one(".preview-banner"))
    assert not CredentialDraft.objects.exists()


def test_a_draft_that_does_not_validate_shows_its_problems_with_links_to_the_editor(
    client, rising_admin, draft_600, educators_rising
):
    definition = copy.deepcopy(draft_600.definition)
    _narrative(definition)["max_words"] = "many"
    definition["rubric"]["passing_level"] = "nowhere"
    draft_save(actor=rising_admin, draft=draft_600, definition=definition, revision=draft_600.revision)
    client.force_login(rising_admin)
    for page_name in ("preview", "preview_form", "preview_scoring"):
        page = Html(client.get(url(page_name, educators_rising)).content)
        links = page.all(".error-summary li a")
        assert len(links) == 2, page_name
        texts = [text_of(a) for a in links]
        assert any("max_words" in t and "whole number" in t for t in texts)
        hrefs = {a.etree_element.get("href") for a in links}
        base = reverse("authoring:draft", args=[educators_rising.issuer.slug, educators_rising.slug])
        assert hrefs == {base + "submission/", base + "rubric/"}


def test_a_new_credentials_draft_is_previewed_before_it_was_ever_published(client, issuer_admin, classkick):
    draft = draft_new(actor=issuer_admin, issuer=classkick.issuer, slug="peer-coaching", title="Peer coaching")
    client.force_login(issuer_admin)
    args = [classkick.issuer.slug, draft.slug]
    credential_page = Html(client.get(reverse("authoring:preview", args=args)).content)
    assert text_of(credential_page.one("h1#credential-title")) == "Peer coaching"
    assert "v1" in text_of(credential_page.one(".facts"))
    form = client.get(reverse("authoring:preview_form", args=args))
    assert "Describe your practice" in form.content.decode()
    scoring = client.get(reverse("authoring:preview_scoring", args=args))
    assert "Practice" in text_of(Html(scoring.content).one("section[aria-labelledby=part-evidence]"))
    assert not Credential.objects.filter(slug="peer-coaching").exists()
