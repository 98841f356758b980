"""A collaborator confirms a planning entry in Chromium (axe, the CSP and the 390 px width checked on every page):
the educator asks from the planning-log step, the collaborator, signed out, opens the link taken from the rendered
email and confirms, and the educator's step then shows the entry confirmed. The draft is filled through the services
(the steps have their own browser tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from submissions.models import Attestation
from tests.attestations.conftest import DANA, filled
from tests.browser.submission_pages import make_educator, prepare_site, sign_in
from tests.browser.test_young_participants import emailed_link

ER = "educators-rising-collaboration"


@pytest.mark.django_db(transaction=True)
def test_a_collaborator_confirms_an_entry_through_the_emailed_link(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url
    educator = make_educator()
    submission = filled(educator, credentials[ER])

    sign_in(page, live_server, educator)
    page.goto(f"/submissions/{submission.pk}/parts/artifacts/")
    panel = page.get_by_role("region", name="Confirmation by your collaborators")
    entry = panel.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Planning interaction 2"))
    expect(entry).to_contain_text("Not asked yet")
    entry.get_by_label("Your collaborator's email address").fill(DANA)
    entry.get_by_role("button", name="Ask your collaborator to confirm").click()
    expect(page.get_by_role("status").first).to_have_text(f"We emailed {DANA} a link to confirm the entry.")

    page.context.clear_cookies()
    page.goto(emailed_link(DANA, "/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm a planning conversation for Edna Educator")
    page.get_by_role("radio", name="Yes, I confirm it").check()
    page.get_by_label("A note for them (optional)").fill("We met after school.")
    page.get_by_role("button", name="Record my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Attestation.objects.get().state == "confirmed"

    sign_in(page, live_server, educator)
    page.goto(f"/submissions/{submission.pk}/parts/artifacts/#attestations")
    expect(entry).to_contain_text(f"Confirmed by {DANA}")
