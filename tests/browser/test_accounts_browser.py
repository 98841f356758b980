"""Accounts in a real browser: keyboard-only sign-up, the emailed link, sign-in, and an announced error."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from accounts.models import User

PASSWORD = "a long and memorable pass phrase"


def _tab_to(page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.fixture(autouse=True)
def _links_point_at_the_live_server(settings, live_server):
    # Emailed links are built from SITE_URL; here the site is the test server on its own port.
    settings.SITE_URL = live_server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=True)
def test_a_person_signs_up_by_keyboard_confirms_the_email_and_signs_in(page, mailoutbox):
    page.goto("/accounts/signup/")

    _tab_to(page, "id_name")
    page.keyboard.type("Kay Keyboard")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_email"
    page.keyboard.type("Kay@Example.org")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_organisation"
    page.keyboard.type("Maple Elementary")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_age_bracket"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("18 or over").is_checked()
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_password1"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_password2"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/accounts/signup/check-your-email/")
    assert page.locator("h1").inner_text() == "Check your email"
    assert "kay@example.org" in page.locator("main").inner_text()
    # Not signed in yet: the page reads the same whether or not the address already had an account.
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").is_visible()
    page.axe_settle()

    # The live server's thread delivered through the same locmem backend this test reads.
    assert mail.outbox is mailoutbox
    [message] = mailoutbox
    assert message.to == ["kay@example.org"]
    found = re.search(r"https?://\S+/accounts/verify/\S+", str(message.body))
    assert found, message.body
    link = found.group(0)
    assert link.startswith(page.url.split("/accounts/")[0])

    # Opened later from a mail app: a browser without this session.
    page.context.clear_cookies()
    page.goto(urlparse(link).path)
    assert page.locator("h1").inner_text() == "Email address confirmed"
    assert User.objects.get(email="kay@example.org").email_verified_at is not None

    page.get_by_role("link", name="Sign in").last.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/")
    _tab_to(page, "id_username")
    page.keyboard.type("kay@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/accounts/dashboard/")
    assert page.locator("h1").inner_text() == "Welcome, Kay Keyboard"
    assert page.get_by_text("Please confirm your email address.").count() == 0
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.locator("h1").inner_text() == "Your profile"
    assert page.get_by_label("Full name").input_value() == "Kay Keyboard"
    assert page.get_by_label("School or organisation (optional)").input_value() == "Maple Elementary"
    assert "Confirmed" in page.locator("dl.facts").inner_text()
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_a_failed_sign_in_is_announced_and_its_summary_leads_to_the_field(page):
    User.objects.create_user(email="lee@example.org", password=PASSWORD, name="Lee")
    page.goto("/accounts/login/")

    page.get_by_label("Email address").fill("lee@example.org")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "There is a problem" in alert.inner_text()
    assert "The email address or password is not right." in alert.inner_text()
    # Focus moves to the summary so a screen reader reads it first.
    assert _focused_id(page) == "error-summary"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _focused_id(page) == "id_username"
    assert page.get_by_label("Email address").input_value() == "lee@example.org"
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_signup_errors_are_tied_to_their_fields_for_assistive_technology(page):
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("alert").wait_for()
    email = page.get_by_label("Email address")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{ident}").inner_text() for ident in described]
    assert any("Enter your email address." in text for text in texts)
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_reset_from_the_email_and_then_changed(page, mailoutbox):
    User.objects.create_user(email="rae@example.org", password="an old pass phrase here", name="Rae Reset")

    page.goto("/accounts/password/reset/")
    page.fill("#id_email", "rae@example.org")
    page.get_by_role("button", name="Send the reset link").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/sent/$"))
    [message] = [m for m in mailoutbox if m.to == ["rae@example.org"]]
    [link] = [word for word in message.body.split() if "/accounts/password/reset/" in word]

    page.goto(urlparse(link).path)
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/$"))

    page.goto("/accounts/login/")
    page.fill("#id_username", "rae@example.org")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/dashboard/$"))

    # A wrong current password is refused with an announced summary naming the field.
    page.goto("/accounts/password/change/")
    page.fill("#id_old_password", "not my password at all")
    page.fill("#id_new_password1", "another long pass phrase")
    page.fill("#id_new_password2", "another long pass phrase")
    page.get_by_role("button", name="Change password").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Current password" in alert.inner_text()
    page.axe_settle()
    assert User.objects.get(email="rae@example.org").check_password(PASSWORD)
