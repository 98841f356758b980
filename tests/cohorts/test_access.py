"""Every groups page and action by persona: the coordinator of the group, a coordinator of another group, a member,
an educator in no group, a reviewer, the issuer's admin, another issuer's admin, a platform admin, anonymous.
Anyone not entitled gets 404 (anonymous: sent to sign in) and changes nothing.

Each test walks the personas in one database (loading the programs once), those not entitled first, so "changed
nothing" is checked before the entitled persona changes anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Credential
from cohorts.models import Coordinator, IssuerVoucherAcceptance, Member, Organisation, Voucher
from tests.cohorts.conftest import PERSONAS, persona_user

SLUG = "lincoln-usd"

COORDINATOR_GETS = [
    reverse("cohorts:members", args=[SLUG]),
    reverse("cohorts:export_csv", args=[SLUG]),
    reverse("cohorts:export_xlsx", args=[SLUG]),
    reverse("cohorts:vouchers", args=[SLUG]),
]


@pytest.fixture
def world(request: Any, group: Organisation, sharing: Member, private: Member, classkick: Credential) -> dict[str, Any]:
    for name in ("other_coordinator", "outsider", "reviewer_staff", "issuer_admin", "other_issuer_admin"):
        request.getfixturevalue(name)
    request.getfixturevalue("platform_admin")
    voucher = Voucher.objects.create(organisation=group, credential=classkick, member=sharing)
    return {"voucher": voucher, "sharing": sharing, "credential": classkick}


def _client(request: Any, persona: str) -> Client:
    client = Client()
    user = persona_user(request, persona)
    if user is not None:
        client.force_login(user)
    return client


def _refused(response: Any, persona: str) -> bool:
    return response.status_code == (302 if persona == "anonymous" else 404)


def _in_order(entitled: set[str]) -> list[str]:
    return [p for p in PERSONAS if p not in entitled] + [p for p in PERSONAS if p in entitled]


def test_coordinator_pages_are_for_the_groups_coordinators_only(request, world):
    voucher, sharing = world["voucher"], world["sharing"]
    posts = [
        (reverse("cohorts:members", args=[SLUG]), {"email": "new@example.org"}),
        (reverse("cohorts:member_remove", args=[SLUG, sharing.pk]), {}),
        (
            reverse("cohorts:vouchers", args=[SLUG]),
            {"member": str(sharing.pk), "credential": "classkick-collaboration"},
        ),
        (reverse("cohorts:voucher_revoke", args=[SLUG, voucher.pk]), {}),
    ]
    for persona in _in_order({"coordinator"}):
        client = _client(request, persona)
        for url in COORDINATOR_GETS:
            response = client.get(url)
            if persona == "coordinator":
                assert response.status_code == 200, url
            else:
                assert _refused(response, persona), (persona, url, response.status_code)
        if persona == "coordinator":
            continue
        for url, data in posts:
            assert _refused(client.post(url, data), persona), (persona, url)
        assert not Member.objects.filter(email="new@example.org").exists()
        sharing.refresh_from_db()
        voucher.refresh_from_db()
        assert sharing.status == Member.Status.JOINED
        assert voucher.revoked_at is None
        assert Voucher.objects.count() == 1
    coordinator = _client(request, "coordinator")
    assert coordinator.post(posts[0][0], posts[0][1]).status_code == 302
    assert coordinator.post(posts[3][0]).status_code == 302
    assert Member.objects.filter(email="new@example.org", status="invited").exists()


def test_the_sponsors_page_is_for_the_issuers_admins_and_platform_admins(request, world):
    group = world["sharing"].organisation
    page = reverse("issuers:sponsors", args=["classkick"])
    action = reverse("issuers:sponsor_set", args=["classkick", group.pk])
    for persona in _in_order({"issuer_admin", "platform_admin"}):
        client = _client(request, persona)
        if persona in ("issuer_admin", "platform_admin"):
            response = client.get(page)
            assert response.status_code == 200
            assert "Lincoln USD" in response.content.decode()
            accept = "0" if IssuerVoucherAcceptance.objects.filter(stopped_at__isnull=True).exists() else "1"
            assert client.post(action, {"accept": accept}).status_code == 302
            assert IssuerVoucherAcceptance.objects.get(organisation=group).is_active == (accept == "1")
        else:
            assert _refused(client.get(page), persona), persona
            assert _refused(client.post(action, {"accept": "1"}), persona), persona
            assert not IssuerVoucherAcceptance.objects.exists()


def test_the_manage_page_is_the_platform_admins(request, world):
    url = reverse("cohorts:manage")
    data = {"form": "coordinator", "organisation": str(world["sharing"].organisation_id), "email": "nora@example.org"}
    for persona in _in_order({"platform_admin"}):
        client = _client(request, persona)
        if persona == "platform_admin":
            assert client.get(url).status_code == 200
            assert client.post(url, data).status_code == 302
            assert Coordinator.objects.filter(user__email="nora@example.org").exists()
        else:
            assert _refused(client.get(url), persona), persona
            assert _refused(client.post(url, data), persona), persona
            assert not Coordinator.objects.filter(user__email="nora@example.org").exists()


def test_a_membership_is_answered_only_by_its_member(request, world):
    sharing = world["sharing"]
    for persona in _in_order({"member"}):
        client = _client(request, persona)
        groups = client.get(reverse("cohorts:groups"))
        if persona == "anonymous":
            assert groups.status_code == 302
        else:
            assert groups.status_code == 200
            html = groups.content.decode()
            assert (f'id="membership-{sharing.pk}"' in html) == (persona == "member"), persona
            assert ('href="/groups/lincoln-usd/"' in html) == (persona == "coordinator"), persona
            assert ('href="/groups/manage/"' in html) == (persona == "platform_admin"), persona
        for name, data in (("consent", {"share": "0"}), ("leave", {})):
            response = client.post(reverse(f"cohorts:membership_{name}", args=[sharing.pk]), data)
            if persona == "member":
                assert response.status_code == 302
            else:
                assert _refused(response, persona), (persona, name)
        sharing.refresh_from_db()
        if persona == "member":
            assert sharing.status == Member.Status.LEFT
            assert sharing.consent_given_at is None
        else:
            assert sharing.status == Member.Status.JOINED
            assert sharing.consent_given_at is not None
