"""Reads of submissions, always through an access check: anyone who may not see an object gets Http404,
exactly as if it did not exist, so ids reveal nothing.

Here only the educator who owns a submission may see it, its attempts and its evidence. Reviewers see
attempts and evidence through their assignments (reviews.selectors); a download route that serves both
asks workflow.selectors, the one room that knows both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.audit import audit_trail
from core.compiled import CompiledModels
from core.models import AuditEvent
from submissions.models import LAST_SAVED_AT, Attempt, EventKind, Evidence, Submission
from submissions.services.retention import EVIDENCE_FILES_DELETED, DeletionReason

# Who a read is for: a request's user (possibly signed out) or, from code, a user or nobody.
Viewer = User | AnonymousUser | None

# A submission's events live in the one audit log as "submission.<EventKind>" (written by
# submissions.services._common.event_record).
_ACTIONS = {f"submission.{kind}": EventKind(kind) for kind in EventKind.values}


def _user_id(user: Viewer) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def submission_get_for_educator(*, user: Viewer, submission_id: int) -> Submission:
    """The submission with its draft, credential, issuer and definition version; 404 unless `user` owns it."""
    owner = _user_id(user)
    submission = (
        Submission.objects.select_related("draft", "credential__issuer", "version")
        .filter(pk=submission_id, educator_id=owner)
        .first()
        if owner is not None
        else None
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


# Both lists are read by every answer about a submission, autosave's included: their SQL is built once per connection.
_DRAFT_EVIDENCE: CompiledModels[Evidence] = CompiledModels(
    lambda pk: Evidence.objects.filter(submission_id=pk, in_draft=True), int
)
_ATTEMPT_SUMMARIES: CompiledModels[Attempt] = CompiledModels(
    lambda pk: (
        Attempt.objects.filter(submission_id=pk)
        .select_related("version")
        .only("number", "status", "submitted_at", "version__number")
        .order_by("number")
    ),
    int,
)


def submission_evidence(*, submission: Submission) -> list[Evidence]:
    """The files attached to the draft now (the caller has already been through an access check)."""
    return _DRAFT_EVIDENCE.all(submission.pk)


def submission_attempts(*, submission: Submission) -> list[Attempt]:
    return list(Attempt.objects.filter(submission=submission).select_related("version").order_by("number"))


def submission_attempt_summaries(*, submission: Submission) -> list[Attempt]:
    """The attempts as a list of them shows each (number, status, when, the version's number), oldest first,
    without their texts and the definition: the API's submission answers, autosave's included, carry this list."""
    return _ATTEMPT_SUMMARIES.all(submission.pk)


@dataclass(frozen=True)
class SubmissionEvent:
    """One event of a submission's history, read back from the audit log. `data` is what the event
    recorded beyond the attempt it concerns (e.g. the advice given on submit, the decision's id)."""

    kind: EventKind
    at: datetime
    actor_id: int | None
    old_status: str
    new_status: str
    attempt_id: int | None
    attempt_number: int | None
    data: dict[str, Any]

    @property
    def label(self) -> str:
        return str(self.kind.label)


@dataclass(frozen=True)
class TimelineEntry:
    """A line of the timeline on the educator's submission page."""

    label: str
    at: datetime
    attempt: int | None  # the attempt's number


def submission_events(*, submission: Submission) -> list[SubmissionEvent]:
    """The submission's history, oldest first (the caller has already been through an access check)."""
    events = []
    for row in audit_trail(subject=submission, actions=tuple(_ACTIONS)):
        data = dict(row.data)
        attempt_id, attempt_number = data.pop("attempt", None), data.pop("attempt_number", None)
        events.append(
            SubmissionEvent(
                kind=_ACTIONS[row.action],
                at=row.at,
                actor_id=row.actor_id,
                old_status=row.old,
                new_status=row.new,
                attempt_id=attempt_id,
                attempt_number=attempt_number,
                data=data,
            )
        )
    return events


def submission_timeline(*, submission: Submission) -> list[TimelineEntry]:
    """The timeline the educator reads, oldest first (the caller has already been through an access check)."""
    return [
        TimelineEntry(
            label=_("In progress (first saved)") if event.kind == EventKind.SAVED else str(event.label),
            at=event.at,
            attempt=event.attempt_number,
        )
        for event in submission_events(submission=submission)
    ]


def attempt_get_for_educator(*, user: Viewer, submission_id: int, number: int) -> Attempt:
    owner = _user_id(user)
    attempt = (
        Attempt.objects.select_related("submission__credential", "version")
        .filter(submission_id=submission_id, number=number, submission__educator_id=owner)
        .first()
        if owner is not None
        else None
    )
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


def evidence_get_for_owner(*, user: Viewer, evidence_id: int) -> Evidence:
    """An evidence file of the user's own (including files kept only by an earlier attempt); 404 otherwise."""
    owner = _user_id(user)
    item = (
        Evidence.objects.select_related("submission").filter(submission__educator_id=owner, pk=evidence_id).first()
        if owner is not None
        else None
    )
    if item is None:
        raise Http404("no such file")
    return item


@dataclass(frozen=True)
class EvidenceDeleted:
    """When and why an evidence file's stored copies were deleted (its row and metadata stay)."""

    at: datetime
    reason: str  # a DeletionReason

    @property
    def why(self) -> str:
        return str(DeletionReason(self.reason).label) if self.reason in DeletionReason.values else ""


def evidence_deletions(*, evidence_ids: Iterable[int]) -> dict[int, EvidenceDeleted]:
    """The deletion of each of these files that has been deleted (submissions.services.evidence_files_delete),
    from the audit log; files still stored are absent. The caller has already cleared the files for its viewer."""
    ids = sorted(set(evidence_ids))
    if not ids:
        return {}
    events = AuditEvent.objects.filter(
        action=EVIDENCE_FILES_DELETED, subject_type="evidence", subject_id__in=ids
    ).order_by("at", "id")
    return {event.subject_id: EvidenceDeleted(at=event.at, reason=event.new) for event in events}


def evidence_deletion_message(item: Evidence, *, owner: bool) -> str:
    """What a download of a deleted file answers instead of the file."""
    deleted = evidence_deletions(evidence_ids=[item.pk]).get(item.pk)
    what = item.original_name if owner else _("This evidence file")
    if deleted is None:
        return _("%(what)s was deleted; its name, type and size are kept on the record, but not the file.") % {
            "what": what
        }
    return _(
        "%(what)s was deleted on %(day)s%(why)s; its name, type and size are kept on the record, but not the file."
    ) % {"what": what, "day": date_format(deleted.at, "DATE_FORMAT"), "why": f" {deleted.why}" if deleted.why else ""}


def submissions_list_for_educator(*, user: Viewer) -> QuerySet[Submission]:
    """The educator's submissions, most recently saved first, with what a dashboard row shows; each row's
    `saved_at` is `Submission.last_saved_at()` (autosave moves the submission's own time once a minute, the draft's
    on every save).

    One query whatever the number of rows: the credential and issuer are joined, the draft's time too, and the
    latest attempt's number is an aggregate rather than a per-row lookup."""
    owner = _user_id(user)
    if owner is None:
        return Submission.objects.none()
    return submissions_list_for_educator_id(owner)


def submissions_list_for_educator_id(owner: int) -> QuerySet[Submission]:
    """submissions_list_for_educator for a signed-in educator's id (a query built once, with the id as its key)."""
    return (
        Submission.objects.filter(educator_id=owner)
        .select_related("credential__issuer", "version")
        .annotate(
            latest_attempt=Max("attempts__number"),
            saved_at=LAST_SAVED_AT,
        )
        .order_by("-saved_at", "-id")
    )


# Marked here, translated when read (next_step), so each reader gets their own language.
NEXT_STEPS: dict[str, str] = {
    "started": gettext_noop("Fill in the form"),
    "in_progress": gettext_noop("Finish the form and submit it"),
    "submitted": gettext_noop("Wait for review to start (you can still withdraw)"),
    "resubmitted": gettext_noop("Wait for review to start (you can still withdraw)"),
    "returned_incomplete": gettext_noop("Complete what is missing and submit again"),
    "in_review": gettext_noop("Wait for the reviewers' decision"),
    "not_yet_earned": gettext_noop("Read the feedback, revise and resubmit"),
    "earned": gettext_noop("Nothing: the credential is earned"),
    "withdrawn": gettext_noop("Edit the draft and submit when ready"),
}


def next_step(submission: Submission) -> str:
    return next_step_for_status(submission.status)


def next_step_for_status(status: str) -> str:
    step = NEXT_STEPS.get(status, "")
    return _(step) if step else ""
