"""The catalog in a real browser: browse, search, filter, read a credential, download its guide (axe on every load)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from catalog.loader import credentials_load_dir
from tests.catalog.catalog_helpers import load_fixture_credentials

# WeasyPrint lays out the whole guide before the first byte is sent; on a busy 2-core CI machine that has
# taken longer than Playwright's default 30 s wait, so the download gets a wait of its own.
PDF_TIMEOUT_MS = 120_000


def expect_results(page, titles: list[str]) -> None:
    # Each card's link names its issuer too (visually hidden), so two credentials of one title stay distinct.
    # A waiting assertion: right after a click the previous page's cards are still there until the next one loads,
    # and reading them at once compares the old results.
    expect(page.locator(".credential-card h3 a")).to_have_text(titles)


@pytest.mark.django_db(transaction=True)
def test_a_visitor_finds_a_credential_and_downloads_its_guide(page):
    # The live server shares this test's database, so the definitions are loaded here, not in a fixture.
    load_fixture_credentials()

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Micro-credentials")
    expect(page.get_by_role("status")).to_have_text("2 credentials")

    page.get_by_label("Search", exact=True).fill("feedback")
    page.get_by_role("button", name="Show credentials").click()
    expect(page.get_by_role("status")).to_have_text("1 credential")
    expect_results(page, ["Formative Feedback by Riverbend Teaching Commons"])
    expect(page.get_by_label("Search", exact=True)).to_have_value("feedback")

    page.get_by_role("link", name="Clear search and filters").click()
    page.get_by_label("Grade band").select_option(label="Primary")
    page.get_by_role("button", name="Show credentials").click()
    expect_results(page, ["Lab Safety Routines by Harbor Science Network"])

    page.get_by_label("Grade band").select_option(label="College")
    page.get_by_role("button", name="Show credentials").click()
    expect(page.get_by_role("status")).to_have_text("0 credentials")
    expect(page.get_by_text("No credentials match your search and filters.")).to_be_visible()

    page.get_by_label("Grade band").select_option(label="Any grade band")
    page.get_by_label("Issuer").select_option(label="Riverbend Teaching Commons")
    page.get_by_role("button", name="Show credentials").click()
    expect_results(page, ["Formative Feedback by Riverbend Teaching Commons"])

    page.get_by_role("link", name="Formative Feedback by Riverbend Teaching Commons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formative Feedback")
    expect(page.get_by_role("table", name="Rubric for Part 2. Evidence of feedback")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Proficient (passes)").first).to_be_visible()

    with page.expect_download(timeout=PDF_TIMEOUT_MS) as download_info:
        page.get_by_role("link", name="Download the requirements and scoring guide (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "riverbend-formative-feedback-requirements.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_a_bad_filter_is_explained_and_leads_to_the_field(page):
    load_fixture_credentials()
    page.goto("/credentials/?grade_band=kindergarten&issuer=harbor-science")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Grade band: Choose a grade band from the list")
    expect_results(page, ["Lab Safety Routines by Harbor Science Network"])
    alert.get_by_role("link").click()
    expect(page.get_by_label("Grade band")).to_be_focused()
    expect(page.get_by_label("Grade band")).to_have_attribute("aria-invalid", "true")


@pytest.mark.django_db(transaction=True)
def test_the_credential_page_can_be_navigated_by_its_contents(page):
    load_fixture_credentials()
    page.goto("/credentials/riverbend-formative-feedback/")
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="How your submission is reviewed").click()
    assert page.url.endswith("#section-review-policy")
    expect(page.get_by_role("heading", name="How your submission is reviewed", level=2)).to_be_in_viewport()
    # The wide tables scroll on a narrow screen; their scrolling region takes keyboard focus.
    page.set_viewport_size({"width": 375, "height": 800})
    region = page.get_by_role("region", name="Rubric for Part 1. Your classroom")
    region.focus()
    expect(region).to_be_focused()
    page.goto("/credentials/no-such-credential/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


@pytest.mark.django_db(transaction=True)
def test_a_visitor_finds_each_real_program_and_its_guide(page):
    _, errors = credentials_load_dir(settings.CREDENTIALS_DIR)
    assert not errors

    page.goto("/credentials/")
    expect_results(page, ["Collaboration by Classkick", "Collaboration by Educators Rising"])
    page.get_by_label("Grade band").select_option(label="College")
    page.get_by_role("button", name="Show credentials").click()
    expect_results(page, ["Collaboration by Classkick"])
    page.get_by_role("link", name="Collaboration by Classkick").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration")
    expect(page.get_by_role("table", name="The review panel: 4 reviewers score each submission")).to_be_visible()
    with page.expect_download(timeout=PDF_TIMEOUT_MS) as download_info:
        page.get_by_role("link", name="Download the requirements and scoring guide (PDF)").click()
    assert download_info.value.suggested_filename == "classkick-collaboration-requirements.pdf"

    page.goto("/credentials/")
    page.get_by_label("Issuer").select_option(label="Educators Rising")
    page.get_by_role("button", name="Show credentials").click()
    page.get_by_role("link", name="Collaboration by Educators Rising").click()
    expect(page.get_by_role("table", name="Rubric for Part 2. Artifacts")).to_be_visible()
    expect(page.get_by_role("table", name="University partners for graduate credit")).to_be_visible()
    with page.expect_download(timeout=PDF_TIMEOUT_MS) as download_info:
        page.get_by_role("link", name="Download the requirements and scoring guide (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "educators-rising-collaboration-requirements.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert page.axe_settle()
