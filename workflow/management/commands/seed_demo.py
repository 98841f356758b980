"""Demo accounts for `make run`: everyone both programs need to reach a decision through the pages alone,
all with one printed password.

Classkick's panel is two of its staff and two mentors of the submission's grade band, so it has two staff and
two mentors for every band; Educators Rising's is two assessors and, when they split, its lead assessor. Each
demo partner university (a graduate-credit partner marked draft in a definition) gets one staff account, so
an earner's application can be accepted. Every reviewer is calibrated on their issuer's credentials.

Idempotent: an account that exists is left as it is (its password above all); only what is missing is
created. Refuses to run in production unless told --force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext, npgettext

from accounts.models import IssuerMembership, ReviewerRole, User
from accounts.services import (
    issuer_admin_group_sync,
    membership_grant,
    reviewer_profile_save,
    reviewer_role_grant,
)
from awards.models import Partner, PartnerMembership, PartnerOffer
from awards.services import partner_staff_add
from catalog.models import Credential, Issuer
from catalog.schema import GRADE_BANDS
from cohorts.demo import demo_group_ensure
from pathways.demo import demo_pathway_ensure
from reviews.calibration import rubric_hash
from reviews.models import CalibrationResult, CalibrationSample
from reviews.services import calibration_submit

DEMO_PASSWORD = "demo-password-not-for-real-use"
DEMO_DOMAIN = "demo.microcred.test"
CLASSKICK = "classkick"
EDUCATORS_RISING = "educators-rising"
ALL_BANDS = list(GRADE_BANDS)


@dataclass(frozen=True)
class Role:
    issuer: str
    kind: str
    bands: tuple[str, ...] = tuple(ALL_BANDS)


@dataclass(frozen=True)
class DemoPerson:
    local: str
    name: str
    role: str
    organisation: str = ""
    superuser: bool = False
    admin_of: str = ""
    staff_of: str = ""
    reviews_as: tuple[Role, ...] = ()
    partner: str = ""  # the slug of the partner university whose staff they are

    @property
    def email(self) -> str:
        return f"{self.local}@{DEMO_DOMAIN}"


def _mentors() -> list[DemoPerson]:
    """Two Classkick mentors for every grade band, so a panel fills whichever band the educator teaches."""
    first_names = {
        "primary": ("Pia", "Pete"),
        "intermediate": ("Ivy", "Ian"),
        "middle_school": ("Mia", "Max"),
        "high_school": ("Hana", "Hugo"),
        "college": ("Cleo", "Cal"),
    }
    people = []
    for band, label in GRADE_BANDS.items():
        short = band.removesuffix("_school")
        for number, first in enumerate(first_names[band], start=1):
            people.append(
                DemoPerson(
                    f"mentor-{short}{number}",
                    f"{first} Mentor",
                    f"Reviewer: Classkick mentor, {label.lower()}",
                    reviews_as=(Role(CLASSKICK, ReviewerRole.Kind.MENTOR, (band,)),),
                )
            )
    return people


PEOPLE = [
    DemoPerson("educator", "Edna Educator", "Educator", organisation="Lincoln High School"),
    *(
        DemoPerson(
            local,
            name,
            "Reviewer: Classkick staff (formal educator), every grade band",
            organisation="Classkick",
            staff_of=CLASSKICK,
            reviews_as=(Role(CLASSKICK, ReviewerRole.Kind.ISSUER_STAFF),),
        )
        for local, name in (("staff1", "Sam Staff"), ("staff2", "Sid Staff"))
    ),
    *_mentors(),
    *(
        DemoPerson(
            local,
            name,
            "Reviewer: Educators Rising assessor (staff), every grade band",
            organisation="Educators Rising",
            staff_of=EDUCATORS_RISING,
            reviews_as=(Role(EDUCATORS_RISING, ReviewerRole.Kind.ISSUER_STAFF),),
        )
        for local, name in (("assessor1", "Ann Assessor"), ("assessor2", "Bob Assessor"))
    ),
    DemoPerson(
        "lead-assessor",
        "Lea Lead",
        "Reviewer: Educators Rising lead assessor (decides when the assessors split)",
        organisation="Educators Rising",
        reviews_as=(Role(EDUCATORS_RISING, ReviewerRole.Kind.LEAD_ASSESSOR),),
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
    DemoPerson("coordinator", "Cora Coordinator", "Coordinator: Lincoln Unified School District (a group)"),
]


def partner_people() -> list[DemoPerson]:
    """One staff account for each demonstration partner of the demo issuers' credentials, as loaded."""
    offers = (
        PartnerOffer.objects.filter(
            is_demonstration=True, is_current=True, credential__issuer__slug__in=[CLASSKICK, EDUCATORS_RISING]
        )
        .select_related("partner")
        .order_by("partner__name")
    )
    partners = {offer.partner.slug: offer.partner for offer in offers}
    return [
        DemoPerson(
            f"partner-{slug}",
            f"{partner.name.split(' (')[0]} Registrar",
            f"Partner staff: {partner.name}",
            organisation=partner.name,
            partner=slug,
        )
        for slug, partner in partners.items()
    ]


class Command(BaseCommand):
    help = (
        "Create the demo accounts (educator, calibrated reviewers for both programs, partner-university staff, "
        "issuer admins, platform admin); safe to run again."
    )

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
                npgettext("issuers the demo seed needs", "Issuer", "Issuers", len(missing))
                + f" {', '.join(missing)} not found: load the credentials first with "
                "`manage.py load_credentials`."
            )
        people = [*PEOPLE, *partner_people()]
        self._password_hash: str | None = None
        created: list[str] = []
        with transaction.atomic():
            issuer_admin_group_sync()
            for person in people:
                if self._ensure(person, issuers):
                    created.append(person.email)
            calibrated = self._calibrate_reviewers(people, issuers)
            demo_pathway_ensure(issuer=issuers[CLASSKICK])
            demo_group_ensure(
                coordinator=User.objects.get(email=f"coordinator@{DEMO_DOMAIN}"),
                educator=User.objects.get(email=f"educator@{DEMO_DOMAIN}"),
            )
        self._print_table(people, created)
        if calibrated:
            self.stdout.write(
                ngettext(
                    "%(n)d demo reviewer calibrated",
                    "%(n)d demo reviewers calibrated",
                    calibrated,
                )
                % {"n": calibrated}
                + " with the calibration samples' agreed scores (a shortcut for the demo only: real reviewers "
                "score the samples themselves)."
            )

    def _calibrate_reviewers(self, people: list[DemoPerson], issuers: dict[str, Issuer]) -> int:
        """Let the demo reviewers receive live work at once, so a demo submission reaches a full panel: each
        scores, as agreed, every sample of each of their issuers' credentials they have not scored yet."""
        users = {user.email: user for user in User.objects.filter(email__in=[p.email for p in people if p.reviews_as])}
        done = set(
            CalibrationResult.objects.filter(reviewer__in=users.values()).values_list("reviewer_id", "sample_id")
        )
        calibrated = 0
        for person in people:
            user = users.get(person.email)
            if user is None:
                continue
            scored = False
            for issuer_slug in dict.fromkeys(role.issuer for role in person.reviews_as):
                for credential in Credential.objects.filter(
                    issuer=issuers[issuer_slug], current_version__isnull=False
                ).select_related("current_version"):
                    assert credential.current_version is not None
                    samples = CalibrationSample.objects.filter(
                        credential=credential,
                        rubric_hash=rubric_hash(credential.current_version.definition),
                        retired_at__isnull=True,
                    )
                    for sample in samples:
                        if (user.pk, sample.pk) not in done:
                            calibration_submit(
                                reviewer=user, credential=credential, sample=sample, levels=sample.agreed
                            )
                            scored = True
            calibrated += scored
        return calibrated

    def _ensure(self, person: DemoPerson, issuers: dict[str, Issuer]) -> bool:
        user = User.objects.filter(email=person.email).first()
        is_new = user is None
        if user is None:
            create = User.objects.create_superuser if person.superuser else User.objects.create_user
            user = create(
                email=person.email,
                password=None,
                name=person.name,
                organisation=person.organisation,
                email_verified_at=timezone.now(),
            )
            # One hash for every demo account: hashing is slow on purpose, and `make run` makes twenty of them.
            if self._password_hash is None:
                self._password_hash = make_password(DEMO_PASSWORD)
            user.password = self._password_hash
            user.save(update_fields=["password"])
        if person.admin_of:
            membership_grant(actor=None, user=user, issuer=issuers[person.admin_of], role=IssuerMembership.Role.ADMIN)
        if person.staff_of:
            membership_grant(actor=None, user=user, issuer=issuers[person.staff_of], role=IssuerMembership.Role.STAFF)
        if person.reviews_as and not ReviewerRole.objects.filter(user=user).exists():
            # Only when the person holds no role yet: roles an admin has changed since are theirs to keep.
            reviewer_profile_save(actor=None, user=user, capacity=5)
            for role in person.reviews_as:
                reviewer_role_grant(
                    actor=None, user=user, issuer=issuers[role.issuer], kind=role.kind, grade_bands=list(role.bands)
                )
        if person.partner and not PartnerMembership.objects.filter(user=user, partner__slug=person.partner).exists():
            partner_staff_add(partner=Partner.objects.get(slug=person.partner), user=user)
        return is_new

    def _print_table(self, people: list[DemoPerson], created: list[str]) -> None:
        width = max(len(person.email) for person in people)
        self.stdout.write(f"Demo accounts ({len(created)} created, {len(people) - len(created)} already there):")
        self.stdout.write(f"  {'Email':<{width}}  Role")
        self.stdout.write(f"  {'-' * width}  {'-' * 40}")
        for person in people:
            self.stdout.write(f"  {person.email:<{width}}  {person.role}")
        self.stdout.write(f"Password for each account created here: {DEMO_PASSWORD}")
        self.stdout.write("(An account whose password was changed keeps the changed one.)")
        if not settings.MFA_REQUIRED_FOR_STAFF:
            # Production asks reviewers and admins for a second factor; a demo that did would need a shared secret.
            self.stdout.write(
                "Two-step sign-in is not required here: MFA_REQUIRED_FOR_STAFF=1 requires it of reviewers and admins."
            )
