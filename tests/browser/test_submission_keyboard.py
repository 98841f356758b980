"""One whole part completed by keyboard alone: Tab to each field, type, Space and arrows for choices, Enter to
save and go on. No clicks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from submissions.models import Draft
from submissions.services import submission_start
from tests.browser.submission_pages import expect_saved, make_educator, prepare_site, sign_in


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element is focused: it must be reachable, in order, from where focus is now."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was not reached with Tab")


@pytest.mark.django_db(transaction=True)
def test_the_overview_part_is_completed_by_keyboard_alone(page, settings, tmp_path, live_server):
    credentials = prepare_site(settings, tmp_path)
    educator = make_educator()
    submission, _ = submission_start(educator=educator, credential=credentials["educators-rising-collaboration"])
    sign_in(page, live_server, educator)
    page.goto(f"/submissions/{submission.pk}/parts/overview/")

    # The rubric is one keypress away, too.
    tab_to(page, "summary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Rubric for Part 1. Overview Questions")).to_be_visible()

    tab_to(page, "#f-overview-grade_band")  # the first radio of the group
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # moves to, and chooses, "Intermediate"
    expect(page.get_by_role("radio", name="Intermediate")).to_be_checked()
    tab_to(page, "#f-overview-grade_level")
    page.keyboard.type("Grade 4")
    tab_to(page, "#f-overview-subject")
    page.keyboard.type("Mathematics")
    tab_to(page, "#f-overview-lesson_topic")
    page.keyboard.type("Comparing fractions")
    tab_to(page, "#f-overview-setting")
    page.keyboard.press("Space")
    tab_to(page, "#f-overview-role_and_setting")
    page.keyboard.type("A field placement in a fourth-grade class.")
    tab_to(page, "#f-overview-learner_count")
    page.keyboard.type("24")
    # Enter in a one-line box saves the step (the form's default action), and stays on it.
    page.keyboard.press("Enter")
    expect_saved(page)
    expect(page).to_have_url(f"{live_server.url}/submissions/{submission.pk}/parts/overview/")
    tab_to(page, "#f-overview-learner_needs")
    page.keyboard.type("Four English learners needed visuals.")
    tab_to(page, "#f-overview-lesson_length")
    page.keyboard.type("45 minutes")
    expect(page.locator("#f-overview-learner_needs-count")).to_have_text("5 / 250 words")

    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 2 of 4 Part 2. Artifacts")
    assert Draft.objects.get(pk=submission.pk).responses["overview"] == {
        "grade_band": "intermediate",
        "grade_level": "Grade 4",
        "subject": "Mathematics",
        "lesson_topic": "Comparing fractions",
        "setting": "school_classroom",
        "role_and_setting": "A field placement in a fourth-grade class.",
        "learner_count": "24",
        "learner_needs": "Four English learners needed visuals.",
        "lesson_length": "45 minutes",
    }

    # Adding a planning interaction by keyboard puts focus in the new entry.
    tab_to(page, "[data-add-entry]", limit=200)
    page.keyboard.press("Enter")
    expect(page.locator("#f-artifacts-planning_log-4-held_on")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Planning interaction 4 added.")
