"""The admin site by persona: the platform admin sees everything, an issuer admin only their issuer's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User
from accounts.services import ISSUER_ADMINS_GROUP, membership_grant, reviewer_role_grant
from core.models import AuditEvent


def changelist(model: str) -> str:
    app = "catalog" if model in {"issuer", "credential", "credentialversion"} else "accounts"
    return reverse(f"admin:{app}_{model}_changelist")


def change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def er_staff(make_user, educators_rising) -> User:
    user = make_user("rita@educatorsrising.example", "Rita Rising")
    membership_grant(actor=None, user=user, issuer=educators_rising.issuer, role=IssuerMembership.Role.STAFF)
    reviewer_role_grant(
        actor=None,
        user=user,
        issuer=educators_rising.issuer,
        kind=ReviewerRole.Kind.ISSUER_STAFF,
        grade_bands=["high_school"],
    )
    return user


@pytest.fixture
def shared_staff(reviewer_staff, educators_rising) -> User:
    """Classkick staff who is also a mentor for Educators Rising."""
    reviewer_role_grant(
        actor=None, user=reviewer_staff, issuer=educators_rising.issuer, kind="mentor", grade_bands=["college"]
    )
    return reviewer_staff


@pytest.mark.django_db
def test_an_issuer_admin_is_staff_and_in_the_issuer_admins_group(issuer_admin):
    assert issuer_admin.is_staff
    assert not issuer_admin.is_superuser
    assert list(issuer_admin.groups.values_list("name", flat=True)) == [ISSUER_ADMINS_GROUP]
    assert issuer_admin.has_perm("catalog.change_credential")
    assert not issuer_admin.has_perm("catalog.change_credentialversion")
    assert not issuer_admin.has_perm("accounts.view_user")


@pytest.mark.django_db
def test_an_issuer_admin_sees_only_their_issuers_credentials_and_versions(
    client, issuer_admin, classkick, educators_rising
):
    client.force_login(issuer_admin)

    html = client.get(changelist("credential")).content.decode()
    assert change(classkick) in html
    assert change(educators_rising) not in html

    html = client.get(changelist("credentialversion")).content.decode()
    assert change(classkick.current_version) in html
    assert change(educators_rising.current_version) not in html

    html = client.get(changelist("issuer")).content.decode()
    assert change(classkick.issuer) in html
    assert change(educators_rising.issuer) not in html


@pytest.mark.django_db
def test_an_issuer_admin_gets_404_for_another_issuers_objects(client, issuer_admin, educators_rising, er_staff):
    client.force_login(issuer_admin)

    for obj in [
        educators_rising,
        educators_rising.current_version,
        educators_rising.issuer,
        er_staff.memberships.get(),
        er_staff.reviewer_profile,
    ]:
        assert client.get(change(obj)).status_code == 404, obj
        assert client.post(change(obj), {}).status_code in {403, 404}, obj
    delete = reverse("admin:accounts_issuermembership_delete", args=[er_staff.memberships.get().pk])
    assert client.post(delete, {"post": "yes"}).status_code == 404
    assert er_staff.memberships.exists()


@pytest.mark.django_db
def test_an_issuer_admin_sees_only_their_issuers_memberships_and_reviewers(
    client, issuer_admin, other_issuer_admin, reviewer_mentor, er_staff, shared_staff
):
    client.force_login(issuer_admin)

    html = client.get(changelist("issuermembership")).content.decode()
    assert "ada@classkick.example" in html
    assert "sam@classkick.example" in html
    assert "otto@educatorsrising.example" not in html
    assert "rita@educatorsrising.example" not in html

    html = client.get(changelist("reviewerprofile")).content.decode()
    assert "mia@mentors.example" in html
    assert "sam@classkick.example" in html
    assert "rita@educatorsrising.example" not in html


@pytest.mark.django_db
def test_the_other_issuers_admin_sees_the_mirror_image(
    client, other_issuer_admin, classkick, educators_rising, reviewer_mentor, er_staff
):
    client.force_login(other_issuer_admin)

    html = client.get(changelist("credential")).content.decode()
    assert change(educators_rising) in html
    assert change(classkick) not in html
    assert client.get(change(classkick)).status_code == 404
    html = client.get(changelist("reviewerprofile")).content.decode()
    assert "rita@educatorsrising.example" in html
    assert "mia@mentors.example" not in html


@pytest.mark.django_db
def test_the_platform_admin_sees_every_issuers_objects(
    client, platform_admin, issuer_admin, classkick, educators_rising, er_staff
):
    client.force_login(platform_admin)

    html = client.get(changelist("credential")).content.decode()
    assert change(classkick) in html
    assert change(educators_rising) in html
    html = client.get(changelist("issuermembership")).content.decode()
    assert "ada@classkick.example" in html
    assert "rita@educatorsrising.example" in html
    assert client.get(change(educators_rising)).status_code == 200
    assert client.get(changelist("user")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["educator", "reviewer_staff"])
def test_people_without_admin_roles_cannot_reach_the_admin(client, request, persona, classkick):
    client.force_login(request.getfixturevalue(persona))

    for url in [reverse("admin:index"), changelist("credential"), change(classkick)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client, classkick):
    response = client.get(changelist("credential"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_an_issuer_admin_cannot_manage_users(client, issuer_admin):
    client.force_login(issuer_admin)

    assert client.get(changelist("user")).status_code == 403
    assert client.get(change(issuer_admin)).status_code == 403


@pytest.mark.django_db
def test_credential_versions_are_read_only_even_for_the_platform_admin(client, platform_admin, classkick):
    client.force_login(platform_admin)
    version = classkick.current_version

    page = client.get(change(version))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change(version), {"number": 99}).status_code == 403
    delete = reverse("admin:catalog_credentialversion_delete", args=[version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 1


@pytest.mark.django_db
def test_an_issuer_admin_can_unpublish_their_credential_but_not_edit_its_text(client, issuer_admin, classkick):
    client.force_login(issuer_admin)

    response = client.post(change(classkick), {"is_published": "", "title": "Hacked"})

    assert response.status_code == 302
    classkick.refresh_from_db()
    assert classkick.is_published is False
    assert classkick.title != "Hacked"


@pytest.mark.django_db
def test_an_issuer_admin_adds_staff_by_email_address(client, issuer_admin, educator, classkick, educators_rising):
    client.force_login(issuer_admin)
    add = reverse("admin:accounts_issuermembership_add")

    unknown = client.post(add, {"user_email": "ghost@example.org", "issuer": classkick.issuer.pk, "role": "staff"})
    assert "No account uses this email address" in unknown.content.decode()

    elsewhere = client.post(add, {"user_email": educator.email, "issuer": educators_rising.issuer.pk, "role": "staff"})
    assert elsewhere.status_code == 200
    assert "issuer" in elsewhere.context["adminform"].form.errors

    as_admin = client.post(add, {"user_email": educator.email, "issuer": classkick.issuer.pk, "role": "admin"})
    assert "role" in as_admin.context["adminform"].form.errors
    assert not educator.memberships.exists()

    response = client.post(add, {"user_email": "EDNA@example.org", "issuer": classkick.issuer.pk, "role": "staff"})
    assert response.status_code == 302
    membership = educator.memberships.get()
    assert (membership.issuer, membership.role) == (classkick.issuer, "staff")
    educator.refresh_from_db()
    assert not educator.is_staff
    granted = AuditEvent.objects.get(action="membership.granted", subject_id=membership.pk)
    assert (granted.actor, granted.old, granted.new, granted.issuer_id) == (
        issuer_admin,
        "",
        "staff",
        classkick.issuer_id,
    )


@pytest.mark.django_db
def test_the_platform_admin_makes_an_issuer_admin_who_can_then_use_the_admin(
    client, platform_admin, educator, classkick
):
    client.force_login(platform_admin)

    client.post(
        reverse("admin:accounts_issuermembership_add"),
        {"user_email": educator.email, "issuer": classkick.issuer.pk, "role": "admin"},
    )

    educator.refresh_from_db()
    assert educator.is_staff
    client.force_login(educator)
    assert change(classkick) in client.get(changelist("credential")).content.decode()

    client.force_login(platform_admin)
    membership = educator.memberships.get()
    delete = reverse("admin:accounts_issuermembership_delete", args=[membership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    educator.refresh_from_db()
    assert not educator.is_staff
    assert not educator.groups.exists()
    history = AuditEvent.objects.filter(subject_type="issuermembership", subject_id=membership.pk)
    assert [(e.action, e.actor, e.old, e.new) for e in history] == [
        ("membership.granted", platform_admin, "", "admin"),
        ("membership.revoked", platform_admin, "admin", ""),
    ]
    assert {e.data["user_id"] for e in history} == {educator.pk}


@pytest.mark.django_db
def test_an_issuer_admin_cannot_remove_an_admin_membership(client, issuer_admin):
    client.force_login(issuer_admin)
    membership = issuer_admin.memberships.get()

    delete = reverse("admin:accounts_issuermembership_delete", args=[membership.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert issuer_admin.memberships.exists()


@pytest.mark.django_db
def test_an_issuer_admin_edits_a_shared_reviewers_profile_and_sees_only_their_issuers_roles(
    client, issuer_admin, shared_staff, classkick, educators_rising
):
    client.force_login(issuer_admin)
    profile = shared_staff.reviewer_profile

    page = client.get(change(profile)).content.decode()
    assert "<td>Classkick</td><td>Issuer staff</td>" in page
    assert "Educators Rising" not in page
    assert 'name="kind"' not in page  # roles are given on the Reviewers page, not here

    response = client.post(change(profile), {"capacity": 3, "conflicts": "", "is_active": "on"})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.capacity == 3
    assert set(ReviewerRole.objects.filter(user=shared_staff).values_list("issuer__slug", "kind")) == {
        ("classkick", "issuer_staff"),
        ("educators-rising", "mentor"),
    }
    changed = AuditEvent.objects.filter(action="reviewer_profile.changed", subject_id=profile.pk)
    assert {(e.issuer_id, e.actor_id) for e in changed} == {
        (classkick.issuer_id, issuer_admin.pk),
        (educators_rising.issuer_id, issuer_admin.pk),
    }
    # Deleting would forget the person's capacity and conflicts everywhere: profiles are paused instead.
    delete = reverse("admin:accounts_reviewerprofile_delete", args=[profile.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # A profile comes with a role, given on the Reviewers page; only the platform admin adds a bare one here.
    assert client.get(reverse("admin:accounts_reviewerprofile_add")).status_code == 403


@pytest.mark.django_db
def test_the_platform_admin_adds_a_reviewer_profile_by_email_and_reads_roles_on_the_user_page(
    client, platform_admin, educator, classkick
):
    client.force_login(platform_admin)
    add = reverse("admin:accounts_reviewerprofile_add")
    data = {"user_email": educator.email, "capacity": 2, "conflicts": "", "is_active": "on"}

    assert client.post(add, data).status_code == 302

    profile = ReviewerProfile.objects.get(user=educator)
    assert (profile.capacity, profile.is_active) == (2, True)
    (created,) = AuditEvent.objects.filter(subject_type="reviewerprofile", subject_id=profile.pk)
    assert (created.action, created.actor, created.old, created.new) == (
        "reviewer_profile.created",
        platform_admin,
        "",
        "active, capacity 2",
    )
    again = client.post(add, data)
    assert "already has a reviewer profile" in again.content.decode()

    reviewer_role_grant(actor=platform_admin, user=educator, issuer=classkick.issuer, kind="mentor", grade_bands=[])
    page = client.get(change(educator)).content.decode()
    assert "Reviewer roles" in page
    assert "Mentor" in page


@pytest.mark.django_db
def test_admin_sign_in_is_case_insensitive_and_throttled(client, issuer_admin):
    from tests.conftest import PASSWORD

    # The admin's sign-in is ours: its own page sends there, and back to the admin after.
    sent = client.get(reverse("admin:login") + "?next=/admin/")
    assert sent.status_code == 302
    login = reverse("accounts:login")
    assert sent.url == f"{login}?next=%2Fadmin%2F"
    response = client.post(login, {"username": "ADA@Classkick.example", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.logout()

    for _ in range(5):
        client.post(login, {"username": "Ada@classkick.example", "password": "wrong"})
    assert client.post(login, {"username": "ada@classkick.example", "password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_the_admin_changelists_keep_a_flat_query_count(
    client, platform_admin, make_user, classkick, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_reviewer(n):
        user = make_user(f"extra{n}@example.org")
        membership_grant(actor=platform_admin, user=user, issuer=classkick.issuer, role=IssuerMembership.Role.STAFF)
        reviewer_role_grant(
            actor=platform_admin, user=user, issuer=classkick.issuer, kind="mentor", grade_bands=["primary"]
        )

    # One row of each first: an empty list skips its prefetches, which would make any count look like growth.
    add_reviewer(0)
    client.force_login(platform_admin)
    counts = {}
    for model in ["issuermembership", "reviewerprofile", "credential", "credentialversion"]:
        with CaptureQueriesContext(connection) as before:
            client.get(changelist(model))
        counts[model] = len(before.captured_queries)

    for n in range(1, 5):
        add_reviewer(n)

    for model, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(changelist(model)).status_code == 200
