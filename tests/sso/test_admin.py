"""Districts in the admin site: only the platform admin may see or change them; every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client

from accounts.models import User
from core.models import AuditEvent
from sso.models import District
from tests.sso.saml_idp import SigningKey

ADD = "/admin/sso/district/add/"


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Springfield Public Schools",
        "slug": "springfield",
        "method": "openid_connect",
        "domains": "springfield.example\n@Staff.Springfield.example",
        "active": "on",
        "server_url": "https://id.springfield.example",
        "client_id": "microcred",
        "client_secret": "s3cret",
        "idp_entity_id": "",
        "idp_sso_url": "",
        "idp_x509cert": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "status"), [("issuer_admin", 403), ("educator", 302), ("reviewer_staff", 302), (None, 302)]
)
def test_only_the_platform_admin_reaches_districts(
    client: Client, persona: str | None, status: int, request: pytest.FixtureRequest
) -> None:
    if persona:
        client.force_login(request.getfixturevalue(persona))

    assert client.get("/admin/sso/district/").status_code == status
    assert client.get(ADD).status_code == status
    assert client.post(ADD, _form()).status_code == status
    assert not District.objects.exists()


def test_the_platform_admin_adds_an_openid_connect_district(client: Client, platform_admin: User) -> None:
    client.force_login(platform_admin)
    assert client.get(ADD).status_code == 200

    saved = client.post(ADD, _form())

    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    district = District.objects.get(slug="springfield")
    assert sorted(district.domains.values_list("domain", flat=True)) == [
        "springfield.example",
        "staff.springfield.example",
    ]
    app = district.social_app
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect",
        "district-springfield",
        "microcred",
        "s3cret",
    )
    assert app.settings == {"server_url": "https://id.springfield.example", "oauth_pkce_enabled": True, "hidden": True}
    event = AuditEvent.objects.get(action="district.created")
    assert event.actor_id == platform_admin.pk
    assert "s3cret" not in str(event.data) + event.new

    # A blank secret on a change keeps the stored one; the page tells the provider's IT what to register.
    change = f"/admin/sso/district/{district.pk}/change/"
    page = client.get(change).content.decode()
    assert "/accounts/oidc/district-springfield/login/callback/" in page
    assert "s3cret" not in page
    client.post(change, _form(client_secret="", name="Springfield Schools"))
    app.refresh_from_db()
    assert (app.name, app.secret) == ("Springfield Schools", "s3cret")
    assert AuditEvent.objects.filter(action="district.changed").count() == 1


def test_bad_settings_are_named_by_field(client: Client, platform_admin: User, saml_district: District) -> None:
    client.force_login(platform_admin)

    page = client.post(
        ADD,
        _form(
            slug="other",
            method="saml",
            domains="lincoln.example\nnot a domain!",
            idp_entity_id="",
            idp_sso_url="ftp://x",
            idp_x509cert="garbage",
        ),
    )

    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert "lincoln.example already leads to Lincoln Unified School District." in errors["domains"]
    assert set(errors) >= {"domains", "idp_entity_id", "idp_sso_url", "idp_x509cert"}
    assert District.objects.count() == 1


def test_google_needs_the_platform_application_first(client: Client, platform_admin: User) -> None:
    client.force_login(platform_admin)

    page = client.post(ADD, _form(method="google"))

    assert "No Google Workspace application is set up" in page.context["adminform"].form.errors["method"][0]


def test_deleting_a_district_removes_its_provider_and_the_links_through_it(
    client: Client, platform_admin: User, saml_district: District, educator: User, idp_key: SigningKey
) -> None:
    SocialAccount.objects.create(user=educator, provider="district-lincoln", uid="lincoln-1")
    client.force_login(platform_admin)

    client.post(f"/admin/sso/district/{saml_district.pk}/delete/", {"post": "yes"})

    assert not District.objects.exists()
    assert not SocialApp.objects.filter(provider_id="district-lincoln").exists()
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(action="district.deleted").exists()


def test_changing_the_method_keeps_the_platform_app_and_drops_links_through_the_old_provider(
    client: Client, platform_admin: User, educator: User, idp_key: SigningKey
) -> None:
    google = SocialApp.objects.create(provider="google", name="Google", client_id="platform.apps.googleusercontent.com")
    client.force_login(platform_admin)
    client.post(ADD, _form(method="google"))
    district = District.objects.get(slug="springfield")
    change = f"/admin/sso/district/{district.pk}/change/"

    client.post(change, _form())
    district.refresh_from_db()
    assert district.social_app.provider == "openid_connect"
    assert SocialApp.objects.filter(pk=google.pk).exists()
    SocialAccount.objects.create(user=educator, provider="district-springfield", uid="oidc-sub-1")

    client.post(
        change,
        _form(
            method="saml",
            idp_entity_id="https://idp.springfield.example",
            idp_sso_url="https://idp.springfield.example/sso",
            idp_x509cert=idp_key.cert_pem,
        ),
    )

    district.refresh_from_db()
    assert district.social_app.provider == "saml"
    assert list(SocialApp.objects.order_by("provider").values_list("provider", flat=True)) == ["google", "saml"]
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(action="district.changed").latest("id").data["links_removed"] == 1
