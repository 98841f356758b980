"""An issuer admin reviews a draft in Chromium: the three previews, the diff page, and signing off one draft marker
by keyboard (axe and the phone-width check run on every page)."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from authoring.models import MarkerSignoff
from authoring.services.drafts import draft_save, draft_start
from tests.browser.submission_pages import prepare_site, sign_in


@pytest.mark.django_db(transaction=True)
def test_an_issuer_admin_previews_a_draft_reads_its_diff_and_signs_off_a_marker(page, live_server, settings, tmp_path):
    credentials = prepare_site(settings, tmp_path)
    credential = credentials["educators-rising-collaboration"]
    admin = User.objects.create_user(email="rae@educatorsrising.example", password="x" * 12, name="Rae Rising")
    membership_grant(actor=None, user=admin, issuer=credential.issuer, role=IssuerMembership.Role.ADMIN)
    draft = draft_start(actor=admin, credential=credential)
    definition = copy.deepcopy(draft.definition)
    part = next(p for p in definition["parts"] if p["id"] == "artifacts")
    next(f for f in part["fields"] if f["id"] == "narrative")["max_words"] = 600
    draft_save(actor=admin, draft=draft, definition=definition, revision=draft.revision)
    args = [credential.issuer.slug, credential.slug]

    sign_in(page, live_server, admin)
    page.goto(reverse("authoring:preview", args=args))
    expect(page.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration")

    page.get_by_role("link", name="the educator's form").click()
    expect(page.locator(".preview-banner")).to_contain_text("Preview — not published")
    page.get_by_role("link", name="Part 2. Artifacts").click()
    expect(page.get_by_text("600 words").first).to_be_visible()
    expect(page.get_by_role("button", name="Save", exact=True).last).to_be_disabled()

    page.get_by_role("link", name="the reviewer's scoring page").click()
    expect(page.get_by_role("heading", name="Part 2. Artifacts", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Submit review…")).to_be_disabled()

    page.goto(reverse("authoring:versions", args=args))
    expect(page.get_by_role("rowheader")).to_have_text("v1 (current)")
    page.get_by_role("link", name="Changes in the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed from version 1 to the draft")
    row = page.locator("table.diff-changes tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_have_text("parts.artifacts.fields.narrative.max_words")
    expect(row.locator("del")).to_have_text("Before: 500")
    expect(row.locator("ins")).to_have_text("After: 600")

    page.get_by_role("link", name="Draft markers").click()
    expect(page.get_by_role("heading", name="Still open (38)")).to_be_visible()
    page.get_by_role("link", name="Sign off: Summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off: Summary?")
    page.get_by_role("button", name="Sign off this marker").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Signed off: Summary")
    expect(page.get_by_role("heading", name="Still open (37)")).to_be_visible()
    signed = page.locator("table.markers").last.locator("tbody tr")
    expect(signed).to_have_count(1)
    expect(signed).to_contain_text("Rae Rising")
    assert MarkerSignoff.objects.get().marker == "draft_fields.summary"
