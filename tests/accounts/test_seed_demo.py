from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import IssuerMembership, ReviewerProfile, User
from workflow.management.commands.seed_demo import DEMO_PASSWORD, PEOPLE


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        IssuerMembership.objects.count(),
        ReviewerProfile.objects.count(),
        ReviewerProfile.issuers.through.objects.count(),
    )


@pytest.mark.django_db
def test_it_creates_every_demo_role_and_prints_the_logins(credentials):
    output = _seed()

    assert _counts() == (8, 4, 4, 8)
    assert "Demo accounts (8 created, 0 already there)" in output
    for person in PEOPLE:
        assert person.email in output
    assert f"Password for each account created here: {DEMO_PASSWORD}" in output
    assert re.search(r"^  educator@demo\.microcred\.test +Educator$", output, re.MULTILINE)
    assert re.search(r"^  platform@demo\.microcred\.test +Platform admin$", output, re.MULTILINE)

    staff = User.objects.get(email="staff1@demo.microcred.test")
    assert staff.memberships.get().issuer.slug == "classkick"
    assert sorted(i.slug for i in staff.reviewer_profile.issuers.all()) == ["classkick", "educators-rising"]
    bands = {p.user.email: p.grade_band_list() for p in ReviewerProfile.objects.filter(kind="mentor")}
    assert bands == {
        "mentor-middle@demo.microcred.test": ["middle_school"],
        "mentor-high@demo.microcred.test": ["high_school"],
    }
    assert User.objects.get(email="platform@demo.microcred.test").is_superuser
    admin = User.objects.get(email="admin-educators-rising@demo.microcred.test")
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.memberships.get().role == "admin"
    assert not User.objects.filter(email_verified_at__isnull=True).exists()


@pytest.mark.django_db
def test_running_it_again_creates_nothing_and_keeps_changed_passwords(credentials):
    _seed()
    before = _counts()
    educator = User.objects.get(email="educator@demo.microcred.test")
    educator.set_password("my own pass phrase")
    educator.save()

    output = _seed()

    assert _counts() == before
    assert "Demo accounts (0 created, 8 already there)" in output
    educator.refresh_from_db()
    assert educator.check_password("my own pass phrase")


@pytest.mark.django_db
def test_the_demo_logins_work_and_the_issuer_admin_is_scoped(client, credentials):
    _seed()

    response = client.post(
        reverse("accounts:login"), {"username": "admin-classkick@demo.microcred.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302

    html = client.get(reverse("admin:catalog_credential_changelist")).content.decode()
    assert credentials["classkick-collaboration"].title in html
    assert (
        reverse("admin:catalog_credential_change", args=[credentials["educators-rising-collaboration"].pk]) not in html
    )


@pytest.mark.django_db
def test_it_refuses_to_run_in_production_without_force(credentials, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not User.objects.exists()

    _seed("--force")
    assert User.objects.count() == len(PEOPLE)


@pytest.mark.django_db
def test_it_asks_for_the_credentials_to_be_loaded_first():
    with pytest.raises(CommandError, match="load_credentials"):
        _seed()
    assert not User.objects.exists()
