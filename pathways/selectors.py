"""Reads on the pathways side, each with its access check (anyone not entitled gets a 404): a published pathway
for anyone, an unpublished one for its issuer's admins only; an educator's progress and transcript for that
educator alone; an issuer's pathways for its admins. Each read runs a fixed number of queries, whatever the
number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from awards.jsonld import VC_V2
from awards.models import Badge
from awards.selectors import Viewer, badge_get_for_viewer, is_issuer_admin, issuer_get_for_admin
from catalog.models import Credential, Issuer
from core.compiled import CompiledModels
from pathways.models import Pathway, PathwayAward
from pathways.services import held_badges

PAGE_SIZE = 20


def _user_id(user: Viewer) -> int | None:
    return user.pk if isinstance(user, User) and user.is_authenticated else None


def _with_credentials(rows: QuerySet[Pathway]) -> QuerySet[Pathway]:
    ordered = Credential.objects.select_related("current_version").order_by("title", "slug")
    return rows.select_related("issuer").prefetch_related(Prefetch("credentials", queryset=ordered))


def page_of(rows: QuerySet[Any], number: str | None, size: int = PAGE_SIZE) -> Page[Any]:
    """One page; a missing, malformed or too large page number gives the nearest page rather than an error."""
    return Paginator(rows, size).get_page(number)


# ----- an issuer admin's pathways ---------------------------------------------------------------------------


def pathways_for_issuer_admin(*, user: Viewer, slug: str) -> tuple[Issuer, QuerySet[Pathway]]:
    issuer = issuer_get_for_admin(user=user, slug=slug)
    rows = _with_credentials(Pathway.objects.filter(issuer=issuer)).annotate(earned_count=Count("awards"))
    return issuer, rows.order_by("title", "pk")


def pathway_get_for_issuer_admin(*, user: Viewer, slug: str, pathway_id: int) -> Pathway:
    issuer = issuer_get_for_admin(user=user, slug=slug)
    pathway = _with_credentials(Pathway.objects.filter(issuer=issuer, pk=pathway_id)).first()
    if pathway is None:
        raise Http404("no such pathway")
    return pathway


def credentials_of(*, issuer: Issuer) -> list[Credential]:
    """The credentials an issuer admin may put in a pathway: the issuer's own."""
    return list(Credential.objects.filter(issuer=issuer).order_by("title", "slug"))


# ----- the public pathway and an educator's progress --------------------------------------------------------


def pathway_get_public(*, user: Viewer, issuer_slug: str, slug: str) -> Pathway:
    pathway = _with_credentials(Pathway.objects.filter(issuer__slug=issuer_slug, slug=slug)).first()
    if pathway is None or not (pathway.is_published or is_issuer_admin(user=user, issuer_id=pathway.issuer_id)):
        raise Http404("no such pathway")
    return pathway


def pathways_published() -> QuerySet[Pathway]:
    return _with_credentials(Pathway.objects.filter(is_published=True)).order_by("issuer__name", "title", "pk")


@dataclass
class Step:
    credential: Credential
    badge: Badge | None


@dataclass
class Progress:
    pathway: Pathway
    steps: list[Step]
    needed: int
    award: PathwayAward | None = None

    @property
    def held(self) -> int:
        return sum(1 for step in self.steps if step.badge is not None)

    @property
    def complete(self) -> bool:
        return self.award is not None

    @property
    def percent(self) -> int:
        return 100 if self.award or not self.needed else min(100, round(100 * self.held / self.needed))


def progress_for(*, user: Viewer, pathways: list[Pathway]) -> list[Progress]:
    """Where the user stands on each pathway (credentials prefetched): three queries for any number of them."""
    user_id = _user_id(user)
    credential_ids = {c.pk for p in pathways for c in p.credentials.all()}
    held = held_badges(earner_id=user_id, credential_ids=credential_ids) if user_id else {}
    awards = {}
    if user_id:
        rows = PathwayAward.objects.filter(earner_id=user_id, pathway__in=pathways).select_related("badge")
        awards = {award.pathway_id: award for award in rows}
    out = []
    for pathway in pathways:
        credentials = list(pathway.credentials.all())
        steps = [Step(credential, held.get(credential.pk)) for credential in credentials]
        out.append(Progress(pathway, steps, pathway.needed(len(credentials)), awards.get(pathway.pk)))
    return out


PathwayCredential = Pathway.credentials.through


def _dashboard_pathways(earner_id: Any, limit: int) -> QuerySet[Pathway, Any]:
    """The first `limit` published pathways the earner has started (holds an issued, unrevoked badge of one of its
    credentials), as an IN subquery where a join would need DISTINCT."""
    mine = Badge.objects.filter(earner_id=earner_id, attempt__isnull=False, revoked_at__isnull=True)
    started = PathwayCredential.objects.filter(credential_id__in=mine.values("credential_id"))
    return (
        Pathway.objects.filter(is_published=True, pk__in=started.values("pathway_id"))
        .order_by("issuer__name", "title", "pk")
        .values("pk")[:limit]
    )


# The dashboard panel's reads, built once per connection (the ORM's building costs more than SQLite's running):
# keyed by the earner's id, bounded by the panel's size, and reading only the columns it draws (no credential
# versions, no signed documents).
_DASHBOARD_STEPS: dict[int, CompiledModels[Any]] = {}
_DASHBOARD_BADGES: dict[int, CompiledModels[Badge]] = {}
_DASHBOARD_AWARDS = CompiledModels(
    lambda earner_id: (
        PathwayAward.objects.filter(earner_id=earner_id)
        .select_related("badge")
        .only("id", "pathway_id", "badge__id", "badge__uuid")
    ),
    int,
)


def _dashboard_plans(limit: int) -> tuple[CompiledModels[Any], CompiledModels[Badge]]:
    if limit not in _DASHBOARD_STEPS:
        _DASHBOARD_STEPS[limit] = CompiledModels(
            lambda earner_id: (
                PathwayCredential.objects.filter(pathway_id__in=_dashboard_pathways(earner_id, limit))
                .select_related("pathway__issuer", "credential")
                .only(
                    "id",
                    "pathway__id",
                    "pathway__slug",
                    "pathway__title",
                    "pathway__rule",
                    "pathway__required_count",
                    "pathway__issuer__id",
                    "pathway__issuer__slug",
                    "pathway__issuer__name",
                    "credential__id",
                    "credential__slug",
                    "credential__title",
                )
                .order_by(
                    "pathway__issuer__name", "pathway__title", "pathway_id", "credential__title", "credential__slug"
                )
            ),
            int,
        )
        # held_badges' rule (valid: unrevoked, issued, not withdrawn, unexpired), its expiry checked in Python
        # since the SQL is built once; limited to the credentials of the pathways shown.
        _DASHBOARD_BADGES[limit] = CompiledModels(
            lambda earner_id, again: (
                Badge.objects.filter(
                    earner_id=earner_id,
                    revoked_at__isnull=True,
                    attempt__isnull=False,
                    credential_id__in=PathwayCredential.objects.filter(
                        pathway_id__in=_dashboard_pathways(again, limit)
                    ).values("credential_id"),
                )
                .exclude(document_text="")
                .only("id", "uuid", "credential_id", "valid_until", "issued_at")
                .order_by("issued_at", "pk")
            ),
            int,
            int,
        )
    return _DASHBOARD_STEPS[limit], _DASHBOARD_BADGES[limit]


def progress_for_dashboard(*, user: Viewer, limit: int) -> list[Progress]:
    """The dashboard's panel: progress on at most `limit` published pathways the user has started, in
    pathways_published's order, as progress_for gives it. Three queries whatever the number of pathways or badges."""
    user_id = _user_id(user)
    if user_id is None:
        return []
    steps_plan, badges_plan = _dashboard_plans(limit)
    pathways: dict[int, Pathway] = {}
    credentials: dict[int, list[Credential]] = {}
    for row in steps_plan.all(user_id):
        pathway = pathways.setdefault(row.pathway_id, row.pathway)
        credentials.setdefault(pathway.pk, []).append(row.credential)
    if not pathways:
        return []
    now = timezone.now()
    held: dict[int, Badge] = {}
    for badge in badges_plan.all(user_id, user_id):
        if badge.valid_until is None or badge.valid_until > now:
            assert badge.credential_id is not None
            held.setdefault(badge.credential_id, badge)
    awards = {award.pathway_id: award for award in _DASHBOARD_AWARDS.all(user_id)}
    return [
        Progress(
            pathway,
            [Step(credential, held.get(credential.pk)) for credential in credentials[pathway.pk]],
            pathway.needed(len(credentials[pathway.pk])),
            awards.get(pathway.pk),
        )
        for pathway in pathways.values()
    ]


def progress_for_dashboard_state(*, user: Viewer, limit: int, now: datetime) -> tuple[Any, ...]:
    """What progress_for_dashboard draws from as of `now`: the rows of its three queries, and which of the badges
    among them are still valid then (their expiry is checked in Python). Equal states give equal progress."""
    user_id = _user_id(user)
    if user_id is None:
        return ()
    steps_plan, badges_plan = _dashboard_plans(limit)
    steps = tuple(steps_plan.rows(user_id))
    if not steps:
        return ()
    badges = tuple(
        (
            badge.pk,
            badge.uuid,
            badge.credential_id,
            badge.issued_at,
            badge.valid_until,
            badge.valid_until is None or badge.valid_until > now,
        )
        for badge in badges_plan.all(user_id, user_id)
    )
    return steps, badges, tuple(_DASHBOARD_AWARDS.rows(user_id))


def progress_for_dashboard_changes_at(state: tuple[Any, ...]) -> datetime | None:
    """When the clock alone changes progress_for_dashboard_state: the first badge among it still valid expires
    (None: never). Otherwise it changes only with a write to its scopes (pathways/changes.py)."""
    if not state:
        return None
    _steps, badges, _awards = state
    return min((valid_until for *_, valid_until, valid in badges if valid and valid_until is not None), default=None)


# ----- a pathway's credential ---------------------------------------------------------------------------------


def pathway_badge_for_viewer(*, user: Viewer, uuid: str) -> tuple[Badge, PathwayAward]:
    """A pathway's credential, seen as any badge is (awards.selectors.badge_get_for_viewer: public and unlisted
    ones for anyone with the link, private ones for the earner and the issuer's admins)."""
    badge = badge_get_for_viewer(user=user, uuid=uuid)
    award = (
        PathwayAward.objects.filter(badge=badge)
        .select_related("pathway__issuer")
        .prefetch_related(Prefetch("stacked", queryset=Badge.objects.order_by("issued_at", "pk")))
        .first()
    )
    if award is None:
        raise Http404("no such pathway credential")
    return badge, award


# ----- the transcript --------------------------------------------------------------------------------------------


@dataclass
class Entry:
    badge: Badge
    hours: float | None
    status: str  # "valid", "expired" or "revoked"

    @property
    def counted(self) -> float:
        return 0.0 if self.status == "revoked" else (self.hours or 0.0)


@dataclass
class PathwayEntry:
    award: PathwayAward
    status: str
    stacked_revoked: list[Badge] = field(default_factory=list)


@dataclass
class Transcript:
    owner: User
    entries: list[Entry]
    pathways: list[PathwayEntry]
    made_at: datetime

    @property
    def total_hours(self) -> float:
        return sum(entry.counted for entry in self.entries)


def _status(badge: Badge, now: datetime) -> str:
    if badge.revoked_at is not None:
        return "revoked"
    if badge.valid_until is not None and badge.valid_until <= now:
        return "expired"
    return "valid"


def transcript_owner(*, user: Viewer, owner_id: int) -> User:
    """An educator's transcript is theirs alone: anyone else, staff included, is told there is none (404)."""
    if _user_id(user) != owner_id:
        raise Http404("no such transcript")
    assert isinstance(user, User)
    return user


def transcript_for(*, user: Viewer, owner_id: int) -> Transcript:
    """Every credential the owner holds (hours as its definition gives them; a revoked one shown, not counted)
    and every pathway earned, with the stacked credentials since revoked: four queries."""
    owner = transcript_owner(user=user, owner_id=owner_id)
    now = timezone.now()
    badges = Badge.objects.filter(earner=owner).exclude(document_text="").order_by("issued_at", "pk")
    entries = [
        Entry(badge, badge.version.spec.pd_hours if badge.version else None, _status(badge, now))
        for badge in badges.filter(attempt__isnull=False).select_related("issuer", "version")
    ]
    awards = (
        PathwayAward.objects.filter(earner=owner, badge__document_text__gt="")
        .select_related("pathway__issuer", "badge")
        .prefetch_related(Prefetch("stacked", queryset=Badge.objects.order_by("issued_at", "pk")))
        .order_by("awarded_at", "pk")
    )
    pathways = [
        PathwayEntry(award, _status(award.badge, now), [b for b in award.stacked.all() if b.revoked_at is not None])
        for award in awards
    ]
    return Transcript(owner, entries, pathways, now)


def transcript_bundle(*, user: Viewer, owner_id: int) -> dict[str, Any]:
    """Every signed credential the owner holds (Data Integrity form, as issued), in one unsigned W3C Verifiable
    Presentation. Unsigned because the earner holds no key of their own here (no DID to sign as holder), and it
    needs none: each credential carries its own proof and status entry and verifies on its own."""
    owner = transcript_owner(user=user, owner_id=owner_id)
    documents = (
        Badge.objects.filter(earner=owner).exclude(document_text="").order_by("issued_at", "pk").only("document_text")
    )
    return {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [badge.document for badge in documents],
    }
