"""Reviewers: the person-level profile (capacity, conflicts, paused or not) and the roles each issuer gives
them on its panels (issuer staff, mentor, lead assessor, each with its own grade bands).

A role is held per issuer: being Classkick staff says nothing about Educators Rising. Every change takes
the `actor` who made it (None: the platform itself, as seed_demo) and writes its row of the audit log in
the same transaction, under the issuer it concerns, so that issuer's admins read it in their history.
accounts.services re-exports these; views, the admin and seed_demo call them from there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import IssuerMembership, ReviewerPause, ReviewerProfile, ReviewerRole, User, grade_bands_store
from catalog.models import Issuer
from core.audit import audit_record
from core.errors import InvalidInput, NotAllowed


def may_manage_reviewers(actor: User | None, issuer: Issuer) -> bool:
    """The platform itself (None), a platform admin, or an admin of this issuer."""
    if actor is None:
        return True
    if not actor.is_active:
        return False
    return (
        actor.is_superuser
        or IssuerMembership.objects.filter(user=actor, issuer=issuer, role=IssuerMembership.Role.ADMIN).exists()
    )


def _roles_summary(user: User, issuer_id: int, *, leaving: ReviewerRole | None = None) -> str:
    """The person's reviewer roles at one issuer, as the audit log writes them ("mentor [primary], ...")."""
    roles = ReviewerRole.objects.filter(user=user, issuer_id=issuer_id).order_by("kind")
    if leaving is not None:
        roles = roles.exclude(pk=leaving.pk)
    parts = []
    for role in roles:
        bands = role.grade_band_list()
        parts.append(f"{role.kind} [{', '.join(bands)}]" if bands else role.kind)
    return ", ".join(parts)


def _profile_state(profile: ReviewerProfile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    return {"is_active": profile.is_active, "capacity": profile.capacity, "conflicts": profile.conflicts}


def _profile_summary(state: dict[str, Any]) -> str:
    if not state:
        return ""
    return f"{'active' if state['is_active'] else 'paused'}, capacity {state['capacity']}"


def reviewer_profile_save(
    *,
    actor: User | None,
    user: User,
    capacity: int = 5,
    conflicts: str = "",
    is_active: bool = True,
) -> ReviewerProfile:
    """Create or update the one reviewer profile a person has: what holds wherever they review.

    Audited once for every issuer the person holds a role at (once without an issuer when none yet)."""
    with transaction.atomic():
        existing = ReviewerProfile.objects.select_for_update().filter(user=user).first()
        before = _profile_state(existing)
        profile = existing or ReviewerProfile(user=user)
        profile.capacity = capacity
        profile.conflicts = conflicts.strip()
        profile.is_active = is_active
        profile.full_clean(exclude=["user"])
        profile.save()
        after = _profile_state(profile)
        if after != before:
            changed = sorted(name for name in after if before.get(name) != after[name])
            held = sorted(set(ReviewerRole.objects.filter(user=user).values_list("issuer_id", flat=True)))
            issuer_ids: list[int | None] = [*held] or [None]
            for issuer_id in issuer_ids:
                audit_record(
                    action="reviewer_profile.created" if existing is None else "reviewer_profile.changed",
                    subject=profile,
                    actor=actor,
                    old=_profile_summary(before),
                    new=_profile_summary(after),
                    issuer_id=issuer_id,
                    data={"user_id": user.pk, "changed": changed, "before": before, "after": after},
                )
    return profile


def reviewer_role_grant(
    *,
    actor: User | None,
    user: User,
    issuer: Issuer,
    kind: str,
    grade_bands: list[str],
    granted_by: User | None = None,
) -> ReviewerRole:
    """Give a person a reviewer role at an issuer (their reviewer profile is made if they have none).

    `granted_by` is whom a new role names as its giver when that is not the actor: the admin whose invitation
    the platform carries out on acceptance.

    Granting a role the person holds sets its grade bands to these; the same bands again change nothing and
    record nothing. Refused (NotAllowed) for anyone but the issuer's admins, a platform admin or the platform.
    A new role may make the person eligible for seats waiting now: the caller tries them after commit
    (reviews sits above accounts, so this module cannot)."""
    if kind not in ReviewerRole.Kind.values:
        choices = ", ".join(ReviewerRole.Kind.values)
        raise InvalidInput.on("kind", f"{kind!r} is not a kind of reviewer role; choose one of: {choices}")
    stored = grade_bands_store(grade_bands)
    if not may_manage_reviewers(actor, issuer):
        raise NotAllowed(f"only an admin of {issuer.name} can give its reviewer roles")
    if not user.is_active:
        raise InvalidInput.on("email", f"{user.email}'s account is closed; it cannot be given a reviewer role")
    with transaction.atomic():
        ReviewerProfile.objects.get_or_create(user=user)
        before = _roles_summary(user, issuer.pk)
        role = ReviewerRole.objects.select_for_update().filter(user=user, issuer=issuer, kind=kind).first()
        if role is not None and role.grade_bands == stored:
            return role
        action = "reviewer_role.granted" if role is None else "reviewer_role.changed"
        old_bands = role.grade_band_list() if role is not None else []
        if role is None:
            role = ReviewerRole(
                user=user, issuer=issuer, kind=kind, granted_by=granted_by or actor, granted_at=timezone.now()
            )
        role.grade_bands = stored
        role.save()
        audit_record(
            action=action,
            subject=role,
            actor=actor,
            old=before,
            new=_roles_summary(user, issuer.pk),
            issuer_id=issuer.pk,
            data={"user_id": user.pk, "kind": kind, "grade_bands": role.grade_band_list(), "was": old_bands},
        )
    return role


def reviewer_role_revoke(*, actor: User | None, role: ReviewerRole) -> None:
    """End a reviewer role: no seat of its kind at its issuer takes the person from now on.

    Reviews the person already holds stay theirs (they were eligible when given them; the issuer's admins
    can reassign them from the pipeline). Refused (NotAllowed) for anyone but the issuer's admins, a
    platform admin or the platform."""
    issuer = role.issuer
    if not may_manage_reviewers(actor, issuer):
        raise NotAllowed(f"only an admin of {issuer.name} can end its reviewer roles")
    with transaction.atomic():
        user = role.user
        # Recorded before the row goes, while the role still has the key the log names it by.
        audit_record(
            action="reviewer_role.revoked",
            subject=role,
            actor=actor,
            old=_roles_summary(user, issuer.pk),
            new=_roles_summary(user, issuer.pk, leaving=role),
            issuer_id=issuer.pk,
            data={"user_id": user.pk, "kind": role.kind, "grade_bands": role.grade_band_list()},
        )
        role.delete()


# --- what one issuer's admins change about a reviewer of theirs ------------------------------------------------

CAPACITY_MAX = 50
PAUSE_REASON_MAX = 500


def _reviewer_at(actor: User | None, user: User, issuer: Issuer, what: str) -> None:
    if not may_manage_reviewers(actor, issuer):
        raise NotAllowed(f"only an admin of {issuer.name} can {what} its reviewers")
    if not ReviewerRole.objects.filter(user=user, issuer=issuer).exists():
        raise InvalidInput.on("user", f"{user.email} holds no reviewer role at {issuer.name}")


def reviewer_capacity_set(*, actor: User | None, user: User, issuer: Issuer, capacity: int) -> ReviewerProfile:
    """Set how many open reviews the person takes at once. Capacity is the person's, wherever they review, so
    the change is recorded under every issuer they review for (reviewer_profile_save). A higher capacity may
    fill waiting seats: the caller tries them after commit."""
    _reviewer_at(actor, user, issuer, "change the capacity of")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= CAPACITY_MAX:
        raise InvalidInput.on("capacity", f"enter a whole number of open reviews from 0 to {CAPACITY_MAX}")
    profile = ReviewerProfile.objects.filter(user=user).first()
    return reviewer_profile_save(
        actor=actor,
        user=user,
        capacity=capacity,
        conflicts=profile.conflicts if profile else "",
        is_active=profile.is_active if profile else True,
    )


def _pause_summary(pause: ReviewerPause) -> str:
    return f"paused until {pause.until.isoformat()}" if pause.until else "paused"


def reviewer_pause(
    *,
    actor: User | None,
    user: User,
    issuer: Issuer,
    until: date | None = None,
    reason: str = "",
    today: date | None = None,
) -> ReviewerPause:
    """Stop new seats of the issuer's credentials going to the person, until resumed or until `until` (the day
    they may come again). Reviews they hold stay theirs. Pausing someone already paused replaces the date and
    reason. Refused for anyone but the issuer's admins, a platform admin or the platform."""
    _reviewer_at(actor, user, issuer, "pause")
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if until is not None and until <= today:
        raise InvalidInput.on("until", "choose a day after today, or leave it empty to pause until you resume them")
    if len(reason) > PAUSE_REASON_MAX:
        raise InvalidInput.on("reason", f"keep the reason to {PAUSE_REASON_MAX} characters or fewer")
    with transaction.atomic():
        pause = ReviewerPause.objects.select_for_update().filter(user=user, issuer=issuer).first()
        before = _pause_summary(pause) if pause is not None and pause.in_force(today) else "active"
        if pause is None:
            pause = ReviewerPause(user=user, issuer=issuer)
        pause.until, pause.reason, pause.paused_by, pause.paused_at = until, reason, actor, timezone.now()
        pause.save()
        audit_record(
            action="reviewer.paused",
            subject=pause,
            actor=actor,
            old=before,
            new=_pause_summary(pause),
            issuer_id=issuer.pk,
            data={
                "user_id": user.pk,
                "reviewer": user.pk,
                "until": until.isoformat() if until else None,
                "reason": reason,
            },
        )
    return pause


def reviewer_resume(*, actor: User | None, user: User, issuer: Issuer, today: date | None = None) -> bool:
    """New seats of the issuer's credentials may go to the person again; False when they were not paused there
    (nothing changes and nothing is recorded). The caller tries waiting seats after commit."""
    _reviewer_at(actor, user, issuer, "resume")
    today = today or timezone.localdate()
    with transaction.atomic():
        pause = ReviewerPause.objects.select_for_update().filter(user=user, issuer=issuer).first()
        if pause is None:
            return False
        was_in_force = pause.in_force(today)
        if was_in_force:
            # Recorded before the row goes, while the pause still has the key the log names it by.
            audit_record(
                action="reviewer.resumed",
                subject=pause,
                actor=actor,
                old=_pause_summary(pause),
                new="active",
                issuer_id=issuer.pk,
                data={"user_id": user.pk, "reviewer": user.pk},
            )
        pause.delete()
    return was_in_force
