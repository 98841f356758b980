"""A reviewer's queue and the assignments in it: their own live assignments only (open, or submitted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import (
    CharField,
    DateTimeField,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import Credential
from core.compiled import CompiledRows
from reviews.changes import NAMES, reviewer_scope
from reviews.models import (
    LIVE_STATES,
    Assignment,
    AssignmentState,
    CalibrationResult,
    CalibrationSample,
    Recalibration,
    Review,
    Seat,
)
from reviews.selectors.access import Viewer, active_user_id
from submissions.models import Attempt

# A scalar subquery's COUNT(*) as an expression Django does not take for an aggregate: Count() in a subquery brings a
# GROUP BY, which made SQLite compare each row's group and count at half the speed.
_COUNT_ALL = Func(template="COUNT(*)", output_field=IntegerField())
# The states an assignment ends in; the rest (LIVE_STATES) are the queue's.
ENDED_STATES = tuple(state for state in AssignmentState if state not in LIVE_STATES)


def _queue_rows(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return assignments.select_related("seat").annotate(
        credential_title=F("attempt__submission__credential__title"),
        credential_slug=F("attempt__submission__credential__slug"),
        issuer_name=F("attempt__submission__credential__issuer__name"),
        attempt_number=F("attempt__number"),
        review_state=F("review__state"),
    )


def assignments_for_reviewer(*, user: Viewer | None, include_submitted: bool = False) -> QuerySet[Assignment]:
    """The reviewer's queue, soonest due first: one query however long it is.

    Each row carries `credential_title`, `issuer_name`, `attempt_number` and `review_state` (None until
    the first autosave); nothing about the candidate."""
    uid = active_user_id(user)
    if uid is None:
        return Assignment.objects.none()
    states = LIVE_STATES if include_submitted else (AssignmentState.OPEN,)
    return _queue_rows(Assignment.objects.filter(reviewer_id=uid, state__in=states)).order_by("state", "due_at", "id")


class OpenThenSubmitted:
    """A reviewer's open assignments then their submitted ones, each soonest due first, for a limit-and-offset
    pager. One query over `state IN (open, submitted)` ordered by state would sort all of the reviewer's rows on
    PostgreSQL (it cannot keep an IN list in index order); two reads of the assignment_reviewer_due index each
    stop at the page."""

    def __init__(
        self,
        open_rows: QuerySet[Assignment],
        submitted_rows: QuerySet[Assignment],
        *,
        mine: QuerySet[Assignment],
        include_submitted: bool,
    ) -> None:
        self.open_rows = open_rows
        self.submitted_rows = submitted_rows
        # Counted without the rows' joins, from indexes alone: `mine` is every assignment of the reviewer.
        self.mine = mine
        self.include_submitted = include_submitted
        self._open_count: int | None = None

    def all(self) -> OpenThenSubmitted:
        return self

    def _opened(self) -> int:
        if self._open_count is None:
            self._open_count = self.mine.filter(state=AssignmentState.OPEN).count()
        return self._open_count

    def count(self) -> int:
        if not self.include_submitted:
            return self._opened()
        # The live ones are all of the reviewer's but the few that ended, in one statement: counting a reviewer's
        # rows in the index on the reviewer alone took half the time of counting them by state in the
        # (reviewer, state) one, whose entries are wider and each compared to the state (99,010 rows: 5 ms, 10 ms).
        mine = self.mine.order_by()
        every = mine.annotate(n=_COUNT_ALL).values("n")
        ended = mine.filter(state__in=ENDED_STATES).annotate(n=_COUNT_ALL).values("n")
        counts = mine.annotate(every=Subquery(every), ended=Subquery(ended)).values_list("every", "ended").first()
        return counts[0] - counts[1] if counts is not None else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Assignment]:
        start, stop = window.start or 0, window.stop
        if stop is None:
            raise ValueError("a page has an end")
        opened = self._opened()
        rows = list(self.open_rows[start:stop]) if start < opened else []
        if stop > opened:
            rows += self.submitted_rows[max(start - opened, 0) : stop - opened]
        return rows


def assignments_in_pages_for_reviewer(*, user: Viewer | None, include_submitted: bool = False) -> OpenThenSubmitted:
    """assignments_for_reviewer's rows in its order, a page at a time, each page read through the index."""
    uid = active_user_id(user)
    mine = Assignment.objects.filter(reviewer_id=uid) if uid is not None else Assignment.objects.none()
    open_rows = assignments_for_reviewer(user=user)
    submitted_rows = (
        submitted_assignments_for_reviewer(user=user).reverse() if include_submitted else Assignment.objects.none()
    )
    return OpenThenSubmitted(open_rows, submitted_rows, mine=mine, include_submitted=include_submitted)


def submitted_assignments_for_reviewer(*, user: Viewer | None) -> QuerySet[Assignment]:
    """The reviews the reviewer has submitted, latest due first, as the queue's rows: a list that only grows,
    so the queue page shows it a page at a time (the assignment_reviewer_state index finds it)."""
    uid = active_user_id(user)
    if uid is None:
        return Assignment.objects.none()
    return _queue_rows(Assignment.objects.filter(reviewer_id=uid, state=AssignmentState.SUBMITTED)).order_by(
        "-due_at", "-id"
    )


def assignment_get_for_reviewer(*, user: Viewer | None, assignment_id: int) -> Assignment:
    """One of the reviewer's live assignments; 404 for anyone else and for ended ones."""
    uid = active_user_id(user)
    assignment = (
        Assignment.objects.select_related("seat", "attempt__version", "attempt__submission__educator")
        .filter(pk=assignment_id, reviewer_id=uid, state__in=LIVE_STATES)
        .first()
        if uid is not None
        else None
    )
    if assignment is None:
        raise Http404("no such assignment")
    return assignment


def review_get_for_reviewer(*, user: Viewer | None, assignment_id: int) -> tuple[Assignment, Review | None]:
    """One of the reviewer's live assignments with their own review of it (None before the first save), its scores
    prefetched; 404 for anyone else."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    return assignment, Review.objects.filter(assignment=assignment).prefetch_related("scores").first()


# ----- the state of a reviewer's queue page, for keeping what it drew ------------------------------------------------

# Each read by SQL built once per connection, rows as the database returns them: they are hashed, never shown. Together
# they hold every value the queue page's first page draws (queue_page_state), or what it is computed from.
_SHOWN = ("pk", "state", "due_at", "overdue_at", "seat__title", "seat__role", "attempt__number")
_SHOWN_JOINED = ("attempt__submission__credential__title", "attempt__submission__credential__issuer__name")


def _one(rows: QuerySet[Any], column: str) -> Subquery:
    # Without the model's default ordering: a row found by its key needs none, and Seat's and Attempt's orderings
    # joined the attempt and its submission into each lookup only to sort the one row it finds.
    return Subquery(rows.order_by().values(column)[:1])


# The open ones carry no LIMIT, and PostgreSQL cannot know from its per-column statistics how few of a busy
# reviewer's assignments are open: at 100,000 assignments it expected hundreds, hashed every seat and attempt to
# join them, and took 12 ms where the rows are ten. Each value is looked up per row instead (by primary key, or the
# review's unique assignment), so the only read that grows is the index range of this reviewer's open assignments.
_OPEN_STATE = CompiledRows(
    lambda uid: (
        Assignment.objects.filter(reviewer_id=uid, state=AssignmentState.OPEN)
        .order_by("state", "due_at", "id")
        .annotate(
            seat_title=_one(Seat.objects.filter(pk=OuterRef("seat_id")), "title"),
            seat_role=_one(Seat.objects.filter(pk=OuterRef("seat_id")), "role"),
            attempt_number=_one(Attempt.objects.filter(pk=OuterRef("attempt_id")), "number"),
            credential_title=_one(Attempt.objects.filter(pk=OuterRef("attempt_id")), "submission__credential__title"),
            issuer_name=_one(Attempt.objects.filter(pk=OuterRef("attempt_id")), "submission__credential__issuer__name"),
            review_state=_one(Review.objects.filter(assignment_id=OuterRef("pk")), "state"),
        )
        .values_list(
            "pk",
            "state",
            "due_at",
            "overdue_at",
            "seat_title",
            "seat_role",
            "attempt_number",
            "credential_title",
            "issuer_name",
            "review_state",
        )
    ),
    int,
)
# The queue page's page of submitted reviews (pages/reviews/views.py reads it from here, so the two agree).
QUEUE_PAGE_SIZE = 50
_SUBMITTED_STATE = CompiledRows(
    lambda uid: (
        Assignment.objects.filter(reviewer_id=uid, state=AssignmentState.SUBMITTED)
        .order_by("-due_at", "-id")
        .values_list(*_SHOWN, *_SHOWN_JOINED, "review__state")[: QUEUE_PAGE_SIZE + 1]
    ),
    int,
)
# What credentials_for_reviewer computes from, in one statement (each part's columns laid out so that the types
# agree position by position, as UNION needs on PostgreSQL; the first column says which part a row is from): the
# credentials (their version stands for the rubric and its calibration rule), the samples in force, the reviewer's
# results and their recalibrations. The reviewer's id is each part's key.
_TEXT, _NUMBER, _MOMENT = CharField(), IntegerField(), DateTimeField()
# Each column's type, for the NULLs a part fills its unused columns with.
_CALIBRATION_COLUMNS: dict[str, Field[Any, Any]] = {
    "number": _NUMBER,
    "first": _TEXT,
    "second": _TEXT,
    "third": _TEXT,
    "fourth": _TEXT,
    "count": _NUMBER,
    "total_count": _NUMBER,
    "moment": _MOMENT,
}


def _calibration_part(rows: QuerySet[Any], part: int, **columns: Any) -> QuerySet[Any]:
    """One part of the calibration state: `columns` are expressions for some of _CALIBRATION_COLUMNS, the others
    NULL of the column's type."""
    filled = {name: columns.get(name, Cast(Value(None), kind)) for name, kind in _CALIBRATION_COLUMNS.items()}
    return rows.annotate(part=Value(part, _NUMBER), **filled).order_by().values_list("part", "pk", *filled)


def _calibration_state(credentials_of: int, samples_of: int, results_of: int, recalibrations_of: int) -> Any:
    credentials = Credential.objects.filter(
        issuer__reviewer_roles__user_id=credentials_of,
        issuer__reviewer_roles__user__reviewer_profile__is_active=True,
        current_version__isnull=False,
    ).distinct()
    samples = CalibrationSample.objects.filter(
        credential__issuer__reviewer_roles__user_id=samples_of, retired_at__isnull=True
    ).distinct()
    return (
        _calibration_part(
            credentials,
            1,
            number=F("current_version_id"),
            first=F("slug"),
            second=F("title"),
            third=F("issuer__name"),
            fourth=F("current_version__content_hash"),
        )
        .union(
            _calibration_part(samples, 2, number=F("credential_id"), first=F("rubric_hash")),
            _calibration_part(
                CalibrationResult.objects.filter(reviewer_id=results_of),
                3,
                number=F("sample_id"),
                first=F("rubric_hash"),
                count=F("matches"),
                total_count=F("total"),
                moment=F("submitted_at"),
            ),
            _calibration_part(
                Recalibration.objects.filter(reviewer_id=recalibrations_of),
                4,
                number=F("credential_id"),
                moment=F("sent_at"),
            ),
            all=True,
        )
        .order_by("part", "pk")
    )


_CALIBRATION_STATE = CompiledRows(_calibration_state, int, int, int, int)


def _moment(value: Any) -> datetime:
    """A datetime column as the database returned it (SQLite: UTC text; PostgreSQL: aware), made aware, as the
    ORM's converters make it."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        raise ValueError(f"not a datetime: {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


@dataclass(frozen=True)
class QueueSummary:
    """The reviewer's queue in numbers, as the dashboard shows it."""

    open: int
    overdue: int


def queue_summary(*, user: Viewer | None, now: datetime) -> QueueSummary:
    """How many assignments the reviewer has open and how many of them were due by `now`: one query whose SQL is
    built once (the queue page's own read of the open assignments)."""
    return queue_summary_state(user=user, now=now)[0]


def queue_summary_state(*, user: Viewer | None, now: datetime) -> tuple[QueueSummary, datetime | None]:
    """queue_summary as of `now`, and when the clock alone next changes it: the first open assignment not yet due
    falls due (None: never). Otherwise it changes only with a write to the reviewer's scope (reviews/changes.py)."""
    uid = active_user_id(user)
    if uid is None:
        return QueueSummary(open=0, overdue=0), None
    due = [_moment(row[2]) for row in _OPEN_STATE.fetch(uid)]
    summary = QueueSummary(open=len(due), overdue=sum(moment <= now for moment in due))
    return summary, min((moment for moment in due if moment > now), default=None)


def queue_page_state(*, user: Viewer | None, now: datetime) -> tuple[Any, ...] | None:
    """Everything the first page of the reviewer's queue shows, or is computed from, as of `now`: their open
    assignments (each with whether it is overdue now), the first page of their submitted ones, and the inputs of
    their calibration per credential. Three small queries whose SQL is built once; None for anyone not signed in.
    Equal states draw equal pages (the page's language aside), so a page drawn for one state may be shown again
    for it."""
    uid = active_user_id(user)
    if uid is None:
        return None
    opened = _OPEN_STATE.fetch(uid)
    overdue = tuple(row[3] is not None or _moment(row[2]) <= now for row in opened)
    return (
        uid,
        tuple(opened),
        overdue,
        tuple(_SUBMITTED_STATE.fetch(uid)),
        tuple(_CALIBRATION_STATE.fetch(uid, uid, uid, uid)),
    )


def queue_page_scopes(state: tuple[Any, ...] | None) -> tuple[str, ...]:
    """The change-log scopes queue_page_state reads (reviews/changes.py): the reviewer's own and the names."""
    return (reviewer_scope(state[0]), NAMES) if state is not None else ()


def queue_page_changes_at(state: tuple[Any, ...] | None) -> datetime | None:
    """When the clock alone changes queue_page_state: the first of its open assignments not yet overdue falls
    due (None: never)."""
    if state is None:
        return None
    return min((_moment(row[2]) for row, late in zip(state[1], state[2], strict=True) if not late), default=None)
