"""The figures an issuer's admins read at a glance: the funnel from started to earned, turnaround from submission
to decision against the review policy's deadline, pass rates per rubric criterion and per grade band, how
resubmissions after a "not yet" fare, and each reviewer's open load and on-time rate.

Every figure is aggregated in the database, in a fixed number of queries whatever the number of attempts
(scope, issuer, versions, then one query per figure); the turnaround percentiles come from one ordered list of
durations. Another issuer's admin, reviewers, educators and anonymous visitors get 404.

Filters: a date range (inclusive, in the site's time zone), a credential and one of its versions. The range picks
submissions by when they were started (the funnel), attempts by when they were submitted (turnaround, pass rates,
resubmissions) and assignments by their due date (on-time rate); open load is as it stands now.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from catalog.models import CredentialVersion, Issuer
from catalog.schema import GRADE_BANDS
from core.errors import FieldError, InvalidInput
from reviews.models import Assignment, AssignmentState, Decision, DecisionOutcome, ReviewState, Score
from reviews.selectors.access import Viewer, admin_issuer_ids
from reviews.selectors.ontime import OnTime as OnTime
from reviews.selectors.ontime import on_time_by_reviewer as on_time_by_reviewer
from reviews.selectors.ontime import on_time_counts
from submissions.models import Attempt, Submission

DAY = timedelta(days=1)

# ----- the figures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    credential: str | None = None  # a credential's slug
    version: int | None = None  # a version number of that credential

    @property
    def active(self) -> bool:
        return any(value is not None for value in asdict(self).values())


@dataclass(frozen=True)
class Funnel:
    """Submissions (one educator working towards one credential): started, of which submitted at least once,
    of which decided at least once, of which earned; decided but not (yet) earned."""

    started: int
    submitted: int
    decided: int
    earned: int
    not_yet_earned: int


@dataclass(frozen=True)
class TurnaroundBin:
    low_days: int
    high_days: int  # the bin holds low <= days < high
    count: int

    @property
    def label(self) -> str:
        return f"{self.low_days} to {self.high_days} days"


@dataclass(frozen=True)
class Turnaround:
    """Days from an attempt's submission to its decision, over decided attempts."""

    decided: int
    median_days: float | None
    p90_days: float | None
    deadline_days: list[int]  # the review policies' due days (one value unless versions differ)
    within_deadline: int  # decided within their own version's due days
    bins: list[TurnaroundBin] = field(default_factory=list)

    @property
    def share_within(self) -> float | None:
        return self.within_deadline / self.decided if self.decided else None


@dataclass(frozen=True)
class CriterionPass:
    credential: str
    criterion: str  # its id in the rubric
    title: str
    scores: int
    passing: int  # scores at or above the rubric's passing level

    @property
    def rate(self) -> float | None:
        return self.passing / self.scores if self.scores else None


@dataclass(frozen=True)
class BandPass:
    band: str  # "" for attempts without a grade band
    label: str
    decided: int
    earned: int

    @property
    def rate(self) -> float | None:
        return self.earned / self.decided if self.decided else None


@dataclass(frozen=True)
class Resubmissions:
    """Attempts made after a "not yet earned" decision on the one before."""

    attempts: int
    decided: int
    earned: int

    @property
    def not_yet_earned(self) -> int:
        return self.decided - self.earned

    @property
    def waiting(self) -> int:
        return self.attempts - self.decided

    @property
    def rate(self) -> float | None:
        return self.earned / self.decided if self.decided else None


@dataclass(frozen=True)
class ReviewerFigures:
    user_id: int
    name: str
    email: str
    open_reviews: int  # open assignments on the issuer's credentials in scope
    overdue: int  # of them, past their due date
    on_time: OnTime


@dataclass(frozen=True)
class CredentialChoice:
    slug: str
    title: str
    versions: list[int]  # version numbers, newest first


@dataclass(frozen=True)
class Dashboard:
    issuer: Issuer
    filters: DashboardFilters
    credentials: list[CredentialChoice]
    funnel: Funnel
    turnaround: Turnaround
    criteria: list[CriterionPass]
    bands: list[BandPass]
    resubmissions: Resubmissions
    reviewers: list[ReviewerFigures]

    @property
    def has_decisions(self) -> bool:
        return self.turnaround.decided > 0

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain data (the API's answer), rates included; a rate is None where nothing counted."""
        f, t, r = self.funnel, self.turnaround, self.resubmissions
        return {
            "issuer": self.issuer.slug,
            "filters": {
                "from": self.filters.date_from,
                "to": self.filters.date_to,
                "credential": self.filters.credential,
                "version": self.filters.version,
            },
            "credentials": [asdict(choice) for choice in self.credentials],
            "funnel": asdict(f),
            "turnaround": {
                "decided": t.decided,
                "median_days": t.median_days,
                "p90_days": t.p90_days,
                "deadline_days": t.deadline_days,
                "within_deadline": t.within_deadline,
                "share_within_deadline": t.share_within,
                "bins": [asdict(b) for b in t.bins],
            },
            "criteria": [{**asdict(c), "rate": c.rate} for c in self.criteria],
            "grade_bands": [{**asdict(b), "rate": b.rate} for b in self.bands],
            "resubmissions": {**asdict(r), "not_yet_earned": r.not_yet_earned, "waiting": r.waiting, "rate": r.rate},
            "reviewers": [
                {
                    "user_id": p.user_id,
                    "name": p.name,
                    "email": p.email,
                    "open_reviews": p.open_reviews,
                    "overdue": p.overdue,
                    "on_time": p.on_time.on_time,
                    "came_due": p.on_time.came_due,
                    "on_time_rate": p.on_time.rate,
                }
                for p in self.reviewers
            ],
        }


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The q-th quantile (0..1) of ascending values, interpolated between the closest ranks (PostgreSQL's
    percentile_cont, numpy's default): the median of 1, 2, 3, 10 is 2.5, its 90th percentile 7.9."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _bins(days: Sequence[float], deadlines: Sequence[int]) -> list[TurnaroundBin]:
    # Whole-day bins wide enough that ten or so cover every value and the deadline, so the deadline always falls
    # on the chart.
    if not days:
        return []
    reach = max(max(days), *deadlines) if deadlines else max(days)
    width = max(1, math.ceil((math.floor(reach) + 1) / 10))
    count = math.floor(reach / width) + 1
    counts = [0] * count
    for value in days:
        counts[min(int(value // width), count - 1)] += 1
    return [TurnaroundBin(low_days=i * width, high_days=(i + 1) * width, count=n) for i, n in enumerate(counts)]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _issuer_for_admin(user: Viewer | None, slug: str) -> Issuer:
    ids = admin_issuer_ids(user)
    issuer = Issuer.objects.filter(slug=slug).first()
    if issuer is None or (ids is not None and issuer.pk not in ids):
        raise Http404("no such issuer")
    return issuer


def _versions_in_scope(issuer: Issuer, filters: DashboardFilters) -> tuple[list[CredentialChoice], list[Any]]:
    versions = list(
        CredentialVersion.objects.filter(credential__issuer=issuer)
        .select_related("credential")
        .order_by("credential__title", "credential_id", "-number")
    )
    choices: dict[str, CredentialChoice] = {}
    for version in versions:
        credential = version.credential
        choice = choices.setdefault(credential.slug, CredentialChoice(credential.slug, credential.title, []))
        choice.versions.append(version.number)
    problems = []
    if filters.credential is not None and filters.credential not in choices:
        problems.append(
            FieldError(
                "credential",
                gettext("choose one of %(name)s's credentials; “%(credential)s” is not one")
                % {"name": issuer.name, "credential": filters.credential},
            )
        )
    if filters.version is not None:
        if filters.credential is None:
            problems.append(
                FieldError("version", gettext("choose a credential first: a version number belongs to one"))
            )
        elif filters.credential in choices and filters.version not in choices[filters.credential].versions:
            numbers = ", ".join(str(n) for n in choices[filters.credential].versions)
            problems.append(
                FieldError(
                    "version", gettext("choose one of this credential's versions (%(numbers)s)") % {"numbers": numbers}
                )
            )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        problems.append(FieldError("to", gettext("choose a date on or after the “from” date")))
    if problems:
        raise InvalidInput(problems)
    scoped = [
        v
        for v in versions
        if (filters.credential is None or v.credential.slug == filters.credential)
        and (filters.version is None or v.number == filters.version)
    ]
    return list(choices.values()), scoped


def _in_range(prefix: str, filters: DashboardFilters) -> Q:
    q = Q()
    if filters.date_from is not None:
        q &= Q(**{f"{prefix}__gte": _start_of(filters.date_from)})
    # The last day that can be named has no day after it: up to it is no bound at all.
    if filters.date_to is not None and filters.date_to < date.max:
        q &= Q(**{f"{prefix}__lt": _start_of(filters.date_to + DAY)})
    return q


def _funnel(version_ids: list[int], filters: DashboardFilters) -> Funnel:
    decisions = Decision.objects.filter(attempt__submission_id=OuterRef("pk"))
    totals = (
        Submission.objects.filter(_in_range("created_at", filters), version_id__in=version_ids)
        .annotate(
            has_attempt=Exists(Attempt.objects.filter(submission_id=OuterRef("pk"))),
            has_decision=Exists(decisions),
            has_earned=Exists(decisions.filter(outcome=DecisionOutcome.EARNED)),
        )
        .aggregate(
            started=Count("pk"),
            submitted=Count("pk", filter=Q(has_attempt=True)),
            decided=Count("pk", filter=Q(has_decision=True)),
            earned=Count("pk", filter=Q(has_earned=True)),
        )
    )
    return Funnel(
        started=totals["started"],
        submitted=totals["submitted"],
        decided=totals["decided"],
        earned=totals["earned"],
        not_yet_earned=totals["decided"] - totals["earned"],
    )


def _turnaround(version_ids: list[int], filters: DashboardFilters, due_days: dict[int, int]) -> Turnaround:
    duration = ExpressionWrapper(F("decided_at") - F("attempt__submitted_at"), output_field=DurationField())
    rows = (
        Decision.objects.filter(_in_range("attempt__submitted_at", filters), attempt__version_id__in=version_ids)
        .annotate(turnaround=duration)
        .order_by("turnaround", "pk")
        .values_list("turnaround", "attempt__version_id")
    )
    days: list[float] = []
    within = 0
    deadlines: set[int] = set()
    for took, version_id in rows:
        deadline = due_days[version_id]
        deadlines.add(deadline)
        days.append(took / DAY)
        within += took <= deadline * DAY
    shown_deadlines = sorted(deadlines or {due_days[v] for v in version_ids})
    return Turnaround(
        decided=len(days),
        median_days=percentile(days, 0.5),
        p90_days=percentile(days, 0.9),
        deadline_days=shown_deadlines,
        within_deadline=within,
        bins=_bins(days, shown_deadlines),
    )


def _criteria(versions: list[Any], filters: DashboardFilters) -> list[CriterionPass]:
    rows = (
        Score.objects.filter(
            _in_range("review__attempt__submitted_at", filters),
            review__state=ReviewState.SUBMITTED,
            review__attempt__decision__isnull=False,
            review__attempt__version_id__in=[v.pk for v in versions],
        )
        .values("review__attempt__version_id", "criterion", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_version = {v.pk: v for v in versions}
    # A criterion keeps its id across a credential's versions, so its figures add up over them; its title and
    # place are the newest version's (versions come newest first).
    found: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        version = by_version[row["review__attempt__version_id"]]
        key = (version.credential.slug, row["criterion"])
        counts = found.setdefault(key, [0, 0])
        counts[0] += row["n"]
        if row["level"] in version.spec.rubric.passing_levels():
            counts[1] += row["n"]
    result: list[CriterionPass] = []
    seen: set[tuple[str, str]] = set()
    for version in versions:
        for criterion in version.spec.rubric.criteria:
            key = (version.credential.slug, criterion.id)
            if key in seen:
                continue
            seen.add(key)
            scores, passing = found.get(key, (0, 0))
            result.append(CriterionPass(version.credential.title, criterion.id, criterion.title, scores, passing))
    return result


def _bands(version_ids: list[int], filters: DashboardFilters) -> list[BandPass]:
    rows = (
        Decision.objects.filter(_in_range("attempt__submitted_at", filters), attempt__version_id__in=version_ids)
        .values("attempt__grade_band")
        .annotate(decided=Count("pk"), earned=Count("pk", filter=Q(outcome=DecisionOutcome.EARNED)))
        .order_by()
    )
    counts = {row["attempt__grade_band"]: row for row in rows}
    order = [*GRADE_BANDS, *sorted(band for band in counts if band not in GRADE_BANDS)]
    return [
        BandPass(
            band=band,
            label=GRADE_BANDS.get(band, band) if band else "No grade band",
            decided=counts[band]["decided"],
            earned=counts[band]["earned"],
        )
        for band in order
        if band in counts
    ]


def _resubmissions(version_ids: list[int], filters: DashboardFilters) -> Resubmissions:
    after_not_yet = Decision.objects.filter(
        attempt__submission_id=OuterRef("submission_id"),
        attempt__number=OuterRef("number") - 1,
        outcome=DecisionOutcome.NOT_YET_EARNED,
    )
    totals = Attempt.objects.filter(
        Exists(after_not_yet), _in_range("submitted_at", filters), version_id__in=version_ids
    ).aggregate(
        attempts=Count("pk"),
        decided=Count("pk", filter=Q(decision__isnull=False)),
        earned=Count("pk", filter=Q(decision__outcome=DecisionOutcome.EARNED)),
    )
    return Resubmissions(attempts=totals["attempts"], decided=totals["decided"], earned=totals["earned"])


def _reviewers(
    issuer: Issuer, version_ids: list[int], filters: DashboardFilters, now: datetime
) -> list[ReviewerFigures]:
    in_scope = Assignment.objects.filter(attempt__version_id__in=version_ids)
    loads: dict[int, dict[str, int]] = {
        row["reviewer_id"]: {"open": row["open"], "overdue": row["overdue"]}
        for row in in_scope.filter(state=AssignmentState.OPEN)
        .values("reviewer_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now)))
        .order_by()
    }
    timeliness = on_time_counts(in_scope.filter(_in_range("due_at", filters)), now)
    people = (
        User.objects.filter(Q(pk__in=[*loads, *timeliness]) | Q(reviewer_roles__issuer=issuer))
        .distinct()
        .order_by("name", "email")
        .only("pk", "name", "email")
    )
    return [
        ReviewerFigures(
            user_id=person.pk,
            name=person.name or person.email,
            email=person.email,
            open_reviews=loads.get(person.pk, {}).get("open", 0),
            overdue=loads.get(person.pk, {}).get("overdue", 0),
            on_time=timeliness.get(person.pk, OnTime(0, 0)),
        )
        for person in people
    ]


def dashboard_for_admin(
    *, user: Viewer | None, slug: str, filters: DashboardFilters | None = None, now: datetime | None = None
) -> Dashboard:
    """The issuer's figures under the filters, for its admins and platform admins (404 for anyone else). A filter
    naming something the issuer does not have is refused naming the field (InvalidInput). Eleven queries (scope,
    issuer, versions, then one per figure), however many submissions, attempts, reviews and reviewers there are."""
    issuer = _issuer_for_admin(user, slug)
    filters = filters or DashboardFilters()
    now = now or timezone.now()
    choices, versions = _versions_in_scope(issuer, filters)
    version_ids = [v.pk for v in versions]
    due_days = {v.pk: v.spec.review_policy.due_days for v in versions}
    return Dashboard(
        issuer=issuer,
        filters=filters,
        credentials=choices,
        funnel=_funnel(version_ids, filters),
        turnaround=_turnaround(version_ids, filters, due_days),
        criteria=_criteria(versions, filters),
        bands=_bands(version_ids, filters),
        resubmissions=_resubmissions(version_ids, filters),
        reviewers=_reviewers(issuer, version_ids, filters, now),
    )
