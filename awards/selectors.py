"""Reads on the awards side, each with its access check: a badge's page answers 404 to anyone who may not
see it, partner staff see only their own university's applications, an earner only their own."""

from __future__ import annotations

from typing import Any, TypeAlias
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import IssuerMembership, User
from awards.models import (
    Badge,
    CreditApplication,
    IssuerKey,
    Partner,
    PartnerMembership,
    PartnerOffer,
    StatusList,
    Visibility,
)
from catalog.models import BadgeImage, Credential, Issuer
from core.compiled import CompiledModels, CompiledRows
from core.errors import MicrocredError

# Whoever is asking: a signed-in user, the anonymous visitor of a request, or nobody (a public document).
Viewer: TypeAlias = User | AnonymousUser | None


class BadgeWithdrawn(MicrocredError):
    """The badge was revoked and its signed forms erased when its holder deleted their account: 410 Gone."""

    status_code = 410

    def __init__(self) -> None:
        super().__init__(
            "This credential was withdrawn at the holder's request. It has been revoked, so a copy of it no "
            "longer verifies, and its page has been removed."
        )


def _user_id(user: Viewer) -> int | None:
    return user.pk if isinstance(user, User) and user.is_authenticated else None


def _administers(user: Viewer, issuer_id: int) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer_id=issuer_id, role=IssuerMembership.Role.ADMIN).exists()


def is_issuer_admin(*, user: Viewer, issuer_id: int) -> bool:
    """Whether the user may administer (and so revoke) the issuer's badges."""
    return _administers(user, issuer_id)


def badge_get_for_viewer(*, user: Viewer, uuid: str) -> Badge:
    """A badge's page: public and unlisted ones for anyone with the link; private ones only for the earner
    and the issuer's admins (who may need to revoke it). 404 otherwise, so a private badge's existence is
    not revealed."""
    badges = Badge.objects.select_related("earner", "issuer", "credential", "version", "revoked_by")
    return _visible(badges.filter(uuid=uuid).first(), user)


def badge_get_for_page(*, user: Viewer, uuid: str) -> Badge:
    """badge_get_for_viewer for the badge's own page, which is mostly drawn from the cache: only what its version
    (pages/awards/badge_page.py) and its access check read is read on every view; the rest (the version's large
    definition) when the page is drawn, and nobody's password hash at all."""
    return _visible(_BADGE_FOR_PAGE.one(uuid), user)


# Its SQL built once per connection: the page is public, and building this query cost more than running it.
_BADGE_FOR_PAGE: CompiledModels[Badge] = CompiledModels(
    lambda key: (
        Badge.objects.select_related("earner", "issuer", "credential", "version")
        .defer(
            *(f"earner__{name}" for name in ("password", "last_login", "date_joined", "email", "organisation")),
            *(f"earner__{name}" for name in ("email_verified_at", "language")),
            *(f"issuer__{name}" for name in ("description", "email", "colour", "accent_colour")),
            *(f"credential__{name}" for name in ("title", "summary", "grade_bands", "standard_codes", "search_text")),
            *(f"version__{name}" for name in ("definition", "source_name", "loaded_at")),
        )
        .filter(uuid=key)[:1]
    ),
    UUID,
)


def _visible(badge: Badge | None, user: Viewer) -> Badge:
    if badge is None:
        raise Http404("no such credential")
    if badge.revoked_at is not None and not badge.document_text:
        # Withdrawn with its holder's account (awards.services.erasure): gone for everyone, for good.
        raise BadgeWithdrawn()
    private = badge.visibility == Visibility.PRIVATE
    if private and _user_id(user) != badge.earner_id and not _administers(user, badge.issuer_id):
        raise Http404("no such credential")
    return badge


def badge_get_for_earner(*, user: Viewer, uuid: str) -> Badge:
    badge = Badge.objects.select_related("issuer", "credential", "version").filter(uuid=uuid).first()
    if badge is None or _user_id(user) != badge.earner_id:
        raise Http404("no such credential")
    return badge


def badge_get_for_admin(*, user: Viewer, uuid: str) -> Badge:
    badge = Badge.objects.select_related("issuer", "earner").filter(uuid=uuid).first()
    if badge is None or not _administers(user, badge.issuer_id):
        raise Http404("no such credential")
    return badge


def badges_list_for_earner(*, user: Viewer) -> QuerySet[Badge]:
    """The earner's badges with what My achievements shows of each, in a fixed number of queries."""
    return (
        Badge.objects.filter(earner_id=_user_id(user))
        .select_related("issuer", "credential")
        .prefetch_related(
            Prefetch("applications", queryset=CreditApplication.objects.select_related("partner")),
        )
        .order_by("-issued_at", "-id")
    )


def badges_list_public(*, earner_id: int) -> QuerySet[Badge]:
    return Badge.objects.filter(earner_id=earner_id, visibility=Visibility.PUBLIC).select_related("issuer")


def badges_listed() -> QuerySet[Badge]:
    """Every public, unrevoked badge, newest first: the public list (anyone may read it), in the order of the
    badge_public_recent index. Only what a list shows is read: not the two signed forms (kilobytes each)."""
    return (
        Badge.objects.filter(visibility=Visibility.PUBLIC, revoked_at__isnull=True)
        .select_related("issuer")
        .only("uuid", "title", "issued_at", "issuer__name")
        .order_by("-issued_at", "-id")
    )


def offers_for(*, badge: Badge) -> list[PartnerOffer]:
    if badge.credential_id is None:  # a pathway's credential: no partner offers credit for it
        return []
    return list(
        PartnerOffer.objects.filter(credential_id=badge.credential_id, is_current=True).select_related("partner")
    )


def partners_for_staff(*, user: Viewer) -> list[Partner]:
    user_id = _user_id(user)
    if user_id is None:
        return []
    return list(Partner.objects.filter(memberships__user_id=user_id).order_by("name"))


def is_partner_staff(*, user: Viewer) -> bool:
    user_id = _user_id(user)
    return user_id is not None and bool(_PARTNER_MEMBERSHIP.fetch(user_id))


def partner_memberships_of(user_ref: Any) -> QuerySet[PartnerMembership]:
    """The person's memberships of partner universities' staff: `user_ref` an id, or OuterRef in a subquery."""
    return PartnerMembership.objects.filter(user_id=user_ref).order_by()


# Read on every dashboard view: built once per connection (the ORM's building costs more than running).
_PARTNER_MEMBERSHIP = CompiledRows(lambda user_id: partner_memberships_of(user_id).values_list("pk")[:1], int)


def applications_for_partner_staff(*, user: Viewer) -> QuerySet[CreditApplication]:
    """Applications to the universities the user works for, and no others."""
    user_id = _user_id(user)
    if user_id is None:
        return CreditApplication.objects.none()
    return (
        CreditApplication.objects.filter(partner__memberships__user_id=user_id)
        .select_related("partner", "earner", "badge__issuer")
        .order_by("-submitted_at", "-id")
    )


def application_get_for_staff(*, user: Viewer, application_id: int) -> CreditApplication:
    application = applications_for_partner_staff(user=user).filter(pk=application_id).first()
    if application is None:
        raise Http404("no such application")
    return application


def issuer_by_slug(*, slug: str) -> Issuer:
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None:
        raise Http404("no such issuer")
    return issuer


def issuer_keys(*, issuer: Issuer) -> list[IssuerKey]:
    return list(IssuerKey.objects.filter(issuer=issuer).select_related("issuer").order_by("number"))


def status_list_get(*, slug: str, number: int) -> StatusList:
    status_list = StatusList.objects.select_related("issuer").filter(issuer__slug=slug, number=number).first()
    if status_list is None or not status_list.document:
        raise Http404("no such status list")
    return status_list


def credential_by_slug(*, slug: str) -> Credential:
    credential = (
        Credential.objects.select_related("issuer", "current_version").filter(slug=slug, is_published=True).first()
    )
    if credential is None or credential.current_version is None:
        raise Http404("no such credential")
    return credential


def issuer_get_for_admin(*, user: Viewer, slug: str) -> Issuer:
    """An issuer for a page only its admins (and platform admins) may open; 404 for anyone else."""
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None or not _administers(user, issuer.pk):
        raise Http404("no such issuer")
    return issuer


def partners_for_issuer(*, issuer: Issuer) -> list[Partner]:
    """The universities currently offering credit for the issuer's credentials, each with `issuer_offers` (what
    it grants for which of them) and `staff` (its members, by name), in a fixed number of queries."""
    offers = PartnerOffer.objects.filter(credential__issuer=issuer, is_current=True).select_related("credential")
    partners: list[Partner] = list(
        Partner.objects.filter(offers__in=offers)
        .distinct()
        .prefetch_related(
            Prefetch("offers", queryset=offers.order_by("credential__title"), to_attr="issuer_offers"),
            Prefetch(
                "memberships",
                queryset=PartnerMembership.objects.select_related("user").order_by("user__name", "user__email"),
                to_attr="staff",
            ),
        )
        .order_by("name")
    )
    return partners


def credentials_for_issuer_admin(*, user: Viewer, slug: str) -> tuple[Issuer, list[Credential]]:
    """An issuer's credentials, for a page only its admins (and platform admins) may open; 404 for anyone else."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    credentials = list(Credential.objects.filter(issuer=issuer).select_related("issuer", "current_version"))
    return issuer, credentials


def credential_get_for_issuer_admin(*, user: Viewer, issuer_slug: str, slug: str) -> Credential:
    """One credential of an issuer, for its admins only: 404 for anyone else, an other issuer's admin included."""
    issuer = issuer_get_for_admin(user=user, slug=issuer_slug)
    credential = Credential.objects.filter(issuer=issuer, slug=slug).select_related("issuer", "current_version").first()
    if credential is None:
        raise Http404("no such credential")
    return credential


def badge_images_of(*, credentials: list[Credential]) -> QuerySet[BadgeImage]:
    """Which of these credentials have an uploaded badge image, without reading the images themselves."""
    return BadgeImage.objects.filter(credential__in=credentials).defer("content", "png")
