"""The offline form's pages in a browser: reached from the draft's page, uploaded by keyboard, the report read
first; axe, the 390 px fit and the Content-Security-Policy are checked on every load by the conftest."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from submissions.services import submission_start
from tests.browser.submission_pages import make_educator, prepare_site, sign_in
from tests.conftest import EDUCATORS_RISING
from tests.submissions.offline_filler import Filler


@pytest.mark.django_db(transaction=True)
def test_an_educator_uploads_a_filled_form_and_reads_what_it_placed(page, live_server, settings, tmp_path):
    credentials = prepare_site(settings, tmp_path)
    educator = make_educator()
    submission = submission_start(educator=educator, credential=credentials[EDUCATORS_RISING])[0]
    client = Client()
    client.force_login(educator)
    filler = Filler(client.get(reverse("submissions:form_docx", args=[submission.pk])).content, submission.version.spec)
    filler.type("reflection.essay", "Planning with others changed my lesson.")
    filler.type("overview.setting", "On the moon")
    form = tmp_path / "filled.docx"
    form.write_bytes(filler.save())
    sign_in(page, live_server, educator)

    page.goto(live_server.url + reverse("submissions:detail", args=[submission.pk]))
    page.get_by_role("link", name="Fill in your draft from a filled form").click()
    expect(page.get_by_role("heading", name="Fill in your draft from a filled form")).to_be_visible()
    page.get_by_label("Your filled form (Word, .docx)").set_input_files(str(form))
    page.get_by_role("button", name="Upload and fill in my draft").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="What the form filled in")).to_be_focused()
    expect(page.get_by_text("1 answer placed in your draft")).to_be_visible()
    expect(page.get_by_text("“On the moon” is not one of the options")).to_be_visible()
