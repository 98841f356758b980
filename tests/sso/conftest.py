"""District sign-in fixtures: a SAML district whose identity provider is tests/sso/saml_idp.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from sso.models import District
from sso.services import ProviderSettings, district_save
from tests.sso.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningKey, signing_key_make


@pytest.fixture(scope="session")
def idp_key() -> SigningKey:
    return signing_key_make()


@pytest.fixture(scope="session")
def forger_key() -> SigningKey:
    return signing_key_make("idp.lincoln.example")


@pytest.fixture
def saml_district(platform_admin: User, idp_key: SigningKey) -> District:
    return district_save(
        actor=platform_admin,
        district=None,
        name="Lincoln Unified School District",
        slug="lincoln",
        method=District.Method.SAML,
        domains=["lincoln.example"],
        provider=ProviderSettings(idp_entity_id=IDP_ENTITY_ID, idp_sso_url=IDP_SSO_URL, idp_x509cert=idp_key.cert_pem),
    )


@pytest.fixture
def client(db: Any) -> Client:
    # A browser always sends Host, and python3-saml builds the addresses it checks from it.
    return Client(HTTP_HOST="127.0.0.1")
