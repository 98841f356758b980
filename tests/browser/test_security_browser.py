"""Pages built by libraries run under the same strict Content-Security-Policy as ours.

The admin site (Django's own templates and scripts, with the widgets our ModelAdmins use) and the API's
Swagger page (django-ninja's) are not ours to edit, so they are visited here with `library_page`: any
CSP violation, or a page without the headers, fails the test (axe is left to the libraries). Also the
sign-in throttle and the idle timeout, as a person meets them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IssuerMembership, ReviewerRole
from accounts.services import membership_grant, reviewer_role_grant
from submissions.models import Draft
from submissions.services import submission_start
from tests.browser.submission_pages import make_educator, prepare_site, sign_in
from tests.conftest import PASSWORD


@pytest.fixture
def platform_admin(db):
    return make_educator("pat@microcred.example", "Pat Platform")


@pytest.mark.django_db(transaction=True)
def test_the_admin_site_works_under_the_policy(library_page, live_server, platform_admin, settings, tmp_path):
    page = library_page
    credentials = prepare_site(settings, tmp_path)
    classkick = credentials["classkick-collaboration"]
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    reviewer = make_educator("sam@classkick.example", "Sam Staff")
    membership_grant(actor=None, user=reviewer, issuer=classkick.issuer, role=IssuerMembership.Role.STAFF)
    role = reviewer_role_grant(
        actor=None,
        user=reviewer,
        issuer=classkick.issuer,
        kind=ReviewerRole.Kind.ISSUER_STAFF,
        grade_bands=["high_school"],
    )
    page.goto("/admin/login/")
    expect(page.get_by_label("Email address")).to_be_visible()
    sign_in(page, live_server, platform_admin)

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/accounts/user/")
    page.goto(f"/admin/accounts/user/{reviewer.pk}/change/")
    # The user's groups use the two-box filter widget, which Django's script draws; their roles show inline.
    expect(page.locator(".selector-available, .selector-chosen").first).to_be_visible()
    expect(page.get_by_text("Reviewer roles (given and ended on each issuer's Reviewers page)")).to_be_visible()
    page.goto(f"/admin/accounts/reviewerprofile/{reviewer.reviewer_profile.pk}/change/")
    expect(page.get_by_role("cell", name=role.get_kind_display())).to_be_visible()
    page.goto(f"/admin/catalog/credential/{classkick.pk}/change/")
    page.goto("/admin/core/auditevent/")
    page.goto("/admin/awards/badge/")
    page.goto("/admin/accounts/issuermembership/add/")
    # A partner's staff are chosen with the autocomplete widget (select2 and jQuery).
    page.goto("/admin/awards/partner/add/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_renders_under_the_policy(library_page):
    page = library_page
    page.goto("/api/v1/docs")
    # The document now describes some ninety operations; Swagger UI builds them all before drawing the title.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("microcred API", timeout=30_000)
    # Opening an operation draws its parameters and the "Try it out" form, all from Swagger UI's script. The click
    # moves the address's fragment, and Playwright waits for that navigation while the script is still drawing: on a
    # slow, busy machine that has taken over ten seconds, so the click is given as long as the title.
    page.locator(".opblock-summary-control").first.click(timeout=30_000)
    expect(page.get_by_role("button", name="Try it out")).to_be_visible(timeout=30_000)


@pytest.mark.django_db(transaction=True)
def test_a_network_that_tries_many_accounts_is_told_to_wait(page, settings):
    settings.ACCOUNT_THROTTLES = {**settings.ACCOUNT_THROTTLES, "signin_network": {"limit": 3, "window": 900}}
    for number in range(3):
        page.goto("/accounts/login/")
        page.fill("#id_username", f"person{number}@example.org")
        page.fill("#id_password", "a guess at a password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("alert").wait_for()

    page.fill("#id_username", "someone.else@example.org")
    page.fill("#id_password", "a guess at a password")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    expect(page.locator("h1")).to_have_text("Please wait")
    expect(page.locator("main")).to_contain_text("many different accounts from your network")
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_a_session_ended_by_the_idle_timeout_keeps_the_draft_in_the_browser(page, live_server, settings, tmp_path):
    credentials = prepare_site(settings, tmp_path)
    educator = make_educator()
    submission, _ = submission_start(educator=educator, credential=credentials["educators-rising-collaboration"])
    sign_in(page, live_server, educator)
    url = f"/submissions/{submission.pk}/parts/reflection/"
    page.goto(url)

    # Half an hour without a request: the server's copy of the session has expired.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    page.get_by_label("Reflection Essay").fill("Written after half an hour away.")
    expect(page.locator("#save-status")).to_contain_text("You may have been signed out")
    assert "reflection" not in Draft.objects.get(pk=submission.pk).responses

    # Signing in again brings the person back to the step, where the kept text is saved.
    page.goto(f"/accounts/login/?next={url}")
    page.fill("#id_username", educator.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{url}")
    expect(page.get_by_label("Reflection Essay")).to_have_value("Written after half an hour away.")
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert Draft.objects.get(pk=submission.pk).responses["reflection"]["essay"] == "Written after half an hour away."
    page.axe_settle()
