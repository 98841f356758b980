"""Scoring: a reviewer's autosaved scores against the attempt's frozen rubric, what stands between a review
and submitting it, and the final submit. The decision that may follow is workflow.review_submit's call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from catalog.definition_text import definition_shown
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from reviews.models import Assignment, AssignmentState, Review, ReviewState, Score
from reviews.scores import scores_parse
from reviews.services._shared import issuer_id_of, lock_assignment
from reviews.services.panels import seats_fill_waiting_after_commit

# Below the passing level a score needs a reasoning and a suggestion of at least this many words each:
# enough to rule out "no" or "see above", short enough never to stand in a careful reviewer's way.
MIN_COMMENT_WORDS = 4


def _words(text: str) -> int:
    return len(text.split())


def _open_assignment(assignment: Assignment, reviewer: User) -> Assignment:
    if assignment.reviewer_id != reviewer.pk:
        raise NotAllowed(gettext("only the assigned reviewer can score this attempt"))
    if assignment.state != AssignmentState.OPEN:
        raise InvalidState(
            gettext("this assignment is %(state)s; its scores can no longer change")
            % {"state": assignment.get_state_display().lower()}
        )
    return assignment


# The largest step a review stores (its column is a 32-bit integer on PostgreSQL); a page makes a few hundred.
MAX_SAVE_STEP = 2**31 - 1


class SaveOrder(NamedTuple):
    """Where a save stands among those one scoring page sent: `page` names the page as drawn, `step` counts up."""

    page: str
    step: int


def _already_holds(review: Review, order: SaveOrder | None) -> bool:
    """Whether the review holds this save or one the same page sent after it (so this one is not applied)."""
    if order is None or not order.page:
        return False
    return review.saved_by_page == order.page and review.saved_step >= order.step


def review_save(
    *, assignment: Assignment, reviewer: User, scores: Mapping[str, Any], order: SaveOrder | None = None
) -> Review:
    """Autosave: merge the criteria sent into the reviewer's draft review; anything not sent is kept.

    `scores` maps criterion ids of the attempt's frozen rubric to {"level", "reasoning", "suggestion"}
    (any of them; a null or empty level clears it), checked by reviews.scores. Whether the comments are
    complete is checked on submit, so a half-written comment is never refused or lost. With `order`, a save
    the same page sent before one already applied changes nothing (the review is returned as it stands)."""
    if order is not None and (not isinstance(order.step, int) or not 0 <= order.step <= MAX_SAVE_STEP):
        raise InvalidInput([FieldError("save_step", gettext("send the save's step as a whole number, 0 or more"))])
    cleaned = scores_parse(scores, rubric=assignment.attempt.version.spec.rubric)
    now = timezone.now()
    with transaction.atomic():
        # Autosaves of one review queue on its assignment row; nothing else is locked, so scoring never
        # waits on the attempt (lock step 3 alone is a prefix-free subset of the order).
        locked = (
            Assignment.objects.select_for_update(of=("self",)).select_related("attempt__version").get(pk=assignment.pk)
        )
        _open_assignment(locked, reviewer)
        review, _ = Review.objects.get_or_create(
            assignment=locked,
            defaults={"attempt_id": locked.attempt_id, "reviewer": reviewer, "created_at": now, "updated_at": now},
        )
        if _already_holds(review, order):
            return review
        existing = {s.criterion: s for s in review.scores.all()}
        for cid, entry in cleaned.items():
            score = existing.get(cid) or Score(review=review, criterion=cid, updated_at=now)
            for key, value in entry.items():
                setattr(score, key, value)
            score.updated_at = now
            score.save()
        review.updated_at = now
        fields = ["updated_at"]
        if order is not None:
            review.saved_by_page, review.saved_step = order.page, order.step
            fields += ["saved_by_page", "saved_step"]
        review.save(update_fields=fields)
    return review


def review_problems(*, review: Review | None, assignment: Assignment) -> list[FieldError]:
    """What stands between this review and submitting it (empty: it can be submitted)."""
    # Named as the reviewer's page shows them: in its language where the definition has a translation.
    rubric = definition_shown(assignment.attempt.version.spec).rubric
    passing = set(rubric.passing_levels())
    labels = {level.id: level.label for level in rubric.levels}
    passing_label = labels[rubric.passing_level]
    scores = {s.criterion: s for s in review.scores.all()} if review is not None else {}
    problems = []
    for criterion in rubric.criteria:
        score = scores.get(criterion.id)
        if score is None or not score.level:
            problems.append(
                FieldError(
                    f"scores.{criterion.id}.level",
                    gettext("choose a level for %(title)s") % {"title": criterion.title},
                )
            )
            continue
        if score.level in passing:
            continue
        for key, what in (
            ("reasoning", gettext("explain your reasoning")),
            ("suggestion", gettext("suggest how to improve it")),
        ):
            if _words(getattr(score, key)) < MIN_COMMENT_WORDS:
                problems.append(
                    FieldError(
                        f"scores.{criterion.id}.{key}",
                        gettext("%(title)s is rated %(level)s, below %(passing)s: %(what)s in at least %(words)s words")
                        % {
                            "title": criterion.title,
                            "level": labels[score.level],
                            "passing": passing_label,
                            "what": what,
                            "words": MIN_COMMENT_WORDS,
                        },
                    )
                )
    return problems


def review_submit(*, assignment: Assignment, reviewer: User, scores: Mapping[str, Any] | None = None) -> Review:
    """Submit the review (final). `scores`, when sent, are saved first (as by review_save, so they are kept
    even if the submit is refused). Refused with every missing level and comment named.

    workflow.review_submit calls this and then decision_make in one transaction, so the transaction that
    records the last required review is the one that decides."""
    if scores:
        review_save(assignment=assignment, reviewer=reviewer, scores=scores)
    now = timezone.now()
    with transaction.atomic():
        attempt, locked = lock_assignment(assignment)
        _open_assignment(locked, reviewer)
        review = Review.objects.filter(assignment=locked).prefetch_related("scores").first()
        problems = review_problems(review=review, assignment=locked)
        if problems:
            raise InvalidInput(
                problems,
                message=ngettext(
                    "%(n)d thing to complete before submitting: ",
                    "%(n)d things to complete before submitting: ",
                    len(problems),
                )
                % {"n": len(problems)}
                + "; ".join(p.message for p in problems),
            )
        assert review is not None  # no problems means every criterion has a score
        review.state = ReviewState.SUBMITTED
        review.submitted_at = now
        review.updated_at = now
        review.save(update_fields=["state", "submitted_at", "updated_at"])
        locked.state = AssignmentState.SUBMITTED
        locked.ended_at = now
        locked.save(update_fields=["state", "ended_at"])
        audit_record(
            action="review.submitted",
            subject=locked,
            actor=reviewer,
            old=AssignmentState.OPEN,
            new=AssignmentState.SUBMITTED,
            data={"attempt": attempt.pk, "review": review.pk},
            issuer_id=issuer_id_of(attempt),
            at=now,
        )
        seats_fill_waiting_after_commit()  # the reviewer has capacity again
    assignment.state = locked.state
    return review
