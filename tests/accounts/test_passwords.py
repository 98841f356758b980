from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.conftest import html_of, link_in
from tests.conftest import PASSWORD

RESET = reverse("accounts:password_reset")
CHANGE = reverse("accounts:password_change")
NEW = "a brand new pass phrase"


def _path(url: str) -> str:
    return urlparse(url).path


@pytest.mark.django_db
def test_password_reset_works_end_to_end_through_the_email(client, educator, committed, outbox):
    with committed():
        response = client.post(RESET, {"email": "Edna@Example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")

    [message] = outbox
    assert message.to == ["edna@example.org"]
    assert message.subject == "Reset your microcred password"
    assert message.body.startswith("Hello Edna Educator,")
    link = link_in(message, "/accounts/password/reset/")
    assert link.startswith(settings.SITE_URL + "/")
    html = html_of(message)
    assert html.startswith("<!doctype html>")
    assert f'href="{link}"' in html
    assert "Choose a new password" in html

    # Django swaps the token in the address for one in the session, so a leaked Referer cannot reuse it.
    response = client.get(_path(link))
    assert response.status_code == 302
    form_url = response.url
    assert "<h1>Choose a new password</h1>" in client.get(form_url).content.decode()

    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")

    educator.refresh_from_db()
    assert educator.check_password(NEW)
    assert not educator.check_password(PASSWORD)
    # The link is spent.
    response = client.get(_path(link), follow=True)
    assert "Reset link not valid" in response.content.decode()


@pytest.mark.django_db
def test_a_reset_confirms_the_address_of_an_unverified_person(client, make_user, committed, outbox):
    user = make_user("nora@example.org", "Nora New")
    with committed():
        client.post(RESET, {"email": "nora@example.org"})
    form_url = client.get(_path(link_in(outbox[0], "/accounts/password/reset/"))).url

    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})

    user.refresh_from_db()
    assert user.email_verified_at is not None


@pytest.mark.django_db
def test_a_reset_lifts_a_sign_in_lockout(client, educator, committed, outbox):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": educator.email, "password": "wrong"})
    assert client.post(reverse("accounts:login"), {"username": educator.email, "password": PASSWORD}).status_code == 429

    with committed():
        client.post(RESET, {"email": educator.email})
    form_url = client.get(_path(link_in(outbox[0], "/accounts/password/reset/"))).url
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})

    response = client.post(reverse("accounts:login"), {"username": educator.email, "password": NEW})
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_a_note_that_no_account_uses_it(client, committed, outbox):
    with committed():
        response = client.post(RESET, {"email": "Nobody@example.org"})

    assert response.url == reverse("accounts:password_reset_done")
    [message] = outbox
    assert message.to == ["nobody@example.org"]
    assert message.subject == "Your microcred password reset request"
    assert "No account that signs in with a password uses this address" in message.body
    # A link to ask again (perhaps for another address), not a reset link with a token.
    assert link_in(message, "/accounts/password/reset/").endswith(RESET)
    assert link_in(message, "/accounts/signup/").endswith(reverse("accounts:signup"))


@pytest.mark.django_db
def test_the_reset_request_names_a_missing_or_malformed_address(client):
    assert client.post(RESET, {"email": ""}).context["form"].errors == {
        "email": ["Enter the email address you signed up with."]
    }
    assert client.post(RESET, {"email": "edna"}).context["form"].errors == {
        "email": ["Enter an email address in the form name@example.org."]
    }


@pytest.mark.django_db
def test_a_reset_refuses_a_weak_or_mismatched_new_password_on_the_right_field(client, educator, committed, outbox):
    with committed():
        client.post(RESET, {"email": educator.email})
    form_url = client.get(_path(link_in(outbox[0], "/accounts/password/reset/"))).url

    weak = client.post(form_url, {"new_password1": "123456789012", "new_password2": "123456789012"})
    assert list(weak.context["form"].errors) == ["new_password1"]
    assert "This password is entirely numeric." in weak.context["form"].errors["new_password1"]

    mismatched = client.post(form_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert list(mismatched.context["form"].errors) == ["new_password2"]
    educator.refresh_from_db()
    assert educator.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_forged_reset_link_is_refused(client, educator):
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "abc-123"]))

    assert response.status_code == 200
    assert "Reset link not valid" in response.content.decode()


@pytest.mark.django_db
def test_password_change_needs_the_current_password(client, educator):
    client.force_login(educator)

    response = client.post(CHANGE, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW})

    assert response.context["form"].errors == {
        "old_password": ["Your current password is not right. Type it again, or sign out and reset it."]
    }
    assert '<a href="#id_old_password">Current password: Your current password is not right.' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_password_change_saves_and_keeps_the_person_signed_in(client, educator):
    client.force_login(educator)

    response = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Your password is changed." in response.content.decode()
    educator.refresh_from_db()
    assert educator.check_password(NEW)
    assert client.get(reverse("accounts:dashboard")).status_code == 200


@pytest.mark.django_db
def test_password_change_requires_sign_in(client):
    response = client.get(CHANGE)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={CHANGE}"


@pytest.mark.django_db
def test_a_reset_link_in_the_format_before_allauth_says_it_is_spent(client, educator):
    response = client.get("/accounts/password/reset/MQ/c3x9ab-0123456789abcdef0123456789abcdef/")

    assert response.status_code == 200
    assert "Reset link not valid" in response.content.decode()
    assert reverse("accounts:password_reset") in response.content.decode()
