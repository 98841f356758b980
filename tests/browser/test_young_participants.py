"""A participant under 18 in Chromium (axe, the CSP and the 390 px width are checked on every page load): sign-up
with the age question, the guardian's consent through the emailed link, submitting only after it; a declined
consent that blocks submitting; and a credential that starts private.

The answers are filled through the same service helpers the other tests use (the submission steps have their own
browser tests); everything the participant and the guardian do here is done on the pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AgeBracket, ParticipationConsent, User
from accounts.participants import consent_request
from awards.services import badge_issue
from catalog.models import Credential
from submissions.models import Attempt, EventKind, Submission
from submissions.services import attempt_transition, submission_start
from tests.browser.submission_pages import prepare_site, sign_in
from tests.conftest import PASSWORD
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit

CLASSKICK = "classkick-collaboration"


def filled(educator: User, credential: Credential) -> Submission:
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    save(submission, educator, answers_for(definition), ratings_for(definition) or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    return submission


def emailed_link(to: str, path: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [to]][-1:]
    found = re.search(rf"https?://\S+{re.escape(path)}\S+", str(message.body))
    assert found, message.body
    return urlparse(found.group(0)).path


def a_minor() -> User:
    return User.objects.create_user(
        email="tia@example.org",
        password=PASSWORD,
        name="Tia Teen",
        age_bracket=AgeBracket.TEEN,
        email_verified_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_minor_signs_up_and_submits_once_the_guardian_consents(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url

    page.goto("/accounts/signup/")
    page.get_by_label("Full name").fill("Tia Teen")
    page.get_by_label("Email address").fill("tia@example.org")
    page.get_by_label("13 to 17").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(emailed_link("tia@example.org", "/accounts/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")

    minor = User.objects.get(email="tia@example.org")
    assert minor.is_minor
    submission = filled(minor, credentials[CLASSKICK])
    sign_in(page, live_server, minor)
    page.goto(f"/submissions/{submission.pk}/summary/")
    notice = page.get_by_role("region", name="Before you submit: consent for participants under 18")
    expect(notice).to_contain_text("Parent or guardian: not asked yet")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Your submission was not sent: you are under 18")

    notice.get_by_role("link", name="Ask for consent, or send the request again").click()
    guardian = page.get_by_role("region", name="Parent or guardian")
    guardian.get_by_label("Their full name").fill("Gwen Guardian")
    guardian.get_by_label("Their email address").fill("gwen@example.org")
    guardian.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status").first).to_have_text("We emailed gwen@example.org a link to answer.")

    # The guardian, with no account, answers through the emailed link.
    page.context.clear_cookies()
    page.goto(emailed_link("gwen@example.org", "/accounts/consent/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent for Tia Teen to take part")
    page.get_by_role("radio", name="I agree").check()
    page.get_by_label("Your full name").fill("Gwen Guardian")
    page.get_by_role("button", name="Record my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    sign_in(page, live_server, minor)
    page.goto(f"/submissions/{submission.pk}/summary/")
    expect(page.get_by_role("region", name=re.compile("^Before you submit"))).to_contain_text("given on")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your certification challenge is submitted")
    assert Attempt.objects.filter(submission=submission).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_declined_consent_blocks_submitting(page: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    credentials = prepare_site(settings, tmp_path)
    settings.SITE_URL = live_server.url
    minor = a_minor()
    submission = filled(minor, credentials[CLASSKICK])
    consent_request(user=minor, kind="guardian", contact_name="Gwen Guardian", contact_email="gwen@example.org")

    page.goto(emailed_link("gwen@example.org", "/accounts/consent/"))
    page.get_by_role("radio", name="I do not agree").check()
    page.get_by_label("Your full name").fill("Gwen Guardian")
    page.get_by_role("button", name="Record my answer").click()
    expect(page.get_by_role("main")).to_contain_text("Your answer is recorded: you did not agree")

    sign_in(page, live_server, minor)
    page.goto(f"/submissions/{submission.pk}/summary/")
    expect(page.get_by_role("region", name=re.compile("^Before you submit"))).to_contain_text("declined on")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Gwen Guardian declined on")
    expect(page.get_by_role("status").first).to_contain_text("you can ask again")
    assert not Attempt.objects.filter(submission=submission).exists()


@pytest.mark.django_db(transaction=True)
def test_a_minors_badge_page_is_private_by_default(page: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    credentials = prepare_site(settings, tmp_path)
    minor = a_minor()
    submission = filled(minor, credentials[CLASSKICK])
    # The guardian agreed to taking part only: no tick for sharing outside the platform.
    ParticipationConsent.objects.create(
        user=minor,
        kind="guardian",
        contact_name="Gwen Guardian",
        contact_email="gwen@example.org",
        status="given",
        signed_name="Gwen Guardian",
        requested_at=timezone.now(),
        sent_at=timezone.now(),
        decided_at=timezone.now(),
    )
    attempt = attempt_submit(submission=submission, actor=minor)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.EARNED)
    badge = badge_issue(attempt=attempt)

    page.goto(f"/awards/{badge.uuid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    sign_in(page, live_server, minor)
    page.goto(f"/awards/{badge.uuid}/")
    expect(page.get_by_role("radio", name=re.compile("^Private"))).to_be_checked()
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_have_count(0)
    page.get_by_role("radio", name=re.compile("^Public")).check()
    page.get_by_role("button", name="Save visibility").click()
    expect(page.get_by_role("status").first).to_contain_text("Not changed: you are under 18")
    expect(page.get_by_role("radio", name=re.compile("^Private"))).to_be_checked()
