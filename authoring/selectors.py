"""Reads for authoring, each with its access check: a credential's text is authored by its issuer's admins and by
platform admins; anyone else is answered 404, as if the issuer, credential or draft did not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import IssuerMembership, User
from authoring.models import CredentialDraft
from catalog.models import Credential, CredentialVersion, Issuer

Viewer = User | AnonymousUser | None


def _author(user: Viewer) -> User:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise Http404("no such page")
    return user


def may_author(*, user: Viewer, issuer_id: int) -> bool:
    """An admin of this issuer, or a platform admin (the same judgement reviews' admin pages make)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer_id=issuer_id, role=IssuerMembership.Role.ADMIN).exists()


def issuers_for_author(*, user: Viewer) -> QuerySet[Issuer]:
    """The issuers whose credentials this person may author (none for anyone but admins)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.order_by("name")
    return (
        Issuer.objects.filter(memberships__user=user, memberships__role=IssuerMembership.Role.ADMIN)
        .distinct()
        .order_by("name")
    )


def issuer_get_for_author(*, user: Viewer, slug: str) -> Issuer:
    author = _author(user)
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None or not may_author(user=author, issuer_id=issuer.pk):
        raise Http404("no such issuer")
    return issuer


def credential_get_for_author(*, user: Viewer, slug: str, credential: str) -> Credential:
    issuer = issuer_get_for_author(user=user, slug=slug)
    found = (
        Credential.objects.select_related("issuer", "current_version").filter(slug=credential, issuer=issuer).first()
    )
    if found is None:
        raise Http404("no such credential")
    return found


def draft_get_for_author(*, user: Viewer, slug: str, credential: str) -> CredentialDraft:
    """The open draft of this slug at this issuer (of a published credential or of a new one)."""
    issuer = issuer_get_for_author(user=user, slug=slug)
    draft = (
        CredentialDraft.objects.select_related("issuer", "credential", "base_version", "updated_by")
        .filter(slug=credential, issuer=issuer)
        .first()
    )
    if draft is None:
        raise Http404("no such draft")
    return draft


def draft_find_for_author(*, user: Viewer, slug: str, credential: str) -> CredentialDraft | None:
    """As draft_get_for_author, but None when the issuer's admin has no draft of this slug open."""
    issuer = issuer_get_for_author(user=user, slug=slug)
    return (
        CredentialDraft.objects.select_related("issuer", "credential", "base_version", "updated_by")
        .filter(slug=credential, issuer=issuer)
        .first()
    )


def version_get_for_author(*, user: Viewer, slug: str, credential: str, number: int) -> CredentialVersion:
    found = credential_get_for_author(user=user, slug=slug, credential=credential)
    version = CredentialVersion.objects.filter(credential=found, number=number).first()
    if version is None:
        raise Http404("no such version")
    return version


def credentials_for_author(*, issuer: Issuer) -> list[Credential]:
    """The issuer's credentials with their current versions, for the authoring list (the caller has checked access)."""
    return list(Credential.objects.select_related("current_version").filter(issuer=issuer).order_by("title", "slug"))


def drafts_for_author(*, issuer: Issuer) -> list[CredentialDraft]:
    return list(
        CredentialDraft.objects.select_related("credential", "base_version", "updated_by")
        .filter(issuer=issuer)
        .order_by("slug")
    )
