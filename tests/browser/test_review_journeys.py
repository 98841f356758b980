"""Reviewers decide, in Chromium (axe checks every page load).

The data is set up inside each test through the real services (the live server shares the test's database):
the programs and their calibration samples, calibrated reviewers, and an educator's attempt submitted through
the submission services (the form journey has its own browser tests). The browser then does what only a
person does here: scoring on the scoring page, reading the feedback and resubmitting, and the lead assessor's
review. Reviews that would only repeat those steps go through the same services, to keep the suite quick.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ReviewerRole, User
from awards.models import Badge
from catalog.models import Credential
from reviews.calibration import CALIBRATION_DIR, calibration_load_dir, rubric_hash
from reviews.models import Assignment, AssignmentState, CalibrationSample, Decision, DecisionOutcome, Review, Score
from reviews.selectors import calibration_status
from reviews.services import calibration_submit
from submissions.models import Attempt, AttemptStatus
from tests.browser.submission_pages import prepare_site, sign_in
from tests.browser.test_awards_browser import verify_apply_and_accept
from tests.conftest import PASSWORD, reviewer_role_give
from tests.reviews.helpers import open_assignments, review, submit_attempt

pytestmark = pytest.mark.slow

IDENTITY = "I am Edna Educator of Lincoln High School (edna@example.org); Edna plans with two colleagues."
BALANCE_REASONING = "Planning happened once, and one teacher led the whole meeting alone."
BALANCE_SUGGESTION = "Schedule weekly planning and rotate who leads so every teacher contributes."
REVISED_BALANCE = "Since March we plan together every Tuesday; three teachers take turns leading the meeting."


def load_site(settings: Any, tmp_path: Any) -> dict[str, Credential]:
    credentials = prepare_site(settings, tmp_path)
    _, errors = calibration_load_dir(django_settings.CREDENTIALS_DIR / CALIBRATION_DIR)
    assert not errors, [str(e) for e in errors]
    return credentials


def make_reviewer(email: str, name: str, kind: str, credential: Credential) -> User:
    """An active reviewer for the credential's issuer who has scored every calibration sample as agreed."""
    user = User.objects.create_user(email=email, password=PASSWORD, name=name, email_verified_at=timezone.now())
    reviewer_role_give(user, credential.issuer, kind, ["middle_school"])
    assert credential.current_version is not None
    for sample in CalibrationSample.objects.filter(
        credential=credential, rubric_hash=rubric_hash(credential.current_version.definition), retired_at__isnull=True
    ):
        calibration_submit(reviewer=user, credential=credential, sample=sample, levels=sample.agreed)
    assert calibration_status(reviewer=user, credential=credential).calibrated
    return user


def make_educator() -> User:
    return User.objects.create_user(
        email="edna@example.org",
        password=PASSWORD,
        name="Edna Educator",
        organisation="Lincoln High School",
        email_verified_at=timezone.now(),
    )


def switch_to(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user)


def assert_no_identity(page: Any) -> None:
    html = page.content().casefold()
    for identity in ("Edna", "edna@example.org", "Lincoln"):
        assert identity.casefold() not in html, identity


def choose(page: Any, criterion: str, level: str) -> None:
    page.get_by_role("group", name=f"Your level for {criterion}", exact=True).get_by_role(
        "radio", name=re.compile("^" + level)
    ).check()


@pytest.mark.django_db(transaction=True)
def test_four_reviewers_decide_a_classkick_attempt_the_educator_resubmits_and_earns_it(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    sam = make_reviewer("sam@classkick.example", "Sam Staff", staff, classkick)
    for email, name, kind in (
        ("sid@classkick.example", "Sid Staff", staff),
        ("mia@mentors.example", "Mia Mentor", mentor),
        ("max@mentors.example", "Max Mentor", mentor),
    ):
        make_reviewer(email, name, kind, classkick)
    educator = make_educator()
    first = submit_attempt(educator, classkick, changes={"evidence.balance": IDENTITY})
    panel = open_assignments(first)
    assert len(panel) == 4

    # Sam scores in the browser: the attempt is anonymised, his levels autosave.
    switch_to(page, live_server, sam)
    page.goto("/reviews/")
    sams = panel[sam.email]
    page.get_by_role("link", name=re.compile(f"^R-{sams.pk}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review R-{sams.pk}: Collaboration")
    assert_no_identity(page)
    expect(page.get_by_text("I am [name removed] of [school removed]")).to_be_visible()
    for criterion in ("Implementation", "Analysis", "Explanation and evidence of collaboration"):
        choose(page, criterion, "Accomplished")
    choose(page, "Balance", "Developing")
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.get_by_label("Your reasoning for Balance")).to_be_visible()
    expect(page.locator("#criterion-balance [data-comment-need]").first).to_have_text("(required: below Accomplished)")
    assert Score.objects.get(review__assignment=sams, criterion="balance").level == "developing"
    # The page numbers its saves (so one arriving late cannot undo a newer one), and the review keeps the number.
    kept = Review.objects.get(assignment=sams)
    assert kept.saved_by_page == page.locator("input[name=save_page]").input_value()
    assert kept.saved_step >= 1

    # Submitting without the comments a failing level needs: an error summary, read out first, names Balance.
    page.get_by_role("button", name="Submit review…").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Balance is rated Developing, below Accomplished: explain your reasoning")
    summary.get_by_role("link", name=re.compile("suggest how to improve it")).click()
    expect(page.get_by_label("Your suggestion for improving Balance")).to_be_focused()
    page.keyboard.type(BALANCE_SUGGESTION)
    page.get_by_label("Your reasoning for Balance").fill(BALANCE_REASONING)
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("button", name="Submit review…").click()

    # The final step shows what will be sent; only then is the review submitted.
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your review?")
    expect(page.get_by_role("row", name=re.compile("^Balance Developing"))).to_contain_text(BALANCE_REASONING)
    page.get_by_role("button", name="Submit review", exact=True).click()
    expect(page.get_by_text(f"Your review R-{sams.pk} is submitted. Thank you.")).to_be_visible()
    expect(page.get_by_text("Nothing to review now.")).to_be_visible()

    # The other three panel members pass everything, through the same services: not yet earned.
    for email, assignment in panel.items():
        if email != sam.email:
            review(assignment, classkick)
    decision = Decision.objects.get(attempt=first)
    assert decision.outcome == DecisionOutcome.NOT_YET_EARNED

    # The educator reads the feedback, reviewers anonymous, and revises Balance beside it.
    switch_to(page, live_server, educator)
    page.goto("/accounts/dashboard/")
    page.get_by_role("link", name=re.compile("^Collaboration by Classkick")).click()
    feedback = page.get_by_role("region", name=re.compile("^Decision on attempt 1"))
    expect(feedback).to_contain_text("Not yet earned")
    expect(feedback).to_contain_text("Reviewer 1: Developing (does not pass)")
    expect(feedback).to_contain_text(BALANCE_REASONING)
    expect(feedback).to_contain_text(BALANCE_SUGGESTION)
    assert "Sam" not in page.content()
    page.get_by_role("link", name="Revise and resubmit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 1 of 5")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 2 of 5")
    aside = page.get_by_role("complementary", name="Feedback on attempt 1 for this part")
    expect(aside).to_contain_text(BALANCE_SUGGESTION)
    page.get_by_label("Balance", exact=True).fill(REVISED_BALANCE)
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("link", name=re.compile("Check and submit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check and submit")
    page.get_by_role("button", name="Resubmit for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("is submitted")

    second = Attempt.objects.get(submission=first.submission, number=2)
    assert second.responses["evidence"]["balance"] == REVISED_BALANCE
    assert second.status == AttemptStatus.IN_REVIEW

    # Sam reviews the resubmission: he sees what changed and the earlier feedback, and passes it.
    again = open_assignments(second)
    switch_to(page, live_server, sam)
    page.goto(f"/reviews/assignments/{again[sam.email].pk}/")
    changes = page.get_by_role("region", name="What changed since attempt 1")
    expect(changes).to_contain_text("1 answer changed")
    expect(changes.get_by_role("link", name="Balance")).to_be_visible()
    expect(page.locator("#criterion-balance")).to_contain_text("Feedback on attempt 1: did not pass")
    for criterion in ("Implementation", "Balance", "Analysis", "Explanation and evidence of collaboration"):
        choose(page, criterion, "Accomplished")
    page.get_by_role("button", name="Submit review…").click()
    page.get_by_role("button", name="Submit review", exact=True).click()
    expect(page.get_by_text(f"Your review R-{again[sam.email].pk} is submitted.")).to_be_visible()
    for email, assignment in again.items():
        if email != sam.email:
            review(assignment, classkick)
    assert Decision.objects.get(attempt=second).outcome == DecisionOutcome.EARNED

    switch_to(page, live_server, educator)
    page.goto(f"/submissions/{first.submission_id}/")
    expect(page.get_by_role("region", name=re.compile("^Decision on attempt 2"))).to_contain_text(
        "Congratulations: you have earned this credential."
    )
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_educators_rising_assessors_disagree_and_the_lead_decides_in_the_browser(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    rising = load_site(settings, tmp_path)["educators-rising-collaboration"]
    settings.SITE_URL = live_server.url  # the public origin baked into the credential and its links
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    ann = make_reviewer("ann@assessors.example", "Ann Assessor", mentor, rising)
    bob = make_reviewer("bob@educatorsrising.example", "Bob Assessor", staff, rising)
    lea = make_reviewer("lea@educatorsrising.example", "Lea Lead", ReviewerRole.Kind.LEAD_ASSESSOR, rising)
    educator = make_educator()
    attempt = submit_attempt(educator, rising)
    assessors = open_assignments(attempt)
    assert set(assessors) == {ann.email, bob.email}

    review(assessors[ann.email], rising)
    review(assessors[bob.email], rising, future_collaboration="developing")
    assert not Decision.objects.filter(attempt=attempt).exists()
    lead = Assignment.objects.get(attempt=attempt, reviewer=lea, state=AssignmentState.OPEN)
    assert lead.seat.role == "adjudicator"

    switch_to(page, live_server, lea)
    page.goto("/reviews/")
    expect(page.get_by_role("row", name=re.compile(f"^R-{lead.pk}"))).to_contain_text("Lead: decides a split")
    page.get_by_role("link", name=re.compile(f"^R-{lead.pk}")).click()
    expect(page.get_by_role("heading", name="You are the lead assessor")).to_be_visible()
    disputed = page.get_by_role("group", name=re.compile("^Reflection: collaboration going forward"))
    expect(disputed).to_contain_text("Disputed: your level decides")
    assert "Bob Assessor" not in page.content()
    assert "Ann Assessor" not in page.content()
    assert_no_identity(page)
    assert rising.current_version is not None
    for criterion in rising.current_version.spec.rubric.criteria:
        choose(page, criterion.title, "Commendable")
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("button", name="Submit review…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your review?")
    page.get_by_role("button", name="Submit review", exact=True).click()
    expect(page.get_by_text(f"Your review R-{lead.pk} is submitted. Thank you.")).to_be_visible()

    decision = Decision.objects.get(attempt=attempt)
    assert decision.outcome == DecisionOutcome.EARNED
    [result] = [c for c in decision.results["criteria"] if c["criterion"] == "future_collaboration"]
    assert result["disputed"]
    assert result["passed"]
    page.axe_settle()

    # The decision committed in the live server's request, and its on-commit task issued the badge.
    badge = Badge.objects.get(attempt=attempt)
    verify_apply_and_accept(page, live_server, educator, badge)
