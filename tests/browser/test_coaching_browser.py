"""Coaching in Chromium (axe and the 390 px check on every load, through the browser tests' `page` fixture): a coach
reads a shared draft without its student data and comments on an answer by keyboard; the educator sees the comment
beside that answer on the step and resolves it by keyboard. State is made through the services; the browser does
only what the test is about."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from coaching.models import CoachComment
from coaching.services import coaching_share_create
from submissions.services import submission_start
from tests.browser.submission_pages import make_educator, prepare_site, sign_in
from tests.coaching.conftest import EXPLANATION, SECRET
from tests.conftest import PASSWORD
from tests.submissions.helpers import save

pytestmark = pytest.mark.browser

LABEL = "Explanation/Evidence of Collaboration"
COMMENT = "Say who led each meeting, and how often you met."


@pytest.mark.django_db(transaction=True)
def test_a_coach_comments_by_keyboard_and_the_educator_resolves_it_beside_the_answer(
    page: Any,
    settings: Any,
    tmp_path: Any,
    live_server: Any,
) -> None:
    page.set_default_timeout(30_000)
    classkick = prepare_site(settings, tmp_path)["classkick-collaboration"]
    edna = make_educator()
    cora = User.objects.create_user(
        email="cora@coaches.example", password=PASSWORD, name="Cora Coach", email_verified_at=timezone.now()
    )
    submission, _ = submission_start(educator=edna, credential=classkick)
    save(submission, edna, {"evidence.explanation": EXPLANATION, "evidence.analysis": SECRET})
    coaching_share_create(actor=edna, submission=submission, email=cora.email, role="mentor", files_allowed=False)

    # The coach finds the draft in their list and comments beside one answer, by keyboard.
    sign_in(page, live_server, cora)
    page.goto("/coaching/")
    page.get_by_role("link", name=classkick.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edna Educator's draft of {classkick.title}")
    expect(page.get_by_text(EXPLANATION)).to_be_visible()
    assert "ROSTER-SECRET" not in page.content()
    page.get_by_label(f"Your comment on “{LABEL}”").focus()
    page.keyboard.type(COMMENT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == f"Add comment on {LABEL}"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Your comment is sent. Edna Educator sees it beside that answer."
    )

    # The educator sees it beside that answer on the step, and resolves it by keyboard.
    page.context.clear_cookies()
    sign_in(page, live_server, edna)
    page.goto(f"/submissions/{submission.pk}/parts/evidence/")
    expect(page.get_by_text(COMMENT)).to_be_visible()
    page.get_by_role("button", name=f"Resolve the comment from Cora Coach on {LABEL}").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/submissions/{submission.pk}/parts/evidence/"))
    expect(page.locator(".messages")).to_contain_text("Comment resolved.")
    expect(page.get_by_text(COMMENT)).to_have_count(0)
    comment = CoachComment.objects.get()
    assert comment.resolved_by == edna

    # The Coaching page lists the coach and the resolved comment.
    page.get_by_role("link", name="Coaching", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching")
    expect(page.get_by_text("Can read your draft and comment.")).to_be_visible()
