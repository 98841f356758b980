"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User
from catalog.models import Issuer
from catalog.schema import GRADE_BANDS


@dataclass(frozen=True)
class RoleHeld:
    """A reviewer role as the person reads it: at which issuer, as what, for which grade bands (labels)."""

    issuer: Issuer
    kind: str
    grade_bands: list[str]


@dataclass(frozen=True)
class UserRoles:
    """What a person may do, as the profile and dashboard show it."""

    is_platform_admin: bool = False
    admin_of: list[Issuer] = field(default_factory=list)
    staff_of: list[Issuer] = field(default_factory=list)
    reviewer_active: bool = False
    reviewer_roles: list[RoleHeld] = field(default_factory=list)

    @property
    def is_reviewer(self) -> bool:
        return bool(self.reviewer_roles)

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
    roles = [
        RoleHeld(
            issuer=role.issuer,
            kind=role.get_kind_display(),
            grade_bands=[GRADE_BANDS[band] for band in role.grade_band_list()],
        )
        for role in ReviewerRole.objects.filter(user=user).select_related("issuer").order_by("issuer__name", "kind")
    ]
    profile = ReviewerProfile.objects.filter(user=user).first() if roles else None
    return UserRoles(
        is_platform_admin=user.is_superuser,
        admin_of=admin_of,
        staff_of=staff_of,
        reviewer_active=profile is not None and profile.is_active,
        reviewer_roles=roles,
    )


def issuers_administered(*, user: User) -> QuerySet[Issuer]:
    """The issuers whose objects this person may manage in the admin: every one for a platform admin."""
    if not user.is_active or not user.is_staff:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.all()
    return Issuer.objects.filter(memberships__user=user, memberships__role=IssuerMembership.Role.ADMIN).distinct()
