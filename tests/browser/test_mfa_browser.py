"""Two-step sign-in in a real browser: someone who must use it sets up an authenticator app by keyboard alone."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import User
from tests.accounts.test_mfa import totp

PASSWORD = "a long and memorable pass phrase"


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _tab_to(page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        if _focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _sign_in_by_keyboard(page) -> None:
    page.goto("/accounts/login/")
    _tab_to(page, "id_username")
    page.keyboard.type("tess@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_staff_set_up_an_authenticator_app_by_keyboard_and_are_asked_for_a_code_next_time(page, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user(
        email="tess@example.org", password=PASSWORD, name="Tess Staff", is_staff=True, email_verified_at=timezone.now()
    )

    _sign_in_by_keyboard(page)
    # Sent straight to set up a second step; nothing else opens until then.
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    assert page.locator("h1").inner_text() == "Set up an authenticator app"
    assert "needs a second step at sign-in" in page.locator(".messages").inner_text()
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.axe_settle()

    _tab_to(page, "id_code")
    page.keyboard.type(totp(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.goto("/accounts/dashboard/")
    assert page.locator("h1").inner_text() == "Welcome, Tess Staff"
    page.axe_settle()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/accounts/dashboard/" not in url)
    _sign_in_by_keyboard(page)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    assert page.locator("h1").inner_text() == "Enter your code"
    page.axe_settle()
    _tab_to(page, "id_code")
    page.keyboard.type(totp(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/dashboard/$"))
    assert page.locator("h1").inner_text() == "Welcome, Tess Staff"
