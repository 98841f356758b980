"""Demo accounts for `make run`: one of each role, all with one printed password.

Idempotent: an account that exists is left as it is (its password above all); only what is missing
is created. Refuses to run in production unless told --force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import IssuerMembership, ReviewerProfile, User
from accounts.services import issuer_admin_group_sync, membership_grant, reviewer_profile_save
from catalog.models import Credential, Issuer
from reviews.calibration import rubric_hash
from reviews.models import CalibrationSample
from reviews.selectors import calibration_status
from reviews.services import calibration_submit

DEMO_PASSWORD = "demo-password-not-for-real-use"
DEMO_DOMAIN = "demo.microcred.test"
CLASSKICK = "classkick"
EDUCATORS_RISING = "educators-rising"
ALL_BANDS = ["primary", "intermediate", "middle_school", "high_school", "college"]


@dataclass(frozen=True)
class DemoPerson:
    local: str
    name: str
    role: str
    organisation: str = ""
    superuser: bool = False
    admin_of: str = ""
    staff_of: str = ""
    reviewer_kind: str = ""
    bands: list[str] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.local}@{DEMO_DOMAIN}"


PEOPLE = [
    DemoPerson("educator", "Edna Educator", "Educator", organisation="Lincoln High School"),
    DemoPerson(
        "staff1",
        "Sam Staff",
        "Reviewer: issuer staff (Classkick), reviews for both issuers",
        organisation="Classkick",
        staff_of=CLASSKICK,
        reviewer_kind=ReviewerProfile.Kind.ISSUER_STAFF,
        bands=ALL_BANDS,
    ),
    DemoPerson(
        "staff2",
        "Sid Staff",
        "Reviewer: issuer staff (Classkick), reviews for both issuers",
        organisation="Classkick",
        staff_of=CLASSKICK,
        reviewer_kind=ReviewerProfile.Kind.ISSUER_STAFF,
        bands=ALL_BANDS,
    ),
    DemoPerson(
        "mentor-middle",
        "Mia Mentor",
        "Reviewer: mentor, middle school",
        organisation="Roosevelt Middle School",
        reviewer_kind=ReviewerProfile.Kind.MENTOR,
        bands=["middle_school"],
    ),
    DemoPerson(
        "mentor-high",
        "Max Mentor",
        "Reviewer: mentor, high school",
        organisation="Jefferson High School",
        reviewer_kind=ReviewerProfile.Kind.MENTOR,
        bands=["high_school"],
    ),
    DemoPerson("admin-classkick", "Ada Admin", "Issuer admin: Classkick", organisation="Classkick", admin_of=CLASSKICK),
    DemoPerson(
        "admin-educators-rising",
        "Otto Admin",
        "Issuer admin: Educators Rising",
        organisation="Educators Rising",
        admin_of=EDUCATORS_RISING,
    ),
    DemoPerson("platform", "Pat Platform", "Platform admin", organisation="microcred", superuser=True),
]


class Command(BaseCommand):
    help = "Create the demo accounts (educator, reviewers, issuer admins, platform admin); safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with MICROCRED_ENV=production")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "Refusing to create demo accounts with a known password in production "
                "(MICROCRED_ENV=production). Pass --force if you really mean it."
            )
        issuers = {issuer.slug: issuer for issuer in Issuer.objects.filter(slug__in=[CLASSKICK, EDUCATORS_RISING])}
        missing = sorted({CLASSKICK, EDUCATORS_RISING} - issuers.keys())
        if missing:
            raise CommandError(
                f"Issuer(s) {', '.join(missing)} not found: load the credentials first with "
                "`manage.py load_credentials`."
            )
        created: list[str] = []
        with transaction.atomic():
            issuer_admin_group_sync()
            for person in PEOPLE:
                if self._ensure(person, issuers):
                    created.append(person.email)
            calibrated = self._calibrate_reviewers()
        self._print_table(created)
        if calibrated:
            self.stdout.write(
                f"Demo reviewers calibrated on {calibrated} credential(s) with the samples' agreed scores "
                "(a shortcut for the demo only: real reviewers score the samples themselves)."
            )

    def _calibrate_reviewers(self) -> int:
        """Let the demo reviewers receive live work at once, so a demo submission reaches a full panel."""
        count = 0
        emails = [person.email for person in PEOPLE if person.reviewer_kind]
        for profile in ReviewerProfile.objects.filter(user__email__in=emails).select_related("user"):
            for credential in Credential.objects.filter(
                issuer__in=profile.issuers.all(), current_version__isnull=False
            ):
                version = credential.current_version
                assert version is not None
                if calibration_status(reviewer=profile.user, credential=credential).calibrated:
                    continue
                samples = CalibrationSample.objects.filter(
                    credential=credential, rubric_hash=rubric_hash(version.definition), retired_at__isnull=True
                )
                for sample in samples:
                    calibration_submit(
                        reviewer=profile.user, credential=credential, sample=sample, levels=sample.agreed
                    )
                count += 1
        return count

    def _ensure(self, person: DemoPerson, issuers: dict[str, Issuer]) -> bool:
        user = User.objects.filter(email=person.email).first()
        is_new = user is None
        if user is None:
            create = User.objects.create_superuser if person.superuser else User.objects.create_user
            user = create(
                email=person.email,
                password=DEMO_PASSWORD,
                name=person.name,
                organisation=person.organisation,
                email_verified_at=timezone.now(),
            )
        if person.admin_of:
            membership_grant(actor=None, user=user, issuer=issuers[person.admin_of], role=IssuerMembership.Role.ADMIN)
        if person.staff_of:
            membership_grant(actor=None, user=user, issuer=issuers[person.staff_of], role=IssuerMembership.Role.STAFF)
        if person.reviewer_kind and not ReviewerProfile.objects.filter(user=user).exists():
            # Every demo reviewer serves both programs, so either one can be reviewed end to end.
            reviewer_profile_save(
                actor=None,
                user=user,
                kind=person.reviewer_kind,
                issuers=list(issuers.values()),
                grade_bands=person.bands,
                capacity=5,
            )
        return is_new

    def _print_table(self, created: list[str]) -> None:
        width = max(len(person.email) for person in PEOPLE)
        self.stdout.write(f"Demo accounts ({len(created)} created, {len(PEOPLE) - len(created)} already there):")
        self.stdout.write(f"  {'Email':<{width}}  Role")
        self.stdout.write(f"  {'-' * width}  {'-' * 40}")
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<{width}}  {person.role}")
        self.stdout.write(f"Password for each account created here: {DEMO_PASSWORD}")
        self.stdout.write("(An account whose password was changed keeps the changed one.)")
