"""Reads for the LTI pages; each refuses what the caller may not see with a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import Credential
from catalog.selectors import CatalogEntry, CatalogFilters, credential_list_published
from core.errors import InvalidInput
from lti.keys import tool_jwks
from lti.models import PlatformRegistration, ResourceLink


def registration_get(*, pk: int) -> PlatformRegistration:
    """An active registration, for a page reached from one of its launches (the session names it)."""
    registration = PlatformRegistration.objects.filter(pk=pk, is_active=True).first()
    if registration is None:
        raise Http404
    return registration


def resource_link_get(*, pk: int) -> ResourceLink:
    link = ResourceLink.objects.select_related("credential").filter(pk=pk).first()
    if link is None:
        raise Http404
    return link


def credentials_placeable() -> list[CatalogEntry]:
    """What an instructor may place in a course: the published catalog, as anyone sees it."""
    return credential_list_published(filters=CatalogFilters())


def credential_placeable_get(*, slug: str) -> Credential:
    credential = Credential.objects.filter(slug=slug, is_published=True, current_version__isnull=False).first()
    if credential is None:
        raise InvalidInput.on("credential", _("Choose one of the credentials listed."))
    return credential


def tool_jwks_get() -> dict[str, Any]:
    """Our public keys, every active registration's; public by nature."""
    return tool_jwks(list(PlatformRegistration.objects.filter(is_active=True).order_by("pk")))
