"""Deleting an account in a real browser (axe and the 390 px check run on every page): from the profile to the
explanation, a confirmation with the password, signed out; signing in again offers "Cancel deletion", which
brings the account back."""

from __future__ import annotations

import pytest

from accounts.models import User
from workflow.models import DeletionRequest

PASSWORD = "a long and memorable pass phrase"


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_an_educator_deletes_their_account_then_cancels_at_sign_in(page):
    user = User.objects.create_user(email="del@example.org", password=PASSWORD, name="Dee Leet")
    _sign_in(page, user.email)
    page.wait_for_url("**/accounts/**")
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/accounts/delete/")
    assert page.get_by_role("heading", name="What is kept, without your name").is_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/accounts/delete/requested/")
    assert DeletionRequest.objects.filter(user=user).exists()

    _sign_in(page, user.email)
    page.wait_for_url("**/accounts/delete/cancel/")
    page.get_by_role("button", name="Cancel deletion").click()
    page.wait_for_url("**/accounts/dashboard/")
    assert not DeletionRequest.objects.exists()
