"""Attempts: freezing the draft into one, moving it along its statuses, withdrawing it, and replaying
the event history that the status columns cache.

workflow.services owns each transition that spans rooms (submit, decide); the steps here only touch
submissions' own rows and never call up.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.schema import ChoiceField, CredentialDefinition
from core.audit import audit_trail
from core.errors import InvalidState
from core.models import AuditEvent
from submissions.attestations import attested_lists
from submissions.checks import is_blocked
from submissions.copies import copies_record
from submissions.errors import EmailNotConfirmed, NotReady
from submissions.models import (
    EDITABLE_STATUSES,
    Attempt,
    AttemptEvidence,
    AttemptStatus,
    Draft,
    EventKind,
    Evidence,
    Status,
    Submission,
)
from submissions.services._common import ACTION_PREFIX, event_record, lock_for_update, require_owner
from submissions.services.attestations import attestations_freeze
from submissions.services.completeness import draft_findings


def submission_lock(*, submission: Submission) -> Submission:
    """The submission row, locked for the caller's transaction (the first lock of the lock order)."""
    return lock_for_update(submission)


def _grade_band(definition: CredentialDefinition, responses: dict[str, dict[str, Any]]) -> str:
    spec = definition.grade_band_field()
    if not isinstance(spec, ChoiceField):
        return ""
    for part in definition.parts:
        if spec in part.fields:
            value = responses.get(part.id, {}).get(spec.id)
            return value if isinstance(value, str) else ""
    return ""


# Attempts that do not count against review_policy.attempt_limit: nobody judged them.
_UNJUDGED = (AttemptStatus.WITHDRAWN, AttemptStatus.RETURNED_INCOMPLETE)


def attempt_freeze(*, submission: Submission, actor: User, attempts_allowed: int) -> Attempt:
    """Freeze the draft into a new attempt, refused with the findings while any blocking one stands.

    One step of workflow.attempt_submit, which owns the transition: it says how many judged attempts the
    educator may make (reviews knows the grants) and starts the review of what is frozen here."""
    with transaction.atomic():
        # The lock makes a double submit (double click, two tabs) safe: the second call waits here, then
        # finds the status the first one wrote and is refused, so exactly one attempt is frozen.
        locked = lock_for_update(submission)
        require_owner(locked, actor)
        if actor.email_verified_at is None:
            raise EmailNotConfirmed(
                _(
                    "confirm your email address before you submit: open the link we sent to %(email)s, or send a "
                    "new one from your profile. Your draft is saved."
                )
                % {"email": actor.email}
            )
        if locked.status not in EDITABLE_STATUSES:
            raise InvalidState(
                _("this submission is %(status)s; it cannot be submitted again now")
                % {"status": Status(locked.status).label.lower()}
            )
        draft = Draft.objects.select_for_update().get(pk=locked.pk)
        definition = locked.version.spec
        files = list(Evidence.objects.filter(submission=locked, in_draft=True))
        findings = draft_findings(locked, draft)
        if is_blocked(findings):
            raise NotReady(findings)
        previous = locked.attempts.all()
        limit = attempts_allowed
        if previous.exclude(status__in=_UNJUDGED).count() >= limit:
            raise InvalidState(
                _(
                    "You have used all %(limit)s attempts this credential allows. The resources on the "
                    "credential's page can help you build the practice it asks for; the issuer can grant another "
                    "attempt."
                )
                % {"limit": limit}
            )
        number = (previous.aggregate(last=Max("number"))["last"] or 0) + 1
        now = timezone.now()
        attempt = Attempt.objects.create(
            submission=locked,
            number=number,
            version=locked.version,
            responses=copy.deepcopy(draft.responses),
            self_evaluation=copy.deepcopy(draft.self_evaluation) if definition.self_evaluation.enabled else {},
            evidence_manifest=[item.manifest() for item in files],
            grade_band=_grade_band(definition, draft.responses),
            submitted_at=now,
            submitted_by=actor,
            status_changed_at=now,
        )
        AttemptEvidence.objects.bulk_create([AttemptEvidence(attempt=attempt, evidence=item) for item in files])
        if attested_lists(definition):
            attestations_freeze(attempt=attempt, definition=definition)
        first = number == 1
        event_record(
            submission=locked,
            attempt=attempt,
            kind=EventKind.SUBMITTED if first else EventKind.RESUBMITTED,
            actor=actor,
            new_status=Status.SUBMITTED if first else Status.RESUBMITTED,
            data={
                "number": number,
                "version": locked.version.number,
                "content_hash": locked.version.content_hash,
                "advisory": [f.message for f in findings if f.severity == "advisory"],
            },
        )
        locked.save(update_fields=["status", "updated_at"])
        copies_record(attempt=attempt)
    submission.status, submission.updated_at = locked.status, locked.updated_at
    return attempt


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[str]
    attempt_status: str
    submission_status: str


# What each event does to the attempt it concerns and to its submission. Reviews drive in_review,
# returned_incomplete, not_yet_earned and earned through attempt_transition.
TRANSITIONS: dict[str, Transition] = {
    EventKind.IN_REVIEW: Transition(frozenset({AttemptStatus.SUBMITTED}), AttemptStatus.IN_REVIEW, Status.IN_REVIEW),
    EventKind.RETURNED_INCOMPLETE: Transition(
        frozenset({AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW}),
        AttemptStatus.RETURNED_INCOMPLETE,
        Status.RETURNED_INCOMPLETE,
    ),
    EventKind.NOT_YET_EARNED: Transition(
        frozenset({AttemptStatus.IN_REVIEW}), AttemptStatus.NOT_YET_EARNED, Status.NOT_YET_EARNED
    ),
    EventKind.EARNED: Transition(frozenset({AttemptStatus.IN_REVIEW}), AttemptStatus.EARNED, Status.EARNED),
    EventKind.WITHDRAWN: Transition(frozenset({AttemptStatus.SUBMITTED}), AttemptStatus.WITHDRAWN, Status.WITHDRAWN),
}

# An issuer admin's override of a decision (reviews.services.decision_override) moves a decided attempt to
# the other outcome. The event kinds are the outcomes' own, so status_replay needs nothing new.
OVERRIDE_TRANSITIONS: dict[str, Transition] = {
    EventKind.EARNED: Transition(frozenset({AttemptStatus.NOT_YET_EARNED}), AttemptStatus.EARNED, Status.EARNED),
    EventKind.NOT_YET_EARNED: Transition(
        frozenset({AttemptStatus.EARNED}), AttemptStatus.NOT_YET_EARNED, Status.NOT_YET_EARNED
    ),
}


def attempt_transition(
    *, attempt: Attempt, actor: User | None, kind: str, data: dict[str, Any] | None = None, override: bool = False
) -> Attempt:
    """Move the latest attempt of a submission along (see TRANSITIONS, or OVERRIDE_TRANSITIONS when
    `override`), writing the event that says so. Refused when the attempt is not where that move starts from."""
    table = OVERRIDE_TRANSITIONS if override else TRANSITIONS
    if kind not in table:
        raise InvalidState(f"{kind!r} is not a status change an attempt can make")
    rule = table[kind]
    with transaction.atomic():
        locked = lock_for_update(attempt.submission)
        current = Attempt.objects.select_for_update().get(pk=attempt.pk)
        latest = locked.attempts.aggregate(last=Max("number"))["last"]
        if current.number != latest or current.status not in rule.allowed_from:
            raise InvalidState(
                _("attempt %(number)s is %(status)s; it cannot become %(new)s from there")
                % {
                    "number": current.number,
                    "status": AttemptStatus(current.status).label.lower(),
                    "new": AttemptStatus(rule.attempt_status).label.lower(),
                }
            )
        now = timezone.now()
        event_record(
            submission=locked,
            attempt=current,
            kind=kind,
            actor=actor,
            new_status=rule.submission_status,
            data={"attempt_status": [current.status, rule.attempt_status], **(data or {})},
        )
        current.status = rule.attempt_status
        current.status_changed_at = now
        current.save(update_fields=["status", "status_changed_at"])
        if rule.submission_status == Status.EARNED:
            locked.is_open = False
        elif override:
            locked.is_open = True  # an earned decision overridden: the submission is open for a resubmission again
        locked.save(update_fields=["status", "updated_at", "is_open"])
    attempt.status, attempt.status_changed_at = current.status, current.status_changed_at
    return attempt


def attempt_withdraw(*, attempt: Attempt, actor: User) -> Attempt:
    """The educator takes back a submitted attempt; only possible before review starts."""
    require_owner(attempt.submission, actor)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise InvalidState(
            _("attempt %(number)s is %(status)s; an attempt can only be withdrawn before its review starts")
            % {"number": attempt.number, "status": AttemptStatus(attempt.status).label.lower()}
        )
    return attempt_transition(attempt=attempt, actor=actor, kind=EventKind.WITHDRAWN)


def status_replay(*, submission: Submission, events: Iterable[AuditEvent] | None = None) -> tuple[str, dict[int, str]]:
    """The submission status and each attempt's status as the events say they are: the truth that the
    status columns cache. Reads the submission's history from the audit log, or replays `events` (rows of
    that log, oldest first) when the caller already has them."""
    kinds = {ACTION_PREFIX + kind: kind for kind in EventKind.values}
    submission_status = ""
    attempts: dict[int, str] = {}
    for event in audit_trail(subject=submission) if events is None else events:
        kind = kinds.get(event.action)
        if kind is None:
            continue  # another record about the same submission, not one of its status changes
        submission_status = event.new
        attempt_id = event.data.get("attempt")
        if attempt_id is None:
            continue
        if kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
            attempts[attempt_id] = AttemptStatus.SUBMITTED
        elif kind in TRANSITIONS:
            attempts[attempt_id] = TRANSITIONS[kind].attempt_status
    return submission_status, attempts
