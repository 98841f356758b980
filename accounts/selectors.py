"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import IssuerMembership, ReviewerProfile, User
from catalog.models import Issuer
from catalog.schema import GRADE_BANDS


@dataclass(frozen=True)
class UserRoles:
    """What a person may do, as the profile and dashboard show it."""

    is_platform_admin: bool = False
    admin_of: list[Issuer] = field(default_factory=list)
    staff_of: list[Issuer] = field(default_factory=list)
    reviewer_kind: str = ""
    reviewer_active: bool = False
    reviewer_grade_bands: list[str] = field(default_factory=list)
    reviewer_issuers: list[Issuer] = field(default_factory=list)

    @property
    def is_reviewer(self) -> bool:
        return bool(self.reviewer_kind)

    @property
    def is_issuer_admin(self) -> bool:
        return bool(self.admin_of)

    @property
    def can_use_admin(self) -> bool:
        return self.is_platform_admin or self.is_issuer_admin


def user_roles_get(*, user: User) -> UserRoles:
    """Three queries whatever the number of memberships or issuers, so pages that show roles stay flat."""
    if not user.is_authenticated:
        return UserRoles()
    admin_of: list[Issuer] = []
    staff_of: list[Issuer] = []
    for membership in IssuerMembership.objects.filter(user=user).select_related("issuer").order_by("issuer__name"):
        (admin_of if membership.role == IssuerMembership.Role.ADMIN else staff_of).append(membership.issuer)
    profile = ReviewerProfile.objects.filter(user=user).prefetch_related("issuers").first()
    if profile is None:
        return UserRoles(is_platform_admin=user.is_superuser, admin_of=admin_of, staff_of=staff_of)
    return UserRoles(
        is_platform_admin=user.is_superuser,
        admin_of=admin_of,
        staff_of=staff_of,
        reviewer_kind=profile.get_kind_display(),
        reviewer_active=profile.is_active,
        reviewer_grade_bands=[GRADE_BANDS[band] for band in profile.grade_band_list()],
        reviewer_issuers=sorted(profile.issuers.all(), key=lambda issuer: issuer.name),
    )


def issuers_administered(*, user: User) -> QuerySet[Issuer]:
    """The issuers whose objects this person may manage in the admin: every one for a platform admin."""
    if not user.is_active or not user.is_staff:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.all()
    return Issuer.objects.filter(memberships__user=user, memberships__role=IssuerMembership.Role.ADMIN).distinct()
