"""An earned credential in Chromium (axe checks every page): sharing, revoking and the verifier page here; the
public page, graduate credit and the partner's acceptance continue the review journey through
`verify_apply_and_accept`."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from awards.models import CreditApplication, Partner
from awards.services import badge_issue, partner_staff_add
from tests.awards.conftest import earn
from tests.browser.submission_pages import make_educator, prepare_site, sign_in


def verify_apply_and_accept(page, live_server, educator, badge):
    """The rest of an earner's journey, from the issued credential: its public page verifies with every check
    passed, the earner applies for graduate credit, the partner's staff verify the badge and accept. The review
    journey (tests/browser/test_review_journeys.py) calls this once the lead's decision has issued the badge."""
    staff = User.objects.create_user(email="uma@demo-state.example", password="x" * 12, name="Uma University")
    partner_staff_add(partner=Partner.objects.get(slug="demo-state-university"), user=staff)

    # Anyone with the link: the live verification shows every check passed.
    page.context.clear_cookies()
    page.goto(f"/awards/{badge.uuid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration")
    live = page.get_by_role("region", name="Live verification")
    expect(live.get_by_role("status")).to_have_text("Verified: every check passed.")
    expect(live.locator(".check-passed")).to_have_count(6)
    for label in ("Signature", "Issuer key", "Revocation status", "Validity dates"):
        expect(live.get_by_text(f"{label}: passed")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code linking to this page"))).to_be_visible()
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME")
    )

    # The earner finds it among their achievements and applies for graduate credit.
    sign_in(page, live_server, educator)
    page.goto("/awards/mine/")
    page.get_by_role("link", name="Collaboration", exact=True).click()
    expect(page).to_have_url(re.compile(f"/awards/{badge.uuid}/$"))
    page.get_by_role("link", name="Apply for graduate credit").click()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the university to apply to")
    page.get_by_role("radio", name=re.compile("^Demo State University")).check()
    page.get_by_label("Message to the university (optional)").fill("I would like to use this toward my M.Ed.")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("status").first).to_contain_text("Your application to Demo State University")

    # The partner's staff verify the badge in one click and accept.
    page.context.clear_cookies()
    sign_in(page, live_server, staff)
    page.goto("/awards/partner/")
    page.get_by_role("link", name=educator.name).click()
    page.get_by_role("button", name="Verify the badge").click()
    expect(page.get_by_role("region", name="Verification of the badge").get_by_role("status")).to_have_text(
        "Verified: every check passed."
    )
    page.get_by_role("radio", name=re.compile("^Accepted")).check()
    page.get_by_label("Note to the earner").fill("Welcome: the credit will appear on your transcript.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Recorded: accepted.")
    page.axe_settle()

    application = CreditApplication.objects.get()
    assert (application.status, application.decided_by) == ("accepted", staff)
    assert any(m.to == [educator.email] and "Accepted" in m.subject for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_the_earner_shares_and_an_admin_revokes_and_the_verifier_page_reports_it(page, live_server, settings, tmp_path):
    from accounts.models import IssuerMembership
    from accounts.services import membership_grant

    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url
    educator = make_educator()
    classkick = credentials["classkick-collaboration"]
    badge = badge_issue(attempt=earn(educator, classkick))
    admin = User.objects.create_user(email="ada@classkick.example", password="x" * 12, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)

    # My achievements: the earner makes the credential public; it is then listed.
    sign_in(page, live_server, educator)
    page.goto("/awards/mine/")
    expect(page.get_by_role("link", name="Export all (zip of JSON and JWT files)")).to_be_visible()
    page.get_by_label("Who can see Collaboration").select_option("public")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("now public")
    page.goto("/awards/")
    expect(page.get_by_role("link", name="Collaboration")).to_be_visible()

    # The issuer's admin revokes it, giving a reason (the empty form first: the error is announced).
    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto(f"/awards/{badge.uuid}/")
    page.get_by_role("link", name="Revoke this credential").click()
    page.get_by_role("button", name="Revoke the credential").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for revoking")
    page.get_by_label("Reason for revoking").fill("The evidence was not the educator's own work.")
    page.get_by_role("button", name="Revoke the credential").click()
    live = page.get_by_role("region", name="Live verification")
    expect(live.get_by_role("status")).to_have_text("Not verified: revocation status failed.")

    # Anyone pastes the credential into the verifier and sees it revoked.
    page.context.clear_cookies()
    page.goto("/verify/")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("Paste a credential, or upload a baked badge image below")
    page.get_by_label("Paste a credential (JSON or JWT)").fill(badge.jwt)
    page.get_by_role("button", name="Verify").click()
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("status")).to_have_text("Not verified: revocation status failed.")
    expect(result.get_by_text("revoked: the issuer has revoked this credential")).to_be_visible()
    page.axe_settle()
