"""The page a refused LMS launch lands on, in a real browser: it says why, in the visitor's language, and passes axe
at phone width (the `page` fixture checks each load). The launch itself is tested against a real platform in
tests/lti/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_a_launch_from_an_unknown_platform_lands_on_a_page_that_says_why(page, live_server):
    response = page.goto("/lti/login/?iss=https%3A%2F%2Flms.example.org&login_hint=1&target_link_uri=x")
    assert response is not None
    assert 400 <= response.status < 500
    expect(page.get_by_role("heading", level=1)).to_have_text("The course link could not open microcred")
    expect(page.get_by_role("link", name="Browse the credentials")).to_be_visible()
    page.axe_settle()
    assert page.axe_checked
