"""Role changes go through accounts.services, and each one is a row of the audit log: who changed whose
role, at which issuer, from what to what. A grant the person already has records nothing."""

from __future__ import annotations

import pytest

from accounts.models import IssuerMembership, ReviewerProfile
from accounts.services import membership_grant, membership_revoke, reviewer_profile_save
from core.errors import InvalidInput
from core.models import AuditEvent


def _roles_history(issuer_id):
    return [
        (e.action, e.old, e.new)
        for e in AuditEvent.objects.filter(issuer_id=issuer_id, action__startswith="membership.").order_by("id")
    ]


def test_granting_and_revoking_roles_records_old_and_new_roles(platform_admin, educator, classkick):
    issuer = classkick.issuer
    staff = membership_grant(actor=platform_admin, user=educator, issuer=issuer, role=IssuerMembership.Role.STAFF)
    membership_grant(actor=platform_admin, user=educator, issuer=issuer, role=IssuerMembership.Role.STAFF)
    admin = membership_grant(actor=platform_admin, user=educator, issuer=issuer, role=IssuerMembership.Role.ADMIN)
    membership_revoke(actor=platform_admin, membership=staff)
    membership_revoke(actor=None, membership=admin)

    assert _roles_history(issuer.pk) == [
        ("membership.granted", "", "staff"),
        ("membership.granted", "staff", "admin, staff"),
        ("membership.revoked", "admin, staff", "admin"),
        ("membership.revoked", "admin", ""),
    ]
    actors = list(AuditEvent.objects.filter(action__startswith="membership.").order_by("id").values_list("actor_id"))
    assert actors == [(platform_admin.pk,), (platform_admin.pk,), (platform_admin.pk,), (None,)]


def test_an_unknown_role_or_reviewer_kind_is_refused_naming_the_field(platform_admin, educator, classkick):
    with pytest.raises(InvalidInput, match="choose one of: admin, staff") as caught:
        membership_grant(actor=platform_admin, user=educator, issuer=classkick.issuer, role="owner")
    assert [e.field for e in caught.value.errors] == ["role"]
    with pytest.raises(InvalidInput) as caught:
        reviewer_profile_save(actor=platform_admin, user=educator, kind="judge", issuers=[], grade_bands=[])
    assert [e.field for e in caught.value.errors] == ["kind"]
    with pytest.raises(InvalidInput) as caught:
        reviewer_profile_save(
            actor=platform_admin, user=educator, kind="mentor", issuers=[], grade_bands=["kindergarten"]
        )
    assert [e.field for e in caught.value.errors] == ["grade_bands"]
    assert not AuditEvent.objects.filter(subject_type__in=["issuermembership", "reviewerprofile"]).exists()
    assert not ReviewerProfile.objects.exists()


def test_a_reviewer_profile_change_is_recorded_for_every_issuer_it_touches(
    platform_admin, educator, classkick, educators_rising
):
    ck, er = classkick.issuer, educators_rising.issuer
    profile = reviewer_profile_save(
        actor=platform_admin, user=educator, kind="mentor", issuers=[ck], grade_bands=["primary"]
    )
    reviewer_profile_save(actor=platform_admin, user=educator, kind="mentor", issuers=[ck], grade_bands=["primary"])
    reviewer_profile_save(
        actor=platform_admin, user=educator, kind="mentor", issuers=[er], grade_bands=["primary"], is_active=False
    )

    rows = AuditEvent.objects.filter(subject_type="reviewerprofile", subject_id=profile.pk).order_by("id")
    assert [(e.action, e.issuer_id) for e in rows] == [
        ("reviewer_profile.created", ck.pk),
        ("reviewer_profile.changed", ck.pk),
        ("reviewer_profile.changed", er.pk),
    ]
    changed = rows.last()
    assert changed is not None
    assert (changed.old, changed.new) == ("mentor, active, capacity 5", "mentor, inactive, capacity 5")
    assert changed.data["changed"] == ["is_active", "issuers"]
