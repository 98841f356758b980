"""An issuer admin reads their dashboard in Chromium at phone width: the charts are images named in words, each
table behind its disclosure, a CSV download, a bad filter named in the error summary, and the empty state. axe
and the 390 px check run on every page load; once the tables are open, axe runs again on what they show."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import membership_grant
from tests.browser.conftest import axe_check
from tests.browser.submission_pages import prepare_site, sign_in
from tests.conftest import reviewer_role_give
from tests.issuers.dashboard_factory import Case, attempts_make

D = timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_an_issuer_admin_reads_the_dashboard_its_tables_and_csv_at_phone_width(page, live_server, settings, tmp_path):
    credentials = prepare_site(settings, tmp_path)
    classkick = credentials["classkick-collaboration"]
    admin = User.objects.create_user(email="ada@classkick.example", password="x" * 12, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)
    rita = User.objects.create_user(email="rita@classkick.example", password="x" * 12, name="Rita Reviewer")
    reviewer_role_give(rita, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF)
    start = timezone.make_aware(datetime(2026, 3, 2, 12, 0))
    attempts_make(
        classkick,
        [
            Case(start, took=2 * D, earned=True, band="primary"),
            Case(start + D, took=5 * D, band="college"),
            Case(start + 8 * D, took=3 * D, earned=True, number=2),
            Case(start + 2 * D, took=18 * D, earned=True, band="high_school"),
            Case(start + 30 * D),
        ],
        rita,
    )

    sign_in(page, live_server, admin)
    # The first page a fresh Chromium draws can take tens of seconds on a busy machine (fonts, caches); later ones
    # take about a second.
    page.goto("/issuers/dashboard/", timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard of Classkick")
    for name in (
        "From started to earned",
        "Days from submission to decision",
        "Pass rate per criterion",
        "Pass rate per grade band",
        "Resubmissions after a “not yet”",
    ):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        assert chart.bounding_box()["width"] <= 390
    expect(page.get_by_role("img", name="Days from submission to decision")).to_contain_text("Deadline: 14 days")

    for summary in page.locator("details > summary").all():
        summary.click()
    expect(page.get_by_role("table", name="Pass rate per criterion")).to_be_visible()
    expect(
        page.get_by_role("table", name="From started to earned").get_by_role("row", name="Earned 3 75%")
    ).to_be_visible()
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the funnel as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Stage,Submissions,Share of started"
    assert "Earned,3,0.75" in text

    page.goto("/issuers/classkick/dashboard/?from=2026-02-31&credential=classkick-collaboration")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("From: Enter a date as YYYY-MM-DD")
    expect(
        alert.get_by_role("link", name="From: Enter a date as YYYY-MM-DD, for example 2026-03-01.")
    ).to_have_attribute("href", "#id_from")
    expect(page.get_by_label("Credential", exact=True)).to_have_value("classkick-collaboration")

    page.get_by_label("From", exact=True).fill("2027-01-01")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text("No decided attempts yet under these filters")).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(0)
