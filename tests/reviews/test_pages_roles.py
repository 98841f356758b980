"""The issuer admin's Reviewers page (/issuers/<slug>/reviewers/): who may see it and act on it, by persona;
giving a role by email, ending one after a confirmation, each audited with the admin as actor."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import ReviewerRole, User
from awards.models import Partner
from awards.services import partner_staff_add, partners_sync
from core.models import AuditEvent
from reviews.models import Assignment, AssignmentState
from tests.conftest import reviewer_role_give

CK = "classkick"


def page(slug: str = CK) -> str:
    return reverse("issuers:reviewers", args=[slug])


def revoke(role: ReviewerRole, slug: str = CK) -> str:
    return reverse("issuers:role_revoke", args=[slug, role.pk])


@pytest.fixture
def partner_staff(make_user, educators_rising) -> User:
    assert educators_rising.current_version is not None
    partners_sync(version=educators_rising.current_version)
    user = make_user("uma@demo-state.example", "Uma University")
    partner_staff_add(partner=Partner.objects.order_by("pk")[0], user=user)
    return user


@pytest.fixture
def mia_role(ck_panel, classkick) -> ReviewerRole:
    return ReviewerRole.objects.get(user=ck_panel["mia"], issuer=classkick.issuer)


def grant(client, email: str = "eli@example.org", kind: str = "mentor", bands=("primary",), slug: str = CK) -> Any:
    return client.post(page(slug), {"email": email, "kind": kind, "grade_bands": list(bands)})


@pytest.mark.parametrize("persona", ["educator", "reviewer", "other_issuer_admin", "partner_staff"])
def test_anyone_but_the_issuers_admins_gets_404_and_changes_nothing(
    client, request, persona, mia_role, educator2, ck_panel
):
    client.force_login(ck_panel["sam"] if persona == "reviewer" else request.getfixturevalue(persona))

    assert client.get(page()).status_code == 404
    assert client.get(revoke(mia_role)).status_code == 404
    assert grant(client).status_code == 404
    assert client.post(revoke(mia_role)).status_code == 404

    assert ReviewerRole.objects.filter(pk=mia_role.pk).exists()
    assert not ReviewerRole.objects.filter(user=educator2).exists()
    assert not AuditEvent.objects.filter(subject_type="reviewerrole").exists()
    if persona != "other_issuer_admin":
        assert client.get(reverse("issuers:reviewers_home")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, mia_role, educator2):
    for response in (client.get(page()), grant(client), client.post(revoke(mia_role))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert ReviewerRole.objects.filter(pk=mia_role.pk).exists()
    assert not ReviewerRole.objects.filter(user=educator2).exists()


def test_an_admin_cannot_reach_another_issuers_role_through_their_own_issuers_address(
    client, issuer_admin, other_staff, educators_rising
):
    er_role = ReviewerRole.objects.get(user=other_staff)
    client.force_login(issuer_admin)

    assert client.get(revoke(er_role)).status_code == 404
    assert client.post(revoke(er_role)).status_code == 404
    assert client.post(revoke(er_role, educators_rising.issuer.slug)).status_code == 404
    assert ReviewerRole.objects.filter(pk=er_role.pk).exists()


@pytest.mark.parametrize("persona", ["issuer_admin", "platform_admin"])
def test_the_issuers_admins_see_its_reviewers_roles_bands_calibration_and_load(
    client, request, persona, ck_attempt, ck_panel, other_staff
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(page())

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Sam Staff", "Sid Staff", "Mia Mentor", "Max Mentor"):
        assert name in html
    assert "Ola" not in html  # Educators Rising's, not Classkick's
    assert "<strong>Mentor</strong>, grade bands: Middle school" in html
    assert "<strong>Issuer staff</strong>, grade bands: Middle school" in html
    assert "1 open review of 5 at most" in html
    assert "Calibrated (" in html
    assert 'aria-label="Revoke Mia Mentor\'s role as mentor"' in html


def test_the_nav_offers_the_reviewers_page_to_issuer_admins_only(client, issuer_admin, educator):
    client.force_login(issuer_admin)
    home = client.get(reverse("issuers:reviewers_home"))
    assert home.status_code == 302
    assert home.url == page()
    assert f'href="{reverse("issuers:reviewers_home")}"' in client.get(page()).content.decode()

    client.force_login(educator)
    assert reverse("issuers:reviewers_home") not in client.get(reverse("accounts:dashboard")).content.decode()


def test_a_platform_admin_chooses_among_every_issuer(client, platform_admin, classkick, educators_rising):
    client.force_login(platform_admin)

    html = client.get(reverse("issuers:reviewers_home")).content.decode()

    assert f'href="{page()}">Reviewers of Classkick' in html
    assert f'href="{page("educators-rising")}">Reviewers of Educators Rising' in html


def test_an_admin_gives_a_role_by_email_and_it_is_audited(client, issuer_admin, educator2, classkick):
    client.force_login(issuer_admin)

    response = grant(client, email="  ELI@example.org ", kind="mentor", bands=("primary", "college"))

    assert response.status_code == 302
    assert response.url == page()
    role = ReviewerRole.objects.get(user=educator2)
    assert (role.issuer, role.kind, role.grade_band_list(), role.granted_by) == (
        classkick.issuer,
        "mentor",
        ["primary", "college"],
        issuer_admin,
    )
    event = AuditEvent.objects.get(subject_type="reviewerrole", subject_id=role.pk)
    assert (event.action, event.actor, event.issuer_id, event.old, event.new) == (
        "reviewer_role.granted",
        issuer_admin,
        classkick.issuer_id,
        "",
        "mentor [primary, college]",
    )
    html = client.get(page()).content.decode()
    assert "Eli Educator is now mentor of Classkick." in html
    assert "<strong>Mentor</strong>, grade bands: Primary, College" in html

    # The same again changes nothing and records nothing; other bands change the role's bands.
    assert grant(client, kind="mentor", bands=("primary", "college")).status_code == 302
    assert "already mentor of Classkick with these grade bands" in client.get(page()).content.decode()
    grant(client, kind="mentor", bands=("high_school",))
    role.refresh_from_db()
    assert role.grade_band_list() == ["high_school"]
    actions = AuditEvent.objects.filter(subject_type="reviewerrole").values_list("action", flat=True)
    assert list(actions.order_by("id")) == ["reviewer_role.granted", "reviewer_role.changed"]


def test_an_email_without_an_account_is_refused_saying_what_to_do(client, issuer_admin):
    client.force_login(issuer_admin)

    response = grant(client, email="newcomer@example.org", kind="lead_assessor", bands=("college",))

    assert response.status_code == 422
    html = response.content.decode()
    assert "No account uses newcomer@example.org. To invite them, enter their name below" in html
    assert "ask them to sign up at /accounts/signup/ first. Nothing was changed." in html
    assert 'value="newcomer@example.org"' in html  # what was typed is kept
    assert 'value="lead_assessor" id="id_kind_2" checked' in html
    assert not ReviewerRole.objects.exists()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_someone_without_an_account_is_invited_with_their_name(client, issuer_admin, classkick):
    # The invitation itself (its link, acceptance, resending) is tested in tests/issuers.
    from accounts.models import ReviewerInvite

    client.force_login(issuer_admin)

    response = client.post(
        page(),
        {"email": "Lee@Example.org", "name": "Lee Lead", "kind": "lead_assessor", "grade_bands": ["college"]},
    )

    assert response.status_code == 302
    assert not User.objects.filter(email="lee@example.org").exists()  # made when the invitation is accepted
    invite = ReviewerInvite.objects.get(email="lee@example.org")
    assert (invite.issuer, invite.kinds, invite.grade_band_list(), invite.invited_by) == (
        classkick.issuer,
        ["lead_assessor"],
        ["college"],
        issuer_admin,
    )
    assert AuditEvent.objects.get(action="reviewer_invite.sent").actor == issuer_admin
    assert "lee@example.org has no account yet: we emailed them an invitation" in client.get(page()).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "kind": "mentor"}, "email", "Enter the email address of the person&#x27;s account"),
        ({"email": "eli@example.org"}, "kind", "Choose the role: issuer staff, mentor or lead assessor"),
        ({"email": "eli@example.org", "kind": "judge"}, "kind", "Choose issuer staff, mentor or lead assessor"),
        (
            {"email": "eli@example.org", "kind": "mentor", "grade_bands": ["kindergarten"]},
            "grade_bands",
            "Choose grade bands from the list",
        ),
    ],
)
def test_a_bad_grant_names_the_field(client, issuer_admin, educator2, data, field, message):
    client.force_login(issuer_admin)

    response = client.post(page(), data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not ReviewerRole.objects.exists()


def test_revoking_asks_first_then_ends_the_role_audited_and_leaves_the_open_review(
    client, issuer_admin, ck_attempt, ck_panel, mia_role, classkick
):
    client.force_login(issuer_admin)
    given = Assignment.objects.get(attempt=ck_attempt, reviewer=ck_panel["mia"])

    confirm = client.get(revoke(mia_role))

    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Revoke Mia Mentor's role as mentor?" in html
    assert "(grade bands: Middle school)" in html
    assert "They hold 1 open review of Classkick" in html
    assert ReviewerRole.objects.filter(pk=mia_role.pk).exists()

    response = client.post(revoke(mia_role))

    assert response.status_code == 302
    assert not ReviewerRole.objects.filter(pk=mia_role.pk).exists()
    event = AuditEvent.objects.get(action="reviewer_role.revoked", subject_id=mia_role.pk)
    assert (event.actor, event.issuer_id, event.old, event.new) == (
        issuer_admin,
        classkick.issuer_id,
        "mentor [middle_school]",
        "",
    )
    given.refresh_from_db()
    assert given.state == AssignmentState.OPEN
    assert "Mia Mentor is no longer mentor of Classkick" in client.get(page()).content.decode()
    assert client.post(revoke(mia_role)).status_code == 404  # gone: a second press changes nothing


def test_the_page_keeps_a_flat_query_count_as_reviewers_grow(
    client, issuer_admin, make_user, classkick, samples, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        user = make_user(f"extra{n}@example.org")
        reviewer_role_give(user, classkick.issuer, "mentor", ["primary"])
        reviewer_role_give(user, classkick.issuer, "lead_assessor")

    add(0)
    client.force_login(issuer_admin)
    with CaptureQueriesContext(connection) as before:
        client.get(page())
    for n in range(1, 6):
        add(n)
    with django_assert_num_queries(len(before.captured_queries)):
        html = client.get(page()).content.decode()
    assert "extra5@example.org" in html
