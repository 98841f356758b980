"""Role changes go through accounts.services, and each one is a row of the audit log: who changed whose
role, at which issuer, from what to what. A grant the person already has records nothing."""

from __future__ import annotations

import pytest

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole
from accounts.services import (
    membership_grant,
    membership_revoke,
    reviewer_profile_save,
    reviewer_role_grant,
    reviewer_role_revoke,
)
from core.errors import InvalidInput, NotAllowed
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
    with pytest.raises(InvalidInput, match="issuer_staff, mentor, lead_assessor") as caught:
        reviewer_role_grant(actor=platform_admin, user=educator, issuer=classkick.issuer, kind="judge", grade_bands=[])
    assert [e.field for e in caught.value.errors] == ["kind"]
    with pytest.raises(InvalidInput) as caught:
        reviewer_role_grant(
            actor=platform_admin, user=educator, issuer=classkick.issuer, kind="mentor", grade_bands=["kindergarten"]
        )
    assert [e.field for e in caught.value.errors] == ["grade_bands"]
    assert not AuditEvent.objects.filter(
        subject_type__in=["issuermembership", "reviewerprofile", "reviewerrole"]
    ).exists()
    assert not ReviewerProfile.objects.exists()
    assert not ReviewerRole.objects.exists()


def test_a_reviewer_profile_change_is_recorded_for_every_issuer_they_hold_a_role_at(
    platform_admin, educator, classkick, educators_rising
):
    ck, er = classkick.issuer, educators_rising.issuer
    profile = reviewer_profile_save(actor=platform_admin, user=educator)
    reviewer_role_grant(actor=platform_admin, user=educator, issuer=ck, kind="mentor", grade_bands=["primary"])
    reviewer_role_grant(actor=platform_admin, user=educator, issuer=er, kind="mentor", grade_bands=["primary"])
    reviewer_profile_save(actor=platform_admin, user=educator)  # nothing changes: nothing recorded
    reviewer_profile_save(actor=platform_admin, user=educator, is_active=False)

    rows = AuditEvent.objects.filter(subject_type="reviewerprofile", subject_id=profile.pk).order_by("id")
    assert [(e.action, e.issuer_id) for e in rows] == [
        ("reviewer_profile.created", None),
        ("reviewer_profile.changed", ck.pk),
        ("reviewer_profile.changed", er.pk),
    ]
    changed = rows.last()
    assert changed is not None
    assert (changed.old, changed.new) == ("active, capacity 5", "paused, capacity 5")
    assert changed.data["changed"] == ["is_active"]
    assert changed.actor_id == platform_admin.pk


def test_a_reviewer_role_grant_change_and_revoke_are_each_recorded_with_the_actor_and_issuer(
    issuer_admin, educator, classkick
):
    ck = classkick.issuer
    role = reviewer_role_grant(actor=issuer_admin, user=educator, issuer=ck, kind="mentor", grade_bands=["primary"])
    again = reviewer_role_grant(actor=issuer_admin, user=educator, issuer=ck, kind="mentor", grade_bands=["primary"])
    assert again.pk == role.pk
    reviewer_role_grant(actor=issuer_admin, user=educator, issuer=ck, kind="mentor", grade_bands=["primary", "college"])
    reviewer_role_grant(actor=issuer_admin, user=educator, issuer=ck, kind="issuer_staff", grade_bands=[])
    reviewer_role_revoke(actor=issuer_admin, role=ReviewerRole.objects.get(pk=role.pk))

    rows = AuditEvent.objects.filter(subject_type="reviewerrole").order_by("id")
    assert [(e.action, e.old, e.new, e.issuer_id, e.actor_id) for e in rows] == [
        ("reviewer_role.granted", "", "mentor [primary]", ck.pk, issuer_admin.pk),
        ("reviewer_role.changed", "mentor [primary]", "mentor [primary, college]", ck.pk, issuer_admin.pk),
        (
            "reviewer_role.granted",
            "mentor [primary, college]",
            "issuer_staff, mentor [primary, college]",
            ck.pk,
            issuer_admin.pk,
        ),
        ("reviewer_role.revoked", "issuer_staff, mentor [primary, college]", "issuer_staff", ck.pk, issuer_admin.pk),
    ]
    assert rows[0].data == {"user_id": educator.pk, "kind": "mentor", "grade_bands": ["primary"], "was": []}
    assert list(ReviewerRole.objects.filter(user=educator).values_list("kind", flat=True)) == ["issuer_staff"]
    assert ReviewerProfile.objects.filter(user=educator, capacity=5, is_active=True).exists()


def test_only_the_issuers_own_admins_may_grant_or_revoke_its_reviewer_roles(
    issuer_admin, other_issuer_admin, educator, educator2, classkick
):
    ck = classkick.issuer
    role = reviewer_role_grant(actor=issuer_admin, user=educator, issuer=ck, kind="mentor", grade_bands=["primary"])
    for actor in (other_issuer_admin, educator2):
        with pytest.raises(NotAllowed):
            reviewer_role_grant(actor=actor, user=educator2, issuer=ck, kind="mentor", grade_bands=["primary"])
        with pytest.raises(NotAllowed):
            reviewer_role_revoke(actor=actor, role=role)
    assert list(ReviewerRole.objects.values_list("user_id", flat=True)) == [educator.pk]
    assert AuditEvent.objects.filter(subject_type="reviewerrole").count() == 1
