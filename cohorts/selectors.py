"""What a coordinator reads: the members, the progress of those who share it, the vouchers; and what the
educator reads of their own groups. Each read starts from an access check in cohorts.access (404 otherwise).

Progress is read only for members sharing it at the moment of the read (`consent_given_at` set, status joined):
a member who does not share is listed with their name, address and the day they joined, and nothing else, and a
filter on progress leaves them out altogether, since being matched by "earned" would tell it. A page of members
is four queries whatever its length: the count, the page, their submissions, those submissions' attempts.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Credential, Issuer
from cohorts.models import IssuerVoucherAcceptance, Member, Organisation, Voucher
from submissions.models import Attempt, Status, Submission

PER_PAGE = 25

STAGES: dict[str, tuple[Any, frozenset[str]]] = {
    "started": (_("Started"), frozenset({Status.STARTED, Status.IN_PROGRESS, Status.WITHDRAWN})),
    "submitted": (
        _("Submitted, waiting for a decision"),
        frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW}),
    ),
    "decided": (_("Decided, not yet earned"), frozenset({Status.NOT_YET_EARNED, Status.RETURNED_INCOMPLETE})),
    "earned": (_("Earned"), frozenset({Status.EARNED})),
}


def stage_of(status: str) -> str:
    return next((name for name, (_label, statuses) in STAGES.items() if status in statuses), "started")


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    credential: str = ""  # a credential's slug
    stage: str = ""  # a key of STAGES
    sharing: str = ""  # "yes", "no" or "" for both

    @property
    def on_progress(self) -> bool:
        return bool(self.credential or self.stage)


@dataclass
class ProgressRow:
    credential: str
    credential_slug: str
    issuer: str
    status: str
    status_label: str
    stage: str
    started_at: datetime
    attempts: int = 0
    first_submitted_at: datetime | None = None
    last_decided_at: datetime | None = None
    turnaround_days: float | None = None  # the latest decided attempt's, submitted → decided
    sponsored: bool = False


@dataclass
class MemberRow:
    member_id: int
    name: str
    email: str
    joined_at: datetime | None
    shares: bool
    progress: list[ProgressRow] = field(default_factory=list)


@dataclass
class MembersPage:
    members: list[MemberRow]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool


def _members(organisation: Organisation, filters: MemberFilters) -> QuerySet[Member]:
    rows = Member.objects.filter(organisation=organisation, status=Member.Status.JOINED)
    if filters.q:
        rows = rows.filter(Q(educator__name__icontains=filters.q) | Q(email__icontains=filters.q))
    if filters.sharing == "yes" or filters.on_progress:
        rows = rows.filter(consent_given_at__isnull=False)
    elif filters.sharing == "no":
        rows = rows.filter(consent_given_at__isnull=True)
    if filters.on_progress:
        matching = Submission.objects.filter(educator_id=OuterRef("educator_id"))
        if filters.credential:
            matching = matching.filter(credential__slug=filters.credential)
        if filters.stage in STAGES:
            matching = matching.filter(status__in=STAGES[filters.stage][1])
        rows = rows.filter(Exists(matching))
    return rows.select_related("educator").order_by("educator__name", "id")


def _progress(
    sharing: QuerySet[Member], filters: MemberFilters, organisation: Organisation
) -> dict[int, list[ProgressRow]]:
    """Each sharing member's submissions (by educator id), with their attempts' dates: two queries."""
    submissions = Submission.objects.filter(educator_id__in=sharing.values("educator_id")).select_related(
        "credential__issuer"
    )
    if filters.credential:
        submissions = submissions.filter(credential__slug=filters.credential)
    if filters.stage in STAGES:
        submissions = submissions.filter(status__in=STAGES[filters.stage][1])
    subs = list(submissions.order_by("credential__title", "created_at", "id"))
    attempts: dict[int, list[tuple[datetime, datetime | None, int | None]]] = defaultdict(list)
    for sub_id, sent, done, sponsor in (
        Attempt.objects.filter(submission__in=[s.pk for s in subs])
        .order_by("number")
        .values_list("submission_id", "submitted_at", "decision__decided_at", "voucher__organisation_id")
    ):
        attempts[sub_id].append((sent, done, sponsor))
    out: dict[int, list[ProgressRow]] = defaultdict(list)
    for sub in subs:
        tried = attempts.get(sub.pk, [])
        closed = [(s, d) for s, d, _o in tried if d is not None]
        out[sub.educator_id].append(
            ProgressRow(
                credential=sub.credential.title,
                credential_slug=sub.credential.slug,
                issuer=sub.credential.issuer.name,
                status=sub.status,
                status_label=str(Status(sub.status).label),
                stage=stage_of(sub.status),
                started_at=sub.created_at,
                attempts=len(tried),
                first_submitted_at=tried[0][0] if tried else None,
                last_decided_at=closed[-1][1] if closed else None,
                turnaround_days=_days(*closed[-1]) if closed else None,
                sponsored=any(o == organisation.pk for _s, _d, o in tried),
            )
        )
    return out


def _days(submitted: datetime, decided: datetime | None) -> float | None:
    return None if decided is None else round((decided - submitted).total_seconds() / 86400, 1)


def _rows(members: Iterable[Member], progress: dict[int, list[ProgressRow]]) -> list[MemberRow]:
    return [
        MemberRow(
            member_id=m.pk,
            name=m.educator.name if m.educator else "",
            email=m.educator.email if m.educator else m.email,
            joined_at=m.joined_at,
            shares=m.consent_given_at is not None,
            progress=progress.get(m.educator_id or 0, []) if m.consent_given_at is not None else [],
        )
        for m in members
    ]


def members_page(*, organisation: Organisation, filters: MemberFilters, page: int) -> MembersPage:
    """One page of the group's members; the caller has checked the viewer coordinates `organisation`."""
    paginator = Paginator(_members(organisation, filters), PER_PAGE)
    current = paginator.get_page(page)
    members = list(current.object_list)
    ids = [m.pk for m in members if m.consent_given_at is not None]
    progress = _progress(Member.objects.filter(pk__in=ids), filters, organisation) if ids else {}
    return MembersPage(
        members=_rows(members, progress),
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        has_previous=current.has_previous(),
        has_next=current.has_next(),
    )


def members_all(*, organisation: Organisation, filters: MemberFilters) -> list[MemberRow]:
    """Every member matching the filters, as the export writes them (three queries)."""
    members = _members(organisation, filters)
    return _rows(list(members), _progress(members.filter(consent_given_at__isnull=False), filters, organisation))


def turnaround_summary(rows: list[MemberRow]) -> tuple[int, float | None]:
    """How many of the rows' submissions have a decision, and the median of their latest turnaround in days."""
    days = [p.turnaround_days for r in rows for p in r.progress if p.turnaround_days is not None]
    return len(days), (round(statistics.median(days), 1) if days else None)


def invitations_waiting(*, organisation: Organisation) -> list[Member]:
    return list(
        Member.objects.filter(organisation=organisation, status=Member.Status.INVITED)
        .select_related("invited_by")
        .order_by("-invited_at", "-id")[:50]
    )


def members_sharing(*, organisation: Organisation) -> list[Member]:
    return list(
        Member.objects.filter(organisation=organisation, status=Member.Status.JOINED, consent_given_at__isnull=False)
        .select_related("educator")
        .order_by("educator__name", "id")
    )


def credentials_published() -> list[Credential]:
    return list(
        Credential.objects.filter(is_published=True, current_version__isnull=False)
        .select_related("issuer")
        .order_by("title")
    )


@dataclass
class VoucherRow:
    voucher: Voucher
    shown: bool  # whether its use may be shown: the holder shares progress now


def vouchers_page(*, organisation: Organisation, page: int) -> tuple[list[VoucherRow], Paginator[Voucher], int]:
    paginator = Paginator(
        Voucher.objects.filter(organisation=organisation)
        .select_related("credential__issuer", "member__educator")
        .order_by("-given_at", "-id"),
        PER_PAGE,
    )
    current = paginator.get_page(page)
    rows = [VoucherRow(v, v.member.shares_progress) for v in current.object_list]
    return rows, paginator, current.number


def issuers_accepting(*, organisation: Organisation) -> list[Issuer]:
    return list(
        Issuer.objects.filter(
            voucher_acceptances__organisation=organisation, voucher_acceptances__stopped_at__isnull=True
        ).order_by("name")
    )


def memberships_of(*, educator: User) -> list[Member]:
    """The educator's groups and the invitations to their address still waiting."""
    return list(
        Member.objects.filter(
            Q(educator=educator, status=Member.Status.JOINED) | Q(email=educator.email, status=Member.Status.INVITED)
        )
        .select_related("organisation", "invited_by")
        .order_by("organisation__name", "id")
    )


def vouchers_of(*, educator: User) -> list[Voucher]:
    return list(
        Voucher.objects.filter(member__educator=educator, revoked_at__isnull=True)
        .select_related("organisation", "credential")
        .order_by("-given_at", "-id")
    )


@dataclass
class SponsorRow:
    organisation: Organisation
    accepted: IssuerVoucherAcceptance | None
    redeemed: int


def sponsors_for_issuer(*, issuer: Issuer, page: int) -> tuple[list[SponsorRow], Paginator[Any], int]:
    """Every organisation, with whether this issuer accepts its vouchers and how many it has used here
    (three queries); the caller has checked the viewer administers `issuer`."""
    paginator = Paginator(
        Organisation.objects.annotate(
            redeemed=Count(
                "vouchers",
                filter=Q(vouchers__credential__issuer=issuer, vouchers__redeemed_at__isnull=False),
            )
        ).order_by("name", "id"),
        PER_PAGE,
    )
    current = paginator.get_page(page)
    orgs = list(current.object_list)
    acceptances = {
        a.organisation_id: a
        for a in IssuerVoucherAcceptance.objects.filter(issuer=issuer, organisation__in=[o.pk for o in orgs])
    }
    return [SponsorRow(o, acceptances.get(o.pk), getattr(o, "redeemed", 0)) for o in orgs], paginator, current.number


def attempt_sponsor(*, attempt_id: int) -> str:
    """The organisation that paid for this attempt, or "" (one query)."""
    name = Voucher.objects.filter(redeemed_attempt_id=attempt_id).values_list("organisation__name", flat=True).first()
    return name or ""
