"""The reviewer-agreement page in Chromium (axe and the 390 px check run on every load): an issuer admin reads the
figures, filters them, sends the flagged reviewer back to calibration, and the reviewer finds their calibration
to do again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import membership_grant
from reviews.models import Recalibration
from tests.browser.test_review_journeys import load_site, make_reviewer, switch_to
from tests.conftest import PASSWORD
from tests.reviews.reliability_panels import decided_attempt, level_of, with_threshold


@pytest.mark.django_db(transaction=True)
def test_an_admin_reads_agreement_and_sends_a_flagged_reviewer_back(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    classkick = load_site(settings, tmp_path)["classkick-collaboration"]
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    panel = {
        "sam": make_reviewer("sam@classkick.example", "Sam Staff", staff, classkick),
        "sid": make_reviewer("sid@classkick.example", "Sid Staff", staff, classkick),
        "mia": make_reviewer("mia@mentors.example", "Mia Mentor", mentor, classkick),
    }
    version = with_threshold(classkick, severity_beyond=0.75, min_reviews=3)
    criteria = [c.id for c in version.spec.rubric.criteria]
    past = User.objects.create_user(email="past@example.org", password=PASSWORD, name="Past Educator")
    for month in (1, 2, 3, 4):
        at = timezone.now().replace(year=2026, month=month, day=12, hour=12)
        decided_attempt(
            classkick,
            past,
            {
                p: {c: level_of(version, 1 if key == "sam" else 3 + (month + i) % 2) for i, c in enumerate(criteria)}
                for key, p in panel.items()
            },
            at=at,
        )
    admin = User.objects.create_user(
        email="ada@classkick.example", password=PASSWORD, name="Ada Admin", email_verified_at=timezone.now()
    )
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)

    switch_to(page, live_server, admin)
    # The live server's first request imports the whole URLconf (the API, the PDF and spreadsheet libraries):
    # slow on a loaded machine, so the first load alone may take longer than the default.
    page.goto("/issuers/classkick/reliability/", timeout=120_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviewer agreement at Classkick")
    criteria_table = page.get_by_role("table", name=re.compile("Agreement per criterion"))
    expect(criteria_table.get_by_role("rowheader", name="Implementation")).to_be_visible()
    reviewers = page.get_by_role("table", name=re.compile("^Reviewers of"))
    sam_row = reviewers.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Sam Staff"))
    expect(sam_row).to_contain_text("Flagged")
    expect(sam_row.get_by_role("img")).to_have_accessible_name(re.compile("^Sam Staff: severity by month"))
    page.get_by_text("Drift by month as a table").click()
    expect(page.get_by_role("table", name="Severity of each reviewer by month")).to_contain_text("2026-04")

    # A filter: decisions from March on.
    page.get_by_label("Decided from").fill("2026-03-01")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text("2 decided attempts with panel reviews")).to_be_visible()

    # A bad filter is named in the summary, linked to its field.
    page.goto("/issuers/classkick/reliability/?to=2026-01-01&from=2026-02-01")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Decided to: Is before From")

    page.goto("/issuers/classkick/reliability/")
    sam_row = (
        page.get_by_role("table", name=re.compile("^Reviewers of"))
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Sam Staff"))
    )
    sam_row.get_by_role("button", name=re.compile("Send back to calibration")).click()
    expect(page.get_by_role("status")).to_contain_text("Sam Staff is sent back through calibration")
    expect(
        page.get_by_role("table", name=re.compile("^Reviewers of"))
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Sam Staff"))
    ).to_contain_text("not calibrated again yet")
    assert Recalibration.objects.filter(reviewer=panel["sam"]).exists()

    # Sam sees the calibration to do again on their reviews page.
    switch_to(page, live_server, panel["sam"])
    page.goto("/reviews/")
    expect(page.get_by_role("link", name=re.compile("calibrate for Collaboration"))).to_be_visible()
