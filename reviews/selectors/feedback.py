"""The decision on an attempt as its educator reads it: per criterion the levels given and the reviewers'
reasoning and suggestions, the reviewers named only "Reviewer 1", "Reviewer 2" ..., and what to do next."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext

from catalog.definition_text import definition_shown
from reviews.anonymise import Redactor
from reviews.models import Decision, DecisionOutcome, SeatRole
from reviews.selectors.access import Viewer, active_user_id, is_issuer_admin
from reviews.selectors.attempts import resubmission_status
from submissions.models import Attempt


@dataclass(frozen=True)
class FeedbackLevel:
    reviewer: str  # "Reviewer 1"; "Reviewer 3 (lead)" for an adjudicator
    level: str | None
    level_label: str
    passed: bool | None
    reasoning: str
    suggestion: str


@dataclass(frozen=True)
class FeedbackCriterion:
    id: str
    title: str
    part: str | None
    part_title: str
    passed: bool | None
    reason: str
    levels: list[FeedbackLevel]


@dataclass(frozen=True)
class Feedback:
    attempt_number: int
    outcome: str
    outcome_label: str
    decided_at: datetime
    overridden: bool
    override_reason: str
    criteria: list[FeedbackCriterion]
    next_steps: list[str]
    issuer_feedback: str
    attempts_used: int
    attempts_allowed: int
    can_resubmit: bool
    coaching_url: str

    def for_part(self, part_id: str | None) -> list[FeedbackCriterion]:
        """The criteria that judge one part, to show beside it on the next attempt's form."""
        return [c for c in self.criteria if c.part == part_id]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def feedback_from_decision(attempt: Attempt, decision: Decision, *, redact: Redactor | None = None) -> Feedback:
    """The feedback a decision gives, without an access check: callers have made theirs. `redact` takes the
    candidate's identity out of the comments, for the reviewers of a resubmission."""
    # The criteria, levels and parts named as the reader's pages name them: in their language where translated.
    definition = definition_shown(decision.version.spec)
    labels = {level.id: level.label for level in definition.rubric.levels}
    passing = set(definition.rubric.passing_levels())
    parts = {p.id: p.title for p in definition.parts}
    results = {c["criterion"]: c for c in decision.results.get("criteria", [])}

    def clean(text: str) -> str:
        return redact.text(text) if redact is not None else text

    criteria = []
    for criterion in definition.rubric.criteria:
        result = results.get(criterion.id, {})
        levels = []
        for number, given in enumerate(decision.inputs, start=1):
            level = given["scores"].get(criterion.id) or None
            comments = given.get("comments", {}).get(criterion.id, {})
            lead = given.get("role") == SeatRole.ADJUDICATOR
            levels.append(
                FeedbackLevel(
                    reviewer=(gettext("Reviewer %(number)s (lead)") if lead else gettext("Reviewer %(number)s"))
                    % {"number": number},
                    level=level,
                    level_label=labels.get(level or "", ""),
                    passed=(level in passing) if level else None,
                    reasoning=clean(comments.get("reasoning", "")),
                    suggestion=clean(comments.get("suggestion", "")),
                )
            )
        criteria.append(
            FeedbackCriterion(
                id=criterion.id,
                title=criterion.title,
                part=criterion.part,
                part_title=parts.get(criterion.part or "", gettext("Whole submission")),
                passed=result.get("passed"),
                reason=str(result.get("reason", "")),
                levels=levels,
            )
        )
    status = resubmission_status(submission=attempt.submission)
    earned = decision.outcome == DecisionOutcome.EARNED
    if earned:
        steps = [gettext("Nothing more to do for this credential: it is earned.")]
    else:
        failing = [c.title for c in criteria if c.passed is False]
        steps = [
            gettext("Revise what the reviewers describe for: %(criteria)s.") % {"criteria": ", ".join(failing)}
            if failing
            else gettext("Revise your work.")
        ]
        steps.append(status.message)
    return Feedback(
        attempt_number=attempt.number,
        outcome=decision.outcome,
        outcome_label=str(DecisionOutcome(decision.outcome).label),
        decided_at=decision.decided_at,
        overridden=decision.overridden_at is not None,
        override_reason=clean(decision.override_reason),
        criteria=criteria,
        next_steps=steps,
        issuer_feedback="" if earned else (definition.review_policy.feedback or ""),
        attempts_used=status.used,
        attempts_allowed=status.allowed,
        can_resubmit=status.can_resubmit and not earned,
        coaching_url=status.coaching_url,
    )


def feedback_for_attempt(*, attempt: Attempt, viewer: Viewer | None) -> Feedback:
    """The decision on an attempt as its educator reads it: the outcome, per criterion the levels given and
    the reviewers' reasoning and suggestions (reviewers anonymous), and what to do next. 404 before the
    decision, and for anyone but the educator and the issuer's admins."""
    uid = active_user_id(viewer)
    owner = uid is not None and attempt.submission.educator_id == uid
    if not owner and not is_issuer_admin(user=viewer, issuer_id=attempt.submission.credential.issuer_id):
        raise Http404("no such attempt")
    decision = Decision.objects.select_related("version").filter(attempt=attempt).first()
    if decision is None:
        raise Http404("this attempt has not been decided yet")
    return feedback_from_decision(attempt, decision)
