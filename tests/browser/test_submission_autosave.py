"""Drafts never lose work in a real browser: autosave survives a reload, a refused save, a lost connection
and an expired session, and two tabs cannot silently overwrite each other."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from submissions.models import Draft
from submissions.services import submission_start
from tests.browser.conftest import axe_check
from tests.browser.submission_pages import expect_saved, make_educator, prepare_site, save_status, sign_in

RESPONSES = "**/api/v1/submissions/*/responses"


def essay(submission_id: int) -> str | None:
    return Draft.objects.get(pk=submission_id).responses.get("reflection", {}).get("essay")


@pytest.fixture
def reflection_step(page, settings, tmp_path, live_server):
    credentials = prepare_site(settings, tmp_path)
    educator = make_educator()
    submission, _ = submission_start(educator=educator, credential=credentials["educators-rising-collaboration"])
    sign_in(page, live_server, educator)
    return submission, f"/submissions/{submission.pk}/parts/reflection/"


@pytest.mark.django_db(transaction=True)
def test_autosave_survives_a_reload_and_a_refused_save(page, reflection_step):
    submission, url = reflection_step
    page.goto(url)
    box = page.get_by_label("Reflection Essay")
    box.fill("Collaboration improved my questioning.")
    expect_saved(page)
    assert essay(submission.pk) == "Collaboration improved my questioning."
    page.reload()
    expect(page.get_by_label("Reflection Essay")).to_have_value("Collaboration improved my questioning.")

    # The server refuses the next save once: the page says so, retries by itself, and then it is saved.
    refused: list[str] = []

    def refuse_once(route):
        if route.request.method == "PATCH" and not refused:
            refused.append(route.request.url)
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route(RESPONSES, refuse_once)
    page.get_by_label("Reflection Essay").focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" It did not help with pacing.")
    expect(save_status(page)).to_contain_text("Not saved — retrying")
    expect_saved(page)
    assert refused
    assert essay(submission.pk) == "Collaboration improved my questioning. It did not help with pacing."
    page.unroute(RESPONSES)
    page.reload()
    expect(page.get_by_label("Reflection Essay")).to_have_value(
        "Collaboration improved my questioning. It did not help with pacing."
    )


@pytest.mark.django_db(transaction=True)
def test_text_typed_while_offline_is_kept_through_a_reload_and_saved_later(page, reflection_step):
    submission, url = reflection_step
    page.goto(url)
    page.route(RESPONSES, lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Reflection Essay").fill("Typed on the train without a connection.")
    expect(save_status(page)).to_contain_text("Not saved — retrying")
    page.reload()
    # The server never got it, yet the page shows it again, from this device's copy.
    expect(page.get_by_label("Reflection Essay")).to_have_value("Typed on the train without a connection.")
    expect(save_status(page)).to_contain_text("Not saved — retrying")
    assert essay(submission.pk) is None
    page.unroute(RESPONSES)
    expect_saved(page)
    assert essay(submission.pk) == "Typed on the train without a connection."
    assert page.evaluate("Object.keys(localStorage).length") == 0


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_keeps_the_text_and_saves_it_after_signing_in_again(page, reflection_step, live_server):
    submission, url = reflection_step
    page.goto(url)
    cookies = {c["name"]: c for c in page.context.cookies()}
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Reflection Essay").fill("Written after the session ended.")
    expect(save_status(page)).to_contain_text("You may have been signed out")
    assert essay(submission.pk) is None
    page.context.add_cookies([cookies["sessionid"]])
    expect_saved(page)
    assert essay(submission.pk) == "Written after the session ended."


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_the_same_answer_show_both_texts_and_let_the_educator_choose(page, reflection_step):
    submission, url = reflection_step
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    expect(other.get_by_label("Reflection Essay")).to_have_value("")

    page.get_by_label("Reflection Essay").fill("Text from the first tab.")
    expect_saved(page)
    other.get_by_label("Reflection Essay").fill("Text from the second tab.")

    panel = other.get_by_role("region", name="This draft changed in another tab or device")
    expect(panel).to_be_focused()
    expect(save_status(other)).to_have_text("Not saved — this answer changed in another tab")
    expect(panel.locator(".version").filter(has_text="Your version (not saved)")).to_contain_text(
        "Text from the second tab."
    )
    expect(panel.locator(".version").filter(has_text="The saved version")).to_contain_text("Text from the first tab.")
    assert essay(submission.pk) == "Text from the first tab."  # nothing was overwritten
    axe_check(other)

    other.get_by_role("button", name="Keep my version").click()
    expect_saved(other)
    expect(panel).to_have_count(0)
    assert essay(submission.pk) == "Text from the second tab."

    # The first tab is now the stale one: its next edit is a conflict too, and it can take the saved text.
    page.get_by_label("Reflection Essay").fill("Text from the first tab, edited.")
    first_panel = page.get_by_role("region", name="This draft changed in another tab or device")
    expect(first_panel).to_contain_text("Text from the second tab.")
    page.get_by_role("button", name="Use the saved version").click()
    expect(page.get_by_label("Reflection Essay")).to_have_value("Text from the second tab.")
    expect_saved(page)
    assert essay(submission.pk) == "Text from the second tab."
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_save_that_finds_another_tabs_change_redraws_before_saving_again(page, reflection_step):
    """The redraw brings the revision the next save must be based on; a save sent before it would find its own
    earlier save as "another tab's" change and could stop the educator with a conflict."""
    submission, url = reflection_step
    overview = url.replace("/reflection/", "/overview/")
    page.goto(overview)
    other = page.context.new_page()
    other.goto(overview)
    other.get_by_label("Subject or content area").fill("Mathematics")
    expect_saved(other)

    held_save: list = []
    held_redraw: list = []
    saves: list[str] = []
    page.on("request", lambda request: saves.append(request.url) if request.method == "PATCH" else None)

    def hold_first_save(route):
        if route.request.method == "PATCH" and not held_save:
            held_save.append(route)  # answered below, once the next edit's save is waiting behind this one
        else:
            route.continue_()

    def hold_redraw(route):
        if route.request.method == "GET" and route.request.headers.get("hx-request"):
            held_redraw.append(route)
        else:
            route.continue_()

    def wait_for(items: list) -> None:
        for _ in range(50):
            if items:
                return
            page.wait_for_timeout(100)

    page.route(RESPONSES, hold_first_save)
    page.route("**/parts/overview/", hold_redraw)
    level = page.get_by_label("Grade level(s)")
    level.fill("4")
    wait_for(held_save)  # sent after the debounce
    level.fill("4 and 5")
    page.wait_for_timeout(1200)  # past the debounce: the second save now waits for the first
    held_save[0].continue_()
    wait_for(held_redraw)  # the answer showed the subject the other tab saved: the form is drawn again
    page.wait_for_timeout(500)
    assert len(saves) == 1, "a save went out before the redraw brought the revision to base it on"
    held_redraw[0].continue_()

    expect(page.get_by_label("Subject or content area")).to_have_value("Mathematics")
    expect_saved(page)
    expect(page.get_by_role("region", name="This draft changed in another tab or device")).to_have_count(0)
    expect(page.get_by_label("Grade level(s)")).to_have_value("4 and 5")
    answers = Draft.objects.get(pk=submission.pk).responses["overview"]
    assert (answers["grade_level"], answers["subject"]) == ("4 and 5", "Mathematics")
    page.unroute(RESPONSES)
    page.unroute("**/parts/overview/")
    other.close()
