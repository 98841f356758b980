"""Appeals: an educator asks for a fresh look at a "not yet earned" decision, and one fresh reviewer decides.

The rules, and why:
- Only where the attempt's definition version has `review_policy.appeals`; only the educator who owns the
  attempt; only on the latest attempt (a resubmission supersedes it); only while its decision stands at "not
  yet earned"; only within `window_days` of that outcome (the decision, or the override that made it), read
  when the request is made and kept on the row.
- One appeal per attempt, ever: checked under the attempt's lock (lock order steps 1 and 2, as everything in
  reviewing) and backed by the one-to-one on `Appeal.attempt`.
- Each contested criterion must be one that did not pass, with a reason of MIN_REASON_WORDS to
  MAX_REASON_WORDS words; at least one.
- The appeal gets one seat (role `appeal`, the policy's `reviewer_kind`) filled by the panel machinery, so the
  usual eligibility holds (role, calibration, conflicts, capacity, pause) and, since a reviewer holds at most
  one assignment per attempt, nobody who held a seat on the attempt can take it. No one eligible: it waits,
  and the issuer's admins are told, as any seat.
- The fresh review decides: a contested criterion passes when its level does; uncontested criteria keep the
  panel's result. Every criterion passing: upheld, the decision becomes earned (`original_outcome` keeps what
  the policy said) and workflow issues the badge. Otherwise not upheld, and "not yet earned" stands.
- While an appeal is open the educator cannot resubmit (workflow.attempt_submit asks `appeal_blocks_submit`):
  an upheld appeal earns this attempt, and a second attempt in review at the same time could only contradict it.
  Their draft stays editable; once the appeal is decided they may resubmit as before.

Issuing the badge is workflow's (workflow.services.appeal_request and review_submit call these)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from catalog.schema import Seat as SeatSpec
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send, notification_send_many
from reviews import links
from reviews.models import Appeal, AppealState, Decision, DecisionOutcome, Review, SeatRole
from reviews.selectors.access import issuer_admins
from reviews.selectors.appeals import appeal_refusal, appeal_window_end, failed_criteria
from reviews.services._shared import issuer_id_of, lock_attempt
from reviews.services.panels import seats_add
from submissions.models import Attempt, EventKind
from submissions.services import attempt_transition

MIN_REASON_WORDS = 5
MAX_REASON_WORDS = 300


def _reasons_clean(reasons: Mapping[str, str], *, contestable: list[str], titles: dict[str, str]) -> dict[str, str]:
    problems: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for cid, raw in reasons.items():
        text = (raw or "").strip()
        if not text:
            continue
        if cid not in titles:
            problems.append(FieldError(f"reasons.{cid}", gettext("this rubric has no such criterion")))
            continue
        if cid not in contestable:
            problems.append(
                FieldError(f"reasons.{cid}", gettext("this criterion passed; only one that did not can be contested"))
            )
            continue
        words = len(text.split())
        title = titles.get(cid, cid)
        if words < MIN_REASON_WORDS:
            problems.append(
                FieldError(
                    f"reasons.{cid}",
                    ngettext(
                        "Your reason for %(title)s has %(n)d word: write at least %(min)d words",
                        "Your reason for %(title)s has %(n)d words: write at least %(min)d words",
                        words,
                    )
                    % {"title": title, "n": words, "min": MIN_REASON_WORDS},
                )
            )
        elif words > MAX_REASON_WORDS:
            problems.append(
                FieldError(
                    f"reasons.{cid}",
                    gettext("Your reason for %(title)s has %(n)d words: shorten it to %(max)d words or fewer")
                    % {"title": title, "n": words, "max": MAX_REASON_WORDS},
                )
            )
        cleaned[cid] = text
    if not cleaned and not problems:
        problems.append(
            FieldError(
                "reasons", gettext("Contest at least one criterion: give your reason under the criterion you contest")
            )
        )
    if problems:
        raise InvalidInput(problems)
    return {cid: cleaned[cid] for cid in contestable if cid in cleaned}


def appeal_request(
    *, attempt: Attempt, educator: User, reasons: Mapping[str, str], now: datetime | None = None
) -> Appeal:
    """The educator appeals the "not yet earned" decision on their attempt, with a reason per contested
    criterion. Audited (appeal.requested), the educator and the issuer's admins are told, and the appeal's seat
    is created and filled (or left waiting)."""
    now = now or timezone.now()
    with transaction.atomic():
        submission, locked = lock_attempt(attempt)
        if submission.educator_id != educator.pk:
            raise NotAllowed(gettext("only the educator who submitted this attempt can appeal its decision"))
        decision = Decision.objects.filter(attempt=locked).first()
        why = appeal_refusal(attempt=locked, decision=decision, now=now)
        if why:
            raise InvalidState(why)
        assert decision is not None  # appeal_refusal answers without one
        definition = locked.version.spec
        titles = {c.id: c.title for c in definition.rubric.criteria}
        cleaned = _reasons_clean(reasons, contestable=failed_criteria(decision), titles=titles)
        appeals = definition.review_policy.appeals
        assert appeals is not None
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    attempt=locked,
                    decision=decision,
                    educator=educator,
                    reasons=cleaned,
                    requested_at=now,
                    window_ends_at=appeal_window_end(decision, appeals.window_days),
                )
        except IntegrityError as clash:
            # The lock above makes this unreachable; the one-to-one is the backstop, answered in the same words.
            raise InvalidState(
                gettext("This attempt has already been appealed; each attempt can be appealed once.")
            ) from clash
        audit_record(
            action="appeal.requested",
            subject=appeal,
            actor=educator,
            new=AppealState.OPEN,
            data={"attempt": locked.pk, "decision": decision.pk, "criteria": list(cleaned)},
            issuer_id=issuer_id_of(locked),
            at=now,
        )
        context = {
            "credential": definition.title,
            "attempt_number": locked.number,
            "criteria": [titles[c] for c in cleaned],
            "count": len(cleaned),
        }
        notification_send(
            user=educator,
            kind=NotificationKind.APPEAL_RECEIVED,
            context={**context, "admin": False},
            url=appeal_path(appeal),
        )
        notification_send_many(
            users=issuer_admins(issuer_id=issuer_id_of(locked)),
            kind=NotificationKind.APPEAL_RECEIVED,
            context={**context, "admin": True, "attempt_ref": f"{locked.submission_id}-{locked.number}"},
            url=f"{links.pipeline_path()}attempts/{locked.pk}/",
        )
        # Stored in English, as the policy's own seat titles are.
        spec = SeatSpec(kind=appeals.reviewer_kind, count=1, title="Appeal reviewer")
        (seat,) = seats_add(attempt=locked, specs=[spec], role=SeatRole.APPEAL, now=now)
        appeal.seat = seat
        appeal.save(update_fields=["seat"])
    return appeal


def appeal_path(appeal: Appeal) -> str:
    return f"/appeals/{appeal.pk}/"


def appeal_decide(*, review: Review, now: datetime | None = None) -> Appeal | None:
    """Decide the appeal whose seat this just-submitted review holds (None for any other review). Runs in
    workflow.review_submit's transaction, after the review is recorded. Upheld: the decision becomes earned
    and the attempt moves to earned (workflow then issues the badge on commit)."""
    now = now or timezone.now()
    seat = review.assignment.seat
    if seat.role != SeatRole.APPEAL:
        return None
    with transaction.atomic():
        _, locked = lock_attempt(review.attempt)
        appeal = Appeal.objects.select_for_update().filter(seat_id=seat.pk).first()
        if appeal is None or appeal.state != AppealState.OPEN:
            return appeal
        decision = Decision.objects.select_for_update().get(pk=appeal.decision_id)
        rubric = locked.version.spec.rubric
        passing = set(rubric.passing_levels())
        levels = {s.criterion: s.level for s in review.scores.all()}
        results = {cid: {"level": levels.get(cid, ""), "passed": levels.get(cid) in passing} for cid in appeal.reasons}
        still_failing = [c for c in failed_criteria(decision) if not results.get(c, {}).get("passed")]
        upheld = not still_failing
        appeal.state = AppealState.UPHELD if upheld else AppealState.DENIED
        appeal.decided_at = now
        appeal.results = results
        appeal.save(update_fields=["state", "decided_at", "results"])
        seat.closed_at = now
        seat.save(update_fields=["closed_at"])
        earned_now = upheld and decision.outcome == DecisionOutcome.NOT_YET_EARNED
        if earned_now:
            decision.outcome = DecisionOutcome.EARNED
            decision.save(update_fields=["outcome"])
            attempt_transition(
                attempt=locked,
                actor=None,
                kind=EventKind.EARNED,
                data={"decision": decision.pk, "appeal": appeal.pk},
                override=True,
            )
            review.attempt.status = locked.status
        audit_record(
            action="appeal.decided",
            subject=appeal,
            actor=None,
            old=AppealState.OPEN,
            new=appeal.state,
            data={"attempt": locked.pk, "review": review.pk, "results": results, "earned": earned_now},
            issuer_id=issuer_id_of(locked),
            at=now,
        )
        titles = {c.id: c.title for c in rubric.criteria}
        context = {
            "credential": locked.version.spec.title,
            "attempt_number": locked.number,
            "upheld": upheld,
            "passed": [titles[c] for c, r in results.items() if r["passed"]],
            "not_passed": [titles[c] for c, r in results.items() if not r["passed"]],
        }
        notification_send(
            user=locked.submission.educator,
            kind=NotificationKind.APPEAL_DECIDED,
            context={**context, "admin": False},
            url=appeal_path(appeal),
        )
        notification_send_many(
            users=issuer_admins(issuer_id=issuer_id_of(locked)),
            kind=NotificationKind.APPEAL_DECIDED,
            context={**context, "admin": True, "attempt_ref": f"{locked.submission_id}-{locked.number}"},
            url=f"{links.pipeline_path()}attempts/{locked.pk}/",
        )
    return appeal


def appeal_blocks_submit(*, submission_id: int) -> str | None:
    """Why a resubmission must wait (an appeal on this submission is open), or None."""
    if Appeal.objects.filter(attempt__submission_id=submission_id, state=AppealState.OPEN).exists():
        return gettext(
            "Your appeal of the last decision is still open. You can keep editing your draft, and submit it once "
            "the appeal is decided."
        )
    return None
