"""An issuer's reviewers as its admins manage them: each person holding a reviewer role there, with those roles
and their grade bands, whether they take new work, their load against their capacity, and their calibration
on each of the issuer's credentials. Another issuer's admin, or anyone else, gets 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.http import Http404

from accounts.models import ReviewerRole, User
from catalog.models import Credential, Issuer
from catalog.schema import GRADE_BANDS
from reviews.calibration import rubric_hash
from reviews.models import Assignment, AssignmentState
from reviews.selectors.access import Viewer, admin_issuer_ids
from reviews.selectors.calibration import CalibrationStatus, calibration_by_reviewer


@dataclass(frozen=True)
class RosterRole:
    id: int
    kind: str
    kind_label: str
    grade_bands: list[str]  # labels, in the platform's band order
    granted_at: datetime
    granted_by: str


@dataclass(frozen=True)
class RosterCalibration:
    credential: str
    status: CalibrationStatus


@dataclass
class RosterReviewer:
    user_id: int
    name: str
    email: str
    organisation: str
    is_active: bool  # their profile takes new work (and their account is open)
    capacity: int
    open_reviews: int  # at every issuer: capacity is the person's, not one issuer's
    roles: list[RosterRole] = field(default_factory=list)
    calibration: list[RosterCalibration] = field(default_factory=list)


@dataclass(frozen=True)
class Roster:
    issuer: Issuer
    reviewers: list[RosterReviewer]


def issuer_get_for_admin(*, user: Viewer | None, slug: str) -> Issuer:
    """The issuer, for its own admins and platform admins; 404 for anyone else, as if it did not exist."""
    ids = admin_issuer_ids(user)
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None or (ids is not None and issuer.pk not in ids):
        raise Http404("no such issuer")
    return issuer


def issuers_for_admin(*, user: Viewer | None) -> list[Issuer]:
    """The issuers whose reviewers this person manages (every one for a platform admin); 404 for anyone else."""
    ids = admin_issuer_ids(user)
    issuers = Issuer.objects.order_by("name")
    return list(issuers if ids is None else issuers.filter(pk__in=ids))


def role_get_for_admin(*, user: Viewer | None, slug: str, role_id: int) -> ReviewerRole:
    """One reviewer role at the issuer, for its admins; 404 for anyone else and for another issuer's role."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    role = ReviewerRole.objects.select_related("user", "issuer").filter(pk=role_id, issuer=issuer).first()
    if role is None:
        raise Http404("no such reviewer role")
    return role


def open_reviews_at(*, user: User, issuer_id: int) -> int:
    """How many open reviews the person holds on the issuer's credentials (what a revoked role leaves with them)."""
    return Assignment.objects.filter(
        reviewer=user, state=AssignmentState.OPEN, attempt__submission__credential__issuer_id=issuer_id
    ).count()


def roster_for_admin(*, user: Viewer | None, slug: str) -> Roster:
    """The issuer's reviewers, by name. Queries stay flat in the number of reviewers and roles (the scope, the
    issuer, the roles, the loads, the credentials, and two for each of the issuer's credentials' calibration)."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    roles = (
        ReviewerRole.objects.filter(issuer=issuer)
        .select_related("user__reviewer_profile", "granted_by")
        .order_by("user__name", "user__email", "kind")
    )
    order = list(GRADE_BANDS)
    people: dict[int, RosterReviewer] = {}
    for role in roles:
        person = role.user
        profile = getattr(person, "reviewer_profile", None)
        row = people.get(person.pk)
        if row is None:
            row = people[person.pk] = RosterReviewer(
                user_id=person.pk,
                name=person.name,
                email=person.email,
                organisation=person.organisation,
                is_active=bool(person.is_active and profile is not None and profile.is_active),
                capacity=profile.capacity if profile is not None else 0,
                open_reviews=0,
            )
        bands = sorted(role.grade_band_list(), key=order.index)
        row.roles.append(
            RosterRole(
                id=role.pk,
                kind=role.kind,
                kind_label=role.get_kind_display(),
                grade_bands=[GRADE_BANDS[band] for band in bands],
                granted_at=role.granted_at,
                granted_by=(role.granted_by.name or role.granted_by.email) if role.granted_by else "the platform",
            )
        )
    if people:
        loads = dict(
            Assignment.objects.filter(reviewer_id__in=list(people), state=AssignmentState.OPEN)
            .values("reviewer_id")
            .annotate(n=Count("id"))
            .values_list("reviewer_id", "n")
        )
        for user_id, row in people.items():
            row.open_reviews = loads.get(user_id, 0)
        credentials = Credential.objects.filter(issuer=issuer, current_version__isnull=False).select_related(
            "current_version"
        )
        for credential in credentials.order_by("title"):
            version = credential.current_version
            assert version is not None
            spec = version.spec.review_policy.calibration
            statuses = calibration_by_reviewer(
                credential_id=credential.pk,
                hash_=rubric_hash(version.definition),
                reviewer_ids=list(people),
                required=spec.required,
                agreement=spec.agreement,
            )
            for user_id, row in people.items():
                row.calibration.append(RosterCalibration(credential=credential.title, status=statuses[user_id]))
    return Roster(issuer=issuer, reviewers=list(people.values()))
