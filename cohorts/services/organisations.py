"""The platform admin's part: making an organisation and naming (or removing) its coordinators."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from cohorts.access import is_platform_admin
from cohorts.models import Coordinator, Organisation
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, NotAllowed
from sso.models import District

# The groups' own addresses under /groups/, which a group's short name must not shadow.
RESERVED_SLUGS = frozenset({"manage", "memberships", "invitations"})


def _platform_admin(actor: User | None) -> User:
    if actor is None or not is_platform_admin(actor):
        raise NotAllowed(gettext("only a platform admin can set up groups and their coordinators"))
    return actor


def _account(field: str, email: str) -> User:
    address = (email or "").strip().lower()
    user = User.objects.filter(email=address, is_active=True).first() if address else None
    if user is None:
        raise InvalidInput.on(
            field, gettext("no active account has this address: ask the person to sign up first, then name them")
        )
    return user


def organisation_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    kind: str,
    coordinator_email: str,
    district: District | None = None,
) -> Organisation:
    """A new organisation with its first coordinator (an existing account)."""
    admin = _platform_admin(actor)
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    errors: list[FieldError] = []
    if not name or len(name) > 200:
        errors.append(FieldError("name", gettext("enter the organisation's name, up to 200 characters")))
    try:
        validate_slug(slug)
        if len(slug) > 60:
            raise ValidationError("long")
    except ValidationError:
        errors.append(
            FieldError("slug", gettext("use up to 60 lowercase letters, digits and hyphens, such as lincoln-usd"))
        )
    else:
        if slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
            errors.append(FieldError("slug", gettext("another organisation has this short name: choose another")))
    if kind not in Organisation.Kind.values:
        errors.append(FieldError("kind", gettext("choose district, chapter or school")))
    try:
        coordinator = _account("coordinator_email", coordinator_email)
    except InvalidInput as refusal:
        errors.extend(refusal.errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    name=name, slug=slug, kind=kind, district=district, created_by=admin
                )
        except IntegrityError:
            raise InvalidInput.on("slug", gettext("another organisation has this short name: choose another")) from None
        audit_record(action="organisation.created", subject=organisation, actor=admin, new=name, data={"kind": kind})
        coordinator_add(actor=admin, organisation=organisation, email=coordinator.email)
    return organisation


def coordinator_add(*, actor: User | None, organisation: Organisation, email: str) -> Coordinator:
    """Name an existing account a coordinator of the organisation (nothing changes if they are one already)."""
    admin = _platform_admin(actor)
    user = _account("email", email)
    with transaction.atomic():
        coordinator, created = Coordinator.objects.get_or_create(
            organisation=organisation, user=user, defaults={"added_by": admin}
        )
        if created:
            audit_record(action="organisation.coordinator_added", subject=organisation, actor=admin, new=user.email)
    return coordinator


def coordinator_remove(*, actor: User | None, coordinator: Coordinator) -> None:
    admin = _platform_admin(actor)
    with transaction.atomic():
        audit_record(
            action="organisation.coordinator_removed",
            subject=coordinator.organisation,
            actor=admin,
            old=coordinator.user.email,
        )
        coordinator.delete()
