"""A reviewer's on-time rate: the one definition, which the dashboard and the reviewers roster both read.

Of the assignments that came due, the share whose review was submitted by its due date. Whether an assignment came
due is settled by its state (see _came_due); declined and cancelled ones, and those reassigned before their due date,
count neither way, since the reviewer missed nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from reviews.models import Assignment, AssignmentState


@dataclass(frozen=True)
class OnTime:
    """Reviews submitted by their due date, of the assignments that came due."""

    on_time: int
    came_due: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.came_due if self.came_due else None


def _came_due(now: datetime) -> Q:
    # Timeliness is settled for a submitted review, an expired assignment, one reassigned after its due date
    # (the date was missed before it was taken away) and an open one already past due (it can no longer be on
    # time). Declined, cancelled, reassigned in time and open-not-yet-due assignments say nothing either way.
    return (
        Q(state=AssignmentState.SUBMITTED)
        | Q(state=AssignmentState.EXPIRED)
        | Q(state=AssignmentState.REASSIGNED, ended_at__gt=F("due_at"))
        | Q(state=AssignmentState.OPEN, due_at__lte=now)
    )


def on_time_counts(assignments: QuerySet[Assignment], now: datetime) -> dict[int, OnTime]:
    """Each reviewer's on-time figures over these assignments, in one grouped query."""
    rows = (
        assignments.filter(_came_due(now))
        .values("reviewer_id")
        .annotate(
            came_due=Count("pk"),
            on_time=Count("pk", filter=Q(state=AssignmentState.SUBMITTED, ended_at__lte=F("due_at"))),
        )
        .order_by()
    )
    return {row["reviewer_id"]: OnTime(on_time=row["on_time"], came_due=row["came_due"]) for row in rows}


def on_time_by_reviewer(
    *,
    issuer_id: int,
    reviewer_ids: Iterable[int] | None = None,
    credential_id: int | None = None,
    version_id: int | None = None,
    due_from: datetime | None = None,
    due_until: datetime | None = None,
    now: datetime | None = None,
) -> dict[int, OnTime]:
    """Each reviewer's on-time rate on the issuer's credentials, in one grouped query. A reviewer with nothing
    that came due is absent (use `.get(user_id, OnTime(0, 0))`). No access check: the caller has made it."""
    assignments = Assignment.objects.filter(attempt__version__credential__issuer_id=issuer_id)
    if reviewer_ids is not None:
        assignments = assignments.filter(reviewer_id__in=list(reviewer_ids))
    if credential_id is not None:
        assignments = assignments.filter(attempt__version__credential_id=credential_id)
    if version_id is not None:
        assignments = assignments.filter(attempt__version_id=version_id)
    if due_from is not None:
        assignments = assignments.filter(due_at__gte=due_from)
    if due_until is not None:
        assignments = assignments.filter(due_at__lt=due_until)
    return on_time_counts(assignments, now or timezone.now())
