"""Every LTI write: registrations and their keys, accounts linked by (iss, sub), course links and placements, the
grade targets a launch names, and the scores sent back.

Who a launch signs in, the rule (also in `launch_account`):
  - (iss, sub) already linked: that account, unless it is closed or holds a role that needs more than the
    platform's word (platform admin, issuer admin or staff, reviewer: they sign in here, with their second
    factor; an LMS session must not stand in for it);
  - not linked, and no account here has the launch's email address: a new account for that address, counted as
    verified only where the platform admin said this LMS verifies addresses;
  - not linked, and an account here has that address: nothing is linked by the address alone, since whoever
    controls the LMS account need not control this one. The person signs in to it here and confirms the link
    (`account_link`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_roles_get
from catalog.models import Credential
from core.audit import audit_record
from core.errors import InvalidInput, NotAllowed
from lti.keys import key_pair_new
from lti.models import CoursePlacement, GradeTarget, PlatformAccount, PlatformRegistration, ResourceLink

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


def registration_save(*, actor: User, registration: PlatformRegistration, created: bool) -> PlatformRegistration:
    """Save a registration the platform admin entered; a new one gets its tool key pair. Audited."""
    if not actor.is_superuser:
        raise NotAllowed(_("Only a platform admin manages LTI platform registrations."))
    with transaction.atomic():
        if not registration.tool_private_key_encrypted:
            encrypted, public_pem, kid = key_pair_new()
            registration.tool_private_key_encrypted = encrypted
            registration.tool_public_key_pem = public_pem
            registration.tool_kid = kid
        registration.save()
        audit_record(
            action="lti_registration.created" if created else "lti_registration.changed",
            subject=registration,
            actor=actor,
            new=f"{registration.issuer} {registration.client_id}",
        )
    return registration


def registration_key_rotate(*, actor: User, registration: PlatformRegistration) -> PlatformRegistration:
    """A new tool key pair; the platform reads it from our JWKS (by kid) from its next fetch on. Audited."""
    if not actor.is_superuser:
        raise NotAllowed(_("Only a platform admin manages LTI platform registrations."))
    old_kid = registration.tool_kid
    encrypted, public_pem, kid = key_pair_new()
    with transaction.atomic():
        registration.tool_private_key_encrypted, registration.tool_public_key_pem, registration.tool_kid = (
            encrypted,
            public_pem,
            kid,
        )
        registration.save(update_fields=["tool_private_key_encrypted", "tool_public_key_pem", "tool_kid"])
        audit_record(action="lti_registration.key_rotated", subject=registration, actor=actor, old=old_kid, new=kid)
    return registration


class LinkRequired(Exception):
    """The launch's address belongs to an account here that is not linked to this platform person."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(email)


@dataclass(frozen=True)
class PlatformPerson:
    registration_id: int
    issuer: str
    sub: str
    email: str
    name: str


def person_from_claims(*, registration: PlatformRegistration, claims: dict[str, Any]) -> PlatformPerson:
    email = claims.get("email")
    name = claims.get("name") or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
    return PlatformPerson(
        registration_id=registration.pk,
        issuer=registration.issuer,
        sub=str(claims["sub"])[:255],
        email=email.strip().lower()[:254] if isinstance(email, str) else "",
        name=str(name)[:150],
    )


def _refuse_elevated(user: User) -> None:
    roles = user_roles_get(user=user)
    if user.is_staff or roles.is_platform_admin or roles.admin_of or roles.staff_of or roles.is_reviewer:
        raise NotAllowed(
            _(
                "Your microcred account reviews or administers credentials, so it cannot be signed in from a course. "
                "Sign in on microcred directly."
            )
        )
    if not user.is_active:
        raise NotAllowed(_("This microcred account is closed."))


def launch_account(*, registration: PlatformRegistration, person: PlatformPerson) -> User:
    """The account this platform person signs in as (the rule is in the module's docstring); LinkRequired when an
    account here has their address but is not linked to them."""
    link = PlatformAccount.objects.select_related("user").filter(issuer=person.issuer, sub=person.sub).first()
    if link is not None:
        _refuse_elevated(link.user)
        PlatformAccount.objects.filter(pk=link.pk).update(last_launch_at=timezone.now())
        return link.user
    if person.email and User.objects.filter(email=person.email).exists():
        raise LinkRequired(person.email)
    email = person.email or _placeholder_email(person)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=secrets.token_urlsafe(32),
                    name=person.name or email.split("@")[0],
                    email_verified_at=timezone.now() if registration.emails_verified and person.email else None,
                )
        except IntegrityError:
            # Another launch made an account with this address a moment ago: it is not ours to take over.
            raise LinkRequired(email) from None
        link = PlatformAccount.objects.create(
            issuer=person.issuer, sub=person.sub, user=user, registration=registration, last_launch_at=timezone.now()
        )
        audit_record(action="lti_account.created", subject=link, actor=user, new=f"{person.issuer} {person.sub}")
    return user


def _placeholder_email(person: PlatformPerson) -> str:
    # The platform shared no address; one that can never receive mail keeps the account unique and unverified.
    digest = hashlib.sha256(f"{person.issuer}\n{person.sub}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid"


def account_link(*, user: User, registration: PlatformRegistration, person: PlatformPerson) -> PlatformAccount:
    """Link the platform person to the account they have just signed in to here. Audited."""
    _refuse_elevated(user)
    with transaction.atomic():
        link, created = PlatformAccount.objects.get_or_create(
            issuer=person.issuer,
            sub=person.sub,
            defaults={"user": user, "registration": registration, "last_launch_at": timezone.now()},
        )
        if link.user_id != user.pk:
            raise NotAllowed(_("This course account is already linked to another microcred account."))
        if created:
            audit_record(action="lti_account.linked", subject=link, actor=user, new=f"{person.issuer} {person.sub}")
    return link


def resource_link_resolve(*, registration: PlatformRegistration, claims: dict[str, Any]) -> ResourceLink:
    """The course link this launch came from and the credential it opens: known from an earlier launch, else
    named by the `credential` custom parameter deep linking put on it."""
    resource = claims.get(CLAIM + "resource_link") or {}
    link_id = str(resource.get("id", ""))[:255]
    context = claims.get(CLAIM + "context") or {}
    known = ResourceLink.objects.select_related("credential").filter(
        registration=registration, resource_link_id=link_id
    )
    if (found := known.first()) is not None:
        return found
    custom = claims.get(CLAIM + "custom") or {}
    slug = str(custom.get("credential", "")) if isinstance(custom, dict) else ""
    credential = Credential.objects.filter(slug=slug, is_published=True).first()
    if credential is None:
        raise InvalidInput.on(
            "credential",
            _("This course link does not name a credential on microcred. Ask your instructor to add it again."),
        )
    placement_id = _uuid_or_none(custom.get("placement"))
    placement = (
        CoursePlacement.objects.filter(uuid=placement_id, registration=registration).first() if placement_id else None
    )
    try:
        with transaction.atomic():
            return ResourceLink.objects.create(
                registration=registration,
                resource_link_id=link_id,
                context_id=str(context.get("id", ""))[:255],
                context_title=str(context.get("title", ""))[:255],
                credential=credential,
                placement=placement,
            )
    except IntegrityError:
        # The same link launched twice at once: the first one's row stands.
        return known.get()


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def grade_target_record(*, link: ResourceLink, user: User, sub: str, claims: dict[str, Any]) -> GradeTarget | None:
    """Remember where this person's result for this link goes, when the launch offers Assignment and Grade
    Services with the score scope."""
    endpoint = claims.get(AGS_CLAIM)
    if not isinstance(endpoint, dict) or SCORE_SCOPE not in (endpoint.get("scope") or []):
        return None
    target, _created = GradeTarget.objects.update_or_create(
        resource_link=link,
        user=user,
        defaults={
            "sub": sub,
            "lineitem_url": str(endpoint.get("lineitem") or "")[:500],
            "lineitems_url": str(endpoint.get("lineitems") or "")[:500],
            "scopes": [str(scope) for scope in endpoint.get("scope") or []],
        },
    )
    return target


def placement_create(
    *,
    actor: User,
    registration: PlatformRegistration,
    deployment_id: str,
    context: dict[str, Any],
    credential: Credential,
) -> CoursePlacement:
    """An instructor places a credential in their course (deep linking). Audited."""
    with transaction.atomic():
        placement = CoursePlacement.objects.create(
            registration=registration,
            deployment_id=deployment_id[:255],
            context_id=str(context.get("id", ""))[:255],
            context_title=str(context.get("title", ""))[:255],
            credential=credential,
            placed_by=actor,
        )
        audit_record(
            action="lti_placement.created",
            subject=placement,
            actor=actor,
            new=credential.slug,
            issuer_id=credential.issuer_id,
            data={"context": placement.context_id, "registration": registration.pk},
        )
    return placement


def lti_data_erase(*, user: User) -> None:
    """An erased account keeps no platform identity: its links and grade targets (which hold the `sub`) go."""
    GradeTarget.objects.filter(user=user).delete()
    PlatformAccount.objects.filter(user=user).delete()
