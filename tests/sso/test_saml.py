"""SAML 2.0 district sign-in through allauth's saml provider: a signed response signs in; a forged one does not.

Each test starts as a person would, at our district sign-in page, is sent on to the identity provider with an
AuthnRequest, and comes back to our assertion consumer service with the identity provider's Response, which
tests/sso/saml_idp.py signs with python3-saml's own signing (xmlsec). Nothing of ours is mocked."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import User
from sso.models import District
from tests.sso.flows import ACS, SP_ENTITY_ID, attributes_for, saml_sign_in, signed_in_user_id
from tests.sso.saml_idp import SigningKey, response_make


def test_a_signed_response_signs_a_new_person_in(client: Client, saml_district: District, idp_key: SigningKey) -> None:
    finished = saml_sign_in(client, idp_key)

    user = User.objects.get(email="sara@lincoln.example")
    assert signed_in_user_id(client) == user.pk, finished.content.decode()[:3000]
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("district-lincoln", "lincoln-7781")


def test_it_refuses_a_response_with_a_changed_attribute(
    client: Client, saml_district: District, idp_key: SigningKey
) -> None:
    saml_sign_in(client, idp_key, tamper=("sara@lincoln.example", "mallory@lincoln.example"))

    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email__in=["sara@lincoln.example", "mallory@lincoln.example"]).exists()
    assert not SocialAccount.objects.exists()


def test_it_refuses_a_response_signed_with_another_certificate(
    client: Client, saml_district: District, forger_key: SigningKey
) -> None:
    saml_sign_in(client, forger_key)

    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="sara@lincoln.example").exists()


def test_it_refuses_a_response_it_did_not_ask_for(client: Client, saml_district: District, idp_key: SigningKey) -> None:
    # Signed by the district, but answering no request of this browser's (sent unasked, or replayed elsewhere).
    encoded = response_make(
        key=idp_key,
        acs_url=ACS,
        sp_entity_id=SP_ENTITY_ID,
        in_response_to="_never-asked",
        name_id="lincoln-7781",
        attributes=attributes_for("sara@lincoln.example"),
    )
    posted = client.post(ACS, {"SAMLResponse": encoded})
    client.get(posted["Location"])

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
