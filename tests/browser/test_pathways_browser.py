"""A pathway in Chromium (axe checks every page load): the issuer's admin makes it on the workspace (a wrong count is
named first), the educator's last credential is decided earned by its reviewers and the pathway's own credential is
issued with it, and that credential verifies, on its page and on the verification page, like any other.

The earning goes through the real services (the review journeys have their own browser tests); the browser does
what people do here: the admin's form, the educator's progress and credential pages, anyone's verification."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import membership_grant
from awards.services import badge_issue
from catalog.loader import credential_load
from catalog.models import Credential
from pathways.models import PathwayAward
from tests.awards.conftest import earn
from tests.browser.submission_pages import make_educator, sign_in
from tests.browser.test_review_journeys import load_site, make_reviewer
from tests.reviews.helpers import open_assignments, review, submit_attempt


@pytest.mark.django_db(transaction=True)
def test_a_pathway_is_issued_with_its_last_credential_and_verifies_like_any_other(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    settings.SITE_URL = live_server.url
    assert classkick.current_version is not None
    feedback_definition = classkick.current_version.spec.model_copy(
        deep=True, update={"slug": "classkick-feedback", "title": "Feedback"}
    )
    credential_load(definition=feedback_definition, source_name="classkick-feedback.yaml")
    feedback = Credential.objects.get(slug="classkick-feedback")
    admin = User.objects.create_user(email="ada@classkick.example", password="x" * 12, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)

    # The admin makes the pathway: "2 of" both credentials, asked first for 3 of them.
    sign_in(page, live_server, admin)
    page.goto("/issuers/classkick/pathways/")
    page.get_by_role("link", name="New pathway").click()
    page.get_by_label("Title").fill("Classkick Collaborator")
    page.get_by_label("Description").fill("Collaboration and feedback, taken together.")
    page.get_by_role("checkbox", name="Collaboration").check()
    page.get_by_role("checkbox", name="Feedback").check()
    page.get_by_role("radio", name="A number of its credentials").check()
    page.get_by_label("How many are needed").fill("3")
    page.get_by_label("Published: educators see it and can earn it").check()
    page.get_by_role("button", name="Save the pathway").click()
    expect(page.get_by_role("alert")).to_contain_text("a whole number from 1 to 2")
    page.get_by_label("How many are needed").fill("2")
    page.get_by_role("button", name="Save the pathway").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the pathway Classkick Collaborator.")

    # Edna holds Feedback; her Collaboration attempt is reviewed, and the last review's decision issues both
    # the badge and, beside it, the pathway's credential.
    educator = make_educator()
    badge_issue(attempt=earn(educator, feedback))
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    for email, name, kind in (
        ("sam@classkick.example", "Sam Staff", staff),
        ("sid@classkick.example", "Sid Staff", staff),
        ("mia@mentors.example", "Mia Mentor", mentor),
        ("max@mentors.example", "Max Mentor", mentor),
    ):
        make_reviewer(email, name, kind, classkick)
    attempt = submit_attempt(educator, classkick)
    for assignment in open_assignments(attempt).values():
        assert not PathwayAward.objects.exists()
        review(assignment, classkick)
    award = PathwayAward.objects.get()
    assert award.stacked.count() == 2

    # Edna sees it earned, opens its credential: verified, like any badge.
    page.context.clear_cookies()
    sign_in(page, live_server, educator)
    page.goto("/pathways/")
    expect(page.get_by_role("heading", name="Classkick Collaborator")).to_be_visible()
    page.get_by_role("link", name="View the pathway's credential").click()
    expect(page).to_have_url(re.compile(f"/pathways/credentials/{award.badge.uuid}/$"))
    live = page.get_by_role("region", name="Live verification")
    expect(live.get_by_role("status")).to_have_text("Verified: every check passed.")
    expect(page.get_by_text(re.compile("JWT form of this credential: verified as well"))).to_be_visible()

    # Her transcript adds up both credentials' hours and lists the pathway.
    page.goto("/pathways/transcript/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your transcript")
    expect(page.get_by_role("row", name="Total professional-development hours 20")).to_be_visible()
    expect(page.get_by_role("link", name="Classkick Collaborator")).to_be_visible()

    # Anyone pastes the signed credential into the verifier: valid.
    page.context.clear_cookies()
    page.goto("/verify/")
    page.get_by_label("Paste a credential (JSON or JWT)").fill(json.dumps(award.badge.document))
    page.get_by_role("button", name="Verify").click()
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("status")).to_have_text("Verified: every check passed.")
    page.axe_settle()
