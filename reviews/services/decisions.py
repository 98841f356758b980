"""The decision on an attempt: made once, by the policy, when the last required review is in; or replaced by
an issuer admin's override. The educator is told either way. Issuing or revoking the badge that follows is
workflow's (workflow.review_submit, workflow.decision_override), which calls these in its transaction."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send
from reviews import links, policy
from reviews.calibration import rubric_hash
from reviews.models import Decision, DecisionOutcome, SeatRole
from reviews.selectors.access import is_issuer_admin
from reviews.selectors.attempts import resubmission_status
from reviews.selectors.decisions import decision_inputs
from reviews.services._shared import issuer_id_of, lock_attempt, reason_required
from reviews.services.panels import seats_add
from submissions.models import Attempt, AttemptStatus, EventKind, Submission
from submissions.services import attempt_transition


def _content_hash(value: Any) -> str:
    """A stable hash of a JSON value, whatever the order of its keys."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def decision_make(*, attempt: Attempt, now: datetime | None = None) -> Decision | None:
    """Decide the attempt if every required review is in; otherwise nothing (None).

    Runs in the transaction that records a review. The attempt row is locked (after its submission, the
    lock order) and the submitted reviews are counted again inside the lock, so of two last reviews
    submitted at the same moment the second one to get the lock sees both and decides, and the first
    sees only its own and does not: the decision is made exactly once (the one-to-one on attempt backs
    this up). When the assessors of an adjudicated policy disagree, the adjudication seat is added and
    filled instead; the decision then waits for the lead's review."""
    now = now or timezone.now()
    with transaction.atomic():
        _, locked = lock_attempt(attempt)
        existing = Decision.objects.filter(attempt=locked).first()
        if existing is not None or locked.status != AttemptStatus.IN_REVIEW:
            return existing
        definition = locked.version.spec
        inputs, snapshot = decision_inputs(attempt=locked)
        result = policy.decide(definition.review_policy, definition.rubric, inputs)
        if result.outcome == "incomplete":
            return None
        if result.outcome == "needs_adjudication":
            if not locked.review_seats.filter(role=SeatRole.ADJUDICATOR).exists():
                adjudication = definition.review_policy.adjudication
                assert adjudication is not None  # the schema requires it for this pass rule
                audit_record(
                    action="attempt.adjudication_requested",
                    subject=locked,
                    actor=None,
                    new="needs_adjudication",
                    data={"disputed": list(result.disputed), "reasons": list(result.reasons)},
                    issuer_id=issuer_id_of(locked),
                    at=now,
                )
                seats_add(attempt=locked, specs=[adjudication.seat], role=SeatRole.ADJUDICATOR, now=now)
            return None
        decision = Decision.objects.create(
            attempt=locked,
            outcome=result.outcome,
            original_outcome=result.outcome,
            results=result.as_dict(),
            inputs=snapshot,
            version=locked.version,
            policy_hash=_content_hash(locked.version.definition["review_policy"]),
            rubric_hash=rubric_hash(locked.version.definition),
            decided_at=now,
        )
        audit_record(
            action="decision.made",
            subject=decision,
            actor=None,
            new=result.outcome,
            data={"attempt": locked.pk, "reasons": list(result.reasons)},
            issuer_id=issuer_id_of(locked),
            at=now,
        )
        kind = EventKind.EARNED if result.outcome == DecisionOutcome.EARNED else EventKind.NOT_YET_EARNED
        attempt_transition(attempt=locked, actor=None, kind=kind, data={"decision": decision.pk})
        attempt.status, attempt.status_changed_at = locked.status, locked.status_changed_at
        # Seats still waiting (a policy needing no adjudication never opens one) are no longer needed.
        locked.review_seats.filter(closed_at__isnull=True).update(closed_at=now)
        _notify_decided(locked, decision)
    return decision


def _notify_decided(attempt: Attempt, decision: Decision) -> None:
    definition = attempt.version.spec
    status = resubmission_status(
        submission=Submission.objects.select_related("credential__current_version").get(pk=attempt.submission_id)
    )
    notification_send(
        user=attempt.submission.educator,
        kind=NotificationKind.ATTEMPT_DECIDED,
        context={
            "credential": definition.title,
            "attempt_number": attempt.number,
            "earned": decision.outcome == DecisionOutcome.EARNED,
            "outcome": _english(DecisionOutcome(decision.outcome).label),
            "attempts_left": status.remaining,
        },
        url=links.attempt_path(attempt),
    )


def decision_override(*, admin: User, decision: Decision, outcome: str, reason: str) -> Decision:
    """An issuer admin replaces the outcome of a decision, with a reason; audited, and the educator is told.
    Only the latest attempt's decision can change (a later attempt has superseded an earlier one)."""
    text = reason_required(reason, what="say why the decision is overridden")
    if outcome not in DecisionOutcome.values:
        raise InvalidInput([FieldError("outcome", f"choose one of {', '.join(DecisionOutcome.values)}")])
    now = timezone.now()
    with transaction.atomic():
        submission, attempt = lock_attempt(decision.attempt)
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if not is_issuer_admin(user=admin, issuer_id=attempt.version.credential.issuer_id):
            raise NotAllowed(gettext("only an admin of this credential's issuer can override its decisions"))
        if locked.outcome == outcome:
            raise InvalidInput(
                [
                    FieldError(
                        "outcome",
                        gettext("the decision is already %(label)s")
                        % {"label": DecisionOutcome(outcome).label.lower()},
                    )
                ]
            )
        reopened_elsewhere = (
            outcome == DecisionOutcome.NOT_YET_EARNED
            and not submission.is_open
            and Submission.objects.filter(
                educator_id=submission.educator_id, credential_id=submission.credential_id, is_open=True
            ).exists()
        )
        if reopened_elsewhere:
            raise InvalidState(
                gettext(
                    "the educator has started a new submission for this credential since; this decision "
                    "can no longer be reversed"
                )
            )
        old = locked.outcome
        kind = EventKind.EARNED if outcome == DecisionOutcome.EARNED else EventKind.NOT_YET_EARNED
        attempt_transition(
            attempt=attempt,
            actor=admin,
            kind=kind,
            data={"decision": locked.pk, "override": True, "reason": text},
            override=True,
        )
        locked.outcome = outcome
        locked.overridden_at = now
        locked.overridden_by = admin
        locked.override_reason = text
        locked.save(update_fields=["outcome", "overridden_at", "overridden_by", "override_reason"])
        audit_record(
            action="decision.overridden",
            subject=locked,
            actor=admin,
            old=old,
            new=outcome,
            data={"attempt": attempt.pk, "reason": text},
            issuer_id=issuer_id_of(attempt),
            at=now,
        )
        notification_send(
            user=submission.educator,
            kind=NotificationKind.DECISION_OVERRIDDEN,
            context={
                "credential": attempt.version.spec.title,
                "attempt_number": attempt.number,
                "outcome": _english(DecisionOutcome(outcome).label),
                "earned": outcome == DecisionOutcome.EARNED,
                "reason": text,
            },
            url=links.attempt_path(attempt),
        )
    decision.refresh_from_db()
    return decision


def _english(label: Any) -> str:
    # Outbox rows keep their context as JSON, written in whichever language the acting request runs in; the
    # email is rendered for its recipient later, so a label goes in as the English text it always was.
    with translation.override("en"):
        return str(label)
