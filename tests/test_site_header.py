"""The site's header is kept per kind of visitor and section (pages/templatetags/site_header.py): what each visitor
sees is still their own (links for who they are, the current section marked, their CSRF token, the address the
language form returns to), in their language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

CATALOG = reverse("catalog:list")
DASHBOARD = reverse("accounts:dashboard")
PROFILE = reverse("accounts:profile")


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def _current(header: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', header)


def test_each_kind_of_visitor_gets_the_links_for_who_they_are(client, educator, platform_admin):
    anonymous = _header(client.get(CATALOG).content.decode())
    assert "Sign in" in anonymous
    assert "Sign out" not in anonymous
    client.force_login(educator)
    signed_in = _header(client.get(CATALOG).content.decode())
    assert "Sign out" in signed_in
    assert DASHBOARD in signed_in
    assert reverse("admin:index") not in signed_in
    client.force_login(platform_admin)
    staff = _header(client.get(CATALOG).content.decode())
    assert reverse("admin:index") in staff
    assert reverse("issuers:reviewers_home") in staff


def test_the_current_section_is_marked_on_each_page(client, educator):
    client.force_login(educator)
    assert _current(_header(client.get(CATALOG).content.decode())) == [CATALOG]
    assert _current(_header(client.get(DASHBOARD).content.decode())) == [DASHBOARD]
    assert _current(_header(client.get(PROFILE).content.decode())) == [PROFILE]
    assert _current(_header(client.get(CATALOG).content.decode())) == [CATALOG]


def test_the_language_form_returns_to_the_very_page_its_address_escaped(client):
    first = _header(client.get(CATALOG + "?q=team").content.decode())
    assert f'name="next" value="{CATALOG}?q=team"' in first
    # Escaped as the template would escape it; quotes and brackets arrive percent-encoded already.
    two = _header(client.get(CATALOG + '?q=a"b&page=2').content.decode())
    assert f'name="next" value="{CATALOG}?q=a%22b&amp;page=2"' in two


def test_each_response_carries_a_csrf_token_its_forms_can_post_with(educator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    tokens = []
    for _ in range(2):
        header = _header(client.get(DASHBOARD).content.decode())
        tokens.append(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header))
    assert len(tokens[0]) == 2  # the sign-out form and the language form
    assert tokens[0] != tokens[1]
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[1][0]})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 302  # signed out: sent to sign in


def test_the_header_is_in_the_visitors_language(client, educator):
    client.force_login(educator)
    assert "Sign out" in _header(client.get(CATALOG).content.decode())
    client.post(reverse("set_language"), {"language": "es", "next": CATALOG})
    spanish = _header(client.get(CATALOG).content.decode())
    assert "Sign out" not in spanish
    assert 'lang="en"' in spanish  # the button back to English, named in English
    client.post(reverse("set_language"), {"language": "en", "next": CATALOG})
    assert "Sign out" in _header(client.get(CATALOG).content.decode())
