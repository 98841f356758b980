"""Reads for the sign-in pages. Which districts exist is public (the sign-in page lists them); only active ones."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from sso.models import District, DistrictDomain


def districts_offered() -> QuerySet[District]:
    return District.objects.filter(active=True).select_related("social_app").order_by("name", "id")


def district_for_email(*, email: str) -> District | None:
    """The active district whose domain the address is at, if any (the unique domain index serves this)."""
    domain = email.strip().rpartition("@")[2].lower().rstrip(".")
    if not domain:
        return None
    row = (
        DistrictDomain.objects.filter(domain=domain, district__active=True)
        .select_related("district__social_app")
        .first()
    )
    return row.district if row else None


def district_offered_get(*, slug: str) -> District:
    district = districts_offered().filter(slug=slug).first()
    if district is None:
        raise NotFound(_("No such district."))
    return district
