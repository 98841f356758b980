"""An issuer's reviewers as its admins manage them: each person holding a reviewer role there, with those roles
and their grade bands, whether they take new work (paused here, or everywhere), their load against their
capacity, their on-time rate on this issuer's reviews, and their calibration on each of the issuer's
credentials; the invitations still waiting; one person's history. Another issuer's admin, or anyone else,
gets 404.

The on-time rate is reviews/selectors/dashboard.py's (the dashboards show the same figure): of this issuer's
assignments that came due within the last ON_TIME_WINDOW, the share submitted by their due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import ReviewerInvite, ReviewerPause, ReviewerRole, User
from catalog.models import Credential, Issuer
from catalog.schema import GRADE_BANDS
from core.models import AuditEvent
from reviews.calibration import rubric_hash
from reviews.models import Assignment, AssignmentState
from reviews.selectors.access import Viewer, admin_issuer_ids
from reviews.selectors.calibration import CalibrationStatus, calibration_by_reviewer
from reviews.selectors.dashboard import OnTime, on_time_by_reviewer

ON_TIME_WINDOW = timedelta(days=180)

# The audit log's rows about a reviewer at an issuer, as the person's history names them.
HISTORY_LABELS = {
    "reviewer_role.granted": gettext_lazy("Role given"),
    "reviewer_role.changed": gettext_lazy("Grade bands changed"),
    "reviewer_role.revoked": gettext_lazy("Role ended"),
    "reviewer_profile.created": gettext_lazy("Reviewer profile made"),
    "reviewer_profile.changed": gettext_lazy("Capacity or availability changed"),
    "reviewer.paused": gettext_lazy("Paused"),
    "reviewer.resumed": gettext_lazy("Resumed"),
    "reviewer_invite.accepted": gettext_lazy("Invitation accepted"),
}


@dataclass(frozen=True)
class RosterRole:
    id: int
    kind: str
    kind_label: str
    grade_bands: list[str]  # labels, in the platform's band order
    band_ids: list[str]
    granted_at: datetime
    granted_by: str


@dataclass(frozen=True)
class RosterCalibration:
    credential: str
    status: CalibrationStatus


@dataclass(frozen=True)
class RosterPause:
    until: date | None  # new seats come again from this day; None: until resumed
    reason: str
    paused_by: str
    paused_at: datetime


@dataclass
class RosterReviewer:
    user_id: int
    name: str
    email: str
    organisation: str
    account_open: bool
    profile_active: bool  # the person-level switch, wherever they review
    capacity: int
    open_reviews: int  # at every issuer: capacity is the person's, not one issuer's
    pause: RosterPause | None = None  # this issuer's pause, while in force
    on_time: OnTime = field(default_factory=lambda: OnTime(0, 0))
    roles: list[RosterRole] = field(default_factory=list)
    calibration: list[RosterCalibration] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        """New seats of this issuer may go to them: account open, not paused everywhere nor here."""
        return self.account_open and self.profile_active and self.pause is None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time.rate
        return None if rate is None else round(rate * 100)


@dataclass(frozen=True)
class RosterInvite:
    id: int
    email: str
    name: str
    roles: list[str]  # kind labels
    grade_bands: list[str]  # labels
    kinds: list[str]
    band_ids: list[str]
    invited_by: str
    sent_at: datetime
    sent_count: int
    expires_at: datetime
    expired: bool


@dataclass(frozen=True)
class Roster:
    issuer: Issuer
    reviewers: list[RosterReviewer]
    invites: list[RosterInvite]
    on_time_since: datetime  # the start of the on-time window
    on_time_days: int


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    label: str
    actor: str  # "Automatic" when the platform acted
    old: str
    new: str
    reason: str


def issuer_get_for_admin(*, user: Viewer | None, slug: str) -> Issuer:
    """The issuer, for its own admins and platform admins; 404 for anyone else, as if it did not exist."""
    ids = admin_issuer_ids(user)
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None or (ids is not None and issuer.pk not in ids):
        raise Http404("no such issuer")
    return issuer


def issuers_for_admin(*, user: Viewer | None) -> list[Issuer]:
    """The issuers whose reviewers this person manages (every one for a platform admin); 404 for anyone else."""
    ids = admin_issuer_ids(user)
    issuers = Issuer.objects.order_by("name")
    return list(issuers if ids is None else issuers.filter(pk__in=ids))


def role_get_for_admin(*, user: Viewer | None, slug: str, role_id: int) -> ReviewerRole:
    """One reviewer role at the issuer, for its admins; 404 for anyone else and for another issuer's role."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    role = ReviewerRole.objects.select_related("user", "issuer").filter(pk=role_id, issuer=issuer).first()
    if role is None:
        raise Http404("no such reviewer role")
    return role


def reviewer_user_get_for_admin(*, user: Viewer | None, slug: str, user_id: int) -> tuple[Issuer, User]:
    """A person holding a reviewer role at the issuer, for its admins; 404 for anyone else and for a person
    who holds none there (another issuer's reviewer, an educator)."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    person = User.objects.filter(pk=user_id, reviewer_roles__issuer=issuer).distinct().first()
    if person is None:
        raise Http404("no such reviewer")
    return issuer, person


def invite_get_for_admin(*, user: Viewer | None, slug: str, invite_id: int) -> ReviewerInvite:
    """A waiting invitation of the issuer, for its admins; 404 for anyone else, another issuer's, or one that
    was accepted or revoked."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    invite = (
        ReviewerInvite.objects.select_related("issuer")
        .filter(pk=invite_id, issuer=issuer, status=ReviewerInvite.Status.PENDING)
        .first()
    )
    if invite is None:
        raise Http404("no such invitation")
    return invite


def open_reviews_at(*, user: User, issuer_id: int) -> int:
    """How many open reviews the person holds on the issuer's credentials (what a revoked role leaves with them)."""
    return Assignment.objects.filter(
        reviewer=user, state=AssignmentState.OPEN, attempt__submission__credential__issuer_id=issuer_id
    ).count()


def _name(person: User | None, default: str = "the platform") -> str:
    return (person.name or person.email) if person is not None else default


def _reviewers(issuer: Issuer, *, user_ids: list[int] | None, now: datetime) -> list[RosterReviewer]:
    """The people holding a role at the issuer (or those of `user_ids`), by name, in a number of queries that
    does not grow with them: the roles, the pauses, the loads, the on-time counts, the credentials, and two for
    each of the issuer's credentials' calibration."""
    roles = ReviewerRole.objects.filter(issuer=issuer)
    if user_ids is not None:
        roles = roles.filter(user_id__in=user_ids)
    roles = roles.select_related("user__reviewer_profile", "granted_by").order_by("user__name", "user__email", "kind")
    order = list(GRADE_BANDS)
    people: dict[int, RosterReviewer] = {}
    for role in roles:
        person = role.user
        profile = getattr(person, "reviewer_profile", None)
        row = people.get(person.pk)
        if row is None:
            row = people[person.pk] = RosterReviewer(
                user_id=person.pk,
                name=person.name,
                email=person.email,
                organisation=person.organisation,
                account_open=person.is_active,
                profile_active=bool(profile is not None and profile.is_active),
                capacity=profile.capacity if profile is not None else 0,
                open_reviews=0,
            )
        bands = sorted(role.grade_band_list(), key=order.index)
        row.roles.append(
            RosterRole(
                id=role.pk,
                kind=role.kind,
                kind_label=role.get_kind_display(),
                grade_bands=[GRADE_BANDS[band] for band in bands],
                band_ids=bands,
                granted_at=role.granted_at,
                granted_by=_name(role.granted_by),
            )
        )
    if not people:
        return []
    ids = list(people)
    today = timezone.localdate(now)
    for pause in ReviewerPause.objects.filter(issuer=issuer, user_id__in=ids).select_related("paused_by"):
        if pause.in_force(today):
            people[pause.user_id].pause = RosterPause(
                until=pause.until, reason=pause.reason, paused_by=_name(pause.paused_by), paused_at=pause.paused_at
            )
    loads = dict(
        Assignment.objects.filter(reviewer_id__in=ids, state=AssignmentState.OPEN)
        .values("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n")
    )
    on_time = on_time_by_reviewer(issuer_id=issuer.pk, reviewer_ids=ids, due_from=now - ON_TIME_WINDOW, now=now)
    for user_id, row in people.items():
        row.open_reviews = loads.get(user_id, 0)
        row.on_time = on_time.get(user_id, OnTime(0, 0))
    credentials = Credential.objects.filter(issuer=issuer, current_version__isnull=False).select_related(
        "current_version"
    )
    for credential in credentials.order_by("title"):
        version = credential.current_version
        assert version is not None
        spec = version.spec.review_policy.calibration
        # The calibration selector is the one answer to "calibrated?" (a reviewer flagged for recalibration
        # shows as needing it through it), so the roster asks it rather than reading results itself.
        statuses = calibration_by_reviewer(
            credential_id=credential.pk,
            hash_=rubric_hash(version.definition),
            reviewer_ids=ids,
            required=spec.required,
            agreement=spec.agreement,
        )
        for user_id, row in people.items():
            row.calibration.append(RosterCalibration(credential=credential.title, status=statuses[user_id]))
    return list(people.values())


def _invites(issuer: Issuer, now: datetime) -> list[RosterInvite]:
    rows = ReviewerInvite.objects.filter(issuer=issuer, status=ReviewerInvite.Status.PENDING).select_related(
        "invited_by"
    )
    labels = dict(ReviewerRole.Kind.choices)
    return [
        RosterInvite(
            id=invite.pk,
            email=invite.email,
            name=invite.name,
            roles=[labels.get(kind, kind) for kind in invite.kinds],
            grade_bands=[GRADE_BANDS[band] for band in invite.grade_band_list()],
            kinds=list(invite.kinds),
            band_ids=invite.grade_band_list(),
            invited_by=_name(invite.invited_by),
            sent_at=invite.sent_at,
            sent_count=invite.sent_count,
            expires_at=invite.token_expires_at,
            expired=invite.token_expires_at <= now,
        )
        for invite in rows.order_by("-sent_at", "-id")
    ]


def roster_for_admin(*, user: Viewer | None, slug: str, now: datetime | None = None) -> Roster:
    """The issuer's reviewers, by name, and its waiting invitations. Queries stay flat in the number of
    reviewers, roles and invitations (see _reviewers; one more for the invitations)."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    now = now or timezone.now()
    return Roster(
        issuer=issuer,
        reviewers=_reviewers(issuer, user_ids=None, now=now),
        invites=_invites(issuer, now),
        on_time_since=now - ON_TIME_WINDOW,
        on_time_days=ON_TIME_WINDOW.days,
    )


def reviewer_for_admin(*, user: Viewer | None, slug: str, user_id: int, now: datetime | None = None) -> RosterReviewer:
    """One person of the roster, for the issuer's admins; 404 for anyone else and for someone with no role there."""
    issuer, person = reviewer_user_get_for_admin(user=user, slug=slug, user_id=user_id)
    [row] = _reviewers(issuer, user_ids=[person.pk], now=now or timezone.now())
    return row


def reviewer_history_for_admin(*, user: Viewer | None, slug: str, user_id: int, limit: int = 50) -> list[HistoryEntry]:
    """What was changed about this reviewer at the issuer, newest first, with who did it: the audit log's rows
    under the issuer that name the person. 404 as reviewer_for_admin."""
    issuer, person = reviewer_user_get_for_admin(user=user, slug=slug, user_id=user_id)
    rows = (
        AuditEvent.objects.filter(issuer_id=issuer.pk, action__in=list(HISTORY_LABELS), data__user_id=person.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    return [
        HistoryEntry(
            at=row.at,
            action=row.action,
            label=str(HISTORY_LABELS[row.action]),
            actor=_name(row.actor, "Automatic"),
            old=row.old,
            new=row.new,
            reason=str(row.data.get("reason") or "") if isinstance(row.data, dict) else "",
        )
        for row in rows
    ]
