"""Reviewer management in Chromium (axe and the 390 px check run on every load): an issuer admin invites a new
reviewer by keyboard alone, the invitee accepts through the emailed link and lands in their queue signed in,
and the admin pauses a reviewer with a date and reason, then resumes them, each step in the person's history."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerPause, ReviewerRole, User
from accounts.services import membership_grant
from tests.browser.test_accounts_browser import _focused_id, _tab_to
from tests.browser.test_review_journeys import load_site, make_reviewer, switch_to
from tests.conftest import PASSWORD

NEW_PASSWORD = "a long and memorable pass phrase"


@pytest.mark.django_db(transaction=True)
def test_an_admin_invites_by_keyboard_the_invitee_accepts_and_a_reviewer_is_paused_and_resumed(
    page: Any, settings: Any, tmp_path: Any, live_server: Any, mailoutbox: Any
) -> None:
    settings.SITE_URL = live_server.url
    # Several pages load in a row under axe; a shared, busy CI machine may need longer than the default 10 s.
    page.set_default_timeout(30_000)
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    mia = make_reviewer("mia@mentors.example", "Mia Mentor", ReviewerRole.Kind.MENTOR, classkick)
    admin = User.objects.create_user(
        email="ada@classkick.example", password=PASSWORD, name="Ada Admin", email_verified_at=timezone.now()
    )
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)
    slug = classkick.issuer.slug

    # Invite by keyboard: the address, the name, two roles and a grade band, then the button.
    switch_to(page, live_server, admin)
    page.goto(f"/issuers/{slug}/reviewers/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reviewers of {classkick.issuer.name}")
    _tab_to(page, "id_email", limit=80)
    page.keyboard.type("Lee@Example.org")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_name"
    page.keyboard.type("Lee Lead")
    _tab_to(page, "id_kind_1")  # Mentor
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_kind_2"  # Lead assessor
    page.keyboard.press("Space")
    _tab_to(page, "id_grade_bands_4")  # College
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Invite or give the roles"
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(
        "lee@example.org has no account yet: we emailed them an invitation to review as mentor and lead assessor "
        "(grade bands: College)"
    )
    expect(page.locator("#invites-title")).to_have_text("Invitations waiting for an answer (1)")
    expect(page.get_by_role("button", name="Send again to lee@example.org")).to_be_visible()

    # The invitee opens the emailed link in a browser of their own and makes their account.
    [message] = [m for m in mailoutbox if m.to == ["lee@example.org"]]
    found = re.search(r"https?://\S+/issuers/invitations/\S+/", str(message.body))
    assert found, message.body
    page.context.clear_cookies()
    page.goto(urlparse(found.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review for {classkick.issuer.name}")
    expect(page.get_by_label("Full name")).to_have_value("Lee Lead")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Accept and make my account").click()
    page.wait_for_url("**/reviews/")
    expect(page.get_by_role("status")).to_contain_text(f"You now review for {classkick.issuer.name} as mentor")
    lee = User.objects.get(email="lee@example.org")
    assert set(ReviewerRole.objects.filter(user=lee).values_list("kind", flat=True)) == {"mentor", "lead_assessor"}

    # Pause Mia until a date, with a reason; then resume her.
    switch_to(page, live_server, admin)
    page.goto(f"/issuers/{slug}/reviewers/")
    page.get_by_role("link", name="Pause, resume, capacity and history of Mia Mentor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mia Mentor")
    until = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Resume automatically on").fill(until.isoformat())
    page.get_by_label("Reason").fill("Marking season")
    page.get_by_role("button", name="Pause Mia Mentor").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mia Mentor is paused at {classkick.issuer.name} until")
    expect(page.locator("#availability")).to_contain_text("Marking season")
    history = page.get_by_role("table")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Paused")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Ada Admin")
    assert ReviewerPause.objects.get(user=mia).until == until

    page.get_by_role("button", name="Resume Mia Mentor").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mia Mentor is active again at {classkick.issuer.name}")
    expect(page.locator("#availability")).to_have_text("Active: taken")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Resumed")
    assert not ReviewerPause.objects.filter(user=mia).exists()
