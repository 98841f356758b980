"""The reviewing pages the journeys do not pass through, in Chromium: each is loaded (axe checks every load), and
the forms are sent empty once so their error summaries are checked too. Keyboard use of the error links is shown
on the calibration sample and the reassignment form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import membership_grant
from reviews.models import Decision
from tests.browser.test_review_journeys import load_site, make_educator, make_reviewer, switch_to
from tests.conftest import PASSWORD, reviewer_role_give
from tests.reviews.helpers import open_assignments, review, submit_attempt


@pytest.mark.django_db(transaction=True)
def test_calibration_decline_notifications_and_the_admin_pages_work_and_pass_axe(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    sam = make_reviewer("sam@classkick.example", "Sam Staff", staff, classkick)
    for email, name, kind in (
        ("sid@classkick.example", "Sid Staff", staff),
        ("mia@mentors.example", "Mia Mentor", mentor),
        ("max@mentors.example", "Max Mentor", mentor),
        ("zoe@classkick.example", "Zoe Spare", staff),
    ):
        make_reviewer(email, name, kind, classkick)
    decided = submit_attempt(make_educator(), classkick)
    for assignment in open_assignments(decided).values():
        review(assignment, classkick, balance="developing")
    eli = User.objects.create_user(
        email="eli@example.org", password=PASSWORD, name="Eli", email_verified_at=timezone.now()
    )
    running = submit_attempt(eli, classkick)
    newcomer = User.objects.create_user(
        email="nia@classkick.example", password=PASSWORD, name="Nia New", email_verified_at=timezone.now()
    )
    reviewer_role_give(newcomer, classkick.issuer, staff)
    admin = User.objects.create_user(
        email="ada@classkick.example", password=PASSWORD, name="Ada Admin", email_verified_at=timezone.now()
    )
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)

    # A new reviewer calibrates: the error summary's link takes the keyboard to the first unanswered group.
    switch_to(page, live_server, newcomer)
    page.goto("/reviews/")
    page.get_by_role("link", name=re.compile("calibrate for Collaboration")).click()
    expect(page.get_by_text("Not calibrated yet")).to_be_visible()
    page.get_by_role("list").filter(has_text="not scored yet").get_by_role("link").first.click()
    page.get_by_role("button", name="Record my levels").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Choose a level for Implementation").press("Enter")
    expect(page.get_by_role("radio", name=re.compile("^Exemplary")).first).to_be_focused()
    for group in ("Implementation", "Balance", "Analysis", "Explanation and evidence of collaboration"):
        page.get_by_role("group", name=group, exact=True).get_by_role("radio", name=re.compile("^Accomplished")).check()
    page.get_by_role("button", name="Record my levels").click()
    expect(page.get_by_role("heading", name=re.compile("^Your result"))).to_be_visible()

    # Sam declines a review: a reason is required.
    switch_to(page, live_server, sam)
    page.goto("/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    sams = open_assignments(running)[sam.email]
    newest = page.get_by_role("list", name="Your notifications, newest first").get_by_role("listitem").first
    expect(newest).to_contain_text("Unread")
    newest.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review R-{sams.pk}: Collaboration")
    page.get_by_role("link", name="Decline this review").click()
    page.get_by_role("button", name="Decline this review").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you decline this review")
    page.get_by_label("Why you decline this review").fill("I coached this team last term.")
    page.get_by_role("button", name="Decline this review").click()
    expect(page.get_by_text(f"You declined review R-{sams.pk}.")).to_be_visible()

    # The admin's pages: pipeline, an attempt's record, reassignment, another attempt, an override.
    switch_to(page, live_server, admin)
    page.goto("/accounts/dashboard/")
    page.get_by_role("link", name="Open the review pipeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review pipeline")
    page.get_by_role("link", name=f"C-{running.submission_id}, attempt 1").click()
    expect(page.get_by_role("table", name="Seats and who holds them")).to_be_visible()
    page.get_by_role("link", name="Reassign seat 2").click()
    page.get_by_role("button", name="Reassign the review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Say why the review is moved to someone else")
    alert.get_by_role("link").press("Enter")
    expect(page.get_by_label("Why the review is moved")).to_be_focused()
    page.keyboard.type("Sid is on leave.")
    page.get_by_role("button", name="Reassign the review").click()
    expect(page.get_by_role("table", name=re.compile("oldest first"))).to_contain_text("Sid is on leave.")

    page.goto(f"/reviews/admin/attempts/{decided.pk}/")
    page.get_by_role("link", name=re.compile("another attempt")).click()
    page.get_by_role("button", name="Grant another attempt").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why another attempt is granted")
    page.get_by_label("Why another attempt is granted").fill("The school closed for a week.")
    page.get_by_role("button", name="Grant another attempt").click()
    expect(page.get_by_text("may make one more attempt")).to_be_visible()
    page.get_by_role("link", name="Override this decision").click()
    page.get_by_role("button", name="Override the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the new outcome")
    page.get_by_role("radio", name="Earned", exact=True).check()
    page.get_by_label("Why the decision is overridden").fill("The panel misread the planning schedule.")
    page.get_by_role("button", name="Override the decision").click()
    expect(page.get_by_text("The decision is now earned.")).to_be_visible()
    assert Decision.objects.get(attempt=decided).outcome == "earned"

    # The Reviewers page: a role is given by keyboard, a mistake is named at its field, a role is revoked.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviewers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviewers of Classkick")
    page.get_by_label("Email address").fill("eli@example.org")
    page.get_by_role("button", name="Invite or give the roles").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose the role")
    alert.get_by_role("link").press("Enter")
    expect(page.get_by_role("group", name="Roles")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Issuer staff")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # one or more roles: a checkbox each
    expect(page.get_by_role("checkbox", name="Mentor")).to_be_checked()
    page.get_by_role("checkbox", name="Primary").check()
    page.get_by_role("button", name="Invite or give the roles").click()
    expect(page.get_by_text("Eli is now mentor of Classkick.")).to_be_visible()
    page.get_by_role("link", name="Revoke Eli's role as mentor").click()
    page.get_by_role("button", name="Revoke the role").click()
    expect(page.get_by_text("Eli is no longer mentor of Classkick.")).to_be_visible()
    page.axe_settle()
