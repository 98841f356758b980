"""An appeal in Chromium (axe and the 390 px check on every page load): the educator files it from the feedback,
a fresh reviewer scores the attempt on the usual scoring page, and the decision becomes earned. The decided
attempt is built through the services; the browser does the two steps the appeal is about."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import ReviewerRole
from awards.models import Badge
from reviews.models import Appeal, AppealState, Assignment, Decision, SeatRole
from tests.browser.test_review_journeys import choose, load_site, make_educator, make_reviewer, switch_to
from tests.reviews.helpers import open_assignments, review, submit_attempt

pytestmark = pytest.mark.browser

REASON = "My second lesson plan shows both teachers sharing the instruction equally across every station."
CRITERIA = ("Implementation", "Balance", "Analysis", "Explanation and evidence of collaboration")


@pytest.mark.django_db(transaction=True)
def test_an_appeal_reaches_a_fresh_reviewer_who_scores_it_earned(
    page: Any,
    settings: Any,
    tmp_path: Any,
    live_server: Any,
) -> None:
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    for email, name, kind in (
        ("sam@classkick.example", "Sam Staff", staff),
        ("sid@classkick.example", "Sid Staff", staff),
        ("mia@mentors.example", "Mia Mentor", mentor),
        ("max@mentors.example", "Max Mentor", mentor),
    ):
        make_reviewer(email, name, kind, classkick)
    educator = make_educator()
    attempt = submit_attempt(educator, classkick)
    for assignment in open_assignments(attempt).values():
        review(assignment, classkick, balance="developing")
    assert Decision.objects.get(attempt=attempt).outcome == "not_yet_earned"
    zoe = make_reviewer("zoe@classkick.example", "Zoe Fresh", staff, classkick)

    # The educator appeals from the feedback: an empty form is refused, the summary naming what to do.
    switch_to(page, live_server, educator)
    page.goto(reverse("submissions:detail", args=[attempt.submission_id]))
    page.get_by_role("link", name="Appeal this decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appeal the decision on attempt 1")
    page.get_by_role("button", name="Send my appeal").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Contest at least one criterion")
    page.get_by_label("Your reason for contesting Balance").fill(REASON)
    page.get_by_role("button", name="Send my appeal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appeal of attempt 1")
    expect(page.get_by_text("Appeal: Open")).to_be_visible()
    fresh = Assignment.objects.get(attempt=attempt, seat__role=SeatRole.APPEAL)
    assert fresh.reviewer == zoe

    # Zoe, who never scored it, reads the reason and scores on the usual page.
    switch_to(page, live_server, zoe)
    page.goto("/reviews/")
    page.get_by_role("link", name=re.compile(f"^R-{fresh.pk}")).click()
    expect(page.get_by_role("heading", name="You are reviewing an appeal")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    for criterion in CRITERIA:
        choose(page, criterion, "Accomplished")
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("button", name="Submit review…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your review?")
    page.get_by_role("button", name="Submit review", exact=True).click()
    expect(page.get_by_text(f"Your review R-{fresh.pk} is submitted. Thank you.")).to_be_visible()

    appeal = Appeal.objects.get(attempt=attempt)
    assert appeal.state == AppealState.UPHELD
    assert Decision.objects.get(attempt=attempt).outcome == "earned"
    assert Badge.objects.filter(attempt=attempt).count() == 1

    # The educator sees the new decision.
    switch_to(page, live_server, educator)
    page.goto(reverse("appeals:status", args=[appeal.pk]))
    expect(page.get_by_text("Appeal: Upheld")).to_be_visible()
    expect(page.get_by_text("Now passes: rated Accomplished")).to_be_visible()
