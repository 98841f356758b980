"""The audit log in the admin site, by persona: read-only, and each issuer admin reads only their issuer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.audit import audit_record
from core.models import AppendOnly, AuditEvent

LIST = reverse("admin:core_auditevent_changelist")


def detail(event: AuditEvent) -> str:
    return reverse("admin:core_auditevent_change", args=[event.pk])


@pytest.fixture
def events(db, classkick, educators_rising, issuer_admin):
    ours = audit_record(
        action="decision.overridden", subject=classkick, actor=issuer_admin, issuer_id=classkick.issuer_id
    )
    theirs = audit_record(
        action="decision.made", subject=educators_rising, actor=None, issuer_id=educators_rising.issuer_id
    )
    platform = audit_record(action="membership.granted", subject=issuer_admin, actor=None)
    return ours, theirs, platform


@pytest.mark.django_db
def test_the_platform_admin_reads_every_event(client, platform_admin, events):
    client.force_login(platform_admin)
    html = client.get(LIST).content.decode()
    for event in events:
        assert detail(event) in html


@pytest.mark.django_db
def test_an_issuer_admin_reads_their_issuers_events_and_no_others(client, issuer_admin, events):
    ours, theirs, platform = events
    client.force_login(issuer_admin)
    html = client.get(LIST).content.decode()
    assert detail(ours) in html
    assert detail(theirs) not in html
    assert detail(platform) not in html
    assert client.get(detail(ours)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(detail(platform)).status_code == 404


@pytest.mark.django_db
def test_nobody_edits_or_deletes_history_in_the_admin(client, platform_admin, events):
    ours = events[0]
    client.force_login(platform_admin)
    client.post(detail(ours), {"action": "forged"})
    assert client.post(reverse("admin:core_auditevent_delete", args=[ours.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    ours.refresh_from_db()
    assert ours.action == "decision.overridden"
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=ours.pk).update(action="forged")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["educator", "reviewer_staff"])
def test_educators_and_reviewers_do_not_reach_the_audit_log(client, request, who, events):
    client.force_login(request.getfixturevalue(who))
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
