from __future__ import annotations

import base64
import time
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Email
from tests.accounts.conftest import link_in

RESEND = reverse("accounts:verify_resend")


@pytest.fixture
def newcomer(make_user) -> User:
    return make_user("nora@example.org", "Nora New")


def email_verification_token(*, user: User) -> str:
    """The key allauth signs for the person's own address, as the emailed link carries it."""
    return EmailConfirmationHMAC(EmailAddress.objects.get(user=user, email=user.email)).key


def _verify_url(user: User) -> str:
    return reverse("accounts:verify", args=[email_verification_token(user=user)])


@pytest.mark.django_db
def test_a_valid_link_verifies_the_address_even_when_signed_out(client, newcomer):
    response = client.get(_verify_url(newcomer))

    assert response.status_code == 200
    assert "<h1>Email address confirmed</h1>" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is not None


@pytest.mark.django_db
def test_verifying_while_signed_in_removes_the_banner_on_the_same_page(client, newcomer):
    client.force_login(newcomer)
    assert "Please confirm your email address." in client.get(reverse("accounts:dashboard")).content.decode()

    html = client.get(_verify_url(newcomer)).content.decode()

    assert "Email address confirmed" in html
    assert "Please confirm your email address." not in html


@pytest.mark.django_db
def test_the_link_from_the_sign_up_email_is_the_one_that_works(client, committed, outbox):
    with committed():
        client.post(
            reverse("accounts:signup"),
            {
                "name": "Nora",
                "email": "nora@example.org",
                "password1": "a long pass phrase",
                "password2": "a long pass phrase",
                "age_bracket": "18_plus",
            },
        )
    client.logout()

    response = client.get(link_in(outbox[0], "/accounts/verify/"))

    assert response.status_code == 200
    assert User.objects.get(email="nora@example.org").email_verified_at is not None


@pytest.mark.django_db
def test_it_refuses_an_expired_link_and_says_so(client, newcomer):
    four_days_ago = time.time() - timedelta(days=4).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago):
        url = _verify_url(newcomer)

    response = client.get(url)

    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is None


@pytest.mark.django_db
def test_an_expired_link_offers_its_owner_a_new_one(client, newcomer):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 4 * 86400):
        url = _verify_url(newcomer)
    client.force_login(newcomer)

    html = client.get(url).content.decode()

    assert "Send me a new link" in html


@pytest.mark.django_db
def test_it_refuses_a_tampered_link(client, newcomer):
    token = email_verification_token(user=newcomer)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("accounts:verify", args=[tampered]))

    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is None


@pytest.mark.django_db
def test_it_refuses_a_link_sent_to_an_earlier_address(client, newcomer):
    url = _verify_url(newcomer)
    newcomer.email = "nora.new@example.org"
    newcomer.save()

    response = client.get(url)

    assert response.status_code == 400
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is None


@pytest.mark.django_db
def test_a_second_visit_says_the_address_is_already_verified_and_keeps_the_first_time(client, newcomer):
    url = _verify_url(newcomer)
    client.get(url)
    newcomer.refresh_from_db()
    first = newcomer.email_verified_at

    response = client.get(url)

    assert response.status_code == 200
    assert "already confirmed" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at == first


@pytest.mark.django_db
def test_resend_sends_a_new_link_to_an_unverified_person(client, newcomer, committed, outbox):
    client.force_login(newcomer)

    with committed():
        response = client.post(RESEND, follow=True)

    assert "We sent a new verification link to nora@example.org." in response.content.decode()
    [message] = outbox
    assert message.to == ["nora@example.org"]
    assert client.get(link_in(message, "/accounts/verify/")).status_code == 200


@pytest.mark.django_db
def test_resend_refuses_a_second_request_within_a_minute(client, newcomer, committed, outbox):
    client.force_login(newcomer)
    with committed():
        client.post(RESEND)

    with committed():
        response = client.post(RESEND, follow=True)

    assert "less than a minute ago" in response.content.decode()
    assert len(outbox) == 1
    Email.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    with committed():
        client.post(RESEND)
    assert len(outbox) == 2


@pytest.mark.django_db
def test_resend_refuses_a_verified_person(client, educator, committed, outbox):
    client.force_login(educator)

    with committed():
        response = client.post(RESEND, follow=True)

    assert "already verified" in response.content.decode()
    assert outbox == []


@pytest.mark.django_db
def test_resend_requires_sign_in_and_post(client, newcomer):
    response = client.post(RESEND)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))

    client.force_login(newcomer)
    assert client.get(RESEND).status_code == 405


@pytest.mark.django_db
def test_a_verified_link_marks_allauths_email_address_verified_too(client, newcomer):
    client.get(_verify_url(newcomer))

    assert EmailAddress.objects.get(user=newcomer, email=newcomer.email).verified


@pytest.mark.django_db
def test_the_link_does_not_carry_the_address_in_readable_form(newcomer):
    token = email_verification_token(user=newcomer)
    payload = token.split(":")[0]

    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()

    # allauth signs the id of the person's EmailAddress row, nothing readable about them.
    assert decoded == str(EmailAddress.objects.get(user=newcomer).pk)
    assert "nora" not in decoded
