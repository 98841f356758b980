"""In Chromium (axe and the 390 px check on every page): Dana offers her earned submission with consent, the
issuer's admin previews and publishes it, anyone finds it from the credential's page, and once Dana withdraws it
the example's address answers 404."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from tests.browser.submission_pages import PASSWORD, prepare_site, sign_in
from tests.gallery.conftest import earn_seeded
from tests.submissions.identity import EMAIL, NAME, SCHOOL

pytestmark = pytest.mark.browser

CK = "classkick-collaboration"


@pytest.mark.django_db(transaction=True)
def test_an_example_appears_with_consent_and_curation_and_is_gone_after_withdrawal(
    page,
    live_server,
    settings,
    tmp_path,
):
    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url
    dana = User.objects.create_user(
        email=EMAIL, password=PASSWORD, name=NAME, organisation=SCHOOL, email_verified_at=timezone.now()
    )
    badge = earn_seeded(dana, credentials[CK])
    admin = User.objects.create_user(email="ada@classkick.example", password=PASSWORD, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=credentials[CK].issuer, role=IssuerMembership.Role.ADMIN)

    # Dana offers it from her badge's page; the consent box is required, and the error says so.
    sign_in(page, live_server, dana)
    page.goto(f"/awards/{badge.uuid}/")
    page.get_by_role("link", name="Offer as a certified example").click()
    expect(page.get_by_role("heading", name="Preview: what the public page would show")).to_be_visible()
    page.get_by_role("button", name="Offer as a certified example").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to agree to the statement")
    page.get_by_label(re.compile("^I agree that my submission")).check()
    page.get_by_role("button", name="Offer as a certified example").click()
    expect(page.get_by_role("status").first).to_contain_text("offered as a certified example")

    # The issuer's admin previews exactly what would be shown, and publishes it.
    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto("/issuers/classkick/examples/")
    page.get_by_role("link", name=re.compile(r"^Example \d+$")).click()
    expect(page.get_by_text("[name removed]").first).to_be_visible()
    page.get_by_label("Publish it in the credential's gallery").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Published")

    # Anyone finds it from the credential's page.
    page.context.clear_cookies()
    page.goto(f"/credentials/{CK}/")
    page.get_by_role("link", name=re.compile("^Certified examples: submissions that earned")).click()
    page.get_by_role("link", name=re.compile(r"^Certified example \d+$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Certified example \d+$"))
    expect(page.get_by_text(NAME)).to_have_count(0)
    example_url = page.url

    # Dana withdraws it; the next request for it is a 404.
    sign_in(page, live_server, dana)
    page.goto(f"/awards/{badge.uuid}/")
    page.get_by_role("button", name="Withdraw my example").click()
    expect(page.get_by_role("status").first).to_contain_text("Withdrawn")
    page.context.clear_cookies()
    response = page.goto(example_url)
    assert response is not None
    assert response.status == 404
    page.axe_settle()
