"""allauth's rows about a person follow the account: its address, verified or not, and nothing after erasure."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.erasure import account_close, account_erase
from accounts.models import User


@pytest.mark.django_db
def test_every_account_has_its_address_as_allauths_primary_verified_when_the_account_is(make_user):
    nora = make_user("nora@example.org")
    assert EmailAddress.objects.get(user=nora).email == "nora@example.org"
    assert not EmailAddress.objects.get(user=nora).verified

    nora.email_verified_at = timezone.now()
    nora.save()
    assert EmailAddress.objects.get(user=nora).verified

    nora.email = "nora.new@example.org"
    nora.email_verified_at = None
    nora.save()
    primary = EmailAddress.objects.get(user=nora, primary=True)
    assert (primary.email, primary.verified) == ("nora.new@example.org", False)


@pytest.mark.django_db
def test_a_sign_in_records_the_address_of_an_account_made_before_allauth(client, make_user):
    from tests.conftest import PASSWORD

    olde = make_user("olde@example.org", email_verified_at=timezone.now())
    EmailAddress.objects.filter(user=olde).delete()

    client.post("/accounts/login/", {"username": olde.email, "password": PASSWORD})

    assert EmailAddress.objects.get(user=olde).verified


@pytest.mark.django_db
def test_erasure_removes_allauths_rows(educator):
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    account_close(user=educator)

    account_erase(user=educator)

    assert not EmailAddress.objects.filter(user=educator).exists()
    assert not Authenticator.objects.filter(user=educator).exists()
    assert User.objects.get(pk=educator.pk).email.endswith("@invalid")


@pytest.mark.django_db
def test_allauths_page_for_adding_another_address_refuses(client, educator):
    client.force_login(educator)

    client.post("/accounts/email/", {"action_add": "", "email": "edna.other@example.org"})

    assert list(EmailAddress.objects.filter(user=educator).values_list("email", flat=True)) == [educator.email]
