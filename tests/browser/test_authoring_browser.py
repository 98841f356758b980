"""An issuer admin edits a credential in the browser: Educators Rising's narrative limit goes from 500 to 600 words,
the educator's form is previewed, version 2 is published; a submission started before keeps 500, a new one gets
600; the diff page shows the change. axe checks every page on load (see conftest). The editor is also filled and
saved by keyboard alone."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import IssuerMembership, User
from accounts.services import membership_grant
from catalog.models import Credential, Issuer
from submissions.services import submission_start
from tests.browser.submission_pages import make_educator, prepare_site, sign_in

SLUG = "educators-rising-collaboration"


def _warm(live_server: Any) -> None:
    # The live server's first request imports every view; on a busy machine that alone can outlast a page load's
    # timeout, so it is made here, not by the browser.
    urllib.request.urlopen(live_server.url + "/healthz", timeout=120).close()


def _patient(page: Any) -> None:
    # Nine test runs share two cores here: a page that renders in a fraction of a second alone can take longer.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)


def _admin() -> User:
    user = User.objects.create_user(email="otto@educatorsrising.example", password="x" * 20, name="Otto Admin")
    issuer = Issuer.objects.get(slug="educators-rising")
    membership_grant(actor=None, user=user, issuer=issuer, role=IssuerMembership.Role.ADMIN)
    return user


def _narrative_place(credential: Credential) -> tuple[int, int]:
    assert credential.current_version is not None
    parts = credential.current_version.definition["parts"]
    p = next(i for i, part in enumerate(parts) if part["id"] == "artifacts")
    f = next(i for i, field in enumerate(parts[p]["fields"]) if field["id"] == "narrative")
    return p, f


def _max_words(submission: Any) -> int:
    submission.refresh_from_db()
    return int(submission.version.spec.field_at("artifacts.narrative").max_words)


@pytest.mark.django_db(transaction=True)
def test_an_admin_raises_the_narrative_limit_and_publishes_version_2(page, settings, tmp_path, live_server):
    credentials = prepare_site(settings, tmp_path)
    credential = credentials[SLUG]
    earlier, _ = submission_start(educator=make_educator(), credential=credential)
    admin = _admin()
    p, f = _narrative_place(credential)
    _warm(live_server)
    _patient(page)
    sign_in(page, live_server, admin)

    page.goto("/issuers/educators-rising/credentials/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Credentials of Educators Rising")
    page.get_by_role("button", name="Edit Collaboration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft of Collaboration")
    expect(page.get_by_role("heading", name="Ready to publish")).to_be_visible()

    page.get_by_role("navigation", name="Sections of the definition").get_by_role(
        "link", name="Submission form"
    ).click()
    page.locator(f"#f-parts-{p}-entry > summary").click()
    page.locator(f"#f-parts-{p}-fields-{f}-entry > summary").click()
    limit = page.get_by_label("Max words").and_(page.locator(f"#f-parts-{p}-fields-{f}-max_words"))
    expect(limit).to_have_value("500")
    limit.fill("600")
    page.get_by_role("button", name="Save submission form").click()
    expect(page.locator(".messages")).to_contain_text("Saved (revision 2). The draft is ready to publish.")

    # A problem shows at its field and in the summary, and the typed text stays.
    page.locator(f"#f-parts-{p}-entry > summary").click()
    page.locator(f"#f-parts-{p}-fields-{f}-entry > summary").click()
    page.locator(f"#f-parts-{p}-fields-{f}-max_words").fill("six hundred")
    page.get_by_role("button", name="Save submission form").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("must be a whole number, not 'six hundred'")
    summary.get_by_role("link").first.click()
    field = page.locator(f"#f-parts-{p}-fields-{f}-max_words")
    expect(field).to_be_visible()
    expect(field).to_have_value("six hundred")
    expect(field).to_have_attribute("aria-invalid", "true")
    field.fill("600")
    page.get_by_role("button", name="Save submission form").click()
    expect(page.locator(".messages")).to_contain_text("The draft is ready to publish.")

    # Preview the educator's form as it will be.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Preview the educator's form").click()
    page.goto(page.url.split("?")[0] + "?step=artifacts")
    expect(page.locator('textarea[data-max-words="600"]').first).to_be_attached()

    page.goto(f"/issuers/educators-rising/credentials/{SLUG}/draft/")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator(".messages")).to_contain_text("Version 2 of Collaboration is published.")

    assert _max_words(earlier) == 500
    fresh = Credential.objects.select_related("current_version").get(slug=SLUG)
    later, _ = submission_start(educator=make_educator("eli@example.org", "Eli"), credential=fresh)
    assert later.version.number == 2
    assert _max_words(later) == 600

    page.goto(f"/issuers/educators-rising/credentials/{SLUG}/versions/diff/?from=1&to=2")
    body = page.locator("main")
    expect(body).to_contain_text("500")
    expect(body).to_contain_text("600")
    expect(body).to_contain_text("narrative")
    page.axe_settle()
    assert any("/draft/submission/" in url for url in page.axe_checked)
    assert any("/versions/diff/" in url for url in page.axe_checked)


def tab_to(page: Any, selector: str, *, limit: int = 120) -> None:
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was not reached with Tab")


@pytest.mark.django_db(transaction=True)
def test_the_editor_is_filled_and_saved_by_keyboard_alone(page, settings, tmp_path, live_server):
    credentials = prepare_site(settings, tmp_path)
    admin = _admin()
    from authoring.services.drafts import draft_start

    draft = draft_start(actor=admin, credential=credentials[SLUG])
    _warm(live_server)
    _patient(page)
    sign_in(page, live_server, admin)
    page.goto(f"/issuers/educators-rising/credentials/{SLUG}/draft/review-policy/")
    tab_to(page, "#f-review_policy-due_days")
    page.keyboard.press("Control+a")
    page.keyboard.type("21")
    tab_to(page, "#f-review_policy-blind")
    page.keyboard.press("Space")  # the policy is no longer blind
    # A list entry opens from its summary with Enter; its inputs are then reachable.
    tab_to(page, "#f-review_policy-seats-0-entry > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#f-review_policy-seats-0-count")
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    tab_to(page, "button:text('Save review policy and panel')")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Saved (revision 2)")
    draft.refresh_from_db()
    policy = draft.definition["review_policy"]
    assert (policy["due_days"], policy["blind"], policy["seats"][0]["count"]) == (21, False, 3)
    # Enter in a one-line box saves too (the form's default action).
    tab_to(page, "#f-review_policy-grace_days")
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Saved (revision 3)")
    draft.refresh_from_db()
    assert draft.definition["review_policy"]["grace_days"] == 5


@pytest.mark.django_db(transaction=True)
def test_every_authoring_page_passes_axe_and_fits_a_phone(page, settings, tmp_path, live_server):
    from authoring.services.drafts import draft_start
    from pages.authoring.sections import SECTIONS

    credentials = prepare_site(settings, tmp_path)
    admin = _admin()
    draft_start(actor=admin, credential=credentials[SLUG])
    _warm(live_server)
    _patient(page)
    sign_in(page, live_server, admin)
    base = f"/issuers/educators-rising/credentials/{SLUG}/draft/"
    for section in SECTIONS:
        page.goto(f"{base}{section.slug}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(str(section.title))
        page.axe_settle()
    # Each page's check is waited for before the next navigation: on a busy machine a check still running when
    # the test moved on was cut short, and that page went uncounted.
    page.goto(f"{base}discard/")
    page.axe_settle()
    # A new credential: refused input first (the error summary), then its draft's pages.
    page.goto("/issuers/educators-rising/credentials/")
    page.axe_settle()
    page.get_by_role("button", name="Start a new credential").click()
    expect(page.locator("#error-summary")).to_contain_text("Title")
    page.axe_settle()
    page.get_by_label("Title").fill("Lesson study")
    page.get_by_label("Slug").fill("lesson-study")
    page.get_by_role("button", name="Start a new credential").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft of Lesson study")
    page.axe_settle()
    page.goto("/issuers/educators-rising/credentials/lesson-study/draft/standards/")
    page.axe_settle()
    page.get_by_role("button", name="Add standards").click()
    expect(page.locator("#error-summary")).to_contain_text("is required but missing")
    page.axe_settle()
    assert len(page.axe_checked) >= len(SECTIONS) + 6  # every page above, each checked
