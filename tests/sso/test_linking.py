"""A verified email is required before linking: a district sign-in joins an existing account by email only when the
provider vouched for the address and its holder verified it here; otherwise they sign in and connect it themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.utils import timezone

from accounts.models import User
from sso.models import District
from sso.services import ProviderSettings, district_save
from tests.conftest import PASSWORD
from tests.sso.flows import saml_sign_in, signed_in_user_id
from tests.sso.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningKey


@pytest.fixture
def sara(make_user: Callable[..., User]) -> User:
    return make_user("sara@lincoln.example", "Sara Sanchez", email_verified_at=timezone.now())


@pytest.fixture
def sara_unverified(make_user: Callable[..., User]) -> User:
    return make_user("sara@lincoln.example", "Sara Sanchez")


def _untouched(user: User) -> None:
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not SocialAccount.objects.filter(user=user).exists()


def test_it_links_when_the_provider_and_the_account_both_verified_the_address(
    client: Client, saml_district: District, idp_key: SigningKey, sara: User
) -> None:
    assert EmailAddress.objects.filter(user=sara, email="sara@lincoln.example", verified=True).exists()

    saml_sign_in(client, idp_key, verified=True)

    assert signed_in_user_id(client) == sara.pk
    assert SocialAccount.objects.get(user=sara).uid == "lincoln-7781"
    assert User.objects.filter(email="sara@lincoln.example").count() == 1


def test_it_does_not_link_when_the_provider_does_not_vouch_for_the_address(
    client: Client, saml_district: District, idp_key: SigningKey, sara: User
) -> None:
    saml_sign_in(client, idp_key, verified=False)

    assert signed_in_user_id(client) is None
    _untouched(sara)
    assert User.objects.filter(email="sara@lincoln.example").count() == 1


def test_it_does_not_link_when_the_account_never_verified_the_address(
    client: Client, saml_district: District, idp_key: SigningKey, sara_unverified: User
) -> None:
    # Whoever made this account may not own the address: joining it would hand the account to them.
    saml_sign_in(client, idp_key, verified=True)

    assert signed_in_user_id(client) is None
    _untouched(sara_unverified)


def test_the_account_holder_signs_in_and_connects_the_district_from_their_account(
    client: Client, saml_district: District, idp_key: SigningKey, sara_unverified: User
) -> None:
    client.force_login(sara_unverified)
    connections = client.get("/accounts/3rdparty/")
    assert connections.status_code == 200
    assert 'href="/district-sign-in/?process=connect"' in connections.content.decode()
    connecting = client.get("/district-sign-in/?process=connect")
    assert b"Connect your district account" in connecting.content

    saml_sign_in(client, idp_key, verified=True, process="connect")

    assert SocialAccount.objects.get(user=sara_unverified).provider == "district-lincoln"
    # From now on the district signs her in, in any browser.
    other: Any = Client(HTTP_HOST="127.0.0.1")
    saml_sign_in(other, idp_key, verified=False)
    assert signed_in_user_id(other) == sara_unverified.pk


def test_a_district_whose_directory_vouches_for_its_domains_links_without_the_claim(
    client: Client, saml_district: District, idp_key: SigningKey, sara: User, platform_admin: User
) -> None:
    # Most districts' SAML providers send no "verified" attribute; the platform admin may take the directory's word
    # for the addresses in its own domains.
    district_save(
        actor=platform_admin,
        district=saml_district,
        name=saml_district.name,
        slug=saml_district.slug,
        method=District.Method.SAML,
        domains=["lincoln.example"],
        provider=ProviderSettings(idp_entity_id=IDP_ENTITY_ID, idp_sso_url=IDP_SSO_URL, idp_x509cert=idp_key.cert_pem),
        vouches_for_domains=True,
    )

    saml_sign_in(client, idp_key, verified=False)

    assert signed_in_user_id(client) == sara.pk
    assert SocialAccount.objects.get(user=sara).provider == "district-lincoln"
