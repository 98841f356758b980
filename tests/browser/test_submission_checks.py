"""The completeness check in a real browser: findings are shown where the educator is, lead to the field,
clear once fixed, and stop a submission until they are gone."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from submissions.models import Attempt
from submissions.services import evidence_add, submission_start
from tests.browser.conftest import axe_check
from tests.browser.submission_pages import expect_saved, make_educator, prepare_site, sign_in
from tests.submissions import files
from tests.submissions.helpers import answers_for, ratings_for, save


@pytest.mark.django_db(transaction=True)
def test_findings_are_shown_followed_to_their_field_fixed_and_cleared(page, settings, tmp_path, live_server):
    credentials = prepare_site(settings, tmp_path)
    educator = make_educator()
    submission, _ = submission_start(educator=educator, credential=credentials["classkick-collaboration"])
    sign_in(page, live_server, educator)
    page.goto(f"/submissions/{submission.pk}/parts/method/")

    page.get_by_role("button", name="Check my submission").click()
    results = page.get_by_role("region", name="Check results")
    expect(results).to_be_focused()
    expect(results.get_by_role("status")).to_contain_text("need to be fixed before you can submit")
    expect(results.get_by_role("heading", name="1. Choose your method of collaboration")).to_be_visible()
    expect(results.get_by_role("heading", name="Self-evaluation")).to_be_visible()
    method = results.get_by_role("listitem").filter(has_text="Method of collaboration")
    expect(method).to_have_text("Must fix before submitting: Method of collaboration: Choose an option.")
    axe_check(page)

    # The link goes to the field on this page, and the finding clears once the field is answered.
    method.get_by_role("link", name="Method of collaboration").click()
    expect(page.get_by_role("radio", name="Sharing goals")).to_be_focused()
    page.get_by_role("radio", name="Evaluation").check()
    expect_saved(page)
    page.get_by_role("button", name="Check my submission").click()
    expect(results.get_by_role("listitem").filter(has_text="Method of collaboration")).to_have_count(0)
    expect(results.get_by_role("listitem").filter(has_text="Grade band of your class")).to_have_count(1)

    # A finding on another step leads there, to the very field.
    results.get_by_role("link", name="Self-evaluation: Analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 3 of 5 Self-evaluation")
    expect(page.locator("#se-analysis")).to_be_focused()

    # Submitting with findings left is refused, with an alert listing what to fix.
    page.goto(f"/submissions/{submission.pk}/summary/")
    page.get_by_role("button", name="Submit for review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your submission was not sent")
    expect(alert).to_be_focused()
    expect(alert.get_by_role("link", name="Grade band of your class")).to_be_visible()
    assert not Attempt.objects.exists()

    # Everything else is filled in (through the same services the API uses), and the check comes back clear.
    definition = submission.version.spec
    save(submission, educator, answers_for(definition), ratings_for(definition))
    evidence_add(
        submission=submission,
        actor=educator,
        field_ref="evidence.evidence_files",
        upload=_pdf_upload(),
        student_data=False,
    )
    page.goto(f"/submissions/{submission.pk}/summary/")
    page.get_by_role("link", name="Check my submission").click()
    expect(results.get_by_role("status")).to_have_text("Nothing stops you submitting.")
    expect(results.get_by_role("listitem")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your certification challenge is submitted")
    assert Attempt.objects.filter(submission=submission).count() == 1


def _pdf_upload():
    return SimpleUploadedFile("evidence.pdf", files.pdf())
