"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User
from catalog.models import Issuer
from catalog.schema import GRADE_BANDS
from core.compiled import CompiledModels


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


# What the profile and dashboard draw of an issuer (its name, and its slug in links); issuers read for roles hold
# only these, so a page drawing more must read the issuer itself.
_ISSUER_SHOWN = ("issuer__id", "issuer__slug", "issuer__name")


# Read on every profile and dashboard view: built once per connection (the ORM's building costs more than running).
_MEMBERSHIPS = CompiledModels(
    lambda user_id: (
        IssuerMembership.objects.filter(user_id=user_id)
        .select_related("issuer")
        .only("role", *_ISSUER_SHOWN)
        .order_by("issuer__name")
    ),
    int,
)
# Whether the reviewer takes new work rides on their roles' query (through their user) rather than a query of its own.
_REVIEWER_ROLES = CompiledModels(
    lambda user_id: (
        ReviewerRole.objects.filter(user_id=user_id)
        .select_related("issuer", "user__reviewer_profile")
        .only(
            "kind",
            "grade_bands",
            *_ISSUER_SHOWN,
            "user__id",
            "user__reviewer_profile__id",
            "user__reviewer_profile__is_active",
        )
        .order_by("issuer__name", "kind")
    ),
    int,
)


def _takes_new_work(user: User) -> bool:
    try:
        return user.reviewer_profile.is_active
    except ReviewerProfile.DoesNotExist:
        return False


def user_roles_get(*, user: User) -> UserRoles:
    """Two queries whatever the number of memberships or issuers, so pages that show roles stay flat."""
    if not user.is_authenticated:
        return UserRoles()
    admin_of: list[Issuer] = []
    staff_of: list[Issuer] = []
    for membership in _MEMBERSHIPS.all(user.pk):
        (admin_of if membership.role == IssuerMembership.Role.ADMIN else staff_of).append(membership.issuer)
    rows = _REVIEWER_ROLES.all(user.pk)
    roles = [
        RoleHeld(
            issuer=role.issuer,
            kind=role.get_kind_display(),
            grade_bands=[GRADE_BANDS[band] for band in role.grade_band_list()],
        )
        for role in rows
    ]
    return UserRoles(
        is_platform_admin=user.is_superuser,
        admin_of=admin_of,
        staff_of=staff_of,
        reviewer_active=bool(rows) and _takes_new_work(rows[0].user),
        reviewer_roles=roles,
    )


def roles_state(*, user_id: int) -> tuple[tuple[tuple[Any, ...], ...], ...]:
    """What user_roles_get draws from (the superuser flag aside, which the caller holds), as the rows of its two
    queries: equal states give equal roles, for keeping a page that shows them."""
    return tuple(_MEMBERSHIPS.rows(user_id)), tuple(_REVIEWER_ROLES.rows(user_id))


def issuers_administered(*, user: User) -> QuerySet[Issuer]:
    """The issuers whose objects this person may manage in the admin: every one for a platform admin."""
    if not user.is_active or not user.is_staff:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.all()
    return Issuer.objects.filter(memberships__user=user, memberships__role=IssuerMembership.Role.ADMIN).distinct()
