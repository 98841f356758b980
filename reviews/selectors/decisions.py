"""What a decision is made from: the submitted reviews of an attempt, in seat order."""

from __future__ import annotations

from typing import Any

from reviews import policy
from reviews.models import AssignmentState, Review, ReviewState, SeatRole
from submissions.models import Attempt


def decision_inputs(*, attempt: Attempt) -> tuple[list[policy.ReviewInput], list[dict[str, Any]]]:
    """The submitted reviews in seat order, as the policy takes them and as the decision stores them."""
    reviews = (
        Review.objects.filter(attempt=attempt, state=ReviewState.SUBMITTED, assignment__state=AssignmentState.SUBMITTED)
        .select_related("assignment__seat")
        .prefetch_related("scores")
        .order_by("assignment__seat__position")
    )
    inputs, snapshot = [], []
    for review in reviews:
        seat = review.assignment.seat
        scores = {s.criterion: s.level for s in review.scores.all()}
        role: policy.Role = "adjudicator" if seat.role == SeatRole.ADJUDICATOR else "panel"
        inputs.append(policy.ReviewInput(scores=scores, role=role, seat_kind=seat.kind))
        snapshot.append(
            {
                "seat": seat.position,
                "role": seat.role,
                "kind": seat.kind,
                "review": review.pk,
                "reviewer": review.reviewer_id,
                "scores": scores,
                "comments": {
                    s.criterion: {"reasoning": s.reasoning, "suggestion": s.suggestion} for s in review.scores.all()
                },
            }
        )
    return inputs, snapshot
