from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


def _sign_in(client, email, password, ip="127.0.0.1", **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_it_signs_in_with_the_email_in_any_case_and_goes_to_the_dashboard(client, educator):
    response = _sign_in(client, "  EDNA@Example.org ", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(educator.pk)


@pytest.mark.django_db
def test_it_follows_a_safe_next_and_ignores_an_offsite_one(client, educator):
    response = _sign_in(client, educator.email, PASSWORD, next=reverse("accounts:profile"))
    assert response.url == reverse("accounts:profile")

    client.logout()
    response = _sign_in(client, educator.email, PASSWORD, next="https://evil.example/")
    assert response.url == reverse("accounts:dashboard")


@pytest.mark.django_db
def test_a_wrong_password_gets_an_announced_message_linked_to_the_email_field(client, educator):
    response = _sign_in(client, educator.email, "not the password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'role="alert"' in html
    assert '<a href="#id_username">The email address or password is not right.' in html


@pytest.mark.django_db
def test_an_unverified_person_can_sign_in_and_sees_the_reminder(client, make_user):
    make_user("nora@example.org", "Nora New")

    response = _sign_in(client, "nora@example.org", PASSWORD)
    assert response.status_code == 302

    html = client.get(response.url).content.decode()
    assert "Please confirm your email address." in html


@pytest.mark.django_db
def test_a_deactivated_account_cannot_sign_in(client, educator):
    educator.is_active = False
    educator.save()

    response = _sign_in(client, educator.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_out_is_a_post_that_ends_the_session(client, educator):
    client.force_login(educator)
    assert client.get(LOGOUT).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:dashboard")).status_code == 302


@pytest.mark.django_db
def test_the_sign_in_form_has_labels_and_autocomplete(client):
    html = client.get(LOGIN).content.decode()

    assert '<label for="id_username">Email address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html


# --- django-axes --------------------------------------------------------------------------------


def _fail_until_locked(client, email, ip="127.0.0.1"):
    responses = [_sign_in(client, email, "wrong guess", ip=ip) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


@pytest.mark.django_db
def test_the_fifth_wrong_password_locks_and_the_sixth_is_refused_even_when_right(client, educator):
    fifth = _fail_until_locked(client, educator.email)
    assert fifth.status_code == 429

    sixth = _sign_in(client, educator.email, PASSWORD)

    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    html = sixth.content.decode()
    assert '<h1 id="locked-title">Sign-in paused</h1>' in html
    assert "even with the right password" in html
    assert "Try again in 15 minutes" in html
    assert 'role="alert"' in html
    assert reverse("accounts:password_reset") in html


@pytest.mark.django_db
def test_the_lockout_counts_an_address_in_any_case_as_one(client, educator):
    for spelling in ["edna@example.org", "EDNA@example.org", "Edna@Example.org", "edna@EXAMPLE.org"]:
        _sign_in(client, spelling, "wrong guess")
    assert AccessAttempt.objects.get().username == "edna@example.org"

    assert _sign_in(client, "eDnA@example.ORG", "wrong guess").status_code == 429
    assert _sign_in(client, educator.email, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_lockout_is_per_email_and_ip(client, educator, educator2):
    _fail_until_locked(client, educator.email, ip="198.51.100.7")

    # The same address from another network still signs in...
    assert _sign_in(client, educator.email, PASSWORD, ip="203.0.113.20").status_code == 302
    client.logout()
    # ...and so does another person from the locked network.
    assert _sign_in(client, educator2.email, PASSWORD, ip="198.51.100.7").status_code == 302
    client.logout()
    assert _sign_in(client, educator.email, PASSWORD, ip="198.51.100.7").status_code == 429


@pytest.mark.django_db
def test_a_successful_sign_in_forgets_earlier_failures(client, educator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, educator.email, "wrong guess")
    assert _sign_in(client, educator.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, educator.email, "wrong guess").status_code == 200
