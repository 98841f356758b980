"""What the reviews' services share: the row locks, in the one order they are taken, and the reason rule.

Locking. Everything that changes an attempt's review takes, in this order and never another:
  1. the Submission row, then 2. the Attempt row (submissions.services does the same, so
  attempt_transition called from here re-takes locks already held and cannot deadlock with a withdraw),
  3. the Assignment row concerned, then 4. the ReviewerProfile rows of the candidates, in one statement
  ordered by primary key (see `lock_profiles`).
A transaction takes at most one such profile-lock statement: two statements, each ordered, could still
interleave with another transaction's and deadlock. Work on *other* attempts that a change makes
possible (a reviewer freed capacity or became calibrated: waiting seats may now be filled) runs after
commit, in its own transactions (panels.seats_fill_waiting_after_commit), for the same reason.

On SQLite there are no row locks; every transaction begins IMMEDIATE (microcred.env), which serialises
writers as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import formats, timezone

from accounts.models import ReviewerProfile
from core.errors import FieldError, InvalidInput
from reviews.models import Assignment
from reviews.scores import MAX_COMMENT_CHARS
from submissions.models import Attempt, Submission


def lock_attempt(attempt: Attempt) -> tuple[Submission, Attempt]:
    """Lock order steps 1 and 2. The attempt comes back with its credential, so its issuer is at hand."""
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("educator").get(pk=attempt.submission_id)
    )
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("version__credential__issuer", "submission__educator")
        .get(pk=attempt.pk)
    )
    return submission, locked


def lock_assignment(assignment: Assignment) -> tuple[Attempt, Assignment]:
    """Lock order steps 1 to 3, for a change to one assignment."""
    _, attempt = lock_attempt(assignment.attempt)
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("seat", "reviewer").get(pk=assignment.pk)
    return attempt, locked


def lock_profiles(user_ids: Iterable[int]) -> None:
    """Lock order step 4: the reviewer profiles whose load is about to be read and raised.

    Two attempts assigned at once must not both count a reviewer's open assignments as 4 of 5 and both
    add one; holding these rows until commit makes the second count after the first has written. One
    statement, ordered by primary key, so two transactions lock overlapping sets in the same order."""
    ids = sorted(set(user_ids))
    if ids:
        list(ReviewerProfile.objects.select_for_update().filter(user_id__in=ids).order_by("pk").values_list("pk"))


def issuer_id_of(attempt: Attempt) -> int:
    """The issuer an attempt's audit entries belong to, so its admins can read them."""
    return attempt.version.credential.issuer_id


def reason_required(reason: str | None, *, field: str = "reason", what: str) -> str:
    """The reason an admin or reviewer gives for a change, trimmed; refused when missing or too long."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput([FieldError(field, f"a reason is required: {what}")])
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput([FieldError(field, f"keep the reason under {MAX_COMMENT_CHARS} characters")])
    return text


def date_text(value: datetime) -> str:
    """A date as notifications print it, in the site's time zone."""
    return str(formats.date_format(timezone.localtime(value), "DATE_FORMAT"))
