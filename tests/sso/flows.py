"""A person's way through SAML district sign-in with Django's test client, start to finish."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.sso.saml_idp import (
    EMAIL_ATTRIBUTE,
    EMAIL_VERIFIED_ATTRIBUTE,
    GIVEN_NAME_ATTRIBUTE,
    IDP_SSO_URL,
    SURNAME_ATTRIBUTE,
    SigningKey,
    authn_request_read,
    response_make,
    response_tamper,
)

ACS = "http://127.0.0.1/accounts/saml/lincoln/acs/"
SP_ENTITY_ID = "http://127.0.0.1/accounts/saml/lincoln/metadata/"


def attributes_for(email: str, verified: bool = True) -> dict[str, str]:
    found = {EMAIL_ATTRIBUTE: email, GIVEN_NAME_ATTRIBUTE: "Sara", SURNAME_ATTRIBUTE: "Sanchez"}
    if verified:
        found[EMAIL_VERIFIED_ATTRIBUTE] = "true"
    return found


def to_identity_provider(client: Client, *, email: str, process: str = "login") -> str:
    """Our district page, posted as a person would: the address of the identity provider it sends them on to."""
    start = client.post("/district-sign-in/", {"email": email, "process": process})
    assert start.status_code == 200, start.content.decode()[:2000]
    location = start.context["location"]
    assert location.startswith(IDP_SSO_URL)
    return location


def saml_sign_in(
    client: Client,
    key: SigningKey,
    *,
    email: str = "sara@lincoln.example",
    name_id: str = "lincoln-7781",
    verified: bool = True,
    process: str = "login",
    tamper: tuple[str, str] | None = None,
) -> Any:
    """The whole round trip: our page, the AuthnRequest, the signed Response posted back; the final response."""
    request_id, relay_state = authn_request_read(to_identity_provider(client, email=email, process=process))
    encoded = response_make(
        key=key,
        acs_url=ACS,
        sp_entity_id=SP_ENTITY_ID,
        in_response_to=request_id,
        name_id=name_id,
        attributes=attributes_for(email, verified),
    )
    if tamper:
        encoded = response_tamper(encoded, *tamper)
    posted = client.post(ACS, {"SAMLResponse": encoded, "RelayState": relay_state})
    assert posted.status_code == 302
    return client.get(posted["Location"])


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None
