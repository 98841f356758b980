"""Every change on the pathways side: an issuer admin's pathway (create, edit), and an earner's award of one,
its own Open Badges 3.0 credential issued exactly once.

Exactly once: pathway_award_issue locks the pathway's row and looks again for the earner's award under the
lock, then issues the credential (awards.badge_issue_stacked, in the same transaction) and writes the award,
whose (pathway, earner) pair is unique. Two issues for one earner therefore run one after the other and the
second returns the first's award; where a database cannot lock a row (SQLite), the unique pair refuses the
second and its transaction, credential and all, rolls back.

A credential revoked after the pathway was issued does not revoke the pathway's credential: the issuer's
admin decides (it is revoked like any badge, on its page); the transcript and the credential's page say that a
credential it stacks has since been revoked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from accounts.models import IssuerMembership, User
from awards.models import Badge
from awards.services import badge_issue_stacked
from catalog.models import Credential, Issuer
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send
from pathways.documents import pathway_stacked
from pathways.models import Pathway, PathwayAward, Rule

TITLE_MAX = 200
DESCRIPTION_MAX = 2000


class NotCompleted(InvalidState):
    """The earner does not (yet) hold what the pathway needs."""


@dataclass(frozen=True)
class PathwayInput:
    """What an issuer admin sets on a pathway (the page's form and the seed alike)."""

    title: str
    description: str
    credential_ids: list[int]
    rule: str
    required_count: int | None
    is_published: bool


def _administers(user: User, issuer: Issuer) -> bool:
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer=issuer, role=IssuerMembership.Role.ADMIN).exists()


def _checked(issuer: Issuer, data: PathwayInput) -> tuple[str, str, list[Credential], int | None]:
    problems: list[FieldError] = []
    title, description = data.title.strip(), data.description.strip()
    if not title:
        problems.append(FieldError("title", gettext("Give the pathway a title.")))
    elif len(title) > TITLE_MAX:
        problems.append(FieldError("title", gettext("Shorten the title to %(n)d characters.") % {"n": TITLE_MAX}))
    if not description:
        problems.append(FieldError("description", gettext("Say what the pathway is for, in a sentence or two.")))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(
            FieldError("description", gettext("Shorten the description to %(n)d characters.") % {"n": DESCRIPTION_MAX})
        )
    wanted = set(data.credential_ids)
    credentials = list(Credential.objects.filter(issuer=issuer, pk__in=wanted).order_by("title", "slug"))
    if not wanted:
        problems.append(FieldError("credentials", gettext("Choose at least one of your credentials.")))
    elif len(credentials) != len(wanted):
        problems.append(FieldError("credentials", gettext("Choose only credentials of this issuer.")))
    if data.rule not in Rule.values:
        problems.append(FieldError("rule", gettext("Choose whether all of the credentials are needed, or a number.")))
    required = data.required_count if data.rule == Rule.N_OF else None
    if data.rule == Rule.N_OF and credentials and (required is None or not 1 <= required <= len(credentials)):
        problems.append(
            FieldError(
                "required_count",
                gettext("Enter how many are needed: a whole number from 1 to %(n)d (the credentials chosen).")
                % {"n": len(credentials)},
            )
        )
    if problems:
        raise InvalidInput(problems)
    return title, description, credentials, required


def _free_slug(issuer: Issuer, title: str, *, keep: Pathway | None) -> str:
    base = slugify(title)[:70] or "pathway"
    taken = set(Pathway.objects.filter(issuer=issuer, slug__startswith=base).values_list("slug", flat=True))
    if keep is not None:
        taken.discard(keep.slug)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def pathway_save(*, actor: User | None, issuer: Issuer, data: PathwayInput, pathway: Pathway | None = None) -> Pathway:
    """Create a pathway of the issuer's credentials, or change one. `actor` None is the platform (the demo
    seed); anyone else must administer the issuer. Its address (slug) is made once, from the first title."""
    if actor is not None and not _administers(actor, issuer):
        raise NotAllowed(gettext("only an admin of %(name)s may change its pathways") % {"name": issuer.name})
    if pathway is not None and pathway.issuer_id != issuer.pk:
        raise NotAllowed(gettext("this pathway belongs to another issuer"))
    title, description, credentials, required = _checked(issuer, data)
    with transaction.atomic():
        if pathway is None:
            pathway = Pathway(issuer=issuer, slug=_free_slug(issuer, title, keep=None))
            action, old = "pathway.created", ""
        else:
            pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
            action, old = "pathway.updated", _summary(pathway, list(pathway.credentials.values_list("slug", flat=True)))
        pathway.title, pathway.description = title, description
        pathway.rule, pathway.required_count, pathway.is_published = data.rule, required, data.is_published
        pathway.updated_at = timezone.now()
        pathway.save()
        pathway.credentials.set(credentials)
        slugs = [c.slug for c in credentials]
        audit_record(
            action=action,
            subject=pathway,
            actor=actor,
            old=old,
            new=_summary(pathway, slugs),
            issuer_id=issuer.pk,
            data={"title": title, "credentials": slugs, "rule": data.rule, "required_count": required},
        )
    return pathway


def _summary(pathway: Pathway, slugs: list[str]) -> str:
    needed = "all" if pathway.rule == Rule.ALL else f"{pathway.required_count} of"
    state = "published" if pathway.is_published else "not published"
    return f"{needed} {', '.join(sorted(slugs))}; {state}"


def held_badges(*, earner_id: int, credential_ids: Iterable[int]) -> dict[int, Badge]:
    """The earner's valid (unrevoked, unexpired, not withdrawn) badge of each of these credentials, the first
    issued where there are several."""
    now = timezone.now()
    rows = (
        Badge.objects.filter(
            earner_id=earner_id, credential_id__in=list(credential_ids), revoked_at__isnull=True, attempt__isnull=False
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .exclude(document_text="")
        .select_related("issuer")
        .order_by("issued_at", "pk")
    )
    held: dict[int, Badge] = {}
    for badge in rows:
        assert badge.credential_id is not None
        held.setdefault(badge.credential_id, badge)
    return held


def pathway_award_issue(*, pathway: Pathway, earner: User) -> PathwayAward:
    """The earner's award of the pathway, with its credential issued on the first call; later calls, concurrent
    ones included, return the same award. Refused (NotCompleted) unless the pathway is published and the
    earner holds what it needs."""
    existing = PathwayAward.objects.filter(pathway=pathway, earner=earner).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            locked = Pathway.objects.select_for_update().select_related("issuer").get(pk=pathway.pk)
            existing = PathwayAward.objects.filter(pathway=locked, earner=earner).first()
            if existing is not None:
                return existing
            return _issue(locked, earner)
    except IntegrityError:
        # The unique (pathway, earner) pair caught a race the lock could not: the other issue's award stands.
        return PathwayAward.objects.get(pathway=pathway, earner=earner)


def _issue(pathway: Pathway, earner: User) -> PathwayAward:
    credentials = list(pathway.credentials.order_by("title", "slug"))
    held = held_badges(earner_id=earner.pk, credential_ids=[c.pk for c in credentials])
    needed = pathway.needed(len(credentials))
    if not pathway.is_published or not credentials or len(held) < needed:
        raise NotCompleted(
            gettext("%(title)s needs %(needed)d of its credentials; %(held)d are held")
            % {"title": pathway.title, "needed": needed, "held": len(held)}
        )
    stacked = sorted(held.values(), key=lambda b: (b.issued_at, b.pk))
    badge = badge_issue_stacked(
        earner=earner,
        issuer=pathway.issuer,
        stacked=pathway_stacked(pathway, credentials, stacked),
        audit_data={"pathway_id": pathway.pk, "pathway": pathway.slug, "stacked": [str(b.uuid) for b in stacked]},
    )
    award = PathwayAward.objects.create(pathway=pathway, earner=earner, badge=badge, awarded_at=badge.issued_at)
    award.stacked.set(stacked)
    audit_record(
        action="pathway.earned",
        subject=award,
        actor=None,
        new=str(badge.uuid),
        issuer_id=pathway.issuer_id,
        data={"pathway": pathway.slug, "stacked": [str(b.uuid) for b in stacked]},
    )
    notification_send(
        user=earner,
        kind=NotificationKind.PATHWAY_EARNED,
        context={"title": pathway.title, "issuer": pathway.issuer.name, "count": len(stacked)},
        url=reverse("pathways:credential", kwargs={"uuid": badge.uuid}),
    )
    return award


def pathways_award_due(*, earner: User) -> list[PathwayAward]:
    """Issue every published pathway the earner has completed and not yet been awarded; the new awards.
    Runs after each of the earner's badges is issued (pathways.tasks), and may be run again at any time."""
    mine = Badge.objects.filter(earner=earner, attempt__isnull=False, revoked_at__isnull=True).values("credential_id")
    candidates = (
        Pathway.objects.filter(is_published=True, credentials__in=mine)
        .exclude(awards__earner=earner)
        .distinct()
        .order_by("pk")
    )
    issued = []
    for pathway in candidates:
        try:
            issued.append(pathway_award_issue(pathway=pathway, earner=earner))
        except NotCompleted:
            continue
    return issued
