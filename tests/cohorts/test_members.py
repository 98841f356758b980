"""Invitations, joining and consent: the coordinator invites by email (the email rendered with its single-use link;
an account holder also told in the app), the educator joins by the link or from their Groups page, shares progress
only when they choose, and stops with immediate effect; leaving withdraws unused vouchers. The platform admin sets
up an organisation, refused with a message naming the field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Member, Organisation, Voucher
from cohorts.services import member_consent_set, member_invite, organisation_create
from core.errors import InvalidInput
from core.models import AuditEvent
from notifications.models import Notification


def row(response, member: Member) -> str:
    """The member's row of the members table."""
    html = response.content.decode()
    start = html.index(f'id="member-{member.pk}"')
    return html[start : html.index("</tr>", start)]


LINK = re.compile(r"https?://\S+(/groups/invitations/[\w-]+/)")


def _link(mailoutbox) -> str:
    found = LINK.search(str(mailoutbox[-1].body))
    assert found, mailoutbox[-1].body
    return found.group(1)


def test_an_invited_address_without_an_account_signs_up_then_joins_by_the_link(
    client, coordinator, group, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cohorts:members", args=[group.slug]), {"email": "Newt@Example.org"})
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == ["newt@example.org"]
    assert "Cora Coordinator invites you to join the group of Lincoln USD" in message.body
    assert "Joining shares nothing" in message.body
    assert "newt@example.org" in client.get(reverse("cohorts:members", args=[group.slug])).content.decode()
    link = _link(mailoutbox)

    newt = make_user("newt@example.org", "Newt Newcomer")
    client.force_login(newt)
    page = client.get(link)
    assert page.status_code == 200
    assert "You are signed in as newt@example.org" in page.content.decode()
    assert client.post(link, {"answer": "accept"}).status_code == 302
    member = Member.objects.get(email="newt@example.org")
    assert (member.status, member.educator, member.consent_given_at) == ("joined", newt, None)

    again = client.get(link)
    assert again.status_code == 410
    assert "the link works once" in again.content.decode()


def test_an_account_holder_is_told_in_the_app_and_joins_from_their_groups_page_sharing_at_once(
    client, coordinator, group, educator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = member_invite(actor=coordinator, organisation=group, email="edna@example.org")
    [note] = Notification.objects.filter(user=educator)
    assert note.kind == "group_invited"
    assert "Hello Edna Educator," in mailoutbox[0].body
    client.force_login(educator)
    html = client.get(reverse("cohorts:groups")).content.decode()
    assert "Join Lincoln USD" in html
    client.post(reverse("cohorts:membership_accept", args=[member.pk]), {"share": "on"})
    member.refresh_from_db()
    assert member.status == "joined"
    assert member.shares_progress
    assert AuditEvent.objects.filter(action="group_member.consent_given", subject_id=str(member.pk)).exists()


def test_inviting_again_replaces_the_link_and_an_expired_link_says_so(
    client, coordinator, group, educator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_invite(actor=coordinator, organisation=group, email="edna@example.org")
    first = _link(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        member = member_invite(actor=coordinator, organisation=group, email="edna@example.org")
    second = _link(mailoutbox)
    assert member.sent_count == 2
    assert Member.objects.filter(email="edna@example.org").count() == 1
    client.force_login(educator)
    assert client.get(first).status_code == 404
    Member.objects.filter(pk=member.pk).update(token_expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(second)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert client.post(second, {"answer": "accept"}).status_code == 410
    assert Member.objects.get(pk=member.pk).status == "invited"


def test_bad_invitations_name_the_field(client, coordinator, group, sharing):
    client.force_login(coordinator)
    for email, message in (("not-an-address", "Enter an email address"), ("edna@example.org", "already a member")):
        response = client.post(reverse("cohorts:members", args=[group.slug]), {"email": email})
        assert response.status_code == 422
        assert message in response.content.decode()
        assert 'href="#id_email"' in response.content.decode()


def test_withdrawing_consent_hides_progress_at_once_and_leaving_withdraws_unused_vouchers(
    client, coordinator, group, sharing, educator, classkick
):
    from submissions.services import submission_start

    submission_start(educator=educator, credential=classkick)
    client.force_login(coordinator)
    members = reverse("cohorts:members", args=[group.slug])
    assert "<strong>Collaboration</strong>: Started" in row(client.get(members), sharing)

    member_consent_set(educator=educator, member=sharing, share=False)
    edna = row(client.get(members), sharing)
    assert "Collaboration" not in edna
    assert "Not shared" in edna
    assert "Edna Educator" in edna

    member_consent_set(educator=educator, member=sharing, share=True)
    voucher = Voucher.objects.create(organisation=group, credential=classkick, member=sharing)
    client.force_login(educator)
    client.post(reverse("cohorts:membership_leave", args=[sharing.pk]))
    voucher.refresh_from_db()
    assert voucher.revoked_at is not None
    client.force_login(coordinator)
    assert "Edna Educator" not in client.get(members).content.decode()


def test_the_platform_admin_sets_up_an_organisation_with_its_coordinator(client, platform_admin, coordinator):
    client.force_login(platform_admin)
    url = reverse("cohorts:manage")
    bad = client.post(
        url,
        {
            "form": "organisation",
            "name": "Lincoln USD",
            "slug": "manage",
            "kind": "district",
            "coordinator_email": "nobody@example.org",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "another organisation has this short name" in html
    assert "no active account has this address" in html
    good = client.post(
        url,
        {
            "form": "organisation",
            "name": "Lincoln USD",
            "slug": "lincoln-usd",
            "kind": "district",
            "coordinator_email": coordinator.email,
        },
    )
    assert good.status_code == 302
    organisation = Organisation.objects.get(slug="lincoln-usd")
    assert list(organisation.coordinators.values_list("user__email", flat=True)) == [coordinator.email]
    assert "Lincoln USD" in client.get(url).content.decode()
    with pytest.raises(InvalidInput):
        organisation_create(
            actor=platform_admin, name="X", slug="lincoln-usd", kind="district", coordinator_email=coordinator.email
        )


def test_the_demo_group_is_made_once_with_the_educator_sharing(coordinator, educator):
    from cohorts.demo import demo_group_ensure

    first = demo_group_ensure(coordinator=coordinator, educator=educator)
    again = demo_group_ensure(coordinator=coordinator, educator=educator)
    assert first == again
    assert first.kind == "district"
    [member] = Member.objects.filter(organisation=first)
    assert member.shares_progress
    assert list(first.coordinators.values_list("user", flat=True)) == [coordinator.pk]


def test_only_the_invited_address_declines_by_the_link(
    client, coordinator, group, educator, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = member_invite(actor=coordinator, organisation=group, email="edna@example.org")
    link = _link(mailoutbox)
    client.force_login(outsider)
    assert client.post(link, {"answer": "decline"}).status_code == 404
    assert Member.objects.get(pk=member.pk).status == "invited"
    client.force_login(educator)
    assert client.post(link, {"answer": "decline"}).status_code == 302
    assert Member.objects.get(pk=member.pk).status == "declined"
