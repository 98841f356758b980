from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import html_of, link_in, without_csrf
from tests.conftest import PASSWORD

SIGNUP = reverse("accounts:signup")
GOOD = {
    "name": "Nora New",
    "email": "Nora.New@Example.org",
    "organisation": "Hillside Elementary",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "age_bracket": "18_plus",
}
OTHER_PASSWORD = {"password1": "quite another pass phrase", "password2": "quite another pass phrase"}


@pytest.mark.django_db
def test_it_creates_an_unverified_account_and_emails_a_verification_link(client, committed, outbox):
    with committed():
        response = client.post(SIGNUP, GOOD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    user = User.objects.get(email="nora.new@example.org")
    assert user.name == "Nora New"
    assert user.organisation == "Hillside Elementary"
    assert user.email_verified_at is None
    assert user.check_password(PASSWORD)
    # Not signed in: that would tell a new address from one that already had an account.
    assert "_auth_user_id" not in client.session

    [message] = outbox
    assert message.to == ["nora.new@example.org"]
    assert message.subject == "Confirm your email address for microcred"
    link = link_in(message, "/accounts/verify/")
    assert "Hello Nora New" in message.body
    assert f'href="{link}"' in html_of(message)


@pytest.mark.django_db
def test_the_new_account_signs_in_before_its_address_is_confirmed(client, committed):
    with committed():
        client.post(SIGNUP, GOOD)

    response = client.post(reverse("accounts:login"), {"username": GOOD["email"], "password": PASSWORD}, follow=True)

    assert response.context["user"].email == "nora.new@example.org"
    assert "Please confirm your email address." in response.content.decode()


@pytest.mark.django_db
def test_it_shows_where_the_email_went_after_sign_up(client, committed):
    with committed():
        response = client.post(SIGNUP, GOOD, follow=True)

    html = response.content.decode()
    assert "<h1>Check your email</h1>" in html
    assert "<strong>nora.new@example.org</strong>" in html
    assert reverse("accounts:login") in html


@pytest.mark.django_db
def test_an_address_with_an_account_gets_the_same_answer_and_its_holder_a_notice(client, educator, committed, outbox):
    with committed():
        new = client.post(SIGNUP, {**GOOD, "email": "nora@example.org"}, follow=True)
    with committed():
        taken = client.post(SIGNUP, {**GOOD, "email": "EDNA@Example.ORG", **OTHER_PASSWORD}, follow=True)

    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain
    assert without_csrf(taken.content.decode()).replace("edna@example.org", "nora@example.org") == without_csrf(
        new.content.decode()
    )
    assert User.objects.filter(email="edna@example.org").count() == 1
    educator.refresh_from_db()
    assert educator.name == "Edna Educator"
    assert educator.check_password(PASSWORD)
    assert not educator.check_password(OTHER_PASSWORD["password1"])

    [verify, notice] = outbox
    assert verify.to == ["nora@example.org"]
    assert notice.to == ["edna@example.org"]
    assert notice.subject == "Someone tried to sign up to microcred with your email address"
    assert "Hello Edna Educator" in notice.body
    assert link_in(notice, "/accounts/password/reset/").endswith(reverse("accounts:password_reset"))
    assert link_in(notice, "/accounts/login/").endswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_an_account_holder_gets_at_most_a_few_notices_an_hour(client, educator, committed, outbox, settings):
    limit = settings.ACCOUNT_THROTTLES["signup_address"]["limit"]
    for _ in range(limit + 2):
        with committed():
            response = client.post(SIGNUP, {**GOOD, "email": educator.email})
        assert response.url == reverse("accounts:verify_sent")

    assert len(outbox) == limit


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
        "age_bracket": ["Choose your age group."],
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
