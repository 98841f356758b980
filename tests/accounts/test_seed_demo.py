"""`manage.py seed_demo`: everyone both programs need to reach a decision, printed, calibrated, idempotent.

The end-to-end proof that these accounts decide both programs through the pages is
tests/browser/test_demo_journeys.py; here, what the seed makes and prints."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User
from awards.models import PartnerMembership
from awards.services import partners_sync
from catalog.models import Credential
from catalog.schema import GRADE_BANDS
from reviews.selectors import calibration_status
from workflow.management.commands.seed_demo import DEMO_PASSWORD, PEOPLE

# The fixed people, and one staff account for each of Educators Rising's two demonstration partners.
ACCOUNTS = len(PEOPLE) + 2


@pytest.fixture
def demo_site(credentials: dict[str, Credential]) -> dict[str, Credential]:
    """The programs and their partners, as load_credentials leaves them."""
    for credential in credentials.values():
        assert credential.current_version is not None
        partners_sync(version=credential.current_version)
    return credentials


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        IssuerMembership.objects.count(),
        ReviewerProfile.objects.count(),
        ReviewerRole.objects.count(),
        PartnerMembership.objects.count(),
    )


def _roles(issuer: str, kind: str) -> dict[str, list[str]]:
    return {
        role.user.email: role.grade_band_list()
        for role in ReviewerRole.objects.filter(issuer__slug=issuer, kind=kind).select_related("user")
    }


@pytest.mark.django_db
def test_it_creates_what_both_panels_need_and_prints_every_login(demo_site: Any) -> None:
    output = _seed()

    # 2 Classkick staff + 10 mentors + 2 assessors + 1 lead = 15 reviewers, each with one role at one issuer.
    assert _counts() == (ACCOUNTS, 6, 15, 15, 2)
    assert f"Demo accounts ({ACCOUNTS} created, 0 already there)" in output
    for person in PEOPLE:
        assert re.search(rf"^  {re.escape(person.email)} +{re.escape(person.role)}$", output, re.MULTILINE)
    assert f"Password for each account created here: {DEMO_PASSWORD}" in output
    assert re.search(r"^  educator@demo\.microcred\.test +Educator$", output, re.MULTILINE)
    assert re.search(r"^  platform@demo\.microcred\.test +Platform admin$", output, re.MULTILINE)

    # Classkick: two staff for every band, and two mentors of each band.
    staff = _roles("classkick", "issuer_staff")
    assert sorted(staff) == ["staff1@demo.microcred.test", "staff2@demo.microcred.test"]
    assert all(bands == list(GRADE_BANDS) for bands in staff.values())
    mentors = _roles("classkick", "mentor")
    for band in GRADE_BANDS:
        assert sum(bands == [band] for bands in mentors.values()) == 2, band
    # Educators Rising: two assessors and a lead assessor, and none of Classkick's reviewers.
    assert sorted(_roles("educators-rising", "issuer_staff")) == [
        "assessor1@demo.microcred.test",
        "assessor2@demo.microcred.test",
    ]
    assert list(_roles("educators-rising", "lead_assessor")) == ["lead-assessor@demo.microcred.test"]
    assert not ReviewerRole.objects.filter(issuer__slug="educators-rising", kind="mentor").exists()

    # A staff account for each demo partner, printed with the partner's name.
    for slug, name in (
        ("demo-state-university", "Demo State University (demonstration partner)"),
        ("demo-college-of-education", "Demo College of Education (demonstration partner)"),
    ):
        email = f"partner-{slug}@demo.microcred.test"
        assert PartnerMembership.objects.filter(user__email=email, partner__slug=slug).exists()
        assert re.search(rf"^  {re.escape(email)} +Partner staff: {re.escape(name)}$", output, re.MULTILINE)

    assert User.objects.get(email="platform@demo.microcred.test").is_superuser
    admin = User.objects.get(email="admin-educators-rising@demo.microcred.test")
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.memberships.get().role == "admin"
    assert not User.objects.filter(email_verified_at__isnull=True).exists()
    # allauth's record of each address says so too (what setting up two-step sign-in and linking accounts read).
    addresses = EmailAddress.objects.filter(primary=True, verified=True)
    assert sorted(addresses.values_list("email", flat=True)) == sorted(User.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_every_reviewer_is_calibrated_on_their_issuers_credentials_and_only_those(demo_site: Any) -> None:
    call_command("load_calibration_samples", stdout=StringIO())
    output = _seed()
    assert "15 demo reviewers calibrated" in output
    for role in ReviewerRole.objects.select_related("user", "issuer"):
        for credential in Credential.objects.filter(issuer=role.issuer):
            assert calibration_status(reviewer=role.user, credential=credential).calibrated, role
    lead = User.objects.get(email="lead-assessor@demo.microcred.test")
    assert not calibration_status(reviewer=lead, credential=demo_site["classkick-collaboration"]).calibrated
    assert "calibrated" not in _seed()


@pytest.mark.django_db
def test_running_it_again_creates_nothing_and_keeps_changed_passwords(demo_site: Any) -> None:
    _seed()
    before = _counts()
    educator = User.objects.get(email="educator@demo.microcred.test")
    educator.set_password("my own pass phrase")
    educator.save()

    output = _seed()

    assert _counts() == before
    assert f"Demo accounts (0 created, {ACCOUNTS} already there)" in output
    educator.refresh_from_db()
    assert educator.check_password("my own pass phrase")


@pytest.mark.django_db
def test_the_demo_logins_work_and_the_issuer_admin_is_scoped(client: Any, demo_site: Any) -> None:
    _seed()

    response = client.post(
        reverse("accounts:login"), {"username": "admin-classkick@demo.microcred.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302

    html = client.get(reverse("admin:catalog_credential_changelist")).content.decode()
    assert demo_site["classkick-collaboration"].title in html
    assert reverse("admin:catalog_credential_change", args=[demo_site["educators-rising-collaboration"].pk]) not in html


@pytest.mark.django_db
def test_it_refuses_to_run_in_production_without_force(demo_site: Any, settings: Any) -> None:
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not User.objects.exists()

    _seed("--force")
    assert User.objects.count() == ACCOUNTS


@pytest.mark.django_db
def test_it_asks_for_the_credentials_to_be_loaded_first() -> None:
    with pytest.raises(CommandError, match="load_credentials"):
        _seed()
    assert not User.objects.exists()
