"""How many attempts a submission may have and has used, and what its educator may do next."""

from __future__ import annotations

from dataclasses import dataclass

from reviews import links
from reviews.models import AttemptGrant
from submissions.models import AttemptStatus, Status, Submission

# Attempts that do not count against the limit (nobody judged them); the same as submissions' rule.
UNJUDGED = (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)


def attempts_allowed(*, submission: Submission) -> int:
    """The policy's attempt limit plus every extra attempt an admin granted."""
    return (
        submission.version.spec.review_policy.attempt_limit + AttemptGrant.objects.filter(submission=submission).count()
    )


@dataclass(frozen=True)
class ResubmissionStatus:
    used: int
    allowed: int
    can_resubmit: bool
    message: str
    coaching_url: str

    @property
    def remaining(self) -> int:
        return max(self.allowed - self.used, 0)


def resubmission_status(*, submission: Submission) -> ResubmissionStatus:
    """How many judged attempts are used and allowed, and what the educator may do next."""
    used = submission.attempts.exclude(status__in=UNJUDGED).count()
    allowed = attempts_allowed(submission=submission)
    coaching = links.coaching_path(submission.credential)
    if submission.status == Status.EARNED:
        return ResubmissionStatus(used, allowed, False, "The credential is earned: nothing more to submit.", coaching)
    if used >= allowed:
        return ResubmissionStatus(
            used,
            allowed,
            False,
            f"You have used all {allowed} attempts this credential allows. The resources on the credential's "
            "page can help you build the practice it asks for; the issuer can grant another attempt.",
            coaching,
        )
    left = allowed - used
    return ResubmissionStatus(
        used,
        allowed,
        submission.is_editable,
        f"You can revise your draft and submit again: {left} attempt{'s' if left != 1 else ''} left.",
        coaching,
    )
