"""An educator completes and submits each program end to end in Chromium (axe checks every page load)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from submissions.models import Attempt, Evidence
from tests.browser.conftest import axe_check
from tests.browser.submission_pages import (
    attach,
    expect_saved,
    make_educator,
    pdf_on_disk,
    prepare_site,
    sign_in,
    words,
)
from tests.conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_an_educator_completes_and_submits_the_classkick_challenge(page, settings, tmp_path):
    prepare_site(settings, tmp_path)
    educator = make_educator()

    # Signed out, the credential page sends the educator to sign in and back.
    page.goto("/credentials/classkick-collaboration/")
    page.get_by_role("link", name="Sign in to start this certification challenge").click()
    page.get_by_label("Email").fill(educator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/credentials/classkick-collaboration/$"))
    page.get_by_role("button", name="Start this certification challenge").click()

    # Step 1: the method and the grade band.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 1 of 5 1. Choose your method of collaboration")
    expect(page.get_by_role("navigation", name="Steps of your submission").locator("[aria-current=step]")).to_have_text(
        re.compile("1. Choose your method")
    )
    page.get_by_role("radio", name="Classroom instruction").check()
    page.get_by_role("radio", name="Middle school").check()
    expect_saved(page)
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: class codes, the written evidence and a real PDF.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 2 of 5")
    page.get_by_label("Class Code(s) (if applicable), value 1").fill("ABC123")
    page.get_by_role("button", name="Add another value to Class Code(s) (if applicable)").click()
    expect(page.get_by_label("Class Code(s) (if applicable), value 2")).to_be_focused()
    page.keyboard.type("XYZ789")
    page.get_by_label("Explanation/Evidence of Collaboration").fill(
        "My grade team planned a fractions unit together and graded the exit tickets as a team."
    )
    page.get_by_label("Implementation", exact=True).fill(
        "We kept a weekly planning hour and shared our Classkick assignments."
    )
    page.get_by_label("Balance", exact=True).fill("Three teachers took turns leading the planning meeting.")
    page.get_by_label("Analysis", exact=True).fill("We compared exit-ticket results and chose what to reteach.")
    expect(page.get_by_text("This may hold student data: remove student names and identifiers").first).to_be_visible()
    attach(page, "Evidence of collaboration: lessons, rosters or grades", pdf_on_disk(tmp_path), student_data=True)
    expect(page.locator("[data-upload-status]").first).to_have_text(
        "lesson-plan.pdf is attached to Evidence of collaboration: lessons, rosters or grades."
    )
    expect(page.get_by_role("link", name="lesson-plan.pdf")).to_be_visible()
    expect(page.get_by_text("Contains student data")).to_be_visible()
    page.get_by_text("Rubric: how reviewers score this part").click()
    expect(page.get_by_role("table", name="Rubric for 2. Share evidence of your collaboration")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()

    # Step 3, as in the program: the self-evaluation, every element rated and justified.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 3 of 5 Self-evaluation")
    for title in ("Implementation", "Balance", "Analysis", "Explanation and evidence of collaboration"):
        element = page.get_by_role("group", name=title, exact=True)
        element.get_by_role("radio", name=re.compile(r"^Accomplished")).check()
        element.get_by_label("Why you chose this level").fill(f"My evidence for {title.lower()} shows it.")
    expect(page.locator("#se-analysis-justification-count")).to_have_text("6 / 150 words")
    page.get_by_role("button", name="Save and continue").click()

    # Step 4: the optional reflection, written.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 4 of 5")
    page.get_by_label("Written reflection").fill(
        "It went well because we planned together; next time I will start sooner."
    )
    page.get_by_role("button", name="Save and continue").click()

    # Step 5: the summary, then submit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 5 of 5 Check and submit")
    expect(page.get_by_text("ABC123")).to_be_visible()
    expect(page.get_by_role("link", name="lesson-plan.pdf")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your certification challenge is submitted")

    attempt = Attempt.objects.get(submission__educator=educator)
    assert attempt.responses["method"] == {"method": "classroom_instruction", "grade_band": "middle_school"}
    assert attempt.responses["evidence"]["class_codes"] == ["ABC123", "XYZ789"]
    assert attempt.grade_band == "middle_school"
    assert {r["level"] for r in attempt.self_evaluation.values()} == {"accomplished"}
    assert [item["name"] for item in attempt.evidence_manifest] == ["lesson-plan.pdf"]
    assert Evidence.objects.get().file.read() == pdf_on_disk(tmp_path).read_bytes()

    # The frozen attempt, with its timeline.
    page.get_by_role("link", name="View attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 1: Collaboration")
    expect(page.get_by_text("We compared exit-ticket results and chose what to reteach.")).to_be_visible()
    timeline = page.get_by_role("list").filter(has_text="Submitted (attempt 1)")
    expect(timeline.get_by_role("listitem")).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="lesson-plan.pdf").click()
    assert download.value.suggested_filename == "lesson-plan.pdf"
    page.goto("/accounts/dashboard/")
    expect(page.get_by_role("row", name=re.compile("Collaboration by Classkick Submitted 1"))).to_be_visible()
    expect(page.get_by_role("link", name="View attempt 1 for Collaboration by Classkick")).to_be_visible()
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_an_educator_completes_and_submits_the_educators_rising_micro_credential(page, settings, tmp_path, live_server):
    prepare_site(settings, tmp_path)
    educator = make_educator()
    sign_in(page, live_server, educator)
    page.goto("/credentials/educators-rising-collaboration/")
    page.get_by_role("button", name="Start this micro-credential").click()

    # Part 1: the overview questionnaire.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 1 of 4 Part 1. Overview Questions")
    page.get_by_role("radio", name="Intermediate").check()
    page.get_by_label("Grade level(s)").fill("Grade 4")
    page.get_by_label("Subject or content area").fill("Mathematics")
    page.get_by_label("Title or topic of the lesson").fill("Comparing fractions")
    page.get_by_role("radio", name="A school classroom").check()
    page.get_by_label("Your role and the setting").fill(
        "A field placement in a fourth-grade class with a mentor teacher."
    )
    page.get_by_label("Number of learners").fill("24")
    page.get_by_label("Your learners and their needs").fill(
        "Most could name fractions; four English learners needed visuals."
    )
    page.get_by_role("button", name="Save and continue").click()

    # Part 2: the lesson plan, its six elements, the delivery date and three planning interactions.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 2 of 4 Part 2. Artifacts")
    page.get_by_label("Lesson Plan", exact=True).fill(words(300, "plan"))
    for element in (
        "A clear goal and objective",
        "Alignment to relevant learning standards",
        "Essential questions",
        "A clear progression of strategically selected activities",
        "A plan to assess learners\N{RIGHT SINGLE QUOTATION MARK} understanding",
        "A plan to collect relevant data",
    ):
        page.get_by_role("checkbox", name=re.compile("^" + re.escape(element))).check()
    page.get_by_label("Date you delivered the lesson").fill("2025-03-10")
    interactions = [
        ("2025-03-03", "A peer or group of peers", "My grade-level team", "In person"),
        ("2025-03-05", "An expert or educator mentor", "My cooperating teacher", "Virtual (video or phone call)"),
        (
            "2025-03-07",
            "A professional network (online)",
            "A fourth-grade maths forum",
            "Online network (forum, social media or community)",
        ),
    ]
    for number, (held_on, kind, with_whom, form) in enumerate(interactions, start=1):
        entry = page.get_by_role("group", name=f"Planning interaction {number}", exact=True)
        entry.get_by_label("Date", exact=True).fill(held_on)
        entry.get_by_role("radio", name=kind).check()
        entry.get_by_label("With whom (their role)").fill(with_whom)
        entry.get_by_role("radio", name=form).check()
        entry.get_by_label("Ideas that came up").fill(f"Idea number {number}: use fraction strips.")
        entry.get_by_role("radio", name="Yes", exact=True).check()
    narrative = page.get_by_label("Collaborative Narrative")
    narrative.fill(words(501, "narrative"))
    expect(page.locator("#f-artifacts-narrative-count")).to_have_text("501 / 500 words — 1 over the limit")
    expect(page.locator("#announcer")).to_have_text("Collaborative Narrative is over the 500-word limit.")
    narrative.fill(words(500, "narrative"))
    expect(page.locator("#f-artifacts-narrative-count")).to_have_text("500 / 500 words")
    expect_saved(page)
    page.get_by_role("button", name="Save and continue").click()

    # Part 3: the 500-word reflective essay.
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 3 of 4 Part 3: Reflection")
    page.get_by_label("Reflection Essay").fill(words(500, "reflection"))
    expect(page.locator("#f-reflection-essay-count")).to_have_text("500 / 500 words")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Step 4 of 4 Check and submit")
    expect(page.get_by_text("Planning interaction 3")).to_be_visible()
    page.get_by_role("link", name="Check my submission").click()
    results = page.locator("#check-results")
    expect(results).to_be_focused()
    # Written long after the 2025 lesson: advice only, which does not stop the submission.
    expect(results).to_contain_text("Nothing stops you submitting. 2 pieces of advice")
    expect(results).to_contain_text("Advice, does not stop you submitting: Collaborative Narrative")
    axe_check(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your micro-credential is submitted")
    expect(page.get_by_role("heading", name="Advice you were given")).to_be_visible()

    attempt = Attempt.objects.get(submission__educator=educator)
    log = attempt.responses["artifacts"]["planning_log"]
    assert [(e["held_on"], e["kind"], e["format"], e["used_in_lesson"]) for e in log] == [
        ("2025-03-03", "peer", "in_person", "yes_fully"),
        ("2025-03-05", "expert", "virtual", "yes_fully"),
        ("2025-03-07", "online_network", "online_network", "yes_fully"),
    ]
    assert len(attempt.responses["artifacts"]["lesson_plan_elements"]) == 6
    assert len(attempt.responses["artifacts"]["narrative"].split()) == 500
    assert len(attempt.responses["reflection"]["essay"].split()) == 500
    assert attempt.grade_band == "intermediate"
