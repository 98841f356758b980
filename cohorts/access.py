"""Who may do what in a group. The selectors answer 404 (Http404) to anyone not entitled, as if nothing were there;
the services refuse with NotAllowed, for callers that are not pages.

- A coordinator of the organisation: its members, their shared progress, invitations, vouchers.
- A platform admin: makes organisations and names coordinators, but sees no member's progress unless named a
  coordinator (audited like any other naming): educators consent to share with the coordinators, nobody else.
- An issuer's admin (or a platform admin): whether that issuer accepts an organisation's vouchers.
- The educator: their own invitations and memberships.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from cohorts.models import Coordinator, Organisation

Viewer = User | AnonymousUser


def active(user: Viewer | None) -> User | None:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    return user


def is_platform_admin(user: Viewer | None) -> bool:
    found = active(user)
    return found is not None and found.is_superuser


def is_coordinator(user: Viewer | None, organisation: Organisation) -> bool:
    found = active(user)
    return found is not None and Coordinator.objects.filter(organisation=organisation, user=found).exists()


def organisation_for_coordinator(*, user: Viewer | None, slug: str) -> Organisation:
    """The organisation, for its coordinators; 404 for everyone else (platform admins included)."""
    found = active(user)
    organisation = (
        Organisation.objects.filter(slug=slug, coordinators__user=found).select_related("district").first()
        if found is not None
        else None
    )
    if organisation is None:
        raise Http404("no such group")
    return organisation


def organisations_coordinated(*, user: Viewer | None) -> list[Organisation]:
    found = active(user)
    if found is None:
        return []
    return list(Organisation.objects.filter(coordinators__user=found).order_by("name", "id"))
