"""The issuer admin's pipeline: their issuers' attempts under review and the latest decisions (what an admin acts
on from it is read in admin_objects). Candidates appear by reference only ("C-12"), never by name.
A platform admin sees every issuer's; anyone else gets 404."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import IssuerMembership
from catalog.models import CredentialVersion, Issuer
from core.compiled import CompiledRows
from reviews.changes import NAMES, issuer_scope
from reviews.models import Assignment, AssignmentState, Decision, Seat
from reviews.selectors.access import Viewer, active_user
from submissions.models import Attempt, AttemptStatus


@dataclass(frozen=True)
class PipelineAssignment:
    id: int
    reviewer: str  # admins see who reviews (not who is reviewed)
    reviewer_email: str
    seat: int
    seat_title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class PipelineRow:
    attempt_id: int
    candidate: str  # a reference, never the educator's name
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    status: str
    submitted_at: datetime
    seats: int
    seats_waiting: int
    reviews_submitted: int
    overdue: int
    next_due: datetime | None
    assignments: list[PipelineAssignment]


@dataclass(frozen=True)
class DecidedRow:
    decision_id: int
    attempt_id: int
    candidate: str
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    outcome: str
    decided_at: datetime
    overridden: bool


@dataclass(frozen=True)
class Pipeline:
    waiting: list[PipelineRow]
    overdue: list[PipelineRow]
    in_review: list[PipelineRow]
    decided: list[DecidedRow]
    page: int = 1  # attempts under review come per_page (50) a page, oldest submitted first
    has_next: bool = False  # not a page count: counting every attempt under review is what grows with them

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PAGE_SIZE = 50


def pipeline_for_admin(
    *,
    user: Viewer | None,
    now: datetime | None = None,
    decided_limit: int = 50,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Pipeline:
    """The admin's issuers' attempts under review, one page of `per_page` (oldest submitted first, the order
    the attempt_status_queue index serves), grouped: waiting for reviewers (some seat has none), overdue (else,
    some open assignment is past due), in review (the rest), and the latest decisions. A page past the last
    is a 404. Five queries whatever the numbers: the admin's issuers, the page's attempt ids, those attempts with their
    counts, their open assignments, the decisions (three when nothing is under review)."""
    moment = now or timezone.now()
    return _build(_read(user, page=page, per_page=per_page, decided_limit=decided_limit, now=moment), moment)


def pipeline_page_for_admin(
    *, user: Viewer | None, page: int = 1, now: datetime | None = None
) -> tuple[Pipeline, list[Issuer]]:
    """pipeline_for_admin's page and the issuers it spans (issuers_for_admin's, by name), the admin's issuers read
    once for both: what the pipeline page shows. Five queries whatever the numbers."""
    moment = now or timezone.now()
    return pipeline_from_state(pipeline_page_state(user=user, page=page, now=moment), moment)


@dataclass(frozen=True)
class PipelineState:
    """What one page of the pipeline shows as of a moment: the rows of its reads as the database returns them
    (nothing converted, no row made), and how many open assignments are past due then. Equal states give equal
    pages, so a page drawn from one may be shown again for it (pages/reviews/admin_views.py)."""

    scoped: bool
    page: int
    per_page: int
    decided_limit: int
    issuers: tuple[tuple[Any, ...], ...]
    attempts: tuple[tuple[Any, ...], ...]
    assignments: tuple[tuple[Any, ...], ...]
    due: int  # how many of the open assignments, in due order, are past due
    decisions: tuple[tuple[Any, ...], ...]


def pipeline_page_state(*, user: Viewer | None, page: int, now: datetime) -> PipelineState:
    """The state of the pipeline page (PAGE_SIZE attempts, the latest 50 decisions) as of `now`; the page's 404s."""
    return _read(user, page=page, per_page=PAGE_SIZE, decided_limit=50, now=now)


def pipeline_page_scopes(state: PipelineState) -> tuple[str, ...]:
    """The change-log scopes pipeline_page_state reads (reviews/changes.py): each of its issuers' and the names
    (which memberships, and so the issuers themselves, are noted under)."""
    return (*(issuer_scope(row[0]) for row in state.issuers), NAMES)


def pipeline_page_changes_at(state: PipelineState) -> datetime | None:
    """When the clock alone changes pipeline_page_state: its first open assignment not yet past due falls due (they
    come in due order, the past-due ones first); None when there is none."""
    if state.due >= len(state.assignments):
        return None
    return _aware(state.assignments[state.due][-1])


def pipeline_from_state(state: PipelineState, now: datetime) -> tuple[Pipeline, list[Issuer]]:
    """The page and the issuers it spans, drawn from the rows the state holds (no read)."""
    issuers = [Issuer(pk=pk, slug=slug, name=name) for pk, slug, name in state.issuers]
    return _build(state, now), issuers


# The pipeline runs on every view of the admin's busiest page, and building its queries cost the ORM several times
# what running them costs the database: each is built once per connection (core.compiled) for each shape it comes
# in (an issuer admin's, keyed by their id and scoped by a subquery on their memberships, or a platform admin's,
# unscoped; the page's bounds and the number of decisions are part of the SQL). Nothing in them depends on the
# clock: what is overdue is worked out in Python from the open assignments' due dates.
_ISSUERS_OF_ADMIN = CompiledRows(
    lambda uid: (
        Issuer.objects.filter(memberships__user_id=uid, memberships__role=IssuerMembership.Role.ADMIN)
        .order_by("name", "pk")
        .values_list("pk", "slug", "name")
    ),
    int,
)


def _read(user: Viewer | None, *, page: int, per_page: int, decided_limit: int, now: datetime) -> PipelineState:
    """The admin's issuers (by which every read is scoped; every issuer for a platform admin) and the page's rows;
    404 for anyone else, and for a page past the last."""
    found = active_user(user)
    if found is None:
        raise Http404("no such page")
    uid = None if found.is_superuser else found.pk
    if uid is None:
        issuers = tuple(Issuer.objects.order_by("name", "pk").values_list("pk", "slug", "name"))
    else:
        issuers = tuple(_ISSUERS_OF_ADMIN.fetch(uid))
        if not issuers:
            raise Http404("no such page")
    if page < 1:
        raise Http404("no such page of the pipeline")
    plans = _plans(uid is not None, page, per_page, decided_limit)
    keys = () if uid is None else (uid,)
    start = (page - 1) * per_page
    ids = _page_ids(plans.submitted.fetch(*keys), plans.in_review.fetch(*keys), start, start + per_page + 1)
    if page > 1 and not ids:
        raise Http404("no such page of the pipeline")
    attempts: tuple[tuple[Any, ...], ...] = ()
    assignments: tuple[tuple[Any, ...], ...] = ()
    if ids:
        padded = (*ids, *(0,) * (per_page + 1 - len(ids)))
        attempts = tuple(plans.attempts.fetch(*padded))
        assignments = tuple(plans.assignments.fetch(*padded))
    return PipelineState(
        scoped=uid is not None,
        page=page,
        per_page=per_page,
        decided_limit=decided_limit,
        issuers=issuers,
        attempts=attempts,
        assignments=assignments,
        due=_past_due(assignments, now),
        decisions=tuple(plans.decisions.fetch(*keys)),
    )


def _past_due(assignments: tuple[tuple[Any, ...], ...], now: datetime) -> int:
    """How many of the open assignments were due by `now`: they come in due order (_open_assignments_rows), so these
    are the first ones, and the count is all the state needs to say which are overdue."""
    count = 0
    # `now` as the driver gives its date-times (SQLite: naive UTC; PostgreSQL: aware), worked out once: the rows are
    # compared with it as they come rather than each made aware first.
    naive = now.astimezone(UTC).replace(tzinfo=None)
    for row in assignments:
        # The due date is the row's last column.
        due = row[-1]
        if due > naive if isinstance(due, datetime) and due.tzinfo is None else _aware(due) > now:
            break
        count += 1
    return count


def _aware(value: Any) -> datetime:
    """A date-time column as the driver returns it (SQLite: UTC text; PostgreSQL: an aware datetime), made aware."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _scoped(rows: Any, uid: int | None) -> Any:
    # Scoped by the attempt's own version (a small subquery) rather than through its submission: a join there
    # would make the database read every attempt under review to find one page of them.
    if uid is None:
        return rows
    versions = CredentialVersion.objects.filter(
        credential__issuer__memberships__user_id=uid, credential__issuer__memberships__role=IssuerMembership.Role.ADMIN
    )
    return rows.filter(version_id__in=versions.values("pk"))


def _firsts_of(status: str, uid: int | None, stop: int) -> Any:
    """The first `stop` attempts in `status`, oldest submitted first, with their submission times: read in the order
    the attempt_status_queue index keeps (status, submitted_at), so the database stops after `stop` of them."""
    return (
        _scoped(Attempt.objects.filter(status=status), uid)
        .order_by("submitted_at", "id")
        .values_list("pk", "submitted_at")[:stop]
    )


def _page_ids(submitted: list[Any], in_review: list[Any], start: int, stop: int) -> list[int]:
    """The page's attempt ids from the first rows of each status, merged as one `ORDER BY submitted_at, id` would.

    The two reads are merged here rather than in the database: one query with `id IN (first of one) OR id IN (first
    of the other)` had PostgreSQL scan every attempt to test each against the two lists (12 ms at 100,000
    attempts against 0.5 ms at 1,000), and a UNION of two limited reads is not a query SQLite can run."""
    # Both reads' times come from one driver, in one form (SQLite's naive UTC, PostgreSQL's aware): comparable as
    # they are. A read that returns text (SQLite without its converters) is made aware first.
    rows = [*submitted, *in_review]
    if all(isinstance(row[1], datetime) for row in rows):
        merged = sorted(rows, key=lambda row: (row[1], row[0]))
    else:
        merged = sorted(rows, key=lambda row: (_aware(row[1]), row[0]))
    return [row[0] for row in merged[start:stop]]


class _Counted(Subquery):
    """How many rows a correlated subquery has: counted per attempt through the foreign key's index, where joining
    both seats and assignments to the page's attempts would multiply them and group by every column of an attempt
    (its responses among them)."""

    output_field = IntegerField()

    def __init__(self, rows: Any) -> None:
        # COUNT as a plain function, not an aggregate: the ORM would otherwise group the subquery by its columns.
        super().__init__(rows.order_by().annotate(n=Func("pk", function="COUNT")).values("n"))


def _attempts_rows(ids: tuple[int, ...]) -> Any:
    # Rows are read as values, not models: a page holds a hundred or so rows across four tables, and building a
    # model for each (with its related models) cost more than the queries themselves.
    return (
        Attempt.objects.filter(pk__in=ids)
        .annotate(
            seat_count=_Counted(Seat.objects.filter(attempt_id=OuterRef("pk"), closed_at__isnull=True)),
            waiting_count=_Counted(
                Seat.objects.filter(attempt_id=OuterRef("pk"), closed_at__isnull=True, reviewer__isnull=True)
            ),
            submitted_count=_Counted(
                Assignment.objects.filter(attempt_id=OuterRef("pk"), state=AssignmentState.SUBMITTED)
            ),
        )
        .order_by("submitted_at", "id")
        .values_list(
            "pk",
            "submission_id",
            "number",
            "submission__credential__title",
            "submission__credential__slug",
            "status",
            "submitted_at",
            "seat_count",
            "waiting_count",
            "submitted_count",
        )
    )


def _open_assignments_rows(ids: tuple[int, ...]) -> Any:
    # In the assignments' own order (due, then id), as a prefetch of them would list them.
    return (
        Assignment.objects.filter(attempt_id__in=ids, state=AssignmentState.OPEN)
        .order_by("due_at", "id")
        .values_list("pk", "attempt_id", "reviewer__name", "reviewer__email", "seat__position", "seat__title", "due_at")
    )


def _decisions_rows(uid: int | None, limit: int) -> Any:
    return (
        _scoped(Decision.objects.all(), uid)
        .order_by("-decided_at", "-id")
        .values_list(
            "pk",
            "attempt_id",
            "attempt__submission_id",
            "attempt__number",
            "attempt__submission__credential__title",
            "attempt__submission__credential__slug",
            "outcome",
            "decided_at",
            "overridden_at",
        )[:limit]
    )


class _Plans(NamedTuple):
    submitted: CompiledRows  # the first attempts submitted and not yet in review, with their submission times
    in_review: CompiledRows  # the first attempts in review, the same
    attempts: CompiledRows  # those attempts' rows, by their ids
    assignments: CompiledRows  # their open assignments, by the attempts' ids
    decisions: CompiledRows


_PLANS: dict[tuple[bool, int, int, int], _Plans] = {}
_BY_IDS: dict[int, tuple[CompiledRows, CompiledRows]] = {}


def _plans(scoped: bool, page: int, per_page: int, decided_limit: int) -> _Plans:
    shape = (scoped, page, per_page, decided_limit)
    start = (page - 1) * per_page
    # One more than shown, to learn whether a next page exists without counting every attempt under review.
    stop = start + per_page + 1
    plans = _PLANS.get(shape)
    if plans is None:
        # The page's rows are read by the ids the first read found, each id a key (padded with 0, which no row
        # has): the page chosen again inside each of the two reads made the database choose it twice, and cost
        # several times what the two reads by id cost together. The same two serve every page of one size.
        by_ids = _BY_IDS.get(per_page + 1)
        if by_ids is None:
            keys = (int,) * (per_page + 1)
            by_ids = _BY_IDS[per_page + 1] = (
                CompiledRows(lambda *ids: _attempts_rows(ids), *keys),
                CompiledRows(lambda *ids: _open_assignments_rows(ids), *keys),
            )
        # The admin's id is a key of each read that is scoped by it.
        if scoped:
            plans = _Plans(
                CompiledRows(lambda uid: _firsts_of(AttemptStatus.SUBMITTED, uid, stop), int),
                CompiledRows(lambda uid: _firsts_of(AttemptStatus.IN_REVIEW, uid, stop), int),
                *by_ids,
                CompiledRows(lambda uid: _decisions_rows(uid, decided_limit), int),
            )
        else:
            plans = _Plans(
                CompiledRows(lambda: _firsts_of(AttemptStatus.SUBMITTED, None, stop)),
                CompiledRows(lambda: _firsts_of(AttemptStatus.IN_REVIEW, None, stop)),
                *by_ids,
                CompiledRows(lambda: _decisions_rows(None, decided_limit)),
            )
        # Only the first pages are asked for often: a bounded number of shapes is kept.
        if len(_PLANS) >= 64:
            _PLANS.clear()
        _PLANS[shape] = plans
    return plans


def _build(state: PipelineState, now: datetime) -> Pipeline:
    """The page drawn from the state's rows, each column converted as the ORM converts it."""
    plans = _plans(state.scoped, state.page, state.per_page, state.decided_limit)
    attempts = plans.attempts.convert(state.attempts)
    per_page = state.per_page
    shown = attempts[:per_page]
    assignments: dict[int, list[PipelineAssignment]] = {row[0]: [] for row in shown}
    for pk, attempt_id, name, email, position, title, due_at in plans.assignments.convert(state.assignments):
        if attempt_id in assignments:
            assignments[attempt_id].append(
                PipelineAssignment(
                    id=pk,
                    reviewer=name,
                    reviewer_email=email,
                    seat=position,
                    seat_title=title,
                    due_at=due_at,
                    overdue=due_at <= now,
                )
            )
    waiting, overdue, in_review = [], [], []
    for pk, submission_id, number, title, slug, status, submitted_at, seats, seats_waiting, reviews_submitted in shown:
        open_ones = assignments[pk]
        row = PipelineRow(
            attempt_id=pk,
            candidate=f"C-{submission_id}",
            submission_id=submission_id,
            attempt_number=number,
            credential=title,
            credential_slug=slug,
            status=status,
            submitted_at=submitted_at,
            seats=seats,
            seats_waiting=seats_waiting,
            reviews_submitted=reviews_submitted,
            overdue=sum(a.overdue for a in open_ones),
            next_due=min((a.due_at for a in open_ones), default=None),
            assignments=open_ones,
        )
        if row.seats_waiting:
            waiting.append(row)
        elif row.overdue:
            overdue.append(row)
        else:
            in_review.append(row)
    decided = [
        DecidedRow(
            decision_id=pk,
            attempt_id=attempt_id,
            candidate=f"C-{submission_id}",
            submission_id=submission_id,
            attempt_number=number,
            credential=title,
            credential_slug=slug,
            outcome=outcome,
            decided_at=decided_at,
            overridden=overridden_at is not None,
        )
        for pk, attempt_id, submission_id, number, title, slug, outcome, decided_at, overridden_at in (
            plans.decisions.convert(state.decisions)
        )
    ]
    return Pipeline(
        waiting=waiting,
        overdue=overdue,
        in_review=in_review,
        decided=decided,
        page=state.page,
        has_next=len(attempts) > per_page,
    )
