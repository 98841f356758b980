"""The attempt's life, from submit to badge: the one owner of every transition that spans rooms.

As Open edX ORA2's workflow API owns a submission's status and calls the step APIs, this module calls
the lower rooms, and they never call back:
  submissions  freezes the draft into an attempt and moves its status (attempt_freeze, attempt_transition);
  reviews      knows the attempt limit and grants, fills the panel, records reviews and decides
               (attempts_allowed, attempt_review_start, review_submit, decision_make, decision_override);
  awards       issues and revokes the badge (badge_issue_on_commit, badge_revoke);
  pathways     issues each pathway the new badge completes (pathways_check_on_commit, beside the badge's task).
Each transition below runs in one transaction; a badge is issued by a task queued on commit, so a
rolled-back decision never issues one. The pages, the API, the admin and the commands all come here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.participants import ParticipationRequired, participation_refusal
from awards.models import Badge
from awards.services import badge_revoke
from awards.tasks import badge_issue_on_commit
from coaching.services import coaching_shares_end
from cohorts.services import voucher_redeem
from core.errors import InvalidState
from pathways.tasks import pathways_check_on_commit
from reviews import services as reviews
from reviews.models import Appeal, Assignment, Decision, DecisionOutcome, Review
from reviews.selectors import attempts_allowed
from reviews.services.appeals import appeal_blocks_submit, appeal_decide
from reviews.services.appeals import appeal_request as reviews_appeal_request
from submissions import services as submissions
from submissions.models import Attempt, AttemptStatus, Submission


def attempt_submit(*, submission: Submission, actor: User) -> Attempt:
    """Submit the draft as the next attempt: the first one, or a resubmission after "not yet earned".

    Page and API alike come here. In one transaction the submission is locked, the attempt limit (the
    policy's plus any extra attempt granted) is read, the draft is frozen, and the review starts: the
    educator is told it arrived and the panel is assigned. A participant under 18 is refused first until the
    consents their definition needs are given (accounts.participants)."""
    refusal = participation_refusal(user=actor, definition=submission.version.spec)
    if refusal is not None:
        raise ParticipationRequired(refusal)
    with transaction.atomic():
        locked = submissions.submission_lock(submission=submission)
        waiting_on_appeal = appeal_blocks_submit(submission_id=locked.pk)
        if waiting_on_appeal:
            raise InvalidState(waiting_on_appeal)
        attempt = submissions.attempt_freeze(
            submission=locked, actor=actor, attempts_allowed=attempts_allowed(submission=locked)
        )
        voucher_redeem(attempt=attempt)  # a group's voucher for this credential, where its issuer accepts them
        coaching_shares_end(submission=locked, actor=actor)  # coaches lose the draft once it is submitted
        reviews.attempt_review_start(attempt=attempt)
        locked.refresh_from_db(fields=["status", "updated_at"])
    submission.status, submission.updated_at = locked.status, locked.updated_at
    attempt.refresh_from_db(fields=["status", "status_changed_at"])
    return attempt


def review_submit(*, assignment: Assignment, reviewer: User, scores: Mapping[str, Any] | None = None) -> Review:
    """Submit a review, and decide the attempt if it was the last one the policy needs.

    Scores sent along are saved first, in their own transaction, so they are kept even when the submit is
    refused. The review and the decision then share one transaction: of two last reviews submitted at the
    same moment, the second to take the attempt's lock sees both and decides (reviews.decision_make)."""
    if scores:
        reviews.review_save(assignment=assignment, reviewer=reviewer, scores=scores)
    with transaction.atomic():
        review = reviews.review_submit(assignment=assignment, reviewer=reviewer)
        _decide(review.attempt, now=review.submitted_at)
        before_appeal = review.attempt.status
        appeal = appeal_decide(review=review, now=review.submitted_at)
        upheld_now = before_appeal != AttemptStatus.EARNED and review.attempt.status == AttemptStatus.EARNED
        if appeal is not None and upheld_now:
            badge_issue_on_commit(attempt=review.attempt)
            pathways_check_on_commit(attempt=review.attempt)
    return review


def _decide(attempt: Attempt, *, now: Any) -> Decision | None:
    before = attempt.status
    decision = reviews.decision_make(attempt=attempt, now=now)
    if before != AttemptStatus.EARNED and attempt.status == AttemptStatus.EARNED:
        badge_issue_on_commit(attempt=attempt)
        pathways_check_on_commit(attempt=attempt)
    return decision


def decision_override(*, admin: User, decision: Decision, outcome: str, reason: str) -> Decision:
    """An issuer admin replaces a decision's outcome. The badge follows the outcome that now stands, in the
    same transaction: issued (on commit) when it is earned, revoked when it no longer is. Both are read
    from the new outcome alone, so the order of two overrides cannot leave a badge out of step."""
    with transaction.atomic():
        decision = reviews.decision_override(admin=admin, decision=decision, outcome=outcome, reason=reason)
        attempt = decision.attempt
        if decision.outcome == DecisionOutcome.EARNED:
            badge_issue_on_commit(attempt=attempt)
            pathways_check_on_commit(attempt=attempt)
        else:
            for badge in Badge.objects.filter(attempt=attempt, revoked_at__isnull=True):
                badge_revoke(
                    admin=admin, badge=badge, reason=f"The decision was overridden: {decision.override_reason}"
                )
    return decision


def appeal_request(*, attempt: Attempt, educator: User, reasons: Mapping[str, str]) -> Appeal:
    """The educator appeals the "not yet earned" decision on their latest attempt (reviews.services.appeals has
    the rules): in one transaction the appeal is recorded, both sides are told and its fresh seat is filled or
    left waiting. The appeal is decided by review_submit above, when its reviewer submits; an upheld one issues
    the badge there, on commit, as any earned decision does."""
    with transaction.atomic():
        return reviews_appeal_request(attempt=attempt, educator=educator, reasons=reasons)
