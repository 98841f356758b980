"""A SAML identity provider in a few functions: a key and certificate made here, and a Response whose assertion
is signed with them by python3-saml's own signing (xmlsec), as a district's identity provider would send it."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

IDP_ENTITY_ID = "https://idp.lincoln.example/saml"
IDP_SSO_URL = "https://idp.lincoln.example/sso"
EMAIL_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.3"
# allauth's default mapping reads "email verified" from this attribute name.
EMAIL_VERIFIED_ATTRIBUTE = "http://schemas.auth0.com/email_verified"
GIVEN_NAME_ATTRIBUTE = "urn:oid:2.5.4.42"
SURNAME_ATTRIBUTE = "urn:oid:2.5.4.4"


@dataclass(frozen=True)
class SigningKey:
    key_pem: str
    cert_pem: str


def signing_key_make(common_name: str = "idp.lincoln.example") -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return SigningKey(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def authn_request_read(location: str) -> tuple[str, str]:
    """From the redirect to the identity provider: the AuthnRequest's ID and the RelayState to send back."""
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    request = etree.fromstring(xml)
    return request.get("ID"), query.get("RelayState", [""])[0]


def _instant(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(name: str, value: str) -> str:
    return (
        f'<saml:Attribute Name={quoteattr(name)} NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
        f'<saml:AttributeValue xsi:type="xs:string">{escape(value)}</saml:AttributeValue></saml:Attribute>'
    )


def response_make(
    *,
    key: SigningKey,
    acs_url: str,
    sp_entity_id: str,
    in_response_to: str,
    name_id: str,
    attributes: dict[str, str],
) -> str:
    """A Response carrying one assertion signed with `key`, base64-encoded for the HTTP-POST binding."""
    now = dt.datetime.now(dt.UTC)
    later = _instant(now + dt.timedelta(minutes=5))
    assertion_id = f"_a{uuid.uuid4().hex}"
    statements = "".join(_attribute(name, value) for name, value in attributes.items())
    assertion = (
        f'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">'
        f"<saml:Issuer>{escape(IDP_ENTITY_ID)}</saml:Issuer>"
        f"<saml:Subject>"
        f'<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{escape(name_id)}</saml:NameID>'
        f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f"<saml:SubjectConfirmationData NotOnOrAfter={quoteattr(later)} Recipient={quoteattr(acs_url)} "
        f"InResponseTo={quoteattr(in_response_to)}/>"
        f"</saml:SubjectConfirmation></saml:Subject>"
        f'<saml:Conditions NotBefore="{_instant(now - dt.timedelta(minutes=1))}" NotOnOrAfter={quoteattr(later)}>'
        f"<saml:AudienceRestriction><saml:Audience>{escape(sp_entity_id)}</saml:Audience></saml:AudienceRestriction>"
        f"</saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="_s{uuid.uuid4().hex}">'
        f"<saml:AuthnContext><saml:AuthnContextClassRef>"
        f"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        f"<saml:AttributeStatement>{statements}</saml:AttributeStatement>"
        f"</saml:Assertion>"
    )
    signed = OneLogin_Saml2_Utils.add_sign(
        assertion,
        key.key_pem,
        key.cert_pem,
        sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
        digest_algorithm=OneLogin_Saml2_Constants.SHA256,
    )
    signed_text = signed.decode() if isinstance(signed, bytes) else signed
    signed_text = signed_text.split("?>", 1)[1] if signed_text.startswith("<?xml") else signed_text
    response = (
        f'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{uuid.uuid4().hex}" Version="2.0" '
        f"IssueInstant={quoteattr(_instant(now))} Destination={quoteattr(acs_url)} "
        f"InResponseTo={quoteattr(in_response_to)}>"
        f"<saml:Issuer>{escape(IDP_ENTITY_ID)}</saml:Issuer>"
        f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        f"{signed_text}"
        f"</samlp:Response>"
    )
    return base64.b64encode(response.encode()).decode()


def response_tamper(encoded: str, old: str, new: str) -> str:
    """The same response with one value changed after signing."""
    xml = base64.b64decode(encoded).decode()
    assert old in xml
    return base64.b64encode(xml.replace(old, new).encode()).decode()
