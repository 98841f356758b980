"""What every submissions service shares: the lock, the owner and editability checks, and the one way an
event of a submission's history is written.

Locking: the Submission row is the mutex for everything that changes a draft or its attempts. Every
service takes `select_for_update()` on it first (then on the Draft or Attempt where it writes one), always
in that order, so concurrent saves, uploads and submits of one draft run one after another and can never
deadlock each other. On SQLite, which has no row locks, the settings open every transaction with BEGIN
IMMEDIATE, which serialises writers the same way. One write takes no lock first: autosave's draft-only UPDATE
(services.drafts), a single statement guarded by the draft's revision, which holds the draft's row for that
statement alone and waits on nothing else, so it cannot close a cycle either.

The draft's revision moves with every write to the draft, and when the submission stops being editable
(`event_record`): a save read before a submit and written after it finds the revision changed, and is refused.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.errors import InvalidState, NotAllowed
from core.models import AuditEvent
from submissions.models import EDITABLE_STATUSES, Attempt, Draft, Status, Submission

# A submission's events are written to the one audit log under this prefix ("submission.submitted");
# submissions.selectors and status_replay read them back by it.
ACTION_PREFIX = "submission."


def lock_for_update(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",)).select_related("version", "credential").get(pk=submission.pk)
    )


def require_owner(submission: Submission, actor: User) -> None:
    if submission.educator_id != actor.pk:
        raise NotAllowed(_("only the educator who started this submission may change it"))


def require_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE_STATUSES:
        label = Status(submission.status).label.lower()
        raise InvalidState(
            _(
                "this submission is %(status)s, so its draft cannot change now; you can edit it again if it is "
                "returned to you or you withdraw it before review starts"
            )
            % {"status": label}
        )


def event_record(
    *,
    submission: Submission,
    kind: str,
    actor: User | None,
    new_status: str,
    attempt: Attempt | None = None,
    data: dict[str, Any] | None = None,
    old_status: str | None = None,
) -> AuditEvent:
    """Append the event to the audit log and move the submission's cached status to match (the caller saves,
    inside the transaction that holds the submission's lock). When the draft stops being editable, its revision
    moves here: see the module's note on locking.

    The attempt is named in `data` because the log's subject is the submission: status_replay rebuilds
    each attempt's status from data["attempt"]."""
    if submission.status in EDITABLE_STATUSES and new_status not in EDITABLE_STATUSES:
        Draft.objects.filter(pk=submission.pk).update(revision=F("revision") + 1)
    event = audit_record(
        action=ACTION_PREFIX + kind,
        subject=submission,
        actor=actor,
        old=submission.status if old_status is None else old_status,
        new=new_status,
        data={
            **(data or {}),
            "attempt": attempt.pk if attempt is not None else None,
            "attempt_number": attempt.number if attempt is not None else None,
        },
        issuer_id=submission.credential.issuer_id,
    )
    submission.status = new_status
    submission.updated_at = event.at
    return event
