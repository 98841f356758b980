"""The pipeline's bulk actions and the Exports page in Chromium (axe checks every load, and the 390 px width):
an issuer admin ticks two attempts with the keyboard, extends their reviews' deadline, sees what will happen,
confirms; then asks to reassign without choosing whom (the error summary), and opens the Exports page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import membership_grant
from reviews.models import Assignment, AssignmentState
from tests.browser.test_review_journeys import load_site, make_reviewer, switch_to
from tests.conftest import PASSWORD
from tests.reviews.helpers import submit_attempt


def _educator(email: str, name: str) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, name=name, email_verified_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_an_admin_extends_two_attempts_deadlines_by_keyboard_and_confirms(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
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
    first = submit_attempt(_educator("edna@example.org", "Edna Educator"), classkick)
    second = submit_attempt(_educator("eli@example.org", "Eli Educator"), classkick)
    admin = _educator("ada@classkick.example", "Ada Admin")
    membership_grant(actor=None, user=admin, issuer=classkick.issuer, role=IssuerMembership.Role.ADMIN)
    before = dict(Assignment.objects.filter(state=AssignmentState.OPEN).values_list("pk", "due_at"))
    assert len(before) == 8

    switch_to(page, live_server, admin)
    page.goto("/reviews/admin/")
    choose = page.get_by_role("group", name="Attempts under review: tick those to act on together")
    for attempt in (first, second):
        box = choose.get_by_role("checkbox", name=f"Choose C-{attempt.submission_id}, attempt 1")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    action = page.get_by_role("group", name="What to do with the ticked attempts")
    expect(action.get_by_role("radio", name=re.compile("^Extend the deadline"))).to_be_checked()
    days = action.get_by_label("Days to extend by")
    days.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # submits the form, as a keyboard user does from a text field

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm: extend the deadline")
    expect(page.get_by_text("8 reviews will change")).to_be_visible()
    expect(page.get_by_role("region", name="Each open review of the chosen attempts")).to_contain_text("Mia Mentor")
    assert dict(Assignment.objects.filter(state=AssignmentState.OPEN).values_list("pk", "due_at")) == before
    confirm = page.get_by_role("button", name="Confirm")
    confirm.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review pipeline")
    expect(page.get_by_text("8 reviews: deadline extended.")).to_be_visible()
    after = dict(Assignment.objects.filter(state=AssignmentState.OPEN).values_list("pk", "due_at"))
    assert {pk: after[pk] - due for pk, due in before.items()} == dict.fromkeys(before, timedelta(days=5))

    # Reassigning asks whom and why; sent without them, the error summary names both fields.
    page.goto(f"/reviews/admin/bulk/?attempt={first.pk}&action=reassign")
    expect(page.get_by_role("heading", level=1)).to_have_text("Act on 1 attempt")
    page.get_by_role("button", name="Show what will happen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose the reviewer who takes the reviews over")
    expect(summary).to_contain_text("Say why the reviews are moved to someone else")

    # The Exports page: filters and a link per export and format.
    page.goto(f"/issuers/{classkick.issuer.slug}/exports/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Exports of {classkick.issuer.name}")
    page.get_by_label("Version").fill("0")
    page.get_by_role("button", name="Apply the filters").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a version number of 1 or more")
    expect(page.get_by_role("link", name="CSV of submissions")).to_be_visible()
