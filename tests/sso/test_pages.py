"""The district sign-in page by persona, and its answers to bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client

from accounts.models import User
from sso.models import District
from sso.services import ProviderSettings, district_save


@pytest.mark.parametrize("persona", ["anonymous", "educator", "platform_admin"])
def test_everyone_may_see_the_district_list(
    client: Client, saml_district: District, persona: str, request: pytest.FixtureRequest
) -> None:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    page = client.get("/district-sign-in/")

    assert page.status_code == 200
    assert "Lincoln Unified School District" in page.content.decode()


def test_an_address_no_district_uses_is_answered_on_the_email_field(client: Client, saml_district: District) -> None:
    page = client.post("/district-sign-in/", {"email": "kim@nowhere.example"})

    assert page.status_code == 422
    assert page.context["form"].errors["email"] == [
        "No district signs in here with addresses at nowhere.example. Sign in with your password, or choose your "
        "district from the list."
    ]
    assert 'href="#id_email"' in page.content.decode()


def test_an_empty_form_asks_for_the_address(client: Client, saml_district: District) -> None:
    page = client.post("/district-sign-in/", {"email": "not an address"})
    assert page.status_code == 422
    assert "email" in page.context["form"].errors

    page = client.post("/district-sign-in/", {})
    assert page.context["form"].errors["email"] == [
        "Enter your work email address, or choose your district from the list."
    ]


def test_a_district_chosen_from_the_list_leads_to_its_provider(client: Client, saml_district: District) -> None:
    page = client.post("/district-sign-in/", {"district": "lincoln"})

    assert page.status_code == 200
    assert page.context["location"].startswith("https://idp.lincoln.example/sso?SAMLRequest=")
    assert '<meta http-equiv="refresh"' in page.content.decode()


def test_an_inactive_district_is_neither_listed_nor_found(
    client: Client, saml_district: District, platform_admin: User, idp_key: object
) -> None:
    District.objects.filter(pk=saml_district.pk).update(active=False)

    assert "Lincoln Unified" not in client.get("/district-sign-in/").content.decode()
    assert client.post("/district-sign-in/", {"email": "sara@lincoln.example"}).status_code == 422
    assert client.post("/district-sign-in/", {"district": "lincoln"}).status_code == 422
    gone = client.post("/district-sign-in/", {"district": "no such district!"})
    assert gone.context["form"].errors["email"] == [
        "That district does not offer sign-in here any more. Choose another."
    ]


def test_a_district_provider_cannot_be_started_as_a_platform_button(client: Client, saml_district: District) -> None:
    assert client.post("/district-sign-in/with/district-lincoln/").status_code == 404
    assert client.post("/district-sign-in/with/nothing-here/").status_code == 404
    assert client.get("/district-sign-in/with/google/").status_code == 405


def test_the_platform_google_application_gets_a_button_that_leads_to_google(
    client: Client, make_user: Callable[..., User], platform_admin: User
) -> None:
    SocialApp.objects.create(provider="google", name="Google", client_id="platform.apps.googleusercontent.com")
    district_save(
        actor=platform_admin,
        district=None,
        name="Maple Schools",
        slug="maple",
        method=District.Method.GOOGLE,
        domains=["maple.example"],
        provider=ProviderSettings(),
    )

    started = client.post("/district-sign-in/", {"email": "ann@maple.example"})
    assert started.context["location"].startswith("https://accounts.google.com/")

    button = client.post("/district-sign-in/with/google/", {"process": "login"})
    assert button.context["location"].startswith("https://accounts.google.com/")
