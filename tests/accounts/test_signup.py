from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import html_of, link_in
from tests.conftest import PASSWORD

SIGNUP = reverse("accounts:signup")
GOOD = {
    "name": "Nora New",
    "email": "Nora.New@Example.org",
    "organisation": "Hillside Elementary",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.mark.django_db
def test_it_creates_an_unverified_account_signs_in_and_emails_a_verification_link(client, committed, outbox):
    with committed():
        response = client.post(SIGNUP, GOOD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    user = User.objects.get(email="nora.new@example.org")
    assert user.name == "Nora New"
    assert user.organisation == "Hillside Elementary"
    assert user.email_verified_at is None
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)

    [message] = outbox
    assert message.to == ["nora.new@example.org"]
    assert message.subject == "Confirm your email address for microcred"
    link = link_in(message, "/accounts/verify/")
    assert "Hello Nora New" in message.body
    assert f'href="{link}"' in html_of(message)


@pytest.mark.django_db
def test_it_shows_the_verification_notice_and_banner_after_sign_up(client, committed):
    with committed():
        response = client.post(SIGNUP, GOOD, follow=True)

    html = response.content.decode()
    assert "<h1>Check your email</h1>" in html
    assert "nora.new@example.org" in html
    assert "Please confirm your email address." in html


@pytest.mark.django_db
def test_it_rejects_an_email_already_used_whatever_its_case(client, educator):
    response = client.post(SIGNUP, {**GOOD, "email": "EDNA@Example.ORG"})

    assert response.status_code == 200
    assert User.objects.count() == 1
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert "already uses this email address" in errors["email"][0]
    html = response.content.decode()
    # The summary links to the field, and the field points at its own message.
    assert 'role="alert"' in html
    assert '<a href="#id_email">Email address: An account already uses this email address.' in html
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_it_rejects_a_weak_password_on_the_password_field(client):
    response = client.post(SIGNUP, {**GOOD, "password1": "password12", "password2": "password12"})

    assert response.status_code == 200
    assert not User.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["password1"]
    assert "This password is too common." in errors["password1"]
    assert '<a href="#id_password1">Password: This password is too common.</a>' in response.content.decode()


@pytest.mark.django_db
def test_it_rejects_a_password_too_like_the_name_or_email(client):
    response = client.post(SIGNUP, {**GOOD, "password1": "nora.new.example", "password2": "nora.new.example"})

    errors = response.context["form"].errors
    assert list(errors) == ["password1"]
    assert any("too similar" in error for error in errors["password1"])


@pytest.mark.django_db
def test_it_rejects_passwords_that_differ_on_the_confirmation_field(client):
    response = client.post(SIGNUP, {**GOOD, "password2": PASSWORD + "!"})

    assert not User.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["password2"]
    assert errors["password2"] == ["The two passwords are not the same. Type the same password in both fields."]
    assert '<a href="#id_password2">Confirm password: The two passwords are not the same.' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_it_names_every_missing_field(client):
    response = client.post(SIGNUP, {})

    errors = response.context["form"].errors
    assert errors == {
        "name": ["Enter your full name."],
        "email": ["Enter your email address."],
        "password1": ["Enter a password."],
        "password2": ["Type your password again to confirm it."],
    }


@pytest.mark.django_db
def test_it_rejects_a_malformed_email_address(client):
    response = client.post(SIGNUP, {**GOOD, "email": "nora at example"})

    assert response.context["form"].errors["email"] == ["Enter an email address in the form name@example.org."]


@pytest.mark.django_db
def test_the_form_gives_each_field_a_label_and_autocomplete(client):
    html = client.get(SIGNUP).content.decode()

    for field, autocomplete in [
        ("name", "name"),
        ("email", "email"),
        ("organisation", "organization"),
        ("password1", "new-password"),
        ("password2", "new-password"),
    ]:
        assert f'<label for="id_{field}">' in html
        assert f'autocomplete="{autocomplete}"' in html.split(f'id="id_{field}"')[0].rsplit("<input", 1)[1]


@pytest.mark.django_db
def test_a_signed_in_person_is_sent_from_sign_up_to_the_dashboard(client, educator):
    client.force_login(educator)

    response = client.get(SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
