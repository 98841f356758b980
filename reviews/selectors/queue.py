"""A reviewer's queue and the assignments in it: their own live assignments only (open, or submitted)."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from reviews.models import LIVE_STATES, Assignment, AssignmentState, Review
from reviews.selectors.access import Viewer, active_user_id


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
        self, open_rows: QuerySet[Assignment], submitted_rows: QuerySet[Assignment], *, counted: QuerySet[Assignment]
    ) -> None:
        self.open_rows = open_rows
        self.submitted_rows = submitted_rows
        # Counted without the rows' joins, from the (reviewer, state) index alone.
        self.counted = counted
        self._open_count: int | None = None

    def all(self) -> OpenThenSubmitted:
        return self

    def _opened(self) -> int:
        if self._open_count is None:
            self._open_count = self.counted.filter(state=AssignmentState.OPEN).count()
        return self._open_count

    def count(self) -> int:
        return self.counted.count()

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
    states = LIVE_STATES if include_submitted else (AssignmentState.OPEN,)
    counted = (
        Assignment.objects.filter(reviewer_id=uid, state__in=states) if uid is not None else Assignment.objects.none()
    )
    open_rows = assignments_for_reviewer(user=user)
    submitted_rows = (
        submitted_assignments_for_reviewer(user=user).reverse() if include_submitted else Assignment.objects.none()
    )
    return OpenThenSubmitted(open_rows, submitted_rows, counted=counted)


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
