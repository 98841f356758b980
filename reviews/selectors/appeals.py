"""Appeals as each person may read them: the educator who owns the attempt (the form and the status), the
issuer's admins (on the attempt's record) and the fresh reviewer (the reasons, anonymised, on the scoring
page). Anyone else gets Http404. The rules themselves are reviews.services.appeals'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from reviews.anonymise import Redactor
from reviews.models import LIVE_STATES, Appeal, Assignment, AssignmentState, Decision, DecisionOutcome, SeatRole
from reviews.selectors.access import Viewer, active_user, is_issuer_admin
from submissions.models import Attempt


def appeal_window_end(decision: Decision, window_days: int) -> datetime:
    """When the window to appeal this decision closes: `window_days` after its "not yet earned" was made."""
    return (decision.overridden_at or decision.decided_at) + timedelta(days=window_days)


def failed_criteria(decision: Decision) -> list[str]:
    """The criteria that did not pass in the decision as it stands (the ones an appeal may contest)."""
    return [c["criterion"] for c in decision.results.get("criteria", []) if not c.get("passed")]


def appeal_refusal(*, attempt: Attempt, decision: Decision | None, now: datetime) -> str | None:
    """Why this attempt cannot be appealed now, in words for its educator; None when it can. The caller holds
    the attempt's lock (or only reads, to decide whether to offer the form)."""
    appeals = attempt.version.spec.review_policy.appeals
    if appeals is None:
        return gettext("This credential's review policy does not provide for appeals.")
    if decision is None or decision.outcome != DecisionOutcome.NOT_YET_EARNED:
        return gettext('Only a "not yet earned" decision can be appealed.')
    if not failed_criteria(decision):
        # An override to "not yet earned" leaves every criterion passed in the results: nothing to re-score.
        return gettext("The issuer changed this decision, and no criterion failed; ask the issuer about it instead.")
    if Appeal.objects.filter(attempt_id=attempt.pk).exists():
        return gettext("This attempt has already been appealed; each attempt can be appealed once.")
    if attempt.submission.attempts.filter(number__gt=attempt.number).exists():
        return gettext("You have submitted a later attempt; only the latest attempt can be appealed.")
    ends = appeal_window_end(decision, appeals.window_days)
    if now >= ends:
        return ngettext(
            "The window to appeal closed %(days)d day after the decision, on %(date)s.",
            "The window to appeal closed %(days)d days after the decision, on %(date)s.",
            appeals.window_days,
        ) % {"days": appeals.window_days, "date": formats.date_format(timezone.localtime(ends), "DATE_FORMAT")}
    return None


@dataclass(frozen=True)
class ContestedCriterion:
    id: str
    title: str
    reason: str
    level: str = ""  # the fresh reviewer's level label, once decided
    passed: bool | None = None  # None until decided


@dataclass(frozen=True)
class AppealForm:
    """What the educator's appeal form needs: the attempt, the criteria they may contest, and whether they may."""

    attempt: Attempt
    criteria: list[tuple[str, str]]  # (id, title) of each criterion that did not pass
    refusal: str | None
    window_ends_at: datetime | None
    appeal: Appeal | None


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    attempt: Attempt
    credential: str
    criteria: list[ContestedCriterion]
    reviewer_assigned: bool
    reviewer: str = ""  # for the issuer's admins only


def _attempt_for_owner(user: Viewer | None, attempt_id: int) -> Attempt:
    found = active_user(user)
    attempt = (
        Attempt.objects.select_related("submission", "version__credential__issuer")
        .filter(pk=attempt_id, submission__educator_id=found.pk if found else None)
        .first()
    )
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


def appeal_form_for_educator(*, user: Viewer | None, attempt_id: int) -> AppealForm:
    """The owner's appeal form for one attempt; 404 for anyone else."""
    attempt = _attempt_for_owner(user, attempt_id)
    decision = Decision.objects.filter(attempt=attempt).first()
    appeal = Appeal.objects.filter(attempt=attempt).first()
    titles = {c.id: c.title for c in attempt.version.spec.rubric.criteria}
    criteria = [(cid, titles.get(cid, cid)) for cid in failed_criteria(decision)] if decision else []
    appeals = attempt.version.spec.review_policy.appeals
    ends = appeal_window_end(decision, appeals.window_days) if decision and appeals else None
    return AppealForm(
        attempt=attempt,
        criteria=criteria,
        refusal=appeal_refusal(attempt=attempt, decision=decision, now=timezone.now()),
        window_ends_at=ends,
        appeal=appeal,
    )


def appeal_offer(*, user: Viewer | None, attempt: Attempt) -> AppealForm | None:
    """For the educator's attempt page: the appeal already made, or the form's offer while one can be made;
    None when there is nothing to say (not theirs, earned, no appeals in the policy, the window closed)."""
    found = active_user(user)
    if found is None or attempt.submission.educator_id != found.pk:
        return None
    form = appeal_form_for_educator(user=user, attempt_id=attempt.pk)
    if form.appeal is None and form.refusal is not None:
        return None
    return form


def _view(appeal: Appeal, *, admin: bool) -> AppealView:
    attempt = appeal.attempt
    rubric = attempt.version.spec.rubric
    titles = {c.id: c.title for c in rubric.criteria}
    labels = {lv.id: lv.label for lv in rubric.levels}
    criteria = []
    for cid, reason in appeal.reasons.items():
        result = appeal.results.get(cid) or {}
        criteria.append(
            ContestedCriterion(
                id=cid,
                title=titles.get(cid, cid),
                reason=reason,
                level=labels.get(result.get("level", ""), "") if result else "",
                passed=result.get("passed") if result else None,
            )
        )
    holder = None
    if appeal.seat_id is not None:
        holder = (
            Assignment.objects.filter(seat_id=appeal.seat_id, state__in=LIVE_STATES).select_related("reviewer").first()
        )
    return AppealView(
        appeal=appeal,
        attempt=attempt,
        credential=attempt.version.spec.title,
        criteria=criteria,
        reviewer_assigned=holder is not None,
        reviewer=(holder.reviewer.name or holder.reviewer.email) if admin and holder is not None else "",
    )


def appeal_get_for_educator(*, user: Viewer | None, appeal_id: int) -> AppealView:
    """The appeal's status for the educator who made it; 404 for anyone else."""
    found = active_user(user)
    appeal = (
        Appeal.objects.select_related("attempt__submission", "attempt__version__credential")
        .filter(pk=appeal_id, educator_id=found.pk if found else None)
        .first()
    )
    if appeal is None:
        raise Http404("no such appeal")
    return _view(appeal, admin=False)


def appeal_for_admin(*, user: Viewer | None, attempt: Attempt) -> AppealView | None:
    """The attempt's appeal for the issuer's admins (the attempt's record page), or None."""
    if not is_issuer_admin(user=user, issuer_id=attempt.version.credential.issuer_id):
        return None
    appeal = (
        Appeal.objects.select_related("attempt__submission", "attempt__version__credential")
        .filter(attempt_id=attempt.pk)
        .first()
    )
    return _view(appeal, admin=True) if appeal is not None else None


def appeal_reasons_for_reviewer(*, assignment: Assignment, redact: Redactor) -> list[ContestedCriterion]:
    """What the fresh reviewer is shown of the appeal they hold the seat of: the contested criteria and the
    educator's reasons, anonymised as the attempt is. Nothing for any other seat."""
    if assignment.seat.role != SeatRole.APPEAL:
        return []
    appeal = Appeal.objects.filter(seat_id=assignment.seat_id).first()
    if appeal is None:
        return []
    titles = {c.id: c.title for c in assignment.attempt.version.spec.rubric.criteria}
    return [
        ContestedCriterion(id=cid, title=titles.get(cid, cid), reason=str(redact.value(reason)))
        for cid, reason in appeal.reasons.items()
    ]


def appeal_files_open(assignment: Assignment) -> bool:
    """Whether this assignment is an appeal's, still open: its reviewer needs the decided attempt's files."""
    return assignment.seat.role == SeatRole.APPEAL and assignment.state == AssignmentState.OPEN
