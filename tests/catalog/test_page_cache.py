"""The catalog's pages are drawn once per version of what they show and kept (pages/catalog/views.py,
core/fragments.py): the very next view after a change shows it, every visitor's page carries its own CSRF token,
each language gets its own text, and what depends on the person (the Start button) is never kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.loader import credentials_load_dir
from catalog.models import Credential, Issuer
from tests.catalog.catalog_helpers import (
    HARBOR,
    RIVERBEND,
    Html,
    fixture_data,
    load_fixture_credentials,
    text_of,
    write_definition,
)

LIST_URL = reverse("catalog:list")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def detail_url(slug: str) -> str:
    return reverse("catalog:detail", args=[slug])


def cards(html: bytes) -> list[str]:
    return Html(html).texts(".credential-card h3")


def without_csrf(html: bytes) -> str:
    return TOKEN.sub("", html.decode())


@pytest.fixture
def fixture_credentials(db: object) -> dict[str, Credential]:
    cache.clear()  # so that each test starts from pages not yet drawn
    return load_fixture_credentials()


def test_a_repeat_view_is_the_same_page(client, fixture_credentials):
    for url in (LIST_URL, detail_url(RIVERBEND), f"{LIST_URL}?grade_band=primary"):
        first = client.get(url)
        again = client.get(url)
        assert again.status_code == first.status_code == 200
        assert without_csrf(again.content) == without_csrf(first.content)


def test_a_new_version_shows_at_the_very_next_view(client, fixture_credentials, tmp_path: Path):
    before = client.get(detail_url(RIVERBEND)).content.decode()
    client.get(LIST_URL)
    assert ">v1 <" in before
    data = fixture_data(RIVERBEND)
    data["summary"] = "Feedback that lands while the unit is still under way."
    write_definition(tmp_path, data)
    credentials_load_dir(tmp_path)

    after = client.get(detail_url(RIVERBEND)).content.decode()
    assert ">v2 <" in after
    assert "Feedback that lands while the unit is still under way." in after
    assert "Feedback that lands while the unit is still under way." in client.get(LIST_URL).content.decode()


def test_unpublishing_and_publishing_again_show_at_the_very_next_view(client, fixture_credentials):
    assert len(cards(client.get(LIST_URL).content)) == 2
    assert client.get(detail_url(HARBOR)).status_code == 200
    Credential.objects.filter(slug=HARBOR).update(is_published=False)
    assert cards(client.get(LIST_URL).content) == ["Formative Feedback by Riverbend Teaching Commons"]
    assert client.get(detail_url(HARBOR)).status_code == 404
    # A filter's choices follow too: the unpublished issuer is no longer one.
    assert client.get(LIST_URL, {"issuer": "harbor-science"}).status_code == 400
    Credential.objects.filter(slug=HARBOR).update(is_published=True)
    assert len(cards(client.get(LIST_URL).content)) == 2
    assert client.get(detail_url(HARBOR)).status_code == 200
    assert client.get(LIST_URL, {"issuer": "harbor-science"}).status_code == 200


def test_a_renamed_issuer_shows_in_the_list_at_the_very_next_view(client, fixture_credentials):
    assert "Harbor Science Network" in client.get(LIST_URL).content.decode()
    Issuer.objects.filter(slug="harbor-science").update(name="Harbor Science Alliance")
    html = client.get(LIST_URL).content.decode()
    assert "Harbor Science Alliance" in html
    assert "Harbor Science Network" not in html


def test_a_new_badge_image_shows_at_the_very_next_view(client, fixture_credentials):
    image = Html(client.get(detail_url(RIVERBEND)).content).one("img.credential-badge").etree_element.get("src")
    changed = timezone.now()
    Credential.objects.filter(slug=RIVERBEND).update(badge_image_updated_at=changed)
    again = Html(client.get(detail_url(RIVERBEND)).content).one("img.credential-badge").etree_element.get("src")
    assert again != image
    assert again.endswith(f"?v={int(changed.timestamp())}")


def test_filtered_lists_are_kept_apart_and_a_wrong_filter_still_answers_400(client, fixture_credentials):
    assert len(cards(client.get(LIST_URL).content)) == 2
    assert cards(client.get(LIST_URL, {"grade_band": "primary"}).content) == [
        "Lab Safety Routines by Harbor Science Network"
    ]
    assert len(cards(client.get(LIST_URL).content)) == 2
    for _ in range(2):
        wrong = client.get(LIST_URL, {"grade_band": "kindergarten"})
        assert wrong.status_code == 400
        assert "kindergarten" in wrong.content.decode()
    # A free-text search is drawn afresh each time; the same words find the same credential.
    assert cards(client.get(LIST_URL, {"q": "lab safety"}).content) == ["Lab Safety Routines by Harbor Science Network"]


@pytest.mark.parametrize("url", [LIST_URL, detail_url(RIVERBEND)])
def test_each_language_gets_its_own_page(client, fixture_credentials, url):
    english = client.get(url)
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]
    assert 'lang="es"' in spanish.content.decode()
    assert without_csrf(spanish.content) != without_csrf(english.content)
    # Each from the cache now, each still in its own language.
    assert without_csrf(client.get(url, HTTP_ACCEPT_LANGUAGE="es").content) == without_csrf(spanish.content)
    assert without_csrf(client.get(url).content) == without_csrf(english.content)
    if url == LIST_URL:
        assert "<h1>Microcredenciales</h1>" in spanish.content.decode()
    else:
        assert "Contenido" in text_of(Html(spanish.content).one("nav.contents h2"))


@pytest.mark.parametrize("url", [LIST_URL, detail_url(RIVERBEND)])
def test_every_visitor_gets_their_own_csrf_token_and_the_language_form_posts(fixture_credentials, url):
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for visitor in visitors:
        response = visitor.get(url)  # the second is drawn from the cache
        (token,) = TOKEN.findall(response.content.decode())
        tokens.append(token)
        switched = visitor.post(reverse("set_language"), {"language": "es", "next": url, "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
        assert "Microcredenciales" in visitor.get(LIST_URL).content.decode()
    assert tokens[0] != tokens[1]


def test_the_start_button_is_drawn_for_each_person(client, fixture_credentials, make_user):
    url = detail_url(RIVERBEND)
    assert "Sign in to start this" in client.get(url).content.decode()
    educator: User = make_user("erin@example.org", "Erin Educator", email_verified_at=timezone.now())
    signed_in = Client()
    signed_in.force_login(educator)
    html = signed_in.get(url).content.decode()
    assert "Sign in to start this" not in html
    assert reverse("submissions:start", args=[RIVERBEND]) in html
    assert "Sign in to start this" in client.get(url).content.decode()


def test_a_message_waiting_for_the_visitor_is_shown_once_on_a_kept_page(client, fixture_credentials):
    for _ in range(2):
        assert "Your filters were saved." not in client.get(LIST_URL).content.decode()  # kept whole now
    # A message waiting in the visitor's cookie, as a view that redirected here would leave it.
    request = RequestFactory().get(LIST_URL)
    storage = CookieStorage(request)
    storage.add(messages.INFO, "Your filters were saved.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    assert "Your filters were saved." in client.get(LIST_URL).content.decode()
    assert "Your filters were saved." not in client.get(LIST_URL).content.decode()
